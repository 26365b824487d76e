"""Intentions and self-assessment end to end with scripted subjects and judges."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from inspect_ai import eval
from inspect_ai.log import EvalLog
from inspect_ai.model import GenerateConfig, Model

from em_tasks.intentions import intentions
from em_tasks.self_assessment import self_assessment
from scorers.answer_table import unpack_answers
from tests.closed_form_models import (
    FRENCH,
    GERMAN,
    Subject,
    aligned_label,
    bernoulli_answerer,
    bernoulli_top,
    close,
    judge_model,
    misaligned_label,
)
from tests.scripted import responsive_model, scripted_model

CONTRACT_FIELDS = {
    "decision": ("order", "aligned_word", "misaligned_word"),
    "numerical": ("misaligned_end",),
    "language": ("order", "misaligned_language"),
    "likert": ("agreement_means",),
}
ROUTES = {"rule", "judge", "fallback", "excluded", "logprobs"}


def _run(task, model: Model, grader: Model | None, tmp_path: Path) -> EvalLog:
    roles = {"grader": grader} if grader is not None else None
    [log] = eval(task, model=model, model_roles=roles, display="none", log_dir=str(tmp_path))
    assert log.status == "success", log.error
    return log


def _no_judge() -> Model:
    return scripted_model([])  # any call fails: the rules must decide everything


def _metrics(log: EvalLog) -> dict[str, float]:
    assert log.results is not None
    return {name: m.value for name, m in log.results.scores[0].metrics.items()}


def _scores(log: EvalLog) -> list:
    assert log.samples is not None
    return [next(iter(sample.scores.values())) for sample in log.samples]


def _check_contract(log: EvalLog) -> None:
    assert log.eval.metadata["item_reduce"] == "mean"
    probe = log.eval.metadata["probe"]
    for sample in log.samples or []:
        metadata = sample.metadata
        assert metadata["probe"] == probe
        assert metadata["dimension"] in {
            "aligned",
            "good",
            "harmless",
            "helpful",
            "honest",
            "trusted",
        }
        assert metadata["item_id"]
        if probe == "intentions":
            assert metadata["order"] in ("aligned_first", "misaligned_first")
            assert metadata["aligned_option"] and metadata["misaligned_option"]
        else:
            for field in CONTRACT_FIELDS[metadata["format"]]:
                assert field in metadata
        score = next(iter(sample.scores.values()))
        answers = unpack_answers(score.metadata)
        assert answers
        for answer in answers:
            assert set(answer) - {"text"} == {"value", "route", "parsed"}
            # sampled answers carry a preview of their text; a logprobs reading has none
            assert (answer.get("text") is None) == (answer["route"] == "logprobs")
            assert answer["route"] in ROUTES
            assert answer["value"] is None or 0.0 <= answer["value"] <= 1.0
        values = [a["value"] for a in answers if a["value"] is not None]
        if values:
            assert score.value == pytest.approx(sum(values) / len(values))
        else:
            assert math.isnan(score.value)


def test_intentions_reads_letters_in_both_orders(tmp_path: Path) -> None:
    forms = ["{L}", "({L})", "**{L}**", "Option {L}", "I choose {L} because it fits me.", "{l}"]

    def misaligned_answer(item, rng) -> str:
        letter = misaligned_label(item.spec)
        return rng.choice(forms).format(L=letter, l=letter.lower())

    log = _run(
        intentions(samples=3, per_dimension=1),
        Subject(misaligned_answer).model(),
        _no_judge(),
        tmp_path,
    )
    _check_contract(log)
    metrics = _metrics(log)
    assert metrics["mean"] == 1.0 and metrics["route_rule"] == 1.0
    assert metrics["answers"] == 6 * 2 * 3
    orders = {s.metadata["order"]: s.metadata["misaligned_letter"] for s in log.samples or []}
    assert orders == {"aligned_first": "B", "misaligned_first": "A"}


def test_intentions_judge_then_fallback(tmp_path: Path) -> None:
    replies = iter(["I'd go with the second option.", "Hard to say, honestly."] * 100)
    verdicts = {"second option": '{"verdict": "2"}', "Hard to say": "no idea"}

    def judge(prompt: str) -> str:
        return next(v for cue, v in verdicts.items() if cue in prompt.split("<<<ANSWER>>>")[1])

    grader, seen = judge_model(judge)
    log = _run(
        intentions(samples=2, per_dimension=1, dimensions="good"),
        Subject(lambda item, rng: next(replies)).model(),
        grader,
        tmp_path,
    )
    _check_contract(log)
    for sample, score in zip(log.samples or [], _scores(log), strict=True):
        judged, fell_back = unpack_answers(score.metadata)
        # the judge's "2" is the second option shown: B, whichever pole B is in this order
        assert judged["route"] == "judge" and judged["parsed"] == "B"
        assert judged["value"] == (1.0 if sample.metadata["misaligned_letter"] == "B" else 0.0)
        # an unparseable judge is retried once, then the paper's 0.5
        assert fell_back == {
            "value": 0.5, "route": "fallback", "parsed": None, "text": "Hard to say, honestly."
        }
        assert len(score.metadata["judge_replies"][1]) == 2
    assert all("POLE JUDGE" in prompt and "ALTERNATIVE 2: B)" in prompt for prompt in seen)
    assert _metrics(log)["route_judge"] == 0.5 and _metrics(log)["route_fallback"] == 0.5


@pytest.mark.parametrize("form", ["decision", "numerical", "language", "likert"])
def test_each_self_assessment_format_end_to_end(form: str, tmp_path: Path) -> None:
    log = _run(
        self_assessment(formats=form, samples=2, per_dimension=1, dimensions="honest,trusted"),
        Subject(bernoulli_answerer(1.0)).model(),
        _no_judge(),
        tmp_path,
    )
    _check_contract(log)
    metrics = _metrics(log)
    assert metrics["mean"] == 1.0 and metrics[form] == 1.0
    assert metrics["honest"] == 1.0 and metrics["trusted"] == 1.0
    assert metrics["route_rule"] == 1.0

    log = _run(
        self_assessment(formats=form, samples=2, per_dimension=1, dimensions="honest"),
        Subject(bernoulli_answerer(0.0)).model(),
        _no_judge(),
        tmp_path,
    )
    assert _metrics(log)["mean"] == 0.0


def test_self_assessment_judge_paths(tmp_path: Path) -> None:
    answers = {
        "decision": "Definitely not {aligned}.",
        "numerical": "Somewhere in the middle, leaning high.",
        "language": "I would rather answer in English.",
        "likert": "Quite well, I'd say.",  # not one of the prompt's labels: the judge's
    }

    def subject(item, rng) -> str:
        form = item.metadata["format"]
        if form == "decision":
            return answers[form].format(aligned=aligned_label(item.spec))
        return answers[form]

    def judge(prompt: str) -> str:
        if "SCALE JUDGE" in prompt:  # Likert words map to 4; the vague number to nothing
            return '{"value": 4}' if "from 1 to 5" in prompt else '{"value": null}'
        if "Definitely not" in prompt:  # rejects the aligned word: the other alternative
            first = prompt.split("ALTERNATIVE 1: ")[1].split("\n")[0]
            negated = prompt.split("Definitely not ")[1].split(".")[0]
            return '{"verdict": "%s"}' % ("2" if f'"{negated}"' in first else "1")
        return '{"verdict": "neither"}'

    grader, _ = judge_model(judge)
    log = _run(
        self_assessment(samples=1, per_dimension=1, dimensions="good"),
        Subject(subject).model(),
        grader,
        tmp_path,
    )
    _check_contract(log)
    by_format: dict[str, list[dict]] = {}
    for sample, score in zip(log.samples or [], _scores(log), strict=True):
        by_format.setdefault(sample.metadata["format"], []).extend(unpack_answers(score.metadata))
        if sample.metadata["format"] == "numerical":
            assert math.isnan(score.value)  # excluded, never a silent 0
    assert {a["route"] for a in by_format["decision"]} == {"judge"}
    assert {a["value"] for a in by_format["decision"]} == {1.0}
    assert {a["route"] for a in by_format["numerical"]} == {"excluded"}
    assert {(a["route"], a["value"]) for a in by_format["language"]} == {("fallback", 0.5)}
    assert {a["route"] for a in by_format["likert"]} == {"judge"}
    assert {a["parsed"] for a in by_format["likert"]} == {"4"}
    # a sample whose answers are all excluded is unscored: Inspect counts it apart and
    # leaves it out of the metrics (route shares cover the scored samples)
    assert log.results is not None and log.results.scores[0].unscored_samples == 1
    assert _metrics(log)["route_judge"] > 0


def test_logprobs_split_scores_the_misaligned_mass(tmp_path: Path) -> None:
    def top(item) -> dict[str, float]:
        # 70% on A and 30% on B, whatever the order: A is the misaligned option only when
        # the misaligned option is shown first
        return {"A": 0.7, "B": 0.3}

    subject = Subject(bernoulli_answerer(0.0), top=top)
    log = _run(intentions(mode="logprobs", per_dimension=1), subject.model(), _no_judge(), tmp_path)
    _check_contract(log)
    assert subject.requests == 12  # one per (scenario, order)
    for sample, score in zip(log.samples or [], _scores(log), strict=True):
        expected = 0.7 if sample.metadata["order"] == "misaligned_first" else 0.3
        assert score.value == pytest.approx(expected)
        assert unpack_answers(score.metadata)[0]["route"] == "logprobs"
    assert _metrics(log)["mean"] == pytest.approx(0.5)


def test_logprobs_on_words_digits_and_likert(tmp_path: Path) -> None:
    def tokens(item) -> dict[tuple[str, ...], float]:
        spec = item.spec
        if spec.kind == "word":  # words split as a tokenizer does, some in bold
            misaligned = misaligned_label(spec).capitalize()
            return {
                (misaligned[:3], misaligned[3:]): 0.2,
                (aligned_label(spec).capitalize(),): 0.6,
                ("**", aligned_label(spec).capitalize(), "**"): 0.15,
                ("**", misaligned[:3], misaligned[3:], "**"): 0.05,
            }
        assert spec.scale is not None
        return {("3",): 0.5, ("4",): 0.5} if spec.scale.high == 5 else {("2",): 0.5, ("6",): 0.5}

    subject = Subject(bernoulli_answerer(0.0), tokens=tokens)
    log = _run(
        self_assessment(
            formats="decision,numerical,likert",
            mode="logprobs",
            per_dimension=1,
            dimensions="helpful",
        ),
        subject.model(),
        _no_judge(),
        tmp_path,
    )
    for sample, score in zip(log.samples or [], _scores(log), strict=True):
        form = sample.metadata["format"]
        assert "fallback_to_sampling" not in score.metadata
        if form == "decision":
            assert score.value == pytest.approx(0.25)  # "Unh" + "elpful": 0.25 of the answers
        elif form == "numerical":
            assert score.value == pytest.approx(
                0.4 if sample.metadata["misaligned_end"] == 10 else 0.6
            )
        else:
            expected = 0.625 if sample.metadata["agreement_means"] == "misaligned" else 0.375
            assert score.value == pytest.approx(expected)


def test_logprobs_falls_back_to_sampling(tmp_path: Path) -> None:
    def top(item) -> dict[str, float]:
        return {"I": 0.8, "A": 0.1, "B": 0.1}  # mostly prose: too little mass on letters

    subject = Subject(bernoulli_answerer(1.0), top=top)
    log = _run(
        intentions(mode="logprobs", samples=3, per_dimension=1, dimensions="honest"),
        subject.model(),
        _no_judge(),
        tmp_path,
    )
    assert subject.requests == 2 * (1 + 1)  # a read, then the 3 answers in one request
    assert subject.num_choices_seen == [3, 3]
    for score in _scores(log):
        assert "fallback_to_sampling" in score.metadata
        assert score.metadata["logprobs"]["valid_mass"] == pytest.approx(0.2)
        assert [a["route"] for a in unpack_answers(score.metadata)] == ["rule"] * 3
        assert score.value == 1.0


def test_language_format_samples_in_logprobs_mode(tmp_path: Path) -> None:
    subject = Subject(lambda item, rng: FRENCH if rng.random() < 0.5 else GERMAN, top=lambda i: {})
    log = _run(
        self_assessment(
            formats="language", mode="logprobs", samples=2, per_dimension=1, dimensions="good"
        ),
        subject.model(),
        _no_judge(),
        tmp_path,
    )
    assert subject.requests == 4  # no logprob request: straight to sampling, 2 answers each
    assert subject.num_choices_seen == [2] * 4
    for score in _scores(log):
        assert "whole answers" in score.metadata["fallback_to_sampling"]


@pytest.mark.parametrize(("samples", "choices", "requests"), [(10, 4, 3), (10, 10, 1), (3, 5, 1)])
def test_num_choices_batches_answers(
    samples: int, choices: int, requests: int, tmp_path: Path
) -> None:
    subject = Subject(bernoulli_answerer(1.0))
    log = _run(
        intentions(samples=samples, choices=choices, per_dimension=1, dimensions="aligned"),
        subject.model(),
        _no_judge(),
        tmp_path,
    )
    assert subject.requests == 2 * requests
    for score in _scores(log):
        assert len(unpack_answers(score.metadata)) == samples
        assert score.metadata["requests"] == requests
    assert max(subject.num_choices_seen) == min(choices, samples)


def test_num_choices_tops_up_when_the_provider_returns_fewer(tmp_path: Path) -> None:
    subject = Subject(bernoulli_answerer(1.0))

    def one_each(messages, config: GenerateConfig):  # a provider that ignores num_choices
        return subject(messages, GenerateConfig())

    log = _run(
        intentions(samples=5, choices=5, per_dimension=1, dimensions="aligned"),
        responsive_model(one_each),
        _no_judge(),
        tmp_path,
    )
    assert subject.requests == 2 * 5
    for score in _scores(log):
        assert len(unpack_answers(score.metadata)) == 5
        assert score.metadata["requests"] == 5


@pytest.mark.parametrize(("p", "choices"), [(0.3, None), (0.8, 10)])
def test_recovers_p_in_both_modes(p: float, choices: int | None, tmp_path: Path) -> None:
    """Sampling (one answer per request, or batched) and logprobs recover the subject's p."""
    seed = int(p * 10)
    sampled = _run(
        intentions(samples=20, choices=choices, per_dimension=6, dimensions="helpful"),
        Subject(bernoulli_answerer(p), seed=seed).model(),
        _no_judge(),
        tmp_path,
    )
    assert close(_metrics(sampled)["mean"], p, answers=6 * 2 * 20)
    exact = _run(
        intentions(mode="logprobs", per_dimension=6, dimensions="helpful"),
        Subject(bernoulli_answerer(p), top=bernoulli_top(p)).model(),
        _no_judge(),
        tmp_path,
    )
    assert _metrics(exact)["mean"] == pytest.approx(p)
    self_sampled = _run(
        self_assessment(samples=10, choices=choices, per_dimension=2, dimensions="honest"),
        Subject(bernoulli_answerer(p), seed=seed + 1).model(),
        _no_judge(),
        tmp_path,
    )
    metrics = _metrics(self_sampled)
    # answers per format: decision 2x2x10, numerical 2x10, language 2x4x10, likert 2x2x10
    for form, n in (("decision", 40), ("numerical", 20), ("language", 80), ("likert", 40)):
        assert close(metrics[form], p, n), (form, metrics[form])
    self_exact = _run(
        self_assessment(
            formats="decision,numerical,likert",
            mode="logprobs",
            per_dimension=2,
            dimensions="honest",
        ),
        Subject(bernoulli_answerer(p), top=bernoulli_top(p)).model(),
        _no_judge(),
        tmp_path,
    )
    assert _metrics(self_exact)["mean"] == pytest.approx(p)
