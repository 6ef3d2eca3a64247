"""`tco gpu plan`: memory, latency and throughput of one model replica on a GPU type."""

from __future__ import annotations

import click

from tco.cli.formats import PRICING_DIR_OPTION, TABLE_JSON_OPTION, echo_json

PRECISIONS = ["bf16", "fp16", "fp8", "int8", "int4"]
KV_PRECISIONS = ["bf16", "fp16", "fp8"]


@click.group()
def gpu() -> None:
    """Plan self-hosted serving on GPUs."""


def _concurrency(value: str) -> int | None:
    if value == "max":
        return None
    if not value.isdigit() or int(value) < 1:
        raise click.BadParameter(f"{value!r} is not a whole number of sequences or 'max'", param_hint="--concurrency")
    return int(value)


@gpu.command("plan")
@click.option("--model", required=True, help="Base model id, e.g. mistral-7b, llama-3.1-70b, qwen-2.5-7b.")
@click.option(
    "--gpu", "gpu_name", required=True, help="GPU id, e.g. a10g, l4, l40s, a100-40gb, a100-80gb, h100-sxm, h200."
)
@click.option(
    "--gpus", type=click.IntRange(min=1), help="GPUs per replica (tensor parallel). Default: the fewest that fit."
)
@click.option(
    "--precision",
    type=click.Choice(PRECISIONS),
    default="bf16",
    show_default=True,
    help="Weight precision; int8 and int4 are weight-only.",
)
@click.option(
    "--kv-precision", type=click.Choice(KV_PRECISIONS), default="bf16", show_default=True, help="KV cache precision."
)
@click.option("--input-tokens", type=click.IntRange(min=1), required=True, help="Prompt tokens per request.")
@click.option("--output-tokens", type=click.IntRange(min=1), required=True, help="Output tokens per request.")
@click.option(
    "--concurrency",
    default="max",
    show_default=True,
    help="Sequences in flight, or 'max' for the most memory and the engine allow.",
)
@click.option(
    "--adapters", type=click.IntRange(min=0), default=0, show_default=True, help="LoRA adapters served by the replica."
)
@click.option(
    "--lora-rank",
    type=click.IntRange(min=1),
    default=16,
    show_default=True,
    help="Rank of the adapter slots (vLLM's max_lora_rank).",
)
@click.option(
    "--adapter-slots",
    type=click.IntRange(min=1),
    help="Adapters held on the GPU at once (vLLM's max_loras). Default: all.",
)
@click.option("--engine", help="Engine profile from pricing/serving.yaml. Default: trt-llm.")
@TABLE_JSON_OPTION
@PRICING_DIR_OPTION
def plan(
    model: str,
    gpu_name: str,
    gpus: int | None,
    precision: str,
    kv_precision: str,
    input_tokens: int,
    output_tokens: int,
    concurrency: str,
    adapters: int,
    lora_rank: int,
    adapter_slots: int | None,
    engine: str | None,
    output_format: str,
) -> None:
    """Predict memory, time to first token, time per output token and throughput of one replica.

    A configuration that does not fit in memory is reported with the memory
    it lacks, and the command exits with status 1.
    """
    from tco.errors import UnknownModelError
    from tco.pricing.book import active_price_book
    from tco.serving.operating_point import TENSOR_PARALLEL_SIZES
    from tco.serving.performance import Lora, Prediction, predict

    book = active_price_book()
    arch, gpu_row, parameters = book.base_model(model), book.gpu(gpu_name), book.serving
    if engine is not None and engine not in parameters.engines:
        raise UnknownModelError(f"unknown engine {engine!r}; engines: {', '.join(sorted(parameters.engines))}")
    lora = Lora(adapters, lora_rank, slots=adapter_slots) if adapters else None
    wanted = _concurrency(concurrency)
    if input_tokens + output_tokens > arch.context_length_tokens:
        raise click.BadParameter(
            f"{input_tokens:,} input + {output_tokens:,} output tokens exceed {arch.name}'s "
            f"{arch.context_length_tokens:,}-token context",
            param_hint="--input-tokens/--output-tokens",
        )
    if gpus is not None and (gpus > max(TENSOR_PARALLEL_SIZES) or arch.attention_heads % gpus):
        raise click.BadParameter(
            f"{gpus} GPUs cannot split {arch.name}'s {arch.attention_heads} attention heads evenly within one "
            f"server; use one of {', '.join(str(size) for size in TENSOR_PARALLEL_SIZES if arch.attention_heads % size == 0)}",
            param_hint="--gpus",
        )

    sizes = [gpus] if gpus else list(TENSOR_PARALLEL_SIZES)
    for size in sizes:
        result = predict(
            arch, gpu_row, parameters, input_tokens, output_tokens, wanted,
            gpus=size, precision=precision, kv_precision=kv_precision, lora=lora, engine=engine,
        )  # fmt: skip
        if isinstance(result, Prediction):
            break

    header = {
        "model": arch.name,
        "gpu": gpu_row.name,
        "precision": precision,
        "kv_precision": kv_precision,
        "engine": engine or parameters.default_engine,
        "input_tokens": input_tokens,
        "output_tokens": output_tokens,
        "adapters": adapters,
        "lora_rank": lora_rank if adapters else None,
    }
    if not isinstance(result, Prediction):
        label = f"{arch.name} at {precision} on {result.gpus} x {gpu_row.name}"
        document = {
            **header,
            "fits": False,
            "gpus": result.gpus,
            "missing_gib": round(result.missing_bytes / 2**30, 3),
            "memory_gib": result.as_gib(),
            "message": result.shortfall_message(label),
        }
        if output_format == "json":
            echo_json(document)
        else:
            click.echo(document["message"])
        raise SystemExit(1)

    if wanted is not None and wanted > result.memory.max_concurrency:
        click.echo(
            f"warning: concurrency {wanted} exceeds the {result.memory.max_concurrency} sequences the KV cache holds; "
            f"reporting {result.memory.max_concurrency}, since the engine queues the rest",
            err=True,
        )
        result = predict(
            arch, gpu_row, parameters, input_tokens, output_tokens, result.memory.max_concurrency,
            gpus=result.memory.gpus, precision=precision, kv_precision=kv_precision, lora=lora, engine=engine,
        )  # fmt: skip
    document = {**header, **result.as_dict()}
    if output_format == "json":
        echo_json(document)
        return

    memory = document["memory_gib"]
    click.echo(
        f"{arch.name} on {result.memory.gpus} x {gpu_row.name}, {precision} weights, {kv_precision} KV cache, engine {document['engine']}"
    )
    click.echo(
        f"memory (GiB): weights {memory['weights']:.2f}, adapters {memory['adapters']:.2f}, reserved {memory['reserved']:.2f}, "
        f"KV cache {memory['kv_cache']:.2f} of {memory['total']:.2f}; {document['kv_bytes_per_token'] / 1024:.0f} KiB per token, "
        f"up to {document['max_concurrency']} sequences of {input_tokens}+{output_tokens} tokens"
    )
    click.echo(
        f"at concurrency {document['concurrency']}: TTFT {document['ttft_ms']:.1f} ms, TPOT {document['tpot_ms']:.2f} ms, "
        f"{document['requests_per_s']:.2f} requests/s, {document['output_tokens_per_s']:,.0f} output tokens/s, "
        f"{document['total_tokens_per_s']:,.0f} total tokens/s"
    )
    click.echo(f"roofline bound at 100% of peak: {document['roofline_output_tokens_per_s']:,.0f} output tokens/s")
