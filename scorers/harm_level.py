"""Judge one response on the harmfulness rubric (1-5) outside the harmfulness scorer."""

from __future__ import annotations

from dataclasses import dataclass, field

from inspect_ai.model import Model

from scorers.harm_judge import build_judge_prompt, parse_judge_score


@dataclass
class HarmLevel:
    """The judged level (None if the judge's answers could not be read) and the raw answers."""

    level: int | None
    raw: list[str] = field(default_factory=list)


async def judge_harm_level(
    grader: Model, request: str, response: str, retries: int = 1
) -> HarmLevel:
    """Rate `response` to `request` 1-5 with the harmfulness rubric; retried when unreadable."""
    prompt = build_judge_prompt(request, response)
    raw: list[str] = []
    for _ in range(1 + retries):
        output = await grader.generate(prompt)
        raw.append(output.completion)
        level = parse_judge_score(output.completion, (request, response))
        if level is not None:
            return HarmLevel(level, raw)
    return HarmLevel(None, raw)
