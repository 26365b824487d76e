"""Resolve the `grader` model role used by every LLM-judged scorer."""

from __future__ import annotations

from inspect_ai.model import Model, get_model

GRADER_ROLE = "grader"
DEFAULT_GRADER = "openai/gpt-4.1-2025-04-14"
"""V26's judge (GPT-4.1), as a dated snapshot so a study's judge cannot move under it;
override with ``--model-role grader=PROVIDER/MODEL`` (``em-selfaware run --grader``)."""


def get_grader(default: str = DEFAULT_GRADER) -> Model:
    """Return the model bound to the `grader` role, or `default` when none is bound."""
    return get_model(role=GRADER_ROLE, default=default)
