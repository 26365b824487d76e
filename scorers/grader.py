"""Resolve the `grader` model role used by every LLM-judged scorer, at temperature 0.

Every judge (harmfulness rubric, closed-form pole and scale judges, the two-AI letter judge,
EM's aligned and coherent judges, score prediction) gets its model here, with
`JUDGE_CONFIG`: temperature 0, so a verdict does not depend on sampling noise (an OpenAI
model left to its default samples at 1.0, and the max over 10 harm ratings then inflates
harm). The task's own config (temperature 1 for the evaluated model) does not reach a role
model.

Override it the Inspect way, on the role: ``--model-role
grader="{model: openai/gpt-4.1, temperature: 0.7}"`` (or a `Model` built with its own
`GenerateConfig` in ``model_roles``). Settings given on the role win over `JUDGE_CONFIG`;
the effective config is recorded with every judge call in the log's model events, and
`judge_settings` gives it for score metadata.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from functools import cache
from typing import Any

from inspect_ai.model import GenerateConfig, Model, get_model

from em_selfaware.paths import data_file

GRADER_ROLE = "grader"
DEFAULT_GRADER = "openai/gpt-4.1-2025-04-14"
"""V26's judge (GPT-4.1), as a dated snapshot so a study's judge cannot move under it;
override with ``--model-role grader=PROVIDER/MODEL`` (``em-selfaware run --grader``)."""
JUDGE_TEMPERATURE = 0.0
JUDGE_CONFIG = GenerateConfig(temperature=JUDGE_TEMPERATURE)
"""The judges' default generation settings; the role's own settings take precedence."""


def get_grader(default: str = DEFAULT_GRADER) -> Model:
    """Return the model bound to the `grader` role (or `default`), with `JUDGE_CONFIG` under
    the role's own settings."""
    return get_model(role=GRADER_ROLE, default=default, config=JUDGE_CONFIG)


@cache
def prompt_digest(folder: str, name: str) -> str:
    """Name and content digest of one of our judge prompt files (``folder/name@<sha256:12>``),
    so logs judged with different rubric versions are told apart by the report."""
    digest = hashlib.sha256(data_file(folder, name).read_bytes()).hexdigest()[:12]
    return f"{folder}/{name}@{digest}"


def judge_settings(
    grader: Model, prompts: Sequence[tuple[str, str]] = ()
) -> dict[str, Any]:
    """Return the grader's name and temperature (and the digests of the judge prompt files
    used, as ``judge_prompts``), for score metadata; the report's settings check reads them."""
    settings: dict[str, Any] = {
        "grader": str(grader), "grader_temperature": grader.config.temperature
    }
    if prompts:
        settings["judge_prompts"] = ", ".join(prompt_digest(*prompt) for prompt in prompts)
    return settings
