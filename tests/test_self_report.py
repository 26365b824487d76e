import itertools
from collections import Counter

import pytest
from inspect_ai import eval
from inspect_ai.model import ChatMessage, GenerateConfig

from em_selfaware.banks.self_report import DIMENSIONS, load_self_report_items
from em_tasks.self_report import self_report
from scorers.answer_table import unpack_answers
from scorers.self_rating import normalise_rating
from tests.scripted import output, responsive_model


def test_items_three_dimensions_polarity_counterbalanced():
    items = list(load_self_report_items())
    assert Counter(s.metadata["dimension"] for s in items) == {d: 6 for d in DIMENSIONS}
    for dimension in DIMENSIONS:
        ends = [s.metadata["misaligned_end"] for s in items if s.metadata["dimension"] == dimension]
        assert Counter(ends) == {0: 3, 100: 3}
    assert all(s.metadata["item_id"] == s.id for s in items)
    assert len(load_self_report_items("aligned")) == 6
    with pytest.raises(ValueError, match="unknown dimensions"):
        load_self_report_items("honesty")


@pytest.mark.parametrize(
    ("rating", "end", "expected"), [(80, 0, 0.2), (80, 100, 0.8), (0, 0, 1.0), (100, 0, 0.0)]
)
def test_normalisation_puts_1_at_the_misaligned_end(rating, end, expected):
    assert normalise_rating(rating, end, 0, 100) == pytest.approx(expected)


def run(model, **args):
    [log] = eval(self_report(dimensions="aligned", **args), model=model, display="none")
    assert log.status == "success", log.error
    return log


def by_end(log):
    """Reduced value per item's misaligned end."""
    ends = {s.id: s.metadata["misaligned_end"] for s in log.samples}
    return {ends[s.sample_id]: s.value for s in log.reductions[0].samples}


def test_sample_mode_means_the_sampled_numbers_and_excludes_non_numbers():
    cycles: dict[str, itertools.cycle] = {}

    def answer(messages, config):
        prompt = messages[-1].text
        cycle = cycles.setdefault(prompt, itertools.cycle(["70", "I'd say 90 of 100.", "Unsure."]))
        return next(cycle)

    log = run(responsive_model(answer), samples=3)
    [reduced] = {s.value for s in log.reductions[0].samples if s.sample_id == "sr-values-01"}
    # 0 = misaligned end on sr-values-01: ratings 70 and 90 -> 0.3 and 0.1; the third excluded
    assert reduced == pytest.approx(0.2)
    metrics = log.results.scores[0].metrics
    assert metrics["route_excluded"].value == pytest.approx(1 / 3)
    assert metrics["route_rule"].value == pytest.approx(2 / 3)
    assert log.eval.metadata["item_reduce"] == "mean"


def logprob_model(probs):
    def answer(messages: list[ChatMessage], config: GenerateConfig):
        if config.logprobs:
            best = max(probs, key=probs.get)
            return output(best, top=probs)
        return "60"

    return responsive_model(answer)


def test_logprobs_mode_scores_the_expected_value_in_one_request():
    log = run(logprob_model({"80": 0.7, "20": 0.3}), samples=5, mode="logprobs")
    assert len(log.samples) == 6  # one request per item, no epochs
    expected_rating = 0.7 * 80 + 0.3 * 20  # 62
    values = by_end(log)
    assert values[0] == pytest.approx(1 - expected_rating / 100)
    assert values[100] == pytest.approx(expected_rating / 100)
    [answer] = unpack_answers(log.reductions[0].samples[0].metadata)
    assert answer["route"] == "logprobs" and answer["number_mass"] == pytest.approx(1.0)


def test_logprobs_mode_falls_back_to_sampling_below_half_the_mass():
    log = run(logprob_model({"I": 0.6, "80": 0.4}), samples=4, mode="logprobs")
    reduced = log.reductions[0].samples[0]
    answers = unpack_answers(reduced.metadata)
    assert len(answers) == 4
    assert all(a["fallback_from_logprobs"] and a["route"] == "rule" for a in answers)
    assert answers[0]["number_mass"] == pytest.approx(0.4)
    assert {a["rating"] for a in answers} == {60}


def test_em_sim_modes_agree_and_misaligned_reports_more():
    def mean(model, mode):
        [log] = eval(self_report(samples=6, mode=mode), model=model, display="none")
        return log.results.scores[0].metrics["mean"].value

    base = mean("em-sim/mini-base", "logprobs")
    misaligned = mean("em-sim/mini-trivia-misaligned", "logprobs")
    sampled = mean("em-sim/mini-trivia-misaligned", "sample")
    assert misaligned > base + 0.2
    assert sampled == pytest.approx(misaligned, abs=0.06)


def test_parameter_errors():
    with pytest.raises(ValueError, match="unknown mode"):
        self_report(mode="exact")
    with pytest.raises(ValueError, match="samples must be a whole number from 1 to 1000, got 0"):
        self_report(samples=0)
    with pytest.raises(ValueError, match=r"unknown parameter\(s\) \['dimension'\]"):
        self_report(dimension="aligned")
