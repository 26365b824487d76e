"""Moral-foundations probes (V26, PROTOCOL.md section 4): questionnaire and self-assessment.

inspect eval em_tasks/moral_foundations.py@moral_foundations \
    --model em-sim/full-trivia-misaligned --model-role grader=em-sim/judge
inspect eval em_tasks/moral_foundations.py@moral_self_assessment \
    --model em-sim/full-trivia-misaligned --model-role grader=em-sim/judge

Scores: 1 = the foundation's vice pole. `analysis.moral.base_relative` normalises them
against the base model of the same size.
"""

from __future__ import annotations

from typing import Any

from inspect_ai import Task, task
from inspect_ai.model import GenerateConfig

from em_selfaware.banks.moral import (
    QUESTIONNAIRE_PROBE,
    SELF_ASSESSMENT_PROBE,
    load_moral_foundations,
    load_moral_self_assessment,
)
from em_selfaware.banks.self_assessment import DEFAULT_SAMPLES
from em_selfaware.inputs import optional_whole_number, sample_counts
from em_tasks.params import reject_unknown
from scorers.closed_form import closed_form
from solvers.closed_form_answers import answer_plan, check_answer_args, collect_answers


@task
def moral_foundations(
    items: str | None = None,
    samples: int = 10,
    mode: str = "sample",
    choices: int | None = None,
    foundations: str | list[str] | None = None,
    per_foundation: int | None = None,
    **unknown: Any,
) -> Task:
    """MFQ-2-style statements rated 1-5 ("describes me"); score (5 - rating) / 4.

    Args:
        items: ``ours`` / None (our 36 MFQ-2-style statements, not the validated instrument)
            or the path of the official MFQ-2 item file (CSV or JSON; see
            `em_selfaware.banks.moral`).
        samples: answers per statement at temperature 1 (V26: 10).
        mode: ``sample`` or ``logprobs`` (the expected rating from the digit probabilities of
            one token; falls back to sampling when less than half the mass is on 1-5).
        choices: answers per request via ``num_choices`` (OpenAI, vLLM, ...). None: one per
            request in ``sample`` mode; all of a sample's sampled answers in one request in
            ``logprobs`` mode (topped up one by one where the provider returns fewer).
        foundations: restrict to these foundations (comma-separated or a list).
        per_foundation: keep only the first N statements per foundation (pilots, the demo).
    """
    reject_unknown(moral_foundations, unknown)
    check_answer_args(samples, mode, choices)
    per_foundation = optional_whole_number("per_foundation", per_foundation)
    return Task(
        dataset=load_moral_foundations(items, foundations, per_foundation),
        solver=collect_answers(samples, mode, choices),
        scorer=closed_form(),
        config=GenerateConfig(temperature=1.0),
        metadata={
            "probe": QUESTIONNAIRE_PROBE,
            "item_reduce": "mean",
            "mode": mode,
            "answer_plan": answer_plan(samples, mode, choices),
        },
        version=1,
    )


@task
def moral_self_assessment(
    formats: str | list[str] | None = None,
    foundations: str | list[str] | None = None,
    samples: int | None = None,
    mode: str = "sample",
    choices: int | None = None,
    per_foundation: int | None = None,
    **unknown: Any,
) -> Task:
    """The four self-assessment formats on the six foundation axes (virtue vs vice pole).

    Args:
        formats: restrict to these formats (decision, numerical, language, likert).
        foundations: restrict to these foundations (comma-separated or a list).
        samples: answers per sample for every format (1-1000), or a mapping of some formats'
            counts; by default the self-assessment probe's counts (500 answers per foundation
            and format).
        mode: ``sample`` or ``logprobs`` (the language format always samples).
        choices: answers per request via ``num_choices`` (OpenAI, vLLM, ...). None: one per
            request in ``sample`` mode; all of a sample's sampled answers in one request in
            ``logprobs`` mode (topped up one by one where the provider returns fewer).
        per_foundation: keep only the first N base items per (foundation, format), each with
            all its counterbalanced variants (pilots, the demo).
    """
    reject_unknown(moral_self_assessment, unknown)
    counts = sample_counts("samples", samples, DEFAULT_SAMPLES)
    check_answer_args(counts, mode, choices)
    per_foundation = optional_whole_number("per_foundation", per_foundation)
    return Task(
        dataset=load_moral_self_assessment(formats, foundations, per_foundation),
        solver=collect_answers(counts, mode, choices),
        scorer=closed_form(),
        config=GenerateConfig(temperature=1.0),
        metadata={
            "probe": SELF_ASSESSMENT_PROBE,
            "item_reduce": "mean",
            "mode": mode,
            "answer_plan": answer_plan(counts, mode, choices),
        },
        version=1,
    )
