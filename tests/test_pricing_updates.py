"""Price imports into a user table folder: diff first, dated rows, and no damaged file on bad input."""

from __future__ import annotations

import json
import os

import pytest
import yaml

from tco.cli import main

# LiteLLM's format: USD per token. gpt-4o-mini's input drops from 0.15 to 0.12 per million.
LITELLM = {
    "gpt-4o-mini": {"litellm_provider": "openai", "mode": "chat", "input_cost_per_token": 1.2e-07,
                    "output_cost_per_token": 6e-07, "cache_read_input_token_cost": 7.5e-08},
    "gpt-4o": {"litellm_provider": "openai", "mode": "chat", "input_cost_per_token": 2.5e-06,
               "output_cost_per_token": 1e-05, "cache_read_input_token_cost": 1.25e-06},
}  # fmt: skip


def write(tmp_path, document, name="litellm.json"):
    path = tmp_path / name
    path.write_text(document if isinstance(document, str) else json.dumps(document))
    return path


def run_import(runner, tmp_path, path, *extra):
    folder = tmp_path / "user-pricing"
    arguments = [
        "pricing",
        "import",
        "--from",
        "litellm",
        "--file",
        str(path),
        "--pricing-dir",
        str(folder),
        "--date",
        "2026-12-10",
    ]
    return runner.invoke(main, [*arguments, *extra]), folder


def test_diff_without_apply_writes_nothing(runner, tmp_path):
    result, folder = run_import(runner, tmp_path, write(tmp_path, LITELLM))
    assert result.exit_code == 0, result.output
    assert "changed openai/gpt-4o-mini: input_usd_per_mtok 0.15 -> 0.12" in result.output
    assert "not in the source" in result.output
    assert not folder.exists()


def test_apply_adds_dated_row_and_keeps_history(runner, tmp_path):
    result, folder = run_import(runner, tmp_path, write(tmp_path, LITELLM), "--apply", "--yes")
    assert result.exit_code == 0, result.output
    rows = yaml.safe_load((folder / "api_models.yaml").read_text())["models"]
    assert [(row["model"], row["input_usd_per_mtok"], row["effective_from"]) for row in rows] == [
        ("gpt-4o-mini", 0.12, "2026-12-10")
    ]

    arguments = ["cost", "--model", "gpt-4o-mini", "--input-tokens", "100000", "--requests", "10", "--output-tokens", "0",
                 "--pricing-dir", str(folder), "--format", "json"]  # fmt: skip
    before = json.loads(runner.invoke(main, [*arguments, "--date", "2026-12-01"]).output)
    after = json.loads(runner.invoke(main, [*arguments, "--date", "2026-12-10"]).output)
    assert before["usd"] == pytest.approx(0.15)
    assert after["usd"] == pytest.approx(0.12)


def test_large_change_needs_yes(runner, tmp_path, book):
    # Halve every OpenAI price: far more than 20% of the current prices change.
    openai_rows = [row for row in book.api_models if row.provider == "openai" and not row.fine_tuned_from]
    document = {
        row.model: {"litellm_provider": "openai", "input_cost_per_token": row.input_usd_per_mtok / 2e6,
                    "output_cost_per_token": row.output_usd_per_mtok / 2e6}
        for row in openai_rows
    }  # fmt: skip
    path = write(tmp_path, document)
    refused, folder = run_import(runner, tmp_path, path, "--apply")
    assert refused.exit_code == 2
    assert "add --yes" in refused.output
    assert not (folder / "api_models.yaml").exists()
    accepted, _ = run_import(runner, tmp_path, path, "--apply", "--yes")
    assert accepted.exit_code == 0, accepted.output
    assert (folder / "api_models.yaml").exists()


def test_small_change_applies_without_yes(runner, tmp_path):
    result, folder = run_import(runner, tmp_path, write(tmp_path, {"gpt-4o-mini": LITELLM["gpt-4o-mini"]}), "--apply")
    assert result.exit_code == 0, result.output
    assert (folder / "api_models.yaml").exists()


def test_gpu_offer_import_missing_column(runner, tmp_path):
    path = tmp_path / "offers.csv"
    path.write_text("gpu,option,usd_per_hour,source,as_of\nh100-sxm,spot,1.5,quote,2030-01-01\n")
    result = runner.invoke(
        main, ["pricing", "import-gpu-offers", "--file", str(path), "--pricing-dir", str(tmp_path / "user")]
    )
    assert result.exit_code == 1
    assert "missing column(s) provider" in result.output


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ("{not json", "not valid JSON"),
        (
            {
                "gpt-4o-mini": {
                    "litellm_provider": "openai",
                    "input_cost_per_token": -1e-07,
                    "output_cost_per_token": 6e-07,
                }
            },
            "negative",
        ),
        (
            {
                "gpt-4o-mini": {
                    "litellm_provider": "openai",
                    "input_cost_per_token": "cheap",
                    "output_cost_per_token": 6e-07,
                }
            },
            "not a number",
        ),
        # A per-million price put where a per-token price belongs: 0.15 per token is 150,000 per million.
        (
            {
                "gpt-4o-mini": {
                    "litellm_provider": "openai",
                    "input_cost_per_token": 0.15,
                    "output_cost_per_token": 6e-07,
                }
            },
            "check the unit",
        ),
        ("[1, 2]", "expected a JSON object"),
    ],
)
def test_invalid_input_leaves_table_untouched(runner, tmp_path, document, message):
    folder = tmp_path / "user-pricing"
    folder.mkdir()
    original = "# hand-kept\nmodels: []\n"
    (folder / "api_models.yaml").write_text(original)
    result, _ = run_import(runner, tmp_path, write(tmp_path, document), "--apply", "--yes")
    assert result.exit_code == 1
    assert message in result.output
    assert "nothing was written" in result.output
    assert (folder / "api_models.yaml").read_text() == original


