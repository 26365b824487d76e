"""Benchmark (not a test): how fast `em-selfaware diff` is on a large log folder.

    python benchmarks/diff_speed.py --answers 300000                 # build (once) and time
    python benchmarks/diff_speed.py --answers 300000 --before /tmp/old-checkout

Builds (or reuses) the 15-variant em-sim harmfulness folder of `benchmarks/report_speed.py`
(``--answers`` judged answers), then times, each in a child process as a user runs it:

1. ``em-selfaware diff full-base full-trivia-misaligned --log-dir FOLDER --out ...`` with an
   empty frame cache (cold) and again on the unchanged folder (warm): wall time and peak
   resident memory; ``--before DIR`` also times another checkout's diff (PYTHONPATH=DIR);
2. the stages of a diff in one process, with an empty and with a warm cache: imports, the
   diff without texts (headers, log selection, frames, items, ranking, representative
   answers), the same again with texts (one sample member read per answer shown), and
   formatting.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.report_speed import build, run_child  # noqa: E402

A, B = "full-base", "full-trivia-misaligned"


def diff_command(folder: Path, out: Path) -> list[str]:
    """`em-selfaware diff` of the two variants on the folder (as a user runs it)."""
    return [sys.executable, "-m", "em_selfaware.cli", "diff", A, B, "--log-dir", str(folder),
            "--out", str(out)]


def stages_main(folder: Path) -> None:
    """Time the stages of one diff (run in a child process)."""
    started = time.perf_counter()
    from analysis.diff import diff_variants
    from analysis.diff_output import format_diff, markdown_diff
    from em_selfaware.variants import parse_variants  # noqa: F401 (the diff needs it too)

    imported = time.perf_counter()
    diff_variants(folder, A, B, texts=False)
    without_texts = time.perf_counter()
    diff = diff_variants(folder, A, B)
    with_texts = time.perf_counter()
    format_diff(diff)
    markdown_diff(diff)
    formatted = time.perf_counter()
    for name, seconds in (
        ("imports (analysis.diff, pandas, pyarrow, the variant registry)", imported - started),
        ("diff without texts (headers, selection, frames, items, ranking)",
         without_texts - imported),
        (f"same, then texts ({2 * len(diff.rows)} sample members read)",
         with_texts - without_texts),
        ("terminal text and Markdown", formatted - with_texts),
    ):
        print(f"{name}\t{seconds:.2f}")


def main() -> int:
    """Build the folder, then time the diff cold, warm and by stage."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--answers", type=int, default=300_000)
    parser.add_argument("--out", default="logs/bench-report")
    parser.add_argument("--before", help="checkout whose diff to time too (PYTHONPATH)")
    parser.add_argument("--stages", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    folder = Path(args.out)
    if args.stages:
        stages_main(folder)
        return 0
    logs, answers = build(folder, args.answers)
    print(f"{folder}: {logs} logs, {answers:,} answers")
    with tempfile.TemporaryDirectory() as scratch:
        env = {**os.environ, "EM_SELFAWARE_CACHE": str(Path(scratch) / "cache")}
        out = Path(scratch) / "diff"
        cold, cold_peak, _ = run_child(diff_command(folder, out), env)
        warm, warm_peak, stdout = run_child(diff_command(folder, out), env)
        print(f"diff cold {cold:.1f} s (peak {cold_peak:.0f} MiB); warm {warm:.1f} s "
              f"(peak {warm_peak:.0f} MiB); {stdout.count(chr(10))} lines printed")
        if args.before:
            before_dir = Path(args.before).resolve()
            command = [sys.executable, "-m", "em_selfaware.cli", "diff", A, B, "--log-dir",
                       str(folder.resolve())]
            before_env = {**env, "PYTHONPATH": str(before_dir)}
            before, before_peak, _ = run_child(command, before_env, cwd=before_dir)
            print(f"diff before ({args.before}): {before:.1f} s (peak {before_peak:.0f} MiB)")
        command = [sys.executable, str(Path(__file__).resolve()), "--stages", "--out",
                   str(folder)]
        for label, cache in (("empty", Path(scratch) / "stages-cache"), ("warm", None)):
            stage_env = env if cache is None else {**env, "EM_SELFAWARE_CACHE": str(cache)}
            _, peak, stdout = run_child(command, stage_env)
            print(f"stages, {label} cache (peak {peak:.0f} MiB):")
            for line in stdout.strip().splitlines():
                name, seconds = line.split("\t")
                print(f"  {name:<66} {float(seconds):6.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
