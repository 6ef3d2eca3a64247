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
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd

from tco.errors import DataFileError, UnknownModelError, UsageError
from tco.pricing.book import PriceBook
from tco.pricing.cost import TOKEN_CLASSES, Usage, price

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


def read_usage_csv(path: Path, default_model: str | None = None) -> pd.DataFrame:
    """Read tco's usage log columns; missing token counts are 0 and a row is one request unless `requests` gives a count."""
    try:
        frame = pd.read_csv(
            path, dtype={"model": str, "provider": str, "date": str, "service_tier": str, "endpoint": str}
        )
    except FileNotFoundError as error:
        raise DataFileError(f"{path}: file not found") from error
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as error:
        raise DataFileError(f"{path}: not a readable CSV file ({error})") from error
    if any(str(column).lstrip().startswith(("{", "[")) for column in frame.columns):
        raise DataFileError(f"{path}: this is JSON, not a CSV file; give --usage-format openai, anthropic or gemini")
    if "model" not in frame.columns:
        if default_model is None:
            raise DataFileError(f"{path}: no 'model' column and no --model; the columns are {', '.join(frame.columns)}")
        frame["model"] = default_model
    elif default_model is not None:
        frame["model"] = frame["model"].fillna(default_model)
    unknown = [column for column in frame.columns if column not in ("model", *TOKEN_COLUMNS, *OPTIONAL_COLUMNS)]
    if unknown:
        raise DataFileError(
            f"{path}: unknown column(s) {', '.join(unknown)}; tco reads model, "
            f"{', '.join(TOKEN_COLUMNS)} and optional {', '.join(OPTIONAL_COLUMNS)}"
        )
    for column in TOKEN_COLUMNS + ("requests",):
        if column not in frame.columns:
            frame[column] = 1.0 if column == "requests" else 0.0
        values = pd.to_numeric(frame[column], errors="coerce")
        bad = values.isna() & frame[column].notna()
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0])
            raise UsageError(f"{path} row {row + 2}: column {column} is {frame[column].iloc[row]!r}, not a number")
        frame[column] = values.fillna(1.0 if column == "requests" else 0.0)
    missing_model = frame["model"].isna()
    if missing_model.any():
        raise UsageError(f"{path} row {int(np.flatnonzero(missing_model.to_numpy())[0]) + 2}: no model")
    frame["record"] = (
        [f"{path} row {number}" for number in range(2, len(frame) + 2)] if len(frame) < 10_000 else str(path)
    )
    return frame


def _where(frame: pd.DataFrame, position: int) -> str:
    """Name a row of a usage frame: its record label, or the file and CSV row number."""
    label = str(frame["record"].iloc[position])
    return (
        label
        if any(word in label for word in (" row ", " line ", " record ")) or label.endswith(".json")
        else f"{label} row {position + 2}"
    )


def _check_rows(frame: pd.DataFrame) -> None:
    """Reject inconsistent rows, naming the first one that fails."""
    checks = [
        (frame[list(TOKEN_COLUMNS) + ["requests"]].lt(0).any(axis=1), "a negative count"),
        (frame["cached_input_tokens"] + frame["cache_write_tokens"] + frame["cache_write_1h_tokens"] > frame["input_tokens"],
         "more cached and cache-write tokens than input tokens (input counts all input, cached included)"),
        (frame["reasoning_tokens"] > frame["output_tokens"], "more reasoning tokens than output tokens (output counts reasoning)"),
    ]  # fmt: skip
    for mask, problem in checks:
        if mask.any():
            position = int(np.flatnonzero(mask.to_numpy())[0])
            where = frame["record"].iloc[position]
            where = (
                where if " row " in where or " line " in where or " record " in where else f"{where} row {position + 2}"
            )
            raise UsageError(f"{where}: {problem}")


