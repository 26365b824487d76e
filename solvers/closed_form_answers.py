"""Collect the answers to one closed-form prompt: sampled, batched, or as exact probabilities.

Modes:
- ``sample`` (the papers' protocol): `samples` answers at the task's temperature, one request
  each, or `choices` answers per request where the provider supports ``num_choices``.
- ``logprobs`` (beyond the papers): one request reads the answer distribution from token
  log-probabilities (`solvers.logprob_reads`; a second request when tokens that are not an
  answer yet hold too much probability). The item falls back to sampling, and the record says
  why, when too little probability rests on valid answers, when unresolved tokens could move
  the value too far, or when the model returns no log-probabilities (learnt once per model and
  run). The language format needs whole answers and is always sampled. Sampling in this mode
  asks for all of a sample's answers in one request (``num_choices``) unless `choices` says
  otherwise; a provider that returns fewer choices is topped up one answer per request.

The record goes to the sample store under `ANSWERS_KEY` for the scorer; `requests` and the
number of `texts` say how many requests and answers the sample's score rests on. The prompt is
the sample's input as built with the dataset (its answer spec in `metadata['closed_form']`);
every answer behind the score is appended to the messages as an assistant message (a logprobs
reading: each read's first choice), so the transcript shows all of them, and `state.output` is
the last request's output. A sample's requests run under one transcript span.
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
from scorers.token_probs import LOGPROB_KINDS
from solvers.logprob_reads import MAX_PATHS, model_facts, read_answer_logprobs

ANSWERS_KEY = "closed_form_answers"
MODES: tuple[str, ...] = ("sample", "logprobs")
MAX_CHOICES = 128
"""Most answers asked of one request (OpenAI's limit on ``n``)."""

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


def answers_per_request(mode: str, choices: int | None, wanted: int) -> int:
    """Answers asked of one sampling request.

    `choices` when given; otherwise one (``sample`` mode: the papers' independent requests) or,
    in ``logprobs`` mode, all `wanted` answers at once (up to `MAX_CHOICES`).
    """
    if choices is not None:
        return choices
    return min(wanted, MAX_CHOICES) if mode == "logprobs" else 1


def answer_plan(samples: SampleCounts, mode: str, choices: int | None) -> dict[str, Any]:
    """Return the task-metadata entry from which the runner counts requests in advance."""
    counts = dict(samples) if isinstance(samples, Mapping) else samples
    return {"samples": counts, "mode": mode, "choices": choices}


def planned_requests(plan: dict[str, Any], metadata: dict[str, Any]) -> int:
    """Requests one sample makes when nothing falls back (logprobs: one read; sampling: batches).

    Sampled formats count one request per `choices` answers (in logprobs mode, by default, one
    request for all). Second reads, items that fall back to sampling and providers that return
    fewer choices than asked add requests that cannot be known ahead.
    """
    if plan["mode"] == "logprobs" and metadata.get("format") != "language":
        return 1
    wanted = answers_wanted(plan["samples"], metadata)
    return len(_batches(wanted, answers_per_request(plan["mode"], plan["choices"], wanted)))


def _batches(wanted: int, per_request: int) -> list[int]:
    full, rest = divmod(wanted, per_request)
    return [per_request] * full + ([rest] if rest else [])


async def sample_answers(
    model: Model, messages: list[ChatMessage], wanted: int, choices: int | None
) -> tuple[list[str], list[ModelOutput]]:
    """Draw `wanted` answers, `choices` per request when given.

    A provider that returns fewer choices than asked is noted for the rest of the run, and the
    missing answers are drawn one per request.
    """
    facts = model_facts(model)
    texts: list[str] = []
    outputs: list[ModelOutput] = []
    while len(texts) < wanted and len(outputs) < wanted:
        per_request = 1 if facts.ignores_num_choices else (choices or 1)
        sizes = _batches(wanted - len(texts), per_request)
        configs = [GenerateConfig(num_choices=size if size > 1 else None) for size in sizes]
        batch = await gather_in_span(
            "answers", [model.generate(messages, config=config) for config in configs]
        )
        outputs.extend(batch)
        for size, output in zip(sizes, batch, strict=True):
            if size > 1 and len(output.choices) < size:
                facts.ignores_num_choices = True
            texts.extend(choice.message.text for choice in output.choices)
    return texts[:wanted], outputs


@solver
def collect_answers(
    samples: SampleCounts = 10, mode: str = "sample", choices: int | None = None
) -> Solver:
    """Collect the answers to the sample's prompt (its spec in `metadata['closed_form']`).

    Args:
        samples: answers per prompt in sampling (and fallback) mode; a mapping gives one count
            per sample `format`.
        mode: ``sample`` or ``logprobs``.
        choices: answers per request via ``num_choices``. None: one per request in ``sample``
            mode; in ``logprobs`` mode all of a sample's sampled answers in one request.
    """
    check_answer_args(samples, mode, choices)

    async def solve(state: TaskState, generate: Generate) -> TaskState:
        spec = AnswerSpec.from_dict(state.metadata[SPEC_KEY])
        model = get_model()
        record: dict[str, Any] = {"mode": mode, "requests": 0, "texts": [], "logprobs": None}
        outputs: list[ModelOutput] = []
        if mode == "logprobs":
            if spec.kind in LOGPROB_KINDS:
                read = await read_answer_logprobs(
                    model, state.messages, spec, max_paths=choices or MAX_PATHS
                )
                record["requests"] = len(read.outputs)
                outputs.extend(read.outputs)
                if read.reading is not None and read.reading.top_logprobs:
                    record["logprobs"] = read.reading.to_record()
                if read.problem is None:
                    return _finish(state, record, outputs, [o.message for o in read.outputs])
                record["fallback_to_sampling"] = read.problem
            else:
                record["fallback_to_sampling"] = f"{spec.kind} answers need whole answers"
        wanted = answers_wanted(samples, state.metadata)
        per_request = answers_per_request(mode, choices, wanted)
        texts, sampled = await sample_answers(model, state.messages, wanted, per_request)
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
