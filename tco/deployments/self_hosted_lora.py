"""A base model on rented GPUs serving several LoRA adapters, this workload's among them.

The fleet runs around the clock and is sized, in whole replicas, for the
peak load of all adapters together. This workload pays a share of the fleet's
GPU and operations cost pro rata to the GPU time its traffic uses. Every
adapter is assumed to have this workload's token shape, so that share equals
its share of requests. Its own fine-tuning run is amortized on top.
"""

from __future__ import annotations

import numpy as np

from tco.deployments.base import PriceRef, ScenarioContext
from tco.deployments.training import measure_training_tokens
from tco.scenario import SelfHostedLora
from tco.serving.throughput import estimate_replica, lora_training_gpu_hours
from tco.tokens.counter import TokenCounter
from tco.units import HOURS_PER_MONTH, SECONDS_PER_MONTH
from tco.workload import TokenStats, count_chat, output_token_mean


class SelfHostedLoraModel:
    kind = "self_hosted_lora"

    def __init__(self, config: SelfHostedLora, context: ScenarioContext):
        self.name = config.name
        self.config = config
        book = context.book
        self.arch = book.base_model(config.base_model)
        self.gpu = book.gpu(config.gpu)
        self.parameters = book.serving
        self.gpu_usd_per_hour = config.gpu_usd_per_hour or self.gpu.on_demand_usd_per_hour
        self.peak_to_average = context.traffic.peak_to_average

        counter = TokenCounter(self.arch.tokenizer)
        system = context.measurer.render(config.system_prompt)
        user = context.measurer.render(context.workload.user_input)
        self.input_tokens = TokenStats.of(
            count_chat(counter, [("system", system), ("user", user)]), counter.label, counter.exact
        )
        self.output_mean, self.output_basis = output_token_mean(
            context.workload.output_tokens, context.measurer, counter
        )

        self.replica = estimate_replica(
            self.arch,
            self.gpu,
            self.parameters,
            input_tokens=self.input_tokens.mean,
            output_tokens=self.output_mean,
            time_per_output_token_s=config.time_per_output_token_ms / 1000,
            precision=config.precision,
            kv_precision=config.kv_precision,
            adapter_slots=config.adapters,
            lora_rank=config.lora_rank,
            target_modules=list(config.target_modules),
        )
        # Peak requests per second one replica takes while staying within the utilization cap.
        self.replica_peak_rps = self.replica.requests_per_s * self.parameters.max_utilization

        self.training = measure_training_tokens(context, counter, config.training)
        self.training_gpu_hours = lora_training_gpu_hours(
            self.arch, self.gpu, self.parameters, self.training.trained_tokens
        )
        self.training_usd = self.training_gpu_hours * self.gpu_usd_per_hour

    def fleet(self, volumes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Return (replicas, this workload's share of GPU time) at each volume."""
        volumes = np.asarray(volumes, dtype=float)
        total = volumes + self.config.other_adapters_requests_per_month
        peak_rps = total / SECONDS_PER_MONTH * self.peak_to_average
        replicas = np.maximum(1.0, np.ceil(peak_rps / self.replica_peak_rps))
        share = np.divide(volumes, total, out=np.zeros_like(total), where=total > 0)
        return replicas, share

    def monthly_cost(self, volumes: np.ndarray) -> dict[str, np.ndarray]:
        replicas, share = self.fleet(volumes)
        gpus = replicas * self.replica.gpus_per_replica
        fleet_usd = gpus * HOURS_PER_MONTH * self.gpu_usd_per_hour
        amortized = self.training_usd / self.config.training.amortization_months
        return {
            "GPU rental (share)": fleet_usd * share,
            "operations (share)": self.config.operations.usd_per_month * share,
            "fine-tuning (amortized)": np.full_like(share, amortized),
        }

    def breakpoints(self, low: float, high: float) -> np.ndarray:
        """Volumes where the fleet gains a replica: total peak load crosses a multiple of capacity."""
        per_replica_volume = self.replica_peak_rps * SECONDS_PER_MONTH / self.peak_to_average
        others = self.config.other_adapters_requests_per_month
        first = max(1, int(np.floor((low + others) / per_replica_volume)))
        last = int(np.ceil((high + others) / per_replica_volume))
        if last - first > 100_000:
            first = last - 100_000
        steps = np.arange(first, last + 1) * per_replica_volume - others
        return steps[(steps >= low) & (steps <= high)]

    def details(self, volume: float) -> dict:
        replicas, share = self.fleet(np.array([volume]))
        total = volume + self.config.other_adapters_requests_per_month
        peak_rps = total / SECONDS_PER_MONTH * self.peak_to_average
        average_rps = total / SECONDS_PER_MONTH
        capacity = replicas[0] * self.replica.requests_per_s
        refs = [
            PriceRef(
                f"{self.gpu.name} on-demand",
                f"{self.gpu_usd_per_hour:g} USD per GPU-hour"
                + (" (scenario override)" if self.config.gpu_usd_per_hour else ""),
                "scenario file" if self.config.gpu_usd_per_hour else self.gpu.price_source,
                "scenario" if self.config.gpu_usd_per_hour else self.gpu.price_as_of.isoformat(),
            ),
            PriceRef(
                f"{self.gpu.name} specs", "memory, bandwidth, TFLOPS", self.gpu.source, self.gpu.as_of.isoformat()
            ),
            PriceRef(
                f"{self.arch.name} architecture", "layers, heads, dims", self.arch.source, self.arch.as_of.isoformat()
            ),
            PriceRef(
                "serving model parameters",
                f"bandwidth efficiency {self.parameters.memory_bandwidth_efficiency}, compute efficiency "
                f"{self.parameters.compute_efficiency}, max utilization {self.parameters.max_utilization}",
                self.parameters.source,
                self.parameters.as_of.isoformat(),
            ),
        ]
        return {
            "base_model": self.arch.name,
            "gpu": self.gpu.name,
            "precision": self.config.precision,
            "adapters_on_fleet": self.config.adapters,
            "lora_rank": self.config.lora_rank,
            "input_tokens_per_request": self.input_tokens.as_dict(),
            "output_tokens_per_request": round(self.output_mean, 2),
            "output_tokens_basis": self.output_basis,
            "replica": self.replica.as_dict(),
            "replicas": int(replicas[0]),
            "gpus": int(replicas[0] * self.replica.gpus_per_replica),
            "fleet_requests_per_month": total,
            "fleet_peak_requests_per_s": round(peak_rps, 4),
            "utilization_at_average_load": round(average_rps / capacity, 4),
            "utilization_at_peak_load": round(peak_rps / capacity, 4),
            "workload_share_of_gpu_time": round(float(share[0]), 6),
            "operations": {
                "usd_per_month": self.config.operations.usd_per_month,
                "basis": self.config.operations.basis,
            },
            "training": self.training.as_dict(),
            "training_gpu_hours": round(self.training_gpu_hours, 3),
            "training_usd": round(self.training_usd, 2),
            "amortization_months": self.config.training.amortization_months,
            "sharing_rule": (
                "this workload pays GPU and operations cost pro rata to the GPU time its traffic uses; "
                "other adapters are assumed to have the same token shape, so the share equals its share of requests"
            ),
            "prices": [ref.as_dict() for ref in refs],
        }
