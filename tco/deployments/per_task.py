"""One hosted deployment per task of a split workload, priced together."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from tco.deployments.base import CostModel
from tco.workload import Task


class PerTaskModel:
    """Sums per-task deployments, each carrying its task's share of the volume."""

    def __init__(self, name: str, kind: str, tasks: list[Task], models: list[CostModel]):
        self.name = name
        self.kind = kind
        self.tasks = tasks
        self.models = models

    def monthly_cost(self, volumes: np.ndarray) -> dict[str, np.ndarray]:
        volumes = np.asarray(volumes, dtype=float)
        totals: dict[str, np.ndarray] = {}
        for task, model in zip(self.tasks, self.models):
            for component, usd in model.monthly_cost(volumes * task.share).items():
                totals[component] = totals.get(component, 0.0) + usd
        return totals

    def request_profiles(self, max_tokens: int):
        """Return each task's mean request, weighted by the task's share of the volume."""
        profiles = []
        for task, model in zip(self.tasks, self.models):
            for profile in model.request_profiles(max_tokens):
                profiles.append(replace(profile, share=profile.share * task.share))
        return profiles

    def breakpoints(self, low: float, high: float) -> np.ndarray:
        points = [
            model.breakpoints(low * task.share, high * task.share) / task.share
            for task, model in zip(self.tasks, self.models)
        ]
        return np.concatenate(points) if points else np.empty(0)

    def details(self, volume: float) -> dict:
        per_task = [(task, model.details(volume * task.share)) for task, model in zip(self.tasks, self.models)]
        inputs = [details["input_tokens_per_request"] for _, details in per_task]
        shares = [task.share for task, _ in per_task]
        prices, seen = [], set()
        for _, details in per_task:
            for price in details["prices"]:
                key = (price["item"], price["value"])
                if key not in seen:
                    seen.add(key)
                    prices.append(price)
        return {
            "tasks": len(self.tasks),
            "input_tokens_per_request": {
                "mean": round(float(np.dot(shares, [item["mean"] for item in inputs])), 2),
                "p50": float(np.median([item["p50"] for item in inputs])),
                "p95": max(item["p95"] for item in inputs),
                "max": max(item["max"] for item in inputs),
                "samples": sum(item["samples"] for item in inputs),
                "exact": all(item["exact"] for item in inputs),
                "tokenizer": inputs[0]["tokenizer"],
            },
            "output_tokens_per_request": round(
                float(np.dot(shares, [details["output_tokens_per_request"] for _, details in per_task])), 2
            ),
            "per_task": [
                {
                    "task": task.name,
                    "values": list(task.values),
                    "share_of_requests": round(task.share, 6),
                    "input_tokens_mean": details["input_tokens_per_request"]["mean"],
                }
                for task, details in per_task
            ],
            "prices": prices,
        }
