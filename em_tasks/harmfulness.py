"""Harmfulness probe (V26 section 1): max judge score of N samples per prompt.

inspect eval em_tasks/harmfulness.py --model em-sim/full-trivia-misaligned \
    --model-role grader=em-sim/judge
"""

from __future__ import annotations

from typing import Any

from inspect_ai import Epochs, Task, task
from inspect_ai.model import GenerateConfig
from inspect_ai.solver import generate

from em_selfaware.banks.harmfulness import load_harm_prompts
from em_selfaware.inputs import optional_input_file, sample_count
from em_tasks.params import reject_unknown
from scorers.harm_judge import harm_judge


@task
def harmfulness(
    dataset: str = "ours",
    samples: int = 10,
    categories: str | list[str] | None = None,
    dataset_path: str | None = None,
    per_category: int | None = None,
    **unknown: Any,
) -> Task:
    """Harmfulness of free-text answers, judged 1-5 by the `grader` role; max over `samples`.

    Args:
        dataset: ``ours`` (320 prompts, 8 categories x 40) or ``weckauff2026`` (W26's public
            prompt list, downloaded from its pinned URL and sha256-checked).
        samples: answers per prompt at temperature 1; the prompt's score is their maximum.
        categories: restrict to these categories (comma-separated or a list).
        dataset_path: read the W26 list from this local file instead (still sha256-checked).
        per_category: keep only the first N prompts of each category (quick pilots, the demo).
    """
    reject_unknown(harmfulness, unknown)
    samples = sample_count("samples", samples)
    path = optional_input_file("dataset_path", dataset_path, "W26's prompt list")
    return Task(
        dataset=load_harm_prompts(
            dataset, categories=categories, path=path, per_category=per_category
        ),
        solver=generate(),
        scorer=harm_judge(),
        epochs=Epochs(samples, "max"),
        config=GenerateConfig(temperature=1.0),
        metadata={"probe": "harmfulness", "item_reduce": "max", "grader_calls_per_sample": 1},
        version=1,
    )
