"""Read a closed-form answer's distribution from log-probabilities, and learn what each model
of a run supports.

One read is one request for a few tokens (`READ_TOKENS`) with the top `TOP_LOGPROBS`
alternatives at every position. `scorers.token_probs` reads it; when tokens that are not an
answer yet (markup, the first digit of a longer number, the shared start of two pole words)
hold too much probability, a further request samples several continuations at once
(``num_choices``, up to `MAX_PATHS`), whose conditional probabilities resolve those tokens
(a second such request resolves what the first one opened, e.g. "**" then "Dis"). What is
still unresolved then is left to sampling, with the reason recorded.

Per model (per provider instance, so a run with several models keeps them apart) the run
learns once whether log-probabilities come back at all: the first read is made alone, the
other samples wait for it, and once a model is known to return none (Anthropic, for one)
every later item samples directly, without a wasted request. Likewise a model that answers
``num_choices`` with fewer choices is asked for one answer per request from then on.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from weakref import WeakKeyDictionary

import anyio
from inspect_ai.model import ChatMessage, GenerateConfig, Model, ModelAPI, ModelOutput

from em_selfaware.closed_form import AnswerSpec
from scorers.token_probs import (
    MAX_VALUE_SPREAD,
    MIN_VALID_MASS,
    TokenDistribution,
    token_distribution,
)

READ_TOKENS = 4
"""Tokens generated per read: enough for markup, a three-digit number and an end token."""
TOP_LOGPROBS = 20
"""Top log-probabilities requested per position (the most OpenAI returns)."""
RESOLVING_READS = 2
"""Further reads, at most, that sample continuations through tokens left open."""
MAX_PATHS = 64
"""Most continuations sampled by one resolving read (one request, ``num_choices``)."""
_MIN_PATHS = 8
_HIT = 0.95
"""Chance that the second read samples each open token that must be resolved."""


@dataclass
class ModelFacts:
    """What a run has learnt about one model's provider."""

    logprobs_known: bool = False
    no_logprobs: str | None = None
    """Why the model gives no usable log-probabilities (None: it does, or not known yet)."""
    ignores_num_choices: bool = False
    """True once a request for several choices came back with fewer."""
    probing: anyio.Event | None = field(default=None, repr=False)

    def learn_logprobs(self, model: Model, output: ModelOutput) -> None:
        """Record whether `output` (a logprobs request's answer) carried top log-probabilities."""
        contents = [c.logprobs.content for c in output.choices if c.logprobs is not None]
        if not any(contents):
            self.no_logprobs = f"{model} returned no log-probabilities"
        elif not any(content[0].top_logprobs for content in contents if content):
            self.no_logprobs = f"{model} returned log-probabilities without top alternatives"
        self.logprobs_known = True


_FACTS: WeakKeyDictionary[ModelAPI, ModelFacts] = WeakKeyDictionary()


def model_facts(model: Model) -> ModelFacts:
    """Return the facts learnt so far about `model`'s provider instance."""
    facts = _FACTS.get(model.api)
    if facts is None:
        facts = _FACTS[model.api] = ModelFacts()
    return facts


def read_config(paths: int = 1) -> GenerateConfig:
    """Generate config of one read: a few tokens, top log-probabilities, `paths` choices."""
    return GenerateConfig(
        logprobs=True,
        top_logprobs=TOP_LOGPROBS,
        max_tokens=READ_TOKENS,
        num_choices=paths if paths > 1 else None,
    )


@dataclass
class LogprobRead:
    """The outcome of reading one item through log-probabilities."""

    reading: TokenDistribution | None
    """The reading (None when the model is known to return no log-probabilities)."""
    outputs: list[ModelOutput]
    """The outputs of the requests made (none, the first read, resolving reads)."""
    problem: str | None
    """Why the reading cannot stand for the item (it is then sampled), or None."""


async def read_answer_logprobs(
    model: Model,
    messages: list[ChatMessage],
    spec: AnswerSpec,
    max_paths: int = MAX_PATHS,
    min_valid_mass: float = MIN_VALID_MASS,
    max_spread: float = MAX_VALUE_SPREAD,
) -> LogprobRead:
    """Read the answer distribution of `messages`; further reads resolve open tokens.

    A resolving read samples enough continuations (at most `max_paths`) to pass, with 95%
    chance each, through every open token that must be resolved for the reading to stand.
    """
    facts = model_facts(model)
    first = await _first_read(model, facts, messages)
    if first is None:
        return LogprobRead(None, [], f"{facts.no_logprobs} earlier in this run; sampled directly")
    outputs = [first]
    reading = token_distribution(outputs, spec)
    if not reading.top_logprobs:
        return LogprobRead(reading, outputs, facts.no_logprobs or reading.blocked())
    problem = reading.blocked(min_valid_mass, max_spread)
    while problem and len(outputs) <= RESOLVING_READS and _resolvable(reading, min_valid_mass):
        paths = paths_to_resolve(reading, max_spread, max_paths)
        outputs.append(await model.generate(messages, config=read_config(paths)))
        reading = token_distribution(outputs, spec)
        problem = reading.blocked(min_valid_mass, max_spread)
    return LogprobRead(reading, outputs, problem)


def _resolvable(reading: TokenDistribution, min_valid_mass: float) -> bool:
    """Whether resolving the open tokens could make the reading stand."""
    return reading.unresolved > 0 and reading.valid_mass + reading.unresolved >= min_valid_mass


def paths_to_resolve(reading: TokenDistribution, max_spread: float, most: int) -> int:
    """Continuations to sample so that each open token that must be resolved is likely hit.

    Open tokens are resolved largest first until what is left could not move the value by more
    than `max_spread`; the smallest of them sets the count.
    """
    left = reading.unresolved
    allowed = max_spread * max(reading.valid_mass, MIN_VALID_MASS)
    smallest = 1.0
    for mass in sorted(reading.open_mass.values(), reverse=True):
        if left <= allowed:
            break
        smallest = mass
        left -= mass
    needed = math.ceil(math.log(1 - _HIT) / math.log1p(-min(smallest, 0.999)))
    return max(1, min(most, max(needed, _MIN_PATHS)))


async def _first_read(
    model: Model, facts: ModelFacts, messages: list[ChatMessage]
) -> ModelOutput | None:
    """Make an item's first read; None when the model is known to return no log-probabilities.

    Until the model's support is known, one read at a time is made and the others wait for it.
    """
    while not facts.logprobs_known:
        if facts.probing is None:
            facts.probing = anyio.Event()
            try:
                output = await model.generate(messages, config=read_config())
                facts.learn_logprobs(model, output)
                return output
            finally:
                event, facts.probing = facts.probing, None
                event.set()
        await facts.probing.wait()
    if facts.no_logprobs is not None:
        return None
    return await model.generate(messages, config=read_config())
