"""Expected latency of a hosted-model request, from published time-to-first-token and output-speed data."""

from __future__ import annotations

from tco.pricing.book import PriceBook
from tco.pricing.schema import ApiModel


def api_latency(book: PriceBook, model: ApiModel, input_tokens: float, output_tokens: float) -> dict | None:
    """TTFT and end-to-end time of a request, or None when no measurement of the model is listed.

    TTFT = the published TTFT + (input - the measurement's prompt) / prefill
    speed, where the table gives both; a longer prompt costs time as well as
    money. End to end = TTFT + output tokens / output speed.
    """
    names = {model.model, model.fine_tuned_from}
    row = next(
        (item for item in book.api_latency if item.provider == model.provider and item.model in names),
        None,
    )
    if row is None:
        return None
    ttft = row.ttft_seconds
    adjusted = bool(row.prefill_tokens_per_s and row.measured_prompt_tokens)
    if adjusted:
        ttft += max(0.0, input_tokens - row.measured_prompt_tokens) / row.prefill_tokens_per_s
    e2e = ttft + output_tokens / row.output_tokens_per_s
    return {
        "ttft_s": round(ttft, 3),
        "output_tokens_per_s": row.output_tokens_per_s,
        "e2e_s": round(e2e, 3),
        "prompt_length_adjusted": adjusted,
        "measured_model": row.model,
        "source": " ".join(row.source.split()),
        "as_of": row.as_of.isoformat(),
    }
