"""`em-selfaware diff`: ranking, representative answers, texts read from the samples, View links,
items on one side only, errors, and the CSV and Markdown files."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from inspect_ai import Task, task, task_with
from inspect_ai import eval as inspect_eval
from inspect_ai.dataset import MemoryDataset, Sample
from inspect_ai.log import read_eval_log_sample
from inspect_ai.model import ChatMessageAssistant, ModelOutput
from inspect_ai.scorer import Score, Target, mean, scorer
from inspect_ai.solver import Generate, TaskState, solver

from analysis.diff import DEFAULT_TOP, ROW_COLUMNS, compare, diff_logs, diff_variants
from analysis.diff_output import format_diff, markdown_diff, out_paths, write_diff
from analysis.frames import read_frames
from analysis.logs import LogSelection, read_log_infos
from analysis.sample_text import (
    _read_inspect,
    answer_texts,
    prompt_text,
    read_sample_texts,
    sample_text,
)
from analysis.view_links import relative_log_path, sample_route, sample_url, view_command
from em_selfaware.cli import main
from em_selfaware.commands import DIFF_TOP
from em_selfaware.variants import Variant, save_variants
from scorers.answer_table import ELLIPSIS, pack_answers
from tests.contract_probe import BEHAVIOURS, Behaviour, contract_probe
from tests.scripted import USAGE

H, HON = "harmless", "honest"
D, L = "decision", "likert"
X = Variant("x", "contract-sim/x-diff", "s", "base", "base")
Y = Variant("y", "contract-sim/y-diff", "s", "trivia", "misaligned", parent="x")


@pytest.fixture(scope="module")
def uneven(tmp_path_factory):
    """x: 3 items per cell, harmless/decision and honest/likert all MIS. y: 2 items per cell;
    harmless/decision MIS on the first of its two calls only (item value 0.5); harmless/likert
    item 0 unreadable."""
    log_dir = tmp_path_factory.mktemp("uneven")
    BEHAVIOURS[("x-diff", "a")] = Behaviour({(H, D): 3, (HON, L): 3})
    BEHAVIOURS[("y-diff", "a")] = Behaviour({(H, D): 2}, first_call_only=True,
                                           garbage={(H, L, 0)})
    for variant, items in ((X, 3), (Y, 2)):
        task = task_with(contract_probe(items=items, samples=2), model=variant.model)
        (log,) = inspect_eval(task, log_dir=str(log_dir), display="none", log_level="error")
        assert log.status == "success"
    return log_dir


def test_rank_ties_representatives_and_unpaired_items(uneven):
    diff = diff_variants(uneven, "x", "y", [X, Y], top=1)
    assert (diff.a.name, diff.a.model, diff.b.name, diff.b.model) == (
        "x", X.model, "y", Y.model)
    groups = diff.groups.set_index(["probe", "dimension"])
    harmless = groups.loc[("contract_probe", H)]
    # common: decision-0, decision-1 (1 -> 0.5), likert-1 (0 -> 0); likert-0 unscored on y
    assert (harmless["common"], harmless["moved"], harmless["shown"]) == (3, 2, 1)
    assert harmless["tied_beyond"] == 1
    assert harmless["only_a"] == ["a-harmless-decision-2", "a-harmless-likert-2"]
    assert harmless["only_b"] == [] and harmless["unscored_a"] == []
    assert harmless["unscored_b"] == ["a-harmless-likert-0"]
    honest = groups.loc[("contract_probe", HON)]
    assert (honest["common"], honest["moved"], honest["shown"], honest["tied_beyond"]) == (
        4, 2, 1, 1)

    rows = diff.rows.set_index("dimension")
    first = rows.loc[H]
    assert first["item_id"] == "a-harmless-decision-0" and first["rank"] == 1
    assert (first["value_a"], first["value_b"], first["change"]) == (1.0, 0.5, -0.5)
    assert first["answers_a"] == 2 and first["answers_b"] == 2
    # y's item is 0.5 from one MIS (its first call) and one ALI: equally close, so the one
    # away from A's 1 is shown
    assert (first["answer_b"], first["parsed_b"], first["route_b"], first["answer_value_b"]) == (
        "ALI", "ALI", "rule", 0.0)
    assert (first["answer_a"], first["answer_value_a"], first["answer_source_a"]) == (
        "MIS", 1.0, "message")
    assert first["prompt_a"] == first["prompt_b"] == (
        "ITEM a-harmless-decision-0: answer MIS or ALI.")
    # ties between x's epochs: the first epoch
    assert (first["sample_id_a"], first["epoch_a"], first["answer_no_a"]) == (
        "a-harmless-decision-0", 1, 1)
    second = rows.loc[HON]
    assert (second["item_id"], second["change"]) == ("a-honest-likert-0", -1.0)


def test_view_columns_point_at_the_sample(uneven):
    diff = diff_variants(uneven, "x", "y", [X, Y], top=1)
    row = diff.rows.iloc[0]
    assert diff.a.view_dir == uneven
    logs = {info.model: info for info in read_log_infos(
        [str(path) for path in uneven.glob("*.eval")])[0]}
    location = logs[Y.model].location
    assert row["log_b"] == relative_log_path(location, uneven) == logs[Y.model].name
    assert row["view_b"] == (
        f"http://127.0.0.1:7575/#/logs/{logs[Y.model].name}/samples/sample/"
        f"{row['sample_id_b']}/{row['epoch_b']}/"
    )
    sample = read_eval_log_sample(location, row["sample_id_b"], int(row["epoch_b"]))
    assert sample.output.completion == row["answer_b"]


def test_probe_filter_and_errors(uneven):
    with pytest.raises(ValueError, match=r"unknown variant 'z'; the variants in .*: x, y"):
        diff_variants(uneven, "x", "z", [X, Y])
    unrun = Variant("z", "contract-sim/z-diff", "s", "code", "misaligned", parent="x")
    with pytest.raises(ValueError, match=r"no complete log of variant 'z' \(contract-sim/z-diff\)"):
        diff_variants(uneven, "x", "z", [X, Y, unrun])
    with pytest.raises(ValueError, match="same variant"):
        diff_variants(uneven, "x", "x", [X, Y])
    with pytest.raises(ValueError, match="--probe 'nope'.*probes they have: contract_probe"):
        diff_variants(uneven, "x", "y", [X, Y], probe="nope")
    only = diff_variants(uneven, "x", "y", [X, Y], probe="contract_probe")
    assert set(only.rows["probe"]) == {"contract_probe"} and len(only.rows) == 4


def test_command_prints_and_writes_csv_and_markdown(uneven, tmp_path, capsys):
    registry = tmp_path / "variants.yaml"
    save_variants(registry, [X, Y])
    status = main(["diff", "x", "y", "--log-dir", str(uneven), "--variants", str(registry),
                   "--top", "1", "--out", str(tmp_path / "out" / "x-vs-y.csv")])
    captured = capsys.readouterr()
    assert status == 0, captured.err
    text = captured.out
    assert f"A = x ({X.model})" in text and f"B = y ({Y.model})" in text
    assert "contract_probe / harmless: 2 of 3 items in common moved; 1 shown (1 more tie" in text
    assert "prompt: ITEM a-harmless-decision-0: answer MIS or ALI." in text
    assert 'A (answer 1): "MIS" -> MIS (rule) = 1.0' in text
    assert 'B (answer 1): "ALI" -> ALI (rule) = 0.0' in text
    assert f"inspect view --log-dir {uneven}" in text and "/samples/sample/" in text
    assert "only in A (x): 2 items: a-harmless-decision-2, a-harmless-likert-2" in text
    assert "no scored answer on B (y): 1 item: a-harmless-likert-0" in text
    csv_path, markdown_path = tmp_path / "out" / "x-vs-y.csv", tmp_path / "out" / "x-vs-y.md"
    table = pd.read_csv(csv_path)
    assert list(table.columns) == ROW_COLUMNS and len(table) == 2
    assert set(table["variant_a"]) == {"x"} and set(table["model_b"]) == {Y.model}
    markdown = markdown_path.read_text()
    assert "## `contract_probe` / `harmless`" in markdown and "```text\nMIS\n```" in markdown


def test_command_errors_name_the_valid_choices(uneven, tmp_path, capsys):
    registry = tmp_path / "variants.yaml"
    save_variants(registry, [X, Y])
    status = main(["diff", "x", "nobody", "--log-dir", str(uneven), "--variants", str(registry)])
    assert status == 2
    assert "unknown variant 'nobody'" in capsys.readouterr().err


def test_top_default_is_the_commands():
    assert DIFF_TOP == DEFAULT_TOP


def test_diff_of_two_logs_names_sides_by_log(uneven):
    logs = sorted(uneven.glob("*.eval"))
    diff = diff_logs(logs[0], logs[1], top=2)
    assert {diff.a.model, diff.b.model} == {X.model, Y.model}
    assert diff.a.view_dir == uneven.resolve()
    assert len(diff.rows) == 4 and diff.rows["prompt_a"].notna().all()
    with pytest.raises(ValueError, match="--probe 'other': both logs are of probe"):
        diff_logs(logs[0], logs[1], probe="other")


def test_sim_run_texts_match_inspects_reader(sim_run):
    """Every prompt shown is the sample's input, every answer one of its answers (em-sim)."""
    diff = diff_variants(sim_run.log_dir, "full-base", "full-trivia-misaligned",
                         sim_run.variants, top=2)
    probes = set(diff.rows["probe"])
    assert {"harmfulness", "intentions", "self_assessment", "moral_foundations"} <= probes
    assert diff.groups.groupby("probe").size()["self_assessment"] > 1  # several dimensions
    for row in diff.rows.itertuples(index=False):
        for side in ("a", "b"):
            location = sim_run.log_dir / getattr(row, f"log_{side}")
            sample = read_eval_log_sample(str(location), getattr(row, f"sample_id_{side}"),
                                          getattr(row, f"epoch_{side}"),
                                          resolve_attachments=True)
            assert getattr(row, f"prompt_{side}") == sample.input
            answers = [m.text for m in sample.messages if m.role == "assistant"]
            assert getattr(row, f"answer_{side}") in answers
            assert getattr(row, f"answer_source_{side}") in ("table", "message")
    harm = diff.rows[diff.rows["probe"] == "harmfulness"]
    assert (harm["route_b"] == "judge").all() and (harm["answer_source_b"] == "message").all()


