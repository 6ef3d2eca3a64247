"""A self-contained planning report: the question, the answer, charts and an assumptions ledger.

report.md links the chart files written beside it; report.html embeds the
same charts as data URIs, so it opens in a browser on its own.
"""

from __future__ import annotations

import base64
import html
from pathlib import Path

import numpy as np

from tco.analysis.run import ScenarioResult
from tco.outputs.files import price_dates


def _flatten(node, path: str = ""):
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _flatten(value, f"{path}.{key}" if path else str(key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _flatten(value, f"{path}.{index}")
    else:
        yield path, node


def _nearest_basis(flat: dict, path: str) -> str | None:
    """Return the reason a stated figure was chosen: its own `..._basis` field, else the nearest `basis` above it.

    A sibling `daily_peak_basis` explains `daily_peak_factor` and nothing
    else; a `basis` field explains every field beside and below it.
    """
    parent, _, leaf = path.rpartition(".")
    for key, value in flat.items():
        key_parent, _, key_leaf = key.rpartition(".")
        if key_parent == parent and key_leaf.endswith("_basis") and leaf.startswith(key_leaf[: -len("basis")]):
            return " ".join(str(value).split())
    parts = path.split(".")
    for depth in range(len(parts) - 1, 0, -1):
        candidate = ".".join(parts[:depth]) + ".basis"
        if candidate in flat:
            return " ".join(str(flat[candidate]).split())
    return None


def assumptions_ledger(document: dict, scenario_document: dict, scenario_path: str) -> list[dict]:
    """List every scenario input with its value and source, then every price and spec used."""
    flat = dict(_flatten(scenario_document))
    rows = []
    for path, value in flat.items():
        if path.endswith("basis") or path in ("description", "question", "name"):
            continue
        text = str(value)
        if len(text) > 80:
            text = text[:77] + "..."
        rows.append(
            {"input": path, "value": text, "source": _nearest_basis(flat, path) or f"scenario file {scenario_path}"}
        )
    seen = set()
    for deployment in document["deployments"]:
        for price in deployment["details"]["prices"]:
            key = (price["item"], price["value"])
            if key not in seen:
                seen.add(key)
                rows.append(
                    {
                        "input": price["item"],
                        "value": price["value"],
                        "source": f"{price['source']} (as of {price['as_of']})",
                    }
                )
    return rows


def _table_markdown(rows: list[dict]) -> str:
    if not rows:
        return ""
    keys = list(rows[0])
    lines = ["| " + " | ".join(keys) + " |", "|" + "---|" * len(keys)]
    for row in rows:
        lines.append("| " + " | ".join(str(row[key]).replace("|", "\\|").replace("\n", " ") for key in keys) + " |")
    return "\n".join(lines)


def _table_html(rows: list[dict]) -> str:
    if not rows:
        return ""
    keys = list(rows[0])
    head = "".join(f"<th>{html.escape(key)}</th>" for key in keys)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(row[key]))}</td>" for key in keys) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def cheapest_changes(result: ScenarioResult, document: dict) -> list[tuple[float, str, str]]:
    """Return (volume, cheapest below, cheapest above) where the cheapest deployment of all changes.

    Only a break-even volume of two deployments can be such a point, and only
    where those two are the cheapest of all. Each is checked just below and
    just above.
    """
    from tco.analysis.breakeven import RELATIVE_TOLERANCE, total_cost

    volumes = sorted({crossing["volume_requests_per_month"] for pair in document["break_even"]
                      for crossing in pair["crossings"]})  # fmt: skip
    changes = []
    for volume in volumes:
        probes = np.array([volume * (1 - 2 * RELATIVE_TOLERANCE), volume * (1 + 2 * RELATIVE_TOLERANCE)])
        totals = np.array([total_cost(model, probes) for model in result.models])
        below, above = (result.models[int(index)].name for index in np.argmin(totals, axis=0))
        if below != above:
            changes.append((volume, below, above))
    return changes


