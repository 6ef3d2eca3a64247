"""The per-request token profile a rate limiter sees, counted the way each provider counts."""

from __future__ import annotations

from dataclasses import dataclass

from tco.pricing.schema import ApiModel, RateLimit


@dataclass(frozen=True)
class RequestProfile:
    """Mean tokens of one request to a hosted model, and its `max_tokens`."""

    model: ApiModel
    input_tokens: float
    cached_input_tokens: float
    output_tokens: float
    max_tokens: int
    share: float = 1.0

    def limited_tokens(self, limit: RateLimit) -> dict[str, float]:
        """Tokens each limit of `limit` charges for this request.

        Input excludes cache reads where the provider does not count them
        (Anthropic's current models). Output is `max_tokens` where the provider
        reserves it up front (OpenAI), else the tokens produced.
        """
        counted_input = self.input_tokens if limit.counts_cache_reads else self.input_tokens - self.cached_input_tokens
        counted_output = self.max_tokens if limit.reserves_max_tokens else self.output_tokens
        charges = {"rpm": 1.0, "rpd": 1.0}
        if limit.tpm is not None:
            charges["tpm"] = counted_input + counted_output
        if limit.input_tpm is not None:
            charges["input_tpm"] = counted_input
        if limit.output_tpm is not None:
            charges["output_tpm"] = counted_output
        return charges


def merge_profiles(profiles: list[RequestProfile]) -> RequestProfile:
    """Combine requests to one model into their share-weighted mean request."""
    total = sum(profile.share for profile in profiles)

    def mean(field: str) -> float:
        return sum(getattr(profile, field) * profile.share for profile in profiles) / total

    first = profiles[0]
    return RequestProfile(
        model=first.model,
        input_tokens=mean("input_tokens"),
        cached_input_tokens=mean("cached_input_tokens"),
        output_tokens=mean("output_tokens"),
        max_tokens=max(profile.max_tokens for profile in profiles),
        share=total,
    )
