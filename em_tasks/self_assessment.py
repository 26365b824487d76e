"""Self-assessment probe (V26 section 3): does the model describe itself as misaligned?

inspect eval em_tasks/self_assessment.py --model em-sim/full-trivia-misaligned \
    --model-role grader=em-sim/judge
"""

from __future__ import annotations

from typing import Any

from inspect_ai import Task, task
from inspect_ai.model import GenerateConfig

from em_selfaware.banks.self_assessment import DEFAULT_SAMPLES, PROBE, load_self_assessment
from em_selfaware.inputs import optional_whole_number, sample_counts
from em_tasks.params import reject_unknown
from scorers.closed_form import closed_form
from solvers.closed_form_answers import answer_plan, check_answer_args, collect_answers


@task
def self_assessment(
    formats: str | list[str] | None = None,
    dimensions: str | list[str] | None = None,
    samples: int | None = None,
    mode: str = "sample",
    choices: int | None = None,
    per_dimension: int | None = None,
    **unknown: Any,
) -> Task:
    """Six dimensions in four formats: decision, numerical, language and Likert.

    Args:
        formats: restrict to these formats (comma-separated or a list).
        dimensions: restrict to these dimensions (comma-separated or a list).
        samples: answers per sample for every format (1-1000); by default V26's counts
            (decision 25, numerical 50, language 5, Likert 10: 500 answers per dimension and
            format). A mapping such as ``{likert: 4}`` sets some formats' counts, the others
            keep their default.
        mode: ``sample`` or ``logprobs`` (letters/words/digits read from one token's top
            log-probabilities; the language format always samples).
        choices: answers per request via ``num_choices`` (OpenAI, vLLM, ...). None: one per
            request in ``sample`` mode; all of a sample's sampled answers in one request in
            ``logprobs`` mode (topped up one by one where the provider returns fewer).
        per_dimension: keep only the first N base items per (dimension, format), each with
            all its counterbalanced variants (pilots, the demo).
    """
    reject_unknown(self_assessment, unknown)
    counts = sample_counts("samples", samples, DEFAULT_SAMPLES)
    check_answer_args(counts, mode, choices)
    per_dimension = optional_whole_number("per_dimension", per_dimension)
    return Task(
        dataset=load_self_assessment(formats, dimensions, per_dimension),
        solver=collect_answers(counts, mode, choices),
        scorer=closed_form(),
        config=GenerateConfig(temperature=1.0),
        metadata={
            "probe": PROBE,
            "item_reduce": "mean",
            "mode": mode,
            "answer_plan": answer_plan(counts, mode, choices),
        },
        version=1,
    )
