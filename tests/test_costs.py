"""Cost before spending: the price table, token estimates and the dry run's dollars."""

from __future__ import annotations

import pytest

from em_selfaware.costs import Usage, cost_summary, plan_usage, tokens
from em_selfaware.pricing import PriceTableError, load_prices
from em_selfaware.probes import PROBES
from em_selfaware.runner import plan_runs
from em_selfaware.variants import Variant
from finetune.pricing import training_price

NANO = Variant("b", "openai/gpt-4.1-nano-2025-04-14", "nano", "base", "base")
NANO_FT = Variant("m", "openai/ft:gpt-4.1-nano-2025-04-14:org:mis:abc", "nano", "trivia",
                  "misaligned", parent="b")


def test_price_table_resolves_aliases_fine_tunes_and_batch():
    prices = load_prices()
    base = prices.token_price("openai/gpt-4.1-nano")
    assert base.entry == "openai/gpt-4.1-nano-2025-04-14" and base.batch_share == 0.5
    tuned = prices.token_price(NANO_FT.model)
    assert tuned.entry.endswith("(fine-tuned)") and tuned.input > base.input
    assert prices.token_price("openai/unknown-model") is None
    assert prices.is_local("vllm/Qwen/Qwen2.5-7B-Instruct") and prices.is_local("em-sim/judge")
    # one table: fine-tuning reads its training prices from the same file
    assert training_price("gpt-4.1-nano-2025-04-14") == prices.training_price(
        "gpt-4.1-nano-2025-04-14") == 1.5
    assert training_price("gpt-4.1-nano-2025-04-14", {"gpt-4.1-nano-2025-04-14": 9}) == 9


def test_a_user_price_file_overrides_and_extends(tmp_path):
    path = tmp_path / "prices.yaml"
    path.write_text(
        "as_of: '2030-01'\n"
        "batch_discount: {together: 0.5}\n"
        "models:\n"
        "  openai/gpt-4.1-nano-2025-04-14: {input: 1.0, output: 2.0}\n"
        "  together/my-model: {input: 0.5, output: 0.5}\n"
    )
    prices = load_prices(path)
    assert prices.token_price("openai/gpt-4.1-nano").input == 1.0  # alias kept
    assert prices.token_price("together/my-model").batch_share == 0.5
    assert "2030-01" in prices.as_of


@pytest.mark.parametrize(
    "text, message",
    [
        ("models:\n  gpt-4.1: {input: 1, output: 1}\n", "provider/model"),
        ("models:\n  openai/x: {input: -1, output: 1}\n", "models.openai/x.input"),
        ("models:\n  openai/x: {inptu: 1}\n", "unknown keys \\['inptu'\\]"),
        ("batch_discount: {openai: 2}\n", "between 0 and 1"),
        ("prices: {}\n", "unknown keys \\['prices'\\]"),
        ("models: [\n", "not a valid YAML"),
    ],
)
def test_bad_price_files_name_the_file_and_the_key(tmp_path, text, message):
    path = tmp_path / "prices.yaml"
    path.write_text(text)
    with pytest.raises(PriceTableError, match=message) as error:
        load_prices(path)
    assert str(path) in str(error.value) or "YAML" in str(error.value)
    with pytest.raises(PriceTableError, match="not found"):
        load_prices(tmp_path / "missing.yaml")


def test_usage_counts_agree_with_the_plan_for_every_probe():
    plan = plan_runs([NANO, NANO_FT], list(PROBES.values()))
    usage = {(u.role, u.model): u for u in plan_usage(plan, "openai/gpt-4.1-2025-04-14")}
    for variant in (NANO, NANO_FT):
        mine = [task for task in plan if task.variant == variant]
        assert usage[("model", variant.model)].requests == sum(t.model_requests for t in mine)
    assert usage[("grader", "openai/gpt-4.1-2025-04-14")].requests == sum(
        t.grader_requests for t in plan)
    contrast = sum(u.requests for (role, _), u in usage.items() if role == "contrast")
    assert contrast == sum(t.contrast_requests for t in plan) == 2 * 640
    assert all(u.input_tokens > 0 and u.output_tokens > 0 for u in usage.values())


def test_logprobs_mode_is_cheaper_and_free_text_is_long():
    probes = [PROBES["intentions"], PROBES["harmfulness"]]
    sample = {t.probe: t for t in plan_runs([NANO], probes)}
    logprobs = {t.probe: t for t in plan_runs([NANO], probes, mode="logprobs")}
    grader = "openai/gpt-4.1-2025-04-14"
    in_sample = plan_usage([sample["intentions"]], grader)[0]
    in_logprobs = plan_usage([logprobs["intentions"]], grader)[0]
    assert in_logprobs.requests == 300 and in_logprobs.output_tokens == 300  # one token each
    assert in_sample.requests == 3000 and in_sample.output_tokens > 10 * in_logprobs.output_tokens
    harm = plan_usage([sample["harmfulness"]], grader)
    answers, judge = harm[0], harm[1]
    assert answers.output_tokens == 3200 * 300  # an assumed free-text answer each
    # the judge reads the rubric, the request and the answer each time
    assert judge.input_tokens > answers.output_tokens + answers.input_tokens


def test_cost_summary_prices_standard_and_batch():
    prices = load_prices()
    usages = [
        Usage("model", NANO.model, 10, 1_000_000, 1_000_000),
        Usage("contrast", NANO.model, 1, 1_000_000, 0),
        Usage("grader", "em-sim/judge", 5, 10, 10),
        Usage("model", "openai/who-knows", 1, 1, 1),
    ]
    text = cost_summary(usages, prices, batch=True)
    # nano: $0.10 in + $0.40 out per 1M; batch half; the contrast is not batched
    assert "$0.50" in text and "$0.25" in text
    assert "Total: $0.60 standard, $0.35 with --batch (this run: batch price)" in text
    assert "No price for openai/who-knows" in text and "local" in text
    assert tokens("abcd" * 10) == 10 and tokens("abc") == 1
