"""Find the lowest account tier whose rate limits hold a deployment's busiest minute and average day."""

from __future__ import annotations

from dataclasses import dataclass

from tco.errors import UnknownModelError
from tco.limits.requests import RequestProfile
from tco.pricing.schema import RateLimit
from tco.units import HOURS_PER_MONTH

LIMIT_FIELDS = ("rpm", "tpm", "input_tpm", "output_tpm", "rpd")
DAYS_PER_MONTH = HOURS_PER_MONTH / 24


def limits_for(rate_limits: tuple[RateLimit, ...], profile: RequestProfile) -> list[RateLimit]:
    """Rate-limit rows of the profile's provider that name its model, lowest tier first."""
    model = profile.model
    names = {name.lower() for name in [model.model, *model.aliases, model.fine_tuned_from or ""] if name}
    rows = [
        row
        for row in rate_limits
        if row.provider.lower() == model.provider.lower() and names & {name.lower() for name in row.models}
    ]
    return sorted(rows, key=lambda row: row.tier_rank)


@dataclass(frozen=True)
class TierFit:
    tier: RateLimit
    demand: dict[str, float]
    headroom: dict[str, float]

    @property
    def fits(self) -> bool:
        return all(value >= 0 for value in self.headroom.values())


def peak_demand(
    profile: RequestProfile,
    limit: RateLimit,
    requests_per_month: float,
    peak_to_average: float,
    daily_peak_factor: float,
) -> dict[str, float]:
    """Demand on each limit: per minute at the busiest minute, per day on an average day.

    NOTE: a request-per-day limit is checked against the month's average day,
    since a trace shorter than a day cannot say how much busier the busiest day is.
    """
    peak_per_minute = requests_per_month * profile.share / (HOURS_PER_MONTH * 60) * peak_to_average
    average_day = requests_per_month * profile.share / DAYS_PER_MONTH
    charges = profile.limited_tokens(limit)
    demand = {}
    for field in LIMIT_FIELDS:
        if getattr(limit, field) is None:
            continue
        demand[field] = average_day * charges["rpd"] if field == "rpd" else peak_per_minute * charges[field]
    return demand


def fit_tiers(
    rate_limits: tuple[RateLimit, ...],
    profile: RequestProfile,
    requests_per_month: float,
    peak_to_average: float,
    daily_peak_factor: float,
) -> list[TierFit]:
    """Demand and headroom (1 - demand / limit) against every tier of the model, lowest first."""
    rows = limits_for(rate_limits, profile)
    if not rows:
        raise UnknownModelError(
            f"no rate limits for {profile.model.provider}/{profile.model.model} in pricing/rate_limits.yaml"
        )
    fits = []
    for row in rows:
        demand = peak_demand(profile, row, requests_per_month, peak_to_average, daily_peak_factor)
        headroom = {field: 1 - value / getattr(row, field) for field, value in demand.items()}
        fits.append(TierFit(row, demand, headroom))
    return fits


def lowest_fitting(fits: list[TierFit]) -> TierFit | None:
    return next((fit for fit in fits if fit.fits), None)
