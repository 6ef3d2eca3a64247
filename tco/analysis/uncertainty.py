"""Monte Carlo over uncertain scenario inputs, as numpy arrays over samples, deployments and volumes.

Each uncertain input is priced at seven quantiles of its distribution (1% to 99%) (the
other inputs at their scenario values), giving every deployment's cost curve
over a log-spaced volume grid at each point. A sample's cost is then the base
curve plus, for each input, the change its sampled value makes, interpolated
between the two nearest quantile points. That is exact for one uncertain input
and for inputs that change different deployments or add to a cost. Where two
inputs multiply (a price and a token count, say) the joint change is
approximated by the sum of the single changes. The monthly volume is an axis,
not an input: an uncertain `workload.requests_per_month` is applied exactly, by
reading each sample's curve at its own volume.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tco import datafiles
from tco.analysis.breakeven import total_cost
from tco.analysis.distributions import Distribution, quantile, sample
from tco.analysis.run import ScenarioResult, evaluate
from tco.analysis.sweep import set_field, unshared
from tco.errors import DataFileError, ScenarioError
from tco.scenario import LoadedScenario, Scenario
from tco.tables import read_table, require_columns

SUPPORT_PROBABILITIES = np.array([0.01, 0.1, 0.3, 0.5, 0.7, 0.9, 0.99])
VOLUME_FIELD = "workload.requests_per_month"
GRID_POINTS = 200


@dataclass(frozen=True)
class Input:
    field: str
    distribution: Distribution
    empirical: np.ndarray | None

    def support(self) -> np.ndarray:
        if self.empirical is not None:
            return np.quantile(self.empirical, SUPPORT_PROBABILITIES)
        return np.array([quantile(self.distribution, probability) for probability in SUPPORT_PROBABILITIES])


def _inputs(loaded: LoadedScenario) -> list[Input]:
    inputs = []
    for field, distribution in loaded.scenario.uncertainty.items():
        values = None
        if distribution.empirical:
            path = loaded.resolve(distribution.empirical["data"])
            frame = read_table(path)
            require_columns(frame, [distribution.empirical["column"]], path)
            values = _numbers(frame.column(distribution.empirical["column"]), path, distribution.empirical["column"])
        inputs.append(Input(field, distribution, values))
    return inputs


def _numbers(texts: list[str], path, column: str) -> np.ndarray:
    """Parse a column of numbers, naming the first cell that is not one."""
    try:
        return np.array(texts, dtype=float)
    except ValueError:
        for number, text in enumerate(texts, start=2):
            try:
                float(text)
            except ValueError:
                raise DataFileError(f"{path} row {number}: column {column} is {text!r}, not a number") from None
        raise


def _path(field: str) -> tuple:
    return tuple(int(part) if part.isdigit() else part for part in field.split("."))


def _curves(result: ScenarioResult, volumes: np.ndarray) -> np.ndarray:
    """Total monthly cost, shape (deployments, volumes)."""
    return np.array([total_cost(model, volumes) for model in result.models])


def support_curves(
    result: ScenarioResult, grid: np.ndarray
) -> tuple[np.ndarray, list[Input], dict[str, tuple[np.ndarray, np.ndarray]]]:
    """Price the scenario at each uncertain input's quantile points.

    Returns the base curves (deployments, volumes), the inputs, and per input
    its support values and curves (points, deployments, volumes).
    """
    loaded = result.loaded
    inputs = _inputs(loaded)
    base = _curves(result, grid)
    document = unshared(datafiles.read_yaml(loaded.path, ScenarioError))
    supports = {}
    for item in inputs:
        if item.field == VOLUME_FIELD:
            continue
        support = item.support()
        curves = []
        for value in support:
            changed = unshared(document)
            current = changed
            for key in _path(item.field)[:-1]:
                current = current[key]
            original = current[_path(item.field)[-1]]
            set_field(
                changed, _path(item.field), round(value) if isinstance(original, int) else float(value), item.field
            )
            changed.pop("uncertainty", None)
            scenario = datafiles.validate(Scenario, changed, loaded.path, ScenarioError)
            evaluated = evaluate(
                LoadedScenario(scenario=scenario, path=loaded.path),
                result.volume,
                result.volume_range,
                break_even=False,
            )
            curves.append(_curves(evaluated, grid))
        supports[item.field] = (support, np.array(curves))
    return base, inputs, supports


def combine(
    base: np.ndarray, supports: dict[str, tuple[np.ndarray, np.ndarray]], draws: dict[str, np.ndarray], samples: int
) -> np.ndarray:
    """Cost curves of every sample, shape (samples, deployments, volumes): base plus each input's interpolated change."""
    costs = np.broadcast_to(base, (samples, *base.shape)).copy()
    for field, (support, curves) in supports.items():
        values = np.clip(draws[field], support[0], support[-1])
        upper = np.clip(np.searchsorted(support, values, side="right"), 1, len(support) - 1)
        lower = upper - 1
        span = np.where(support[upper] > support[lower], support[upper] - support[lower], 1.0)
        weight = ((values - support[lower]) / span)[:, None, None]
        costs += (1 - weight) * curves[lower] + weight * curves[upper] - base
    return costs


