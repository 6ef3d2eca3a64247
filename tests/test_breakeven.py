"""Break-even search on staircase and linear costs, and on the bundled scenario."""

from __future__ import annotations

import numpy as np
import pytest

from tco.analysis.breakeven import find_crossings, total_cost
from tco.analysis.run import evaluate
from tco.scenario import load_scenario


class Linear:
    kind = "test"

    def __init__(self, name, fixed, per_request):
        self.name, self.fixed, self.per_request = name, fixed, per_request

    def monthly_cost(self, volumes):
        volumes = np.asarray(volumes, dtype=float)
        return {"cost": self.fixed + self.per_request * volumes}

    def breakpoints(self, low, high):
        return np.empty(0)


class Staircase:
    """A fleet of whole servers, each serving `capacity` requests a month at `price`."""

    kind = "test"

    def __init__(self, name, capacity, price):
        self.name, self.capacity, self.price = name, capacity, price

    def monthly_cost(self, volumes):
        volumes = np.asarray(volumes, dtype=float)
        return {"servers": np.maximum(1, np.ceil(volumes / self.capacity)) * self.price}

    def breakpoints(self, low, high):
        steps = np.arange(1, int(high / self.capacity) + 2) * self.capacity
        return steps[(steps >= low) & (steps <= high)]


def test_two_lines_cross_once_where_algebra_says():
    a = Linear("a", fixed=100, per_request=0.001)
    b = Linear("b", fixed=1000, per_request=0.0001)
    # 100 + 0.001 v = 1000 + 0.0001 v  =>  v = 900 / 0.0009 = 1,000,000.
    crossings = find_crossings(a, b, 1e3, 1e9)
    assert len(crossings) == 1
    assert crossings[0].volume == pytest.approx(1e6, rel=1e-3)
    assert crossings[0].cheaper_below == "a"
    assert crossings[0].cheaper_above == "b"


def test_staircase_crosses_a_line_several_times():
    # Each server costs 1,000 a month and serves 1M requests; the API costs 0.0011 per request.
    # On step k (volumes from (k-1)M to kM) the fleet costs 1,000 k. The API line rises through
    # that level at 1,000 k / 0.0011 = 0.909 k M, and at the jump to k + 1 servers at k M the
    # fleet becomes dearer again while 1,100 k < 1,000 (k + 1), that is for k < 10.
    fleet = Staircase("fleet", capacity=1e6, price=1000)
    api = Linear("api", fixed=0, per_request=0.0011)
    crossings = find_crossings(fleet, api, 1e5, 9.5e6)

    rising = [1000 * k / 0.0011 for k in range(1, 11)]
    jumps = [k * 1e6 for k in range(1, 10)]
    expected = sorted(rising + jumps)
    assert len(crossings) == len(expected) == 19
    for crossing, expected_volume in zip(crossings, expected):
        assert crossing.volume == pytest.approx(expected_volume, rel=1e-3)
        if expected_volume in jumps:
            assert (crossing.cheaper_below, crossing.cheaper_above) == ("fleet", "api")
        else:
            assert (crossing.cheaper_below, crossing.cheaper_above) == ("api", "fleet")


@pytest.mark.parametrize("scenario", ["intent-routing", "lora-land"])
def test_bundled_scenario_crossings_swap_order(scenario):
    result = evaluate(load_scenario(scenario))
    models = {model.name: model for model in result.models}
    checked = 0
    for pair in result.break_even:
        a, b = models[pair["a"]], models[pair["b"]]
        volumes = pair["volumes_requests_per_month"]
        for index, crossing in enumerate(pair["crossings"]):
            volume = crossing["volume_requests_per_month"]
            # Step 0.1% away, or a third of the way to a neighbouring crossing when one is closer.
            gaps = [abs(other / volume - 1) for position, other in enumerate(volumes) if position != index]
            step = max(2e-4, min([1e-3] + [gap / 3 for gap in gaps]))
            below = volume * (1 - step)
            above = volume * (1 + step)
            cheaper_below = pair["a"] if total_cost(a, [below])[0] < total_cost(b, [below])[0] else pair["b"]
            cheaper_above = pair["a"] if total_cost(a, [above])[0] < total_cost(b, [above])[0] else pair["b"]
            assert cheaper_below == crossing["cheaper_below"]
            assert cheaper_above == crossing["cheaper_above"]
            assert cheaper_below != cheaper_above
            checked += 1
    assert checked > 0
