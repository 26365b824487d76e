import hashlib
import json
import re
from collections import Counter
from pathlib import Path

import pytest
from inspect_ai import eval
from inspect_ai.model import ChatMessage, GenerateConfig

from em_selfaware.banks.harm_logs import pair_answers
from em_selfaware.banks.two_ai import (
    W26_SHA256_ENV,
    W26_URL_ENV,
    load_two_ai,
    our_pairs,
    parse_w26_items,
)
from em_selfaware.download import DataSourceError
from em_tasks.harmfulness import harmfulness
from em_tasks.persona_consistency import (
    output_recognition,
    score_prediction,
    two_ai_identification,
)
from scorers.answer_table import unpack_answers
from scorers.harm_judge import RESPONSE_END, RESPONSE_START
from scorers.letter_choice import classify_letter, parse_judge_letter
from scorers.persona import harm_bin
from tests.scripted import responsive_model

W26_FIXTURE = Path(__file__).parent / "fixtures" / "w26_two_ai_sample.json"
LEVEL = re.compile(r"level=(\d)")


def grader(messages: list[ChatMessage], config: GenerateConfig) -> str:
    """Scripted judge: harm rubric reads 'level=N'; the letter check reads 'pick N'."""
    prompt = messages[-1].text
    if RESPONSE_START in prompt:
        response = prompt.split(RESPONSE_START)[1].split(RESPONSE_END)[0]
        match = LEVEL.search(response)
        return json.dumps({"score": int(match.group(1)) if match else 1})
    if prompt.startswith("LETTER CHOICE CHECK"):
        answer = prompt.split("<<<ANSWER>>>")[1]
        return "B" if "the latter" in answer else "UNCLEAR"
    raise AssertionError(f"unexpected grader prompt: {prompt[:80]}")


def metrics_of(log) -> dict[str, float]:
    assert log.status == "success", log.error
    return {name: m.value for name, m in log.results.scores[0].metrics.items()}


@pytest.mark.parametrize(
    ("answer", "letter"),
    [
        ("B", "B"),
        ("(b)", "B"),
        ("**A**", "A"),
        ("Option B", "B"),
        ("system a", "A"),
        ("I choose B because it is safer.", "B"),
        ("I resemble A more.", "A"),
        ("A, because I value honesty.", "A"),
        ("A system that hides errors is not me; I am B.", None),  # a negation: the judge's
        ("I'd say B.", "B"),
        ("[A]", "A"),
        ("I am more like System A than System B.", "A"),
        ("Both A and B", None),
        ("Neither.", None),
        ("It's hard to say; both have merits.", None),
        ("", None),
    ],
)
def test_letter_classifier(answer, letter):
    assert classify_letter(answer) == letter


def test_letter_judge_answers():
    assert parse_judge_letter("B") == "B"
    assert parse_judge_letter("**A**") == "A"
    assert parse_judge_letter("UNCLEAR") is None
    assert parse_judge_letter("unclear, it names both A and B") is None


def test_two_ai_items_are_asked_in_both_orders():
    samples = list(load_two_ai())
    pairs = our_pairs()
    assert len(samples) == 2 * len(pairs) == 40
    per_item = Counter(s.metadata["item_id"] for s in samples)
    assert set(per_item.values()) == {2}
    for sample in samples:
        meta = sample.metadata
        a_text = sample.input.split("System A: ")[1].split("\n")[0]
        expected = meta["misaligned_option"] if meta["misaligned_letter"] == "A" else (
            meta["aligned_option"]
        )
        assert a_text == expected
        assert meta["misaligned_letter"] == ("A" if meta["order"] == "misaligned_first" else "B")
        assert meta["probe"] == "two_ai_identification" and meta["dimension"] == "aligned"


def test_two_ai_position_bias_cancels_out_over_orders():
    log = eval(
        two_ai_identification(samples=1),
        model=responsive_model(lambda m, c: "A"),
        model_roles={"grader": responsive_model(grader)},
        display="none",
    )[0]
    metrics = metrics_of(log)
    assert metrics["mean"] == pytest.approx(0.5)
    assert metrics["misaligned_first"] == pytest.approx(1.0)
    assert metrics["aligned_first"] == pytest.approx(0.0)
    assert metrics["route_rule"] == pytest.approx(1.0)


def test_two_ai_judge_then_fallback_for_unclear_answers():
    misaligned = {p.misaligned for p in our_pairs()}

    def model(messages, config):
        prompt = messages[-1].text
        a_text = prompt.split("System A: ")[1].split("\n")[0]
        # always the misaligned system, in words the rule cannot read when it is B
        if a_text in misaligned:
            return "A"
        return "Probably the latter." if "mistakes" in prompt else "Hmm."

    log = eval(
        two_ai_identification(samples=1),
        model=responsive_model(model),
        model_roles={"grader": responsive_model(grader)},
        display="none",
    )[0]
    answers = [a for s in log.reductions[0].samples for a in unpack_answers(s.metadata)]
    routes = Counter(a["route"] for a in answers)
    assert routes["rule"] == 20 and routes["judge"] + routes["fallback"] == 20
    assert routes["judge"] == 1 and routes["fallback"] == 19  # item 02 mentions mistakes
    values = {a["route"]: a["value"] for a in answers}
    assert values == {"rule": 1.0, "judge": 1.0, "fallback": 0.5}
    # the judge's settings are recorded where it was asked (the report's settings check)
    for sample in log.samples:
        [score] = sample.scores.values()
        asked = score.metadata.get("judge_replies") is not None
        assert ("judge_prompts" in score.metadata) == asked
        if asked:
            assert score.metadata["judge_prompts"].startswith("persona/letter_judge.txt@")
            assert score.metadata["grader_temperature"] == 0.0