def test_interrupted_write_keeps_old_table(runner, tmp_path, monkeypatch):
    folder = tmp_path / "user-pricing"
    folder.mkdir()
    original = "models: []\n"
    (folder / "api_models.yaml").write_text(original)

    real_replace = os.replace
    calls = []

    def failing_replace(source, destination):
        calls.append(destination)
        if str(destination).startswith(str(folder)):
            raise OSError("disk full")
        return real_replace(source, destination)

    monkeypatch.setattr(os, "replace", failing_replace)
    result, _ = run_import(runner, tmp_path, write(tmp_path, LITELLM), "--apply", "--yes")
    assert result.exit_code != 0
    assert (folder / "api_models.yaml").read_text() == original
    assert [path.name for path in folder.iterdir()] == ["api_models.yaml"]


def test_validate_reports_unit_slip(runner, tmp_path):
    folder = tmp_path / "user-pricing"
    folder.mkdir()
    bad = yaml.safe_load(open(os.path.join(os.path.dirname(__file__), "..", "pricing", "api_models.yaml")))["models"][0]
    bad.update(
        effective_from="2026-12-20",
        aliases=[],
        input_usd_per_mtok=2.5e-06,
        cached_input_usd_per_mtok=1.25e-06,
        output_usd_per_mtok=1e-05,
    )
    (folder / "api_models.yaml").write_text(yaml.safe_dump({"models": [bad]}))
    result = runner.invoke(main, ["pricing", "validate", "--pricing-dir", str(folder)])
    assert result.exit_code == 1
    assert "looks like a per-token price" in result.output


def test_validate_bundled_tables(runner):
    result = runner.invoke(main, ["pricing", "validate"])
    assert result.exit_code == 0, result.output


def test_stale_and_show(runner):
    stale = runner.invoke(main, ["pricing", "stale", "--days", "0", "--format", "json"])
    assert stale.exit_code == 0
    assert len(json.loads(stale.output)) > 0
    show = runner.invoke(main, ["pricing", "show", "o3"])
    assert show.exit_code == 0
    assert "from 2025-06-10" in show.output


