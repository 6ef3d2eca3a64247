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


def build(config, context: ScenarioContext) -> CostModel:
    """Measure and price one deployment of a scenario."""
    return BUILDERS[config.kind](config, context)