def price_usage_frame(
    book: PriceBook,
    frame: pd.DataFrame,
    provider: str | None = None,
    service_tier: str = "standard",
    endpoint: str = "global",
    date: dt.date | None = None,
) -> pd.DataFrame:
    """Price every row, vectorized per (model, provider, price row, tier, endpoint); return USD per class and row.

    Options fill what a row leaves empty: a row's own provider, date, service
    tier and endpoint win.
    """
    _check_rows(frame)
    frame = frame.copy()
    frame["provider"] = frame["provider"].fillna(provider) if "provider" in frame else provider
    frame["service_tier"] = frame["service_tier"].fillna(service_tier) if "service_tier" in frame else service_tier
    frame["endpoint"] = frame["endpoint"].fillna(endpoint) if "endpoint" in frame else endpoint
    for column, allowed in (("service_tier", SERVICE_TIERS), ("endpoint", ENDPOINTS)):
        bad = ~frame[column].isin(allowed)
        if bad.any():
            position = int(np.flatnonzero(bad.to_numpy())[0])
            raise UsageError(
                f"{_where(frame, position)}: {column} {frame[column].iloc[position]!r} is not one of {', '.join(allowed)}"
            )
    if "date" in frame:
        dates = pd.to_datetime(frame["date"], errors="coerce", format="%Y-%m-%d")
        invalid = dates.isna() & frame["date"].notna()
        if invalid.any():
            position = int(np.flatnonzero(invalid.to_numpy())[0])
            raise UsageError(
                f"{_where(frame, position)}: date {frame['date'].iloc[position]!r} is not a date (YYYY-MM-DD)"
            )
        frame["_date"] = dates.dt.date.where(dates.notna(), date)
    else:
        frame["_date"] = date

    rows = len(frame)
    columns = {name: frame[name].to_numpy(dtype=float) for name in (*TOKEN_COLUMNS, "requests")}
    usd = {name: np.zeros(rows) for name in (*TOKEN_CLASSES, "request_fees")}
    model_ids = np.empty(rows, dtype=object)
    providers = np.empty(rows, dtype=object)
    has_dates = frame["_date"].notna().any() if isinstance(frame["_date"], pd.Series) else frame["_date"] is not None
    if has_dates:
        day_numbers = np.array(
            [value.toordinal() if isinstance(value, dt.date) else dt.date.max.toordinal() for value in frame["_date"]]
        )
    # Factorized once for the whole frame, so each group slices small integer codes.
    tier_codes_all, tier_names = pd.factorize(frame["service_tier"])
    endpoint_codes_all, endpoint_names = pd.factorize(frame["endpoint"])

    # Positions of each (model, provider) group, without copying the frame per group.
    for (model_name, model_provider), indices in frame.groupby(
        ["model", "provider"], dropna=False, sort=False
    ).indices.items():
        chosen_provider = None if pd.isna(model_provider) else model_provider
        try:
            history = book.api_model_history(model_name, chosen_provider)
        except UnknownModelError as error:
            raise UnknownModelError(f"{_where(frame, int(indices[0]))}: {error}") from error
        if has_dates:
            starts = np.array([(row.effective_from or dt.date.min).toordinal() for row in history])
            positions = np.searchsorted(starts, day_numbers[indices], side="right") - 1
            if (positions < 0).any():
                first = int(indices[np.flatnonzero(positions < 0)[0]])
                raise UsageError(
                    f"{_where(frame, first)}: {model_name} has no price before {history[0].effective_from}"
                )
        else:
            positions = np.full(len(indices), len(history) - 1)
        tier_codes, endpoint_codes = tier_codes_all[indices], endpoint_codes_all[indices]
        combined = (positions * len(tier_names) + tier_codes) * len(endpoint_names) + endpoint_codes
        order = np.argsort(combined, kind="stable")
        boundaries = np.flatnonzero(np.diff(combined[order])) + 1
        for members in np.split(order, boundaries):
            part = indices[members]
            first = members[0]
            position, tier, row_endpoint = (
                positions[first],
                tier_names[tier_codes[first]],
                endpoint_names[endpoint_codes[first]],
            )
            model = history[int(position)]
            usage = Usage(*(columns[name][part] for name in (
                "input_tokens", "output_tokens", "cached_input_tokens", "cache_write_tokens",
                "cache_write_1h_tokens", "reasoning_tokens", "requests",
            )))  # fmt: skip
            try:
                priced = price(model, usage, tier, row_endpoint)
            except UsageError as error:
                raise UsageError(f"{_where(frame, int(part[0]))}: {error}") from error
            for token_class, values in priced.items():
                usd[token_class][part] = values
            model_ids[part] = model.model
            providers[part] = model.provider

    result = pd.DataFrame(usd)
    result["model"] = model_ids
    result["provider"] = providers
    result["requests"] = columns["requests"]
    for name in TOKEN_COLUMNS:
        result[name] = columns[name] * columns["requests"]
    return result


def summarize(priced: pd.DataFrame) -> dict:
    """Total and per-model breakdown of a priced usage frame, in USD and tokens."""
    classes = [*TOKEN_CLASSES, "request_fees"]
    by_model = priced.groupby(["provider", "model"], sort=True)[classes + ["requests", *TOKEN_COLUMNS]].sum()
    models = []
    for (provider, model), row in by_model.iterrows():
        models.append(
            {
                "provider": provider,
                "model": model,
                "requests": float(row["requests"]),
                "usd": float(row[classes].sum()),
                "breakdown": {name: float(row[name]) for name in classes},
                "tokens": {name: float(row[name]) for name in TOKEN_COLUMNS},
            }
        )
    return {
        "records": int(len(priced)),
        "requests": float(priced["requests"].sum()),
        "usd": float(priced[classes].to_numpy().sum()),
        "breakdown": {name: float(priced[name].sum()) for name in classes},
        "by_model": models,
    }
