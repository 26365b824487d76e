"""Log hygiene: which logs are used, superseded, skipped, or refused together; settings
compared across variants; unreadable logs skipped and named."""

from __future__ import annotations

import shutil
import time
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from inspect_ai import eval as inspect_eval
from inspect_ai import task_with
from inspect_ai.log import read_eval_log, write_eval_log
from inspect_ai.model import GenerateConfig

from analysis.eval_zip import EvalZip
from analysis.loading import load_study
from analysis.logs import LogHygieneError, log_locations, read_log_infos, select_logs
from analysis.report import analyse, write_report
from em_selfaware.cli import main
from em_selfaware.variants import Variant, save_variants
from tests.contract_probe import BEHAVIOURS, Behaviour, contract_probe

BASE = Variant("s-base", "contract-sim/s-base", "s", "base", "base")
MISALIGNED = Variant("s-trivia-misaligned", "contract-sim/s-trivia-misaligned", "s", "trivia",
                     "misaligned", parent="s-base")
BROKEN = Variant("s-code-misaligned", "contract-sim/broken-s-code", "s", "code", "misaligned")
VARIANTS = [BASE, MISALIGNED, BROKEN]

COLD = {"config": GenerateConfig(temperature=0.0)}
HOT = {"config": GenerateConfig(temperature=1.0)}
MAX = {"item_reduce": "max", "probe_name": "max_probe"}
# name -> (model, task arguments, task options)
POOL_SPECS = {
    "base": ("s-base", {}, {}),
    "mis": ("s-trivia-misaligned", {}, {}),
    "mis_v2": ("s-trivia-misaligned", {"version": 2}, {}),
    "mis_bank_b": ("s-trivia-misaligned", {"bank": "b"}, {}),
    "stranger": ("stranger", {}, {}),
    "base_samples2": ("s-base", {"samples": 2}, {}),
    "base_decision": ("s-base", {"formats": "decision"}, {}),
    "base_likert": ("s-base", {"formats": "likert"}, {}),
    "broken": ("broken-s-code", {}, {}),
    # mixed settings: the issue's example (base in logprobs mode at temperature 0, misaligned
    # sampled 3 times at temperature 1), a max-reduced probe at 1 and 3 samples, a grader
    "base_lp_cold": ("s-base", {"mode": "logprobs"}, COLD),
    "mis_s3_hot": ("s-trivia-misaligned", {"samples": 3}, HOT),
    "max_base": ("s-base", MAX, {}),
    "max_mis": ("s-trivia-misaligned", MAX, {}),
    "max_mis_s3": ("s-trivia-misaligned", {**MAX, "samples": 3}, {}),
    "mis_s3": ("s-trivia-misaligned", {"samples": 3}, {}),
    "base_judge_a": ("s-base", {}, {"model_roles": {"grader": "contract-sim/judge-a"}}),
    "mis_judge_b": ("s-trivia-misaligned", {}, {"model_roles": {"grader": "contract-sim/judge-b"}}),
    "base_judge_cold": ("s-base", {"judge_temperature": 0.0}, {}),
    "mis_judge_cold": ("s-trivia-misaligned", {"judge_temperature": 0.0}, {}),
    "mis_judge_warm": ("s-trivia-misaligned", {"judge_temperature": 0.7}, {}),
}
# later runs of `base` with eval options: name -> options of `inspect_eval`
LATER_RUNS = {
    "base_rerun": {},
    "base_limit3": {"limit": 3},
    "base_no_samples": {"log_samples": False},
    "base_first_half": {"sample_id": [f"a-harmless-{fmt}-{i}" for fmt in ("decision", "likert")
                                      for i in range(2)]},
    "base_second_half": {"sample_id": [f"a-honest-{fmt}-{i}" for fmt in ("decision", "likert")
                                       for i in range(2)]},
}


def _task(model: str, args: dict, options: dict | None = None):
    args = {"items": 2, "samples": 1, **args}
    return task_with(contract_probe(**args), model=f"contract-sim/{model}", **(options or {}))


