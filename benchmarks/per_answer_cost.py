"""Benchmark (not a test): per-answer score metadata size and the cost of a closed-form request.

    python benchmarks/per_answer_cost.py [--per-dimension 2]

1. **Score metadata on the summary fast path.** Runs self-assessment's decision (25 answers a
   sample) and numerical (50) formats on one em-sim variant and prints, per format, the JSON
   bytes of each score-metadata key and whether Inspect's summary thinning
   (`inspect_ai.log._util.thin_metadata`, keys over 1 kB dropped) keeps it.
2. **CPU per request.** Runs the whole self-assessment probe (`per_dimension` items per
   dimension and format) on em-sim with the em-sim judge, and prints wall time, process CPU
   time, the requests made (model events of the subject and the judge) and CPU ms per request,
   then times reading the log's sample summaries and counts samples whose answer table fell off
   the summaries (they must be read in full).

Both parts work on logs written before and after the columnar answer table (they read the
``answers`` list or the ``answer_*`` columns), so the same script measures both sides of a
change. The machine the numbers come from should be said when they are reported.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from inspect_ai import eval  # noqa: E402
from inspect_ai.log import EvalLog, read_eval_log_sample_summaries  # noqa: E402
from inspect_ai.log._util import thin_metadata  # noqa: E402  (the summary thinning rule)

from em_tasks.self_assessment import self_assessment  # noqa: E402

MODEL = "em-sim/full-trivia-misaligned"
GRADER = "em-sim/judge"
THINNED = "Key removed from summary (> 1k)"


def _run(task: Any, log_dir: Path) -> tuple[EvalLog, float, float]:
    """Run `task` on em-sim; return the log, wall seconds and process CPU seconds."""
    wall, cpu = time.perf_counter(), time.process_time()
    [log] = eval(task, model=MODEL, model_roles={"grader": GRADER}, display="none",
                 log_dir=str(log_dir))
    if log.status != "success":
        raise RuntimeError(f"eval failed: {log.error}")
    return log, time.perf_counter() - wall, time.process_time() - cpu


def _bytes(value: Any) -> int:
    return len(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode())


def metadata_sizes(log_dir: Path) -> None:
    """Print score-metadata bytes per key and whether thinning keeps it, per format."""
    task = self_assessment(formats="decision,numerical", dimensions="harmless",
                           per_dimension=1)
    log, _, _ = _run(task, log_dir)
    by_format: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for sample in log.samples or []:
        score = next(iter((sample.scores or {}).values()))
        by_format[sample.metadata["format"]].append(score.metadata or {})
    print("score metadata per sample (first sample of each format)")
    for form, metadatas in sorted(by_format.items()):
        metadata = metadatas[0]
        thinned = thin_metadata(metadata)
        answers = len(metadata.get("answer_value") or metadata.get("answers") or [])
        print(f"  {form}: {answers} answers, {_bytes(metadata)} bytes in all, "
              f"{_bytes(thinned)} bytes in the summary")
        for key, value in metadata.items():
            kept = "kept" if thinned.get(key) != THINNED else "DROPPED from the summary"
            print(f"    {key:<24} {_bytes(value):>6} bytes  {kept}")


def request_cost(log_dir: Path, per_dimension: int) -> None:
    """Print wall and CPU time per request of a small self-assessment run, and summary reads."""
    log, wall, cpu = _run(self_assessment(per_dimension=per_dimension), log_dir)
    samples = log.samples or []
    requests = sum(
        1 for sample in samples for event in sample.events if event.event == "model"
    )
    answers = sum(
        len(next(iter(s.scores.values())).metadata.get("answer_value")
            or next(iter(s.scores.values())).metadata.get("answers") or [])
        for s in samples if s.scores
    )
    spans = sum(
        1 for sample in samples for event in sample.events
        if event.event == "span_begin" and getattr(event, "type", None) == "task"
    )
    print(f"self_assessment per_dimension={per_dimension}: {len(samples)} samples, "
          f"{answers} answers, {requests} requests (subject + judge), {spans} task spans")
    print(f"  wall {wall:.1f} s ({requests / wall:.0f} requests/s), CPU {cpu:.1f} s "
          f"({1000 * cpu / requests:.1f} ms CPU per request)")
    started = time.perf_counter()
    summaries = read_eval_log_sample_summaries(log.location)
    read_s = time.perf_counter() - started
    thinned = sum(
        1 for summary in summaries
        if any(value == THINNED
               for score in (summary.scores or {}).values()
               for key, value in (score.metadata or {}).items()
               if key == "answers" or key.startswith("answer_"))
    )
    print(f"  sample summaries read in {1000 * read_s:.0f} ms; {thinned} of {len(summaries)} "
          "lost their answer table (must be read in full)")


def main() -> None:
    """Run both parts and print their numbers."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--per-dimension", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        metadata_sizes(Path(folder) / "sizes")
        request_cost(Path(folder) / "cost", args.per_dimension)


if __name__ == "__main__":
    main()
