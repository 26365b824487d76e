"""Task-parameter checks shared by the task files.

Value checks (counts, names, selections, paths) live in `em_selfaware.inputs`, shared with the
command line, the item banks and the solvers (which must not import this task package); every
task calls `reject_unknown` first, then those checks, before it loads or downloads anything.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from em_selfaware.inputs import ParameterError


def reject_unknown(task_fn: Callable[..., Any], unknown: dict[str, Any]) -> None:
    """Raise a clear error naming unknown task parameters and the valid ones.

    Inspect only warns about a ``-T name=value`` the task does not take; a typo such as
    ``-T sample=3`` would silently run the default protocol, so our tasks refuse it.
    """
    if not unknown:
        return
    valid = [
        name
        for name, parameter in inspect.signature(task_fn).parameters.items()
        if parameter.kind is not inspect.Parameter.VAR_KEYWORD
    ]
    raise ParameterError(
        ", ".join(sorted(unknown)),
        f"unknown parameter(s) {sorted(unknown)} for task '{task_fn.__name__}'; "
        f"valid parameters: {', '.join(valid)}",
    )