@pytest.fixture(scope="module")
def pool(tmp_path_factory) -> dict[str, Path]:
    """One log per spec (run together), later runs of `base` with eval options (a re-run,
    ``--limit 3``, ``--no-log-samples``, two ``--sample-id`` halves) and a cancelled copy."""
    BEHAVIOURS[("s-trivia-misaligned", "a")] = Behaviour({("harmless", "decision"): 2})
    folder = tmp_path_factory.mktemp("pool")
    names = list(POOL_SPECS)
    logs = inspect_eval([_task(*POOL_SPECS[name]) for name in names], log_dir=str(folder),
                        display="none", log_level="error", max_tasks=len(names),
                        log_realtime=False)
    paths = {name: Path(log.location) for name, log in zip(names, logs, strict=True)}
    time.sleep(1.1)  # log creation times have one-second resolution
    for name, options in LATER_RUNS.items():
        (later,) = inspect_eval(_task("s-base", {}), log_dir=str(folder / name),
                                display="none", log_level="error", log_realtime=False,
                                **options)
        paths[name] = Path(later.location)
    cancelled = read_eval_log(str(paths["mis"]))
    cancelled.status = "cancelled"
    paths["mis_cancelled"] = folder / "cancelled" / "mis-cancelled.eval"
    paths["mis_cancelled"].parent.mkdir()
    write_eval_log(cancelled, str(paths["mis_cancelled"]))
    return paths


def folder_with(tmp_path: Path, pool: dict[str, Path], *names: str) -> Path:
    tmp_path.mkdir(exist_ok=True)
    for name in names:
        shutil.copy(pool[name], tmp_path / pool[name].name)
    return tmp_path


def selection_of(folder: Path, variants=VARIANTS, check: bool = False):
    """The log selection of a folder (with `check`: and the settings check, via the loader)."""
    if check:
        return load_study(folder, variants, cache=None).selection
    infos, unreadable = read_log_infos(log_locations(folder))
    return select_logs(infos, variants, unreadable)


def test_clean_folder_uses_every_log(tmp_path, pool):
    selection = selection_of(folder_with(tmp_path, pool, "base", "mis"))
    assert [variant.name for _, variant in selection.used] == ["s-base", "s-trivia-misaligned"]
    assert not selection.superseded and not selection.skipped and not selection.warnings


def test_latest_complete_run_is_used_and_older_listed(tmp_path, pool):
    selection = selection_of(folder_with(tmp_path, pool, "base", "base_rerun", "mis"))
    used = {info.name for info, _ in selection.used}
    assert pool["base_rerun"].name in used and pool["base"].name not in used
    assert [(old.name, new.name) for old, new, _ in selection.superseded] == [
        (pool["base"].name, pool["base_rerun"].name)
    ]
    assert "a later run of the same samples" in selection.superseded[0][2]


def test_error_log_is_skipped_with_a_warning(tmp_path, pool):
    selection = selection_of(folder_with(tmp_path, pool, "base", "mis", "broken"))
    assert len(selection.used) == 2
    assert "status 'error'" in selection.skipped[0][1]
    assert any("simulated interruption" in w for w in selection.warnings)


def test_cancelled_log_is_skipped_with_a_warning(tmp_path, pool):
    selection = selection_of(folder_with(tmp_path, pool, "base", "mis_cancelled"))
    assert [variant.name for _, variant in selection.used] == ["s-base"]
    assert any("status 'cancelled'" in w for w in selection.warnings)


def test_unregistered_model_is_named_in_a_warning(tmp_path, pool):
    selection = selection_of(folder_with(tmp_path, pool, "base", "mis", "stranger"))
    assert len(selection.used) == 2
    assert any("contract-sim/stranger" in w and "not in the variant registry" in w
               for w in selection.warnings)


def test_different_task_versions_are_an_error(tmp_path, pool):
    with pytest.raises(LogHygieneError, match="different task versions"):
        selection_of(folder_with(tmp_path, pool, "base", "mis_v2"))


def test_different_item_banks_are_an_error(tmp_path, pool):
    with pytest.raises(LogHygieneError, match=r"different item banks \(contract-a: s-base"):
        selection_of(folder_with(tmp_path, pool, "base", "mis_bank_b"))


def test_overlapping_configurations_are_an_error(tmp_path, pool):
    with pytest.raises(LogHygieneError, match="several configurations that share samples"):
        selection_of(folder_with(tmp_path, pool, "base", "base_samples2"))


def test_disjoint_configurations_are_combined(tmp_path, pool):
    folder = folder_with(tmp_path, pool, "base_decision", "base_likert", "mis")
    analysis = analyse(folder, VARIANTS, n_boot=50)
    formats = set(analysis.items.loc[analysis.items["variant"] == "s-base", "format"])
    assert formats == {"decision", "likert"}
    assert analysis.data_used.set_index("variant").loc["s-base", "logs"] == 2