def test_genai_prices_import_offline(runner, tmp_path, monkeypatch):
    import socket

    def no_network(*_arguments, **_keywords):
        raise AssertionError("the import must not open a network connection")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    folder = tmp_path / "user-pricing"
    result = runner.invoke(
        main, ["pricing", "import", "--from", "genai-prices", "--pricing-dir", str(folder), "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    plan = json.loads(result.stdout)
    assert plan["source"].startswith("genai-prices")
    assert plan["unchanged"] > 10
    # genai-prices maps mistral-large-latest to the old Mistral Large at 2 / 6 USD (an alias drift), so the
    # diff shows it for review instead of applying it silently.
    changed = {item["model"]: item["fields"] for item in plan["changed"]}
    if "mistral/mistral-large-latest" in changed:
        assert changed["mistral/mistral-large-latest"]["input_usd_per_mtok"] == [0.5, 2.0]
    assert not folder.exists()


def test_genai_prices_apply_then_history(runner, tmp_path):
    folder = tmp_path / "user-pricing"
    result = runner.invoke(
        main,
        [
            "pricing",
            "import",
            "--from",
            "genai-prices",
            "--pricing-dir",
            str(folder),
            "--date",
            "2026-12-10",
            "--apply",
            "--yes",
        ],
    )
    assert result.exit_code == 0, result.output
    validate = runner.invoke(main, ["pricing", "validate", "--pricing-dir", str(folder)])
    assert validate.exit_code == 0, validate.output


def test_diff_between_dates(runner):
    result = runner.invoke(main, ["pricing", "diff", "2025-06-01", "2026-12-01", "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    o3 = {row["field"]: (row["2025-06-01"], row["2026-12-01"]) for row in rows if row["model"] == "openai/o3"}
    assert o3["input_usd_per_mtok"] == (10.0, 2.0)
    assert o3["output_usd_per_mtok"] == (40.0, 8.0)


def test_diff_rejects_bad_argument(runner):
    result = runner.invoke(main, ["pricing", "diff", "yesterday", "2026-12-01"])
    assert result.exit_code == 2
    assert "neither a date" in result.output


OVERRIDES = """
discounts:
  - provider: openai
    model: gpt-4o
    discount: 0.2
    source: enterprise agreement, 20% off gpt-4o
models:
  - provider: acme
    model: acme-private-7b
    input_usd_per_mtok: 0.05
    output_usd_per_mtok: 0.1
    context_window_tokens: 32000
    tokenizer: {encoding: o200k_base, ratio: 1.0, basis: "estimate: proxy"}
    source: internal chargeback rate
    as_of: 2026-12-01
gpus:
  - gpu: a100-80gb
    usd_per_hour: 1.1
    source: internal cluster chargeback
"""


def test_override_discount_and_private_model(runner, tmp_path):
    path = tmp_path / "overrides.yaml"
    path.write_text(OVERRIDES)
    discounted = runner.invoke(
        main,
        [
            "cost",
            "--model",
            "gpt-4o",
            "--input-tokens",
            "1000",
            "--output-tokens",
            "1000",
            "--pricing",
            str(path),
            "--format",
            "json",
        ],
    )
    assert discounted.exit_code == 0, discounted.output
    document = json.loads(discounted.stdout)
    # (1,000 x 2.50 + 1,000 x 10) x 0.8 = 10,000 per million.
    assert document["usd"] == pytest.approx(0.01)
    assert document["source"].startswith(f"override {path}")

    private = runner.invoke(
        main,
        [
            "cost",
            "--model",
            "acme-private-7b",
            "--input-tokens",
            "1000",
            "--output-tokens",
            "1000",
            "--pricing",
            str(path),
            "--format",
            "json",
        ],
    )
    assert json.loads(private.stdout)["usd"] == pytest.approx(0.00015)


def test_override_gpu_cost_reported(runner, tmp_path):
    path = tmp_path / "overrides.yaml"
    path.write_text(OVERRIDES)
    result = runner.invoke(main, ["run", "intent-routing", "--pricing", str(path), "--format", "json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    fleet = next(row for row in document["deployments"] if row["kind"] == "self_hosted_lora")
    gpu_price = next(price for price in fleet["details"]["prices"] if price["item"] == "A100-80GB GPU")
    assert gpu_price["value"].startswith("1.1 USD per GPU-hour")
    assert "override" in gpu_price["source"]


def test_override_unmatched_discount_rejected(runner, tmp_path):
    path = tmp_path / "overrides.yaml"
    path.write_text("discounts:\n  - provider: nobody\n    discount: 0.1\n    source: test\n")
    result = runner.invoke(
        main, ["cost", "--model", "gpt-4o", "--input-tokens", "1", "--output-tokens", "1", "--pricing", str(path)]
    )
    assert result.exit_code == 1
    assert "matches no priced model" in result.output


def test_gpu_offer_import_keeps_history(runner, tmp_path, book):
    old = next(offer for offer in book.current_gpu_offers() if offer.gpu == "A100-80GB" and offer.option == "on_demand")
    path = tmp_path / "offers.csv"
    path.write_text(
        "gpu,option,provider,usd_per_hour,source,as_of\n"
        f"a100-80gb,on_demand,{old.provider},{old.usd_per_hour / 2},test quote,2030-01-01\n"
        "h100-sxm,spot,NewCloud,1.5,test quote,2030-01-01\n"
    )
    folder = tmp_path / "user-pricing"
    result = runner.invoke(
        main, ["pricing", "import-gpu-offers", "--file", str(path), "--pricing-dir", str(folder), "--apply"]
    )
    assert result.exit_code == 0, result.output
    assert "1 new offer(s), 1 changed" in result.output
    from tco.pricing.book import load_price_book

    layered = load_price_book(user_folders=[folder])
    history = [
        offer
        for offer in layered.gpu_offers
        if offer.gpu == "A100-80GB" and offer.provider == old.provider and offer.option == "on_demand"
    ]
    assert len(history) == 2
    current = [
        offer
        for offer in layered.current_gpu_offers()
        if offer.gpu == "A100-80GB" and offer.provider == old.provider and offer.option == "on_demand"
    ]
    assert current[0].usd_per_hour == pytest.approx(old.usd_per_hour / 2)


def test_gpu_offer_import_rejects_bad_row_untouched(runner, tmp_path):
    folder = tmp_path / "user-pricing"
    folder.mkdir()
    (folder / "gpu_offers.yaml").write_text("gpu_offers: []\n")
    path = tmp_path / "offers.csv"
    path.write_text("gpu,option,provider,usd_per_hour,source,as_of\nh100-sxm,spot,X,-2,quote,2030-01-01\n")
    result = runner.invoke(
        main, ["pricing", "import-gpu-offers", "--file", str(path), "--pricing-dir", str(folder), "--apply"]
    )
    assert result.exit_code == 1
    assert "row 2" in result.output
    assert (folder / "gpu_offers.yaml").read_text() == "gpu_offers: []\n"
