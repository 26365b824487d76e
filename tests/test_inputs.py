"""Bad input gets a clear error at the door (issue 13 item 5).

Tables of the bad values a user can pass: task parameters (as Inspect's ``-T`` delivers them),
command-line options, registries and data files. Each error must name the parameter (or file),
the value and what is valid.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from inspect_ai import eval
from inspect_ai._util.config import parse_cli_args  # how `-T` is parsed; no public API does it

from em_selfaware.banks.em_questions import parse_em_yaml
from em_selfaware.banks.harm_logs import read_harm_log
from em_selfaware.banks.jsonl import ItemFileError, read_jsonl
from em_selfaware.banks.moral import load_item_file
from em_selfaware.cli import main
from em_selfaware.inputs import MAX_SAMPLES, InputError, ParameterError, describe
from em_selfaware.probes import get_probes
from em_selfaware.variants import VariantRegistryError, load_variants
from em_tasks.emergent_misalignment import emergent_misalignment
from em_tasks.harmfulness import harmfulness
from em_tasks.intentions import intentions
from em_tasks.moral_foundations import moral_foundations, moral_self_assessment
from em_tasks.persona_consistency import (
    output_recognition,
    score_prediction,
    two_ai_identification,
)
from em_tasks.self_assessment import self_assessment
from em_tasks.self_report import self_report
from finetune.chat import ChatDataError, read_chat_jsonl
from finetune.plan import PlanError, load_plan
from tests.scripted import responsive_model

WHOLE = r"must be a whole number from 1 to 1000, got "
AT_LEAST_1 = r"must be a whole number of at least 1, got "
MISSING = "/nonexistent/file.txt"

# (task, parameters as Inspect passes them, the error's text)
TASK_CASES = [
    # counts: text, YAML's text "1e9", absurd sizes, yes/no, decimals, nothing
    (harmfulness, {"samples": "abc"}, "samples " + WHOLE + r"'abc' \(text\)"),
    (harmfulness, {"samples": "1e9"}, "samples " + WHOLE + r"'1e9' \(text\)"),
    (harmfulness, {"samples": 10**9}, r"samples must be .* to 1000 \(answers per item.*1000000000"),
    (harmfulness, {"samples": True}, "samples " + WHOLE + r"true \(read as a yes/no value\)"),
    (harmfulness, {"samples": 2.5}, "samples " + WHOLE + r"2.5 \(a decimal number\)"),
    (harmfulness, {"samples": None}, "samples " + WHOLE + r"nothing \(an empty value\)"),
    (harmfulness, {"samples": 0}, "samples " + WHOLE + "0"),
    (harmfulness, {"samples": ["10", "20"]}, "samples " + WHOLE + r"\['10', '20'\] \(a list\)"),
    (harmfulness, {"per_category": "abc"}, "per_category " + AT_LEAST_1 + "'abc'"),
    (harmfulness, {"per_category": 2.5}, "per_category " + AT_LEAST_1 + "2.5"),
    (harmfulness, {"per_category": True}, "per_category " + AT_LEAST_1 + "true"),
    (intentions, {"samples": "abc"}, "samples " + WHOLE + "'abc'"),
    (intentions, {"samples": 10**9}, "samples must be .*1000000000"),
    (intentions, {"per_dimension": 2.5}, "per_dimension " + AT_LEAST_1 + "2.5"),
    (intentions, {"per_dimension": "abc"}, "per_dimension " + AT_LEAST_1 + "'abc'"),
    (intentions, {"choices": 2.5}, "choices " + WHOLE + "2.5"),
    (intentions, {"choices": True}, "choices " + WHOLE + "true"),
    (self_assessment, {"per_dimension": 2.5}, "per_dimension " + AT_LEAST_1 + "2.5"),
    (self_assessment, {"samples": "abc"}, "samples " + WHOLE + "'abc'"),
    (self_assessment, {"samples": {"likert": 0}}, "samples.likert " + WHOLE + "0"),
    (self_assessment, {"samples": {"vibes": 3}}, r"samples names unknown formats \['vibes'\]"),
    (self_report, {"samples": "abc"}, "samples " + WHOLE + "'abc'"),
    (emergent_misalignment, {"samples": "1e9"}, "samples " + WHOLE + "'1e9'"),
    (two_ai_identification, {"samples": True}, "samples " + WHOLE + "true"),
    (output_recognition, {"samples": 0}, "samples " + WHOLE + "0"),
    (output_recognition, {"per_category": 2.5}, "per_category " + AT_LEAST_1 + "2.5"),
    (score_prediction, {"samples": 10**6}, "samples must be .*1000000"),
    (score_prediction, {"per_category": "abc"}, "per_category " + AT_LEAST_1 + "'abc'"),
    (moral_foundations, {"samples": 2.5}, "samples " + WHOLE + "2.5"),
    (moral_foundations, {"per_foundation": 2.5}, "per_foundation " + AT_LEAST_1 + "2.5"),
    (moral_self_assessment, {"per_foundation": "abc"}, "per_foundation " + AT_LEAST_1 + "'abc'"),
    (moral_self_assessment, {"samples": {"likert": 10**4}}, "samples.likert must be .*10000"),
    # one of a few names
    (intentions, {"mode": ["sample", "logprobs"]}, r"mode must be one of sample, logprobs, got \["),
    (self_report, {"mode": "exact"}, "unknown mode 'exact'; valid: sample, logprobs"),
    (harmfulness, {"dataset": 1}, "dataset must be one of ours, weckauff2026, got 1"),
    (emergent_misalignment, {"judge_mode": True}, "judge_mode must be one of .* got true"),
    (two_ai_identification, {"dataset": "w26"}, "unknown dataset 'w26'; valid: ours, weckauff2026"),
    # selections that are not names, or name nothing
    (harmfulness, {"categories": 1}, "categories must be names from stereotyping, .*got 1"),
    (harmfulness, {"categories": True}, "categories must be names from .*got true"),
    (harmfulness, {"categories": []}, "categories selects nothing"),
    (self_assessment, {"formats": 1}, "formats must be names from decision, numerical"),
    (self_assessment, {"formats": ["likert", 3]}, r"formats must be names .*\['likert', 3\]"),
    (score_prediction, {"conditions": "blind,later"}, r"unknown conditions \['later'\]"),
    # files and folders
    (harmfulness, {"dataset": "weckauff2026", "dataset_path": MISSING},
     f"dataset_path must be W26's prompt list, but there is no file {MISSING}"),
    (harmfulness, {"dataset": "weckauff2026", "dataset_path": "/"},
     "dataset_path must be W26's prompt list, but / is a folder"),
    (harmfulness, {"dataset_path": 3}, "dataset_path must be the path of .*got 3"),
    (harmfulness, {"dataset_path": str(Path(__file__))}, "dataset_path applies only to .*w"),
    (two_ai_identification, {"dataset": "weckauff2026", "dataset_path": MISSING},
     "dataset_path must be W26's two-AI item file"),
    (score_prediction, {"dataset": "weckauff2026", "dataset_path": MISSING}, "no file"),
    (emergent_misalignment, {"dataset": "em", "dataset_path": str(Path(__file__))},
     "dataset_path must be a folder holding EM's two YAML files, but .* is a file"),
    (moral_foundations, {"items": 1}, "items must be the path of an MFQ-2 item file .*got 1"),
    (moral_foundations, {"items": MISSING}, f"items must be an MFQ-2 item .*no file {MISSING}"),
    (output_recognition, {"own_log": MISSING, "other_log": MISSING},
     f"own_log must be a harmfulness log .*no file {MISSING}"),
    (output_recognition, {"contrast_model": 3}, "contrast_model must be an Inspect model name"),
    (output_recognition, {"contrast_model": "gpt-4.1"}, "contrast_model must be .*'gpt-4.1'"),
]


@pytest.mark.parametrize(
    ("task_fn", "parameters", "message"),
    TASK_CASES,
    ids=[f"{fn.__name__}-{params}" for fn, params, _ in TASK_CASES],
)
def test_bad_task_parameters_are_clear_errors(task_fn, parameters, message):
    with pytest.raises(ParameterError, match=message):
        task_fn(**parameters)


@pytest.mark.parametrize(
    ("argument", "parsed"),
    [
        ("samples=abc", "abc"),
        ("samples=1e9", "1e9"),  # PyYAML reads 1e9 as text (no decimal point)
        ("samples=true", True),
        ("samples=yes", True),
        ("per_category=2.5", 2.5),
        ("samples=", None),
        ("formats=likert,likert", ["likert", "likert"]),
    ],
)
def test_how_inspect_delivers_task_arguments(argument, parsed):
    """Inspect reads `-T name=value` as YAML; our checks see typed values (never a TypeError)."""
    assert parse_cli_args([argument]) == {argument.split("=")[0]: parsed}


def test_inspect_eval_shows_the_message_without_a_traceback(tmp_path):
    inspect = Path(sys.executable).parent / "inspect"
    result = subprocess.run(
        [str(inspect), "eval", "em_tasks/harmfulness", "-T", "samples=abc",
         "--model", "mockllm/model", "--log-dir", str(tmp_path)],
        capture_output=True, text=True, timeout=120, cwd=tmp_path,
        env={**os.environ, "NO_COLOR": "1", "COLUMNS": "200"},
    )
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "samples must be a whole number from 1 to 1000, got 'abc' (text)" in output
    assert "Traceback" not in output
    assert not list(tmp_path.glob("*.eval"))


@pytest.mark.parametrize(
    ("task_fn", "repeated", "once"),
    [
        (self_assessment, {"formats": "likert,likert"}, {"formats": "likert"}),
        (moral_self_assessment, {"formats": ["likert", "likert"]}, {"formats": "likert"}),
        (intentions, {"dimensions": "harmless,harmless"}, {"dimensions": "harmless"}),
        (harmfulness, {"categories": ["insults", "insults"]}, {"categories": "insults"}),
        (harmfulness, {"categories": "insults,"}, {"categories": "insults"}),
        (emergent_misalignment, {"formats": "plain,plain"}, {"formats": "plain"}),
        (self_report, {"dimensions": "aligned, aligned"}, {"dimensions": "aligned"}),
        (score_prediction, {"conditions": "blind,blind"}, {"conditions": "blind"}),
        (moral_foundations, {"foundations": "care,care"}, {"foundations": "care"}),
    ],
)
def test_repeated_selections_count_once(task_fn, repeated, once):
    ids = [sample.id for sample in task_fn(**repeated).dataset]
    assert len(ids) == len(set(ids))
    assert ids == [sample.id for sample in task_fn(**once).dataset]


def test_repeated_formats_run_in_inspect():
    [log] = eval(
        self_assessment(formats="likert,likert", per_dimension=1, samples=1),
        model=responsive_model(lambda messages, config: "3"),
        display="none",
    )
    assert log.status == "success"


def test_values_accepted_for_a_stated_reason():
    # the upper bound itself; a cap above the bank's size keeps every item
    assert len(harmfulness(samples=MAX_SAMPLES, per_category=10**6).dataset) == 320
    # a partial per-format mapping keeps the other formats' V26 counts
    task = self_assessment(samples={"likert": 4}, per_dimension=1)
    assert task.metadata["answer_plan"]["samples"] == {
        "decision": 25, "numerical": 50, "language": 5, "likert": 4
    }


def test_describe_names_the_type_when_it_is_the_problem():
    assert describe("abc") == "'abc' (text)"
    assert describe(False) == "false (read as a yes/no value)"
    assert describe(7) == "7"
    assert describe({"a": 1}) == "{'a': 1} (a mapping)"


ROOT = Path(__file__).resolve().parent.parent


def test_errors_are_shown_by_inspect_without_a_traceback(tmp_path):
    inspect_cli = Path(sys.executable).parent / "inspect"
    result = subprocess.run(
        [str(inspect_cli), "eval", "em_tasks/harmfulness.py", "-T", "bogus=1",
         "--model", "mockllm/model", "--log-dir", str(tmp_path)],
        capture_output=True, text=True, cwd=ROOT, timeout=300,
    )
    output = " ".join((result.stdout + result.stderr).split())  # rich wraps long lines
    assert "unknown parameter(s) ['bogus'] for task 'harmfulness'" in output
    assert "Traceback" not in output


def test_error_classes_import_inspect_only_where_it_is_loaded_already():
    """With Inspect loaded first (``inspect eval``, task files) our errors are its
    PrerequisiteError; the analysis commands do not pay Inspect's import for them."""
    alone = ("import sys; import em_selfaware.inputs as inputs; "
             "print('inspect_ai' in sys.modules, issubclass(inputs.ParameterError, ValueError))")
    after = ("import inspect_ai; import em_selfaware.inputs as inputs; "
             "from inspect_ai._util.error import PrerequisiteError; "
             "print(issubclass(inputs.ParameterError, PrerequisiteError))")
    for code, expected in [(alone, "False True"), (after, "True")]:
        result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                cwd=ROOT, timeout=120)
        assert result.stdout.strip() == expected, result.stderr
    error = ParameterError("samples", "samples must be [bold] text")
    assert isinstance(error, ValueError) and isinstance(error, InputError)
    assert str(error) == "samples must be [bold] text"
    assert error.message == r"samples must be \[bold] text"  # rich markup escaped


