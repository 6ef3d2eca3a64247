"""Whole replicas for a peak load and latency targets, with queueing in the latency.

A replica runs up to B sequences at once, each taking E2E(B) seconds, so it
behaves as an M/M/c queue with c = B servers of rate 1 / E2E(B). Erlang's C
formula gives the chance that a request waits for a free sequence slot, and
the waiting time's tail: P(wait > t) = C x exp(-(c mu - lambda) t). The p95
time to first token is the unloaded TTFT plus the p95 wait.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from tco.errors import ScenarioError
from tco.serving.performance import Prediction


def erlang_c(servers: int, offered_load: float) -> float:
    """Probability that an arrival waits in an M/M/c queue with `offered_load` = lambda / mu < servers.

    Computed through the Erlang B recursion, which stays stable for thousands of servers.
    """
    if offered_load <= 0:
        return 0.0
    if offered_load >= servers:
        return 1.0
    blocking = 1.0
    for k in range(1, servers + 1):
        blocking = offered_load * blocking / (k + offered_load * blocking)
    utilization = offered_load / servers
    return blocking / (1 - utilization + utilization * blocking)


@dataclass(frozen=True)
class QueueLatency:
    """Latency of requests arriving at `arrival_rate` per second to one replica."""

    utilization: float
    wait_probability: float
    wait_p95_s: float
    ttft_p95_s: float
    e2e_mean_s: float


def replica_latency(prediction: Prediction, arrival_rate: float) -> QueueLatency:
    """Queueing latency of one replica operated at `prediction.concurrency` slots."""
    slots = prediction.concurrency
    service_rate = 1 / prediction.e2e_s
    offered = arrival_rate / service_rate
    utilization = offered / slots
    if utilization >= 1:
        return QueueLatency(utilization, 1.0, math.inf, math.inf, math.inf)

    waiting = erlang_c(slots, offered)
    drain = slots * service_rate - arrival_rate
    wait_p95 = math.log(waiting / 0.05) / drain if waiting > 0.05 else 0.0
    mean_wait = waiting / drain
    return QueueLatency(
        utilization=utilization,
        wait_probability=waiting,
        wait_p95_s=wait_p95,
        ttft_p95_s=prediction.ttft_s + wait_p95,
        e2e_mean_s=prediction.e2e_s + mean_wait,
    )


def max_arrival_rate(prediction: Prediction, ttft_p95_target_s: float, max_utilization: float) -> float:
    """Highest arrival rate one replica takes within the p95 TTFT target and the utilization cap.

    Every replica of a fleet gets an equal share of the load, so a fleet for a
    peak of R requests/s needs ceil(R / this rate) replicas.
    """
    if prediction.ttft_s > ttft_p95_target_s:
        raise ScenarioError(
            f"time to first token is {prediction.ttft_s * 1000:.0f} ms even without queueing, above the "
            f"ttft_p95_ms target of {ttft_p95_target_s * 1000:.0f} ms; raise the target or use a faster configuration"
        )
    low, high = 0.0, prediction.requests_per_s * max_utilization
    if replica_latency(prediction, high).ttft_p95_s <= ttft_p95_target_s:
        return high
    for _ in range(60):
        middle = (low + high) / 2
        if replica_latency(prediction, middle).ttft_p95_s <= ttft_p95_target_s:
            low = middle
        else:
            high = middle
    return low
