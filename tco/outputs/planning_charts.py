"""Planning charts beyond cost versus volume: breakdown, token composition, cumulative cost, tornado, cheapest map.

One style for all: grey-scale-safe hatches and line styles, titles that name
the scenario and the dates of the prices used. The file name's extension
picks PNG, SVG or PDF.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

HATCHES = ["", "//", "..", "xx", "\\\\", "--", "++", "oo", "**", "||"]


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _finish(figure, axes, title: str, path: Path) -> None:
    axes.set_title(title, fontsize=10)
    figure.tight_layout()
    figure.savefig(path, bbox_inches="tight")
    import matplotlib.pyplot as plt

    plt.close(figure)


def breakdown_chart(document: dict, path: Path, subtitle: str) -> None:
    """Horizontal stacked bars: each deployment's monthly cost by component."""
    plt = _pyplot()
    deployments = document["deployments"]
    components = sorted({name for row in deployments for name in row["breakdown"]})
    figure, axes = plt.subplots(figsize=(9, 1.2 + 0.6 * len(deployments)), dpi=150)
    names = [row["name"] for row in deployments]
    left = np.zeros(len(deployments))
    for index, component in enumerate(components):
        values = np.array([row["breakdown"].get(component, 0.0) for row in deployments])
        if not values.any():
            continue
        axes.barh(names, values, left=left, label=component, hatch=HATCHES[index % len(HATCHES)],
                  color=plt.cm.Greys(0.15 + 0.7 * index / max(1, len(components) - 1)), edgecolor="black", linewidth=0.5)  # fmt: skip
        left += values
    axes.invert_yaxis()
    axes.set_xlabel("Monthly cost (USD)")
    axes.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), framealpha=0.9)
    _finish(
        figure,
        axes,
        f"{document['scenario']}: monthly cost by component at {document['volume_requests_per_month']:,.0f} requests/month\n{subtitle}",
        path,
    )


def token_chart(document: dict, path: Path, subtitle: str) -> None:
    """Stacked bars of each deployment's mean tokens per request: stable prefix, retrieved context, request, output."""
    plt = _pyplot()
    deployments = document["deployments"]
    parts = {"system prompt (stable prefix)": [], "retrieved context": [], "rest of the prompt": [], "output": []}
    for row in deployments:
        details = row["details"]
        total_input = details["input_tokens_per_request"]["mean"]
        prefix = details.get("system_prefix_tokens") or 0.0
        context = (details.get("retrieval") or {}).get("retrieved_context_tokens_per_request", 0.0)
        parts["system prompt (stable prefix)"].append(prefix)
        parts["retrieved context"].append(context)
        parts["rest of the prompt"].append(max(0.0, total_input - prefix - context))
        parts["output"].append(details["output_tokens_per_request"])
    figure, axes = plt.subplots(figsize=(9, 1.2 + 0.6 * len(deployments)), dpi=150)
    names = [row["name"] for row in deployments]
    left = np.zeros(len(deployments))
    for index, (label, values) in enumerate(parts.items()):
        values = np.array(values)
        axes.barh(names, values, left=left, label=label, hatch=HATCHES[index], color=plt.cm.Greys(0.2 + 0.2 * index),
                  edgecolor="black", linewidth=0.5)  # fmt: skip
        left += values
    axes.invert_yaxis()
    axes.set_xscale("symlog", linthresh=100)
    axes.set_xlabel("Tokens per request (mean; log scale above 100)")
    axes.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), framealpha=0.9)
    _finish(figure, axes, f"{document['scenario']}: token composition of each request\n{subtitle}", path)


def cumulative_chart(projection: dict, path: Path, subtitle: str) -> None:
    """Cumulative cost of each deployment over the projection's months."""
    plt = _pyplot()
    figure, axes = plt.subplots(figsize=(9, 5), dpi=150)
    months = np.arange(1, projection["months"] + 1)
    styles = ["-", "--", "-.", ":"]
    for index, row in enumerate(projection["deployments"]):
        axes.plot(
            months,
            row["cumulative_usd"],
            linestyle=styles[index % 4],
            color="black" if index < 4 else "grey",
            label=row["name"],
        )
        if row["payback_month"]:
            axes.axvline(row["payback_month"], color="grey", linewidth=0.6, linestyle=":")
    axes.set_xlabel("Month")
    axes.set_ylabel("Cumulative cost (USD)")
    axes.set_yscale("log")
    axes.grid(True, color="#dddddd", linewidth=0.6)
    axes.legend(fontsize=7, framealpha=0.9)
    _finish(
        figure, axes, f"{projection['scenario']}: cumulative cost over {projection['months']} months\n{subtitle}", path
    )


def tornado_chart(analysis: dict, deployment: str, path: Path, subtitle: str, top: int = 12) -> None:
    """Bars from the low to the high swing of each input's effect on one deployment's monthly cost, largest first."""
    plt = _pyplot()
    base = analysis["base_monthly_usd"][deployment]
    swings = sorted(
        analysis["swings"],
        key=lambda item: abs(item["monthly_usd"][deployment][1] - item["monthly_usd"][deployment][0]),
        reverse=True,
    )[:top]
    figure, axes = plt.subplots(figsize=(9, 1.2 + 0.45 * max(1, len(swings))), dpi=150)
    for position, swing in enumerate(swings):
        low, high = swing["monthly_usd"][deployment]
        axes.barh(position, low - base, left=base, color="#bbbbbb", edgecolor="black", linewidth=0.5, hatch="//")
        axes.barh(position, high - base, left=base, color="#555555", edgecolor="black", linewidth=0.5)
    axes.set_yticks(range(len(swings)), [swing["field"] for swing in swings], fontsize=7)
    axes.axvline(base, color="black", linewidth=0.8)
    axes.invert_yaxis()
    axes.set_xlabel(
        f"Monthly cost of {deployment} (USD); hatched = input low, solid = input high "
        f"(-/+{analysis['share']:.0%}, or P10/P90 where the scenario states a range)"
    )
    _finish(figure, axes, f"{analysis['scenario']}: what moves the cost of {deployment}\n{subtitle}", path)


def cheapest_map_chart(
    volumes: np.ndarray,
    values: list,
    field: str,
    winners: np.ndarray,
    names: list[str],
    scenario: str,
    path: Path,
    subtitle: str,
) -> None:
    """Draw which deployment is cheapest over volume (x) and one other input (y)."""
    plt = _pyplot()
    figure, axes = plt.subplots(figsize=(9, 5), dpi=150)
    from matplotlib.colors import ListedColormap

    colors = ListedColormap([plt.cm.Greys(0.15 + 0.7 * index / max(1, len(names) - 1)) for index in range(len(names))])
    mesh = axes.pcolormesh(
        volumes, np.arange(len(values) + 1), winners, cmap=colors, vmin=-0.5, vmax=len(names) - 0.5, shading="flat"
    )
    for index, name in enumerate(names):
        axes.plot([], [], "s", color=colors(index), markeredgecolor="black", label=name)
    axes.set_xscale("log")
    axes.set_yticks(np.arange(len(values)) + 0.5, [str(value) for value in values])
    axes.set_xlabel("Volume (requests per month, log scale)")
    axes.set_ylabel(field)
    axes.legend(fontsize=7, loc="upper left", framealpha=0.9)
    del mesh
    _finish(figure, axes, f"{scenario}: cheapest deployment by volume and {field}\n{subtitle}", path)
