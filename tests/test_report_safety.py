"""The report on hostile names (path-like probe, mathtext domain, HTML variant) and --out."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml
from inspect_ai import eval as inspect_eval
from inspect_ai import task_with

import analysis.report as report_module
from analysis.document import markdown_text
from analysis.figures import DOMAIN_COLOURS, PROBE_COLOURS, plain, stable_colours
from analysis.names import UnsafeNameError, file_in, safe_file_stem
from analysis.report import MARKER, ReportOutputError, analyse, write_report
from em_selfaware.cli import main
from em_selfaware.variants import Variant
from tests.contract_probe import BEHAVIOURS, Behaviour, contract_probe

PROBE = "../../x"
DOMAIN = r"$\foo{$"
BASE_NAME = "<img src=x onerror=alert(1)>"
MIS_NAME = "mis [link](http://example.invalid) *bold*"
SIZE = "s|$x$"
VARIANTS = [
    Variant(BASE_NAME, "contract-sim/hostile-base", SIZE, "base", "base"),
    Variant(MIS_NAME, "contract-sim/hostile-mis", SIZE, DOMAIN, "misaligned", parent=BASE_NAME),
]


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> tuple[Path, object]:
    """Logs of a probe named ``../../x`` on variants with hostile names, and their analysis."""
    BEHAVIOURS[("hostile-mis", "a")] = Behaviour({("harmless", "decision"): 2,
                                                   ("honest", "likert"): 1})
    root = tmp_path_factory.mktemp("hostile")
    logs = root / "deep" / "logs"
    tasks = [
        task_with(contract_probe(items=3, samples=2, probe_name=PROBE), model=variant.model)
        for variant in VARIANTS
    ]
    inspect_eval(tasks, log_dir=str(logs), display="none", log_level="error", max_tasks=2,
                 log_realtime=False)
    return root, analyse(logs, VARIANTS, n_boot=50)


def test_safe_file_stem_keeps_plain_names_and_neutralises_others():
    assert safe_file_stem("self_assessment_formats") == "self_assessment_formats"
    for hostile_name in ("../../x", "a/b", "a\\b", "..", ".hidden", "", "x" * 200, DOMAIN):
        stem = safe_file_stem(hostile_name)
        assert "/" not in stem and "\\" not in stem and ".." not in stem
        assert stem and not stem.startswith((".", "-")) and len(stem) <= 90
    # different names never share a file
    assert safe_file_stem("a/b") != safe_file_stem("a_b") != safe_file_stem("a\\b")
    with pytest.raises(UnsafeNameError, match="safe_file_stem"):
        file_in(Path("out"), "../x", ".png")


def test_plain_text_and_markdown_escaping():
    assert plain(DOMAIN) == r"\$\foo{\$"
    text = markdown_text(f"{BASE_NAME} {MIS_NAME} {DOMAIN} a|b")
    assert "<img" not in text and "&lt;img" in text
    assert "[link]" not in text and r"\[link\]" in text and r"\*bold\*" in text
    assert r"\$\\foo{\$" in text and r"a\|b" in text
    assert markdown_text("moral_self_assessment") == "moral_self_assessment"


def test_colours_are_keyed_by_name_not_order():
    first = stable_colours(["trivia", "code", "medical"], DOMAIN_COLOURS, ["#1", "#2", "#3"])
    second = stable_colours(["medical", "code", "trivia"], DOMAIN_COLOURS, ["#1", "#2", "#3"])
    assert first == second
    assert first["trivia"] == DOMAIN_COLOURS["trivia"] and first["code"] == DOMAIN_COLOURS["code"]
    alone = stable_colours(["intentions"], PROBE_COLOURS, ["#1"])
    assert alone["intentions"] == stable_colours(["self_report", "intentions"], PROBE_COLOURS,
                                                 ["#1"])["intentions"]


def test_hostile_names_stay_inside_out_and_are_shown_literally(hostile, tmp_path):
    root, result = hostile
    out = tmp_path / "report"
    paths = write_report(result, out, figure_format="svg")
    outside = [path for path in tmp_path.rglob("*") if out not in path.parents and path != out]
    assert outside == []
    assert not any(root.rglob("x_*")) and not (root / "x_dimensions.svg").exists()
    assert all(out.resolve() in path.resolve().parents for path in paths)
    figures = sorted(path.name for path in (out / "figures").iterdir())
    assert any(name.startswith("x_dimensions-") for name in figures), figures
    # the figures were drawn (no mathtext error) and show the names as written
    svg = (out / "figures" / "inverted_v.svg").read_text()
    assert DOMAIN in svg and "$x$" in svg
    markdown = (out / "report.md").read_text()
    assert "<img src=x" not in markdown and "&lt;img src=x onerror=alert(1)&gt;" in markdown
    assert "[link](http" not in markdown and r"\[link\](http://example.invalid)" in markdown
    assert r"\$\\foo{\$" in markdown
    html = (out / "report.html").read_text()
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html


def test_report_replaces_an_earlier_report_whole(hostile, tmp_path):
    _, result = hostile
    out = tmp_path / "report"
    write_report(result, out, figures=False)
    assert (out / MARKER).is_file()
    (out / "figures").mkdir()
    (out / "figures" / "stale.png").write_bytes(b"old figure")
    (out / "stale.csv").write_text("old table")
    paths = write_report(result, out, figures=False)
    assert not (out / "stale.csv").exists() and not (out / "figures").exists()
    assert {path.name for path in paths} <= {p.name for p in out.iterdir()}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report"]  # nothing left beside


def test_failed_report_leaves_the_earlier_one_intact(hostile, tmp_path, monkeypatch):
    _, result = hostile
    out = tmp_path / "report"
    write_report(result, out, figures=False)
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    def broken(*args, **kwargs):
        raise RuntimeError("figure backend exploded")

    monkeypatch.setattr(report_module, "all_figures", broken)
    with pytest.raises(RuntimeError, match="exploded"):
        write_report(result, out)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report"]


def test_out_holding_other_files_is_refused_and_kept(hostile, tmp_path, capsys):
    root, result = hostile
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("my notes")
    with pytest.raises(ReportOutputError, match=r"--out .*mine holds files .*notes\.txt"):
        write_report(result, out, figures=False)
    assert (out / "notes.txt").read_text() == "my notes" and len(list(out.iterdir())) == 1
    (tmp_path / "file").write_text("x")
    with pytest.raises(ReportOutputError, match="is a file"):
        write_report(result, tmp_path / "file", figures=False)
    logs = str(root / "deep" / "logs")
    status = main(["report", logs, "--variants", str(_registry(tmp_path)), "--out", str(out),
                   "--no-figures", "--no-progress"])
    assert status == 2 and "holds files that are not part of a report" in capsys.readouterr().err
    assert (out / "notes.txt").read_text() == "my notes"


def _registry(folder: Path) -> Path:
    path = folder / "variants.yaml"
    path.write_text(yaml.safe_dump({"variants": [v.to_dict() for v in VARIANTS]}))
    return path


def test_answers_parquet_carries_the_text_when_the_frame_has_it():
    with_text = pd.DataFrame({"variant": ["v"], "answer": [0], "text": ["I would refuse."],
                              "value": [0.0]})
    table = report_module._answers_table(with_text)
    assert list(table.columns) == ["variant", "answer_index", "value", "text"]
    without = report_module._answers_table(with_text.drop(columns=["text"]))
    assert list(without.columns) == ["variant", "answer_index", "value"]


def test_report_help_names_the_default_moral_reference_without_importing_it():
    from analysis.moral import DEFAULT_REFERENCE_PROBE
    from em_selfaware.cli import build_parser

    report_parser = build_parser()._subparsers._group_actions[0].choices["report"]  # noqa: SLF001
    assert report_parser.get_default("moral_reference") is None
    assert report_parser.get_default("figure_format") == "png"
    assert f"default {DEFAULT_REFERENCE_PROBE}" in " ".join(report_parser.format_help().split())
