"""EM free-form questions: EM's two public YAML files (pinned) or our own offline set.

EM (Betley et al. 2025, arXiv 2502.17424) publishes its evaluation questions in its repository
(MIT licence): `evaluation/first_plot_questions.yaml` (8 questions, each also with a JSON-answer
system prompt and a fill-in template: 24 entries) and `evaluation/preregistered_evals.yaml`
(48 questions). Each entry is ``{id, type, paraphrases, samples_per_paraphrase, judge,
judge_prompts, system?}``; we use `id`, `paraphrases`, `system` and the `aligned` / `coherent`
judge prompts. The files are downloaded at run time and checked against a sha256; nothing of
them is shipped here.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from em_selfaware.banks.jsonl import ItemFileError, read_jsonl
from em_selfaware.download import PinnedFile, fetch, verify_local
from em_selfaware.paths import data_file
from em_selfaware.textfiles import read_text

EM_REPOSITORY = "emergent-misalignment/emergent-misalignment"
EM_COMMIT = "main"
"""Git revision in the download URL. UNVERIFIED: the commit whose files match the digests below
was not known when they were recorded (the digests are of verbatim copies of upstream `main` as
of 2025-04), so the URL names the branch and the sha256 is the actual pin: if upstream changes,
the download fails its checksum instead of silently using other questions. Override with
``EM_SELFAWARE_EM_COMMIT`` (a commit hash) once it is known."""
EM_COMMIT_ENV = "EM_SELFAWARE_EM_COMMIT"

QUESTION_SETS: dict[str, str] = {
    "first_plot": "first_plot_questions.yaml",
    "preregistered": "preregistered_evals.yaml",
}
"""EM question set -> file name in the repository's `evaluation/` folder."""
EM_SHA256: dict[str, str] = {
    "first_plot": "4f2180375e0b5b36537c06c8bd349cad4be5f7e1f7ee8a6f2b35a1f69932f792",
    "preregistered": "8648312fd9fe71a63203e3465592af45dd996d7a5f3b69e9b44613fd6048eb40",
}
DATASETS: tuple[str, ...] = ("ours", "em", "em_first_plot", "em_preregistered")
"""``em`` = both EM files (72 questions); ``em_first_plot`` (24); ``em_preregistered`` (48)."""
FORMATS: tuple[str, ...] = ("plain", "json", "template")
SUPPORTED_TYPE = "free_form_judge_0_100"
JUDGE_KEYS: tuple[str, ...] = ("aligned", "coherent")
_TRAILING_INDEX = re.compile(r"_\d+$")
_LEADING_INDEX = re.compile(r"^\d+_")


@dataclass(frozen=True)
class JudgePrompts:
    """The two judge prompt templates (placeholders ``{question}`` and ``{answer}``)."""

    aligned: str
    coherent: str


@dataclass(frozen=True)
class EmQuestion:
    """One question as asked: a single paraphrase, with its format and judge prompts."""

    item_id: str
    question_id: str
    question_set: str
    format: str
    theme: str
    text: str
    system: str | None = None
    judge_prompts: JudgePrompts | None = None
    """The source's own judge prompts (EM files only)."""


def em_pinned(question_set: str) -> PinnedFile:
    """Return the pinned source of one EM question file (``first_plot`` or ``preregistered``)."""
    if question_set not in QUESTION_SETS:
        raise ValueError(f"unknown EM question set '{question_set}'; valid: {list(QUESTION_SETS)}")
    commit = os.environ.get(EM_COMMIT_ENV) or EM_COMMIT
    file_name = QUESTION_SETS[question_set]
    return PinnedFile(
        name=f"em_{file_name}",
        url=f"https://raw.githubusercontent.com/{EM_REPOSITORY}/{commit}/evaluation/{file_name}",
        sha256=EM_SHA256[question_set],
        source="Betley et al. 2025 (arXiv 2502.17424), github.com/" + EM_REPOSITORY + " (MIT)",
    )


def _theme(question_set: str, question_id: str) -> str:
    """Group label: the base question (first plot) or the category (pre-registered)."""
    if question_set == "first_plot":
        for suffix in ("_json", "_template"):
            if question_id.endswith(suffix):
                return question_id.removesuffix(suffix)
        return question_id
    return _TRAILING_INDEX.sub("", _LEADING_INDEX.sub("", question_id))


def _format(question_id: str, system: str | None) -> str:
    if system:
        return "json"
    if question_id.endswith("_template"):
        return "template"
    return "plain"


def _judge_prompts(entry: dict[str, Any], where: str) -> JudgePrompts:
    prompts = entry.get("judge_prompts")
    if not isinstance(prompts, dict):
        raise ItemFileError(f"{where}: 'judge_prompts' must be a mapping")
    texts = []
    for key in JUDGE_KEYS:
        text = prompts.get(key)
        if not isinstance(text, str) or "{question}" not in text or "{answer}" not in text:
            raise ItemFileError(
                f"{where}: judge prompt '{key}' missing or without {{question}}/{{answer}}"
            )
        texts.append(text)
    return JudgePrompts(aligned=texts[0], coherent=texts[1])


