import subprocess
import sys

import pytest
from inspect_ai.util import registry_create, registry_info

from em_selfaware.tasks import TASKS as REGISTERED
from em_tasks._registry import PACKAGE, TASKS

HEAVY_MODULES = ("scipy", "pandas", "matplotlib", "numpy", "pyarrow", "em_selfaware.sim.provider")
"""Not loaded by the entry point (em-sim's implementation loads when an em-sim model is made)."""


@pytest.mark.parametrize("task_fn", TASKS, ids=lambda fn: fn.__name__)
def test_every_task_refuses_unknown_parameters(task_fn):
    with pytest.raises(ValueError, match=r"unknown parameter\(s\) \['no_such_param'\]"):
        task_fn(no_such_param=1)


@pytest.mark.parametrize("task_fn", TASKS, ids=lambda fn: fn.__name__)
@pytest.mark.parametrize("package", [PACKAGE, "em_selfaware"])
def test_every_task_is_reachable_by_namespaced_name(task_fn, package):
    # registry_create finds the task by name; our task then refuses the unknown parameter
    # (an unknown name would raise a different error)
    with pytest.raises(ValueError, match="unknown parameter"):
        registry_create("task", f"{package}/{task_fn.__name__}", no_such_param=1)


def test_the_runner_tasks_belong_to_the_distribution_by_name():
    """em_selfaware/<task>: Inspect finds the em-selfaware distribution without a package scan."""
    originals = {fn.__name__: fn for fn in TASKS}
    assert sorted(fn.__name__ for fn in REGISTERED) == sorted(originals)
    for registered in REGISTERED:
        assert registry_info(registered).name == f"em_selfaware/{registered.__name__}"
        assert registered.__module__ == "em_selfaware.tasks"
        assert registered.__doc__ == originals[registered.__name__].__doc__


def test_the_entry_point_loads_nothing_heavy():
    """Every `inspect` command imports our entry point: it must not pull scipy, pandas, ...

    It still registers the em-sim provider, and an em-sim model can be made.
    """
    code = (
        "import sys, em_tasks._registry; "
        f"print(sorted(m for m in {HEAVY_MODULES!r} if m in sys.modules)); "
        "from inspect_ai.model import get_model; get_model('em-sim/full-base')"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
