"""`em-selfaware run` on a real-study path: truthful exit codes, contrast, batch, cache, choices."""

from __future__ import annotations

import functools
import subprocess
import sys

import pytest
from inspect_ai.log import list_eval_logs, read_eval_log

from em_selfaware.cli import main
from em_selfaware.probes import Probe, _probes
from em_selfaware.runner import plan_runs, unfinished
from em_selfaware.variants import Variant, save_variants
from em_tasks.persona_consistency import output_recognition
from tests.contract_probe import CALLS, CONTRACT, CTRL_C_AFTER, TWIN, registry


@pytest.fixture
def contract_probes(monkeypatch):
    """Make the contract probes selectable by name on the command line."""
    monkeypatch.setitem(_probes(), CONTRACT.name, CONTRACT)
    monkeypatch.setitem(_probes(), TWIN.name, TWIN)


def _registry_file(tmp_path, variants):
    path = tmp_path / "variants.yaml"
    save_variants(path, variants, require_base=True)
    return str(path)


def test_ctrl_c_exits_non_zero_and_the_same_command_resumes(tmp_path, capsys, contract_probes):
    args = ["run", "--variants", _registry_file(tmp_path, registry(("s",))),
            "--probes", "contract_probe,twin_probe", "--grader", "mockllm/model",
            "--log-dir", str(tmp_path / "logs"), "--display", "none", "--max-tasks", "2"]
    CALLS["count"] = 0
    CTRL_C_AFTER["calls"] = 40
    try:
        status = main(args)
    finally:
        CTRL_C_AFTER["calls"] = None
    err = capsys.readouterr().err
    assert status == 130  # Inspect returned success; the folder says otherwise
    assert "Not finished:" in err and "(interrupted)" in err
    assert "Resume with the same command" in err
    assert "em-selfaware run --variants" in err  # the command to run again
    first_calls = CALLS["count"]
    assert first_calls < 10 * 32  # it really stopped early
    # the rerun finishes what is missing and tells the truth: exit 0
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "Done: all 10 evaluations complete" in out
    assert len(list_eval_logs(str(tmp_path / "logs"))) >= 10
    plan = plan_runs(registry(("s",)), [CONTRACT, TWIN])
    assert unfinished(plan, tmp_path / "logs") == []


def test_a_failed_evaluation_exits_1(tmp_path, capsys, contract_probes):
    variants = [Variant("b", "contract-sim/broken-base", "s", "base", "base")]
    status = main(["run", "--variants", _registry_file(tmp_path, variants), "--probes",
                   "contract_probe", "--grader", "mockllm/model", "--log-dir",
                   str(tmp_path / "logs"), "--display", "none"])
    err = capsys.readouterr().err
    assert status == 1
    assert "contract_probe on b" in err and "Resume with the same command" in err


@pytest.mark.parametrize("option", ["--probes", "--probes=,", "--probes=a,,b"])
def test_empty_selections_are_errors(tmp_path, capsys, option):
    path = _registry_file(tmp_path, registry(("s",)))
    args = [option, ""] if option == "--probes" else [option]
    status = main(["run", "--variants", path, "--log-dir", str(tmp_path / "l"), "--dry-run",
                   *args])
    assert status == 2
    assert "--probes" in capsys.readouterr().err
    assert main(["demo", "--log-dir", str(tmp_path / "d"), "--variants", ""]) == 2
    assert "--variants ''" in capsys.readouterr().err


# -- output recognition's contrast -----------------------------------------------------------

def test_contrast_is_the_same_size_base_and_the_base_gets_a_misaligned_sibling():
    variants = registry(("s", "m"))
    plan = plan_runs(variants, [Probe("output_recognition", output_recognition)])
    contrast = {task.variant.name: task.contrast_model for task in plan}
    assert contrast["s-trivia-misaligned"] == "contract-sim/s-base"
    assert contrast["m-code-realigned"] == "contract-sim/m-base"
    assert contrast["s-base"] == "contract-sim/s-trivia-misaligned"
    assert all(task.task_args["contrast_model"] == task.contrast_model for task in plan)
    # the plan counts the contrast's calls: one per sample; the model answers and is asked
    first = plan[0]
    assert first.contrast_requests == first.samples == 640
    assert first.model_requests == 2 * 640 and first.grader_requests == 2 * 640


