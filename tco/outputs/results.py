"""Turn a scenario result into plain data: the JSON document and the CSV rows."""

from __future__ import annotations

import datetime as dt

from tco import __version__
from tco.analysis.run import ScenarioResult


def result_document(result: ScenarioResult) -> dict:
    """Return the whole result as JSON-ready data; each breakdown sums to its `monthly_usd`."""
    rows = result.deployment_rows()
    cheapest = min(rows, key=lambda row: row["monthly_usd"])["name"]
    scenario = result.loaded.scenario
    return {
        "scenario": scenario.name,
        "question": scenario.question,
        "scenario_file": str(result.loaded.path),
        "volume_requests_per_month": result.volume,
        "volume_range_requests_per_month": list(result.volume_range),
        "traffic": result.traffic.as_dict(),
        "cheapest": cheapest,
        "deployments": rows,
        "break_even": result.break_even,
        "generated_by": f"tco {__version__}",
        "generated_on": dt.date.today().isoformat(),
    }


def result_rows(document: dict) -> list[dict]:
    """Flatten the deployments into one CSV row per cost component, plus a total row each.

    With sampled uncertainty, the total rows also carry P10/P50/P90 of the
    monthly cost and the share of samples where the deployment is cheapest.
    Component rows leave those cells empty.
    """
    uncertainty = document.get("uncertainty")
    rows = []
    for deployment in document["deployments"]:
        components = list(deployment["breakdown"].items()) + [("total", deployment["monthly_usd"])]
        for component, usd in components:
            row = {
                "scenario": document["scenario"],
                "volume_requests_per_month": document["volume_requests_per_month"],
                "deployment": deployment["name"],
                "kind": deployment["kind"],
                "component": component,
                "monthly_usd": usd,
                "usd_per_request": usd / document["volume_requests_per_month"],
            }
            if uncertainty is not None:
                total = component == "total"
                quantiles = uncertainty["monthly_usd"][deployment["name"]]
                for name in ("p10", "p50", "p90"):
                    row[f"{name}_monthly_usd"] = quantiles[name] if total else ""
                chance = uncertainty["probability_cheapest_at_scenario_volume"][deployment["name"]]
                row["probability_cheapest"] = chance if total else ""
            rows.append(row)
    return rows