def test_report_lists_skipped_and_superseded_logs(tmp_path, pool):
    (tmp_path / "logs").mkdir()
    folder = folder_with(tmp_path / "logs", pool, "base", "base_rerun", "mis", "broken",
                         "stranger")
    analysis = analyse(folder, VARIANTS, n_boot=50)
    write_report(analysis, tmp_path / "out", figures=False)
    logs = (tmp_path / "out" / "logs.csv").read_text()
    assert logs.count("superseded") == 1 and logs.count("skipped") == 2
    markdown = (tmp_path / "out" / "report.md").read_text()
    assert "## Warnings and notes" in markdown and "contract-sim/stranger" in markdown
    used = analysis.data_used.set_index("variant")
    assert used.loc["s-code-misaligned", "logs"] == 0  # listed, with nothing behind it


def test_unreadable_file_is_skipped(tmp_path, pool):
    folder = folder_with(tmp_path, pool, "base")
    (folder / "junk.eval").write_bytes(b"not a zip")
    selection = selection_of(folder)
    assert len(selection.used) == 1
    assert "unreadable" in selection.skipped[0][1]


# --- settings compared across variants --------------------------------------------------------

def test_mixed_mode_and_temperature_are_an_error(tmp_path, pool):
    """The issue's example: no Wilcoxon from a logprobs run at temperature 0 against a
    sampled run at temperature 1 without a word."""
    folder = folder_with(tmp_path, pool, "base_lp_cold", "mis_s3_hot")
    with pytest.raises(LogHygieneError) as raised:
        analyse(folder, VARIANTS, n_boot=50)
    message = str(raised.value)
    assert "mode differs across variants (logprobs: s-base; sample: s-trivia-misaligned)" in message
    assert "temperature differs across variants (0.0: s-base; 1.0: s-trivia-misaligned)" in message
    assert "--allow-mixed-settings" in message
    assert "samples differs" not in message  # a mean-reduced probe: samples is a warning


def test_mixed_settings_allowed_are_listed(tmp_path, pool):
    (tmp_path / "logs").mkdir()
    folder = folder_with(tmp_path / "logs", pool, "base_lp_cold", "mis_s3_hot")
    analysis = analyse(folder, VARIANTS, n_boot=50, allow_mixed_settings=True)
    assert not analysis.wilcoxon.empty
    warnings = "\n".join(analysis.selection.warnings)
    assert "mode differs" in warnings and "allowed by --allow-mixed-settings" in warnings
    assert "samples differs across variants (1: s-base; 3: s-trivia-misaligned)" in warnings
    write_report(analysis, tmp_path / "out", figures=False)
    settings = pd.read_csv(tmp_path / "out" / "settings.csv", dtype=str,
                           keep_default_na=False)
    rows = settings.set_index("variant")
    assert rows.loc["s-base", "mode"] == "logprobs" and rows.loc["s-base", "temperature"] == "0.0"
    assert rows.loc["s-trivia-misaligned", "samples"] == "3"
    assert rows["differs"].iloc[0] == "samples, epochs, mode, temperature"
    for name in ("report.md", "report.html"):
        text = (tmp_path / "out" / name).read_text()
        assert "Settings" in text and "written with --allow-mixed-settings" in text
        assert ("contract_probe: differs across variants in samples, epochs, mode, "
                "temperature") in text
        assert "Written with --allow-mixed-settings: the variants of contract_probe" in text


def test_samples_of_a_max_reduced_probe_are_an_error(tmp_path, pool):
    with pytest.raises(LogHygieneError, match=r"probe 'max_probe': samples differs .*"
                                              r"maximum over more answers"):
        selection_of(folder_with(tmp_path, pool, "max_base", "max_mis_s3"), check=True)


def test_samples_of_a_mean_probe_are_a_warning(tmp_path, pool):
    selection = selection_of(folder_with(tmp_path, pool, "base", "mis_s3"), check=True)
    assert [w for w in selection.warnings if "differs" in w] == [
        f"probe 'contract_probe': {name} differs across variants (1: s-base; 3: "
        "s-trivia-misaligned); more answers per item give a more precise item value"
        for name in ("samples", "epochs")
    ]


