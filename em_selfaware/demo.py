"""`em-selfaware demo`: the replication runner on the 15 simulated variants, then the report.

The demo is sized to show the result in about a minute: each probe's demo arguments
(`em_selfaware.probes`) are the fewest samples that still separate base, misaligned and
realigned variants, and the closed-form probes run in logprobs mode (one request per item
gives its exact answer distribution; the language format, which needs whole answers, draws
its answers in one request through ``num_choices``).
"""

from __future__ import annotations

import math
from contextlib import nullcontext
from pathlib import Path

from inspect_ai.log import EvalLog

from analysis.report import analyse, write_report
from em_selfaware.probes import get_probes
from em_selfaware.runner import completed_configs, plan_runs, request_summary, run_plan, unfinished
from em_selfaware.sim.personas import PERSONAS
from em_selfaware.variants import Variant, save_variants, sim_variants

DEMO_LOG_DIR = Path("logs/demo")
SIM_GRADER = "em-sim/judge"
DEMO_MODE = "logprobs"
"""Closed-form probes read exact answer probabilities (free-text probes are sampled)."""
DEMO_CHOICES = 10
"""Answers per request (``num_choices``) where answers are drawn: one request per item."""
_HEADLINE = ("mean", "ci95_low", "ci95_high")


def demo_models(variants: list[str] | None = None) -> list[str]:
    """Return the Inspect model names of the simulated variants (all 15 by default)."""
    names = list(PERSONAS) if variants is None else variants
    unknown = [name for name in names if name not in PERSONAS]
    if unknown:
        raise ValueError(f"unknown em-sim variants {unknown}; valid: {', '.join(PERSONAS)}")
    return [f"em-sim/{name}" for name in names]


def demo_registry(variants: list[str] | None = None) -> list[Variant]:
    """Return the registry entries of the simulated variants (all 15 by default)."""
    demo_models(variants)  # validates the names
    registry = sim_variants()
    return registry if variants is None else [v for v in registry if v.name in variants]


def run_demo(
    log_dir: Path = DEMO_LOG_DIR,
    probes: list[str] | None = None,
    variants: list[str] | None = None,
    samples: int | None = None,
    report: bool = True,
    progress: bool = False,
) -> list[EvalLog]:
    """Run the replication runner on the simulated variants, then write the report.

    Writes `variants.yaml` (the em-sim registry) into `log_dir`, runs the probes' demo
    configurations with `eval_set` (re-running into the same `log_dir` only runs what is
    missing; `samples` overrides every probe's demo sample count) and, with `report`,
    writes the report of this run's logs into `log_dir/report`. With `progress`, a live
    line on stderr counts the evaluations and samples done.
    """
    log_dir = Path(log_dir)
    registry = demo_registry(variants)
    save_variants(log_dir / "variants.yaml", registry)
    plan = plan_runs(
        registry, get_probes(probes), mode=DEMO_MODE, demo=True, samples=samples,
        choices=DEMO_CHOICES, contrast_pool=sim_variants(),
    )
    done = completed_configs(log_dir)
    print(request_summary(plan, done, grader=SIM_GRADER), flush=True)
    left = [task for task in plan if task.config_key not in done]
    if progress:
        from em_selfaware.run_progress import RunProgress  # registers its Inspect hook
    counter = RunProgress(
        len(plan), sum(task.samples * task.epochs for task in left), len(plan) - len(left),
    ) if progress else None
    with counter or nullcontext():
        _, logs = run_plan(
            plan,
            log_dir=log_dir,
            grader=SIM_GRADER,
            display="log",  # "none" still renders every task's results table at the end
            max_tasks=4,
            log_level="warning",
            log_realtime=False,
            metadata={"registry": str(log_dir / "variants.yaml"), "mode": DEMO_MODE,
                      "demo": True},
        )
    missing = unfinished(plan, log_dir)
    if missing:
        names = ", ".join(f"{task.probe} on {task.variant.name}" for task in missing[:10])
        raise RuntimeError(
            f"{len(missing)} of {len(plan)} demo evaluations did not complete ({names}); "
            f"run the same command again to finish them (logs in {log_dir})"
        )
    if report:
        analysis = analyse([log.location for log in logs], registry)
        write_report(analysis, log_dir / "report")
    return logs


def _headline(log: EvalLog) -> tuple[float, float, float]:
    """Return (mean, ci95_low, ci95_high) of a log's first scorer."""
    if log.results is None or not log.results.scores:
        return math.nan, math.nan, math.nan
    metrics = log.results.scores[0].metrics
    values = [metrics[name].value if name in metrics else math.nan for name in _HEADLINE]
    return values[0], values[1], values[2]


def demo_table(logs: list[EvalLog]) -> str:
    """Format one row per (variant, probe): mean score with its 95% CI and sample counts."""
    rows = []
    for log in logs:
        variant = log.eval.model.removeprefix("em-sim/")
        mean, low, high = _headline(log)
        first = log.results.scores[0] if log.results and log.results.scores else None
        scored = (first.scored_samples or 0) if first else 0
        unscored = (first.unscored_samples or 0) if first else 0
        rows.append((variant, log.eval.task.split("/")[-1], mean, low, high, scored, unscored))
    order = {name: index for index, name in enumerate(PERSONAS)}
    rows.sort(key=lambda row: (order.get(row[0], len(order)), row[1]))
    header = f"{'variant':<26}{'probe':<20}{'mean':>7}  {'95% CI':<15}{'n':>6}{'unscored':>10}"
    lines = [header, "-" * len(header)]
    for variant, probe, mean, low, high, scored, unscored in rows:
        lines.append(
            f"{variant:<26}{probe:<20}{mean:>7.3f}  [{low:.3f}, {high:.3f}]  "
            f"{scored:>6}{unscored:>10}"
        )
    return "\n".join(lines)
