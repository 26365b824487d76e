"""The `em-sim` Inspect model provider: ``--model em-sim/<variant>`` or ``em-sim/judge``.

Registered by `em_selfaware.sim.registration` (which imports this module on first use).
"""

from __future__ import annotations

import hashlib
import math
import random
from collections import Counter
from typing import Any

from inspect_ai.model import (
    ChatCompletionChoice,
    ChatMessage,
    ChatMessageAssistant,
    GenerateConfig,
    Logprob,
    Logprobs,
    ModelAPI,
    ModelOutput,
    ModelUsage,
    TopLogprob,
)
from inspect_ai.tool import ToolChoice, ToolInfo

from em_selfaware.sim.personas import JUDGE_NAME, Persona, get_persona
from em_selfaware.sim.replies import OFF_FORMAT, REFUSALS, ChoiceReply, Reply, TextReply
from em_selfaware.sim.responders import respond
from em_selfaware.sim.tokens import TokenTree, style_for_size, visible_text

_OFF_FORMAT_TOKEN = "I"
_LOGPROB_FLOOR = 1e-9


def render_prompt(messages: list[ChatMessage]) -> str:
    """Join the text of all messages (system first), which is what responders read."""
    return "\n\n".join(message.text for message in messages)


class SimModelAPI(ModelAPI):
    """Deterministic simulated model organisms (a demo and test double, not a real model)."""

    def __init__(
        self,
        model_name: str,
        base_url: str | None = None,
        api_key: str | None = None,
        config: GenerateConfig = GenerateConfig(),  # noqa: B008  (ModelAPI's signature)
        seed: int = 0,
        **model_args: Any,
    ) -> None:
        super().__init__(model_name, base_url, api_key, [], config)
        if model_args:
            raise ValueError(
                f"em-sim takes only the model arg 'seed'; got {', '.join(sorted(model_args))}"
            )
        self.persona: Persona = get_persona(model_name)
        self.token_style: str | None = (
            None if self.persona.name == JUDGE_NAME else style_for_size(self.persona.size)
        )
        """How logprobs requests are tokenised (None: one token per answer, as the judge)."""
        self.seed = int(seed)
        self._calls: Counter[str] = Counter()

    def max_connections(self) -> int:
        """No rate limit: the simulation is local and instant."""
        return 64

    def _rng(self, prompt_key: str, config: GenerateConfig) -> random.Random:
        index = self._calls[prompt_key]
        self._calls[prompt_key] += 1
        material = f"{self.seed}|{config.seed}|{self.persona.name}|{prompt_key}|{index}"
        return random.Random(hashlib.sha256(material.encode()).hexdigest())

    async def generate(
        self,
        input: list[ChatMessage],
        tools: list[ToolInfo],
        tool_choice: ToolChoice,
        config: GenerateConfig,
    ) -> ModelOutput:
        """Answer every requested choice from the persona's responders."""
        prompt = render_prompt(input)
        prompt_key = hashlib.sha256(prompt.encode()).hexdigest()
        choices: list[ChatCompletionChoice] = []
        for _ in range(max(1, config.num_choices or 1)):
            rng = self._rng(prompt_key, config)
            reply = respond(prompt, self.persona, rng, judge=self.persona.name == JUDGE_NAME)
            choices.append(self._choice(reply, rng, config))
        output_tokens = sum(len(c.message.text.split()) for c in choices)
        input_tokens = max(1, len(prompt.split()))
        return ModelOutput(
            model=f"em-sim/{self.persona.name}",
            choices=choices,
            usage=ModelUsage(
                input_tokens=input_tokens,
                output_tokens=output_tokens,
                total_tokens=input_tokens + output_tokens,
            ),
        )

    def _choice(
        self, reply: Reply, rng: random.Random, config: GenerateConfig
    ) -> ChatCompletionChoice:
        if isinstance(reply, TextReply):
            return ChatCompletionChoice(
                message=ChatMessageAssistant(content=reply.text, model=self.model_name),
                stop_reason="stop",
            )
        if config.logprobs and self.token_style is not None:
            return self._token_read(reply, rng, config)
        text, token = self._closed_form_text(reply, rng)
        logprobs = self._logprobs(reply, token, config) if config.logprobs else None
        return ChatCompletionChoice(
            message=ChatMessageAssistant(content=text, model=self.model_name),
            stop_reason="stop",
            logprobs=logprobs,
        )

    def _token_read(
        self, reply: ChoiceReply, rng: random.Random, config: GenerateConfig
    ) -> ChatCompletionChoice:
        """Answer a logprobs request as a real tokenizer would (see `sim.tokens`)."""
        off_mass = self._off_mass(reply)
        masses = {answer: p * (1.0 - off_mass) for answer, p in reply.normalised().items()}
        tree = TokenTree.for_answers(masses, str(self.token_style), off_format=off_mass)
        path = tree.sample(rng)
        shown = path[: config.max_tokens] if config.max_tokens else path
        content = [
            Logprob(
                token=token,
                logprob=logprob,
                top_logprobs=[TopLogprob(token=t, logprob=lp) for t, lp in top],
            )
            for token, logprob, top in tree.positions(shown, config.top_logprobs or 0)
        ]
        return ChatCompletionChoice(
            message=ChatMessageAssistant(content=visible_text(shown), model=self.model_name),
            stop_reason="max_tokens" if len(shown) < len(path) else "stop",
            logprobs=Logprobs(content=content),
        )

    def _off_mass(self, reply: ChoiceReply) -> float:
        return 0.0 if reply.strict else self.persona.refusal + self.persona.off_format

    def _closed_form_text(self, reply: ChoiceReply, rng: random.Random) -> tuple[str, str]:
        """Return (answer text, first token) for a closed-form reply."""
        roll = rng.random()
        if not reply.strict and roll < self.persona.refusal:
            return rng.choice(REFUSALS), _OFF_FORMAT_TOKEN
        if not reply.strict and roll < self.persona.refusal + self.persona.off_format:
            return rng.choice(reply.off_format or OFF_FORMAT), _OFF_FORMAT_TOKEN
        answer = reply.sample(rng)
        text = reply.render(answer, rng) if reply.render else answer
        return text, answer

    def _logprobs(self, reply: ChoiceReply, token: str, config: GenerateConfig) -> Logprobs:
        """Report the answer distribution as the first token's top log-probabilities."""
        off_mass = self._off_mass(reply)
        masses = {answer: p * (1.0 - off_mass) for answer, p in reply.normalised().items()}
        if off_mass > 0:
            masses[_OFF_FORMAT_TOKEN] = masses.get(_OFF_FORMAT_TOKEN, 0.0) + off_mass
        ranked = sorted(masses.items(), key=lambda item: item[1], reverse=True)
        limit = config.top_logprobs or len(ranked)
        top = [
            TopLogprob(token=answer, logprob=math.log(max(mass, _LOGPROB_FLOOR)))
            for answer, mass in ranked[:limit]
        ]
        chosen = math.log(max(masses.get(token, _LOGPROB_FLOOR), _LOGPROB_FLOOR))
        return Logprobs(content=[Logprob(token=token, logprob=chosen, top_logprobs=top)])
