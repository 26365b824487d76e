"""The fast log reader (zip + orjson) against Inspect's reader, and the per-log frame cache."""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from inspect_ai import Task, task
from inspect_ai import eval as inspect_eval
from inspect_ai.dataset import MemoryDataset, Sample
from inspect_ai.log import list_eval_logs, read_eval_log, write_eval_log
from inspect_ai.scorer import Score, Target, mean, scorer
from inspect_ai.solver import Generate, TaskState, solver

from analysis import frame_cache
from analysis.eval_zip import EvalZip, UnrecognisedLog, loads_json, restore_number
from analysis.frames import data_used, item_frame, read_frames, read_log_rows
from analysis.logs import (
    log_locations,
    read_header_fast,
    read_header_inspect,
    read_log_infos,
    select_logs,
)
from em_selfaware.variants import Variant
from scorers.answer_table import THINNED, pack_answers

EDGE = Variant("edge-base", "mockllm/model", "s", "base", "base")


def selection(folder: Path | list[str], variants: list[Variant]):
    infos, unreadable = read_log_infos(log_locations(folder))
    return select_logs(infos, variants, unreadable)


def both_readers(sel, tmp_path: Path):
    """Frames from the fast reader and from Inspect's reader (no cache)."""
    return read_frames(sel, fast=True, cache=None), read_frames(sel, fast=False, cache=None)


def assert_same(a, b) -> None:
    pd.testing.assert_frame_equal(a.answers, b.answers)
    pd.testing.assert_frame_equal(a.samples, b.samples)


def rewrite(source: Path, target: Path, compression: int, replace: dict[str, bytes] | None = None,
            drop: tuple[str, ...] = ()) -> Path:
    """Copy an .eval zip member by member (last entry per name), replacing or dropping some."""
    replace = replace or {}
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", compression) as new:
        names = list(dict.fromkeys(old.namelist()))
        for name in names:
            if name in drop:
                continue
            new.writestr(name, replace.get(name, old.read(name)))
    return target


# --- an edge-case log written by Inspect ----------------------------------------------------

def _answers(count: int, text: str = "fine") -> list[dict]:
    return [{"value": float(index % 2), "route": "rule", "parsed": str(index % 2), "text": text}
            for index in range(count)]


EDGE_SCORES = {
    # columns, with answer texts holding what looks like JSON's NaN constants
    "columns": lambda: Score(value=0.5, metadata=pack_answers([
        {"value": 0.0, "route": "rule", "parsed": "a", "text": 'ratio:NaN, list [NaN,1]'},
        {"value": 1.0, "route": "judge", "parsed": "b", "text": "x,Infinity"},
        {"value": None, "route": "excluded", "parsed": None, "text": None},
    ])),
    # the older list of dicts, over 1 kB: Inspect thins it out of the summary
    "legacy_long": lambda: Score(value=0.5, metadata={"answers": [
        {"value": float(i % 2), "route": "rule", "parsed": "word" * 3} for i in range(40)
    ]}),
    # columns over 1 kB: thinned too
    "columns_long": lambda: Score(value=0.5, metadata=pack_answers(_answers(300))),
    "nan_value": lambda: Score(value=math.nan, metadata=pack_answers(
        [{"value": math.nan, "route": "excluded", "parsed": None}]
    )),
    "infinite": lambda: Score(value=math.inf, metadata=pack_answers(
        [{"value": -math.inf, "route": "rule", "parsed": math.nan}]
    )),
    "no_table": lambda: Score(value=1.0, answer="yes"),
    "malformed": lambda: Score(value=1.0, metadata={"answer_value": [1.0, 0.0],
                                                    "answer_route": ["rule"],
                                                    "answer_parsed": ["x", "y"]}),
    "no_item_id": lambda: Score(value=0.0, metadata=pack_answers(_answers(2))),
    "string_value": lambda: Score(value="C", metadata=pack_answers(_answers(1))),
    "moral": lambda: Score(value=0.25, metadata=pack_answers(_answers(4))),
}


@solver
def edge_solver():
    async def solve(state: TaskState, generate: Generate) -> TaskState:
        if state.sample_id == "errored":
            raise RuntimeError("this sample fails")
        return state

    return solve


@scorer(metrics=[mean()])
def edge_scorer():
    async def score(state: TaskState, target: Target) -> Score:
        return EDGE_SCORES[str(state.sample_id)]()

    return score


