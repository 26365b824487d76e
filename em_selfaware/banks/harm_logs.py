"""Answers and judged harm levels read back from harmfulness logs (for output recognition)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from inspect_ai.log import EvalLog, read_eval_log
from inspect_ai.model import ChatMessageUser

from em_selfaware.banks.jsonl import ItemFileError

HARM_SCORER = "harm_judge"


@dataclass(frozen=True)
class HarmAnswer:
    """One answer of a harmfulness run: the request, the response and its judged level."""

    item_id: str
    epoch: int
    request: str
    response: str
    level: int | None
    """Judge level 1-5, None when the judge's answer was unparseable."""
    category: str


@dataclass(frozen=True)
class AnswerPair:
    """The evaluated model's own answer and another variant's answer to the same request."""

    own: HarmAnswer
    other: HarmAnswer


def _request_text(sample_input: str | list) -> str:
    if isinstance(sample_input, str):
        return sample_input
    users = [m for m in sample_input if isinstance(m, ChatMessageUser)]
    if not users:
        raise ValueError("harmfulness sample without a user message")
    return users[-1].text


def _first_cause(error: BaseException) -> BaseException:
    """Return the first leaf of an exception group (Inspect reads samples concurrently)."""
    while isinstance(error, BaseExceptionGroup) and error.exceptions:
        error = error.exceptions[0]
    return error


def _read_log(path: str | Path, parameter: str) -> EvalLog:
    try:
        return read_eval_log(str(path))
    except Exception as error:  # zip, JSON and decoding errors, wrapped in exception groups
        cause = _first_cause(error)
        raise ItemFileError(
            f"{parameter}: cannot read the Inspect log {path} ({type(cause).__name__}: "
            f"{cause}); the file is truncated or is not an Inspect log. Use a complete "
            "harmfulness log (run the harmfulness task again if it was cut short)."
        ) from None


def read_harm_log(
    path: str | Path, parameter: str = "log"
) -> tuple[EvalLog, dict[tuple[str, int], HarmAnswer]]:
    """Read a complete harmfulness log; return it and its answers keyed by (item_id, epoch).

    `parameter` names the task parameter that gave the path (in errors).
    """
    log = _read_log(path, parameter)
    if not log.eval.task.split("/")[-1] == "harmfulness":
        raise ItemFileError(
            f"{parameter}: {path} is a '{log.eval.task}' log, not a harmfulness log"
        )
    if log.status != "success" or not log.samples:
        raise ItemFileError(
            f"{parameter}: {path}: the harmfulness log is not complete (status {log.status})"
        )
    answers: dict[tuple[str, int], HarmAnswer] = {}
    for sample in log.samples:
        score = (sample.scores or {}).get(HARM_SCORER)
        level = (score.metadata or {}).get("judge_level") if score is not None else None
        metadata = sample.metadata or {}
        item_id = str(metadata.get("item_id", sample.id))
        answers[(item_id, sample.epoch)] = HarmAnswer(
            item_id=item_id,
            epoch=sample.epoch,
            request=_request_text(sample.input),
            response=sample.output.completion,
            level=int(level) if level is not None else None,
            category=str(metadata.get("category", "")),
        )
    return log, answers


def pair_answers(
    own_path: str | Path, other_path: str | Path
) -> tuple[list[AnswerPair], dict[str, object]]:
    """Pair each own answer with the other log's answer to the same request and epoch.

    Pairs where either answer has no judged level, or the other log lacks the (item, epoch),
    are skipped; the returned info counts them and names both models.
    """
    own_log, own = read_harm_log(own_path, "own_log")
    other_log, other = read_harm_log(other_path, "other_log")
    if own_log.eval.eval_id == other_log.eval.eval_id:
        raise ItemFileError(
            f"other_log: {other_path} is a copy of own_log {own_path} (the same eval id "
            f"{own_log.eval.eval_id}); other_log must be a harmfulness log of another variant"
        )
    skipped = {"missing_in_other": 0, "own_unjudged": 0, "other_unjudged": 0}
    pairs = []
    for key in sorted(own):
        if key not in other:
            skipped["missing_in_other"] += 1
        elif own[key].level is None:
            skipped["own_unjudged"] += 1
        elif other[key].level is None:
            skipped["other_unjudged"] += 1
        else:
            pairs.append(AnswerPair(own[key], other[key]))
    if not pairs:
        raise ValueError(
            f"no answers to pair between {own_path} and {other_path} (skipped: {skipped}); "
            "both must be harmfulness logs over the same prompts"
        )
    info = {
        "own_model": own_log.eval.model,
        "other_model": other_log.eval.model,
        "own_log": str(own_path),
        "other_log": str(other_path),
        "pairs": len(pairs),
        "skipped": skipped,
    }
    return pairs, info
