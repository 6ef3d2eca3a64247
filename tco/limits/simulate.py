"""Throttling on real arrival times: the busiest hour of the month through a provider's limiter.

The hour is made from a trace of real arrivals rescaled to that hour's
request count: the trace is thinned when the hour has fewer requests, and
overlaid with itself at random circular offsets when it has more, which keeps
its minute-to-minute burstiness. Each limit is a token bucket holding one
minute's allowance and refilling continuously, as Anthropic documents its
limiter; OpenAI documents per-minute limits without the sub-minute rule, so
the bucket is the closer of the two readings. A request that finds too few
tokens waits in line until they refill, up to `max_wait_s`; past that it is
rejected.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tco.limits.requests import RequestProfile
from tco.pricing.schema import RateLimit

BUCKETED = ("rpm", "tpm", "input_tpm", "output_tpm")


def busiest_hour_arrivals(trace_seconds: np.ndarray, requests_in_hour: float, seed: int = 0) -> np.ndarray:
    """Arrival times (seconds, sorted) of `requests_in_hour` requests shaped like the trace's first hour."""
    hour = np.sort(trace_seconds[trace_seconds < 3600.0] - trace_seconds.min())
    if hour.size == 0:
        raise ValueError("the trace has no arrivals in its first hour")
    rng = np.random.default_rng(seed)
    copies, fraction = divmod(requests_in_hour / hour.size, 1.0)
    parts = [(hour + rng.uniform(0, 3600.0)) % 3600.0 for _ in range(int(copies))]
    if fraction > 0:
        shifted = (hour + rng.uniform(0, 3600.0)) % 3600.0
        parts.append(shifted[rng.random(hour.size) < fraction])
    return np.sort(np.concatenate(parts)) if parts else np.empty(0)


@dataclass(frozen=True)
class Throttling:
    requests: int
    delayed_share: float
    rejected_share: float
    p95_delay_s: float
    busiest_minute_requests: int
    busiest_minute_start_s: float


def simulate(arrivals: np.ndarray, profile: RequestProfile, limit: RateLimit, max_wait_s: float = 60.0) -> Throttling:
    """Run the arrivals through the tier's limits in arrival order."""
    charges = profile.limited_tokens(limit)
    buckets = [
        (field, getattr(limit, field), charges[field]) for field in BUCKETED if getattr(limit, field) is not None
    ]
    capacity = np.array([value for _, value, _ in buckets], dtype=float)
    refill = capacity / 60.0
    need = np.array([charge for _, _, charge in buckets], dtype=float)
    level = capacity.copy()
    clock = 0.0
    line_start = 0.0
    delays = np.zeros(arrivals.size)
    rejected = np.zeros(arrivals.size, dtype=bool)

    too_large = bool(np.any(need > capacity))
    for index, arrival in enumerate(arrivals):
        if too_large:
            rejected[index] = True
            continue
        start = max(arrival, line_start)
        level = np.minimum(capacity, level + refill * (start - clock))
        clock = start
        wait = float(np.max(np.maximum(0.0, need - level) / refill)) if buckets else 0.0
        if start + wait - arrival > max_wait_s:
            rejected[index] = True
            continue
        if wait > 0:
            level = np.minimum(capacity, level + refill * wait)
            clock = start + wait
        level = level - need
        line_start = clock
        delays[index] = clock - arrival

    served = ~rejected
    minutes = np.bincount((arrivals // 60).astype(int)) if arrivals.size else np.zeros(1, dtype=int)
    busiest = int(np.argmax(minutes))
    return Throttling(
        requests=int(arrivals.size),
        delayed_share=float(np.mean((delays > 1e-9) & served)) if arrivals.size else 0.0,
        rejected_share=float(rejected.mean()) if arrivals.size else 0.0,
        p95_delay_s=float(np.percentile(delays[served], 95)) if served.any() else float("inf"),
        busiest_minute_requests=int(minutes[busiest]),
        busiest_minute_start_s=float(busiest * 60),
    )
