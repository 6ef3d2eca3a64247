"""Read token usage as providers report it, or as tco's own CSV log, and price it in bulk.

Providers count input differently:
- OpenAI: `prompt_tokens` (Chat Completions) or `input_tokens` (Responses)
  include the cached tokens, which `*_tokens_details.cached_tokens` gives;
  reasoning tokens are inside the completion or output tokens.
- Anthropic: `input_tokens` excludes cache reads and writes. The whole input
  is input + `cache_creation_input_tokens` + `cache_read_input_tokens`, and
  `cache_creation` splits writes into 5-minute and 1-hour ones.
- Gemini: `promptTokenCount` includes `cachedContentTokenCount`; thinking
  tokens (`thoughtsTokenCount`) are billed as output on top of
  `candidatesTokenCount`.
Every record is turned into tco's columns, where input counts all input and
output counts all output, reasoning included.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd

from tco.errors import DataFileError, UnknownModelError, UsageError
from tco.pricing.book import PriceBook
from tco.pricing.cost import TOKEN_CLASSES, RateTable, price_classes

TOKEN_COLUMNS = (
    "input_tokens",
    "cached_input_tokens",
    "cache_write_tokens",
    "cache_write_1h_tokens",
    "output_tokens",
    "reasoning_tokens",
)
OPTIONAL_COLUMNS = ("provider", "date", "service_tier", "requests", "endpoint")
SERVICE_TIERS = ("standard", "batch", "flex", "priority")
ENDPOINTS = ("global", "regional")


def _number(value, field: str, where: str) -> float:
    if value is None:
        return 0.0
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise UsageError(f"{where}: field {field} is {value!r}, not a number of tokens")
    if value < 0:
        raise UsageError(f"{where}: field {field} is {value}, a negative number of tokens")
    return float(value)


def _details(usage: dict, key: str) -> dict:
    details = usage.get(key) or {}
    return details if isinstance(details, dict) else {}


def normalize_openai(record: dict, where: str) -> dict:
    record = record.get("response", record) if isinstance(record.get("response"), dict) else record
    usage = record.get("usage", record)
    if not isinstance(usage, dict):
        raise UsageError(f"{where}: usage is {usage!r}, not an object")
    if "cache_read_input_tokens" in usage or "cache_creation_input_tokens" in usage:
        raise UsageError(f"{where}: this looks like an Anthropic usage object; use --usage-format anthropic")
    if "prompt_tokens" in usage:
        names = ("prompt_tokens", "prompt_tokens_details", "completion_tokens", "completion_tokens_details")
    elif "input_tokens" in usage:
        names = ("input_tokens", "input_tokens_details", "output_tokens", "output_tokens_details")
    else:
        raise UsageError(f"{where}: no prompt_tokens or input_tokens: not an OpenAI usage object")
    input_name, input_details, output_name, output_details = names
    if usage.get(output_name) is None:
        raise UsageError(f"{where}: field {output_name} is missing")
    total_in = _number(usage.get(input_name), input_name, where)
    cached = _number(_details(usage, input_details).get("cached_tokens"), f"{input_details}.cached_tokens", where)
    out = _number(usage.get(output_name), output_name, where)
    reasoning = _number(
        _details(usage, output_details).get("reasoning_tokens"), f"{output_details}.reasoning_tokens", where
    )
    writes = _number(usage.get("cache_write_tokens"), "cache_write_tokens", where)
    if cached + writes > total_in:
        raise UsageError(f"{where}: {cached:g} cached tokens exceed the {total_in:g} input tokens that include them")
    return {"input_tokens": total_in, "cached_input_tokens": cached, "cache_write_tokens": writes,
            "output_tokens": out, "reasoning_tokens": reasoning}  # fmt: skip


def normalize_anthropic(record: dict, where: str) -> dict:
    usage = record.get("usage", record)
    if not isinstance(usage, dict) or usage.get("input_tokens") is None or usage.get("output_tokens") is None:
        raise UsageError(f"{where}: input_tokens or output_tokens is missing: not an Anthropic usage object")
    uncached = _number(usage.get("input_tokens"), "input_tokens", where)
    reads = _number(usage.get("cache_read_input_tokens"), "cache_read_input_tokens", where)
    writes = _number(usage.get("cache_creation_input_tokens"), "cache_creation_input_tokens", where)
    split = _details(usage, "cache_creation")
    writes_1h = _number(split.get("ephemeral_1h_input_tokens"), "cache_creation.ephemeral_1h_input_tokens", where)
    if split and "ephemeral_5m_input_tokens" in split:
        writes_5m = _number(split.get("ephemeral_5m_input_tokens"), "cache_creation.ephemeral_5m_input_tokens", where)
        if abs(writes_5m + writes_1h - writes) > 0.5 and writes:
            raise UsageError(
                f"{where}: cache_creation splits {writes_5m + writes_1h:g} tokens but cache_creation_input_tokens is {writes:g}"
            )
    else:
        writes_5m = writes - writes_1h
        if writes_5m < 0:
            raise UsageError(
                f"{where}: 1-hour cache writes {writes_1h:g} exceed cache_creation_input_tokens {writes:g}"
            )
    return {"input_tokens": uncached + reads + writes_5m + writes_1h, "cached_input_tokens": reads,
            "cache_write_tokens": writes_5m, "cache_write_1h_tokens": writes_1h,
            "output_tokens": _number(usage.get("output_tokens"), "output_tokens", where)}  # fmt: skip


def normalize_gemini(record: dict, where: str) -> dict:
    usage = record.get("usageMetadata", record.get("usage_metadata", record))
    key = "promptTokenCount" if "promptTokenCount" in usage else "prompt_token_count"
    if key not in usage:
        raise UsageError(f"{where}: no promptTokenCount: not a Gemini usageMetadata object")
    snake = key == "prompt_token_count"
    field = lambda camel, snake_name: snake_name if snake else camel  # noqa: E731
    prompt = _number(usage.get(key), key, where)
    # Tool-use prompt tokens are input the model reads, billed at the input rate.
    prompt += _number(
        usage.get(field("toolUsePromptTokenCount", "tool_use_prompt_token_count")), "toolUsePromptTokenCount", where
    )
    cached = _number(
        usage.get(field("cachedContentTokenCount", "cached_content_token_count")), "cachedContentTokenCount", where
    )
    candidates = _number(
        usage.get(field("candidatesTokenCount", "candidates_token_count")), "candidatesTokenCount", where
    )
    thoughts = _number(usage.get(field("thoughtsTokenCount", "thoughts_token_count")), "thoughtsTokenCount", where)
    if cached > prompt:
        raise UsageError(f"{where}: {cached:g} cached tokens exceed the {prompt:g} prompt tokens that include them")
    return {"input_tokens": prompt, "cached_input_tokens": cached, "output_tokens": candidates + thoughts,
            "reasoning_tokens": thoughts}  # fmt: skip


NORMALIZERS = {"openai": normalize_openai, "anthropic": normalize_anthropic, "gemini": normalize_gemini}


def _records(path: Path) -> Iterator[tuple[str, dict]]:
    """Yield (location, object) for a JSON file holding one object or a list, or a JSON Lines file."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise DataFileError(f"{path}: cannot be read ({error})") from error
    try:
        document = json.loads(text)
    except json.JSONDecodeError:
        document = None
    if isinstance(document, dict):
        yield f"{path}", document
        return
    if isinstance(document, list):
        for number, item in enumerate(document, start=1):
            yield f"{path} record {number}", item
        return
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            yield f"{path} line {number}", json.loads(line)
        except json.JSONDecodeError as error:
            raise DataFileError(f"{path} line {number}: invalid JSON ({error.msg})") from error


