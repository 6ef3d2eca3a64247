"""Swing each numeric scenario input down and up, and rank inputs by how far they move the costs.

The inputs are every number in the scenario file (volumes, token counts,
rates, prices a scenario states, latency targets...), each swung by a stated
share, or between its P10 and P90 where the scenario gives it a distribution. For each swing the deployments are priced at the scenario's volume,
and the break-even volume between the two cheapest deployments there is
searched again. An input whose swung value the scenario schema rejects (a hit
rate above 1, a whole number that rounds back to itself) is skipped.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

from tco import datafiles
from tco.analysis.breakeven import find_crossings
from tco.analysis.run import evaluate
from tco.analysis.sweep import set_field, unshared
from tco.errors import TcoError
from tco.scenario import LoadedScenario, Scenario, find_scenario


def numeric_fields(node, path: tuple = ()) -> Iterator[tuple[tuple, float]]:
    """Yield (path, value) of every int or float leaf of a scenario document."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield from numeric_fields(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from numeric_fields(value, (*path, index))
    elif isinstance(node, (int, float)) and not isinstance(node, bool) and node != 0:
        yield path, float(node)


@dataclass
class Swing:
    field: str
    base_value: float
    low_value: float
    high_value: float
    monthly_usd: dict[str, tuple[float, float]]
    break_even: tuple[float | None, float | None]

    @property
    def spread(self) -> float:
        """The largest change in any deployment's monthly cost across the swing."""
        return max(abs(high - low) for low, high in self.monthly_usd.values())


def _price(
    loaded: LoadedScenario, pair: tuple[str, str] | None
) -> tuple[dict[str, float], float | None, tuple[str, str]]:
    result = evaluate(loaded, break_even=False)
    rows = {row["name"]: row["monthly_usd"] for row in result.deployment_rows()}
    if pair is None:
        ranked = sorted(rows, key=rows.get)
        pair = (ranked[0], ranked[1]) if len(ranked) > 1 else (ranked[0], ranked[0])
    models = {model.name: model for model in result.models}
    crossing = None
    if pair[0] != pair[1]:
        low, high = result.volume / 100, result.volume * 100
        found = find_crossings(models[pair[0]], models[pair[1]], low, high)
        if found:
            crossing = min(found, key=lambda item: abs(np.log(item.volume / result.volume))).volume
    return rows, crossing, pair


def sensitivity(scenario: str, share: float = 0.2, on_step: Callable[[], None] | None = None) -> dict:
    """Swing every numeric input by +/- `share` and return the swings ranked by their effect."""
    path = find_scenario(scenario)
    document = unshared(datafiles.read_yaml(path, TcoError))
    base_loaded = LoadedScenario(scenario=datafiles.validate(Scenario, document, path), path=path)
    base_rows, base_crossing, pair = _price(base_loaded, None)

    swings, skipped = [], []
    fields = [item for item in numeric_fields(document) if item[0][0] != "uncertainty"]
    stated = base_loaded.scenario.uncertainty
    for field_path, value in fields:
        label = ".".join(map(str, field_path))
        results = []
        # An input with a stated distribution swings between its P10 and P90; others by +/- share.
        bounds = _distribution_bounds(stated[label]) if label in stated else (value * (1 - share), value * (1 + share))
        for swung in bounds:
            if isinstance(_lookup(document, field_path), int):
                swung = round(swung)
            changed = copy.deepcopy(document)
            set_field(changed, field_path, swung, label)
            try:
                loaded = LoadedScenario(scenario=datafiles.validate(Scenario, changed, path), path=path)
                results.append((swung, *_price(loaded, pair)[:2]))
            except TcoError as error:
                results = None
                skipped.append({"field": label, "reason": str(error).splitlines()[-1].strip()})
                break
        if on_step is not None:
            on_step()
        if results is None or results[0][0] == results[1][0] == value:
            continue
        (low_value, low_rows, low_crossing), (high_value, high_rows, high_crossing) = results
        swings.append(
            Swing(
                field=label,
                base_value=value,
                low_value=low_value,
                high_value=high_value,
                monthly_usd={name: (low_rows[name], high_rows[name]) for name in base_rows},
                break_even=(low_crossing, high_crossing),
            )
        )
    swings.sort(key=lambda swing: swing.spread, reverse=True)
    return {
        "scenario": base_loaded.scenario.name,
        "share": share,
        "base_monthly_usd": base_rows,
        "break_even_pair": list(pair),
        "base_break_even": base_crossing,
        "swings": [
            {
                "field": swing.field,
                "values": [swing.low_value, swing.base_value, swing.high_value],
                "monthly_usd": {name: list(values) for name, values in swing.monthly_usd.items()},
                "break_even": list(swing.break_even),
                "largest_change_usd": swing.spread,
            }
            for swing in swings
        ],
        "skipped": skipped,
        "fields_tried": len(fields),
    }


def _distribution_bounds(distribution) -> tuple[float, float]:
    from tco.analysis.distributions import quantile

    if distribution.empirical:
        raise TcoError("an empirical distribution gives no closed-form P10 and P90")
    return quantile(distribution, 0.1), quantile(distribution, 0.9)


def _lookup(document, path: tuple):
    node = document
    for key in path:
        node = node[key]
    return node