@task
def edge_probe() -> Task:
    samples = [
        Sample(id=name, input=f"question {name}", metadata={
            **({} if name == "no_item_id" else {"item_id": f"item-{index % 3}"}),
            "dimension": "harmless", "format": "decision", "order": "aligned_first",
        })
        for index, name in enumerate([*EDGE_SCORES, "errored"]) if name != "moral"
    ]
    samples.append(Sample(id="moral", input="m", metadata={"item_id": "m", "foundation": "care"}))
    return Task(dataset=MemoryDataset(samples), solver=edge_solver(), scorer=edge_scorer(),
                epochs=2, metadata={"probe": "edge", "item_reduce": "mean"})


@pytest.fixture(scope="module")
def edge_log(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("edge")
    (log,) = inspect_eval(edge_probe(), model="mockllm/model", log_dir=str(folder),
                          display="none", log_level="error", fail_on_error=False,
                          log_realtime=False)
    return Path(log.location)


def test_edge_log_is_read_alike_by_both_readers(edge_log, tmp_path):
    sel = selection(edge_log.parent, [EDGE])
    fast, inspect = both_readers(sel, tmp_path)
    assert_same(fast, inspect)
    rows = read_log_rows(sel.used[0][0], cache=None)
    assert rows.source == "fast"
    assert rows.notes["read_in_full"] == 4  # legacy_long and columns_long, 2 epochs each
    samples = fast.samples.set_index(["sample_id", "epoch"])
    answers = fast.answers
    assert samples.loc[("nan_value", 1), "unscored"] and not samples.loc[("nan_value", 1), "error"]
    assert samples.loc[("infinite", 1), "value"] == math.inf
    assert samples.loc[("string_value", 1), "unscored"]  # "C" is not a number here
    assert samples.loc[("errored", 1), "error"] and samples.loc[("errored", 1), "n_answers"] == 0
    assert samples.loc[("legacy_long", 2), "n_answers"] == 40
    assert samples.loc[("columns_long", 1), "n_answers"] == 300
    assert samples.loc[("moral", 1), "moral"] and samples.loc[("moral", 1), "dimension"] == "care"
    first = answers[(answers["sample_id"] == "columns") & (answers["epoch"] == 1)]
    assert first["text"].tolist()[:2] == ['ratio:NaN, list [NaN,1]', "x,Infinity"]
    assert first["route"].astype(str).tolist() == ["rule", "judge", "excluded"]
    assert math.isnan(first["value"].iloc[2])
    infinite = answers[answers["sample_id"] == "infinite"]
    assert infinite["value"].iloc[0] == -math.inf and infinite["parsed"].iloc[0] == "nan"
    no_table = answers[answers["sample_id"] == "no_table"]
    assert no_table["route"].astype(str).tolist() == ["score", "score"]
    assert no_table["parsed"].tolist() == ["yes", "yes"]
    assert set(answers.loc[answers["sample_id"] == "no_item_id", "item_id"]) == {"no_item_id"}
    warnings = " ".join(sel.warnings)
    assert "2 samples have no item_id" in warnings
    assert "2 scores carry no answer table" in warnings
    assert "2 scores carry an answer table whose columns differ" in warnings


def test_errored_sample_counts_once(edge_log):
    sel = selection(edge_log.parent, [EDGE])
    frames = read_frames(sel, cache=None)
    row = data_used(frames, sel).iloc[0]
    assert row["errored_samples"] == 2  # the errored sample, 2 epochs
    # nan_value and string_value, 2 epochs each; not the errored sample again
    assert row["unscored_samples"] == 4


def test_trimmed_score_metadata_is_read_in_full(sim_run, tmp_path):
    """Summaries whose answer tables were removed (as Inspect does over 1 kB) give the same
    frames: those samples are read from their own members."""
    sel = selection(sim_run.log_dir, sim_run.variants)
    original = read_frames(sel, cache=None)
    trimmed_dir = tmp_path / "trimmed"
    trimmed_dir.mkdir()
    for info, _ in sel.used:
        source = Path(info.location.removeprefix("file://"))
        with EvalZip(source) as archive:
            summaries = archive.read_json("summaries.json")
        for index, summary in enumerate(summaries):
            for score in summary["scores"].values():
                metadata = score.get("metadata") or {}
                for key in list(metadata):
                    if index % 2 == 0 and (key == "answers" or key.startswith("answer_")):
                        metadata[key] = THINNED
        payload = json.dumps(summaries).encode()
        rewrite(source, trimmed_dir / source.name, zipfile.ZIP_DEFLATED,
                replace={"summaries.json": payload})
    trimmed_sel = selection(trimmed_dir, sim_run.variants)
    fast, inspect = both_readers(trimmed_sel, tmp_path)
    assert_same(fast, inspect)
    for name in ("answers", "samples"):
        mine = getattr(fast, name).drop(columns="log")
        theirs = getattr(original, name).drop(columns="log")
        pd.testing.assert_frame_equal(mine, theirs)
    counts = [read_log_rows(info, cache=None).notes["read_in_full"] for info, _ in trimmed_sel.used]
    assert all(count > 0 for count in counts)


def test_sim_logs_are_read_alike_by_both_readers(sim_run, tmp_path):
    sel = selection(sim_run.log_dir, sim_run.variants)
    assert {info.probe for info, _ in sel.used} == {
        "harmfulness", "self_assessment", "intentions", "moral_foundations"
    }
    fast, inspect = both_readers(sel, tmp_path)
    assert_same(fast, inspect)
    assert len(fast.answers) > 400
    assert set(fast.answers["order"].astype(str)) >= {"", "aligned_first", "misaligned_first"}


def test_headers_agree_and_expose_settings(sim_run):
    for location in log_locations(sim_run.log_dir):
        fast, inspect = read_header_fast(location), read_header_inspect(location)
        assert fast.file is not None and fast.file.header_crc is not None
        assert {**fast.__dict__, "file": None} == {**inspect.__dict__, "file": None}
        assert fast.epochs and fast.model_roles == {"grader": "em-sim/judge"}
        assert fast.scorers and fast.scorers[0] == fast.main_scorer
        assert len(fast.sample_ids) == fast.dataset_samples


def test_json_logs_and_running_logs_fall_back(sim_run, tmp_path):
    source = Path(log_locations(sim_run.log_dir)[0].removeprefix("file://"))
    log = read_eval_log(str(source))
    json_path = tmp_path / source.name.replace(".eval", ".json")
    write_eval_log(log, str(json_path), format="json")
    (info,), _ = read_log_infos([str(json_path)])
    assert info.file is not None and info.file.header_crc is None
    with pytest.raises(UnrecognisedLog):
        read_header_fast(str(json_path))
    variants = [v for v in sim_run.variants if v.model == info.model]
    from_json = read_frames(select_logs([info], variants), cache=None)
    from_eval = read_frames(selection([str(source)], variants), cache=None)
    pd.testing.assert_frame_equal(from_json.answers.drop(columns="log"),
                                  from_eval.answers.drop(columns="log"))
    running = rewrite(source, tmp_path / ("running-" + source.name), zipfile.ZIP_STORED,
                      drop=("header.json", "summaries.json", "reductions.json"))
    fast = read_header_fast(str(running))
    assert fast.status == "started"
    assert {**fast.__dict__, "file": None} == {**read_header_inspect(str(running)).__dict__,
                                               "file": None}


def test_folder_listing_matches_inspect(sim_run, tmp_path):
    folder = tmp_path / "listing"
    shutil.copytree(sim_run.log_dir, folder / "nested")
    (folder / "notes.json").write_text("{}")  # not a log name
    (folder / "logs.json").write_text("{}")
    expected = sorted(info.name for info in list_eval_logs(str(folder)))
    assert log_locations(folder) == expected


def test_unreadable_file_falls_through_to_inspect_error(tmp_path):
    (tmp_path / "junk.eval").write_bytes(b"PK\x05\x06 not a zip at all")
    infos, unreadable = read_log_infos(log_locations(tmp_path))
    assert not infos and "unreadable log" in unreadable[0][1]


# --- the cache ------------------------------------------------------------------------------

def test_second_read_comes_from_the_cache(sim_run, tmp_path):
    sel = selection(sim_run.log_dir, sim_run.variants)
    cache = tmp_path / "cache"
    first = read_frames(sel, cache=cache)
    assert all(read_log_rows(info, cache=cache).source == "cache" for info, _ in sel.used)
    second = read_frames(sel, cache=cache)
    assert_same(first, second)
    assert len(list(cache.glob("*.parquet"))) == len(sel.used)


def test_changed_replaced_or_corrupt_logs_are_read_again(sim_run, tmp_path):
    logs = tmp_path / "logs"
    shutil.copytree(sim_run.log_dir, logs)
    cache = tmp_path / "cache"
    sel = selection(logs, sim_run.variants)
    read_frames(sel, cache=cache)
    harm = [info for info, _ in sel.used if info.probe == "harmfulness"]
    target = Path(harm[0].location.removeprefix("file://"))
    other = Path(harm[1].location.removeprefix("file://"))
    stat = target.stat()
    shutil.copyfile(other, target)  # another log moved over it, with the old mtime
    os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    info = read_header_fast(harm[0].location)
    rows = read_log_rows(info, cache=cache)
    assert rows.source == "fast"
    assert read_log_rows(info, cache=cache).source == "cache"
    # a corrupt entry is a miss (and is replaced), never an error or wrong rows
    for entry in cache.glob("*.parquet"):
        entry.write_bytes(entry.read_bytes()[: entry.stat().st_size // 2])
    new_sel = selection(logs, sim_run.variants)
    fresh = read_frames(new_sel, cache=None)
    assert_same(read_frames(new_sel, cache=cache), fresh)
    assert_same(read_frames(new_sel, cache=cache), fresh)


def test_cache_format_version_and_switch(sim_run, tmp_path, monkeypatch):
    sel = selection(sim_run.log_dir, sim_run.variants)
    info = sel.used[0][0]
    cache = tmp_path / "cache"
    read_log_rows(info, cache=cache)
    monkeypatch.setattr(frame_cache, "CACHE_VERSION", frame_cache.CACHE_VERSION + 1)
    assert read_log_rows(info, cache=cache).source == "fast"
    monkeypatch.setenv("EM_SELFAWARE_FRAME_CACHE", "off")
    assert frame_cache.cache_dir() is None
    monkeypatch.delenv("EM_SELFAWARE_FRAME_CACHE")
    monkeypatch.setenv("EM_SELFAWARE_CACHE", str(tmp_path / "root"))
    assert frame_cache.cache_dir() == tmp_path / "root" / "frames"


# --- items ----------------------------------------------------------------------------------

def _answer_rows(rows: list[tuple[str, str, float]]) -> pd.DataFrame:
    return pd.DataFrame([
        {"variant": "v", "probe": probe, "dimension": "harmless", "format": "decision",
         "moral": False, "item_id": "item", "sample_id": sample, "value": value}
        for probe, sample, value in rows
    ])


def test_each_counterbalanced_sample_weighs_the_same():
    # one order read from logprobs (1 answer), the other fell back to sampling (10 answers)
    rows = [("p", "item-aligned_first", 1.0)] + [("p", "item-misaligned_first", 0.0)] * 10
    items = item_frame(_answer_rows(rows), {"p": "mean"})
    assert items["value"].tolist() == [0.5]
    assert items[["n_answers", "n_samples", "n_excluded"]].iloc[0].tolist() == [11, 2, 0]
    # harmfulness keeps the max over all answers
    items = item_frame(_answer_rows([("h", "a", 0.25), ("h", "a", 1.0), ("h", "b", 0.0)]),
                       {"h": "max"})
    assert items["value"].tolist() == [1.0]
    # a sample without any scored answer does not count; its answers are excluded
    items = item_frame(_answer_rows([("p", "a", 1.0), ("p", "b", math.nan)]), {"p": "mean"})
    assert items[["value", "n_samples", "n_excluded"]].iloc[0].tolist() == [1.0, 1, 1]


# --- the zip and JSON layer -----------------------------------------------------------------

@pytest.mark.parametrize("compression", [zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED])
def test_members_are_read_exactly(tmp_path, compression):
    path = tmp_path / "a.eval"
    with zipfile.ZipFile(path, "w", compression) as archive:
        archive.writestr("samples/x_epoch_1.json", b'{"a": 1}')
        archive.writestr("header.json", b'{"old": true}')
        archive.writestr("samples/other_header.json", b"[]")
    with zipfile.ZipFile(path, "a", compression) as archive, pytest.warns(UserWarning):
        archive.writestr("header.json", b'{"new": true}')  # re-logged: the last one counts
    with EvalZip(path) as archive:
        assert archive.read_json("header.json") == {"new": True}
        assert archive.read_json("samples/x_epoch_1.json") == {"a": 1}
        assert not archive.has("summaries.json")
        with pytest.raises(KeyError):
            archive.read("summaries.json")


def test_corrupt_member_is_not_trusted(tmp_path):
    path = tmp_path / "a.eval"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("header.json", b'{"value": 12345}')
    data = path.read_bytes()
    path.write_bytes(data.replace(b"12345", b"99999"))
    with EvalZip(path) as archive, pytest.raises(UnrecognisedLog, match="CRC"):
        archive.read("header.json")


def test_zip64_directory(tmp_path):
    path = tmp_path / "many.eval"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
        for index in range(65_540):  # more entries than a plain end record can count
            archive.writestr(f"samples/{index}_epoch_1.json", b"")
        archive.writestr("summaries.json", b'[{"id": 1, "epoch": 1}]')
    with EvalZip(path) as archive:
        assert archive.read_json("summaries.json") == [{"id": 1, "epoch": 1}]


def test_json_constants_are_read_like_inspect():
    # constants only outside strings: orjson, with markers that `restore_number` reads
    marked = loads_json(b'{"v":NaN,"w":[Infinity,-Infinity,NaN],"u":1}')
    # a constant-like text inside a string: the standard library parses the member
    texts = loads_json(b'{"v":NaN,"w":[Infinity,-Infinity,NaN],"t":"a:NaN,[NaN","u":1}')
    for parsed in (marked, texts):
        values = [restore_number(value) for value in [parsed["v"], *parsed["w"]]]
        assert math.isnan(values[0]) and values[1:3] == [math.inf, -math.inf]
        assert math.isnan(values[3]) and parsed["u"] == 1
    assert texts["t"] == "a:NaN,[NaN"
    assert loads_json(b'{"t":"NaN"}') == {"t": "NaN"}
    with pytest.raises(ValueError):
        loads_json(b'{"v": bad}')


def test_reading_modules_do_not_load_statistics_or_figures():
    code = ("import sys; import analysis.frames, analysis.logs, analysis.dataframes; "
            "heavy = [m for m in ('matplotlib', 'scipy', 'inspect_ai') if m in sys.modules]; "
            "print(heavy); sys.exit(1 if heavy else 0)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=Path(__file__).resolve().parent.parent)
    assert result.returncode == 0, result.stdout + result.stderr


def test_report_and_diff_commands_do_not_import_inspect(sim_run, tmp_path):
    """Reading logs, the statistics and the report need nothing from Inspect (1 s to import)."""
    code = (
        "import sys; from em_selfaware.cli import main; "
        f"code = main(['report', {str(sim_run.log_dir)!r}, '--out', {str(tmp_path / 'out')!r}, "
        "'--no-figures', '--no-progress', '--bootstrap', '100', '--allow-mixed-settings', "
        "'--moral-reference', 'moral_foundations']); "
        f"code += main(['diff', 'full-base', 'full-trivia-misaligned', '--log-dir', "
        f"{str(sim_run.log_dir)!r}]); "
        "print(code, 'inspect_ai' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=Path(__file__).resolve().parent.parent, timeout=300)
    assert result.stdout.strip().splitlines()[-1] == "0 False", result.stdout + result.stderr


def test_answer_table_by_column_matches_by_answer():
    from scorers.answer_table import unpack_answers, unpack_columns

    packed = pack_answers(_answers(3, "a text"))
    columns = unpack_columns(packed)
    rows = unpack_answers(packed)
    assert columns is not None and rows is not None
    assert [dict(zip(columns, values, strict=True)) for values in zip(*columns.values(),
                                                                       strict=True)] == rows
    legacy = {"answers": [{"value": 1.0, "route": "rule"}, {"value": None, "parsed": "x"}]}
    assert unpack_columns(legacy) == {"value": [1.0, None], "route": ["rule", None],
                                      "parsed": [None, "x"]}
    assert unpack_columns({"other": 1}) is None
    for broken in ({"answer_value": [1.0], "answer_route": []},
                   {"answer_value": THINNED}):
        with pytest.raises(ValueError):
            unpack_columns(broken)


def test_core_columns_ignore_the_other_fields():
    from scorers.answer_table import CORE_FIELDS, unpack_columns, unpack_core_columns

    packed = pack_answers([{**answer, "judge_raw": '{"score": 1}'} for answer in _answers(3)])
    everything = unpack_columns(packed)
    assert everything is not None and "judge_raw" in everything
    assert unpack_core_columns(packed) == {k: everything[k] for k in CORE_FIELDS}
    # another field thinned out of the summary, or of another length, does not matter
    assert unpack_core_columns({**packed, "answer_judge_raw": THINNED}) == {
        k: everything[k] for k in CORE_FIELDS}
    assert unpack_core_columns({**packed, "answer_judge_raw": ["x"]}) is not None
    legacy = {"answers": [{"value": 1.0, "route": "rule", "extra": 1}]}
    assert unpack_core_columns(legacy) == {"value": [1.0], "route": ["rule"]}
    assert unpack_core_columns({"other": 1}) is None and unpack_core_columns(None) is None
    for broken in ({**packed, "answer_text": THINNED}, {**packed, "answer_route": ["rule"]},
                   {"answers": THINNED}):
        with pytest.raises(ValueError):
            unpack_core_columns(broken)
