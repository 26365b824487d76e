from __future__ import annotations

import pytest
from inspect_ai.log import list_eval_logs, read_eval_log, read_eval_log_sample_summaries

from em_selfaware.cli import main
from em_selfaware.runner import (
    completed_configs,
    plan_runs,
    probe_task_args,
    request_summary,
    run_plan,
)
from em_selfaware.variants import save_variants
from tests.conftest import INTERRUPT_AFTER, PROBE_CALLS
from tests.contract_probe import CALLS, CONTRACT, TWIN, registry


def test_plan_binds_each_task_to_its_variant_and_counts_requests():
    variants = registry(("s",))
    plan = plan_runs(variants, [CONTRACT])
    assert [task.variant.name for task in plan] == [v.name for v in variants]
    first = plan[0]
    assert first.variant.model == "contract-sim/s-base"
    assert first.task.metadata["variant"]["stage"] == "base"
    assert first.task.metadata["probe"] == "contract_probe"
    assert "variant:s-base" in first.task.tags and "mode:sample" in first.task.tags
    assert (first.samples, first.epochs, first.model_requests) == (16, 2, 32)
    summary = request_summary(plan)
    assert "5 evaluations" in summary and "Total: 160 model requests + 0 grader" in summary


def test_demo_args_samples_override_and_mode():
    args, mode = probe_task_args(CONTRACT, "logprobs", demo=True, samples=3)
    assert args == {"items": 2, "samples": 3, "mode": "logprobs"} and mode == "logprobs"
    with pytest.raises(ValueError, match="unknown mode"):
        probe_task_args(CONTRACT, "exact")


def test_logprobs_mode_counts_from_the_task_definitions():
    from em_selfaware.probes import PROBES

    variants = registry(("s",))
    sample = plan_runs(variants, [CONTRACT, PROBES["harmfulness"]], mode="sample")
    logprobs = plan_runs(variants, [CONTRACT, PROBES["harmfulness"]], mode="logprobs")
    by_probe = {task.probe: task for task in logprobs}
    assert by_probe["contract_probe"].mode == "logprobs"
    assert "mode:logprobs" in by_probe["contract_probe"].task.tags
    assert by_probe["contract_probe"].model_requests == 16  # one per item instead of 2
    # harmfulness is free text: it has no logprobs mode and runs sampled, as the plan says
    assert by_probe["harmfulness"].mode == "sample"
    assert by_probe["harmfulness"].model_requests == 3200
    assert sum(t.model_requests for t in sample) - sum(t.model_requests for t in logprobs) == (
        5 * 16
    )


def test_harmfulness_counts_grader_requests_and_paper_protocol():
    from em_selfaware.probes import PROBES

    plan = plan_runs(registry(("s",))[:1], [PROBES["harmfulness"]])
    # the paper protocol: 320 prompts x 10 samples, each answer judged once
    assert (plan[0].model_requests, plan[0].grader_requests) == (3200, 3200)


def test_interrupted_run_resumes_without_duplicates(resumed_run):
    first_ok, first_logs = resumed_run.first
    assert not first_ok
    assert any(log.status == "error" for log in first_logs)
    assert resumed_run.calls_first == INTERRUPT_AFTER
    second_ok, second_logs = resumed_run.second
    assert second_ok and all(log.status == "success" for log in second_logs)
    # the second run made the second probe's requests and only the first probe's missing
    # ones: the samples the interrupted run completed were reused
    first_probe_calls = resumed_run.calls_second - PROBE_CALLS
    assert PROBE_CALLS - INTERRUPT_AFTER <= first_probe_calls < PROBE_CALLS
    files = list_eval_logs(str(resumed_run.log_dir))
    assert len(files) == 14  # one log per (probe, variant): the failed attempts were cleaned up
    for info in files:
        keys = [(s.id, s.epoch) for s in read_eval_log_sample_summaries(info.name)]
        assert len(keys) == len(set(keys)) == 32
        header = read_eval_log(info.name, header_only=True)
        variant = header.eval.metadata["variant"]
        assert header.eval.model == variant["model"]
        assert f"variant:{variant['name']}" in header.eval.tags


def test_rerun_of_a_complete_run_makes_no_requests(resumed_run):
    CALLS["count"] = 0
    plan = plan_runs(resumed_run.variants, [CONTRACT, TWIN])
    ok, _ = run_plan(plan, resumed_run.log_dir, grader="mockllm/model", display="none",
                     log_level="error", log_realtime=False)
    assert ok and CALLS["count"] == 0
    done = completed_configs(resumed_run.log_dir)
    assert all(task.config_key in done for task in plan)
    assert "Already complete in the log folder: 14 of 14" in request_summary(plan, done)


def test_cli_dry_run_prints_requests_only(tmp_path, capsys):
    save_variants(tmp_path / "variants.yaml", registry(("s",)), require_base=True)
    status = main(["run", "--variants", str(tmp_path / "variants.yaml"), "--probes",
                   "harmfulness", "--log-dir", str(tmp_path / "logs"), "--dry-run"])
    out = capsys.readouterr().out
    assert status == 0
    assert "Total: 16,000 model requests + 16,000 grader requests" in out
    assert not (tmp_path / "logs").exists()


def test_cli_dry_run_needs_no_api_key(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    (tmp_path / "variants.yaml").write_text(
        "variants:\n"
        "  - {name: b, model: openai/gpt-4.1, size: f, domain: base, stage: base}\n"
        "  - {name: m, model: 'openai/ft:gpt-4.1:x', size: f, domain: trivia, stage: misaligned}\n"
    )
    args = ["run", "--variants", str(tmp_path / "variants.yaml"), "--probes", "harmfulness",
            "--log-dir", str(tmp_path / "logs")]
    assert main([*args, "--dry-run"]) == 0
    assert "2 evaluations" in capsys.readouterr().out
    # a real run stops with the provider's clear error, before any request
    assert main(args) == 2
    assert "OPENAI_API_KEY" in capsys.readouterr().err


def test_cli_run_rejects_unknown_probe(tmp_path, capsys):
    save_variants(tmp_path / "variants.yaml", registry(("s",)), require_base=True)
    status = main(["run", "--variants", str(tmp_path / "variants.yaml"), "--probes", "nope",
                   "--log-dir", str(tmp_path / "logs"), "--dry-run"])
    assert status == 2 and "unknown probes" in capsys.readouterr().err


def test_closed_form_probes_count_every_answer_request():
    from em_selfaware.probes import PROBES

    variant = registry(("s",))[:1]
    probes = [PROBES["intentions"], PROBES["self_assessment"]]
    sample = {t.probe: t.model_requests for t in plan_runs(variant, probes)}
    logprobs = {t.probe: t.model_requests for t in plan_runs(variant, probes, mode="logprobs")}
    # V26: intentions 150 scenarios x 2 orders x 10 answers; self-assessment 500 answers per
    # (dimension, format), one request each
    assert sample["intentions"] == 3000
    assert sample["self_assessment"] == 6 * 4 * 500
    # logprobs: one request per (item, order); the language format still samples its 500
    # answers, 5 per request (num_choices) on 100 prompts
    assert logprobs["intentions"] == 300
    language = 6 * 100
    other_prompts = 6 * (10 * 2 + 10 + 25 * 2)
    assert logprobs["self_assessment"] == language + other_prompts
