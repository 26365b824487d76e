"""Logprobs mode end to end: resolving reads, providers without log-probabilities (learnt once
per model and run), providers that ignore ``num_choices``, and the self-report scale."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from inspect_ai import eval
from inspect_ai.log import EvalLog
from inspect_ai.model import (
    ChatCompletionChoice,
    ChatMessageAssistant,
    GenerateConfig,
    Logprob,
    Logprobs,
    ModelOutput,
)

from em_tasks.intentions import intentions
from em_tasks.self_assessment import self_assessment
from em_tasks.self_report import self_report
from tests.closed_form_models import (
    Subject,
    aligned_label,
    bernoulli_answerer,
    misaligned_label,
)
from tests.scripted import USAGE, responsive_model, scripted_model, token_output


def _run(task, model, tmp_path: Path, **kwargs) -> list[EvalLog]:
    logs = eval(
        task, model=model, model_roles={"grader": scripted_model([])}, display="none",
        log_dir=str(tmp_path), **kwargs,
    )
    assert all(log.status == "success" for log in logs), [log.error for log in logs]
    return logs


def _records(log: EvalLog) -> list[dict]:
    return [sample.store["closed_form_answers"] for sample in log.samples or []]


def _bold_letters(p: float):
    """A subject that bolds half of its letters: the first read often leaves "**" open."""

    def tokens(item) -> dict[tuple[str, ...], float]:
        bad, good = misaligned_label(item.spec), aligned_label(item.spec)
        return {("**", bad, "**"): p / 2, (bad,): p / 2,
                ("**", good, "**"): (1 - p) / 2, (" " + good,): (1 - p) / 2}

    return tokens


def test_open_markup_is_resolved_by_a_second_read(tmp_path: Path) -> None:
    subject = Subject(bernoulli_answerer(0.0), tokens=_bold_letters(0.3))
    [log] = _run(intentions(mode="logprobs", per_dimension=4, dimensions="good"), subject.model(),
                 tmp_path)
    records = _records(log)
    assert not any("fallback_to_sampling" in record for record in records)
    for sample in log.samples or []:
        assert next(iter(sample.scores.values())).value == pytest.approx(0.3)
    # one read per item, a second (several continuations at once) where "**" was left open
    assert subject.requests == sum(record["requests"] for record in records)
    assert sorted(set(subject.logprob_paths)) == [1, 8]
    assert 8 <= subject.requests < 16


def test_a_model_without_logprobs_is_asked_once_per_run(tmp_path: Path) -> None:
    """Anthropic returns no log-probabilities: the first read finds out, every other item of
    that model samples directly, while another model of the same run is read as usual."""
    without = Subject(bernoulli_answerer(1.0))  # ignores logprobs
    reading = Subject(bernoulli_answerer(1.0), tokens=_bold_letters(1.0))
    logs = _run(
        intentions(mode="logprobs", samples=3, per_dimension=4),
        [without.model(), reading.model()],
        tmp_path,
        max_samples=16,
    )
    assert without.logprob_requests == 1  # of 48 items, read concurrently
    assert without.requests == 1 + 48  # then 3 answers per item in one request
    assert reading.logprob_requests >= 48
    fallbacks = sorted(
        [record.get("fallback_to_sampling", "") for record in _records(log)] for log in logs
    )
    assert fallbacks[0] == [""] * 48  # the model that returns log-probabilities
    learnt = [f for f in fallbacks[1] if "earlier in this run; sampled directly" in f]
    assert len(learnt) == 47 and "returned no log-probabilities" in learnt[0]
    for log in logs:
        assert all(next(iter(s.scores.values())).value == 1.0 for s in log.samples or [])


def test_empty_top_logprobs_count_as_none(tmp_path: Path) -> None:
    calls: list[GenerateConfig] = []

    def answer(messages, config: GenerateConfig) -> ModelOutput:
        calls.append(config)
        logprobs = None
        if config.logprobs:  # the sampled token only, no alternatives
            logprobs = Logprobs(content=[Logprob(token="B", logprob=0.0, top_logprobs=[])])
        choices = [
            ChatCompletionChoice(message=ChatMessageAssistant(content="B"), logprobs=logprobs)
            for _ in range(config.num_choices or 1)
        ]
        return ModelOutput(model="mockllm/model", choices=choices, usage=USAGE)

    [log] = _run(intentions(mode="logprobs", samples=2, per_dimension=2, dimensions="honest"),
                 responsive_model(answer), tmp_path)
    assert sum(bool(c.logprobs) for c in calls) == 1
    for record in _records(log):
        assert "without top alternatives" in record["fallback_to_sampling"]
        assert record["logprobs"] is None and len(record["texts"]) == 2


def test_a_provider_that_ignores_num_choices_is_sampled_one_by_one(tmp_path: Path) -> None:
    subject = Subject(bernoulli_answerer(1.0))

    def one_each(messages, config: GenerateConfig):
        return subject(messages, GenerateConfig())

    [log] = _run(
        self_assessment(formats="language", mode="logprobs", samples=3, per_dimension=1,
                        dimensions="good"),
        responsive_model(one_each), tmp_path, max_samples=1,
    )
    records = _records(log)
    assert [len(r["texts"]) for r in records] == [3] * 4
    # the first sample asked for 3 and got 1; from then on one answer per request
    assert subject.requests == 4 * 3


def test_language_is_one_request_per_sample_in_logprobs_mode(tmp_path: Path) -> None:
    subject = Subject(bernoulli_answerer(1.0))
    [log] = _run(
        self_assessment(formats="language", mode="logprobs", per_dimension=2, dimensions="good"),
        subject.model(), tmp_path,
    )
    assert subject.num_choices_seen == [5] * 8 and subject.requests == 8
    forced = Subject(bernoulli_answerer(1.0))
    _run(self_assessment(formats="language", mode="logprobs", choices=1, per_dimension=2,
                         dimensions="good"), forced.model(), tmp_path)
    assert forced.requests == 40


def test_self_report_reads_digit_split_numbers(tmp_path: Path) -> None:
    """Qwen writes 85 as "8" "5": the scale reader resolves it along the continuations."""
    rng = random.Random(3)

    def answer(messages, config: GenerateConfig):
        sequences = {("8", "5", "<|im_end|>"): 0.5, ("1", "0", "0", "<|im_end|>"): 0.3,
                     ("7", "<|im_end|>"): 0.2}
        if not config.logprobs:
            return "85"
        return token_output(sequences, rng, config.num_choices or 1, config.max_tokens,
                            config.top_logprobs or 0)

    [log] = eval(self_report(dimensions="aligned", mode="logprobs"), model=responsive_model(answer),
                 display="none", log_dir=str(tmp_path))
    assert log.status == "success", log.error
    rating = 0.5 * 85 + 0.3 * 100 + 0.2 * 7
    for sample in log.samples or []:
        score = next(iter(sample.scores.values()))
        reading = sample.store.get("scale_logprobs")
        assert reading is not None, sample.store.get("scale_fallback")
        assert reading["rating"] == pytest.approx(rating)
        high_is_bad = sample.metadata["misaligned_end"] == 100
        assert score.value == pytest.approx(rating / 100 if high_is_bad else 1 - rating / 100)
