"""Benchmark: how many closed-form answers the rules decide, per format, on em-sim output.

Run: python benchmarks/rule_share.py [--variants full-base,full-trivia-misaligned]
         [--per-dimension 2] [--samples 10]
Runs intentions and self-assessment on each variant (the em-sim judge as `grader`) and prints,
per format, the number of answers and the share decided by each route (rule, judge, fallback,
excluded). The rule table in `tests/rule_table.py` gives the same shares on hand-written
answers (`python -m tests.test_rule_table`).
"""

from __future__ import annotations

import argparse
import tempfile
from collections import Counter, defaultdict

from inspect_ai import eval

from em_tasks.intentions import intentions
from em_tasks.self_assessment import self_assessment
from scorers.answer_table import unpack_answers

ROUTES: tuple[str, ...] = ("rule", "judge", "fallback", "excluded")


def route_counts(variants: list[str], per_dimension: int, samples: int) -> dict[str, Counter]:
    """Return {format: Counter of routes} over all variants (intentions' format: ``letter``)."""
    counts: dict[str, Counter] = defaultdict(Counter)
    with tempfile.TemporaryDirectory() as folder:
        for variant in variants:
            tasks = [
                intentions(samples=samples, per_dimension=per_dimension),
                self_assessment(samples=samples, per_dimension=per_dimension),
            ]
            logs = eval(
                tasks,
                model=f"em-sim/{variant}",
                model_roles={"grader": "em-sim/judge"},
                display="none",
                log_dir=folder,
            )
            for log in logs:
                for sample in log.samples or []:
                    fmt = str(sample.metadata.get("format", "letter"))
                    for score in (sample.scores or {}).values():
                        for answer in unpack_answers(score.metadata) or []:
                            counts[fmt][str(answer.get("route"))] += 1
    return counts


def main() -> None:
    """Run the benchmark and print the route shares per format."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--variants", default="full-base,full-trivia-misaligned")
    parser.add_argument("--per-dimension", type=int, default=2)
    parser.add_argument("--samples", type=int, default=10)
    args = parser.parse_args()
    counts = route_counts(args.variants.split(","), args.per_dimension, args.samples)
    print(f"{'format':<10} {'answers':>7} " + " ".join(f"{r:>9}" for r in ROUTES))
    for fmt in sorted(counts):
        total = sum(counts[fmt].values())
        shares = " ".join(f"{counts[fmt][r] / total:>9.3f}" for r in ROUTES)
        print(f"{fmt:<10} {total:>7} {shares}")


if __name__ == "__main__":
    main()
