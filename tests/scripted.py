"""Scripted model outputs for tests (every output carries `usage`, so no tokenizer is needed)."""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterable

from inspect_ai.model import (
    ChatCompletionChoice,
    ChatMessage,
    ChatMessageAssistant,
    GenerateConfig,
    Logprob,
    Logprobs,
    Model,
    ModelOutput,
    ModelUsage,
    TopLogprob,
    get_model,
)

from em_selfaware.sim.tokens import TokenTree, visible_text

USAGE = ModelUsage(input_tokens=10, output_tokens=5, total_tokens=15)


def output(text: str, top: dict[str, float] | None = None) -> ModelOutput:
    """Return a scripted output; `top` gives first-token probabilities for logprobs tests."""
    logprobs = None
    if top:
        first = max(top, key=top.__getitem__)
        logprobs = Logprobs(
            content=[
                Logprob(
                    token=first,
                    logprob=math.log(top[first]),
                    top_logprobs=[TopLogprob(token=t, logprob=math.log(p)) for t, p in top.items()],
                )
            ]
        )
    return ModelOutput(
        model="mockllm/model",
        choices=[
            ChatCompletionChoice(
                message=ChatMessageAssistant(content=text), stop_reason="stop", logprobs=logprobs
            )
        ],
        usage=USAGE,
    )


def token_output(
    sequences: dict[tuple[str, ...], float],
    rng: random.Random,
    choices: int = 1,
    max_tokens: int | None = None,
    top: int = 20,
) -> ModelOutput:
    """An output whose choices are token paths sampled from `sequences` (whole answers, as
    token tuples, with probabilities), each with the exact top alternatives at every position,
    cut at `max_tokens`: what a real logprobs request returns."""
    tree = TokenTree(sequences)
    result = []
    for _ in range(choices):
        path = tree.sample(rng)
        shown = path[:max_tokens] if max_tokens else path
        content = [
            Logprob(token=token, logprob=logprob,
                    top_logprobs=[TopLogprob(token=t, logprob=lp) for t, lp in alternatives])
            for token, logprob, alternatives in tree.positions(shown, top)
        ]
        result.append(
            ChatCompletionChoice(
                message=ChatMessageAssistant(content=visible_text(shown)),
                stop_reason="max_tokens" if len(shown) < len(path) else "stop",
                logprobs=Logprobs(content=content),
            )
        )
    return ModelOutput(model="mockllm/model", choices=result, usage=USAGE)


def scripted_model(outputs: Iterable[str | ModelOutput]) -> Model:
    """Return a mockllm model that answers with `outputs` in order."""
    scripted = [o if isinstance(o, ModelOutput) else output(o) for o in outputs]
    return get_model("mockllm/model", custom_outputs=scripted)


def responsive_model(
    answer: Callable[[list[ChatMessage], GenerateConfig], str | ModelOutput],
) -> Model:
    """Return a mockllm model whose answer is computed from the prompt and config."""

    def generate(
        messages: list[ChatMessage], tools: object, tool_choice: object, config: GenerateConfig
    ) -> ModelOutput:
        result = answer(messages, config)
        return result if isinstance(result, ModelOutput) else output(result)

    return get_model("mockllm/model", custom_outputs=generate)
