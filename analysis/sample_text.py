"""The prompt and the answer texts of a few chosen samples (what a diff prints), read one sample
at a time instead of the whole log.

A local ``.eval`` log's sample is read from its own zip member
(``samples/<id>_epoch_<n>.json``, `analysis.eval_zip`); anything else (``.json`` logs, remote
logs, an unrecognised archive) is read with Inspect's ``read_eval_log_samples_by_id``.

- **Prompt**: the sample's input as sent (`Sample.input`): a string, or its messages one after
  another (``role: text`` when there are several).
- **Answer text** of answer ``i`` of a sample's answer table (`scorers.answer_table`), from the
  first of these that has it:

  1. ``table``: the table's ``answer_text`` entry when it is whole (not a preview cut with an
     ellipsis);
  2. ``message``: the ``i``-th of the assistant messages that end the conversation, when there
     are exactly as many of them as answers (the closed-form solvers append every answer;
     single-answer probes end with the model's reply);
  3. ``preview``: the table's cut preview.

  A full text is taken from the messages only when it starts with the preview (minus its
  ellipsis), so a conversation laid out differently never puts another answer's text beside
  this one; when nothing is found the text is None (``none``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from analysis.eval_zip import EvalZip, UnrecognisedLog
from analysis.frames import main_score
from analysis.logs import local_path
from scorers.answer_table import ELLIPSIS, unpack_columns

ATTACHMENT = "attachment://"
"""Prefix of content Inspect moved to the sample's ``attachments`` (deduplicated)."""
TEXT_SOURCES = ("table", "message", "preview", "none")
"""Where an answer's text came from (module doc)."""

SampleKey = tuple[str, int]
"""(sample id, epoch)."""


@dataclass(frozen=True)
class AnswerText:
    """One answer's text and where it came from (`TEXT_SOURCES`)."""

    text: str | None
    source: str


@dataclass(frozen=True)
class SampleText:
    """What a diff prints of one sample: its prompt and the text of each of its answers."""

    prompt: str
    answers: tuple[AnswerText, ...]

    def answer(self, index: int) -> AnswerText:
        """Answer `index` (0-based); ``none`` when the sample has fewer answers."""
        if 0 <= index < len(self.answers):
            return self.answers[index]
        return AnswerText(None, "none")


def _resolve(value: Any, attachments: Mapping[str, str]) -> Any:
    if isinstance(value, str) and value.startswith(ATTACHMENT):
        return attachments.get(value[len(ATTACHMENT):], value)
    return value


def content_text(content: Any, attachments: Mapping[str, str] | None = None) -> str:
    """The text of a message's content (a string or a list of content parts); other parts
    (images, audio, ...) are shown as ``[<type>]``."""
    attachments = attachments or {}
    content = _resolve(content, attachments)
    if isinstance(content, str):
        return content
    parts = []
    for part in content or []:
        if not isinstance(part, Mapping):
            continue
        kind = part.get("type")
        if kind == "text":
            parts.append(str(_resolve(part.get("text", ""), attachments)))
        elif kind == "reasoning":
            continue
        else:
            parts.append(f"[{kind}]")
    return "\n".join(parts)


def prompt_text(sample: Mapping[str, Any]) -> str:
    """The sample's input as sent: the string, or each message's text (with its role when
    there are several)."""
    attachments = sample.get("attachments") or {}
    value = _resolve(sample.get("input"), attachments)
    if isinstance(value, str):
        return value
    messages = [message for message in value or [] if isinstance(message, Mapping)]
    texts = [content_text(message.get("content"), attachments) for message in messages]
    if len(texts) == 1:
        return texts[0]
    return "\n\n".join(
        f"{message.get('role')}: {text}" for message, text in zip(messages, texts, strict=True)
    )


def _final_replies(sample: Mapping[str, Any]) -> list[str]:
    """Texts of the assistant messages that end the sample's conversation."""
    attachments = sample.get("attachments") or {}
    replies: list[str] = []
    for message in reversed(sample.get("messages") or []):
        if not isinstance(message, Mapping) or message.get("role") != "assistant":
            break
        replies.append(content_text(message.get("content"), attachments))
    return replies[::-1]


def _is_preview(text: str) -> bool:
    return text.endswith(ELLIPSIS)


def _agrees(full: str, preview: str | None) -> bool:
    """True when `full` may be the text behind `preview` (no preview: nothing to contradict)."""
    if preview is None:
        return True
    return full.startswith(preview.removesuffix(ELLIPSIS) if _is_preview(preview) else preview)


def answer_texts(sample: Mapping[str, Any], main_scorer: str | None) -> tuple[AnswerText, ...]:
    """Each answer's text in the main score's answer table (module doc for the rule)."""
    score = main_score(sample.get("scores"), main_scorer)
    try:
        table = unpack_columns(score.get("metadata")) if score else None
    except ValueError:
        table = None
    if not table:
        return ()
    count = len(next(iter(table.values())))
    previews = table.get("text") or [None] * count
    replies = _final_replies(sample)
    texts = []
    for index in range(count):
        preview = previews[index]
        preview = None if preview is None else str(preview)
        if preview is not None and not _is_preview(preview):
            texts.append(AnswerText(preview, "table"))
        elif len(replies) == count and _agrees(replies[index], preview):
            texts.append(AnswerText(replies[index], "message"))
        elif preview is not None:
            texts.append(AnswerText(preview, "preview"))
        else:
            texts.append(AnswerText(None, "none"))
    return tuple(texts)


def sample_text(sample: Mapping[str, Any], main_scorer: str | None) -> SampleText:
    """The prompt and answer texts of one sample given as JSON (a log's sample member)."""
    return SampleText(prompt_text(sample), answer_texts(sample, main_scorer))


def _member(sample_id: str, epoch: int) -> str:
    return f"samples/{sample_id}_epoch_{epoch}.json"


def _read_fast(location: str, keys: list[SampleKey]) -> dict[SampleKey, Mapping[str, Any]]:
    path = local_path(location)
    if path is None or path.suffix != ".eval":
        raise UnrecognisedLog(f"{location}: not a local .eval file")
    with EvalZip(path) as archive:
        samples = {}
        for sample_id, epoch in keys:
            try:
                samples[(sample_id, epoch)] = archive.read_json(_member(sample_id, epoch))
            except KeyError as error:
                raise UnrecognisedLog(f"{location}: no member {error}") from error
        return samples


def _read_inspect(location: str, keys: list[SampleKey]) -> dict[SampleKey, Mapping[str, Any]]:
    from inspect_ai.log import read_eval_log_samples_by_id

    samples = read_eval_log_samples_by_id(
        location, keys, resolve_attachments=True, exclude_fields={"events", "store"}
    )
    fields = {"id", "epoch", "input", "messages", "scores"}
    return {
        key: sample.model_dump(mode="json", include=fields)
        for key, sample in zip(keys, samples, strict=True)
    }


def read_sample_texts(
    location: str, keys: Iterable[SampleKey], main_scorer: str | None
) -> dict[SampleKey, SampleText]:
    """Read the prompt and answer texts of the given samples of one log (and nothing else)."""
    wanted = sorted(set(keys))
    if not wanted:
        return {}
    try:
        samples = _read_fast(location, wanted)
    except (UnrecognisedLog, OSError, ValueError):
        samples = _read_inspect(location, wanted)
    return {key: sample_text(sample, main_scorer) for key, sample in samples.items()}