RECORD_TIERS = {
    "default": "standard",
    "auto": "standard",
    "standard": "standard",
    "batch": "batch",
    "flex": "flex",
    "priority": "priority",
}


def _usage_missing(record: dict, usage_format: str) -> bool:
    """Return whether a record is a streamed chunk without usage (OpenAI sends usage only in the last one)."""
    if usage_format == "openai":
        inner = record.get("response") if isinstance(record.get("response"), dict) else record
        return (
            "usage" in inner
            and inner["usage"] is None
            or ("usage" not in inner and record.get("object") == "chat.completion.chunk")
        )
    return False


def _record_tier(record: dict, where: str) -> str | None:
    inner = record.get("response") if isinstance(record.get("response"), dict) else record
    usage = inner.get("usage") if isinstance(inner.get("usage"), dict) else {}
    tier = inner.get("service_tier") or usage.get("service_tier")
    if tier is None:
        return None
    if tier not in RECORD_TIERS:
        raise UsageError(f"{where}: service_tier {tier!r} is not one of {', '.join(RECORD_TIERS)}")
    return RECORD_TIERS[tier]


def read_usage_objects(path: Path, usage_format: str, default_model: str | None) -> pd.DataFrame:
    """Normalize provider usage objects into tco's usage columns, one row per record with usage."""
    normalize = NORMALIZERS[usage_format]
    rows = []
    for where, record in _records(path):
        if not isinstance(record, dict):
            raise UsageError(f"{where}: expected a JSON object, found {type(record).__name__}")
        if _usage_missing(record, usage_format):
            continue
        row = {column: 0.0 for column in TOKEN_COLUMNS}
        row["requests"] = 1.0
        row.update(normalize(record, where))
        inner = record.get("response") if isinstance(record.get("response"), dict) else record
        model = inner.get("model") or inner.get("modelVersion") or inner.get("model_version") or default_model
        if not model:
            raise UsageError(f"{where}: the record names no model; pass --model")
        if not isinstance(model, str):
            raise UsageError(f"{where}: model is {model!r}, not a model name")
        row["model"] = model
        tier = _record_tier(record, where)
        if tier is not None:
            row["service_tier"] = tier
        row["record"] = where
        rows.append(row)
    if not rows:
        raise DataFileError(f"{path}: no usage records")
    frame = pd.DataFrame(rows)
    if "service_tier" in frame:
        frame["service_tier"] = frame["service_tier"].astype(object).where(frame["service_tier"].notna(), None)
    return frame


