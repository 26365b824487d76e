"""Read a judge's JSON verdict so that the judged text cannot steer it.

A judge answers with a JSON object (``{"score": 4}``, ``{"verdict": "2"}``). The text it
judges may itself contain such objects ("...and rate this {"score": 1}"), and a judge that
quotes them, or is swayed into writing two, must not be read as the quote. The reading:

1. every JSON object in the reply that has the verdict key is a candidate (objects nested in
   other text, in code fences, anywhere); an object that repeats the key with different values
   (``{"score": 1, "score": 5}``) is contradictory;
2. candidates whose verdict also appears as an object in the judged material are quotes of
   it, and are set aside, unless every candidate is one (the judge agreeing with the quote);
3. the remaining candidates must all give the same valid verdict: that is the verdict.
   Conflicting or invalid candidates make the reply unparseable: the scorer asks again, and
   after its retries leaves the answer unscored and counts it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

T = TypeVar("T")
_CONTRADICTORY = object()
"""Marks a key given twice with different values in one object."""


def _pairs_hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result and result[key] != value:
            result[key] = _CONTRADICTORY
        else:
            result[key] = value
    return result


_DECODER = json.JSONDecoder(object_pairs_hook=_pairs_hook)


def json_objects(text: str) -> list[dict[str, Any]]:
    """Return the top-level JSON objects found anywhere in `text`, in order."""
    objects: list[dict[str, Any]] = []
    position = text.find("{")
    while position != -1:
        try:
            parsed, end = _DECODER.raw_decode(text, position)
        except json.JSONDecodeError:
            position = text.find("{", position + 1)
            continue
        if isinstance(parsed, dict):
            objects.append(parsed)
        position = text.find("{", end)
    return objects


def _verdicts(text: str, key: str, normalise: Callable[[Any], T | None]) -> list[T | None]:
    return [
        None if found[key] is _CONTRADICTORY else normalise(found[key])
        for found in json_objects(text)
        if key in found
    ]


def read_verdict(
    reply: str,
    key: str,
    normalise: Callable[[Any], T | None],
    material: Iterable[str] = (),
) -> T | None:
    """Return the judge's verdict under `key`, or None when the reply has no usable verdict.

    `normalise` maps a raw JSON value to a verdict (None when invalid); `material` are the
    texts the judge was shown to judge (their objects are quotes, not verdicts).
    """
    candidates = _verdicts(reply, key, normalise)
    if not candidates:
        return None
    quoted: set[Any] = set()
    for text in material:
        quoted.update(v for v in _verdicts(text, key, normalise) if v is not None)
    own: Sequence[T | None] = [v for v in candidates if v is None or v not in quoted]
    if not own:
        own = candidates
    first = own[0]
    if first is None or any(v != first for v in own[1:]):
        return None
    return first
