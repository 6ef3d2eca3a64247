"""Rate-limit fit and throttling of every hosted-API deployment of an evaluated scenario."""

from __future__ import annotations

import numpy as np

from tco.analysis.run import ScenarioResult
from tco.errors import UnknownModelError
from tco.limits.check import fit_tiers, lowest_fitting
from tco.limits.requests import merge_profiles
from tco.limits.simulate import busiest_hour_arrivals, simulate
from tco.pricing.book import PriceBook
from tco.units import HOURS_PER_MONTH
from tco.workload import arrival_seconds


def trace_seconds(result: ScenarioResult) -> np.ndarray:
    traffic = result.loaded.scenario.workload.traffic
    return arrival_seconds(result.loaded.resolve(traffic.trace), traffic.timestamp_column)


def limits_report(result: ScenarioResult, book: PriceBook, tier: str | None = None, seed: int = 0) -> list[dict]:
    """For each API deployment: demand at the peak minute, the lowest tier that holds it, and throttling.

    The simulation runs on the lowest fitting tier, or on `tier` when named,
    so sub-minute bursts that a per-minute check misses show as delays.
    """
    workload = result.loaded.scenario.workload
    peak_to_average = result.traffic.peak_to_average
    daily = result.traffic.daily_peak_factor
    requests_in_busiest_hour = result.volume / HOURS_PER_MONTH * daily
    seconds = trace_seconds(result)

    rows = []
    for model in result.models:
        if not hasattr(model, "request_profiles"):
            rows.append(
                {
                    "deployment": model.name,
                    "kind": model.kind,
                    "applies": False,
                    "reason": "self-hosted: no provider rate limits",
                }
            )
            continue
        profile = merge_profiles(model.request_profiles(workload.max_tokens))
        try:
            fits = fit_tiers(book.rate_limits, profile, result.volume, peak_to_average, daily)
        except UnknownModelError as error:
            rows.append({"deployment": model.name, "kind": model.kind, "applies": False, "reason": str(error)})
            continue
        chosen = lowest_fitting(fits)
        simulated = chosen
        if tier is not None:
            simulated = next((fit for fit in fits if fit.tier.tier.lower() == tier.lower()), None)
            if simulated is None:
                raise UnknownModelError(
                    f"{profile.model.provider} has no tier {tier!r} for {profile.model.model}; tiers: "
                    + ", ".join(fit.tier.tier for fit in fits)
                )
        if simulated is None:
            simulated = fits[-1]
        arrivals = busiest_hour_arrivals(seconds, requests_in_busiest_hour * profile.share, seed)
        throttling = simulate(arrivals, profile, simulated.tier)
        rows.append(
            {
                "deployment": model.name,
                "kind": model.kind,
                "applies": True,
                "provider": profile.model.provider,
                "model": profile.model.model,
                "request": {
                    "input_tokens": round(profile.input_tokens, 1),
                    "cached_input_tokens": round(profile.cached_input_tokens, 1),
                    "output_tokens": round(profile.output_tokens, 1),
                    "max_tokens": profile.max_tokens,
                },
                "lowest_fitting_tier": chosen.tier.tier if chosen else None,
                "tiers": [
                    {
                        "tier": fit.tier.tier,
                        "fits": fit.fits,
                        "demand": {key: round(value, 1) for key, value in fit.demand.items()},
                        "limits": {key: getattr(fit.tier, key) for key in fit.demand},
                        "headroom": {key: round(value, 4) for key, value in fit.headroom.items()},
                        "source": " ".join(fit.tier.source.split()),
                        "as_of": fit.tier.as_of.isoformat(),
                    }
                    for fit in fits
                ],
                "simulation": {
                    "tier": simulated.tier.tier,
                    "busiest_hour_requests": throttling.requests,
                    "delayed_share": round(throttling.delayed_share, 6),
                    "rejected_share": round(throttling.rejected_share, 6),
                    "p95_added_delay_s": round(throttling.p95_delay_s, 3),
                    "busiest_minute_requests": throttling.busiest_minute_requests,
                    "busiest_minute_start_s": throttling.busiest_minute_start_s,
                },
            }
        )
    return rows
