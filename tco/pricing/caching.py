"""Expected prompt-cache hit rate of a stable prefix, from its request rate and the provider's cache rules.

Requests for one prefix arrive at rate lambda (Poisson). A cached prefix
lives `ttl_seconds` after it was last used where hits refresh it (Anthropic,
OpenAI's idle eviction), or after it was written where they do not:
- refreshed on hit: a request hits when the previous one came within the
  TTL, so the hit rate is 1 - exp(-lambda x TTL);
- fixed lifetime: each write serves on average lambda x TTL hits, so the
  hit rate is lambda x TTL / (1 + lambda x TTL).
A prefix shorter than the minimum cacheable length is never cached.
NOTE: the rate uses the month's average request rate; quiet hours hit less
and busy hours more. OpenAI's routing splits a prefix over more machines
above about 15 requests a minute, each of which misses once; that is not
modelled.
"""

from __future__ import annotations

import numpy as np

from tco.pricing.schema import PromptCacheRule
from tco.units import SECONDS_PER_MONTH


def hit_rate(rule: PromptCacheRule, prefix_tokens: float, requests_per_month) -> np.ndarray:
    """Share of requests that read the prefix from cache, for each monthly request volume of one prefix."""
    volumes = np.asarray(requests_per_month, dtype=float)
    if prefix_tokens < rule.min_cacheable_tokens:
        return np.zeros_like(volumes)
    expected_in_ttl = volumes / SECONDS_PER_MONTH * rule.ttl_seconds
    if rule.refresh_on_hit:
        return 1 - np.exp(-expected_in_ttl)
    return expected_in_ttl / (1 + expected_in_ttl)
