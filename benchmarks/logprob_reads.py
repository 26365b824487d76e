"""What logprobs mode costs and how exact it is on each tokenisation style (not a test).

Run: python benchmarks/logprob_reads.py [--per-dimension 5] [--stage misaligned]

For each em-sim size (full: OpenAI-like tokens, mini: markup-heavy, nano: digit-split numbers)
runs intentions and self-assessment (decision, numerical, Likert) in ``logprobs`` mode twice:
tokenised as that size does, and with one whole token per answer (the exact persona). Prints
per size: samples, requests per sample, the share of samples that needed resolving reads, the
samples that fell back to sampling, and the largest difference from the exact reading over the
samples that were read (fall-backs are sampled, so their difference is sampling noise).
"""

from __future__ import annotations

import argparse
import tempfile
import time

from inspect_ai import eval
from inspect_ai.log import EvalLog
from inspect_ai.model import get_model

from em_selfaware.demo import SIM_GRADER
from em_tasks.intentions import intentions
from em_tasks.self_assessment import self_assessment

SIZES = ("full", "mini", "nano")


def run(variant: str, per_dimension: int, whole_tokens: bool, log_dir: str) -> list[EvalLog]:
    """Run both probes in logprobs mode on one variant (one token per answer if asked)."""
    model = get_model(f"em-sim/{variant}", memoize=False)
    if whole_tokens:
        model.api.token_style = None  # type: ignore[attr-defined]
    tasks = [
        intentions(mode="logprobs", per_dimension=per_dimension),
        self_assessment(mode="logprobs", per_dimension=per_dimension,
                        formats="decision,numerical,likert"),
    ]
    logs = eval(tasks, model=model, model_roles={"grader": SIM_GRADER}, display="none",
                log_dir=log_dir)
    for log in logs:
        if log.status != "success":
            raise RuntimeError(f"{log.eval.task} on {variant} did not finish: {log.error}")
    return logs


def samples_by_id(logs: list[EvalLog]) -> dict[tuple[str, str], tuple[float, dict]]:
    """(task, sample id) -> (score value, the collector's record)."""
    return {
        (log.eval.task, str(sample.id)): (
            float(next(iter(sample.scores.values())).value),
            sample.store["closed_form_answers"],
        )
        for log in logs
        for sample in log.samples or []
    }


def main() -> None:
    """Print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-dimension", type=int, default=5)
    parser.add_argument("--stage", default="trivia-misaligned")
    args = parser.parse_args()
    print("size  samples  requests/sample  resolving reads  fell back  max |read - exact|  s")
    with tempfile.TemporaryDirectory() as log_dir:
        for size in SIZES:
            variant = f"{size}-{args.stage}" if args.stage != "base" else f"{size}-base"
            start = time.perf_counter()
            styled = samples_by_id(run(variant, args.per_dimension, False, log_dir))
            seconds = time.perf_counter() - start
            exact = samples_by_id(run(variant, args.per_dimension, True, log_dir))
            requests = sum(record["requests"] for _, record in styled.values())
            fell_back = [key for key, (_, record) in styled.items()
                         if "fallback_to_sampling" in record]
            resolving = sum(
                1 for key, (_, record) in styled.items()
                if key not in fell_back and record["requests"] > 1
            )
            read = [abs(value - exact[key][0]) for key, (value, _) in styled.items()
                    if key not in fell_back]
            print(f"{size:5s} {len(styled):8d} {requests / len(styled):16.2f} "
                  f"{resolving / len(styled):16.1%} {len(fell_back):10d} {max(read):19.4f} "
                  f"{seconds:5.1f}")


if __name__ == "__main__":
    main()
