"""Cost-versus-volume chart for planning documents; matplotlib is imported only here, lazily."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tco.analysis.breakeven import total_cost
from tco.analysis.run import ScenarioResult

# Distinct line styles and markers keep the curves apart when printed in grey scale.
LINE_STYLES = ["-", "--", "-.", ":"]
MARKERS = ["o", "s", "^", "D", "v", "P"]


def _short_volume(value: float) -> str:
    for threshold, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if value >= threshold:
            return f"{value / threshold:.3g}{suffix}"
    return f"{value:.3g}"


def cost_volume_chart(result: ScenarioResult, paths: list[Path], price_dates: str, bands: dict | None = None) -> None:
    """Draw monthly cost against monthly volume (both log scales), with break-even points marked.

    `bands`, from `tco.analysis.uncertainty.sample_costs`, shades each deployment's P10 to P90 cost.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter, NullFormatter

    volumes, curves = result.cost_curves(points=600)
    crossing_count = sum(len(pair["crossings"]) for pair in result.break_even)
    # Each numbered break-even gets a line of text below the plot.
    figure, axes = plt.subplots(figsize=(9, 5.6 + 0.14 * crossing_count), dpi=150)

    for index, (name, costs) in enumerate(curves.items()):
        axes.plot(
            volumes,
            costs,
            linestyle=LINE_STYLES[index % len(LINE_STYLES)],
            marker=MARKERS[index % len(MARKERS)],
            markevery=60,
            markersize=4,
            linewidth=1.8,
            label=name,
            color=plt.cm.viridis(index / max(1, len(curves) - 1) * 0.85),
        )

    if bands is not None:
        low = np.quantile(bands["costs"], 0.1, axis=0)
        high = np.quantile(bands["costs"], 0.9, axis=0)
        for index, _ in enumerate(curves):
            axes.fill_between(bands["grid"], low[index], high[index], color="grey", alpha=0.18, linewidth=0)

    models = {model.name: model for model in result.models}
    crossings = [(pair, crossing) for pair in result.break_even for crossing in pair["crossings"]]
    offsets = [(6, 6), (6, -14), (-16, 6), (-16, -14)]
    for number, (pair, crossing) in enumerate(crossings, start=1):
        volume = crossing["volume_requests_per_month"]
        cost = total_cost(models[pair["a"]], np.array([volume]))[0]
        axes.plot([volume], [cost], marker="X", color="black", markersize=7, zorder=5)
        axes.annotate(
            str(number),
            (volume, cost),
            textcoords="offset points",
            xytext=offsets[(number - 1) % len(offsets)],
            fontsize=8,
            fontweight="bold",
        )

    axes.axvline(result.volume, color="grey", linewidth=0.8, linestyle=":")
    axes.set_xscale("log")
    axes.set_yscale("log")
    axes.set_xlim(volumes[0], volumes[-1])
    axes.xaxis.set_major_formatter(FuncFormatter(lambda value, _: _short_volume(value)))
    axes.yaxis.set_major_formatter(FuncFormatter(lambda value, _: "$" + _short_volume(value)))
    axes.xaxis.set_minor_formatter(NullFormatter())
    axes.yaxis.set_minor_formatter(NullFormatter())
    axes.set_xlabel("Volume (requests per month, log scale)")
    axes.set_ylabel("Monthly cost (USD, log scale)")
    marks = "X = break-even (numbered below)" if crossings else "no break-even in this range"
    if bands is not None:
        marks += f"; shading = P10 to P90 of {bands['costs'].shape[0]:,} samples"
    axes.set_title(
        f"{result.name}: monthly cost by deployment\nprices and specs dated {price_dates}; "
        f"{marks}; dotted line = {_short_volume(result.volume)} requests/month",
        fontsize=10,
    )
    axes.grid(True, which="major", color="#dddddd", linewidth=0.6)
    axes.legend(fontsize=8, loc="upper left", framealpha=0.9)

    if crossings:
        notes = [
            f"{number}: {pair['a']} = {pair['b']} at {crossing['volume_requests_per_month']:,.0f} requests/month"
            for number, (pair, crossing) in enumerate(crossings, start=1)
        ]
        figure.text(0.01, 0.01, "\n".join(notes), fontsize=7, va="bottom")
        text_share = 0.14 * len(notes) / (5.6 + 0.14 * len(notes))
        figure.subplots_adjust(bottom=0.1 + text_share)

    for path in paths:
        figure.savefig(path, bbox_inches="tight")
    plt.close(figure)
