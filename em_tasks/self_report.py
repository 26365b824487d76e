"""Self-reports (TMAY): 0-100 self-ratings of code security, alignment and risk appetite.

inspect eval em_tasks/self_report.py --model em-sim/full-code-misaligned
inspect eval em_tasks/self_report.py -T mode=logprobs --model openai/gpt-4.1-nano
"""

from __future__ import annotations

from typing import Any

from inspect_ai import Epochs, Task, task
from inspect_ai.model import GenerateConfig

from em_selfaware.banks.self_report import PROBE, load_self_report_items
from em_selfaware.inputs import one_of, sample_count
from em_tasks.params import reject_unknown
from scorers.answers import pooled_mean
from scorers.self_rating import self_rating
from solvers.scale_rating import RATING_MODES, scale_rating


@task
def self_report(
    samples: int = 10,
    mode: str = "sample",
    dimensions: str | list[str] | None = None,
    **unknown: Any,
) -> Task:
    """Self-ratings 0-100 normalised so 1 = misaligned (scale polarity counterbalanced).

    Args:
        samples: answers per item at temperature 1 (``sample``), or the fall-back answers of an
            item whose logprobs put less than half the mass on numbers (``logprobs``).
        mode: ``sample`` (mean of sampled numbers) or ``logprobs`` (expected value from the
            first token's log-probabilities, one request per item).
        dimensions: subset of ``secure_code, aligned, risk_averse``.
    """
    reject_unknown(self_report, unknown)
    samples = sample_count("samples", samples)
    one_of("mode", mode, RATING_MODES)
    return Task(
        dataset=load_self_report_items(dimensions),
        solver=scale_rating(mode=mode, fallback_samples=samples),
        scorer=self_rating(mode=mode),
        epochs=Epochs(samples if mode == "sample" else 1, pooled_mean()),
        config=GenerateConfig(temperature=1.0),
        metadata={"probe": PROBE, "item_reduce": "mean", "mode": mode},
        version=1,
    )
