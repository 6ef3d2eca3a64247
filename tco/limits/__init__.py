"""Rate limits: which account tier holds a workload's peak, and what throttling it would see."""
