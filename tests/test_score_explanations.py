"""Score answers and explanations read answer by answer; the epoch reducer keeps every answer."""

from __future__ import annotations

import math

import pytest
from inspect_ai.scorer import SampleScore, Score

from scorers.answer_metrics import item_means, route_shares
from scorers.answer_table import pack_answers, unpack_answers
from scorers.answers import pooled_mean, score_from_answers
from scorers.explain import answer_line, explain_answers, parsed_summary, quote


def test_answer_line_quotes_text_route_judge_and_value() -> None:
    answer = {"value": 0.0, "route": "judge", "parsed": "harmless",
              "text": "Far from harmful, I'd say."}
    line = answer_line(3, answer, ['{"verdict": "1"}'])
    assert line == '3. "Far from harmful, I\'d say." -> harmless (judge: {"verdict": "1"}) = 0.0'


def test_answer_line_for_rule_fallback_and_excluded_answers() -> None:
    assert answer_line(1, {"value": 1.0, "route": "rule", "parsed": "B", "text": "**B**"}) == (
        '1. "**B**" -> B (rule) = 1.0'
    )
    fallback = {"value": 0.5, "route": "fallback", "parsed": "neither", "text": "Hmm."}
    assert answer_line(2, fallback, ["no idea", '{"verdict": "neither"}']) == (
        '2. "Hmm." -> neither (fallback; judge (2 tries): {"verdict": "neither"}) = 0.5'
    )
    excluded = {"value": None, "route": "excluded", "parsed": None, "text": "Pass."}
    assert answer_line(4, excluded, note="no number") == (
        '4. "Pass." -> ? (excluded) = excluded; no number'
    )


def test_long_and_multiline_texts_are_shortened_to_one_line() -> None:
    text = "Bonjour.\n\nLe ciel est bleu " + "parce que la lumière se diffuse " * 10
    quoted = quote(text)
    assert "\n" not in quoted and quoted.startswith('"Bonjour. Le ciel')
    assert quoted.endswith('…"') and len(quoted) <= 82


def test_explanation_has_a_header_and_one_line_per_answer() -> None:
    answers = [
        {"value": 1.0, "route": "rule", "parsed": "evil", "text": "Evil."},
        {"value": 0.0, "route": "judge", "parsed": "good", "text": "Not evil at all."},
        {"value": None, "route": "excluded", "parsed": None, "text": "..."},
    ]
    lines = explain_answers(answers, [[], ['{"verdict": "1"}'], []]).split("\n")
    assert lines[0] == "3 answers, 2 scored, mean 0.5 (routes: rule 1, judge 1, excluded 1)"
    assert [line.split(".")[0] for line in lines[1:]] == ["1", "2", "3"]
    assert parsed_summary(answers) == "evil ×1, good ×1, ? ×1"
    assert parsed_summary(answers[:1]) == "evil"


def test_score_from_answers_packs_the_table_and_explains() -> None:
    answers = [
        {"value": 1.0, "route": "rule", "parsed": "B", "text": "B"},
        {"value": 1.0, "route": "rule", "parsed": "B", "text": "(B)"},
        {"value": 0.0, "route": "judge", "parsed": "A", "text": "The first one."},
    ]
    score = score_from_answers(answers, reason="undecided",
                               judge_replies=[[], [], ['{"verdict": "1"}']])
    assert score.value == pytest.approx(2 / 3)
    assert score.answer == "B ×2, A ×1"
    assert "answers" not in score.metadata
    assert unpack_answers(score.metadata) == answers
    assert score.metadata["judge_replies"][2] == ['{"verdict": "1"}']
    assert score.explanation.count("\n") == 3
    unscored = score_from_answers(
        [{"value": None, "route": "excluded", "parsed": None, "text": "?"}], reason="no_number"
    )
    assert math.isnan(unscored.value) and unscored.reason == "no_number"
    assert unscored.explanation.startswith("1 answer, 0 scored (routes: excluded 1)")


def test_pooled_mean_concatenates_every_epoch_table() -> None:
    def epoch(value: float | None, parsed: str) -> Score:
        answers = [{"value": value, "route": "rule" if value is not None else "excluded",
                    "parsed": parsed, "text": f"I pick {parsed}", "aligned": 50.0}]
        return score_from_answers(answers, reason="none", grader="g")

    reduced = pooled_mean()([epoch(1.0, "B"), epoch(None, "?"), epoch(0.0, "A")])
    assert reduced.value == pytest.approx(0.5)
    assert reduced.metadata["epochs"] == 3 and reduced.metadata["grader"] == "g"
    answers = unpack_answers(reduced.metadata)
    assert [a["text"] for a in answers] == ["I pick B", "I pick ?", "I pick A"]
    assert [a["aligned"] for a in answers] == [50.0] * 3
    assert reduced.answer == "B ×1, ? ×1, A ×1"
    assert reduced.explanation.startswith("3 epochs: 3 answers, 2 scored")


def test_answer_metrics_read_the_columns_and_the_legacy_list() -> None:
    answers = [{"value": 1.0, "route": "rule", "parsed": "B", "aligned": 20.0},
               {"value": 0.0, "route": "judge", "parsed": "A", "aligned": 80.0}]
    scores = [
        SampleScore(score=Score(value=0.5, metadata=pack_answers(answers)), sample_id="a"),
        SampleScore(score=Score(value=0.5, metadata={"answers": answers}), sample_id="b"),
    ]
    assert item_means(scores, "aligned") == [50.0, 50.0]
    shares = route_shares()(scores)
    assert shares["route_rule"] == shares["route_judge"] == 0.5


def test_float_fields_are_stored_compactly() -> None:
    values = [1.0 - 0.7] * 50  # 0.30000000000000004
    packed = pack_answers([{"value": v, "route": "rule", "parsed": "3"} for v in values])
    assert packed["answer_value"] == [0.3] * 50