def parse_em_yaml(path: Path, question_set: str) -> list[EmQuestion]:
    """Parse one EM question file into questions (one per paraphrase), validating its schema."""
    try:
        entries = yaml.safe_load(read_text(path, "EM question file", ItemFileError))
    except yaml.YAMLError as error:
        raise ItemFileError(f"{path}: not valid YAML ({error})") from None
    if not isinstance(entries, list) or not entries:
        raise ItemFileError(f"{path}: expected a non-empty YAML list of questions")
    questions: list[EmQuestion] = []
    seen: set[str] = set()
    for index, entry in enumerate(entries):
        where = f"{path} entry {index}"
        if not isinstance(entry, dict) or not isinstance(entry.get("id"), str):
            raise ItemFileError(f"{where}: expected a mapping with a string 'id'")
        question_id = entry["id"]
        where = f"{path} question '{question_id}'"
        if question_id in seen:
            raise ItemFileError(f"{where}: duplicate id")
        seen.add(question_id)
        if entry.get("type") != SUPPORTED_TYPE:
            raise ItemFileError(
                f"{where}: unsupported type {entry.get('type')!r} (expected {SUPPORTED_TYPE})"
            )
        paraphrases = entry.get("paraphrases")
        if (
            not isinstance(paraphrases, list)
            or not paraphrases
            or not all(isinstance(p, str) and p.strip() for p in paraphrases)
        ):
            raise ItemFileError(f"{where}: 'paraphrases' must be a non-empty list of strings")
        system = entry.get("system")
        if system is not None and not isinstance(system, str):
            raise ItemFileError(f"{where}: 'system' must be a string")
        prompts = _judge_prompts(entry, where)
        for number, text in enumerate(paraphrases):
            suffix = f"-p{number}" if len(paraphrases) > 1 else ""
            questions.append(
                EmQuestion(
                    item_id=f"em-{question_id}{suffix}",
                    question_id=question_id,
                    question_set=question_set,
                    format=_format(question_id, system),
                    theme=_theme(question_set, question_id),
                    text=text,
                    system=system,
                    judge_prompts=prompts,
                )
            )
    return questions


def em_questions(question_sets: Iterable[str], path: str | Path | None = None) -> list[EmQuestion]:
    """Return EM's questions from the pinned files (downloaded and cached, sha256-checked).

    `path` is a local folder holding the files under their upstream names (still checked).
    """
    questions: list[EmQuestion] = []
    for question_set in question_sets:
        pinned = em_pinned(question_set)
        if path is not None:
            local = Path(path) / QUESTION_SETS[question_set]
            if not local.is_file():
                raise ItemFileError(
                    f"dataset_path: {Path(path)} holds no {QUESTION_SETS[question_set]} "
                    "(EM's file, under its upstream name)"
                )
            verify_local(local, pinned)
        else:
            local = fetch(pinned)
        questions.extend(parse_em_yaml(local, question_set))
    return questions


def our_questions() -> list[EmQuestion]:
    """Return our own open questions, each in the plain, JSON and template formats."""
    path = data_file("emergent_misalignment", "questions.jsonl")
    formats = read_jsonl(data_file("emergent_misalignment", "formats.jsonl"), ("id", "kind"))
    by_format = {record["id"]: record for record in formats}
    missing = [name for name in FORMATS if name not in by_format]
    if missing:
        raise ItemFileError(f"formats.jsonl lacks the formats {missing}")
    questions = []
    for record in read_jsonl(path, required=("id", "theme", "question")):
        for name in FORMATS:
            spec = by_format[name]
            text = record["question"]
            if spec["kind"] == "suffix":
                text = f"{text}\n\n{spec['text']}"
            questions.append(
                EmQuestion(
                    item_id=f"ours-{record['id']}-{name}",
                    question_id=record["id"],
                    question_set="ours",
                    format=name,
                    theme=record["theme"],
                    text=text,
                    system=spec["text"] if spec["kind"] == "system" else None,
                )
            )
    return questions


def load_em_questions(
    dataset: str = "ours",
    path: str | Path | None = None,
    formats: Iterable[str] | None = None,
) -> list[EmQuestion]:
    """Return the questions of `dataset` (see `DATASETS`), optionally only some `formats`."""
    if dataset not in DATASETS:
        raise ValueError(f"unknown EM question dataset '{dataset}'; valid: {', '.join(DATASETS)}")
    if dataset == "ours":
        if path is not None:
            raise ValueError("dataset_path applies only to the EM datasets (em, em_...)")
        questions = our_questions()
    else:
        sets = list(QUESTION_SETS) if dataset == "em" else [dataset.removeprefix("em_")]
        questions = em_questions(sets, path)
    if formats is not None:
        chosen = set(formats)
        questions = [q for q in questions if q.format in chosen]
    if not questions:
        raise ValueError(f"no EM questions left in '{dataset}' for formats {sorted(formats or [])}")
    return questions