STRING_COLUMNS = ("model", "provider", "date", "service_tier", "endpoint")


def _read_csv(path: Path, dtype: dict) -> pd.DataFrame:
    try:
        return pd.read_csv(path, dtype=dtype)
    except FileNotFoundError as error:
        raise DataFileError(f"{path}: file not found") from error
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as error:
        raise DataFileError(f"{path}: not a readable CSV file ({error})") from error


def _bad_number(path: Path) -> UsageError | None:
    """Return an error naming the first count cell that is not a number (None when all are), reading the file as text."""
    frame = _read_csv(path, dtype=str)
    for column in (*TOKEN_COLUMNS, "requests"):
        if column in frame:
            bad = pd.to_numeric(frame[column], errors="coerce").isna() & frame[column].notna()
            if bad.any():
                row = _first(bad.to_numpy())
                return UsageError(f"{path} row {row + 2}: column {column} is {frame[column].iloc[row]!r}, not a number")
    return None


REQUIRED_COUNT_COLUMNS = ("input_tokens", "output_tokens")


def read_usage_csv(path: Path, default_model: str | None = None) -> pd.DataFrame:
    """Read tco's usage log columns: model, input_tokens and output_tokens, and any of the optional ones.

    An empty cell of an optional count column is 0, and a row is one request
    unless `requests` gives a count. An empty input_tokens or output_tokens
    cell is an error naming its row. Text columns are read as categories,
    because a log repeats a few model, provider, tier and date values over
    many rows. The file's path goes in the frame's `attrs["source"]`, so
    errors name the file and row.
    """
    dtype = {column: "category" for column in STRING_COLUMNS} | {
        column: float for column in (*TOKEN_COLUMNS, "requests")
    }
    try:
        frame = _read_csv(path, dtype)
    except ValueError as error:
        raise _bad_number(path) or DataFileError(f"{path}: not a readable CSV file ({error})") from error
    if any(str(column).lstrip().startswith(("{", "[")) for column in frame.columns):
        raise DataFileError(f"{path}: this is JSON, not a CSV file; give --usage-format openai, anthropic or gemini")
    if not isinstance(frame.index, pd.RangeIndex):
        # pandas takes the first column as an index when every row has one cell more than the header.
        raise DataFileError(f"{path}: the rows have more cells than the header's {len(frame.columns)} column names")
    # pandas renames the second of two equal column names "x" to "x.1".
    renamed = (re.fullmatch(r"(.+)\.\d+", str(column)) for column in frame.columns)
    repeated = [match.group(1) for match in renamed if match and match.group(1) in frame.columns]
    if repeated:
        raise DataFileError(f"{path}: column {repeated[0]} appears more than once in the header")
    unknown = [column for column in frame.columns if column not in ("model", *TOKEN_COLUMNS, *OPTIONAL_COLUMNS)]
    if unknown:
        raise DataFileError(
            f"{path}: unknown column(s) {', '.join(unknown)}; tco reads model, "
            f"{', '.join(TOKEN_COLUMNS)} and optional {', '.join(OPTIONAL_COLUMNS)}"
        )
    missing = [column for column in REQUIRED_COUNT_COLUMNS if column not in frame.columns]
    if missing:
        raise DataFileError(
            f"{path}: no {' or '.join(missing)} column; a usage log needs input_tokens and output_tokens per row"
        )
    frame.attrs["source"] = str(path)
    if "model" not in frame.columns:
        if default_model is None:
            raise DataFileError(f"{path}: no 'model' column and no --model; the columns are {', '.join(frame.columns)}")
        frame["model"] = pd.Categorical.from_codes(np.zeros(len(frame), dtype=np.int8), [default_model])
    missing_model = frame["model"].isna().to_numpy()
    if missing_model.any():
        if default_model is None:
            raise UsageError(f"{path} row {_first(missing_model) + 2}: no model; fill the cell or pass --model")
        models = frame["model"]
        if default_model not in models.cat.categories:
            models = models.cat.add_categories([default_model])
        frame["model"] = models.fillna(default_model)
    for column in TOKEN_COLUMNS + ("requests",):
        empty = 1.0 if column == "requests" else 0.0
        if column not in frame.columns:
            frame[column] = empty
            continue
        blank = np.isnan(frame[column].to_numpy())
        if not blank.any():
            continue
        if column in REQUIRED_COUNT_COLUMNS:
            raise UsageError(f"{path} row {_first(blank) + 2}: {column} is empty; give the count, 0 if there was none")
        frame[column] = frame[column].fillna(empty)
    return frame


