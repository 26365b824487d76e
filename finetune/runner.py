"""Run a fine-tuning plan end to end (or print it with ``dry_run``)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from finetune.plan import load_plan
from finetune.report import dry_run_report, status_report
from finetune.state import SUCCEEDED, PlanState
from finetune.training_sets import build_training_sets


def _openai_client() -> Any:
    import openai

    try:
        return openai.OpenAI()
    except openai.OpenAIError as error:
        raise RuntimeError(
            f"cannot create the OpenAI client ({error}); set OPENAI_API_KEY (and OPENAI_BASE_URL "
            "for a proxy), or use --dry-run"
        ) from None


def run_plan(
    path: str | Path,
    dry_run: bool = False,
    retry_failed: bool = False,
    out: Callable[[str], None] = print,
    client: Any | None = None,
    sleep: Callable[[float], None] | None = None,
    only: list[str] | None = None,
) -> int:
    """Run (or with `dry_run` print) the plan at `path`; return the exit status.

    0: every job succeeded (dry run: the data is valid); 1: some job failed or some training
    set is invalid; 130: interrupted (progress is saved; run again to resume). `client` and
    `sleep` replace the OpenAI client and the pause between polls (tests use both). `only`
    keeps the jobs of these sizes (the state file is shared, so the others can follow later).
    """
    plan = load_plan(path, only)
    sets = build_training_sets(plan, download=not dry_run)
    if dry_run:
        out(dry_run_report(plan, sets))
        return 1 if any(s.error for s in sets.values()) else 0
    state = PlanState.load(plan.state_file, plan.name)
    if retry_failed:
        names = state.retry_failed()
        out(f"retrying {len(names)} failed or skipped job(s): {', '.join(names) or '-'}")
    for key, training_set in sorted(sets.items()):
        status = training_set.error or f"{training_set.examples:,} examples"
        out(f"data {key}: {status}" + (f" [{training_set.note}]" if training_set.note else ""))
    try:
        if plan.backend == "openai":
            from finetune.openai_backend import OpenAIFineTuner

            runner = OpenAIFineTuner(plan, sets, state, client or _openai_client(), out=out,
                                     **({"sleep": sleep} if sleep else {}))
        else:
            from finetune.lora_backend import LoraFineTuner

            runner = LoraFineTuner(plan, sets, state, out=out)
        records = runner.run()
    except KeyboardInterrupt:
        out(f"\ninterrupted: progress saved in {plan.state_file}; run the same command to resume")
        return 130
    out("")
    out(status_report(plan, records))
    out(f"variants: {plan.variants_file}  state: {plan.state_file}")
    return 0 if all(r.get("status") == SUCCEEDED for r in records.values()) else 1
