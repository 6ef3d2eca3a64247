"""A base model on GPUs serving several LoRA adapters, this workload's among them.

The fleet runs around the clock and is sized, in whole replicas, so that the
peak load of all adapters together meets the p95 time-to-first-token target
(queueing included) and the time-per-output-token target. This workload pays
a share of the fleet's GPU and operations cost pro rata to the GPU time its
traffic uses. Every adapter is assumed to have this workload's token shape,
so that share equals its share of requests. Its own fine-tuning, retraining
and evaluation are added on top. With `hybrid`, the fleet is sized for a
share of the peak and the requests above its capacity go to an API deployment.
"""

from __future__ import annotations

import math

import numpy as np

from tco.deployments.base import CostModel, PriceRef, ScenarioContext
from tco.deployments.lifecycle import lifecycle_monthly_usd
from tco.deployments.training import measure_training_tokens
from tco.errors import ScenarioError
from tco.scenario import SelfHostedLora
from tco.serving.architecture import lora_adapter_bytes
from tco.serving.gpu_cost import gpu_monthly_cost
from tco.serving.operating_point import operating_point
from tco.serving.performance import Lora, training_gpu_hours
from tco.serving.sizing import max_arrival_rate, replica_latency
from tco.tokens.counter import TokenCounter
from tco.units import SECONDS_PER_MONTH
from tco.workload import TokenStats, count_chat, output_token_mean


