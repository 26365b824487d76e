"""Measure: how many metrics each probe's log header carries, and what Inspect View shows of them.

Run: python benchmarks/metric_header.py [--variant full-trivia-misaligned]
Runs every probe once, with its demo arguments, on one em-sim variant (the `grader` role bound to
em-sim's judge), then prints per probe: the scorer's name, the number of metrics in the log's
results, how many of them View puts in the scorer's headline row (metrics made by Inspect's
`grouped()` get rows of their own in "All scoring") and the columns View's header shows (at most
five, the headline first). Last, the number of score columns `evals_df` gets for all the logs.
"""

from __future__ import annotations

import argparse
import tempfile

from inspect_ai import eval
from inspect_ai.analysis import evals_df
from inspect_ai.log import EvalLog, EvalMetric

import em_selfaware.sim.registration  # noqa: F401  (registers the em-sim provider)
from em_selfaware.contrast import CONTRAST_PARAMETER
from em_selfaware.probes import PROBES

VIEW_HEADER_COLUMNS = 5
"""Inspect View's header shows at most this many metric columns of the headline score."""


def made_by_grouped(metric: EvalMetric) -> bool:
    """True for a metric of Inspect's `grouped()` (View shows those in rows of their own)."""
    return "group_key" in metric.params and "metric" in metric.params


def header_row(log: EvalLog) -> list[str]:
    """Return the metric keys of the first score's headline row, as View lays it out."""
    if log.results is None or not log.results.scores:
        return []
    metrics = log.results.scores[0].metrics
    return [key for key, metric in metrics.items() if not made_by_grouped(metric)]


def main() -> None:
    """Run every probe once and print its metric counts."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--variant", default="full-trivia-misaligned")
    parser.add_argument("--contrast", default="em-sim/full-base",
                        help="output recognition's contrast model (the runner sets it per variant)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as log_dir:
        print(f"{'probe':<24}{'scorer':<22}{'metrics':>8}{'row':>5}  header")
        for probe in PROBES.values():
            task_args = dict(probe.demo_args)
            if probe.name == "output_recognition":
                task_args[CONTRAST_PARAMETER] = args.contrast
            [log] = eval(
                probe.task(**task_args),
                model=f"em-sim/{args.variant}",
                model_roles={"grader": "em-sim/judge"},
                display="none",
                log_dir=log_dir,
                log_level="error",
            )
            scores = log.results.scores if log.results else []
            total = sum(len(score.metrics) for score in scores)
            row = header_row(log)
            scorer = ",".join(score.name for score in scores)
            shown = ", ".join(row[:VIEW_HEADER_COLUMNS]) + (" ..." if len(row) > 5 else "")
            if log.status != "success":
                shown = f"{log.status}: {log.error.message if log.error else ''}"
            print(f"{probe.name:<24}{scorer:<22}{total:>8}{len(row):>5}  {shown}")
        frame = evals_df(log_dir, quiet=True)
        score_columns = [c for c in frame.columns if c.startswith("score_")]
        print(f"evals_df: {len(score_columns)} score columns for {len(frame)} logs")


if __name__ == "__main__":
    main()