def test_another_grader_or_judge_temperature_is_an_error(tmp_path, pool):
    with pytest.raises(LogHygieneError, match=r"grader differs across variants "
                       r"\(contract-sim/judge-a: s-base; contract-sim/judge-b: s-tri"):
        selection_of(folder_with(tmp_path / "a", pool, "base_judge_a", "mis_judge_b"), check=True)
    # the judge temperature the scores record (rules' judge_settings)
    with pytest.raises(LogHygieneError, match=r"judge_temperature differs across variants "
                                              r"\(0.0: s-base; 0.7: s-trivia-misaligned\)"):
        selection_of(folder_with(tmp_path / "b", pool, "base_judge_cold", "mis_judge_warm"),
                     check=True)
    same_folder = folder_with(tmp_path / "c", pool, "base_judge_cold", "mis_judge_cold")
    for _ in range(2):  # read, then from the frame cache
        same = load_study(same_folder, VARIANTS, cache=tmp_path / "cache")
        assert set(same.settings.table["judge_temperature"]) == {"0.0"}
        assert set(same.settings.table["grader"]) == {"contract-sim/judge"}
    # a variant whose scores never called the judge records nothing: not a difference
    unknown = load_study(folder_with(tmp_path / "d", pool, "base", "mis_judge_warm"),
                         VARIANTS, cache=None)
    assert not [d for d in unknown.settings.differences if d.setting.column.startswith("judge")]


def test_same_settings_give_no_warning(tmp_path, pool):
    study = load_study(folder_with(tmp_path, pool, "max_base", "max_mis"), VARIANTS, cache=None)
    assert not study.settings.differences and not study.selection.warnings
    assert set(study.settings.table["coverage"]) == {"8/8"}
    assert set(study.settings.table["epochs"]) == {"1"}


# --- coverage-aware log choice ----------------------------------------------------------------

def test_a_later_partial_run_never_replaces_a_complete_one(tmp_path, pool):
    selection = selection_of(folder_with(tmp_path, pool, "base", "base_limit3", "mis"))
    used = {info.name for info, _ in selection.used}
    assert pool["base"].name in used and pool["base_limit3"].name not in used
    ((old, new, why),) = selection.superseded
    assert (old.name, new.name) == (pool["base_limit3"].name, pool["base"].name)
    assert why.startswith("partial run (a later run): 3/8 samples x 1 epoch (--limit 3)")
    assert not selection.warnings


def test_partial_coverage_is_stated_and_warned(tmp_path, pool):
    (tmp_path / "logs").mkdir()
    folder = folder_with(tmp_path / "logs", pool, "base_limit3", "mis")
    analysis = analyse(folder, VARIANTS, n_boot=50)
    assert any("'s-base' covers 3 of the 8 samples of its dataset" in w and "--limit 3" in w
               for w in analysis.selection.warnings)
    settings = analysis.settings.table.set_index("variant")
    assert settings.loc["s-base", "coverage"] == "3/8"
    assert settings.loc["s-base", "limit"] == "--limit 3"
    write_report(analysis, tmp_path / "out", figures=False)
    logs = pd.read_csv(tmp_path / "out" / "logs.csv", keep_default_na=False)
    assert "3/8 samples x 1 epoch (--limit 3)" in set(logs["coverage"])


def test_disjoint_sample_id_runs_are_combined(tmp_path, pool):
    selection = selection_of(
        folder_with(tmp_path, pool, "base_first_half", "base_second_half", "mis")
    )
    assert len(selection.used) == 3 and not selection.superseded
    assert selection.coverage()[("contract_probe", "s-base")] == (8, 8)
    # a complete run covers both halves: it is used, each half superseded
    selection = selection_of(
        folder_with(tmp_path / "complete", pool, "base", "base_first_half", "base_second_half")
    )
    assert [info.name for info, _ in selection.used] == [pool["base"].name]
    assert len(selection.superseded) == 2


def test_log_without_samples_is_skipped_with_a_reason(tmp_path, pool):
    selection = selection_of(folder_with(tmp_path, pool, "base", "base_no_samples", "mis"))
    assert pool["base_no_samples"].name not in {info.name for info, _ in selection.used}
    ((info, reason),) = selection.skipped
    assert info.name == pool["base_no_samples"].name and "--no-log-samples" in reason