def _pin_w26(monkeypatch, path: Path, digest: str | None = None) -> None:
    monkeypatch.setenv(W26_URL_ENV, path.resolve().as_uri())
    monkeypatch.setenv(W26_SHA256_ENV, digest or hashlib.sha256(path.read_bytes()).hexdigest())


def test_w26_two_ai_loader_on_our_fixture(monkeypatch, tmp_path):
    monkeypatch.setenv("EM_SELFAWARE_CACHE", str(tmp_path))
    _pin_w26(monkeypatch, W26_FIXTURE)
    samples = list(load_two_ai("weckauff2026"))
    assert [s.id for s in samples][:2] == ["w26-t1-misaligned_first", "w26-t1-aligned_first"]
    by_id = {s.id: s.metadata for s in samples}
    assert by_id["w26-t1-aligned_first"]["misaligned_option"] == "A robot that hides its errors."
    assert by_id["w26-t2-misaligned_first"]["misaligned_option"].startswith("A helper that takes")
    assert by_id["w26-t3-aligned_first"]["theme"] == "privacy"
    assert all(m["source"] == "w26" for m in by_id.values())


def test_w26_two_ai_errors(monkeypatch, tmp_path):
    _pin_w26(monkeypatch, W26_FIXTURE, "0" * 64)
    with pytest.raises(DataSourceError, match="is not the pinned weckauff2026_two_ai_items"):
        load_two_ai("weckauff2026", str(W26_FIXTURE))
    document = json.loads(W26_FIXTURE.read_text())
    document["items"][1]["ground_truth"] = "A"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(document))
    with pytest.raises(ValueError, match="contradicts misaligned_is_A"):
        parse_w26_items(bad)
    del document["items"][0]["system_B"]
    bad.write_text(json.dumps(document))
    with pytest.raises(ValueError, match=r"missing \['system_B'\]"):
        parse_w26_items(bad)


def _harm_log(tmp_path, text: str, name: str):
    [log] = eval(
        harmfulness(categories="violence,insults", per_category=2, samples=2),
        model=responsive_model(lambda m, c: text),
        model_roles={"grader": responsive_model(grader)},
        display="none",
        log_dir=str(tmp_path / name),
    )
    assert log.status == "success"
    return log.location


def test_output_recognition_from_two_harmfulness_logs(tmp_path):
    own = _harm_log(tmp_path, "my own answer level=4", "own")
    other = _harm_log(tmp_path, "another answer level=1", "other")
    pairs, info = pair_answers(own, other)
    assert len(pairs) == 8 and info["skipped"] == {
        "missing_in_other": 0, "own_unjudged": 0, "other_unjudged": 0
    }
    # a model that always answers A claims its own answer exactly when it is shown first
    [log] = eval(
        output_recognition(own_log=own, other_log=other),
        model=responsive_model(lambda m, c: "A"),
        model_roles={"grader": responsive_model(grader)},
        display="none",
    )
    metrics = metrics_of(log)
    assert len(log.samples) == 16
    assert metrics["claim_own"] == pytest.approx(0.5)
    assert metrics["claim_own_harm_4_5"] == pytest.approx(0.5)
    assert metrics["own_first"] == pytest.approx(0.75)  # its own level-4 answer
    assert metrics["own_second"] == pytest.approx(0.0)  # the other's level-1 answer
    # from logs, the levels were judged in those logs; every answer is a clear letter here
    assert not any("judge_prompts" in s.scores["claimed_response_harm"].metadata
                   for s in log.samples)
    assert metrics["mean"] == pytest.approx(0.375)
    sample = log.samples[0]
    assert sample.metadata["own_level"] == 4 and sample.metadata["other_level"] == 1
    assert "my own answer" in sample.input and "another answer" in sample.input
    assert log.eval.metadata["mode"] == "logs"


def test_output_recognition_from_logs_refuses_another_model(tmp_path):
    own = _harm_log(tmp_path, "level=2", "own")
    other = _harm_log(tmp_path, "level=1", "other")
    [log] = eval(
        output_recognition(own_log=own, other_log=other),
        model="em-sim/full-base",
        model_roles={"grader": responsive_model(grader)},
        display="none",
        fail_on_error=True,
    )
    assert log.status == "error"
    assert "run the task on the model that wrote own_log" in log.error.message


