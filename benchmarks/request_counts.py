"""Benchmark (not a test): the requests `em-selfaware run` makes for the paper protocol.

    python benchmarks/request_counts.py

Counts the requests for the 15 em-sim variants with the task definitions present, in
``--mode sample`` (the paper's protocol) and ``--mode logprobs``, per probe. (The report's
speed is measured by `benchmarks/report_speed.py`.)
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from em_selfaware.probes import get_probes  # noqa: E402
from em_selfaware.runner import MODES, plan_runs  # noqa: E402
from em_selfaware.variants import sim_variants  # noqa: E402


def requests() -> None:
    """Print the runner's request counts for the 15 em-sim variants in both modes."""
    variants = sim_variants()
    probes = get_probes()
    for mode in MODES:
        plan = plan_runs(variants, probes, mode=mode)
        model = sum(task.model_requests for task in plan)
        grader = sum(task.grader_requests for task in plan)
        print(f"  --mode {mode:<9} model {model:>9,}  grader {grader:>9,} (+ fallbacks)  "
              f"total {model + grader:>9,}")
        for probe in dict.fromkeys(task.probe for task in plan):
            tasks = [task for task in plan if task.probe == probe]
            print(f"      {probe:<22} runs as {tasks[0].mode:<9} "
                  f"{sum(t.model_requests for t in tasks):>9,} model requests")


def main() -> int:
    """Print the request counts."""
    print("Requests for the paper protocol, 15 variants, task definitions present:")
    requests()
    return 0


if __name__ == "__main__":
    sys.exit(main())