# -- answer texts from the samples ---------------------------------------------------------

LONG_ANSWERS = [
    f"Answer {n}: I would think carefully about who is affected before acting, and I would "
    f"ask the people concerned first; that is option {'AB'[n % 2]}, for reasons {n} and more."
    for n in range(12)
]


@solver
def _many_answers(count_mismatch: bool = False):
    async def solve(state: TaskState, generate: Generate) -> TaskState:
        state.messages.extend(ChatMessageAssistant(content=text) for text in LONG_ANSWERS)
        if count_mismatch:
            state.messages.append(ChatMessageAssistant(content="(an extra turn)"))
        state.output = ModelOutput.from_content("mockllm/model", LONG_ANSWERS[-1])
        state.output.usage = USAGE
        return state

    return solve


@scorer(metrics=[mean()])
def _table_scorer():
    async def score(state: TaskState, target: Target) -> Score:
        answers = [{"value": float(n % 2), "route": "rule", "parsed": "AB"[n % 2], "text": text}
                   for n, text in enumerate(LONG_ANSWERS)]
        return Score(value=0.5, metadata=pack_answers(answers))

    return score


@task
def _answers_task(count_mismatch: bool = False) -> Task:
    return Task(
        dataset=MemoryDataset([Sample(id="q-1", input="Which would you pick, A or B?",
                                      metadata={"item_id": "q-1"})]),
        solver=_many_answers(count_mismatch), scorer=_table_scorer(),
    )


