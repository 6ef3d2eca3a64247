"""Measure a workload from real data: request token counts and the traffic shape."""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from pydantic import BaseModel

from tco.errors import DataFileError, ScenarioError
from tco.scenario import (
    Block,
    LoadedScenario,
    PromptTemplate,
    TaskSplit,
    TokenDistribution,
    Traffic,
)
from tco.tables import Table, file_version, read_table, require_columns
from tco.tokens.counter import TOKENS_PER_MESSAGE, TOKENS_TO_PRIME_REPLY, TokenCounter
from tco.tokens.templates import RenderedPrompt, render_rows


@dataclass(frozen=True)
class TokenStats:
    """Summary of a token count over requests (or one value for a fixed text)."""

    mean: float
    p50: float
    p95: float
    max: float
    samples: int
    exact: bool
    tokenizer: str

    @classmethod
    def of(cls, counts: np.ndarray, counter_label: str, exact: bool) -> TokenStats:
        values = np.asarray(counts, dtype=float)
        return cls(
            mean=float(values.mean()),
            p50=float(np.percentile(values, 50)),
            p95=float(np.percentile(values, 95)),
            max=float(values.max()),
            samples=int(values.size),
            exact=exact,
            tokenizer=counter_label,
        )

    def as_dict(self) -> dict:
        return {
            "mean": round(self.mean, 2),
            "p50": self.p50,
            "p95": self.p95,
            "max": self.max,
            "samples": self.samples,
            "exact": self.exact,
            "tokenizer": self.tokenizer,
        }


