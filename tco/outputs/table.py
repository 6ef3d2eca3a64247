"""Render a scenario result as text a planner reads in a terminal."""

from __future__ import annotations


def _usd(value: float) -> str:
    if abs(value) >= 100:
        return f"${value:,.0f}"
    if abs(value) >= 1:
        return f"${value:,.2f}"
    return f"${value:.4g}"


def _volume(value: float) -> str:
    return f"{value:,.0f}"


def _columns(rows: list[list[str]], right: set[int]) -> list[str]:
    widths = [max(len(row[index]) for row in rows) for index in range(len(rows[0]))]
    lines = []
    for row in rows:
        cells = [cell.rjust(widths[i]) if i in right else cell.ljust(widths[i]) for i, cell in enumerate(row)]
        lines.append("  ".join(cells).rstrip())
    return lines


def _token_line(details: dict) -> str:
    tokens = details["input_tokens_per_request"]
    # An estimate's tokenizer label already starts with "estimate:".
    label = f"{tokens['tokenizer']} (exact)" if tokens["exact"] else tokens["tokenizer"]
    return (
        f"input {tokens['mean']:,.1f} tokens/request (p95 {tokens['p95']:,.0f}), "
        f"output {details['output_tokens_per_request']:,.1f}; {label}"
    )


def render_table(document: dict) -> str:
    """Return the comparison, break-even volumes, token counts, prices and rules as text."""
    volume = document["volume_requests_per_month"]
    traffic = document["traffic"]
    lines = [
        f"Scenario: {document['scenario']}",
        f"Question: {document['question']}",
        f"Volume: {_volume(volume)} requests a month; peak-to-average load {traffic['peak_to_average']:.2f} "
        f"(trace {traffic['trace_peak_to_average']:.2f} per {traffic['bucket_seconds']} s x daily peak "
        f"{traffic['daily_peak_factor']:g})",
        "",
    ]

    header = ["Deployment", "Kind", "Monthly USD", "USD/request", "USD/1k requests", ""]
    rows = [header]
    for deployment in sorted(document["deployments"], key=lambda row: row["monthly_usd"]):
        marker = "cheapest" if deployment["name"] == document["cheapest"] else ""
        rows.append(
            [
                deployment["name"],
                deployment["kind"],
                _usd(deployment["monthly_usd"]),
                f"${deployment['usd_per_request']:.6f}",
                _usd(deployment["usd_per_request"] * 1000),
                marker,
            ]
        )
    lines += _columns(rows, right={2, 3, 4})

    lines += ["", "Monthly cost by component"]
    for deployment in document["deployments"]:
        parts = [f"{name} {_usd(usd)}" for name, usd in deployment["breakdown"].items() if usd != 0]
        lines.append(f"  {deployment['name']}: " + ", ".join(parts))

    low, high = document["volume_range_requests_per_month"]
    lines += ["", f"Break-even volumes (requests a month, searched from {_volume(low)} to {_volume(high)})"]
    for pair in document["break_even"]:
        if not pair["crossings"]:
            lines.append(f"  {pair['a']} vs {pair['b']}: costs never cross in this range")
            continue
        for crossing in pair["crossings"]:
            lines.append(
                f"  {pair['a']} vs {pair['b']}: {_volume(crossing['volume_requests_per_month'])} "
                f"({crossing['cheaper_below']} cheaper below, {crossing['cheaper_above']} above)"
            )

    lines += ["", "Tokens per request"]
    for deployment in document["deployments"]:
        lines.append(f"  {deployment['name']}: {_token_line(deployment['details'])}")
        per_task = deployment["details"].get("per_task")
        if per_task:
            means = [task["input_tokens_mean"] for task in per_task]
            lines.append(
                f"    {len(per_task)} tasks, each its own deployment: mean input from {min(means):,.0f} to "
                f"{max(means):,.0f} tokens a request"
            )

    api_lines = api_detail_lines(document["deployments"])
    if api_lines:
        lines += ["", "Hosted APIs: caching, retries and latency"] + api_lines

    self_hosted = [row for row in document["deployments"] if row["kind"] == "self_hosted_lora"]
    for deployment in self_hosted:
        lines += [""] + self_hosted_lines(deployment)

    lines += ["", "Prices and specs used (source, as of)"]
    seen = set()
    for deployment in document["deployments"]:
        for price in deployment["details"]["prices"]:
            key = (price["item"], price["value"])
            if key in seen:
                continue
            seen.add(key)
            lines.append(f"  {price['item']}: {price['value']}; {price['source']} ({price['as_of']})")
    return "\n".join(lines)


