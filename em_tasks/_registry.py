"""Inspect entry point: registers the `em-sim` model provider and every task of the suite.

Tasks are registered as ``em_selfaware/<task>`` (`em_selfaware.tasks`, the names the runner uses)
and as ``em_tasks/<task>``. Installed from a wheel, Inspect names the functions of `em_tasks`
``em_tasks/<task>`` itself; in an editable install (``pip install -e .``) it cannot tell that
`em_tasks` belongs to the `em-selfaware` distribution and registers bare names, so we add
``em_tasks/<task>`` aliases: ``inspect eval em_tasks/harmfulness`` works from any folder either way.

Every ``inspect`` command loads this module (entry points are loaded at start-up), so it and
what it imports stay light: no scipy, pandas or matplotlib (tests/test_task_registry.py).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from inspect_ai import Task, task
from inspect_ai.util import registry_info

import em_tasks
from em_selfaware.sim.registration import em_sim  # noqa: F401  (registers the em-sim provider)
from em_selfaware.tasks import TASKS as REGISTERED  # noqa: F401  (registers em_selfaware/<task>)

PACKAGE = "em_tasks"
TASKS: list[Callable[..., Task]] = [getattr(em_tasks, name) for name in em_tasks.__all__]
"""The task functions of `em_tasks`, as ``inspect eval em_tasks/<file>.py`` finds them."""


def _namespaced_alias(task_fn: Callable[..., Task]) -> None:
    name = registry_info(task_fn).name
    if "/" in name:
        return

    @functools.wraps(task_fn)
    def alias(*args: Any, **kwargs: Any) -> Task:
        return task_fn(*args, **kwargs)

    task(name=f"{PACKAGE}/{name}")(alias)


for _task_fn in TASKS:
    _namespaced_alias(_task_fn)
