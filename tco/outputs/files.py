"""Write a scenario result to a folder: results.csv, results.json and the cost chart."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from tco.analysis.run import ScenarioResult
from tco.errors import TcoError
from tco.outputs.results import result_rows


def price_dates(document: dict) -> str:
    """Return the span of `as_of` dates of the prices and specs a result used, as text."""
    dates = sorted(
        price["as_of"]
        for row in document["deployments"]
        for price in row["details"]["prices"]
        if price["as_of"][:1].isdigit()
    )
    if not dates:
        return "unknown"
    return dates[0] if dates[0] == dates[-1] else f"{dates[0]} to {dates[-1]}"


def write_outputs(result: ScenarioResult, document: dict, folder: Path) -> list[Path]:
    """Write every output file into `folder`, creating it; return the paths written."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise TcoError(f"cannot create output folder {folder}: {error}") from error

    from tco.outputs.charts import cost_volume_chart

    json_path = folder / "results.json"
    csv_path = folder / "results.csv"
    chart_paths = [folder / "cost_vs_volume.png", folder / "cost_vs_volume.svg"]
    json_path.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    pd.DataFrame(result_rows(document)).to_csv(csv_path, index=False)
    cost_volume_chart(result, chart_paths, price_dates(document))
    return [json_path, csv_path, *chart_paths]
