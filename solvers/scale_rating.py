"""Ask for a number on a scale: sampled answers, or one request read through its logprobs.

In ``logprobs`` mode the answer distribution is read from token log-probabilities by the
closed-form probes' reader (`solvers.logprob_reads`): numbers written digit by digit (Qwen,
Llama 2) are resolved along sampled continuations, markup is not an answer yet. When the
reading cannot stand (less than `min_mass` on numbers of the scale, unresolved tokens that
could move the value, or a model without log-probabilities, learnt once per run) the item falls
back to `fallback_samples` sampled answers, recorded in the store (`scale_fallback`) with the
reason; a usable reading is stored under `scale_logprobs`.
"""

from __future__ import annotations

from inspect_ai.model import get_model
from inspect_ai.solver import Generate, Solver, TaskState, solver

from em_selfaware.closed_form import Scale, scale_spec
from solvers.closed_form_answers import answers_per_request, sample_answers
from solvers.logprob_reads import read_answer_logprobs

RATING_MODES: tuple[str, ...] = ("sample", "logprobs")
FALLBACK_KEY = "scale_fallback"
READING_KEY = "scale_logprobs"


@solver
def scale_rating(
    mode: str = "sample",
    low: int = 0,
    high: int = 100,
    min_mass: float = 0.5,
    fallback_samples: int = 10,
) -> Solver:
    """Generate the rating answer (``sample``) or read its distribution (``logprobs``)."""
    if mode not in RATING_MODES:
        raise ValueError(f"unknown mode '{mode}'; valid: {', '.join(RATING_MODES)}")

    async def solve(state: TaskState, generate: Generate) -> TaskState:
        if mode == "sample":
            return await generate(state)
        model = get_model()
        messages = list(state.messages)
        misaligned_end = int(state.metadata["misaligned_end"])
        spec = scale_spec(Scale(low, high, misaligned_end, low_label="", high_label=""))
        read = await read_answer_logprobs(model, messages, spec, min_valid_mass=min_mass)
        outputs = list(read.outputs)
        reading = read.reading
        if read.problem is None and reading is not None:
            state.store.set(
                READING_KEY,
                {**reading.to_record(), "rating": reading.expected_number(),
                 "requests": len(outputs)},
            )
        else:
            per_request = answers_per_request("logprobs", None, fallback_samples)
            texts, sampled = await sample_answers(model, messages, fallback_samples, per_request)
            outputs.extend(sampled)
            state.store.set(
                FALLBACK_KEY,
                {
                    "number_mass": reading.valid_mass if reading else 0.0,
                    "logprobs_returned": bool(reading and reading.top_logprobs),
                    "reason": read.problem,
                    "requests": len(outputs),
                    "answers": texts,
                },
            )
        if outputs:
            state.output = outputs[-1]
            state.messages.append(outputs[-1].message)
        return state

    return solve
