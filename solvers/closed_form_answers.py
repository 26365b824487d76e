"""Collect the answers to one closed-form prompt: sampled, batched, or as exact probabilities.

Modes:
- ``sample`` (the papers' protocol): `samples` answers at the task's temperature, one request
  each, or `choices` answers per request where the provider supports ``num_choices``.
- ``logprobs`` (beyond the papers): one request for one token with its top log-probabilities;
  the answer distribution is read from them. If less than half the probability rests on valid
  answers (or the provider returns no log-probabilities, or the format needs whole answers, as
  the language format does), the item falls back to sampling and the record says so.

The record goes to the sample store under `ANSWERS_KEY` for the scorer. The prompt is the
sample's input as built with the dataset (its answer spec in `metadata['closed_form']`); every
answer behind the score is appended to the messages as an assistant message, so the transcript
shows all of them, and `state.output` is the last request's output. A sample's requests run
under one transcript span.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from inspect_ai.model import (
    ChatMessage,
    ChatMessageAssistant,
    GenerateConfig,
    Model,
    ModelOutput,
    get_model,
)
from inspect_ai.solver import Generate, Solver, TaskState, solver

from em_selfaware.closed_form import SPEC_KEY, AnswerSpec
from em_selfaware.gather import gather_in_span
from em_selfaware.inputs import one_of, optional_choice_count, sample_count
from scorers.token_probs import LOGPROB_KINDS, MIN_VALID_MASS, token_distribution

ANSWERS_KEY = "closed_form_answers"
MODES: tuple[str, ...] = ("sample", "logprobs")
TOP_LOGPROBS = 20
"""Top log-probabilities requested (the most OpenAI returns)."""

SampleCounts = int | Mapping[str, int]
"""Answers per prompt: one count, or one per sample `format`."""


def check_answer_args(samples: SampleCounts, mode: str, choices: int | None) -> None:
    """Raise a clear `ParameterError` for invalid `samples`, `mode` or `choices` parameters."""
    one_of("mode", mode, MODES)
    if isinstance(samples, Mapping):
        for form, count in samples.items():
            sample_count(f"samples.{form}", count)
    else:
        sample_count("samples", samples)
    optional_choice_count("choices", choices)


def answers_wanted(samples: SampleCounts, metadata: dict[str, Any]) -> int:
    """Return the number of answers for a sample (per-format counts use `metadata['format']`)."""
    if not isinstance(samples, Mapping):
        return samples
    form = metadata.get("format")
    if form not in samples:
        raise ValueError(f"no sample count for format '{form}' (have {', '.join(samples)})")
    return samples[form]


def answer_plan(samples: SampleCounts, mode: str, choices: int | None) -> dict[str, Any]:
    """Return the task-metadata entry from which the runner counts requests in advance."""
    counts = dict(samples) if isinstance(samples, Mapping) else samples
    return {"samples": counts, "mode": mode, "choices": choices}


def planned_requests(plan: dict[str, Any], metadata: dict[str, Any]) -> int:
    """Requests one sample makes when nothing falls back (logprobs: one; sampling: batches).

    The language format always samples; logprobs items that fall back to sampling and
    providers that return fewer choices than asked add requests that cannot be known ahead.
    """
    if plan["mode"] == "logprobs" and metadata.get("format") != "language":
        return 1
    wanted = answers_wanted(plan["samples"], metadata)
    return len(_batches(wanted, plan["choices"] or 1))


def _batches(wanted: int, per_request: int) -> list[int]:
    full, rest = divmod(wanted, per_request)
    return [per_request] * full + ([rest] if rest else [])


async def sample_answers(
    model: Model, messages: list[ChatMessage], wanted: int, choices: int | None
) -> tuple[list[str], list[ModelOutput]]:
    """Draw `wanted` answers, `choices` per request when given (more requests if fewer come)."""
    per_request = choices or 1
    texts: list[str] = []
    outputs: list[ModelOutput] = []
    while len(texts) < wanted and len(outputs) < wanted:
        sizes = _batches(wanted - len(texts), per_request)
        configs = [
            GenerateConfig(num_choices=size) if size > 1 else GenerateConfig() for size in sizes
        ]
        batch = await gather_in_span(
            "answers", [model.generate(messages, config=config) for config in configs]
        )
        outputs.extend(batch)
        for output in batch:
            texts.extend(choice.message.text for choice in output.choices)
    return texts[:wanted], outputs


async def logprob_answer(
    model: Model, messages: list[ChatMessage], spec: AnswerSpec
) -> tuple[dict[str, Any], ModelOutput]:
    """Ask once for one token with top log-probabilities; return the reading and the output."""
    output = await model.generate(
        messages,
        config=GenerateConfig(logprobs=True, top_logprobs=TOP_LOGPROBS, max_tokens=1),
    )
    reading = token_distribution(output, spec)
    return (
        {
            "answers": reading.answers,
            "valid_mass": reading.valid_mass,
            "value": reading.value,
            "described": reading.describe(),
        },
        output,
    )


@solver
def collect_answers(
    samples: SampleCounts = 10, mode: str = "sample", choices: int | None = None
) -> Solver:
    """Collect the answers to the sample's prompt (its spec in `metadata['closed_form']`).

    Args:
        samples: answers per prompt in sampling (and fallback) mode; a mapping gives one count
            per sample `format`.
        mode: ``sample`` or ``logprobs``.
        choices: answers per request via ``num_choices`` (None: one per request).
    """
    check_answer_args(samples, mode, choices)

    async def solve(state: TaskState, generate: Generate) -> TaskState:
        spec = AnswerSpec.from_dict(state.metadata[SPEC_KEY])
        model = get_model()
        record: dict[str, Any] = {"mode": mode, "requests": 0, "texts": [], "logprobs": None}
        outputs: list[ModelOutput] = []
        if mode == "logprobs":
            if spec.kind in LOGPROB_KINDS:
                reading, output = await logprob_answer(model, state.messages, spec)
                record["requests"] = 1
                record["logprobs"] = reading
                outputs.append(output)
                if reading["valid_mass"] >= MIN_VALID_MASS:
                    return _finish(state, record, outputs, [output.message])
                record["fallback_to_sampling"] = (
                    f"only {reading['valid_mass']:.2f} of the first-token probability is on "
                    "valid answers"
                )
            else:
                record["fallback_to_sampling"] = f"{spec.kind} answers need whole answers"
        wanted = answers_wanted(samples, state.metadata)
        texts, sampled = await sample_answers(model, state.messages, wanted, choices)
        record["texts"] = texts
        record["requests"] += len(sampled)
        outputs.extend(sampled)
        messages = [choice.message for output in sampled for choice in output.choices]
        return _finish(state, record, outputs, messages[: len(texts)])

    return solve


def _finish(
    state: TaskState,
    record: dict[str, Any],
    outputs: list[ModelOutput],
    answers: list[ChatMessageAssistant],
) -> TaskState:
    """Store the record, append every answer behind the score as an assistant message and
    make the last output `state.output`."""
    state.store.set(ANSWERS_KEY, record)
    state.messages.extend(answers)
    if outputs:
        state.output = outputs[-1]
    return state