class SelfHostedLoraModel:
    kind = "self_hosted_lora"

    def __init__(self, config: SelfHostedLora, context: ScenarioContext, overflow: CostModel | None = None):
        self.name = config.name
        self.config = config
        book = context.book
        self.arch = book.base_model(config.base_model)
        self.gpu = book.gpu(config.gpu)
        self.parameters = book.serving
        self.engine = config.engine or self.parameters.default_engine
        if self.engine not in self.parameters.engines:
            raise ScenarioError(
                f"{context.loaded.path}: deployment {config.name!r}: unknown engine {self.engine!r}; "
                f"engines: {', '.join(sorted(self.parameters.engines))}"
            )
        self.traffic = context.traffic
        self.overflow = overflow

        counter = TokenCounter(self.arch.tokenizer)
        system = context.measurer.render(config.system_prompt)
        user = context.measurer.render(context.workload.user_input)
        self.input_tokens = TokenStats.of(
            count_chat(counter, [("system", system), ("user", user)]), counter.label, counter.exact
        )
        self.output_mean, self.output_basis = output_token_mean(
            context.workload.output_tokens, context.measurer, counter
        )

        self.lora = Lora(config.adapters, config.lora_rank, tuple(config.target_modules), slots=config.adapter_slots)
        self.point = operating_point(
            self.arch,
            self.gpu,
            self.parameters,
            input_tokens=self.input_tokens.mean,
            output_tokens=self.output_mean,
            tpot_target_s=config.time_per_output_token_ms / 1000,
            ttft_target_s=config.ttft_p95_ms / 1000,
            gpus=config.gpus_per_replica,
            precision=config.precision,
            kv_precision=config.kv_precision,
            lora=self.lora,
            engine=self.engine,
            label=f"deployment {config.name!r}",
        )
        self.prediction = self.point.prediction
        self.replica_rate = max_arrival_rate(
            self.prediction, config.ttft_p95_ms / 1000, self.parameters.max_utilization
        )
        self.gpu_cost = gpu_monthly_cost(book, self.gpu, config.gpu_pricing)

        self.training = measure_training_tokens(context, counter, config.training)
        self.training_gpu_hours = training_gpu_hours(
            self.arch, self.gpu, self.parameters, self.training.trained_tokens, config.fine_tuning_method
        )
        self.training_usd = self.training_gpu_hours * self.gpu_cost.usd_per_gpu_hour
        # Marginal cost of one request on the fleet, for evaluation runs.
        gpu_seconds = self.prediction.memory.gpus / self.prediction.requests_per_s
        self.usd_per_request_served = gpu_seconds * self.gpu_cost.usd_per_gpu_hour / 3600

    @property
    def gpus_per_replica(self) -> int:
        return self.prediction.memory.gpus

    def _peak_rate(self, fleet_volumes: np.ndarray) -> np.ndarray:
        return fleet_volumes / SECONDS_PER_MONTH * self.traffic.peak_to_average

    def fleet(self, volumes: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Return (replicas, this workload's share of the fleet, share of requests that overflow) per volume."""
        volumes = np.asarray(volumes, dtype=float)
        total = volumes + self.config.other_adapters_requests_per_month
        sized_share = self.config.hybrid.gpu_share_of_peak if self.config.hybrid else 1.0
        replicas = np.maximum(1.0, np.ceil(self._peak_rate(total) * sized_share / self.replica_rate))
        share = np.divide(volumes, total, out=np.zeros_like(total), where=total > 0)

        overflow = np.zeros_like(total)
        if self.config.hybrid:
            average_rate = total / SECONDS_PER_MONTH
            capacity = np.divide(
                replicas * self.replica_rate, average_rate, out=np.full_like(total, np.inf), where=average_rate > 0
            )
            overflow = np.array([self.traffic.overflow_share(value) for value in capacity])
        return replicas, share, overflow

    def monthly_cost(self, volumes: np.ndarray) -> dict[str, np.ndarray]:
        volumes = np.asarray(volumes, dtype=float)
        replicas, share, overflow = self.fleet(volumes)
        fleet_usd = replicas * self.gpus_per_replica * self.gpu_cost.usd_per_gpu_month
        amortized = self.training_usd / self.config.training.amortization_months
        lifecycle = lifecycle_monthly_usd(self.config.lifecycle, self.training_usd, self.usd_per_request_served)
        costs = {
            "GPUs (share)": fleet_usd * share,
            "operations (share)": self.config.operations.usd_per_month * share,
            "fine-tuning (amortized)": np.full_like(share, amortized),
            "retraining and evaluation": np.full_like(share, lifecycle),
        }
        if self.config.hybrid:
            overflow_costs = self.overflow.monthly_cost(volumes * overflow)
            costs[f"overflow to {self.overflow.name}"] = np.zeros_like(volumes) + sum(overflow_costs.values())
        return costs

    def one_replica_volume(self) -> float:
        """Fleet requests a month that one replica serves within the targets at the peak-to-average ratio."""
        sized_share = self.config.hybrid.gpu_share_of_peak if self.config.hybrid else 1.0
        return self.replica_rate * SECONDS_PER_MONTH / (self.traffic.peak_to_average * sized_share)

    def breakpoints(self, low: float, high: float) -> np.ndarray:
        """Volumes where the fleet gains a replica."""
        per_replica_volume = self.one_replica_volume()
        others = self.config.other_adapters_requests_per_month
        first = max(1, int(np.floor((low + others) / per_replica_volume)))
        last = int(np.ceil((high + others) / per_replica_volume))
        first = max(first, last - 100_000)
        steps = np.arange(first, last + 1) * per_replica_volume - others
        points = steps[(steps >= low) & (steps <= high)]
        if self.overflow is not None:
            points = np.concatenate([points, self.overflow.breakpoints(low, high)])
        return points

    def details(self, volume: float) -> dict:
        replicas, share, overflow = self.fleet(np.array([volume]))
        replicas = int(replicas[0])
        total = volume + self.config.other_adapters_requests_per_month
        served_fraction = 1 - overflow[0]
        average_rate = total / SECONDS_PER_MONTH * served_fraction
        peak_rate = min(self._peak_rate(np.array([total]))[0], replicas * self.replica_rate)
        capacity = replicas * self.prediction.requests_per_s
        at_average = replica_latency(self.prediction, average_rate / replicas)
        at_peak = replica_latency(self.prediction, peak_rate / replicas)
        memory = self.prediction.memory
        adapter_mib = lora_adapter_bytes(self.arch, self.config.lora_rank, self.config.target_modules) / 2**20

        refs = [
            PriceRef(f"{self.gpu.name} GPU", f"{self.gpu_cost.usd_per_gpu_hour:.4g} USD per GPU-hour ({self.gpu_cost.description})",
                     self.gpu_cost.source, self.gpu_cost.as_of),
            PriceRef(f"{self.gpu.name} specs", "memory, bandwidth, TFLOPS", self.gpu.source, self.gpu.as_of.isoformat()),
            PriceRef(f"{self.arch.name} architecture", "layers, heads, dims", self.arch.source, self.arch.as_of.isoformat()),
            PriceRef(
                "serving model parameters",
                f"engine {self.engine}; bandwidth efficiency {self.parameters.memory_bandwidth_efficiency:g}, compute "
                f"efficiency {self.parameters.compute_efficiency:g}, max utilization {self.parameters.max_utilization:g}",
                self.parameters.source,
                self.parameters.as_of.isoformat(),
            ),
        ]  # fmt: skip
        if self.config.hybrid:
            refs += [PriceRef(**price) for price in self.overflow.details(volume * overflow[0])["prices"]]
        return {
            "base_model": self.arch.name,
            "gpu": self.gpu.name,
            "engine": self.engine,
            "precision": self.config.precision,
            "kv_precision": self.config.kv_precision,
            "adapters_on_fleet": self.config.adapters,
            "adapter_slots_per_replica": self.lora.gpu_slots,
            "lora_rank": self.config.lora_rank,
            "adapter_mib": round(adapter_mib, 2),
            "input_tokens_per_request": self.input_tokens.as_dict(),
            "output_tokens_per_request": round(self.output_mean, 2),
            "output_tokens_basis": self.output_basis,
            "replica": {**self.prediction.as_dict(), "limited_by": self.point.limited_by},
            "replica_max_requests_per_s_within_targets": round(self.replica_rate, 4),
            "replica_requests_per_s_per_adapter": round(self.replica_rate / self.config.adapters, 4),
            "one_replica_max_requests_per_month": round(self.one_replica_volume()),
            "replicas": replicas,
            "gpus": replicas * self.gpus_per_replica,
            "gpu_pricing": self.gpu_cost.description,
            "fleet_requests_per_month": total,
            "fleet_peak_requests_per_s": round(float(self._peak_rate(np.array([total]))[0]), 4),
            "utilization_at_average_load": round(average_rate / capacity, 4),
            "utilization_at_peak_load": round(peak_rate / capacity, 4),
            "latency": {
                "ttft_p95_ms_at_average": round(at_average.ttft_p95_s * 1000, 2),
                "ttft_p95_ms_at_peak": round(at_peak.ttft_p95_s * 1000, 2),
                "tpot_ms": round(self.prediction.tpot_s * 1000, 3),
                "e2e_mean_ms_at_peak": round(at_peak.e2e_mean_s * 1000, 2)
                if math.isfinite(at_peak.e2e_mean_s)
                else None,
                "targets": {"ttft_p95_ms": self.config.ttft_p95_ms, "tpot_ms": self.config.time_per_output_token_ms},
            },
            "memory_gib": memory.as_gib(),
            "workload_share_of_gpu_time": round(float(share[0]), 6),
            "overflow_share_of_requests": round(float(overflow[0]), 6),
            "operations": {
                "usd_per_month": self.config.operations.usd_per_month,
                "basis": self.config.operations.basis,
            },
            "training": self.training.as_dict(),
            "fine_tuning_method": self.config.fine_tuning_method,
            "training_gpu_hours": round(self.training_gpu_hours, 3),
            "training_usd": round(self.training_usd, 2),
            "amortization_months": self.config.training.amortization_months,
            "sharing_rule": (
                "this workload pays GPU and operations cost pro rata to the GPU time its traffic uses; "
                "other adapters are assumed to have the same token shape, so the share equals its share of requests"
            ),
            "prices": [ref.as_dict() for ref in refs],
        }
