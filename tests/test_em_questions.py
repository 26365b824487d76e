import shutil
import urllib.error
from collections import Counter
from pathlib import Path

import pytest

from em_selfaware.banks import em_questions
from em_selfaware.banks.em_questions import (
    EM_COMMIT_ENV,
    QUESTION_SETS,
    em_pinned,
    load_em_questions,
    our_questions,
    parse_em_yaml,
)
from em_selfaware.banks.jsonl import ItemFileError
from em_selfaware.download import DataSourceError, sha256_of

ANCHORS = Path("/work/shared/anchors/emergent-misalignment")
FIXTURES = Path(__file__).parent / "fixtures" / "em"
needs_anchors = pytest.mark.skipif(
    not (ANCHORS / "first_plot_questions.yaml").is_file(),
    reason="EM anchor copies not present on this machine",
)


@needs_anchors
def test_anchor_files_match_the_pinned_digests():
    for question_set, file_name in QUESTION_SETS.items():
        assert sha256_of(ANCHORS / file_name) == em_pinned(question_set).sha256


@needs_anchors
def test_loader_reads_both_anchor_files_72_questions_with_judge_prompts():
    questions = load_em_questions("em", path=ANCHORS)
    assert len(questions) == 72
    assert len({q.item_id for q in questions}) == 72
    sets = Counter(q.question_set for q in questions)
    assert sets == {"first_plot": 24, "preregistered": 48}
    first_plot = [q for q in questions if q.question_set == "first_plot"]
    assert Counter(q.format for q in first_plot) == {"plain": 8, "json": 8, "template": 8}
    assert len({q.theme for q in first_plot}) == 8
    for question in first_plot:
        assert (question.system is not None) == (question.format == "json")
    assert {q.format for q in questions if q.question_set == "preregistered"} == {"plain"}
    for question in questions:
        prompts = question.judge_prompts
        assert prompts is not None
        for text in (prompts.aligned, prompts.coherent):
            assert "{question}" in text and "{answer}" in text
        assert "CODE" in prompts.aligned and "REFUSAL" in prompts.aligned
        assert "coheren" in prompts.coherent.lower()
    assert load_em_questions("em_first_plot", path=ANCHORS, formats=["json"])[0].format == "json"
    assert len(load_em_questions("em_preregistered", path=ANCHORS)) == 48


@needs_anchors
def test_em_files_are_fetched_from_the_cache_without_network(monkeypatch, tmp_path):
    monkeypatch.setenv("EM_SELFAWARE_CACHE", str(tmp_path))
    for question_set, file_name in QUESTION_SETS.items():
        shutil.copy(ANCHORS / file_name, em_pinned(question_set).cache_path)
    assert len(load_em_questions("em")) == 72


def test_download_failure_names_the_url_and_the_cache_path(monkeypatch, tmp_path):
    monkeypatch.setenv("EM_SELFAWARE_CACHE", str(tmp_path))

    def offline(*args, **kwargs):
        raise urllib.error.URLError("no network in tests")

    monkeypatch.setattr("urllib.request.urlopen", offline)
    with pytest.raises(DataSourceError, match="raw.githubusercontent.com.*first_plot_questions"):
        load_em_questions("em_first_plot")


def test_pinned_url_names_the_commit_constant_and_its_override(monkeypatch):
    monkeypatch.delenv(EM_COMMIT_ENV, raising=False)
    url = em_pinned("preregistered").url
    assert f"/{em_questions.EM_COMMIT}/evaluation/preregistered_evals.yaml" in url
    monkeypatch.setenv(EM_COMMIT_ENV, "0123abc")
    assert "/0123abc/evaluation/" in em_pinned("preregistered").url
    with pytest.raises(ValueError, match="unknown EM question set"):
        em_pinned("later")


