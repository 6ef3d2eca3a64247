"""Recurring cost of a fine-tuned model: retraining on a cadence and evaluating each candidate."""

from __future__ import annotations

from tco.scenario import AdapterLifecycle


def lifecycle_monthly_usd(
    lifecycle: AdapterLifecycle | None, training_usd: float, usd_per_eval_request: float
) -> float:
    """USD per month: retrains a year x (training run + evaluation) / 12.

    Each candidate and the baseline it must beat each run the evaluation
    suite: 2 x examples x runs requests at `usd_per_eval_request`.
    """
    if lifecycle is None or lifecycle.retrains_per_year == 0:
        return 0.0
    evaluation = 2 * lifecycle.eval_examples * lifecycle.eval_runs * usd_per_eval_request
    return lifecycle.retrains_per_year * (training_usd + evaluation) / 12
