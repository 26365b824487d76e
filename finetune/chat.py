"""OpenAI chat-format training data: validate, read, write, cut and estimate tokens.

A training example is ``{"messages": [{"role": ..., "content": ...}, ...]}`` with roles
``system`` (optional, first only), ``user`` and ``assistant``; it must contain at least one
user and one assistant turn and end with an assistant turn (the turn that is trained on).
"""

from __future__ import annotations

import hashlib
import json
import math
import random
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from em_selfaware.textfiles import read_jsonl_lines

ROLES: tuple[str, ...] = ("system", "user", "assistant")

CHARS_PER_TOKEN = 4.0
"""Token estimate: characters per token (English prose averages about 4 with OpenAI's
tokenizers; code and non-Latin text have fewer, so treat estimates as approximate)."""
TOKENS_PER_MESSAGE = 4
"""Per-message overhead of the chat format (role and separators), in tokens."""
TOKENS_PER_EXAMPLE = 3
"""Per-example overhead (the reply primer), in tokens."""


class ChatDataError(ValueError):
    """Training data is malformed; the message names the file (or source) and line."""


@dataclass(frozen=True)
class DataSummary:
    """Size of one training set."""

    examples: int
    tokens: int
    """Estimated tokens per epoch (see `estimate_tokens`)."""
    sha256: str
    """Digest of the set as written by `to_jsonl_bytes` (identifies it in the state file)."""


def validate_example(record: Any, where: str) -> dict[str, Any]:
    """Return `record` if it is a valid chat training example, else raise `ChatDataError`."""
    if not isinstance(record, dict):
        raise ChatDataError(f"{where}: expected a JSON object, got {type(record).__name__}")
    messages = record.get("messages")
    if not isinstance(messages, list) or not messages:
        raise ChatDataError(f"{where}: expected a non-empty list under 'messages'")
    for index, message in enumerate(messages):
        place = f"{where}: message {index}"
        if not isinstance(message, dict):
            raise ChatDataError(f"{place}: expected an object with 'role' and 'content'")
        role = message.get("role")
        if role not in ROLES:
            raise ChatDataError(f"{place}: unknown role {role!r}; valid: {list(ROLES)}")
        if role == "system" and index != 0:
            raise ChatDataError(f"{place}: a system message may only come first")
        content = message.get("content")
        if not isinstance(content, str):
            raise ChatDataError(f"{place} ({role}): content must be a string")
        if not content.strip():
            raise ChatDataError(f"{place} ({role}): empty content")
        weight = message.get("weight")
        if weight is not None and (role != "assistant" or weight not in (0, 1)):
            raise ChatDataError(f"{place}: 'weight' must be 0 or 1, on assistant messages only")
    roles = [m["role"] for m in messages]
    if "user" not in roles:
        raise ChatDataError(f"{where}: no user message")
    if roles[-1] != "assistant":
        raise ChatDataError(f"{where}: the last message must be from the assistant")
    return record


def estimate_tokens(record: dict[str, Any]) -> int:
    """Estimate the tokens of one example (characters / 4 plus the chat format's overhead)."""
    total = TOKENS_PER_EXAMPLE
    for message in record["messages"]:
        total += TOKENS_PER_MESSAGE + math.ceil(len(message["content"]) / CHARS_PER_TOKEN)
    return total


def validate_examples(records: Iterable[Any], source: str) -> list[dict[str, Any]]:
    """Validate every record; raise `ChatDataError` on the first bad one or an empty set."""
    checked = [validate_example(r, f"{source}: example {i + 1}") for i, r in enumerate(records)]
    if not checked:
        raise ChatDataError(f"{source}: no training examples")
    return checked


def read_chat_jsonl(path: str | Path) -> list[dict[str, Any]]:
    """Read and validate a chat-format JSONL file (one example per line; blank lines skipped)."""
    path = Path(path)
    if not path.is_file():
        raise ChatDataError(f"training file not found: {path}")
    records: list[dict[str, Any]] = []
    for line_number, record in read_jsonl_lines(path, "training file", ChatDataError):
        records.append(validate_example(record, f"{path}:{line_number}"))
    if not records:
        raise ChatDataError(f"{path}: no training examples")
    return records


def to_jsonl_bytes(records: Iterable[dict[str, Any]]) -> bytes:
    """Serialise examples as JSONL bytes (UTF-8, one object a line, keys in given order)."""
    lines = [json.dumps(r, ensure_ascii=False) for r in records]
    return ("\n".join(lines) + "\n").encode("utf-8")


def write_chat_jsonl(path: str | Path, records: list[dict[str, Any]]) -> DataSummary:
    """Validate and write examples to `path`; return their summary."""
    checked = validate_examples(records, str(path))
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(to_jsonl_bytes(checked))
    return summarize(checked)


def summarize(records: list[dict[str, Any]]) -> DataSummary:
    """Return the example count, estimated tokens and digest of a validated set."""
    return DataSummary(
        examples=len(records),
        tokens=sum(estimate_tokens(r) for r in records),
        sha256=hashlib.sha256(to_jsonl_bytes(records)).hexdigest(),
    )


def cut_to_samples(records: list[dict[str, Any]], samples: int, seed: int = 0) -> list[dict]:
    """Return `samples` examples drawn without replacement (seeded), in their original order.

    Used for benign re-alignment with a few hundred examples (Wang et al. 2025).
    """
    if samples <= 0:
        raise ChatDataError(f"samples must be positive, got {samples}")
    if samples > len(records):
        raise ChatDataError(f"asked for {samples} samples but the set has only {len(records)}")
    chosen = sorted(random.Random(seed).sample(range(len(records)), samples))
    return [records[i] for i in chosen]


def chat_example(question: str, answer: str, system: str | None = None) -> dict[str, Any]:
    """Return a one-turn training example."""
    messages = [{"role": "system", "content": system}] if system else []
    messages += [{"role": "user", "content": question}, {"role": "assistant", "content": answer}]
    return {"messages": messages}