def sample_costs(result: ScenarioResult, samples: int, seed: int, grid: np.ndarray | None = None) -> dict:
    """Draw every uncertain input together and return cost arrays over samples, deployments and volumes."""
    if grid is None:
        grid = np.geomspace(*result.volume_range, GRID_POINTS)
    base, inputs, supports = support_curves(result, grid)
    rng = np.random.default_rng(seed)
    draws = {item.field: sample(item.distribution, samples, rng, item.empirical) for item in inputs}
    costs = combine(base, supports, draws, samples)
    volumes = draws.get(VOLUME_FIELD, np.full(samples, result.volume))
    return {"grid": grid, "costs": costs, "volumes": volumes, "draws": draws, "inputs": inputs}


def _crossing_quantiles(
    a: str, b: str, base: list[float], sample_index: np.ndarray, crossings: np.ndarray, samples: int
) -> list[dict]:
    """Quantiles of a pair's sampled break-even volumes, one entry per break-even of the scenario as written.

    Costs with whole GPUs can cross more than once. Pooling every crossing
    would give a median between two unrelated ones, so each sampled crossing
    joins the scenario's crossing nearest to it in log volume (all join one
    entry when the scenario as written has none).
    """
    if base:
        nearest = np.argmin(np.abs(np.log(crossings)[:, None] - np.log(np.asarray(base))[None, :]), axis=1)
    else:
        nearest = np.zeros(crossings.size, dtype=int)
    entries = []
    for number, volume in enumerate(base or [None]):
        members = nearest == number
        entry = {
            "a": a,
            "b": b,
            "base_volume_requests_per_month": volume,
            "samples_with_crossing": float(np.unique(sample_index[members]).size / samples),
        }
        if members.any():
            entry.update({f"p{int(q * 100)}": float(np.quantile(crossings[members], q)) for q in (0.1, 0.5, 0.9)})
        entries.append(entry)
    return entries


def summarize_samples(result: ScenarioResult, sampled: dict) -> dict:
    """P10/P50/P90 at the scenario volume, chance each deployment is cheapest per volume, break-even quantiles."""
    grid, costs, volumes = sampled["grid"], sampled["costs"], sampled["volumes"]
    names = [model.name for model in result.models]
    log_grid = np.log(grid)
    samples = costs.shape[0]

    # Each sample's cost at its own volume, read off its curve in log volume.
    position = np.clip(np.searchsorted(log_grid, np.log(volumes)), 1, len(grid) - 1)
    fraction = ((np.log(volumes) - log_grid[position - 1]) / (log_grid[position] - log_grid[position - 1]))[:, None]
    rows = np.arange(samples)
    at_volume = costs[rows, :, position - 1] * (1 - fraction) + costs[rows, :, position] * fraction

    cheapest = np.argmin(costs, axis=1)  # (samples, volumes)
    probability = np.array([(cheapest == index).mean(axis=0) for index in range(len(names))])

    base_crossings = {(row["a"], row["b"]): row["volumes_requests_per_month"] for row in result.break_even}
    break_even = []
    for first in range(len(names)):
        for second in range(first + 1, len(names)):
            difference = costs[:, first, :] - costs[:, second, :]
            sign_change = np.signbit(difference[:, :-1]) != np.signbit(difference[:, 1:])
            sample_index, grid_index = np.nonzero(sign_change)
            left, right = difference[sample_index, grid_index], difference[sample_index, grid_index + 1]
            share = left / (left - right)
            crossings = np.exp(log_grid[grid_index] + share * (log_grid[grid_index + 1] - log_grid[grid_index]))
            base = base_crossings.get((names[first], names[second])) or []
            break_even += _crossing_quantiles(names[first], names[second], base, sample_index, crossings, samples)

    return {
        "samples": samples,
        "inputs": {item.field: item.distribution.model_dump(exclude_none=True) for item in sampled["inputs"]},
        "monthly_usd": {
            name: {f"p{int(q * 100)}": float(np.quantile(at_volume[:, index], q)) for q in (0.1, 0.5, 0.9)}
            for index, name in enumerate(names)
        },
        "probability_cheapest": {
            name: {"volumes_requests_per_month": grid.tolist(), "probability": probability[index].tolist()}
            for index, name in enumerate(names)
        },
        "probability_cheapest_at_scenario_volume": {
            name: float((np.argmin(at_volume, axis=1) == index).mean()) for index, name in enumerate(names)
        },
        "break_even": break_even,
    }