def self_hosted_lines(deployment: dict) -> list[str]:
    """Describe a self-hosted fleet: size, memory fit, capacity, utilization and latency."""
    details = deployment["details"]
    replica = details["replica"]
    memory = details["memory_gib"]
    latency = details["latency"]
    lines = [
        f"Self-hosted fleet of {deployment['name']} ({details['engine']} engine, {details['gpu_pricing']})",
        f"  {details['gpus']} x {details['gpu']}: {details['replicas']} replica(s) of {replica['gpus']} GPU for "
        f"{_volume(details['fleet_requests_per_month'])} requests a month over {details['adapters_on_fleet']} "
        f"adapters; peak {details['fleet_peak_requests_per_s']:.2f} requests/s",
        f"  memory per replica (GiB): weights {memory['weights']:.1f}, adapter slots {memory['adapters']:.2f} "
        f"({details['adapter_slots_per_replica']} x {details['adapter_mib']:.1f} MiB), KV cache {memory['kv_cache']:.1f} "
        f"of {memory['total']:.1f}; up to {replica['max_concurrency']} sequences",
        f"  per replica at concurrency {replica['concurrency']} (limited by {replica['limited_by']}): "
        f"{replica['requests_per_s']:.1f} requests/s, {replica['output_tokens_per_s']:,.0f} output tokens/s; "
        f"{details['replica_max_requests_per_s_within_targets']:.1f} requests/s within the latency targets "
        f"({details['replica_requests_per_s_per_adapter']:.2f} per adapter)",
        f"  one replica serves up to {_volume(details['one_replica_max_requests_per_month'])} fleet requests a month "
        "at this traffic shape; above that the fleet adds a replica",
        f"  latency: TTFT p95 {latency['ttft_p95_ms_at_average']:.0f} ms at average load, "
        f"{latency['ttft_p95_ms_at_peak']:.0f} ms at peak (target {latency['targets']['ttft_p95_ms']:g}); "
        f"TPOT {latency['tpot_ms']:.1f} ms (target {latency['targets']['tpot_ms']:g})",
        f"  utilization {details['utilization_at_average_load']:.1%} at average load, "
        f"{details['utilization_at_peak_load']:.1%} at peak; this workload's share {details['workload_share_of_gpu_time']:.2%}",
    ]
    if details["overflow_share_of_requests"] > 0:
        lines.append(f"  overflow to the API: {details['overflow_share_of_requests']:.2%} of requests")
    lines.append(f"  sharing rule: {details['sharing_rule']}")
    if details["workload_share_of_gpu_time"] < 1:
        lines.append(
            "  this cost assumes the other adapters' traffic exists: without it this workload pays the whole fleet"
        )
    return lines


def api_detail_lines(deployments: list[dict]) -> list[str]:
    """Describe each hosted deployment in one line: prompt-cache mode and hit rate, retries, expected latency."""
    lines = []
    for deployment in deployments:
        details = deployment["details"]
        if "per_task" in details or deployment["kind"] == "self_hosted_lora":
            continue
        parts = []
        caching = details.get("prompt_caching")
        if caching:
            if caching["mode"] in ("derived", "stated"):
                parts.append(
                    f"prompt cache {caching['mode']}, hit rate {caching['hit_rate']:.1%}: tokens "
                    f"{_usd(caching['token_usd_with_cache'])} with, {_usd(caching['token_usd_without_cache'])} without"
                )
            else:
                parts.append(f"prompt cache {caching['mode']}")
        if details.get("retry_rate"):
            parts.append(
                f"{details['retry_rate']:.0%} of calls retried ({details['calls_per_successful_request']:.3f} calls a success)"
            )
        latency = details.get("latency")
        if latency:
            note = (
                ""
                if latency["prompt_length_adjusted"]
                else " (as published; no prefill speed to scale by prompt length)"
            )
            parts.append(f"TTFT {latency['ttft_s']:.2f} s, end to end {latency['e2e_s']:.2f} s{note}")
        else:
            parts.append("no published latency for this model")
        lines.append(f"  {deployment['name']}: " + "; ".join(parts))
    return lines


def render_uncertainty(summary: dict) -> str:
    """P10/P50/P90 of monthly cost, the chance each deployment is cheapest, and break-even quantiles."""
    lines = ["", f"Uncertainty ({summary['samples']:,} samples of {', '.join(summary['inputs'])})"]
    rows = [["Deployment", "P10", "P50", "P90", "cheapest in"]]
    for name, quantiles in summary["monthly_usd"].items():
        chance = summary["probability_cheapest_at_scenario_volume"][name]
        rows.append([name, _usd(quantiles["p10"]), _usd(quantiles["p50"]), _usd(quantiles["p90"]), f"{chance:.0%}"])
    lines += ["  " + line for line in _columns(rows, right={1, 2, 3, 4})]
    for pair in summary["break_even"]:
        if "p50" in pair:
            base = pair.get("base_volume_requests_per_month")
            near = f" (near {_volume(base)} as written)" if base else ""
            lines.append(
                f"  {pair['a']} vs {pair['b']}{near}: break-even P10 {_volume(pair['p10'])}, P50 {_volume(pair['p50'])}, "
                f"P90 {_volume(pair['p90'])} requests a month ({pair['samples_with_crossing']:.0%} of samples cross)"
            )
    return "\n".join(lines)