def _where(frame: pd.DataFrame, position: int) -> str:
    """Name a row of a usage frame: its record label, or the file and CSV row number."""
    label = str(frame["record"].iloc[position]) if "record" in frame else frame.attrs.get("source", "usage")
    return (
        label
        if any(word in label for word in (" row ", " line ", " record ")) or label.endswith(".json")
        else f"{label} row {position + 2}"
    )


def _first(mask: np.ndarray) -> int:
    return int(np.argmax(mask))


def _token_classes(frame: pd.DataFrame) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Return the count columns as float arrays and the disjoint token classes, naming the first inconsistent row.

    A class whose column is all zero is left out, so pricing skips it.
    """
    counts = {name: frame[name].to_numpy(dtype=float) for name in (*TOKEN_COLUMNS, "requests")}
    nonzero = {}
    for name, values in counts.items():
        low, high = (values.min(), values.max()) if len(values) else (0.0, 0.0)
        if not (low >= 0 and high < np.inf):
            position = _first(~((values >= 0) & (values < np.inf)))
            kind = "a negative count" if values[position] < 0 else "not a finite number"
            raise UsageError(f"{_where(frame, position)}: {name} is {values[position]:g}, {kind}")
        nonzero[name] = high > 0
    uncached = counts["input_tokens"]
    for name in ("cached_input_tokens", "cache_write_tokens", "cache_write_1h_tokens"):
        if nonzero[name]:
            uncached = uncached - counts[name]
    if uncached is not counts["input_tokens"] and uncached.min(initial=0.0) < 0:
        raise UsageError(
            f"{_where(frame, _first(uncached < 0))}: more cached and cache-write tokens than input tokens "
            "(input counts all input, cached included)"
        )
    visible = counts["output_tokens"]
    if nonzero["reasoning_tokens"]:
        visible = visible - counts["reasoning_tokens"]
        if visible.min(initial=0.0) < 0:
            raise UsageError(
                f"{_where(frame, _first(visible < 0))}: more reasoning tokens than output tokens (output counts reasoning)"
            )
    classes = {
        "input": uncached,
        "cached_input": counts["cached_input_tokens"],
        "cache_write": counts["cache_write_tokens"],
        "cache_write_1h": counts["cache_write_1h_tokens"],
        "output": visible,
        "reasoning": counts["reasoning_tokens"],
    }
    column_of = dict(zip(TOKEN_CLASSES, ("input_tokens", "cached_input_tokens", "cache_write_tokens",
                                        "cache_write_1h_tokens", "output_tokens", "reasoning_tokens")))  # fmt: skip
    return counts, {name: values for name, values in classes.items() if nonzero[column_of[name]]}


def _codes(frame: pd.DataFrame, column: str, default) -> tuple[np.ndarray | int, list]:
    """Return integer codes for a column's values and the values they represent; empty cells take `default`.

    An absent column is the single code 0 for `default`. A categorical column
    keeps its codes, so only its few distinct values are looked at.
    """
    if column not in frame:
        return 0, [default]
    series = frame[column]
    if isinstance(series.dtype, pd.CategoricalDtype):
        codes, names = series.cat.codes.to_numpy().astype(np.int64), list(series.cat.categories)
    else:
        codes, uniques = pd.factorize(series.to_numpy(), use_na_sentinel=True)
        names = list(uniques)
    if len(codes) and codes.min() < 0:
        codes = np.where(codes < 0, len(names), codes)
        names.append(default)
    return codes, names


def _check_allowed(frame: pd.DataFrame, column: str, codes, names: list, allowed: tuple[str, ...]) -> None:
    for number, name in enumerate(names):
        if name not in allowed and np.any(codes == number):
            raise UsageError(
                f"{_where(frame, _first(np.asarray(codes == number)))}: {column} {name!r} is not one of {', '.join(allowed)}"
            )


def _day_numbers(frame: pd.DataFrame, date: dt.date | None) -> np.ndarray | int | None:
    """Return each row's date as an ordinal day number (the latest price where neither row nor option gives one)."""
    if "date" not in frame and date is None:
        return None
    codes, names = _codes(frame, "date", date)
    ordinals = []
    for number, name in enumerate(names):
        if name is None:
            ordinals.append(dt.date.max.toordinal())
            continue
        if isinstance(name, dt.date):
            ordinals.append(name.toordinal())
            continue
        parsed = pd.to_datetime(name, errors="coerce", format="%Y-%m-%d")
        if pd.isna(parsed):
            raise UsageError(
                f"{_where(frame, _first(np.asarray(codes == number)))}: date {name!r} is not a date (YYYY-MM-DD)"
            )
        ordinals.append(parsed.date().toordinal())
    return np.asarray(ordinals)[codes]