def test_log_whose_samples_were_removed_is_skipped(tmp_path, pool):
    """A header that lists samples over an empty log: skipped, the earlier complete run used."""
    folder = folder_with(tmp_path, pool, "base", "mis")
    emptied = folder / pool["base_rerun"].name
    with EvalZip(pool["base_rerun"]) as source, zipfile.ZipFile(pool["base_rerun"]) as listing, \
            zipfile.ZipFile(emptied, "w", zipfile.ZIP_DEFLATED) as target:
        for name in dict.fromkeys(listing.namelist()):
            if not name.startswith(("samples/", "_journal/")):
                target.writestr(name, b"[]" if name == "summaries.json" else source.read(name))
    study = load_study(folder, VARIANTS, cache=None)
    assert pool["base"].name in {info.name for info, _ in study.selection.used}
    ((info, reason),) = study.selection.skipped
    assert info.name == emptied.name
    assert reason.startswith("no sample data: the header lists 8 samples")


# --- robust reading ---------------------------------------------------------------------------

def corrupt_member(path: Path, member: str) -> None:
    """Overwrite the middle of one member's compressed bytes, keeping the zip valid."""
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(member)
    with open(path, "r+b") as handle:
        handle.seek(info.header_offset + 26)
        name_length, extra_length = (int.from_bytes(handle.read(2), "little") for _ in range(2))
        start = info.header_offset + 30 + name_length + extra_length
        handle.seek(start + info.compress_size // 3)
        handle.write(b"\xff" * max(8, info.compress_size // 3))


def test_corrupt_sample_data_is_skipped_and_named(tmp_path, pool):
    folder = folder_with(tmp_path, pool, "base_rerun", "mis")
    corrupt_member(folder / pool["mis"].name, "summaries.json")
    study = load_study(folder, VARIANTS, cache=None)
    assert [variant.name for _, variant in study.selection.used] == ["s-base"]
    ((info, reason),) = study.selection.skipped
    assert info.name == pool["mis"].name and reason.startswith("unreadable sample data (")
    assert any(pool["mis"].name in warning for warning in study.selection.warnings)


def test_corrupt_latest_run_falls_back_to_the_earlier_complete_run(tmp_path, pool):
    folder = folder_with(tmp_path, pool, "base", "base_rerun", "mis")
    corrupt_member(folder / pool["base_rerun"].name, "summaries.json")
    study = load_study(folder, VARIANTS, cache=None)
    assert pool["base"].name in {info.name for info, _ in study.selection.used}
    assert [entry.name for entry, _ in study.selection.skipped] == [pool["base_rerun"].name]
    assert not study.selection.superseded


def test_report_with_a_corrupt_and_a_truncated_log(tmp_path, pool, capsys):
    """`em-selfaware report` writes report.html, names both files and lists them."""
    logs = tmp_path / "logs"
    logs.mkdir()
    folder_with(logs, pool, "base", "mis", "max_base", "max_mis")
    corrupt_member(logs / pool["mis"].name, "summaries.json")
    truncated = logs / pool["max_mis"].name
    truncated.write_bytes(truncated.read_bytes()[: truncated.stat().st_size // 2])
    save_variants(tmp_path / "variants.yaml", VARIANTS)
    out = tmp_path / "out"
    code = main(["report", str(logs), "--variants", str(tmp_path / "variants.yaml"),
                 "--out", str(out), "--no-figures", "--bootstrap", "100"])
    assert code == 0
    assert (out / "report.html").is_file()
    stderr = capsys.readouterr().err
    assert pool["mis"].name in stderr and pool["max_mis"].name in stderr
    listed = pd.read_csv(out / "logs.csv", keep_default_na=False).set_index("log")
    assert listed.loc[pool["mis"].name, "status"] == "skipped"
    assert "unreadable sample data" in listed.loc[pool["mis"].name, "detail"]
    assert "unreadable log" in listed.loc[pool["max_mis"].name, "detail"]
    html = (out / "report.html").read_text()
    assert pool["mis"].name in html and pool["max_mis"].name in html


def test_cache_neither_hides_a_log_that_became_corrupt_nor_keeps_a_failed_read(tmp_path, pool):
    folder = folder_with(tmp_path, pool, "base", "mis")
    cache = tmp_path / "cache"
    first = load_study(folder, VARIANTS, cache=cache)
    assert len(first.selection.used) == 2 and len(list(cache.glob("*.parquet"))) == 2
    corrupt_member(folder / pool["mis"].name, "summaries.json")
    second = load_study(folder, VARIANTS, cache=cache)
    assert [entry.name for entry, _ in second.selection.skipped] == [pool["mis"].name]
    for entry in cache.glob("*.parquet"):
        entry.unlink()
    load_study(folder, VARIANTS, cache=cache)
    assert len(list(cache.glob("*.parquet"))) == 1  # the failed read left no entry
