"""Deployment kinds: each turns a workload and an array of volumes into monthly cost components."""

from __future__ import annotations

from tco.deployments.base import CostModel, ScenarioContext
from tco.deployments.fine_tuned_api import FineTunedApiModel
from tco.deployments.long_prompt import LongPromptModel
from tco.deployments.rag import RagModel
from tco.deployments.self_hosted_lora import SelfHostedLoraModel

BUILDERS = {
    "long_prompt": LongPromptModel,
    "rag": RagModel,
    "fine_tuned_api": FineTunedApiModel,
    "self_hosted_lora": SelfHostedLoraModel,
}


def build_all(configs, context: ScenarioContext) -> list[CostModel]:
    """Measure and price every deployment, in scenario order.

    A hybrid self-hosted deployment needs the API deployment its overflow
    goes to, so deployments without overflow are built first.
    """
    built: dict[str, CostModel] = {}
    for config in sorted(configs, key=lambda item: getattr(item, "hybrid", None) is not None):
        hybrid = getattr(config, "hybrid", None)
        if hybrid is not None:
            built[config.name] = SelfHostedLoraModel(config, context, overflow=built[hybrid.overflow_deployment])
        else:
            built[config.name] = BUILDERS[config.kind](config, context)
    return [built[config.name] for config in configs]
