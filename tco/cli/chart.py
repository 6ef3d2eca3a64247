"""`tco chart`: one planning chart of a scenario, written as PNG, SVG or PDF by the file's extension."""

from __future__ import annotations

import click

from tco.cli.formats import PRICING_DIR_OPTION, PROJECTION_OPTIONS, PathParameter

KINDS = ["cost-volume", "breakdown", "tokens", "cumulative", "tornado", "cheapest-map"]


@click.command()
@click.argument("scenario")
@click.option("--kind", type=click.Choice(KINDS), required=True, help="Which chart to draw.")
@click.option(
    "--out",
    "out_path",
    type=PathParameter(dir_okay=False),
    required=True,
    help="Output file; .png, .svg or .pdf.",
)
@click.option(
    "--param", help="cheapest-map: PATH=V1,V2,... for the second axis, e.g. deployments.1.retrieval.top_k=2,5,10."
)
@click.option("--deployment", help="tornado: the deployment whose cost to explain. Default: the cheapest.")
@PROJECTION_OPTIONS
@PRICING_DIR_OPTION
def chart(
    scenario, kind, out_path, param, deployment, months, volume_growth, api_price_decline, gpu_price_decline
) -> None:
    """Draw one chart of SCENARIO for a planning document."""
    import numpy as np

    from tco.analysis.run import evaluate
    from tco.outputs import planning_charts
    from tco.outputs.charts import cost_volume_chart
    from tco.outputs.files import price_dates
    from tco.outputs.results import result_document
    from tco.scenario import load_scenario

    if out_path.suffix.lower() not in (".png", ".svg", ".pdf"):
        raise click.BadParameter(f"{out_path.name}: the extension must be .png, .svg or .pdf", param_hint="--out")
    out_path.parent.mkdir(parents=True, exist_ok=True)
    result = evaluate(load_scenario(scenario), break_even=kind == "cost-volume")
    document = result_document(result)
    subtitle = f"prices and specs dated {price_dates(document)}"

    if kind == "cost-volume":
        bands = None
        if result.loaded.scenario.uncertainty:
            from tco.analysis.uncertainty import sample_costs

            bands = sample_costs(result, 2000, seed=0)
        cost_volume_chart(result, [out_path], price_dates(document), bands)
    elif kind == "breakdown":
        planning_charts.breakdown_chart(document, out_path, subtitle)
    elif kind == "tokens":
        planning_charts.token_chart(document, out_path, subtitle)
    elif kind == "cumulative":
        from tco.analysis.project import project

        projection = project(result, months, volume_growth, api_price_decline, gpu_price_decline)
        planning_charts.cumulative_chart(projection, out_path, subtitle)
    elif kind == "tornado":
        from tco.analysis.sensitivity import sensitivity

        analysis = sensitivity(scenario)
        target = deployment or min(analysis["base_monthly_usd"], key=analysis["base_monthly_usd"].get)
        if target not in analysis["base_monthly_usd"]:
            raise click.BadParameter(f"{target!r} is not a deployment of the scenario", param_hint="--deployment")
        planning_charts.tornado_chart(analysis, target, out_path, subtitle)
    else:
        if not param:
            raise click.UsageError("--kind cheapest-map needs --param PATH=V1,V2,... for its second axis")
        from tco.analysis.breakeven import total_cost
        from tco.analysis.sweep import parse_parameter, sweep_results

        parameter = parse_parameter(param)
        low, high = result.volume_range
        edges = np.geomspace(low, high, 121)
        centers = np.sqrt(edges[:-1] * edges[1:])
        names = [model.name for model in result.models]
        winners = []
        for swept in sweep_results(scenario, [parameter]):
            costs = np.array([total_cost(model, centers) for model in swept.models])
            winners.append(np.argmin(costs, axis=0))
        planning_charts.cheapest_map_chart(
            edges, list(parameter.values), parameter.text, np.array(winners), names, result.name, out_path, subtitle
        )
    click.echo(f"wrote {out_path}", err=True)
