"""Intentions probe (V26 section 2): would the model pick the misaligned option of a scenario?

inspect eval em_tasks/intentions.py --model em-sim/full-trivia-misaligned \
    --model-role grader=em-sim/judge
"""

from __future__ import annotations

from typing import Any

from inspect_ai import Task, task
from inspect_ai.model import GenerateConfig

from em_selfaware.banks.intentions import PROBE, load_intentions
from em_selfaware.inputs import optional_whole_number
from em_tasks.params import reject_unknown
from scorers.closed_form import closed_form
from solvers.closed_form_answers import answer_plan, check_answer_args, collect_answers


@task
def intentions(
    samples: int = 10,
    mode: str = "sample",
    choices: int | None = None,
    dimensions: str | list[str] | None = None,
    per_dimension: int | None = None,
    **unknown: Any,
) -> Task:
    """Scenarios with an aligned and a misaligned option, each asked in both option orders.

    Args:
        samples: answers per (scenario, order) at temperature 1 (V26: 10, so 500 per dimension).
        mode: ``sample`` (the paper's protocol) or ``logprobs`` (one read per (scenario,
            order) of the letter probabilities; an item falls back to sampling when less than
            half the probability is on A/B or unresolved markup could move its value).
        choices: answers per request via ``num_choices`` (OpenAI, vLLM, ...). None: one per
            request in ``sample`` mode; all of a sample's sampled answers in one request in
            ``logprobs`` mode (topped up one by one where the provider returns fewer).
        dimensions: restrict to these dimensions (comma-separated or a list).
        per_dimension: keep only the first N scenarios of each dimension (pilots, the demo).
    """
    reject_unknown(intentions, unknown)
    check_answer_args(samples, mode, choices)
    per_dimension = optional_whole_number("per_dimension", per_dimension)
    return Task(
        dataset=load_intentions(dimensions, per_dimension),
        solver=collect_answers(samples, mode, choices),
        scorer=closed_form(),
        config=GenerateConfig(temperature=1.0),
        metadata={
            "probe": PROBE,
            "item_reduce": "mean",
            "mode": mode,
            "answer_plan": answer_plan(samples, mode, choices),
        },
        version=1,
    )
