"""Break-even volumes: every monthly volume where two deployments' costs cross.

Costs can be staircases (GPUs come in whole units), so a pair can cross
more than once. The search scans a log-spaced grid, with each deployment's
own jump points added, for changes of sign in the cost difference, then
narrows each bracket by sampling it again on a finer log-spaced grid until
it is narrower than the tolerance (one round from the scan's spacing).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tco.deployments.base import CostModel

GRID_POINTS = 4000
RELATIVE_TOLERANCE = 1e-4  # bracket width as a share of the volume: 0.01%, inside the 0.1% promised
REFINE_POINTS = 64


@dataclass(frozen=True)
class Crossing:
    """A volume where `cheaper_above` becomes the cheaper deployment of the pair."""

    volume: float
    cheaper_below: str
    cheaper_above: str


def total_cost(model: CostModel, volumes: np.ndarray) -> np.ndarray:
    return np.sum(list(model.monthly_cost(np.asarray(volumes, dtype=float)).values()), axis=0)


def _scan_grid(a: CostModel, b: CostModel, low: float, high: float) -> np.ndarray:
    grid = np.geomspace(low, high, GRID_POINTS)
    jumps = np.concatenate([a.breakpoints(low, high), b.breakpoints(low, high)])
    # A jump at volume v changes the cost just above v; sample both sides of it.
    near = np.concatenate([jumps * (1 - RELATIVE_TOLERANCE), jumps, jumps * (1 + RELATIVE_TOLERANCE)])
    near = near[(near >= low) & (near <= high)]
    return np.unique(np.concatenate([grid, near]))


def _refine(a: CostModel, b: CostModel, low: float, high: float, low_sign: float) -> float:
    """Narrow a bracket whose ends differ in sign, sampling it at REFINE_POINTS log-spaced volumes per round."""
    while high / low - 1 > RELATIVE_TOLERANCE:
        points = np.geomspace(low, high, REFINE_POINTS)
        signs = np.sign(total_cost(a, points) - total_cost(b, points))
        # The first sample off the low side closes the new bracket; a round shrinks the bracket 63-fold.
        first = max(1, int(np.argmax(signs != low_sign)))
        low, high = float(points[first - 1]), float(points[first])
    return float(np.sqrt(low * high))


def find_crossings(a: CostModel, b: CostModel, low: float, high: float) -> list[Crossing]:
    """Return every volume in [low, high] where the cheaper of `a` and `b` changes."""
    grid = _scan_grid(a, b, low, high)
    signs = np.sign(total_cost(a, grid) - total_cost(b, grid))

    crossings: list[Crossing] = []
    # Walk the nonzero signs; equal costs (sign 0) between two opposite signs are part of one crossing.
    nonzero = np.flatnonzero(signs)
    for left, right in zip(nonzero[:-1], nonzero[1:]):
        if signs[left] == signs[right]:
            continue
        volume = _refine(a, b, grid[left], grid[right], signs[left])
        below, above = (b.name, a.name) if signs[left] > 0 else (a.name, b.name)
        crossings.append(Crossing(volume, cheaper_below=below, cheaper_above=above))
    return crossings


def break_even_table(models: list[CostModel], low: float, high: float) -> list[dict]:
    """Return the crossings of every pair of deployments, in scenario order."""
    rows = []
    for index, a in enumerate(models):
        for b in models[index + 1 :]:
            crossings = find_crossings(a, b, low, high)
            rows.append(
                {
                    "a": a.name,
                    "b": b.name,
                    "volumes_requests_per_month": [crossing.volume for crossing in crossings],
                    "crossings": [
                        {
                            "volume_requests_per_month": crossing.volume,
                            "cheaper_below": crossing.cheaper_below,
                            "cheaper_above": crossing.cheaper_above,
                        }
                        for crossing in crossings
                    ],
                }
            )
    return rows
