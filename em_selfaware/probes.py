"""The probes of the suite, as the demo and the replication runner see them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from inspect_ai import Task

from em_selfaware.inputs import parse_selection

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


@dataclass(frozen=True)
class Probe:
    """One probe: its task factory and the reduced arguments the demo runs it with."""

    name: str
    task: Callable[..., Task]
    demo_args: dict[str, Any] = field(default_factory=dict)
    """Task arguments for the demo (fewer samples so 15 variants run in minutes)."""


PROBES: dict[str, Probe] = {
    probe.name: probe
    for probe in [
        Probe("harmfulness", harmfulness, demo_args={"samples": 2, "per_category": 3}),
        Probe("emergent_misalignment", emergent_misalignment, {"samples": 2, "formats": "plain"}),
        Probe("self_report", self_report, demo_args={"samples": 2}),
        Probe("two_ai_identification", two_ai_identification, demo_args={"samples": 1}),
        # live mode: the answers it must recognise are generated in the run, against full-base
        Probe(
            "output_recognition",
            output_recognition,
            demo_args={"samples": 1, "per_category": 1, "contrast_model": "em-sim/full-base"},
        ),
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
}


def get_probes(names: list[str] | None = None) -> list[Probe]:
    """Return the named probes (all when `names` is None), each once, in the order named.

    An unknown name, or a list naming none (``[""]``), is an error listing the valid names.
    """
    if names is None:
        return list(PROBES.values())
    return [PROBES[name] for name in parse_selection(list(names), PROBES, "probes")]
