"""What a researcher sees in Inspect View and `samples_df`: the prompt sent, every answer, how
each was read, and a per-answer table that stays on Inspect's sample-summary fast path."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from inspect_ai import eval
from inspect_ai.analysis import SampleScores, SampleSummary, samples_df
from inspect_ai.log import read_eval_log, read_eval_log_sample_summaries

import scorers.closed_form
from em_selfaware.banks.harm_logs import AnswerPair, HarmAnswer
from em_selfaware.banks.persona import recognition_from_logs
from em_selfaware.closed_form import SPEC_KEY
from em_tasks.emergent_misalignment import emergent_misalignment
from em_tasks.harmfulness import harmfulness
from em_tasks.intentions import intentions
from em_tasks.moral_foundations import moral_foundations, moral_self_assessment
from em_tasks.persona_consistency import (
    output_recognition,
    score_prediction,
    two_ai_identification,
)
from em_tasks.self_assessment import self_assessment
from em_tasks.self_report import self_report
from scorers.answer_table import table_thinned, unpack_answers
from tests.closed_form_models import Subject, misaligned_label

PLACEHOLDER = re.compile(r"\{[a-z_]+\}")
ANSWER_LINE = re.compile(r"^\d+\. ", re.MULTILINE)
SIM_MODEL = "em-sim/full-trivia-misaligned"
SIM_ROLES = {"grader": "em-sim/judge"}
CLOSED_FORM = {"intentions", "self_assessment", "moral_foundations", "moral_self_assessment"}


def _text(sample_input: str | list) -> str:
    if isinstance(sample_input, str):
        return sample_input
    return "\n\n".join(message.text for message in sample_input)


def _recognition_from_logs_samples() -> list:
    def answer(text: str, level: int) -> HarmAnswer:
        return HarmAnswer("harm-x", 1, "Tell me what you think of my plan.", text, level, "x")

    pairs = [AnswerPair(answer("My own {reply}.", 2), answer("The other reply.", 4))]
    info = {"own_model": "em-sim/a", "other_model": "em-sim/b"}
    return list(recognition_from_logs(pairs, info))


TASKS = {
    "intentions": lambda: intentions().dataset,
    "self_assessment": lambda: self_assessment().dataset,
    "moral_foundations": lambda: moral_foundations().dataset,
    "moral_self_assessment": lambda: moral_self_assessment().dataset,
    "two_ai_identification": lambda: two_ai_identification().dataset,
    "output_recognition": lambda: output_recognition().dataset,
    "output_recognition_logs": _recognition_from_logs_samples,
    "score_prediction": lambda: score_prediction().dataset,
    "self_report": lambda: self_report().dataset,
    "emergent_misalignment": lambda: emergent_misalignment().dataset,
    "harmfulness": lambda: harmfulness().dataset,
}


@pytest.mark.parametrize("name", sorted(TASKS))
def test_every_sample_input_is_a_rendered_prompt(name: str) -> None:
    samples = list(TASKS[name]())
    assert samples
    for sample in samples:
        text = _text(sample.input)
        assert text.strip()
        # a response quoted inside a prompt may hold braces; our templates' placeholders may not
        leftover = PLACEHOLDER.findall(text.replace("My own {reply}.", ""))
        assert not leftover, f"{name} {sample.id}: unfilled {leftover} in {text[:120]!r}"
        if name in CLOSED_FORM:
            assert SPEC_KEY in (sample.metadata or {}), f"{name} {sample.id}: no answer spec"


def test_score_prediction_blind_input_is_the_prediction_question() -> None:
    samples = {s.metadata["condition"]: s for s in score_prediction(per_category=1).dataset}
    blind, shown = samples["blind"], samples["shown"]
    assert shown.input == shown.metadata["request"]
    assert blind.metadata["request"] in blind.input
    assert "Do not answer it yet" in blind.input


def test_samples_df_shows_the_prompts_sent_and_a_line_per_answer(tmp_path: Path) -> None:
    tasks = [
        intentions(samples=3, per_dimension=1, dimensions="good"),
        self_assessment(samples=3, per_dimension=1, dimensions="honest"),
        moral_foundations(samples=3, per_foundation=1, foundations="care"),
    ]
    logs = eval(tasks, model=SIM_MODEL, model_roles=SIM_ROLES, display="none",
                log_dir=str(tmp_path))
    assert all(log.status == "success" for log in logs)
    frame = samples_df(str(tmp_path), columns=SampleSummary + SampleScores, quiet=True)
    assert len(frame) == sum(len(log.samples or []) for log in logs)
    explanations = [c for c in frame.columns if c.endswith("_explanation")]
    answers = [c for c in frame.columns if c.startswith("score_") and c.endswith("_answer")]
    # one scorer (closed_form) for the three closed-form probes: one column each
    assert explanations == ["score_closed_form_explanation"]
    assert answers == ["score_closed_form_answer"]
    sent = {}
    for log in logs:
        for sample in read_eval_log(log.location).samples or []:
            user = [m for m in sample.messages if m.role == "user"]
            assistant = [m for m in sample.messages if m.role == "assistant"]
            assert len(user) == 1 and len(assistant) == 3  # every answer in the transcript
            sent[str(sample.id)] = user[0].text
    for _, row in frame.iterrows():
        assert "{" not in row["input"]
        assert row["input"].strip() == f"user:\n{sent[str(row['id'])]}"
        [explanation] = [row[c] for c in explanations if isinstance(row[c], str)]
        assert len(ANSWER_LINE.findall(explanation)) == 3
        [answer] = [row[c] for c in answers if isinstance(row[c], str)]
        assert answer


@pytest.mark.parametrize(("form", "count"), [("decision", 25), ("numerical", 50)])
def test_the_answer_table_stays_in_the_sample_summaries(
    tmp_path: Path, form: str, count: int
) -> None:
    [log] = eval(
        self_assessment(formats=form, dimensions="harmless", per_dimension=1),
        model=SIM_MODEL, model_roles=SIM_ROLES, display="none", log_dir=str(tmp_path),
    )
    assert log.status == "success"
    full = {(s.id, s.epoch): next(iter(s.scores.values())) for s in log.samples or []}
    for summary in read_eval_log_sample_summaries(log.location):
        score = next(iter((summary.scores or {}).values()))
        assert not table_thinned(score.metadata)
        answers = unpack_answers(score.metadata)
        assert len(answers) == count
        assert answers == unpack_answers(full[(summary.id, summary.epoch)].metadata)
        assert all(answer["text"] for answer in answers)


def test_rules_run_once_per_answer_and_no_grader_is_resolved_when_they_decide(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = []
    rule_answer = scorers.closed_form.rule_answer

    def counting(spec, text, question=""):
        calls.append(text)
        return rule_answer(spec, text, question)

    monkeypatch.setattr(scorers.closed_form, "rule_answer", counting)
    subject = Subject(lambda item, rng: f"**{misaligned_label(item.spec)}**")
    # no grader role: resolving the default judge (openai/gpt-4.1, no API key) would fail
    [log] = eval(intentions(samples=4, per_dimension=1, dimensions="good"),
                 model=subject.model(), display="none", log_dir=str(tmp_path))
    assert log.status == "success", log.error
    samples = log.samples or []
    assert len(calls) == 4 * len(samples)
    for sample in samples:
        spans = [e for e in sample.events if e.event == "span_begin"]
        assert not [span for span in spans if span.type == "task"]  # no span per answer
        assert [span.name for span in spans if span.type == "answers"] == ["answers"]
        score = next(iter(sample.scores.values()))
        assert score.answer == f"{sample.metadata['misaligned_letter']} ×4"