def answer_lines(result: ScenarioResult, document: dict) -> list[str]:
    """State the cheapest way at the scenario volume and the volumes where the cheapest way changes."""
    volume = document["volume_requests_per_month"]
    ranked = sorted(document["deployments"], key=lambda row: row["monthly_usd"])
    lines = [
        f"At {volume:,.0f} requests a month the cheapest way is **{ranked[0]['name']}** at "
        f"{ranked[0]['monthly_usd']:,.2f} USD a month ({ranked[0]['usd_per_request'] * 1000:,.4f} USD per 1,000 requests)."
    ]
    if len(ranked) > 1:
        lines.append(f"The next is {ranked[1]['name']} at {ranked[1]['monthly_usd']:,.2f} USD a month.")
    low, high = result.volume_range
    changes = cheapest_changes(result, document)
    if not changes:
        lines.append(f"{ranked[0]['name']} stays the cheapest from {low:,.0f} to {high:,.0f} requests a month.")
    for change_volume, below, above in changes:
        lines.append(f"At {change_volume:,.0f} requests a month the cheapest way changes from {below} to **{above}**.")
    return lines


def break_even_rows(document: dict) -> list[dict]:
    """Return one row per break-even volume of every pair of deployments."""
    return [
        {"volume (requests a month)": f"{crossing['volume_requests_per_month']:,.0f}",
         "cheaper below": crossing["cheaper_below"], "cheaper above": crossing["cheaper_above"]}
        for pair in document["break_even"] for crossing in pair["crossings"]
    ]  # fmt: skip


def write_report(
    result: ScenarioResult, document: dict, scenario_document: dict, folder: Path, charts: dict[str, Path]
) -> list[Path]:
    """Write report.md and a self-contained report.html into `folder`; `charts` maps a caption to a PNG file there."""
    scenario = result.loaded.scenario
    costs = [
        {"deployment": row["name"], "kind": row["kind"], "monthly USD": f"{row['monthly_usd']:,.2f}",
         "USD per 1,000 requests": f"{row['usd_per_request'] * 1000:,.4f}",
         "largest component": max(row["breakdown"], key=row["breakdown"].get)}
        for row in sorted(document["deployments"], key=lambda item: item["monthly_usd"])
    ]  # fmt: skip
    ledger = assumptions_ledger(document, scenario_document, str(result.loaded.path))
    answer = answer_lines(result, document)
    crossings = sorted(
        break_even_rows(document), key=lambda row: float(row["volume (requests a month)"].replace(",", ""))
    )
    dates = price_dates(document)

    markdown = [f"# {scenario.name}", "", f"**Question.** {scenario.question}", "", scenario.description, "",
                "## Answer", "", *[f"- {line}" for line in answer], "", f"Prices and specs are dated {dates}.", "",
                "## Monthly cost", "", _table_markdown(costs), "",
                "## Break-even volumes", "", "Every volume where one deployment of a pair becomes cheaper than the other.", "",
                _table_markdown(crossings), ""]  # fmt: skip
    for caption, path in charts.items():
        markdown += [f"## {caption}", "", f"![{caption}]({path.name})", ""]
    markdown += ["## Assumptions ledger", "", "Every input of the scenario with its value and source, then every price and spec used.", "",
                 _table_markdown(ledger), ""]  # fmt: skip
    md_path = folder / "report.md"
    md_path.write_text("\n".join(markdown), encoding="utf-8")

    figures = "".join(
        f"<h2>{html.escape(caption)}</h2><img alt='{html.escape(caption)}' "
        f"src='data:image/png;base64,{base64.b64encode(path.read_bytes()).decode()}'>"
        for caption, path in charts.items()
    )
    answer_html = "".join(f"<li>{html.escape(line).replace('**', '')}</li>" for line in answer)
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(scenario.name)}: tco report</title>
<style>body{{font-family:sans-serif;max-width:60em;margin:2em auto;line-height:1.4}}table{{border-collapse:collapse;font-size:0.85em}}
td,th{{border:1px solid #bbb;padding:0.2em 0.5em;text-align:left;vertical-align:top}}img{{max-width:100%}}</style></head>
<body><h1>{html.escape(scenario.name)}</h1><p><strong>Question.</strong> {html.escape(scenario.question)}</p>
<p>{html.escape(scenario.description)}</p><h2>Answer</h2><ul>{answer_html}</ul><p>Prices and specs are dated {html.escape(dates)}.</p>
<h2>Monthly cost</h2>{_table_html(costs)}<h2>Break-even volumes</h2>
<p>Every volume where one deployment of a pair becomes cheaper than the other.</p>{_table_html(crossings)}{figures}<h2>Assumptions ledger</h2>
<p>Every input of the scenario with its value and source, then every price and spec used.</p>{_table_html(ledger)}</body></html>
"""
    html_path = folder / "report.html"
    html_path.write_text(page, encoding="utf-8")
    return [md_path, html_path]