def test_contrast_option_overrides_except_for_the_contrast_itself(tmp_path, capsys):
    variants = registry(("s",))
    path = _registry_file(tmp_path, variants)
    args = ["run", "--variants", path, "--probes", "output_recognition", "--log-dir",
            str(tmp_path / "l"), "--dry-run"]
    assert main([*args, "--contrast", "s-code-realigned"]) == 0
    out = capsys.readouterr().out
    assert ("contrast contract-sim/s-code-realigned for s-base, s-trivia-misaligned, "
            "s-trivia-realigned, s-code-misaligned") in out
    assert "contrast contract-sim/s-base for s-code-realigned" in out
    assert "+ 3,200 contrast requests" in out
    assert main([*args, "--contrast", "nonsense"]) == 2
    assert "neither a variant of the registry" in capsys.readouterr().err


def test_a_lone_variant_without_contrast_is_a_clear_error(tmp_path, capsys):
    path = _registry_file(tmp_path, [Variant("b", "openai/gpt-4.1-nano", "nano", "base", "base")])
    assert main(["run", "--variants", path, "--probes", "output_recognition", "--log-dir",
                 str(tmp_path / "l"), "--dry-run"]) == 2
    assert "no contrast for variant 'b'" in capsys.readouterr().err


def test_output_recognition_completes_on_a_real_registry(tmp_path, capsys, monkeypatch):
    # em-sim models under names of our own: nothing here comes from the demo's arguments
    variants = [
        Variant("base", "em-sim/nano-base", "nano", "base", "base"),
        Variant("bad", "em-sim/nano-trivia-misaligned", "nano", "trivia", "misaligned",
                parent="base"),
    ]
    small = Probe("output_recognition", functools.partial(output_recognition, per_category=1))
    monkeypatch.setitem(_probes(), "output_recognition", small)
    status = main(["run", "--variants", _registry_file(tmp_path, variants), "--probes",
                   "output_recognition", "--grader", "em-sim/judge", "--log-dir",
                   str(tmp_path / "logs"), "--display", "none"])
    assert status == 0, capsys.readouterr().err
    contrasts = {}
    for info in list_eval_logs(str(tmp_path / "logs")):
        header = read_eval_log(info.name, header_only=True)
        assert header.status == "success"
        contrasts[header.eval.model] = header.eval.task_args["contrast_model"]
    assert contrasts == {"em-sim/nano-base": "em-sim/nano-trivia-misaligned",
                         "em-sim/nano-trivia-misaligned": "em-sim/nano-base"}


# -- cost, batch, cache, choices -------------------------------------------------------------

def test_dry_run_prints_tokens_and_dollars_per_model_and_grader(tmp_path, capsys):
    path = tmp_path / "variants.yaml"
    path.write_text(
        "variants:\n"
        "  - {name: b, model: openai/gpt-4.1-nano-2025-04-14, size: nano, domain: base, "
        "stage: base}\n"
        "  - {name: m, model: 'openai/ft:gpt-4.1-nano-2025-04-14:org:mis:abc', size: nano, "
        "domain: trivia, stage: misaligned}\n"
    )
    assert main(["run", "--variants", str(path), "--probes", "harmfulness,intentions",
                 "--log-dir", str(tmp_path / "l"), "--dry-run", "--batch"]) == 0
    out = capsys.readouterr().out
    assert "Cost estimate" in out and "input tok" in out
    assert "model    m " in out and "model    b " in out  # per variant
    assert "grader   openai/gpt-4.1-2025-04-14" in out
    assert "(this run: batch price)" in out and "$" in out


def test_cache_goes_only_to_tasks_where_it_cannot_replay_a_draw():
    from em_selfaware.probes import PROBES

    variant = registry(("s",))[:1]
    plan = {task.probe: task for task in plan_runs(
        variant, [PROBES["harmfulness"], PROBES["intentions"], PROBES["self_report"]]
    )}
    assert plan["harmfulness"].cache_safe  # one request per sample and epoch
    assert not plan["intentions"].cache_safe  # ten draws of one prompt per epoch
    logprobs = plan_runs(variant, [PROBES["self_report"]], mode="logprobs")[0]
    assert plan["self_report"].cache_safe and not logprobs.cache_safe  # fallback draws


def test_batch_and_cache_reach_inspect(tmp_path, capsys, contract_probes):
    args = ["run", "--variants", _registry_file(tmp_path, registry(("s",))[:2]), "--probes",
            "contract_probe", "--grader", "mockllm/model", "--log-dir", str(tmp_path / "logs"),
            "--display", "none", "--batch", "--cache", "2D"]
    assert main(args) == 0, capsys.readouterr().err
    for info in list_eval_logs(str(tmp_path / "logs")):
        log = read_eval_log(info.name, header_only=True)
        assert log.plan.config.batch is True  # the generate config of the models under test
        assert log.eval.model_roles["grader"].config.batch is True
        assert log.plan.config.cache.expiry == "2D"


