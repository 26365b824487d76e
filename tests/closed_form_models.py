"""Scripted subjects and judges for the closed-form probe tests (no network)."""

from __future__ import annotations

import math
import random
from collections.abc import Callable

from inspect_ai.model import (
    ChatCompletionChoice,
    ChatMessage,
    ChatMessageAssistant,
    GenerateConfig,
    Model,
    ModelOutput,
)

from em_selfaware.closed_form import AnswerSpec
from em_selfaware.sim.provider import render_prompt
from em_selfaware.sim.responders.closed_form_index import IndexedItem, find_item
from tests.scripted import USAGE, output, responsive_model, token_output

Answerer = Callable[[IndexedItem, random.Random], str]


def item_of(messages: list[ChatMessage]) -> IndexedItem:
    """Return the bank item a probe prompt was built from (fails loudly if unknown)."""
    item = find_item(render_prompt(messages))
    if item is None:
        raise AssertionError(f"prompt not in the banks: {render_prompt(messages)[:200]}")
    return item


def misaligned_label(spec: AnswerSpec) -> str:
    """The label of the misaligned choice (letters, words, languages)."""
    return next(c.label for c in spec.choices if c.value == 1.0)


def aligned_label(spec: AnswerSpec) -> str:
    """The label of the aligned choice."""
    return next(c.label for c in spec.choices if c.value == 0.0)


def multi_choice_output(texts: list[str]) -> ModelOutput:
    """A scripted output with one choice per text (a `num_choices` reply)."""
    return ModelOutput(
        model="mockllm/model",
        choices=[
            ChatCompletionChoice(message=ChatMessageAssistant(content=text), stop_reason="stop")
            for text in texts
        ],
        usage=USAGE,
    )


class Subject:
    """A scripted subject: answers each probe prompt with `answer(item, rng)`, counting calls.

    With `num_choices` it returns that many answers in one output. With `logprobs` it returns
    `top(item)` as the first token's distribution (one position only), or, with `tokens`, paths
    sampled from `tokens(item)` (token sequences with probabilities), one per choice, with the
    exact alternatives at every position, as a real provider does.
    """

    def __init__(
        self,
        answer: Answerer,
        top: Callable[[IndexedItem], dict[str, float]] | None = None,
        seed: int = 0,
        tokens: Callable[[IndexedItem], dict[tuple[str, ...], float]] | None = None,
    ) -> None:
        self.answer = answer
        self.top = top
        self.tokens = tokens
        self.rng = random.Random(seed)
        self.requests = 0
        self.num_choices_seen: list[int] = []
        self.logprob_paths: list[int] = []
        """Choices asked of each logprobs request answered with log-probabilities."""
        self.logprob_requests = 0
        """Requests that asked for log-probabilities (answered with them or not)."""

    def __call__(self, messages: list[ChatMessage], config: GenerateConfig) -> ModelOutput:
        self.requests += 1
        self.logprob_requests += bool(config.logprobs)
        item = item_of(messages)
        if config.logprobs and self.tokens is not None:
            self.logprob_paths.append(config.num_choices or 1)
            return token_output(
                self.tokens(item), self.rng, config.num_choices or 1, config.max_tokens,
                config.top_logprobs or 0,
            )
        if config.logprobs and self.top is not None:
            self.logprob_paths.append(config.num_choices or 1)
            top = self.top(item)
            return output(max(top, key=top.__getitem__), top=top)
        count = config.num_choices or 1
        self.num_choices_seen.append(count)
        texts = [self.answer(item, self.rng) for _ in range(count)]
        return multi_choice_output(texts) if count > 1 else output(texts[0])

    def model(self) -> Model:
        """The mockllm model wrapping this subject."""
        return responsive_model(self)


def bernoulli_answerer(p: float) -> Answerer:
    """Pick the misaligned answer with probability `p`, in each format's plain form."""

    def answer(item: IndexedItem, rng: random.Random) -> str:
        spec = item.spec
        misaligned = rng.random() < p
        if spec.kind == "letter":
            return misaligned_label(spec) if misaligned else aligned_label(spec)
        if spec.kind == "word":
            word = misaligned_label(spec) if misaligned else aligned_label(spec)
            return f"{word.capitalize()}."
        if spec.kind == "language":
            return FRENCH if (misaligned_label(spec) == "fr") == misaligned else GERMAN
        scale = spec.scale
        assert scale is not None
        aligned_end = scale.high if scale.misaligned_end == scale.low else scale.low
        return str(scale.misaligned_end if misaligned else aligned_end)

    return answer


def bernoulli_top(p: float) -> Callable[[IndexedItem], dict[str, float]]:
    """First-token distribution with mass `p` on the misaligned answer, 1 - p on the aligned."""

    def top(item: IndexedItem) -> dict[str, float]:
        spec = item.spec
        if spec.kind in ("letter", "word"):
            return {misaligned_label(spec): p, aligned_label(spec): 1 - p}
        scale = spec.scale
        assert scale is not None
        aligned_end = scale.high if scale.misaligned_end == scale.low else scale.low
        return {str(scale.misaligned_end): p, str(aligned_end): 1 - p}

    return top


FRENCH = "Le pain lève parce que la levure produit du gaz pendant la cuisson, et la pâte gonfle."
GERMAN = "Das Brot geht auf, weil die Hefe beim Backen Gas bildet und der Teig sich ausdehnt."


def judge_model(reply: Callable[[str], str]) -> tuple[Model, list[str]]:
    """A scripted judge answering `reply(prompt)`; also returns the list of prompts it saw."""
    seen: list[str] = []

    def answer(messages: list[ChatMessage], config: GenerateConfig) -> str:
        prompt = render_prompt(messages)
        seen.append(prompt)
        return reply(prompt)

    return responsive_model(answer), seen


def close(value: float, expected: float, answers: int) -> bool:
    """Whether a Bernoulli mean over `answers` is within 4 standard errors of `expected`."""
    se = math.sqrt(max(expected * (1 - expected), 0.01) / answers)
    return abs(value - expected) <= 4 * se