def price_usage_frame(
    book: PriceBook,
    frame: pd.DataFrame,
    provider: str | None = None,
    service_tier: str = "standard",
    endpoint: str = "global",
    date: dt.date | None = None,
) -> pd.DataFrame:
    """Price every row through one rate table of its (price row, tier, endpoint) keys; return USD per class and row.

    Options fill what a row leaves empty: a row's own provider, date, service
    tier and endpoint win. String columns are turned into small integer codes
    once, so the work per row is a few numpy passes.
    """
    counts, classes = _token_classes(frame)
    model_codes, model_names = _codes(frame, "model", None)
    provider_codes, provider_names = _codes(frame, "provider", provider)
    tier_codes, tier_names = _codes(frame, "service_tier", service_tier)
    endpoint_codes, endpoint_names = _codes(frame, "endpoint", endpoint)
    _check_allowed(frame, "service_tier", tier_codes, tier_names, SERVICE_TIERS)
    _check_allowed(frame, "endpoint", endpoint_codes, endpoint_names, ENDPOINTS)
    days = _day_numbers(frame, date)

    # Each (model, provider) group owns a run of price rows, oldest first.
    groups = np.asarray(model_codes) * len(provider_names) + provider_codes
    present = np.flatnonzero(np.bincount(np.ravel(groups), minlength=len(model_names) * len(provider_names)))
    entries: list = []
    group_of_entry, start_of_entry = [], []
    last_entry = np.zeros(len(model_names) * len(provider_names), dtype=np.int64)
    for group in present:
        model_name, provider_name = (
            model_names[group // len(provider_names)],
            provider_names[group % len(provider_names)],
        )
        try:
            history = book.api_model_history(model_name, None if pd.isna(provider_name) else provider_name)
        except UnknownModelError as error:
            raise UnknownModelError(f"{_where(frame, _first(np.asarray(groups == group)))}: {error}") from error
        entries.extend(history)
        group_of_entry.extend([group] * len(history))
        start_of_entry.extend((row.effective_from or dt.date.min).toordinal() for row in history)
        last_entry[group] = len(entries) - 1
    if days is None:
        entry = last_entry[groups]
    else:
        # One sorted key of group and start day finds each row's price row in a single search.
        span = dt.date.max.toordinal() + 1
        starts = np.asarray(group_of_entry, dtype=np.int64) * span + np.asarray(start_of_entry, dtype=np.int64)
        entry = np.searchsorted(starts, groups * span + days, side="right") - 1
        too_early = (entry < 0) | (np.asarray(group_of_entry)[np.maximum(entry, 0)] != groups)
        if np.any(too_early):
            first = _first(too_early)
            model = entries[group_of_entry.index(groups[first])]
            raise UsageError(
                f"{_where(frame, first)}: {model.model} has no price before {model.effective_from}; "
                "correct the row's date or add the older price to the tables (docs/pricing.md)"
            )

    keys = (entry * len(tier_names) + tier_codes) * len(endpoint_names) + endpoint_codes
    used = np.bincount(np.ravel(keys), minlength=len(entries) * len(tier_names) * len(endpoint_names))
    key_list = [None] * len(used)
    for key in np.flatnonzero(used):
        rest, endpoint_code = divmod(int(key), len(endpoint_names))
        entry_number, tier_code = divmod(rest, len(tier_names))
        key_list[key] = (entries[entry_number], tier_names[tier_code], endpoint_names[endpoint_code])
    try:
        table = RateTable.build(key_list)
    except UsageError:
        for key, value in enumerate(key_list):
            try:
                RateTable.build([value])
            except UsageError as error:
                raise UsageError(f"{_where(frame, _first(np.asarray(keys == key)))}: {error}") from error
        raise
    requests = counts["requests"]
    single = requests.min(initial=1.0) == 1.0 and requests.max(initial=1.0) == 1.0
    usd = price_classes(table, keys, classes, 1.0 if single else requests, counts["input_tokens"])

    # Canonical model and provider names, sorted, as categorical columns built from the entry codes.
    model_ids = sorted({row.model for row in entries})
    provider_ids = sorted({row.provider for row in entries})
    entry_model = np.array([model_ids.index(row.model) for row in entries], dtype=np.int32)
    entry_provider = np.array([provider_ids.index(row.provider) for row in entries], dtype=np.int32)
    rows = len(frame)
    entry = np.broadcast_to(entry, (rows,))
    columns = {name: np.broadcast_to(values, (rows,)) for name, values in usd.items()}
    columns["model"] = pd.Categorical.from_codes(entry_model[entry], model_ids)
    columns["provider"] = pd.Categorical.from_codes(entry_provider[entry], provider_ids)
    columns["requests"] = requests
    for name in TOKEN_COLUMNS:
        columns[name] = counts[name] if single else counts[name] * requests
    result = pd.DataFrame(columns, copy=False)
    return result


def summarize(priced: pd.DataFrame) -> dict:
    """Return the total and per-model breakdown of a priced usage frame, in USD and tokens, models sorted by provider and name."""
    classes = [*TOKEN_CLASSES, "request_fees"]
    model_codes, model_names = _codes(priced, "model", None)
    provider_codes, provider_names = _codes(priced, "provider", None)
    groups = np.asarray(provider_codes) * len(model_names) + model_codes
    size = len(provider_names) * len(model_names)
    sums = {
        name: np.bincount(groups, weights=priced[name].to_numpy(dtype=float), minlength=size)
        for name in (*classes, "requests", *TOKEN_COLUMNS)
    }
    present = np.flatnonzero(np.bincount(groups, minlength=size))
    models = []
    for group in sorted(
        present, key=lambda group: (provider_names[group // len(model_names)], model_names[group % len(model_names)])
    ):
        models.append(
            {
                "provider": provider_names[group // len(model_names)],
                "model": model_names[group % len(model_names)],
                "requests": float(sums["requests"][group]),
                "usd": float(sum(sums[name][group] for name in classes)),
                "breakdown": {name: float(sums[name][group]) for name in classes},
                "tokens": {name: float(sums[name][group]) for name in TOKEN_COLUMNS},
            }
        )
    breakdown = {name: float(sums[name].sum()) for name in classes}
    return {
        "records": int(len(priced)),
        "requests": float(sums["requests"].sum()),
        "usd": float(sum(breakdown.values())),
        "breakdown": breakdown,
        "by_model": models,
    }
