"""Probability distributions of scenario inputs, sampled with numpy.

Each distribution has a closed-form quantile function where one exists, so
tests can check sampled quantiles against it.
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

from tco.errors import ScenarioError


class Distribution(BaseModel):
    """One of: uniform [low, high], triangular [low, mode, high], normal {mean, sd},
    lognormal {median, sigma} (sigma of the log), or empirical {data, column}."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    uniform: tuple[float, float] | None = None
    triangular: tuple[float, float, float] | None = None
    normal: dict[Literal["mean", "sd"], float] | None = None
    lognormal: dict[Literal["median", "sigma"], float] | None = None
    empirical: dict[Literal["data", "column"], str] | None = None
    basis: str = Field(min_length=1)

    @model_validator(mode="after")
    def _one_kind(self) -> Distribution:
        kinds = [self.uniform, self.triangular, self.normal, self.lognormal, self.empirical]
        if sum(kind is not None for kind in kinds) != 1:
            raise ValueError("set exactly one of uniform, triangular, normal, lognormal and empirical")
        if self.uniform and not self.uniform[0] < self.uniform[1]:
            raise ValueError(f"uniform needs low < high, got {list(self.uniform)}")
        if self.triangular and not (
            self.triangular[0] <= self.triangular[1] <= self.triangular[2] and self.triangular[0] < self.triangular[2]
        ):
            raise ValueError(f"triangular needs low <= mode <= high, got {list(self.triangular)}")
        if self.normal and (set(self.normal) != {"mean", "sd"} or self.normal["sd"] <= 0):
            raise ValueError("normal needs mean and a positive sd")
        if self.lognormal and (
            set(self.lognormal) != {"median", "sigma"} or self.lognormal["sigma"] <= 0 or self.lognormal["median"] <= 0
        ):
            raise ValueError("lognormal needs a positive median and a positive sigma")
        if self.empirical and set(self.empirical) != {"data", "column"}:
            raise ValueError("empirical needs data (a CSV) and column")
        return self


def sample(
    distribution: Distribution, count: int, rng: np.random.Generator, empirical_values: np.ndarray | None = None
) -> np.ndarray:
    """Draw `count` values."""
    if distribution.uniform:
        return rng.uniform(*distribution.uniform, count)
    if distribution.triangular:
        low, mode, high = distribution.triangular
        return rng.triangular(low, mode, high, count)
    if distribution.normal:
        return rng.normal(distribution.normal["mean"], distribution.normal["sd"], count)
    if distribution.lognormal:
        return distribution.lognormal["median"] * np.exp(rng.normal(0.0, distribution.lognormal["sigma"], count))
    if empirical_values is None or empirical_values.size == 0:
        raise ScenarioError("an empirical distribution needs values from its data column")
    return rng.choice(empirical_values, count, replace=True)


def quantile(distribution: Distribution, probability: float) -> float:
    """Return the closed-form quantile, for every kind but empirical."""
    if distribution.uniform:
        low, high = distribution.uniform
        return low + probability * (high - low)
    if distribution.triangular:
        low, mode, high = distribution.triangular
        split = (mode - low) / (high - low)
        if probability < split:
            return low + math.sqrt(probability * (high - low) * (mode - low))
        return high - math.sqrt((1 - probability) * (high - low) * (high - mode))
    from statistics import NormalDist

    if distribution.normal:
        return NormalDist(distribution.normal["mean"], distribution.normal["sd"]).inv_cdf(probability)
    if distribution.lognormal:
        return distribution.lognormal["median"] * math.exp(
            NormalDist(0, distribution.lognormal["sigma"]).inv_cdf(probability)
        )
    raise ScenarioError("an empirical distribution has no closed-form quantile")
