"""The closed-form probes through Inspect's real `openai/` and `openai-api/` (vLLM-style)
providers, against a local server that answers in the bytes the OpenAI API returns.

The server (127.0.0.1, `tests/fake_openai.py` + `tests/wire_chat.py`) counts every request,
so the tests check the scores and that the requests are exactly those planned and recorded.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from inspect_ai import Task, eval
from inspect_ai.log import EvalLog
from inspect_ai.model import Model, get_model

from em_tasks.intentions import intentions
from em_tasks.self_assessment import self_assessment
from solvers.closed_form_answers import planned_requests
from tests.fake_openai import FakeOpenAI
from tests.scripted import scripted_model
from tests.wire_chat import ChatSubject

# provider -> (model, prefix of the base URL and key variables, token style it serves)
PROVIDERS = {
    "openai": ("openai/gpt-4.1-nano", "OPENAI", "openai"),
    "openai-api": ("openai-api/local/qwen2.5-7b-instruct", "LOCAL", "digit_split"),
}
MODES = {
    "sample": {"mode": "sample", "samples": 2},
    "choices": {"mode": "sample", "samples": 3, "choices": 3},
    "logprobs": {"mode": "logprobs", "samples": 2},
}


@pytest.fixture
def wire(monkeypatch: pytest.MonkeyPatch):
    """Serve `subject` on loopback and return a fresh `provider` model configured through the
    provider's environment variables (``OPENAI_BASE_URL`` / ``<SERVICE>_BASE_URL``)."""

    @contextmanager
    def serve(provider: str, subject: ChatSubject) -> Iterator[Model]:
        name, prefix, _ = PROVIDERS[provider]
        with FakeOpenAI() as server:
            server.chat_responder = subject
            monkeypatch.setenv(f"{prefix}_BASE_URL", server.url)
            monkeypatch.setenv(f"{prefix}_API_KEY", "sk-test")
            yield get_model(name, memoize=False)

    return serve


def _tasks(**args) -> list[Task]:
    return [
        intentions(per_dimension=1, dimensions="harmless", **args),
        self_assessment(per_dimension=1, dimensions="harmless", **args),
    ]


def _run(tasks: list[Task], model: Model, tmp_path: Path) -> list[EvalLog]:
    logs = eval(tasks, model=model, model_roles={"grader": scripted_model([])},
                display="none", log_dir=str(tmp_path))
    assert all(log.status == "success" for log in logs), [log.error for log in logs]
    return logs


def _planned(tasks: list[Task]) -> int:
    return sum(
        planned_requests(task.metadata["answer_plan"], sample.metadata or {})
        for task in tasks
        for sample in task.dataset
    )


def _records(logs: list[EvalLog]) -> list[dict]:
    return [s.store["closed_form_answers"] for log in logs for s in log.samples or []]


def _values(logs: list[EvalLog]) -> list[float]:
    return [next(iter(s.scores.values())).value for log in logs for s in log.samples or []]


@pytest.mark.parametrize("mode", list(MODES))
@pytest.mark.parametrize("provider", list(PROVIDERS))
def test_probes_through_the_provider(provider: str, mode: str, wire, tmp_path: Path) -> None:
    subject = ChatSubject(p=1.0, style=PROVIDERS[provider][2])
    tasks = _tasks(**MODES[mode])
    with wire(provider, subject) as model:
        logs = _run(tasks, model, tmp_path)
    assert _values(logs) == [1.0] * len(_values(logs))  # always the misaligned answer
    records = _records(logs)
    assert not any("fallback_to_sampling" in r and "whole answers" not in r["fallback_to_sampling"]
                   for r in records)
    assert subject.requests == sum(r["requests"] for r in records)
    planned = _planned(tasks)
    if mode == "logprobs":  # a second read where "Harm" / " Harm" both start answers
        assert planned <= subject.requests <= planned + len(records)
        reads = [b for b in subject.bodies if b.get("logprobs")]
        assert reads and all(b["top_logprobs"] == 20 for b in reads)
        assert all((b.get("max_tokens") or b.get("max_completion_tokens")) == 4 for b in reads)
        language = [b for b in subject.bodies if not b.get("logprobs")]
        assert language and all(b["n"] == 2 for b in language)  # both answers in one request
    else:
        assert subject.requests == planned
        assert {b.get("n") for b in subject.bodies} == ({3} if mode == "choices" else {None})


@pytest.mark.parametrize("provider", list(PROVIDERS))
def test_exact_split_from_real_token_shapes(provider: str, wire, tmp_path: Path) -> None:
    subject = ChatSubject(p=0.7, style=PROVIDERS[provider][2])
    tasks = [
        intentions(mode="logprobs", per_dimension=2, dimensions="harmless"),
        self_assessment(mode="logprobs", per_dimension=1, dimensions="harmless",
                        formats="decision,numerical,likert"),
    ]
    with wire(provider, subject) as model:
        logs = _run(tasks, model, tmp_path)
    assert not any("fallback_to_sampling" in r for r in _records(logs))
    assert _values(logs) == pytest.approx([0.7] * len(_values(logs)))


@pytest.mark.parametrize("provider", list(PROVIDERS))
def test_rate_limits_and_server_errors_are_retried(provider: str, wire, tmp_path: Path) -> None:
    subject = ChatSubject(p=1.0, failures={1: 429, 4: 500})
    tasks = [intentions(samples=2, per_dimension=1, dimensions="harmless")]
    with wire(provider, subject) as model:
        logs = _run(tasks, model, tmp_path)
    assert subject.statuses.count(429) == 1 and subject.statuses.count(500) == 1
    assert subject.requests == _planned(tasks) + 2  # each failure retried once
    assert _values(logs) == [1.0, 1.0]


def test_a_provider_without_logprobs_is_asked_once(wire, tmp_path: Path) -> None:
    subject = ChatSubject(p=1.0, logprobs=False)
    tasks = [intentions(mode="logprobs", samples=3, per_dimension=2, dimensions="harmless")]
    with wire("openai-api", subject) as model:
        logs = _run(tasks, model, tmp_path)
    assert subject.logprob_requests == 1
    assert subject.requests == 1 + 4  # then each item's 3 answers in one request
    reasons = [r["fallback_to_sampling"] for r in _records(logs)]
    assert all("returned no log-probabilities" in reason for reason in reasons)
    assert _values(logs) == [1.0] * 4


def test_logprobs_without_alternatives_count_as_none(wire, tmp_path: Path) -> None:
    subject = ChatSubject(p=1.0, top_alternatives=False)
    tasks = [intentions(mode="logprobs", samples=2, per_dimension=2, dimensions="harmless")]
    with wire("openai", subject) as model:
        logs = _run(tasks, model, tmp_path)
    assert subject.logprob_requests == 1 and subject.requests == 1 + 4
    assert all("without top alternatives" in r["fallback_to_sampling"] for r in _records(logs))


def test_a_provider_that_ignores_n_is_topped_up(wire, tmp_path: Path) -> None:
    subject = ChatSubject(p=1.0, honour_n=False)
    tasks = [self_assessment(formats="language", mode="logprobs", samples=3, per_dimension=1,
                             dimensions="harmless")]
    with wire("openai-api", subject) as model:
        logs = _run(tasks, model, tmp_path)
    assert [len(r["texts"]) for r in _records(logs)] == [3] * 4
    assert subject.requests == 4 * 3  # no request wasted: one answer each after the first
    assert _values(logs) == [1.0] * 4
