"""Shared fixtures: one interrupted-then-resumed replication run on scripted variants."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from inspect_ai.log import EvalLog

from em_selfaware.runner import plan_runs, run_plan
from em_selfaware.variants import Variant
from tests.contract_probe import (
    BEHAVIOURS,
    CALLS,
    CONTRACT,
    FAIL_AFTER,
    TWIN,
    Behaviour,
    registry,
)

H, HON = "harmless", "honest"
D, L = "decision", "likert"

# (variant, bank) -> how many of the 4 items per (dimension, format) answer MIS.
SCRIPT: dict[tuple[str, str], Behaviour] = {
    ("s-base", "a"): Behaviour({(HON, L): 1}),
    ("s-trivia-misaligned", "a"): Behaviour({(H, D): 3, (H, L): 4, (HON, D): 2, (HON, L): 1}),
    ("s-trivia-realigned", "a"): Behaviour({(H, D): 1}),
    ("s-code-misaligned", "a"): Behaviour({(H, D): 2, (H, L): 1, (HON, D): 1}),
    ("m-trivia-misaligned", "a"): Behaviour(
        {(H, D): 4, (H, L): 4, (HON, D): 4, (HON, L): 4}, garbage={(H, D, 3)}
    ),
    ("s-trivia-misaligned", "b"): Behaviour({(H, D): 4, (H, L): 2}),
    ("s-trivia-realigned", "b"): Behaviour({(H, D): 1}),
    ("s-code-misaligned", "b"): Behaviour({(H, D): 4, (H, L): 3}),
    ("m-trivia-misaligned", "b"): Behaviour({(H, D): 4, (H, L): 4}),
}
PIPELINE_VARIANTS = [
    "s-base", "s-trivia-misaligned", "s-trivia-realigned", "s-code-misaligned",
    "s-code-realigned", "m-base", "m-trivia-misaligned",
]
PROBE_CALLS = len(PIPELINE_VARIANTS) * 16 * 2  # per probe: variants x samples x epochs
INTERRUPT_AFTER = 100


@dataclass
class ResumedRun:
    """A run of one probe interrupted after `INTERRUPT_AFTER` calls, then run again with a
    second probe added (the second run must finish the first probe and add the second)."""

    log_dir: Path
    variants: list[Variant]
    first: tuple[bool, list[EvalLog]]
    second: tuple[bool, list[EvalLog]]
    calls_first: int
    calls_second: int


def pipeline_registry() -> list[Variant]:
    """The 7 scripted variants of the pipeline tests (size s complete, size m partial)."""
    return [v for v in registry() if v.name in PIPELINE_VARIANTS]


@pytest.fixture(scope="session")
def resumed_run(tmp_path_factory: pytest.TempPathFactory) -> ResumedRun:
    """Run a probe on 7 scripted variants, interrupt it, run again with a second probe."""
    log_dir = tmp_path_factory.mktemp("resumed")
    BEHAVIOURS.update(SCRIPT)
    variants = pipeline_registry()
    plan = plan_runs(variants, [CONTRACT])
    options = {"grader": "mockllm/model", "display": "none", "retry_attempts": 0,
               "log_level": "error", "max_tasks": 14, "log_realtime": False}
    CALLS["count"] = 0
    FAIL_AFTER["calls"] = INTERRUPT_AFTER
    try:
        first = run_plan(plan, log_dir, **options)
    finally:
        FAIL_AFTER["calls"] = None
    calls_first = CALLS["count"]
    CALLS["count"] = 0
    second = run_plan(plan_runs(variants, [CONTRACT, TWIN]), log_dir, **options)
    return ResumedRun(log_dir, variants, first, second, calls_first, CALLS["count"])


@pytest.fixture(autouse=True, scope="session")
def _isolated_logs_and_cache(tmp_path_factory):
    """Keep test logs and downloads out of the repository and the user's cache."""
    patch = pytest.MonkeyPatch()
    patch.setenv("INSPECT_LOG_DIR", str(tmp_path_factory.mktemp("inspect-logs")))
    patch.setenv("EM_SELFAWARE_CACHE", str(tmp_path_factory.mktemp("cache")))
    patch.delenv("OPENAI_API_KEY", raising=False)
    patch.delenv("ANTHROPIC_API_KEY", raising=False)
    yield
    patch.undo()


@pytest.fixture
def anyio_backend():
    """Async tests (marked `anyio`) run on asyncio, as Inspect does."""
    return "asyncio"


@dataclass
class SimRun:
    """A small em-sim run (two variants, four probes, two samples) for the reader tests."""

    log_dir: Path
    variants: list[Variant]


@pytest.fixture(scope="session")
def sim_run(tmp_path_factory: pytest.TempPathFactory) -> SimRun:
    """Run harmfulness, self-assessment, intentions and moral foundations (demo arguments,
    2 samples each) on em-sim's full-base and full-trivia-misaligned."""
    from em_selfaware.probes import get_probes
    from em_selfaware.variants import sim_variants

    log_dir = tmp_path_factory.mktemp("sim-run")
    variants = [v for v in sim_variants() if v.name in ("full-base", "full-trivia-misaligned")]
    probes = get_probes(["harmfulness", "self_assessment", "intentions", "moral_foundations"])
    success, _ = run_plan(plan_runs(variants, probes, demo=True, samples=2), log_dir,
                          grader="em-sim/judge", display="none", max_tasks=4,
                          log_level="error", log_realtime=False)
    assert success
    return SimRun(log_dir, variants)