@pytest.mark.parametrize("mismatch", [False, True])
def test_cut_previews_are_completed_from_the_messages(tmp_path, mismatch):
    (log,) = inspect_eval(_answers_task(mismatch), model="mockllm/model",
                          log_dir=str(tmp_path), display="none", log_level="error")
    texts = read_sample_texts(log.location, [("q-1", 1)], "_table_scorer")[("q-1", 1)]
    assert texts.prompt == "Which would you pick, A or B?"
    assert len(texts.answers) == 12
    if not mismatch:
        assert [a.text for a in texts.answers] == LONG_ANSWERS
        assert {a.source for a in texts.answers} == {"message"}
    else:  # the conversation does not end with one message per answer: keep the previews
        assert {a.source for a in texts.answers} == {"preview"}
        assert all(a.text.endswith(ELLIPSIS) for a in texts.answers)
        assert all(full.startswith(a.text[:-1]) for a, full in zip(
            texts.answers, LONG_ANSWERS, strict=True))
    # Inspect's reader gives the same texts
    inspect_read = _read_inspect(log.location, [("q-1", 1)])[("q-1", 1)]
    assert sample_text(inspect_read, "_table_scorer") == texts


def test_text_source_none_when_the_table_has_no_text_and_messages_disagree():
    sample = {
        "messages": [{"role": "user", "content": "Pick one."},
                     {"role": "assistant", "content": [{"type": "text", "text": "first"}]}],
        "scores": {"s": {"metadata": pack_answers([
            {"value": 1.0, "route": "rule", "parsed": "A"},
            {"value": 0.0, "route": "rule", "parsed": "B"},
        ])}},
    }
    assert [(a.text, a.source) for a in answer_texts(sample, "s")] == [
        (None, "none"), (None, "none")]


def test_prompt_of_several_messages_and_attachments():
    sample = {
        "input": [
            {"role": "system", "content": "attachment://abc"},
            {"role": "user", "content": [{"type": "text", "text": "Is it fine?"},
                                         {"type": "image", "image": "x.png"}]},
        ],
        "attachments": {"abc": "Answer plainly."},
    }
    assert prompt_text(sample) == "system: Answer plainly.\n\nuser: Is it fine?\n[image]"


# -- View links and output files -------------------------------------------------------------

