"""Units shared by every cost model.

Money is USD. A month is 730 hours (8,760 hours a year / 12), the convention
cloud providers use for monthly prices.
"""

HOURS_PER_MONTH = 730.0
SECONDS_PER_MONTH = HOURS_PER_MONTH * 3600.0
TOKENS_PER_MTOK = 1_000_000.0
