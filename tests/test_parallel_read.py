"""Reading many logs in worker processes: the same rows as one by one, failures named, cached
logs read here, and a broken pool never loses a log."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyarrow as pa
import pytest

from analysis import parallel_read
from analysis.loading import load_study
from analysis.logs import log_locations, read_log_infos, select_logs
from analysis.parallel_read import read_rows_of, read_worker_count
from tests.test_analysis_hygiene import corrupt_member


def _infos(folder: Path, variants) -> list:
    infos, _ = read_log_infos(log_locations(folder))
    return [info for info, _ in select_logs(infos, variants, [], echo=False).used]


def _copy(sim_run, tmp_path: Path) -> Path:
    folder = tmp_path / "logs"
    shutil.copytree(sim_run.log_dir, folder)
    return folder


def _by_location(results) -> dict[str, object]:
    return {info.location: result for info, result in results}


def _count_worker_results(monkeypatch) -> list[str]:
    """Record each log the worker pool returns (a pool that fails returns fewer)."""
    returned: list[str] = []
    in_workers = parallel_read._parse_in_workers

    def counting(*args):
        for info, result in in_workers(*args):
            returned.append(info.location)
            yield info, result

    monkeypatch.setattr(parallel_read, "_parse_in_workers", counting)
    return returned


def test_workers_read_the_same_rows_and_name_a_corrupt_log(sim_run, tmp_path, monkeypatch):
    folder = _copy(sim_run, tmp_path)
    infos = _infos(folder, sim_run.variants)
    corrupted = infos[0]
    corrupt_member(Path(corrupted.location.removeprefix("file://")), "summaries.json")
    serial = _by_location(read_rows_of(infos, True, None, parallel_min_bytes=2**62))
    monkeypatch.setenv(parallel_read.WORKERS_ENV, "2")
    from_workers = _count_worker_results(monkeypatch)
    advanced = []
    parallel = _by_location(read_rows_of(infos, True, tmp_path / "cache",
                                         advance=lambda: advanced.append(1), parallel=True,
                                         parallel_min_bytes=0))
    assert len(advanced) == len(infos) == len(parallel) == len(serial)
    assert sorted(from_workers) == sorted(info.location for info in infos)  # no fallback
    assert isinstance(parallel[corrupted.location], str)
    assert parallel[corrupted.location].startswith("unreadable sample data (")
    assert parallel[corrupted.location] == serial[corrupted.location]
    for info in infos[1:]:
        assert parallel[info.location].source == "fast"
        assert parallel[info.location].table.equals(serial[info.location].table)
        assert parallel[info.location].notes == serial[info.location].notes
        assert parallel[info.location].judge == serial[info.location].judge
    # the workers wrote the cache entries: a second read takes every good log from the cache
    again = _by_location(read_rows_of(infos, True, tmp_path / "cache", parallel=True,
                                      parallel_min_bytes=0))
    assert {again[info.location].source for info in infos[1:]} == {"cache"}
    assert isinstance(again[corrupted.location], str)


def test_a_broken_pool_leaves_the_rest_to_this_process(sim_run, tmp_path, monkeypatch):
    from concurrent.futures.process import BrokenProcessPool

    infos = _infos(sim_run.log_dir, sim_run.variants)

    def breaks_after_one(pending, fast, cache, workers):
        yield pending[0], parallel_read.parse_log_rows(pending[0], fast, cache)
        raise BrokenProcessPool("a worker died")

    monkeypatch.setenv(parallel_read.WORKERS_ENV, "2")
    monkeypatch.setattr(parallel_read, "_parse_in_workers", breaks_after_one)
    results = list(read_rows_of(infos, True, None, parallel=True, parallel_min_bytes=0))
    assert sorted(info.location for info, _ in results) == sorted(i.location for i in infos)
    assert all(isinstance(rows.table, pa.Table) for _, rows in results)


def test_load_study_in_workers_matches_one_by_one(sim_run, tmp_path, monkeypatch):
    folder = _copy(sim_run, tmp_path)
    one_by_one = load_study(folder, sim_run.variants, cache=None)
    monkeypatch.setenv(parallel_read.WORKERS_ENV, "2")
    monkeypatch.setattr(parallel_read, "PARALLEL_MIN_BYTES", 0)
    from_workers = _count_worker_results(monkeypatch)
    assert load_study(folder, sim_run.variants, cache=None).frames.answers.equals(
        one_by_one.frames.answers)
    assert not from_workers  # a library call reads in-process unless it allows workers
    in_workers = load_study(folder, sim_run.variants, cache=None, parallel=True)
    assert in_workers.frames.answers.equals(one_by_one.frames.answers)
    assert in_workers.frames.samples.equals(one_by_one.frames.samples)
    assert len(from_workers) == len(in_workers.selection.used)


@pytest.mark.parametrize("setting, message", [("two", "whole number"), ("0", "at least 1")])
def test_bad_worker_setting_is_a_clear_error(monkeypatch, setting, message):
    monkeypatch.setenv(parallel_read.WORKERS_ENV, setting)
    with pytest.raises(ValueError, match=message):
        read_worker_count(4)


def test_worker_count_is_capped_by_logs_and_setting(monkeypatch):
    monkeypatch.setenv(parallel_read.WORKERS_ENV, "3")
    assert read_worker_count(2) == 2 and read_worker_count(10) == 3
    monkeypatch.setenv(parallel_read.WORKERS_ENV, "1")
    assert read_worker_count(10) == 1
    monkeypatch.delenv(parallel_read.WORKERS_ENV)
    assert 1 <= read_worker_count(100) <= parallel_read.MAX_WORKERS


def test_the_report_command_allows_workers(sim_run, tmp_path, monkeypatch):
    """`em-selfaware report` (a guarded main module) lets large reads use worker processes."""
    import analysis.report
    from em_selfaware.cli import main

    calls = []

    def spy(*args, **kwargs):
        calls.append(kwargs.get("parallel"))
        return load_study(*args, **kwargs)

    monkeypatch.setattr(analysis.report, "load_study", spy)
    code = main(["report", str(sim_run.log_dir), "--out", str(tmp_path / "out"), "--no-figures",
                 "--no-progress", "--bootstrap", "100", "--allow-mixed-settings",
                 "--moral-reference", "moral_foundations"])
    assert code == 0 and calls == [True]