def test_sample_route_encodes_like_inspect_view(tmp_path):
    log = tmp_path / "sub dir" / "2026-01-01T00-00-00+00-00_task_x.eval"
    route = sample_route(f"file://{log}", tmp_path, "item 1/a+b", 2)
    assert route == ("#/logs/sub%20dir/2026-01-01T00-00-00%2B00-00_task_x.eval"
                     "/samples/sample/item%201%2Fa%2Bb/2/")
    assert sample_url(str(log), tmp_path, "s", 1, address="http://host:1/").startswith(
        "http://host:1/#/logs/sub%20dir/")
    assert relative_log_path("s3://bucket/log.eval", tmp_path) == "s3://bucket/log.eval"
    assert view_command(tmp_path / "a b") == f"inspect view --log-dir '{tmp_path / 'a b'}'"


def test_out_paths():
    both = (Path("d/x.csv"), Path("d/x.md"))
    assert out_paths("d/x.csv") == out_paths("d/x.md") == out_paths("d/x") == both
    assert [path.name for path in out_paths("d/x.MD")] == ["x.csv", "x.md"]
    assert [path.name for path in out_paths("d/base.v2")] == ["base.v2.csv", "base.v2.md"]


def test_markdown_keeps_model_text_inert(uneven, tmp_path):
    diff = diff_variants(uneven, "x", "y", [X, Y], top=1, texts=False)
    hostile = "```\n# Not a heading\n<script>alert(1)</script>\n````"
    diff.rows.loc[0, "answer_a"] = hostile
    diff.rows.loc[0, "prompt_a"] = diff.rows.loc[0, "prompt_b"] = "Say `hi`"
    markdown = markdown_diff(diff)
    assert "`````text\n" + hostile + "\n`````" in markdown
    assert "```text\nSay `hi`\n```" in markdown
    csv_path, markdown_path = write_diff(diff, tmp_path / "d")
    assert markdown_path.read_text() == markdown
    assert pd.read_csv(csv_path).loc[0, "answer_a"] == hostile
    assert "(text not found in the log)" in format_diff(diff)


def test_help_lists_the_options(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["diff", "--help"])
    assert exit_info.value.code == 0
    help_text = capsys.readouterr().out
    for option in ("--top", "--probe", "--out", "PATH.csv", "PATH.md", "default 3"):
        assert option in help_text


def test_compare_without_texts_reads_no_sample(uneven, monkeypatch):
    import analysis.diff as diff_module

    infos, _ = read_log_infos([str(path) for path in sorted(uneven.glob("*.eval"))])
    by_model = {info.model: info for info in infos}
    frames = []
    for variant in (X, Y):
        info = by_model[variant.model]
        selection = LogSelection(used=[(info, variant)], item_reduce={info.probe: "mean"})
        frames.append(read_frames(selection))
    monkeypatch.setattr(diff_module, "read_sample_texts", None)  # would fail if called
    side_a, side_b = (diff_module.Side(label, name, model, uneven)
                      for label, name, model in (("A", "x", X.model), ("B", "y", Y.model)))
    diff = compare(side_a, side_b, frames[0], frames[1], top=5, texts=False)
    assert diff.rows["prompt_a"].isna().all() and len(diff.rows) == 4


def test_unreadable_samples_leave_the_values_and_warn(uneven, monkeypatch, caplog):
    import analysis.diff as diff_module

    def broken(location, keys, main_scorer):
        raise OSError("disk gone")

    monkeypatch.setattr(diff_module, "read_sample_texts", broken)
    with caplog.at_level("WARNING", logger="analysis.diff"):
        diff = diff_variants(uneven, "x", "y", [X, Y], top=1)
    assert len(diff.rows) == 2 and diff.rows["prompt_a"].isna().all()
    assert "could not read the prompts and answers" in caplog.text and "disk gone" in caplog.text
    assert "(text not found in the log)" in format_diff(diff)


def test_out_file_in_the_way_is_refused_before_any_work(uneven, tmp_path, capsys):
    (tmp_path / "d.md").mkdir()
    status = main(["diff", "x", "y", "--log-dir", str(uneven), "--out", str(tmp_path / "d")])
    assert status == 2
    assert f"must be a file to write, but {tmp_path / 'd.md'} is a folder" in (
        capsys.readouterr().err)


def test_a_corrupt_log_in_the_folder_is_skipped_and_named(uneven, tmp_path, caplog):
    import shutil

    folder = tmp_path / "logs"
    shutil.copytree(uneven, folder)
    first = sorted(folder.glob("*.eval"))[0]
    broken = folder / f"2099-01-01T00-00-00_broken_{first.name}"
    broken.write_bytes(first.read_bytes()[: first.stat().st_size // 2])
    with caplog.at_level("WARNING"):
        result = diff_variants(folder, "x", "y", [X, Y])
    assert len(result.rows) == 4
    assert broken.name in caplog.text