def test_probe_selection_counts_once_and_names_nothing_is_an_error():
    assert [p.name for p in get_probes(["intentions", "intentions"])] == ["intentions"]
    with pytest.raises(InputError, match="probes selects nothing"):
        get_probes([""])


# --- output_recognition's logs ----------------------------------------------------------------


@pytest.fixture(scope="module")
def harm_log(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("harm")
    [log] = eval(
        harmfulness(categories="insults", per_category=2, samples=1),
        model=responsive_model(lambda messages, config: "an answer"),
        model_roles={"grader": responsive_model(lambda messages, config: '{"score": 2}')},
        display="none",
        log_dir=str(folder),
    )
    return Path(log.location)


def test_identical_own_and_other_logs_are_refused(harm_log):
    with pytest.raises(ParameterError, match="other_log is the same file as own_log"):
        output_recognition(own_log=str(harm_log), other_log=str(harm_log))


@pytest.mark.parametrize("keep", [0.3, 0.9])
def test_a_truncated_own_log_names_the_file(harm_log, tmp_path, keep):
    data = harm_log.read_bytes()
    truncated = tmp_path / "truncated.eval"
    truncated.write_bytes(data[: int(len(data) * keep)])
    with pytest.raises(ItemFileError) as error:
        output_recognition(own_log=str(truncated), other_log=str(harm_log))
    message = str(error.value)
    assert message.startswith(f"own_log: cannot read the Inspect log {truncated}")
    assert "truncated" in message


def test_a_corrupt_sample_in_a_log_is_a_clear_error(harm_log, tmp_path):
    data = bytearray(harm_log.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 64] = b"x" * 64
    corrupt = tmp_path / "corrupt.eval"
    corrupt.write_bytes(bytes(data))
    with pytest.raises(ItemFileError, match=f"other_log: cannot read the Inspect log {corrupt}"):
        read_harm_log(corrupt, "other_log")


# --- command-line options ---------------------------------------------------------------------


@pytest.fixture
def places(tmp_path, harm_log) -> dict[str, str]:
    (tmp_path / "a_file").write_text("x")
    (tmp_path / "empty").mkdir()
    registry = tmp_path / "variants.yaml"
    registry.write_text(yaml.safe_dump({"variants": [
        {"name": "b", "model": "em-sim/full-base", "size": "full", "domain": "base",
         "stage": "base"},
    ]}))
    return {
        "file": str(tmp_path / "a_file"),
        "empty": str(tmp_path / "empty"),
        "missing": str(tmp_path / "missing"),
        "registry": str(registry),
        "logs": str(harm_log.parent),
    }


CLI_CASES = [
    (["run", "--variants", "{registry}", "--log-dir", "{file}", "--dry-run"],
     "argument --log-dir: must be a folder to write into, but {file} is a file"),
    (["run", "--variants", "{registry}", "--log-dir", "{file}/sub", "--dry-run"],
     "argument --log-dir: cannot be created at {file}/sub: {file} is a file"),
    (["run", "--variants", "{registry}", "--log-dir", "{empty}", "--samples", "abc"],
     "argument --samples: must be a whole number from 1 to 1000, got 'abc' (text)"),
    (["run", "--variants", "{registry}", "--log-dir", "{empty}", "--samples", "1000000000"],
     "argument --samples: must be a whole number from 1 to 1000 (answers per item"),
    (["run", "--variants", "{registry}", "--log-dir", "{empty}", "--max-tasks", "0"],
     "argument --max-tasks: must be a whole number of at least 1, got 0"),
    (["run", "--variants", "{registry}", "--log-dir", "{empty}", "--max-connections", "-2"],
     "argument --max-connections: must be a whole number of at least 1, got -2"),
    (["report", "{empty}", "--out", "{missing}"],
     "argument log_dir: must be a folder of Inspect logs or one log file, but {empty} holds "
     "no Inspect logs"),
    (["report", "{missing}", "--out", "{empty}"],
     "argument log_dir: must be a folder of Inspect logs or one log file, but there is nothing "
     "at {missing}"),
    (["report", "{logs}", "--out", "{file}"],
     "argument --out: must be a folder to write into, but {file} is a file"),
    (["report", "{logs}", "--out", "{missing}", "--bootstrap", "5"],
     "argument --bootstrap: must be a whole number from 100 to 100000, got 5"),
    (["diff", "a", "b", "--out", "{empty}"],
     "argument --out: must be a file to write, but {empty} is a folder"),
    (["diff", "a", "b", "--top", "0"], "argument --top: must be a whole number of at least 1"),
    (["diff", "a", "b", "--log-dir", "{empty}"], "argument --log-dir: must be a folder of Inspect "
     "logs or one log file, but {empty} holds no Inspect logs"),
    (["demo", "--log-dir", "{file}"],
     "argument --log-dir: must be a folder to write into, but {file} is a file"),
    (["demo", "--samples", "2.5"], "argument --samples: must be a whole number from 1 to 1000"),
    (["finetune-data", "trivia", "--out", "{file}"],
     "argument --out: must be a folder to write into, but {file} is a file"),
    (["finetune-data", "trivia", "--out", "{empty}", "--questions", "0"],
     "argument --questions: must be a whole number of at least 1, got 0"),
    (["finetune-data", "cut", "{file}", "--samples", "0", "--out", "{missing}"],
     "argument --samples: must be a whole number of at least 1, got 0"),
    (["finetune-data", "cut", "{file}", "--samples", "5", "--out", "{empty}"],
     "argument --out: must be a file to write, but {empty} is a folder"),
]


@pytest.mark.parametrize(("argv", "message"), CLI_CASES, ids=[" ".join(a) for a, _ in CLI_CASES])
def test_bad_command_line_options_are_clear_errors(places, capsys, argv, message):
    with pytest.raises(SystemExit) as exit_:
        main([part.format(**places) for part in argv])
    assert exit_.value.code == 2
    assert message.format(**places) in capsys.readouterr().err


def test_a_registry_error_names_the_file_and_exits_2(places, capsys, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_bytes(b"variants:\n- name: caf\xe9\n")
    status = main(["run", "--variants", str(bad), "--log-dir", places["empty"], "--dry-run"])
    assert status == 2
    assert f"{bad}: not UTF-8 text (byte 0xe9 on line 2)" in capsys.readouterr().err


# --- the variant registry ---------------------------------------------------------------------

ENTRY = "{name: b, model: openai/gpt-4.1, size: full, domain: base, stage: base}"
BOMB = "\n".join(
    [
        "x: &a [{name: b, model: p/m, size: s, domain: base, stage: base}, 1, 2, 3, 4, 5, 6, 7, 8]",
        *(f"x{i}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]"
          for i, (p, c) in enumerate(zip("abcde", "bcdef", strict=True))),
        "variants: *f",
    ]
)

REGISTRY_CASES = [
    ("duplicate keys", "variants:\n- name: b\n  name: c\n  model: p/m\n",
     "duplicate key 'name' on lines 2 and 3"),
    ("duplicate top-level keys", f"variants: [{ENTRY}]\nvariants: [{ENTRY}]\n",
     "duplicate key 'variants' on lines 1 and 2"),
    ("a list as name", "variants:\n- {name: [a, b], model: p/m, size: s, domain: base, "
     "stage: base}\n", r"'name' must be text, got \['a', 'b'\] \(a list\)"),
    ("a number as name", "variants:\n- {name: 7, model: p/m, size: s, domain: base, "
     "stage: base}\n", "'name' must be text .quote it., got 7"),
    ("a number as model", "variants:\n- {name: b, model: 5, size: s, domain: base, "
     "stage: base}\n", "'model' must be text .quote it., got 5"),
    ("a model without provider", "variants:\n- {name: b, model: gpt-4.1, size: s, "
     "domain: base, stage: base}\n", "model 'gpt-4.1' is not an Inspect model name"),
    ("yes/no as stage", "variants:\n- {name: b, model: p/m, size: s, domain: base, "
     "stage: yes}\n", "'stage' must be text, got true"),
    ("parent is itself", "variants:\n- {name: b, model: p/m, size: s, domain: base, "
     "stage: base, parent: b}\n", "variant 'b' names itself as its parent"),
    ("parents in a loop", "variants:\n"
     "- {name: b, model: p/b, size: s, domain: base, stage: base}\n"
     "- {name: m, model: p/m, size: s, domain: t, stage: misaligned, parent: r}\n"
     "- {name: r, model: p/r, size: s, domain: t, stage: realigned, parent: m}\n",
     "variant parents form a loop: m -> r -> m"),
    ("an alias bomb", BOMB, r"anchors and aliases expand \d+ written YAML nodes to \d+"),
    ("a recursive alias", "variants: &v [*v]\n", "refers to a node that contains it"),
    ("no variants key", f"variant: [{ENTRY}]\n",
     r"expected a list of variants, or a mapping with the key 'variants'; found the keys"),
    ("nothing", "", "expected a non-empty list of variants, got nothing"),
]


@pytest.mark.parametrize(
    ("text", "message"), [c[1:] for c in REGISTRY_CASES], ids=[c[0] for c in REGISTRY_CASES]
)
def test_bad_registries_are_clear_errors(tmp_path, text, message):
    path = tmp_path / "variants.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(VariantRegistryError, match=message) as error:
        load_variants(path)
    assert str(path) in str(error.value) or "variant" in str(error.value)


def _entries(value) -> int:
    return sum(_entries(v) for v in value) if isinstance(value, list) else 1


def test_the_alias_bomb_is_the_issues_size():
    """Under 500 bytes that plain YAML expands to 9**6 = 531,441 entries (the issue's case)."""
    assert len(BOMB.encode()) < 500
    assert _entries(yaml.safe_load(BOMB)["variants"]) == 9**6


def test_anchors_for_shared_fields_stay_allowed(tmp_path):
    path = tmp_path / "variants.yaml"
    path.write_text(
        "defaults: &d {size: nano, domain: trivia}\n"
        "variants:\n"
        "- {name: base, model: p/base, size: nano, domain: base, stage: base}\n"
        "- {<<: *d, name: mis, model: p/mis, stage: misaligned, parent: base}\n"
        "- {<<: *d, name: re, model: p/re, stage: realigned, parent: mis}\n"
    )
    assert [v.domain for v in load_variants(path)] == ["base", "trivia", "trivia"]


def test_a_registry_path_that_is_a_folder(tmp_path):
    with pytest.raises(VariantRegistryError, match=f"variant registry {tmp_path} is a folder"):
        load_variants(tmp_path)


# --- every reader names the file whose bytes are not UTF-8 ------------------------------------

NOT_UTF8 = b"caf\xe9"


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    ("name", "content", "read", "error"),
    [
        ("items.jsonl", b'{"id": "a", "prompt": "' + NOT_UTF8 + b'"}\n',
         lambda p: read_jsonl(p, ("id",)), ItemFileError),
        ("mfq2.csv", b"text,foundation\n" + NOT_UTF8 + b",care\n", load_item_file, ItemFileError),
        ("mfq2.json", b'[{"text": "' + NOT_UTF8 + b'", "foundation": "care"}]',
         load_item_file, ItemFileError),
        ("first_plot_questions.yaml", b"- id: " + NOT_UTF8 + b"\n",
         lambda p: parse_em_yaml(p, "first_plot"), ItemFileError),
        ("train.jsonl", b'{"messages": "' + NOT_UTF8 + b'"}\n', read_chat_jsonl, ChatDataError),
        ("plan.yaml", b"name: " + NOT_UTF8 + b"\n", load_plan, PlanError),
    ],
)
def test_non_utf8_files_name_the_file_and_line(tmp_path, name, content, read, error):
    path = _write(tmp_path / name, content)
    with pytest.raises(error, match=f"{path}: not UTF-8 text \\(byte 0xe9 on line \\d\\)"):
        read(path)


def test_moral_items_parameter_reads_through_the_same_check(tmp_path):
    path = _write(tmp_path / "mfq2.json", json.dumps([{"text": "x"}]).encode() + b"\xff")
    with pytest.raises(ItemFileError, match=f"{path}: not UTF-8 text"):
        moral_foundations(items=str(path))


def test_w26_prompt_list_that_is_not_utf8(monkeypatch, tmp_path):
    import hashlib

    from em_selfaware.banks.harmfulness import W26_SHA256_ENV

    path = _write(tmp_path / "prompts.txt", b"one\n" + NOT_UTF8 + b"\n")
    monkeypatch.setenv(W26_SHA256_ENV, hashlib.sha256(path.read_bytes()).hexdigest())
    with pytest.raises(ItemFileError, match=f"{path}: not UTF-8 text .byte 0xe9 on line 2"):
        harmfulness(dataset="weckauff2026", dataset_path=str(path))