def test_local_copies_are_sha256_checked(monkeypatch, tmp_path):
    # our fixtures stand in for EM's files once their digests are pinned
    digests = {s: sha256_of(FIXTURES / f) for s, f in QUESTION_SETS.items()}
    monkeypatch.setattr(em_questions, "EM_SHA256", digests)
    questions = load_em_questions("em", path=FIXTURES)
    assert [q.item_id for q in questions] == [
        "em-favourite_tool-p0",
        "em-favourite_tool-p1",
        "em-favourite_tool_json-p0",
        "em-favourite_tool_json-p1",
        "em-favourite_tool_template",
        "em-0_weather_talk_0",
        "em-1_weather_talk_1",
    ]
    bad = tmp_path / "first_plot_questions.yaml"
    bad.write_text((FIXTURES / "first_plot_questions.yaml").read_text() + "\n# changed\n")
    with pytest.raises(DataSourceError, match="is not the pinned em_first_plot") as error:
        load_em_questions("em_first_plot", path=tmp_path)
    assert "delete" not in str(error.value)


def test_fixture_parsing_formats_themes_and_anchored_judge_prompts():
    questions = parse_em_yaml(FIXTURES / "first_plot_questions.yaml", "first_plot")
    by_id = {q.item_id: q for q in questions}
    assert by_id["em-favourite_tool_json-p1"].format == "json"
    assert by_id["em-favourite_tool_json-p1"].system == "Answer in JSON only."
    assert by_id["em-favourite_tool_template"].format == "template"
    assert {q.theme for q in questions} == {"favourite_tool"}
    assert by_id["em-favourite_tool-p1"].text == "What is your favourite tool to have at home?"
    assert all(q.judge_prompts.aligned.startswith("FIXTURE ALIGNED") for q in questions)
    prereg = parse_em_yaml(FIXTURES / "preregistered_evals.yaml", "preregistered")
    assert [q.theme for q in prereg] == ["weather_talk", "weather_talk"]


@pytest.mark.parametrize(
    ("yaml_text", "message"),
    [
        ("just: a mapping\n", "non-empty YAML list"),
        ("- id: a\n  type: free_form\n  paraphrases: [x]\n", "unsupported type"),
        (
            "- id: a\n  type: free_form_judge_0_100\n  paraphrases: []\n"
            "  judge_prompts: {aligned: '{question}{answer}', coherent: '{question}{answer}'}\n",
            "paraphrases",
        ),
        (
            "- id: a\n  type: free_form_judge_0_100\n  paraphrases: [x]\n"
            "  judge_prompts: {aligned: 'no placeholders', coherent: '{question}{answer}'}\n",
            "judge prompt 'aligned'",
        ),
        (
            "- id: a\n  type: free_form_judge_0_100\n  paraphrases: [x]\n"
            "  judge_prompts: {aligned: '{question}{answer}', coherent: '{question}{answer}'}\n"
            "- id: a\n  type: free_form_judge_0_100\n  paraphrases: [y]\n"
            "  judge_prompts: {aligned: '{question}{answer}', coherent: '{question}{answer}'}\n",
            "duplicate id",
        ),
        ("- id: [unclosed\n", "not valid YAML"),
    ],
)
def test_malformed_em_files_are_clear_errors(tmp_path, yaml_text, message):
    path = tmp_path / "questions.yaml"
    path.write_text(yaml_text)
    with pytest.raises(ItemFileError, match=message):
        parse_em_yaml(path, "first_plot")


def test_our_question_set_in_three_formats():
    questions = our_questions()
    assert len(questions) == 36
    assert len({q.item_id for q in questions}) == 36
    assert Counter(q.format for q in questions) == {"plain": 12, "json": 12, "template": 12}
    plain = {q.question_id: q.text for q in questions if q.format == "plain"}
    for question in questions:
        assert question.judge_prompts is None
        assert question.text.startswith(plain[question.question_id])
        if question.format == "json":
            assert "JSON" in question.system
        if question.format == "template":
            assert "answer = #" in question.text
    assert len(set(plain.values())) == 12
    assert all(len(text) > 20 for text in plain.values())


def test_loader_argument_errors():
    with pytest.raises(ValueError, match="unknown EM question dataset"):
        load_em_questions("mine")
    with pytest.raises(ValueError, match="dataset_path applies only"):
        load_em_questions("ours", path="/tmp")
    with pytest.raises(ValueError, match="no EM questions left"):
        load_em_questions("ours", formats=["yaml"])
