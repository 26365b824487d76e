"""Readable Score answers and explanations: what the model answered, one line per answer.

Inspect View lists a Score's ``answer`` beside each sample and shows its ``explanation`` in the
Scoring tab (`samples_df` has both). So that a run can be audited without opening the
transcript, every scorer of the suite writes:

- ``answer``: the parsed answers, compactly (``B ×7, A ×3``; one answer: its parsed value), or
  the response itself for free-form probes (harmfulness, EM questions);
- ``explanation``: a header (answers, scored, mean, routes) and one line per answer::

      3. "Far from harmful, I'd say." -> harmless (judge: {"verdict": "1"}) = 0.0

  the answer's text quoted (one line, shortened), what it was read as, the route that decided
  it (with the judge's reply where a judge was asked) and its value (``excluded`` = None).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

QUOTE_WIDTH = 80
"""Characters of an answer's text quoted in its explanation line."""
REPLY_WIDTH = 100
"""Characters of a judge's reply quoted in an explanation line."""
UNPLACED = "?"
"""How an answer that nothing could place (parsed None) is shown."""
ELLIPSIS = "…"


def one_line(text: str, width: int) -> str:
    """Return `text` with its whitespace collapsed, cut to `width` characters (with an ellipsis)."""
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1].rstrip() + ELLIPSIS


def quote(text: str | None, width: int = QUOTE_WIDTH) -> str:
    """Return `text` on one line, shortened and double-quoted (``(no text)`` for None)."""
    if text is None:
        return "(no text)"
    return json.dumps(one_line(text, width), ensure_ascii=False)


def _format_value(value: Any) -> str:
    if value is None:
        return "excluded"
    if isinstance(value, float):
        return repr(round(value, 4))
    return str(value)


def _route_part(route: str, replies: Sequence[str]) -> str:
    if not replies:
        return route
    tries = f" ({len(replies)} tries)" if len(replies) > 1 else ""
    reply = one_line(replies[-1], REPLY_WIDTH)
    if route == "judge":
        return f"judge{tries}: {reply}"
    return f"{route}; judge{tries}: {reply}"


def answer_line(
    index: int,
    answer: Mapping[str, Any],
    judge_replies: Sequence[str] = (),
    note: str | None = None,
) -> str:
    """Return one answer's explanation line (numbered from 1).

    Args:
        index: the answer's number.
        answer: the answer entry (``value``, ``route``, ``parsed``, optional ``text``).
        judge_replies: the judge's replies about this answer (the last one decided).
        note: probe-specific detail appended after the value.
    """
    parsed = answer.get("parsed")
    shown = UNPLACED if parsed is None else str(parsed)
    route = _route_part(str(answer.get("route")), judge_replies)
    text = f"{quote(answer['text'])} -> " if answer.get("text") is not None else ""
    line = f"{index}. {text}{shown} ({route}) = {_format_value(answer.get('value'))}"
    return f"{line}; {note}" if note else line


def summary_line(answers: Sequence[Mapping[str, Any]]) -> str:
    """Return the header: how many answers, how many scored, their mean, and the routes."""
    values = [a["value"] for a in answers if a.get("value") is not None]
    routes = Counter(str(a.get("route")) for a in answers)
    route_text = ", ".join(f"{route} {count}" for route, count in routes.most_common())
    noun = "answer" if len(answers) == 1 else "answers"
    mean = f", mean {sum(values) / len(values):.4g}" if values else ""
    return f"{len(answers)} {noun}, {len(values)} scored{mean} (routes: {route_text})"


def explain_answers(
    answers: Sequence[Mapping[str, Any]],
    judge_replies: Sequence[Sequence[str]] | None = None,
    notes: Sequence[str | None] | None = None,
) -> str:
    """Return the explanation of a Score: the summary line, then one line per answer.

    `judge_replies` and `notes`, when given, hold one entry per answer.
    """
    lines = [summary_line(answers)]
    for index, answer in enumerate(answers):
        replies = judge_replies[index] if judge_replies else ()
        note = notes[index] if notes else None
        lines.append(answer_line(index + 1, answer, replies or (), note))
    return "\n".join(lines)


def parsed_summary(answers: Sequence[Mapping[str, Any]]) -> str:
    """Return the parsed answers compactly: ``B ×7, A ×3`` (most frequent first); a single
    answer as itself; answers nothing placed as ``?``."""
    shown = [UNPLACED if a.get("parsed") is None else str(a.get("parsed")) for a in answers]
    if len(shown) == 1:
        return shown[0]
    return ", ".join(f"{label} ×{count}" for label, count in Counter(shown).most_common())
