"""Split a month's usage between the prices in force on its days."""

from __future__ import annotations

import datetime as dt

from tco.pricing.book import PriceBook
from tco.pricing.schema import ApiModel


def month_periods(
    book: PriceBook, model: str, provider: str | None, first_day: dt.date, next_month: dt.date
) -> list[tuple[ApiModel, float]]:
    """Return (price row, share of the month's days) for each price in force during the month.

    Usage is taken to be spread evenly over the month's days, so a price that
    changes on the 11th of a 30-day month prices a third of it at the old rate.
    """
    days = (next_month - first_day).days
    periods: list[tuple[ApiModel, float]] = []
    for offset in range(days):
        row = book.api_model(model, provider, first_day + dt.timedelta(days=offset))
        if periods and periods[-1][0] is row:
            periods[-1] = (row, periods[-1][1] + 1 / days)
        else:
            periods.append((row, 1 / days))
    return periods
