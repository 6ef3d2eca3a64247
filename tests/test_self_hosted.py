"""Self-hosted fleets: GPU pricing options, lifecycle costs, hybrid overflow and the lora-land scenario."""

from __future__ import annotations

import numpy as np
import pytest

from tco.analysis.run import evaluate
from tco.deployments.lifecycle import lifecycle_monthly_usd
from tco.errors import UnknownModelError
from tco.scenario import AdapterLifecycle, GpuPricing, load_scenario
from tco.serving.gpu_cost import gpu_monthly_cost


@pytest.fixture(scope="module")
def lora_land():
    return evaluate(load_scenario("lora-land"))


def test_on_demand_uses_gpu_table(book):
    gpu = book.gpu("a100-80gb")
    cost = gpu_monthly_cost(book, gpu, GpuPricing())
    assert cost.usd_per_gpu_month == pytest.approx(gpu.on_demand_usd_per_hour * 730)


def test_reserved_picks_cheapest_offer(book):
    gpu = book.gpu("a100-40gb")
    offers = [
        offer.usd_per_hour for offer in book.gpu_offers if offer.gpu == gpu.name and offer.option == "reserved_3y"
    ]
    assert offers, "the offer table should list 3-year reservations for the A100 40GB"
    cost = gpu_monthly_cost(book, gpu, GpuPricing(option="reserved_3y"))
    assert cost.usd_per_gpu_hour == pytest.approx(min(offers))
    assert "cheapest of" in cost.description


def test_missing_offer_lists_what_exists(book):
    with pytest.raises(UnknownModelError, match="listed:"):
        gpu_monthly_cost(book, book.gpu("h200"), GpuPricing(option="reserved_3y", provider="nowhere"))


def test_owned_gpu_by_hand(book):
    gpu = book.gpu("a100-80gb")
    purchase = next(row for row in book.gpu_purchases if row.gpu == gpu.name)
    pricing = GpuPricing(
        option="owned", life_months=36, usd_per_kwh=0.1, pue=1.5, hosting_usd_per_month=150, basis="test"
    )
    cost = gpu_monthly_cost(book, gpu, pricing)
    # Purchase over 36 months + board power x PUE x 730 h x price + hosting.
    expected = purchase.purchase_usd / 36 + purchase.board_power_watts / 1000 * 1.5 * 730 * 0.1 + 150
    assert cost.usd_per_gpu_month == pytest.approx(expected)


def test_owned_needs_inputs():
    with pytest.raises(ValueError, match="life_months"):
        GpuPricing(option="owned", basis="test")


def test_lifecycle_by_hand():
    lifecycle = AdapterLifecycle(retrains_per_year=4, eval_examples=1000, eval_runs=3)
    # 4 retrains a year x (100 USD training + 2 x 1,000 x 3 requests x 0.001 USD) / 12 months.
    assert lifecycle_monthly_usd(lifecycle, 100.0, 0.001) == pytest.approx(4 * (100 + 6) / 12)
    assert lifecycle_monthly_usd(None, 100.0, 0.001) == 0


def test_lora_land_splits_into_25_tasks(lora_land):
    few_shot = next(model for model in lora_land.models if model.kind == "long_prompt")
    assert len(few_shot.tasks) == 25
    assert sum(task.share for task in few_shot.tasks) == pytest.approx(1.0)
    covered = [value for task in few_shot.tasks for value in task.values]
    assert len(covered) == len(set(covered)) == 77
    # Each task's prompt carries only its own intents' examples, so prompts are far shorter
    # than one prompt for all 77 intents would be.
    details = few_shot.details(1e7)
    means = [task["input_tokens_mean"] for task in details["per_task"]]
    assert max(means) < 4000
    assert min(means) > 500


def test_lora_land_fits_one_a100(lora_land):
    fleet = next(model for model in lora_land.models if model.name == "25 LoRA adapters on A100 80GB")
    details = fleet.details(1e7)
    assert details["gpus"] == 1
    assert details["adapter_slots_per_replica"] == 25
    # 25 rank-8 q/v adapters are about 6.5 MiB each.
    assert details["adapter_mib"] == pytest.approx(6.5, abs=0.1)
    assert details["memory_gib"]["adapters"] == pytest.approx(25 * 6.5 / 1024, abs=0.01)
    assert details["latency"]["tpot_ms"] <= 50


def test_single_gpu_runs_out_at_reported_volume(lora_land):
    fleet = next(model for model in lora_land.models if model.name == "25 LoRA adapters on A100 80GB")
    limit = fleet.details(1e7)["one_replica_max_requests_per_month"]
    assert fleet.details(limit * 0.99)["gpus"] == 1
    assert fleet.details(limit * 1.01)["gpus"] == 2


def test_hybrid_overflow_grows_with_volume(lora_land):
    hybrid = next(model for model in lora_land.models if getattr(getattr(model, "config", None), "hybrid", None))
    _, _, overflow = hybrid.fleet(np.array([1e7, 5e8]))
    assert overflow[0] == 0
    assert 0 < overflow[1] < 1
    costs = hybrid.monthly_cost(np.array([5e8]))
    overflow_component = costs["overflow to 25 x few-shot gpt-4o-mini"][0]
    api = next(model for model in lora_land.models if model.name == "25 x few-shot gpt-4o-mini")
    expected = sum(float(value[0]) for value in api.monthly_cost(np.array([5e8 * overflow[1]])).values())
    assert overflow_component == pytest.approx(expected)


def test_every_self_hosted_reports_latency(lora_land):
    for row in lora_land.deployment_rows():
        if row["kind"] == "self_hosted_lora":
            latency = row["details"]["latency"]
            assert latency["ttft_p95_ms_at_peak"] > 0
            assert latency["tpot_ms"] > 0
