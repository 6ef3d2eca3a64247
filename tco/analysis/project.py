"""Project each deployment's cost month by month: volume growth, price declines, one-time costs and payback.

Month m (1-based) has volume V x (1 + g)^((m - 1) / 12) for a yearly growth
g. Hosted-API components (tokens, embeddings, vector store, reranker,
overflow) fall by the yearly API price decline, GPU components by the GPU
price decline, compounded monthly; operations cost stays flat. A fine-tuning
run or an index build, amortized in the monthly view, is paid in full in
month 1 here. The payback month of a deployment with such a one-time cost is
the first month its cumulative cost is at or below that of the cheapest
deployment (over the whole projection) among those with a smaller one-time
cost: the cheapest way that invests less. A tiny one-time cost, such as
embedding a small index, pays back at once against a deployment that is
dearer every month.
"""

from __future__ import annotations

import numpy as np

from tco.analysis.run import ScenarioResult

ONE_TIME = {"fine-tuning (amortized)": "amortization_months", "index build (amortized)": "build_amortization_months"}
FLAT = ("operations (share)",)
GPU = ("GPUs (share)",)


def _amortization_months(details: dict, key: str) -> float:
    if key in details:
        return float(details[key])
    retrieval = details.get("retrieval") or {}
    return float(retrieval.get(key, 1.0))


def project(
    result: ScenarioResult, months: int, volume_growth: float, api_price_decline: float, gpu_price_decline: float
) -> dict:
    """Monthly and cumulative cost of every deployment over `months` months, with one-time costs and payback."""
    month = np.arange(1, months + 1)
    years = (month - 1) / 12
    volumes = result.volume * (1 + volume_growth) ** years
    api_factor = (1 - api_price_decline) ** years
    gpu_factor = (1 - gpu_price_decline) ** years

    rows = []
    for model in result.models:
        details = model.details(result.volume)
        monthly = np.zeros(months)
        one_time = 0.0
        for component, usd in model.monthly_cost(volumes).items():
            usd = np.asarray(usd, dtype=float)
            if component in ONE_TIME:
                one_time += float(usd[0]) * _amortization_months(details, ONE_TIME[component])
            elif component in FLAT:
                monthly += usd
            elif component in GPU:
                monthly += usd * gpu_factor
            else:
                monthly += usd * api_factor
        spent = monthly.copy()
        spent[0] += one_time
        rows.append(
            {
                "name": model.name,
                "kind": model.kind,
                "one_time_usd": one_time,
                "monthly_usd": monthly,
                "cumulative_usd": np.cumsum(spent),
            }
        )

    for row in rows:
        row["payback_month"] = None
        row["payback_against"] = None
        # The alternatives to an investment are the deployments that invest less up front.
        smaller = [other for other in rows if other["one_time_usd"] < row["one_time_usd"]]
        if row["one_time_usd"] > 0 and smaller:
            baseline = min(smaller, key=lambda other: other["cumulative_usd"][-1])
            ahead = np.flatnonzero(row["cumulative_usd"] <= baseline["cumulative_usd"])
            row["payback_month"] = int(month[ahead[0]]) if ahead.size else None
            row["payback_against"] = baseline["name"]
    return {
        "scenario": result.name,
        "months": months,
        "volume_growth_per_year": volume_growth,
        "api_price_decline_per_year": api_price_decline,
        "gpu_price_decline_per_year": gpu_price_decline,
        "volumes_requests_per_month": volumes.tolist(),
        "deployments": [
            {**row, "monthly_usd": row["monthly_usd"].tolist(), "cumulative_usd": row["cumulative_usd"].tolist()}
            for row in rows
        ],
    }
