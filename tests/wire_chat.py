"""Chat completions for the probes' prompts, in the bytes the real OpenAI API returns.

`ChatSubject` is a `FakeOpenAI.chat_responder`. It finds the probe item of each prompt (the
em-sim index), answers it from a simple subject (the misaligned answer with chance `p`; the
misaligned end of a scale, or the aligned one), tokenised in one of `em_selfaware.sim.tokens`'
styles, and returns JSON as OpenAI does: ``choices[i].message.content``, with ``logprobs``
asked ``choices[i].logprobs.content[j]`` = ``{token, logprob, bytes, top_logprobs: [...]}`` along
the sampled path, ``n`` choices, ``finish_reason`` ``length`` when cut at ``max_tokens``, and
``usage``. It can behave like providers that differ: no log-probabilities at all, log-probabilities
without alternatives, ``n`` ignored; and it can fail chosen requests with 429 or 500 and
``Retry-After`` (plus OpenAI's ``retry-after-ms``).
"""

from __future__ import annotations

import random
import threading
from collections.abc import Mapping
from typing import Any

from em_selfaware.closed_form import AnswerSpec
from em_selfaware.sim.responders.closed_form_index import find_item
from em_selfaware.sim.tokens import TokenTree, visible_text
from tests.closed_form_models import FRENCH, GERMAN

MAX_TOP_LOGPROBS = 20
Response = tuple[int, dict[str, Any], dict[str, str]]


def answer_masses(spec: AnswerSpec, p: float) -> dict[str, float]:
    """The subject's answers: the misaligned one with chance `p`, else the aligned one."""
    if spec.scale is not None:
        scale = spec.scale
        aligned_end = scale.high if scale.misaligned_end == scale.low else scale.low
        masses = {str(scale.misaligned_end): p, str(aligned_end): 1 - p}
    else:
        misaligned = next(c.label for c in spec.choices if c.value == 1.0)
        aligned = next(c.label for c in spec.choices if c.value == 0.0)
        masses = {misaligned: p, aligned: 1 - p}
    return {answer: mass for answer, mass in masses.items() if mass > 0}


def _prompt(messages: list[dict[str, Any]]) -> str:
    """The prompt as em-sim renders it: the messages' text, joined by blank lines."""
    texts = []
    for message in messages:
        content = message.get("content")
        if isinstance(content, list):
            content = "".join(part.get("text", "") for part in content)
        texts.append(content or "")
    return "\n\n".join(texts)


def _error(status: int, message: str, kind: str) -> dict[str, Any]:
    return {"error": {"message": message, "type": kind, "param": None, "code": None}}


class ChatSubject:
    """An OpenAI-compatible chat endpoint answering the closed-form probes (see module doc)."""

    def __init__(
        self,
        p: float,
        style: str = "openai",
        logprobs: bool = True,
        top_alternatives: bool = True,
        honour_n: bool = True,
        failures: Mapping[int, int] | None = None,
        seed: int = 0,
    ) -> None:
        self.p = p
        self.style = style
        self.logprobs = logprobs
        self.top_alternatives = top_alternatives
        self.honour_n = honour_n
        self.failures = dict(failures or {})
        """Request number (1 = first) -> HTTP status to fail it with (429 or 500)."""
        self.rng = random.Random(seed)
        self.bodies: list[dict[str, Any]] = []
        self.statuses: list[int] = []
        self._lock = threading.Lock()

    # -- counts ----------------------------------------------------------------------------
    @property
    def requests(self) -> int:
        """Every request received, failed ones included."""
        return len(self.bodies)

    @property
    def logprob_requests(self) -> int:
        """Answered requests that asked for log-probabilities."""
        return sum(
            bool(b.get("logprobs")) for b, s in zip(self.bodies, self.statuses, strict=True)
            if s == 200
        )

    # -- the endpoint ----------------------------------------------------------------------
    def __call__(self, body: dict[str, Any]) -> Response:
        with self._lock:
            self.bodies.append(body)
            number = len(self.bodies)
            status, payload, headers = self._respond(body, number)
            self.statuses.append(status)
            return status, payload, headers

    def _respond(self, body: dict[str, Any], number: int) -> Response:
        if number in self.failures:
            status = self.failures[number]
            kind = "rate_limit_exceeded" if status == 429 else "server_error"
            # OpenAI sends both; the openai client prefers the milliseconds
            headers = {"Retry-After": "1", "retry-after-ms": "20"}
            return status, _error(status, f"scripted {status}", kind), headers
        top = body.get("top_logprobs")
        if top is not None and not 0 <= top <= MAX_TOP_LOGPROBS:
            message = f"top_logprobs must be between 0 and {MAX_TOP_LOGPROBS}"
            return 400, _error(400, message, "invalid_request_error"), {}
        item = find_item(_prompt(body["messages"]))
        if item is None:
            return 400, _error(400, "prompt not in the probe banks", "invalid_request_error"), {}
        n = int(body.get("n") or 1) if self.honour_n else 1
        limit = body.get("max_completion_tokens") or body.get("max_tokens")
        choices = [self._choice(index, item.spec, body, limit) for index in range(n)]
        tokens = sum(len(c["message"]["content"].split()) + 1 for c in choices)
        return 200, {
            "id": f"chatcmpl-{number}", "object": "chat.completion", "created": 0,
            "model": body["model"], "choices": choices, "system_fingerprint": "fp_wire",
            "usage": {"prompt_tokens": 120, "completion_tokens": tokens,
                      "total_tokens": 120 + tokens},
        }, {}

    def _choice(
        self, index: int, spec: AnswerSpec, body: dict[str, Any], limit: int | None
    ) -> dict[str, Any]:
        if spec.kind == "language":  # whole answers, never read from tokens
            misaligned = next(c.label for c in spec.choices if c.value == 1.0)
            french = (misaligned == "fr") == (self.rng.random() < self.p)
            return {"index": index, "finish_reason": "stop", "logprobs": None,
                    "message": {"role": "assistant", "content": FRENCH if french else GERMAN,
                                "refusal": None}}
        tree = TokenTree.for_answers(answer_masses(spec, self.p), self.style)
        path = tree.sample(self.rng)
        shown = path[:limit] if limit else path
        logprobs = None
        if body.get("logprobs") and self.logprobs:
            top = int(body.get("top_logprobs") or 0) if self.top_alternatives else 0
            logprobs = {"content": [_entry(token, lp, alternatives)
                                    for token, lp, alternatives in tree.positions(shown, top)],
                        "refusal": None}
        return {
            "index": index,
            "finish_reason": "length" if len(shown) < len(path) else "stop",
            "logprobs": logprobs,
            "message": {"role": "assistant", "content": visible_text(shown), "refusal": None},
        }


def _entry(token: str, logprob: float, alternatives: list[tuple[str, float]]) -> dict[str, Any]:
    return {
        "token": token, "logprob": logprob, "bytes": list(token.encode()),
        "top_logprobs": [{"token": t, "logprob": lp, "bytes": list(t.encode())}
                         for t, lp in alternatives],
    }
