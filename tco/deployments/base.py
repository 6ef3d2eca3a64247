"""What every deployment kind provides: monthly cost components over an array of volumes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np

from tco.pricing.book import PriceBook
from tco.scenario import LoadedScenario
from tco.workload import PromptMeasurer, TrafficShape


@dataclass
class ScenarioContext:
    """Everything a deployment needs besides its own settings, measured once per scenario."""

    loaded: LoadedScenario
    book: PriceBook
    measurer: PromptMeasurer
    traffic: TrafficShape

    @property
    def workload(self):
        return self.loaded.scenario.workload


class CostModel(Protocol):
    """A deployment, measured and priced, ready to evaluate at any monthly volume."""

    name: str
    kind: str

    def monthly_cost(self, volumes: np.ndarray) -> dict[str, np.ndarray]:
        """Return USD per month of each cost component, one value per volume (requests a month)."""

    def breakpoints(self, low: float, high: float) -> np.ndarray:
        """Return volumes in [low, high] where the cost jumps (a GPU added, say); empty if none."""

    def details(self, volume: float) -> dict:
        """Return the inputs behind the cost at one volume: tokens, prices, sources, rules."""


@dataclass
class PriceRef:
    """A price or spec that a result used, with its provenance."""

    item: str
    value: str
    source: str
    as_of: str

    def as_dict(self) -> dict:
        return {"item": self.item, "value": self.value, "source": " ".join(self.source.split()), "as_of": self.as_of}
