"""Derived prompt-cache hit rates and the choice to skip explicit caching where it costs more."""

from __future__ import annotations

import math

import numpy as np
import pytest
import yaml

from tco.analysis.run import evaluate
from tco.pricing.caching import hit_rate
from tco.pricing.cost import price_usage
from tco.pricing.schema import PromptCacheRule
from tco.scenario import bundled_scenarios, load_scenario
from tco.units import SECONDS_PER_MONTH


def rule(**fields) -> PromptCacheRule:
    return PromptCacheRule(**{"min_cacheable_tokens": 1024, "ttl_seconds": 300, "refresh_on_hit": True, "automatic": True,
                              "basis": "test", **fields})  # fmt: skip


def test_hit_rate_refreshed_lifetime():
    # One request every 300 s on average: a hit needs the previous request within the 300 s lifetime,
    # probability 1 - exp(-1).
    volume = SECONDS_PER_MONTH / 300
    assert hit_rate(rule(), 2000, volume) == pytest.approx(1 - math.exp(-1))


def test_hit_rate_fixed_lifetime():
    volume = SECONDS_PER_MONTH / 300
    # Each write serves on average one hit before it expires: 1 / (1 + 1).
    assert hit_rate(rule(refresh_on_hit=False), 2000, volume) == pytest.approx(0.5)


def test_prefix_below_minimum_never_cached():
    assert hit_rate(rule(), 1000, np.array([1e9]))[0] == 0


def anthropic_few_shot(tmp_path):
    document = yaml.safe_load(bundled_scenarios()["intent-routing"].read_text())
    document["deployments"] = [document["deployments"][0]]
    document["deployments"][0]["model"] = "claude-haiku-4-5"
    for relative in ("data", "intent-routing"):
        (tmp_path / relative).symlink_to(bundled_scenarios()["intent-routing"].parent / relative)
    path = tmp_path / "anthropic.yaml"
    path.write_text(yaml.safe_dump(document))
    return evaluate(load_scenario(str(path))).models[0]


def test_explicit_cache_skipped_when_writes_cost_more(tmp_path, book):
    model = anthropic_few_shot(tmp_path)
    volumes = np.array([1e3, 1e7])
    with_cache, without = model.cached_and_uncached(volumes)
    # Without caching every request pays the plain input rate, with no write premium.
    plain = price_usage(
        book.api_model("claude-haiku-4-5"), model.tokens.input.mean, model.tokens.output_mean, requests=volumes
    )
    assert sum(without.values()) == pytest.approx(sum(plain.values()))
    chosen = sum(model.monthly_cost(volumes).values())
    # At 1,000 requests a month the prefix rarely survives its 5 minutes, so caching would cost more.
    assert sum(with_cache.values())[0] > sum(without.values())[0]
    assert chosen[0] == pytest.approx(sum(without.values())[0])
    # At 10 million it nearly always hits, and caching wins.
    assert chosen[1] == pytest.approx(sum(with_cache.values())[1])
    assert chosen[1] < sum(without.values())[1]