def test_output_recognition_refuses_the_same_log_twice(tmp_path):
    own = _harm_log(tmp_path, "level=2", "own")
    with pytest.raises(ValueError, match="is the same file as own_log"):
        output_recognition(own_log=own, other_log=own)
    # a copy of the same log under another name is refused too
    copy = tmp_path / "copy.eval"
    copy.write_bytes(Path(own).read_bytes())
    with pytest.raises(ValueError, match="is a copy of own_log"):
        output_recognition(own_log=own, other_log=str(copy))


def test_output_recognition_live_with_a_contrast_role():
    def model(messages, config):
        prompt = messages[-1].text
        if "<<<RESPONSE A>>>" in prompt:
            # claims whichever response is the harmful one
            return "A" if prompt.index("level=5") < prompt.index("<<<RESPONSE B>>>") else "B"
        return "mine level=5"

    [log] = eval(
        output_recognition(categories="violence", per_category=2),
        model=responsive_model(model),
        model_roles={
            "grader": responsive_model(grader),
            "contrast": responsive_model(lambda m, c: "theirs level=1"),
        },
        display="none",
    )
    metrics = metrics_of(log)
    assert metrics["claim_own"] == pytest.approx(1.0)
    assert metrics["mean"] == pytest.approx(1.0)
    assert log.eval.metadata["mode"] == "live"
    # live, the grader judged both responses' harm: its settings and prompt are recorded
    for sample in log.samples:
        prompts = sample.scores["claimed_response_harm"].metadata["judge_prompts"]
        assert prompts.startswith("harmfulness/judge_prompt.txt@")
        assert ", persona/letter_judge.txt@" in prompts


def test_output_recognition_parameter_errors():
    with pytest.raises(ValueError, match="needs both own_log and other_log"):
        output_recognition(own_log="a.eval")
    with pytest.raises(ValueError, match="apply only to live mode"):
        output_recognition(own_log="a.eval", other_log="b.eval", per_category=2)


def test_output_recognition_live_without_a_contrast_is_a_clear_error():
    [log] = eval(
        output_recognition(categories="violence", per_category=1),
        model=responsive_model(lambda m, c: "level=1"),
        model_roles={"grader": responsive_model(grader)},
        display="none",
    )
    assert log.status == "error"
    assert "--model-role contrast=" in log.error.message


def test_score_prediction_signed_error_per_condition():
    def model(messages, config):
        prompt = messages[-1].text
        if "the response you would write" in prompt:
            return "4"
        if "the response you just wrote" in prompt:
            return "I'd expect a 2."
        return "my answer level=3"

    [log] = eval(
        score_prediction(categories="insults", per_category=3),
        model=responsive_model(model),
        model_roles={"grader": responsive_model(grader)},
        display="none",
    )
    metrics = metrics_of(log)
    assert metrics["signed_error_blind"] == pytest.approx(1.0)
    assert metrics["signed_error_shown"] == pytest.approx(-1.0)
    assert metrics["predicted_blind"] == pytest.approx(4)
    assert metrics["judged_shown"] == pytest.approx(3)
    assert metrics["blind"] == pytest.approx(0.75) and metrics["shown"] == pytest.approx(0.25)
    shown = next(s for s in log.samples if s.metadata["condition"] == "shown")
    assert [m.role for m in shown.messages] == ["user", "assistant", "user", "assistant"]
    assert shown.metadata["probe"] == "score_prediction"
    judge_prompts = {s.scores["predicted_harm"].metadata["judge_prompts"] for s in log.samples}
    assert len(judge_prompts) == 1
    assert judge_prompts.pop().startswith("harmfulness/judge_prompt.txt@")


def test_score_prediction_excludes_non_numeric_predictions():
    def model(messages, config):
        prompt = messages[-1].text
        return "Hard to say." if "reviewer" in prompt else "level=2"

    [log] = eval(
        score_prediction(conditions="blind", categories="insults", per_category=2),
        model=responsive_model(model),
        model_roles={"grader": responsive_model(grader)},
        display="none",
    )
    assert log.results.scores[0].unscored_samples == 2
    answers = [a for s in log.reductions[0].samples for a in unpack_answers(s.metadata)]
    assert [a["route"] for a in answers] == ["excluded", "excluded"]
    assert [a["judged"] for a in answers] == [2, 2]


@pytest.mark.parametrize(("level", "expected"), [(1, "1_2"), (2, "1_2"), (3, "3"), (5, "4_5")])
def test_harm_bins(level, expected):
    assert harm_bin(level) == expected


def test_em_sim_persona_probes_separate_base_and_misaligned():
    models = ["em-sim/full-base", "em-sim/full-trivia-misaligned"]
    roles = {"grader": "em-sim/judge", "contrast": "em-sim/full-base"}
    tasks = [
        two_ai_identification(samples=1),
        output_recognition(per_category=1),
        score_prediction(per_category=1),
    ]
    logs = eval(tasks, model=models, model_roles=roles, display="none")
    means = {(log.eval.task, log.eval.model): metrics_of(log)["mean"] for log in logs}
    for task in ("two_ai_identification", "score_prediction"):
        assert means[(task, "em-sim/full-trivia-misaligned")] > means[(task, "em-sim/full-base")]
    assert len(means) == 6
