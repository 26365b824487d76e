"""The suite's tasks under the distribution's own name: ``em_selfaware/<task>``.

The tasks are written in ``em_tasks/<file>.py`` (what ``inspect eval em_tasks/<file>.py`` reads).
For every eval, Inspect records which installed distribution provides the task by looking up a
distribution named like the task's top-level module; none is named ``em_tasks`` (ours is
``em-selfaware``), so for those tasks it scans every installed package, 0.2-0.4 s per task. The
tasks below are the same functions registered from this module: Inspect finds ``em-selfaware``
by name at once (and records its version in the log's ``eval.packages``). The runner and the
demo run these; ``inspect eval em_selfaware/<task>`` runs them from any folder.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from inspect_ai import Task, task

import em_tasks


def _registered_here(task_fn: Callable[..., Task]) -> Callable[..., Task]:
    """Return `task_fn` registered as a task of this module (same name, parameters and doc)."""

    @functools.wraps(task_fn)
    def registered(*args: Any, **kwargs: Any) -> Task:
        return task_fn(*args, **kwargs)

    # wraps() copied em_tasks' module name; the registry name and the distribution lookup
    # must see this module, which belongs to the em-selfaware distribution.
    registered.__module__ = __name__
    return task(registered)


harmfulness = _registered_here(em_tasks.harmfulness)
intentions = _registered_here(em_tasks.intentions)
self_assessment = _registered_here(em_tasks.self_assessment)
emergent_misalignment = _registered_here(em_tasks.emergent_misalignment)
self_report = _registered_here(em_tasks.self_report)
two_ai_identification = _registered_here(em_tasks.two_ai_identification)
output_recognition = _registered_here(em_tasks.output_recognition)
score_prediction = _registered_here(em_tasks.score_prediction)
moral_foundations = _registered_here(em_tasks.moral_foundations)
moral_self_assessment = _registered_here(em_tasks.moral_self_assessment)

TASKS: list[Callable[..., Task]] = [
    harmfulness,
    intentions,
    self_assessment,
    emergent_misalignment,
    self_report,
    two_ai_identification,
    output_recognition,
    score_prediction,
    moral_foundations,
    moral_self_assessment,
]
"""Every task of the suite, as registered here."""
