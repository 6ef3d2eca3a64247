"""Evaluate a scenario: measure the workload, price every deployment, find break-even volumes."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

from tco import deployments
from tco.analysis.breakeven import break_even_table, total_cost
from tco.deployments.base import CostModel, ScenarioContext
from tco.errors import ScenarioError
from tco.pricing.book import PriceBook, active_price_book, apply_overrides
from tco.scenario import LoadedScenario
from tco.workload import PromptMeasurer, TrafficShape, measure_traffic

logger = logging.getLogger(__name__)

DEFAULT_VOLUME_RANGE = (1e3, 1e9)


@dataclass
class ScenarioResult:
    loaded: LoadedScenario
    traffic: TrafficShape
    models: list[CostModel]
    volume: float
    volume_range: tuple[float, float]
    break_even: list[dict]

    @property
    def name(self) -> str:
        return self.loaded.scenario.name

    def deployment_rows(self) -> list[dict]:
        """Return one row per deployment at the chosen volume, with its breakdown and details."""
        rows = []
        for model in self.models:
            breakdown = {key: float(value[0]) for key, value in model.monthly_cost(np.array([self.volume])).items()}
            monthly = sum(breakdown.values())
            rows.append(
                {
                    "name": model.name,
                    "kind": model.kind,
                    "monthly_usd": monthly,
                    "usd_per_request": monthly / self.volume,
                    "breakdown": breakdown,
                    "details": model.details(self.volume),
                }
            )
        return rows

    def cost_curves(self, points: int = 400) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """Total monthly cost of each deployment over the volume range, log-spaced."""
        low, high = self.volume_range
        volumes = np.geomspace(min(low, self.volume), max(high, self.volume), points)
        return volumes, {model.name: total_cost(model, volumes) for model in self.models}


def evaluate(
    loaded: LoadedScenario,
    volume: float | None = None,
    volume_range: tuple[float, float] = DEFAULT_VOLUME_RANGE,
    book: PriceBook | None = None,
    break_even: bool = True,
) -> ScenarioResult:
    """Measure tokens and traffic, build every deployment and, with `break_even`, locate break-even volumes."""
    low, high = volume_range
    if not 0 < low < high:
        raise ScenarioError(f"volume range {low:g}:{high:g} must satisfy 0 < MIN < MAX")
    chosen = volume if volume is not None else loaded.scenario.workload.requests_per_month
    if chosen <= 0:
        raise ScenarioError(f"volume {chosen:g} must be a positive number of requests per month")

    book = book or active_price_book()
    if loaded.scenario.pricing:
        # The scenario's own override file layers over whatever tables the command uses.
        book = apply_overrides(book, loaded.resolve(loaded.scenario.pricing))
    traffic = measure_traffic(loaded, loaded.scenario.workload.traffic)
    context = ScenarioContext(loaded=loaded, book=book, measurer=PromptMeasurer(loaded), traffic=traffic)

    logger.info("measuring %d deployments of %s", len(loaded.scenario.deployments), loaded.scenario.name)
    models = deployments.build_all(loaded.scenario.deployments, context)

    table = break_even_table(models, low, high) if break_even else []
    return ScenarioResult(loaded, traffic, models, chosen, (low, high), table)
