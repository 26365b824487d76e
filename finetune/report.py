"""Human-readable plan summaries: the dry run's table and the end-of-run status."""

from __future__ import annotations

import math
from typing import Any

from finetune.plan import Job, Plan
from finetune.pricing import prices_as_of, training_cost
from finetune.training_sets import TrainingSet


def _number(value: float | int | None, digits: int = 0) -> str:
    if value is None:
        return "?"
    return f"{value:,.{digits}f}"


def _table(rows: list[list[str]]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
                     for row in rows)


def _data_lines(sets: dict[str, TrainingSet]) -> list[str]:
    lines = []
    for key, training_set in sorted(sets.items()):
        if training_set.error:
            lines.append(f"  {key:<18} ERROR: {training_set.error}")
            continue
        mark = " (ASSUMED)" if training_set.estimated_from_assumptions else ""
        extra = f"  [{training_set.note}]" if training_set.note else ""
        lines.append(
            f"  {key:<18} {training_set.examples:>6,} examples  "
            f"~{training_set.tokens:,} tokens/epoch{mark}{extra}"
        )
    return lines


def _starts_from(job: Job) -> str:
    return job.base if job.depends_on is None else f"<- {job.depends_on}"


def _openai_rows(plan: Plan, sets: dict[str, TrainingSet]) -> tuple[list[list[str]], dict]:
    rows = [["job", "starts from", "data", "epochs", "batch", "lr x", "train tokens", "USD"]]
    totals: dict[str, Any] = {"tokens": 0, "assumed_tokens": 0, "cost": 0.0,
                              "assumed_cost": 0.0, "unpriced": []}
    for job in plan.jobs:
        training_set = sets.get(job.data_key)
        hyper = job.hyperparameters
        epochs = hyper["n_epochs"]
        tokens = None
        if training_set is not None and not training_set.error and isinstance(epochs, int):
            tokens = training_set.tokens * epochs
        cost = (training_cost(job.base, training_set.tokens, epochs, plan.prices)
                if tokens is not None and training_set is not None else None)
        assumed = bool(training_set and training_set.estimated_from_assumptions)
        if tokens is not None:
            totals["assumed_tokens" if assumed else "tokens"] += tokens
        if cost is None:
            totals["unpriced"].append(job.name)
        else:
            totals["assumed_cost" if assumed else "cost"] += cost
        rows.append([
            job.name, _starts_from(job), job.data_key, str(epochs), str(hyper["batch_size"]),
            str(hyper["learning_rate_multiplier"]),
            _number(tokens) + ("*" if assumed else ""),
            (_number(cost, 2) if cost is not None else "?") + ("*" if assumed else ""),
        ])
    return rows, totals


def _lora_rows(plan: Plan, sets: dict[str, TrainingSet]) -> list[list[str]]:
    rows = [["job", "starts from", "data", "examples", "epochs", "lr", "r/alpha", "steps"]]
    for job in plan.jobs:
        hyper = job.hyperparameters
        training_set = sets.get(job.data_key)
        examples = training_set.examples if training_set and not training_set.error else None
        steps = None
        if examples:
            per_step = hyper["batch_size"] * hyper["gradient_accumulation"]
            steps = math.ceil(examples / per_step) * hyper["epochs"]
        rows.append([
            job.name, _starts_from(job), job.data_key, _number(examples), str(hyper["epochs"]),
            f"{hyper['learning_rate']:g}", f"{hyper['r']}/{hyper['alpha']}", _number(steps),
        ])
    return rows


def dry_run_report(plan: Plan, sets: dict[str, TrainingSet]) -> str:
    """Return the plan as the dry run prints it: data, jobs, tokens and estimated cost."""
    branches = len({(j.size, j.domain) for j in plan.jobs})
    lines = [
        f"Plan '{plan.name}' ({plan.backend}): {len(plan.jobs)} fine-tuning jobs in {branches} "
        f"branches, {len(plan.models)} base models; variants -> {plan.variants_file}",
        "",
        "Training data (validated):",
        *_data_lines(sets),
        "",
    ]
    if plan.backend == "openai":
        rows, totals = _openai_rows(plan, sets)
        lines += [_table(rows), ""]
        total_tokens = totals["tokens"] + totals["assumed_tokens"]
        lines.append(
            f"Total: {len(plan.jobs)} jobs, ~{total_tokens:,} billed training tokens, "
            f"~${totals['cost'] + totals['assumed_cost']:,.2f} estimated"
        )
        if totals["assumed_tokens"]:
            lines.append(
                f"  * of which ~{totals['assumed_tokens']:,} tokens / "
                f"~${totals['assumed_cost']:,.2f} rest on ASSUMED sizes (files not cached)"
            )
        if totals["unpriced"]:
            lines.append(f"  no price known for: {', '.join(totals['unpriced'])} (add `prices:`)")
        lines.append(
            f"Prices: USD per 1M training tokens as of {prices_as_of()} (ASSUMPTION, see "
            "datasets/pricing/prices.yaml; override with `prices:` in the plan). Tokens are "
            "estimated "
            "at ~4 characters a token."
        )
    else:
        lines += [_table(_lora_rows(plan, sets)), ""]
        lines.append(f"Total: {len(plan.jobs)} LoRA jobs, run locally one after another.")
    errors = [s for s in sets.values() if s.error]
    if errors:
        lines.append(f"{len(errors)} training set(s) have errors: their jobs would fail.")
    return "\n".join(lines)


def status_report(plan: Plan, records: dict[str, dict[str, Any]]) -> str:
    """Return the end-of-run table: each job's status and model or error."""
    rows = [["job", "status", "model / error"]]
    for job in plan.jobs:
        record = records.get(job.name, {})
        detail = record.get("fine_tuned_model") or record.get("model") or record.get("error", "")
        rows.append([job.name, record.get("status", "pending"), str(detail)])
    return _table(rows)
