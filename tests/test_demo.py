from __future__ import annotations

from em_selfaware.cli import main
from em_selfaware.demo import demo_table, run_demo
from em_selfaware.variants import load_variants


def test_demo_runs_the_runner_and_writes_the_report(tmp_path, capsys):
    log_dir = tmp_path / "demo"
    status = main(["demo", "--log-dir", str(log_dir), "--samples", "1", "--probes", "harmfulness",
                   "--variants", "full-base,full-trivia-misaligned,full-trivia-realigned"])
    captured = capsys.readouterr()
    out = captured.out
    assert status == 0
    assert "Total: 48 model requests + 48 grader requests" in out  # printed before running
    # the progress line counts evaluations and samples (one line per tenth when not a tty)
    assert "Evaluations: 0/3 done, samples 0/48" in captured.err
    assert "Evaluations: 3/3 done, samples 48/48" in captured.err
    assert "full-trivia-misaligned" in out and "report.html" in out
    registry = load_variants(log_dir / "variants.yaml")
    assert [v.name for v in registry] == [
        "full-base", "full-trivia-misaligned", "full-trivia-realigned"
    ]
    report = log_dir / "report"
    for name in ("variant_scores.csv", "wilcoxon.csv", "report.html", "figures/inverted_v.png"):
        assert (report / name).is_file(), name
    scores = (report / "variant_scores.csv").read_text().splitlines()
    assert scores[0] == (
        "variant,size,domain,stage,probe,dimension,format,mean,ci_low,ci_high,n,ci_method,"
        "ci_note,note"
    )



def test_progress_line_on_a_terminal():
    import io

    from em_selfaware.run_progress import RunProgress

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    stream = Terminal()
    with RunProgress(4, 10, already_done=1, stream=stream) as progress:
        progress.sample_done()
        progress.task_done()
    text = stream.getvalue()
    assert text.startswith("\rEvaluations: 1/4 done, samples 0/10")
    assert "\rEvaluations: 2/4 done, samples 1/10" in text and text.endswith("\n")


def test_demo_runs_probes_on_chosen_variants_and_resumes(tmp_path):
    variants = ["full-base", "full-trivia-misaligned"]
    logs = run_demo(log_dir=tmp_path, variants=variants, samples=1, report=False)
    assert {log.eval.model for log in logs} == {f"em-sim/{v}" for v in variants}
    assert all(log.status == "success" for log in logs)
    table = demo_table(logs)
    assert "full-base" in table and "full-trivia-misaligned" in table
    written = sorted(tmp_path.glob("*.eval"))
    # a second run finds the logs complete and runs nothing new
    run_demo(log_dir=tmp_path, variants=variants, samples=1, report=False)
    assert sorted(tmp_path.glob("*.eval")) == written


def test_demo_command_prints_the_table(tmp_path, capsys):
    status = main(["demo", "--log-dir", str(tmp_path), "--variants", "nano-base", "--samples", "1",
                   "--probes", "harmfulness,intentions"])
    assert status == 0
    out = capsys.readouterr().out
    assert "nano-base" in out and "harmfulness" in out
    assert "simulation" in out


def test_demo_rejects_unknown_variants_and_probes(tmp_path, capsys):
    assert main(["demo", "--log-dir", str(tmp_path), "--variants", "giant-base"]) == 2
    assert "unknown em-sim variants" in capsys.readouterr().err
    assert main(["demo", "--log-dir", str(tmp_path), "--probes", "vibes"]) == 2
    assert "unknown probes" in capsys.readouterr().err