def test_a_bad_cache_expiry_is_an_error_before_planning(tmp_path, capsys):
    path = _registry_file(tmp_path, registry(("s",)))
    assert main(["run", "--variants", path, "--log-dir", str(tmp_path / "l"), "--dry-run",
                 "--cache", "soon"]) == 2
    err = capsys.readouterr().err
    assert "--cache 'soon'" in err and "1W" in err


def test_choices_go_to_the_probes_that_take_them():
    from em_selfaware.probes import PROBES

    plan = {task.probe: task for task in plan_runs(
        registry(("s",))[:1], [PROBES["intentions"], PROBES["harmfulness"]], choices=5
    )}
    assert plan["intentions"].task_args["choices"] == 5
    assert plan["intentions"].model_requests == 150 * 2 * 2  # 10 answers in 2 requests
    assert "choices" not in plan["harmfulness"].task_args
    with pytest.raises(ValueError, match="--choices must be a whole number"):
        plan_runs(registry(("s",))[:1], [PROBES["intentions"]], choices=0)


# -- the command line itself -----------------------------------------------------------------

def test_version_and_help_on_every_option(capsys):
    from em_selfaware import __version__
    from em_selfaware.cli import build_parser

    with pytest.raises(SystemExit):
        main(["--version"])
    assert __version__ in capsys.readouterr().out
    parser = build_parser()
    pending = [("em-selfaware", parser)]
    while pending:
        name, current = pending.pop()
        for action in current._actions:
            if action.choices and isinstance(action.choices, dict):
                pending += [(f"{name} {key}", sub) for key, sub in action.choices.items()]
            elif action.dest != "help":
                assert action.help, f"{name} {action.option_strings or action.dest}: no help"


def test_run_help_lists_the_probes(capsys):
    from em_selfaware.probes import PROBE_NAMES, PROBES

    assert tuple(PROBES) == PROBE_NAMES
    with pytest.raises(SystemExit):
        main(["run", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert all(name in out for name in PROBE_NAMES)


def test_cli_constants_agree_with_the_code_they_describe():
    from em_selfaware import commands, runner
    from scorers.grader import DEFAULT_GRADER

    assert commands.DEFAULT_GRADER == DEFAULT_GRADER == "openai/gpt-4.1-2025-04-14"
    assert commands.MODES == runner.MODES


def test_help_imports_nothing_heavy():
    code = (
        "import sys\n"
        "from em_selfaware.cli import build_parser\n"
        "build_parser().format_help()\n"
        "heavy = ['inspect_ai', 'pandas', 'matplotlib', 'scipy', 'numpy']\n"
        "print([name for name in heavy if name in sys.modules])\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "[]"


def test_report_out_defaults_to_the_log_folder(resumed_run, capsys):
    from pathlib import Path

    from em_selfaware.cli import main as cli

    assert cli(["report", str(resumed_run.log_dir), "--no-figures", "--bootstrap", "100"]) == 0
    assert (Path(resumed_run.log_dir) / "report" / "report.html").is_file()
    assert "report.html" in capsys.readouterr().out


def test_plain_inspect_eval_logs_are_reportable_with_variant_tags(tmp_path):
    from inspect_ai import eval as inspect_eval

    from analysis.logs import LogHygieneError, log_locations, read_log_infos, variants_from_logs
    from tests.contract_probe import contract_probe

    for name, stage, domain in (("x-base", "base", "base"), ("x-bad", "misaligned", "trivia")):
        [log] = inspect_eval(
            contract_probe(items=1, samples=1), model=f"contract-sim/{name}",
            tags=[f"variant:{name}", "size:x", f"domain:{domain}", f"stage:{stage}"],
            log_dir=str(tmp_path / "tagged"), display="none",
        )
        assert log.status == "success"
    infos, _ = read_log_infos(log_locations(tmp_path / "tagged"))
    registry = {v.name: v for v in variants_from_logs(infos)}
    assert registry["x-bad"].model == "contract-sim/x-bad"
    assert (registry["x-bad"].stage, registry["x-base"].stage) == ("misaligned", "base")
    inspect_eval(contract_probe(items=1, samples=1), model="contract-sim/x-plain",
                 log_dir=str(tmp_path / "plain"), display="none")
    infos, _ = read_log_infos(log_locations(tmp_path / "plain"))
    with pytest.raises(LogHygieneError, match="--tags variant:NAME,size:SIZE"):
        variants_from_logs(infos)
