"""Deployment kinds: each turns a workload and an array of volumes into monthly cost components."""

from __future__ import annotations

from dataclasses import replace

from tco.deployments.base import CostModel, ScenarioContext
from tco.deployments.fine_tuned_api import FineTunedApiModel
from tco.deployments.long_prompt import LongPromptModel
from tco.deployments.per_task import PerTaskModel
from tco.deployments.self_hosted_lora import SelfHostedLoraModel
from tco.errors import TcoError
from tco.workload import Task, split_tasks

BUILDERS = {
    "long_prompt": LongPromptModel,
    "rag": LongPromptModel,
    "fine_tuned_api": FineTunedApiModel,
    "self_hosted_lora": SelfHostedLoraModel,
}


def _named(error: TcoError, context: ScenarioContext, config) -> TcoError:
    """Prefix an error with the scenario file and deployment, unless it names them already."""
    message = str(error)
    if message.startswith(str(context.loaded.path)):
        return error
    return type(error)(f"{context.loaded.path}: deployment {config.name!r} ({config.kind}): {message}")


def build_one(config, context: ScenarioContext, tasks: list[Task]) -> CostModel:
    """Build a hosted deployment once, or once per task of a split workload."""
    if not tasks or config.kind == "self_hosted_lora":
        return BUILDERS[config.kind](config, context)
    models = [
        BUILDERS[config.kind](config, replace(context, measurer=context.measurer.for_task(task.row_filter)))
        for task in tasks
    ]
    return PerTaskModel(config.name, config.kind, tasks, models)


def build_all(configs, context: ScenarioContext) -> list[CostModel]:
    """Measure and price every deployment, in scenario order.

    A hybrid self-hosted deployment needs the API deployment its overflow
    goes to, so deployments without overflow are built first. With a task
    split, each hosted deployment is one deployment per task, and a
    self-hosted fleet serves every task as an adapter.
    """
    workload = context.workload
    tasks = split_tasks(context.measurer, workload.tasks, workload.user_input) if workload.tasks else []
    built: dict[str, CostModel] = {}
    for config in sorted(configs, key=lambda item: getattr(item, "hybrid", None) is not None):
        hybrid = getattr(config, "hybrid", None)
        try:
            if hybrid is not None:
                built[config.name] = SelfHostedLoraModel(config, context, overflow=built[hybrid.overflow_deployment])
            else:
                built[config.name] = build_one(config, context, tasks)
        except TcoError as error:
            raise _named(error, context, config) from error
    return [built[config.name] for config in configs]