# ISO 8601 dates and times without a zone, which numpy parses directly: 2023-11-16 18:15:46.6805900.
_ISO_TIME = re.compile(r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?")


def arrival_seconds(trace: Path, timestamp_column: str) -> np.ndarray:
    """Return each arrival's time in seconds after the trace's first arrival, in file order.

    ISO 8601 times are parsed with numpy; any other format (time zones,
    day-first dates) goes to pandas' mixed-format parser. An unchanged trace
    is parsed once per process; the array returned is read-only.
    """
    version = file_version(trace)
    if version is None:
        return _arrival_seconds(trace, timestamp_column)
    return _unchanged_arrival_seconds(*version, timestamp_column)


@functools.lru_cache(maxsize=8)
def _unchanged_arrival_seconds(trace: str, _mtime_ns: int, _size: int, timestamp_column: str) -> np.ndarray:
    seconds = _arrival_seconds(Path(trace), timestamp_column)
    seconds.flags.writeable = False
    return seconds


def _arrival_seconds(trace: Path, timestamp_column: str) -> np.ndarray:
    table = read_table(trace)
    require_columns(table, [timestamp_column], trace)
    texts = table.column(timestamp_column)
    if len(texts) < 2:
        raise DataFileError(f"{trace}: a trace needs at least two arrivals to measure a peak; use a longer trace")
    times = None
    if all(map(_ISO_TIME.fullmatch, texts)):
        try:
            times = np.array(texts, dtype="datetime64[ns]")
        except ValueError:
            times = None  # numpy rejects some ISO-shaped values, such as month 13. pandas names the value below.
    if times is None:
        import pandas as pd

        # In UTC, so offsets that change within the trace (a daylight-saving switch) still order correctly.
        parsed = pd.to_datetime(pd.Series(texts), errors="coerce", format="mixed", utc=True)
        if parsed.isna().any():
            position = int(np.flatnonzero(parsed.isna().to_numpy())[0])
            raise DataFileError(
                f"{trace} row {position + 2}: column {timestamp_column} is {texts[position]!r}, not a time; "
                "write times as ISO 8601, such as 2023-11-16 18:15:46"
            )
        times = parsed.dt.tz_localize(None).to_numpy(dtype="datetime64[ns]")
    return (times - times.min()) / np.timedelta64(1, "s")


def bucket_counts(trace: Path, timestamp_column: str, bucket_seconds: int) -> np.ndarray:
    """Count arrivals per bucket from the trace's first arrival to its last, empty buckets included.

    The last bucket is left out, because the end of the trace usually cuts it short.
    """
    seconds = arrival_seconds(trace, timestamp_column)
    counts = np.bincount(np.floor(seconds / bucket_seconds).astype(np.int64))
    if counts.size < 2:
        raise DataFileError(
            f"{trace}: the trace spans less than two {bucket_seconds}-second buckets; "
            "use a longer trace or a smaller bucket_seconds"
        )
    return counts[:-1]


def peak_to_average(trace: Path, timestamp_column: str, bucket_seconds: int) -> float:
    """Return the busiest bucket's request count over the mean count per bucket."""
    counts = bucket_counts(trace, timestamp_column, bucket_seconds)
    return float(counts.max() / counts.mean())


@dataclass(frozen=True)
class TrafficShape:
    """The load over time: the trace's bucket loads relative to their mean, and the daily peak factor."""

    relative_loads: np.ndarray
    daily_peak_factor: float
    bucket_seconds: int
    daily_peak_basis: str
    trace: str

    @property
    def trace_peak_to_average(self) -> float:
        return float(self.relative_loads.max())

    @property
    def peak_to_average(self) -> float:
        return self.trace_peak_to_average * self.daily_peak_factor

    def overflow_share(self, capacity_relative_to_average: float) -> float:
        """Share of requests above a capacity given as a multiple of the month's average load.

        The month's hourly load follows a daily sine between 2 - d and d times
        the average (d = `daily_peak_factor`, floored at zero), and within each
        hour the load varies minute by minute as the trace does.
        NOTE: the sine is an assumed daily shape; a trace of a whole day would replace it.
        """
        hours = np.arange(24)
        daily = np.maximum(0.0, 1 + (self.daily_peak_factor - 1) * np.sin(2 * np.pi * hours / 24))
        daily = daily / daily.mean()
        loads = np.outer(daily, self.relative_loads)
        return float(np.maximum(0.0, loads - capacity_relative_to_average).sum() / loads.sum())

    def as_dict(self) -> dict:
        return {
            "peak_to_average": round(self.peak_to_average, 4),
            "trace_peak_to_average": round(self.trace_peak_to_average, 4),
            "daily_peak_factor": self.daily_peak_factor,
            "daily_peak_basis": self.daily_peak_basis,
            "bucket_seconds": self.bucket_seconds,
            "trace": self.trace,
        }


def measure_traffic(loaded: LoadedScenario, traffic: Traffic) -> TrafficShape:
    counts = bucket_counts(loaded.resolve(traffic.trace), traffic.timestamp_column, traffic.bucket_seconds)
    relative = counts / counts.mean()
    return TrafficShape(
        relative, traffic.daily_peak_factor, traffic.bucket_seconds, traffic.daily_peak_basis, traffic.trace
    )


@dataclass(frozen=True)
class RowFilter:
    """Keep the rows whose `column` has one of `values`; tables without the column are kept whole."""

    column: str
    values: frozenset[str]

    def apply(self, table: Table) -> Table:
        if self.column not in table.columns:
            return table
        return table.where(self.column, self.values)


def _template_fields(scenario) -> dict[int, str]:
    """Map each prompt template object of a scenario to its dotted field path, such as workload.user_input."""
    fields: dict[int, str] = {}

    def visit(node, path: str) -> None:
        if isinstance(node, PromptTemplate):
            fields[id(node)] = path
        if isinstance(node, BaseModel):
            for name in type(node).model_fields:
                visit(getattr(node, name), f"{path}.{name}" if path else name)
        elif isinstance(node, (list, tuple)):
            for index, item in enumerate(node):
                visit(item, f"{path}.{index}")
        elif isinstance(node, dict):
            for key, item in node.items():
                visit(item, f"{path}.{key}")

    visit(scenario, "")
    return fields


class PromptMeasurer:
    """Renders a scenario's templates and counts their tokens, reading each data file once.

    With a `row_filter`, every table is narrowed to one task's rows.
    """

    def __init__(
        self,
        loaded: LoadedScenario,
        row_filter: RowFilter | None = None,
        tables: dict | None = None,
        fields: dict[int, str] | None = None,
    ):
        self.loaded = loaded
        self.row_filter = row_filter
        self._tables: dict[Path, Table] = tables if tables is not None else {}
        self._fields = fields if fields is not None else _template_fields(loaded.scenario)

    def for_task(self, row_filter: RowFilter) -> PromptMeasurer:
        """Return a measurer over one task's rows, sharing the tables already read."""
        return PromptMeasurer(self.loaded, row_filter, self._tables, self._fields)

    def table(self, relative: str) -> tuple[Table, Path]:
        path = self.loaded.resolve(relative)
        if path not in self._tables:
            try:
                self._tables[path] = read_table(path)
            except DataFileError as error:
                raise ScenarioError(f"{self.loaded.path}: {error}") from error
        frame = self._tables[path]
        return (self.row_filter.apply(frame) if self.row_filter else frame), path

    def template_text(self, template: PromptTemplate) -> tuple[str, str]:
        """Return the template's text and a label naming the scenario file, the template's field and its file."""
        field = self._fields.get(id(template), "a template")
        if template.text is not None:
            return template.text, f"{self.loaded.path}: {field} (inline text)"
        path = self.loaded.resolve(template.file)
        try:
            return path.read_text(encoding="utf-8"), f"{self.loaded.path}: {field} (file {path})"
        except FileNotFoundError as error:
            raise ScenarioError(f"{self.loaded.path}: {field}: template file not found: {template.file}") from error

    def block_rows(self, block: Block) -> RenderedPrompt:
        """Render each kept row of a block; the texts are the block's parts."""
        frame, path = self.table(block.data)
        if block.group_by is not None:
            require_columns(frame, [block.group_by], path)
            frame = frame.first_per_group(block.group_by, block.rows_per_group)
        if block.limit is not None:
            frame = frame.head(block.limit)
        if len(frame) == 0:
            raise ScenarioError(f"{self.loaded.path}: block over {block.data} keeps no rows")
        return render_rows(block.row_template, {}, frame, f"row_template for {block.data}")

    def render(self, template: PromptTemplate) -> RenderedPrompt:
        """Render a prompt template: once per data row if it has per-row variables, else once."""
        text, label = self.template_text(template)
        fixed = dict(template.values)
        for name, block in template.blocks.items():
            parts = self.block_rows(block)
            fixed[name] = block.separator.join(parts.texts)
        rows = self.table(template.data)[0] if template.data is not None else None
        if template.files:
            rows = self._with_file_texts(rows, template)
        return render_rows(text, fixed, rows, label)

    def _with_file_texts(self, rows: Table | None, template: PromptTemplate) -> Table:
        """Add one column per `files` variable holding the text of the file each row names."""
        if rows is None:
            raise ScenarioError(
                f"{self.loaded.path}: a template with 'files' needs 'data' whose column names the files"
            )
        for variable, column in template.files.items():
            if column not in rows.columns:
                raise ScenarioError(
                    f"{self.loaded.path}: files.{variable} names column {column!r}, which {template.data} lacks; "
                    f"columns: {', '.join(rows.names)}"
                )
            texts = {}
            for relative in dict.fromkeys(rows.column(column)):
                path = self.loaded.resolve(relative)
                try:
                    texts[relative] = path.read_text(encoding="utf-8")
                except (FileNotFoundError, UnicodeDecodeError) as error:
                    raise ScenarioError(
                        f"{self.loaded.path}: files.{variable}: cannot read {path} ({error})"
                    ) from error
            rows = rows.with_column(variable, [texts[relative] for relative in rows.column(column)])
        return rows


def count_chat(counter: TokenCounter, messages: Sequence[tuple[str, RenderedPrompt]]) -> np.ndarray:
    """Count chat prompts with OpenAI's framing; per-row messages broadcast against fixed ones.

    Returns one total per request row (a single value when every message is fixed).
    NOTE: the framing is OpenAI's for every model. Other chat templates (Mistral's
    [INST] markers, Anthropic's turns) differ by a few tokens per message.
    """
    total = np.array([float(TOKENS_TO_PRIME_REPLY)])
    for role, rendered in messages:
        content = counter.count(rendered.texts).astype(float)
        role_tokens = counter.count([role])[0]
        total = total + TOKENS_PER_MESSAGE + role_tokens + content
    return total


def output_token_mean(
    distribution: TokenDistribution, measurer: PromptMeasurer, counter: TokenCounter
) -> tuple[float, dict]:
    """Return mean output tokens per request and a description of where the number comes from."""
    if distribution.measured is not None:
        counts = counter.count(measurer.render(distribution.measured).texts)
        stats = TokenStats.of(counts, counter.label, counter.exact)
        return stats.mean, {"measured": stats.as_dict()}
    if distribution.fixed is not None:
        return distribution.fixed, {"fixed": distribution.fixed, "basis": distribution.basis}
    if distribution.uniform is not None:
        low, high = distribution.uniform
        return (low + high) / 2, {"uniform": list(distribution.uniform), "basis": distribution.basis}
    low, mode, high = distribution.triangular
    return (low + mode + high) / 3, {"triangular": list(distribution.triangular), "basis": distribution.basis}


@dataclass(frozen=True)
class Task:
    """One task of a split workload: the split column's values it covers and its share of requests."""

    name: str
    column: str
    values: tuple[str, ...]
    share: float

    @property
    def row_filter(self) -> RowFilter:
        return RowFilter(self.column, frozenset(self.values))


def split_tasks(measurer: PromptMeasurer, split: TaskSplit, user_input: PromptTemplate) -> list[Task]:
    """Deal the split column's values into consecutive groups; each task's share is its share of user-input rows."""
    if user_input.data is None:
        raise ScenarioError(f"{measurer.loaded.path}: workload.tasks needs workload.user_input.data to split")
    frame, path = measurer.table(user_input.data)
    require_columns(frame, [split.split_column], path)
    column = frame.column(split.split_column)
    values = list(dict.fromkeys(column))
    if split.count > len(values):
        raise ScenarioError(
            f"{measurer.loaded.path}: workload.tasks.count {split.count} is more than the "
            f"{len(values)} distinct values of {split.split_column} in {user_input.data}"
        )
    counts = Counter(column)
    tasks = []
    for number, group in enumerate(np.array_split(np.array(values, dtype=object), split.count), start=1):
        members = tuple(str(value) for value in group)
        share = sum(counts[member] for member in members) / len(frame)
        label = members[0] if len(members) == 1 else f"{members[0]} +{len(members) - 1}"
        tasks.append(Task(f"task {number}: {label}", split.split_column, members, share))
    return tasks
