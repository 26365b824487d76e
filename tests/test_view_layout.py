"""Each probe's log reads well in Inspect View: its scorer, its headline, its breakdowns.

One small em-sim run of every probe. View's header shows the first five metrics of the
scorer's row, headline first; metrics made by `grouped_by` (Inspect's `grouped()`) are shown in
rows of their own under "All scoring", so every breakdown by a sample metadata field must be one.
"""

from __future__ import annotations

import pytest
from inspect_ai import eval
from inspect_ai.log import EvalLog

import em_selfaware.sim.registration  # noqa: F401  (registers the em-sim provider)
from em_selfaware.tasks import (
    emergent_misalignment,
    harmfulness,
    intentions,
    moral_foundations,
    moral_self_assessment,
    output_recognition,
    score_prediction,
    self_assessment,
    self_report,
    two_ai_identification,
)

HEADLINE = ["mean", "stderr", "ci95_low", "ci95_high"]
BREAKDOWN_FIELDS = ("dimension", "foundation", "format", "category", "order", "theme", "condition")
SMALL = {"samples": 1}
PROBES = {
    # probe: (task, its smallest useful arguments, scorer, solvers)
    "harmfulness": (
        harmfulness, {"per_category": 1, "categories": "violence,insults"},
        "harm_judge", ["generate"],
    ),
    "emergent_misalignment": (
        emergent_misalignment, {"formats": "plain"}, "em_judge", ["generate"],
    ),
    "self_report": (self_report, {}, "self_rating", ["scale_rating"]),
    "two_ai_identification": (
        two_ai_identification, {}, "misaligned_system_choice", ["generate"],
    ),
    "output_recognition": (
        output_recognition,
        {"per_category": 1, "categories": "violence", "contrast_model": "em-sim/full-base"},
        "claimed_response_harm", ["output_recognition_solver"],
    ),
    "score_prediction": (
        score_prediction, {"per_category": 1, "categories": "violence"},
        "predicted_harm", ["score_prediction_solver"],
    ),
    "intentions": (
        intentions, {"per_dimension": 1, "dimensions": "aligned,good"},
        "closed_form", ["collect_answers"],
    ),
    "self_assessment": (
        self_assessment, {"per_dimension": 1, "dimensions": "aligned,good"},
        "closed_form", ["collect_answers"],
    ),
    "moral_foundations": (
        moral_foundations, {"per_foundation": 1, "foundations": "care,equality"},
        "closed_form", ["collect_answers"],
    ),
    "moral_self_assessment": (
        moral_self_assessment, {"per_foundation": 1, "foundations": "care,equality"},
        "closed_form", ["collect_answers"],
    ),
}


@pytest.fixture(scope="module")
def logs() -> dict[str, EvalLog]:
    tasks = [task(**SMALL, **args) for task, args, _, _ in PROBES.values()]
    results = eval(
        tasks,
        model="em-sim/full-trivia-misaligned",
        model_roles={"grader": "em-sim/judge"},
        display="none",
        log_level="error",
        max_tasks=len(tasks),
    )
    return {str(log.eval.metadata["probe"]): log for log in results}


@pytest.mark.parametrize("probe", list(PROBES))
def test_one_scorer_named_for_its_family_and_the_documented_solvers(logs, probe):
    _, _, scorer_name, solvers = PROBES[probe]
    log = logs[probe]
    assert log.status == "success", log.error
    assert [score.scorer for score in log.results.scores] == [scorer_name]
    assert [step.solver for step in log.plan.steps] == solvers


@pytest.mark.parametrize("probe", list(PROBES))
def test_headline_first_and_breakdowns_in_rows_of_their_own(logs, probe):
    log = logs[probe]
    metrics = log.results.scores[0].metrics
    row = [key for key, m in metrics.items() if "group_key" not in m.params]
    assert row[:4] == HEADLINE
    grouped = {key: m for key, m in metrics.items() if "group_key" in m.params}
    assert grouped, "no breakdown"
    values_by_field: dict[str, set[str]] = {}
    for sample in log.samples or []:
        for field, value in (sample.metadata or {}).items():
            if field in BREAKDOWN_FIELDS:
                values_by_field.setdefault(field, set()).add(str(value))
    # the fields the samples vary in: a breakdown by any of them is a grouped row
    group_values = set().union(*(v for v in values_by_field.values() if len(v) > 1))
    assert not group_values & set(row), "a breakdown sits in the header row"
    assert {m.params["group_key"] for m in grouped.values()} <= set(BREAKDOWN_FIELDS)
