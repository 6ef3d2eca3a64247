"""`tco gpu plan` for every catalog model and GPU, through click's CliRunner."""

from __future__ import annotations

import json

import pytest

from tco.cli import main

MODELS = ["mistral-7b", "llama-3.1-8b", "llama-3.1-70b", "llama-2-7b", "llama-2-13b", "llama-2-70b", "qwen-2.5-7b"]
GPUS = ["a10g", "l4", "l40s", "a100-40gb", "a100-80gb", "h100-sxm", "h200"]


@pytest.mark.parametrize("model", MODELS)
def test_plan_answers_every_gpu(runner, model):
    for gpu in GPUS:
        result = runner.invoke(
            main,
            [
                "gpu",
                "plan",
                "--model",
                model,
                "--gpu",
                gpu,
                "--input-tokens",
                "1000",
                "--output-tokens",
                "200",
                "--format",
                "json",
            ],
        )
        assert result.exit_code == 0, result.output
        document = json.loads(result.stdout)
        assert document["fits"] is True, (model, gpu)
        for field in (
            "output_tokens_per_s",
            "total_tokens_per_s",
            "requests_per_s",
            "ttft_ms",
            "tpot_ms",
            "max_concurrency",
        ):
            assert document[field] > 0, (model, gpu, field)
        assert set(document["memory_gib"]) >= {"weights", "kv_cache", "adapters"}


def test_plan_reports_memory_shortfall(runner):
    result = runner.invoke(
        main,
        ["gpu", "plan", "--model", "llama-3.1-70b", "--gpu", "a100-80gb", "--gpus", "1",
         "--input-tokens", "1000", "--output-tokens", "200", "--format", "json"],
    )  # fmt: skip
    assert result.exit_code == 1, result.output
    document = json.loads(result.stdout)
    assert document["fits"] is False
    assert document["missing_gib"] > 50
    assert "output_tokens_per_s" not in document
    assert "does not fit" in document["message"]


def test_plan_table_with_adapters(runner):
    result = runner.invoke(
        main,
        ["gpu", "plan", "--model", "mistral-7b", "--gpu", "a100-80gb", "--input-tokens", "500", "--output-tokens", "100",
         "--concurrency", "32", "--adapters", "25", "--lora-rank", "8"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "at concurrency 32" in result.output
    assert "adapters 0.98" in result.output or "adapters 0.9" in result.output


def test_plan_larger_model_is_slower(runner):
    def output_rate(model):
        result = runner.invoke(
            main,
            ["gpu", "plan", "--model", model, "--gpu", "h100-sxm", "--gpus", "4", "--input-tokens", "500",
             "--output-tokens", "500", "--concurrency", "16", "--format", "json"],
        )  # fmt: skip
        return json.loads(result.stdout)["output_tokens_per_s"]

    assert output_rate("llama-3.1-70b") < output_rate("llama-3.1-8b")


def test_plan_unknown_gpu_lists_names(runner):
    result = runner.invoke(
        main,
        ["gpu", "plan", "--model", "mistral-7b", "--gpu", "a100-90gb", "--input-tokens", "1", "--output-tokens", "1"],
    )
    assert result.exit_code == 1
    assert "a100-80gb" in result.output.lower()


def test_plan_bad_concurrency(runner):
    result = runner.invoke(
        main,
        [
            "gpu",
            "plan",
            "--model",
            "mistral-7b",
            "--gpu",
            "l4",
            "--input-tokens",
            "1",
            "--output-tokens",
            "1",
            "--concurrency",
            "lots",
        ],
    )
    assert result.exit_code == 2
    assert "--concurrency" in result.output


def test_plan_rejects_uneven_tensor_parallel(runner):
    result = runner.invoke(
        main,
        [
            "gpu",
            "plan",
            "--model",
            "llama-3.1-70b",
            "--gpu",
            "h100-sxm",
            "--gpus",
            "3",
            "--input-tokens",
            "10",
            "--output-tokens",
            "10",
        ],
    )
    assert result.exit_code == 2
    assert "64 attention heads" in result.output


def test_plan_rejects_prompt_beyond_context(runner):
    result = runner.invoke(
        main,
        [
            "gpu",
            "plan",
            "--model",
            "mistral-7b",
            "--gpu",
            "a100-80gb",
            "--input-tokens",
            "200000",
            "--output-tokens",
            "10",
        ],
    )
    assert result.exit_code == 2
    assert "32,768-token context" in result.output


def test_plan_caps_concurrency_at_memory(runner):
    result = runner.invoke(
        main,
        ["gpu", "plan", "--model", "mistral-7b", "--gpu", "l4", "--input-tokens", "4000", "--output-tokens", "1000",
         "--concurrency", "100000", "--format", "json"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["concurrency"] == document["max_concurrency"]
