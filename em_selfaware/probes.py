"""The probes of the suite, as the demo and the replication runner see them.

`PROBE_NAMES` costs nothing to import (the command line's help lists it); `PROBES` imports
the task files on first use.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from inspect_ai import Task

PROBE_NAMES: tuple[str, ...] = (
    "harmfulness",
    "emergent_misalignment",
    "self_report",
    "two_ai_identification",
    "output_recognition",
    "score_prediction",
    "intentions",
    "self_assessment",
    "moral_foundations",
    "moral_self_assessment",
)
"""Every probe, in the order the runner plans them."""


@dataclass(frozen=True)
class Probe:
    """One probe: its task factory and the reduced arguments the demo runs it with."""

    name: str
    task: Callable[..., Task]
    demo_args: dict[str, Any] = field(default_factory=dict)
    """Task arguments for the demo: the fewest samples that still show every variant's
    score clearly (the demo runs closed-form probes in logprobs mode, see `demo.py`)."""


@cache
def _probes() -> dict[str, Probe]:
    # registered as em_selfaware/<task>, so Inspect finds the distribution of each without a scan
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

    probes = [
        Probe("harmfulness", harmfulness, demo_args={"samples": 2, "per_category": 2}),
        Probe("emergent_misalignment", emergent_misalignment, {"samples": 1, "formats": "plain"}),
        Probe("self_report", self_report, demo_args={"samples": 2}),
        Probe("two_ai_identification", two_ai_identification, demo_args={"samples": 1}),
        # live mode: the runner gives each variant its contrast (em_selfaware.contrast)
        Probe("output_recognition", output_recognition,
              demo_args={"samples": 1, "per_category": 1}),
        Probe("score_prediction", score_prediction, demo_args={"samples": 1, "per_category": 1}),
        Probe("intentions", intentions, demo_args={"samples": 2, "per_dimension": 2}),
        Probe("self_assessment", self_assessment, demo_args={"samples": 2, "per_dimension": 1}),
        Probe(
            "moral_foundations",
            moral_foundations,
            demo_args={"samples": 8, "per_foundation": 2},
        ),
        Probe(
            "moral_self_assessment",
            moral_self_assessment,
            demo_args={"samples": 2, "per_foundation": 1},
        ),
    ]
    return {probe.name: probe for probe in probes}


def __getattr__(name: str) -> Any:
    """`PROBES` (name -> Probe) is built on first access, importing the task files."""
    if name == "PROBES":
        return _probes()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def get_probes(names: list[str] | None = None) -> list[Probe]:
    """Return the named probes (all when `names` is None), each once, in the order named.

    An unknown name, or a list naming none (``[""]``), is an error listing the valid names.
    """
    from em_selfaware.inputs import parse_selection

    probes = _probes()
    if names is None:
        return list(probes.values())
    return [probes[name] for name in parse_selection(list(names), probes, "probes")]
