"""Harmfulness prompts: our own 320 (8 categories x 40) or W26's public list."""

from __future__ import annotations

from pathlib import Path

from inspect_ai.dataset import MemoryDataset, Sample

from em_selfaware.banks.jsonl import ItemFileError, parse_selection, read_jsonl
from em_selfaware.download import (
    W26_SOURCE,
    PinnedFile,
    local_or_fetch,
    w26_file_url,
    with_env_overrides,
)
from em_selfaware.inputs import ParameterError, one_of, optional_whole_number
from em_selfaware.paths import data_file
from em_selfaware.textfiles import read_text

CATEGORIES: tuple[str, ...] = (
    "stereotyping",
    "insults",
    "social_topics",
    "offensive_humor",
    "violence",
    "illegal_activity",
    "harmful_advice",
    "sensitive_topics",
)
DATASETS: tuple[str, ...] = ("ours", "weckauff2026")

W26_URL_ENV = "EM_SELFAWARE_W26_HARM_URL"
W26_SHA256_ENV = "EM_SELFAWARE_W26_HARM_SHA256"
W26_FILE_NAME = "weckauff2026_harm_prompts.txt"
W26_PATH = "harmfulness_and_self_assessment_evaluation/data/harm_eval_questions.txt"
"""The prompt list in W26's repository (`download.W26_REPOSITORY` at `W26_COMMIT`)."""
W26_SHA256 = "53b430e5d78f519fce7ff33cf773ca0580ca9a607d5fe6af93dac83f0d3a0b52"
W26_PROMPT_COUNT = 350
"""Prompts in the pinned file (W26: 350). PROTOCOL.md counts 349 lines: 350 prompts with no
newline after the last one, which `wc -l` counts as 349. Blank lines are skipped, so the count
holds with or without a final newline. Not checked against the file itself here (GitHub was
unreachable when it was pinned): if the pinned file parses to another count, the loader stops
and says so rather than run a list it may have split wrongly."""
W26_PINNED = PinnedFile(
    name=W26_FILE_NAME, url=w26_file_url(W26_PATH), sha256=W26_SHA256, source=W26_SOURCE
)


def w26_pinned() -> PinnedFile:
    """Return the pin of W26's public harm prompts (one prompt per line).

    Defaults: `W26_PINNED` (the file at commit `download.W26_COMMIT`).
    ``EM_SELFAWARE_W26_HARM_URL`` overrides the URL (a mirror) and
    ``EM_SELFAWARE_W26_HARM_SHA256`` the digest (another version, e.g. a local file given with
    ``-T dataset_path=FILE``).
    """
    return with_env_overrides(W26_PINNED, W26_URL_ENV, W26_SHA256_ENV)


def our_prompts() -> list[Sample]:
    """Return our 320 harmfulness prompts with stable ids and `category` metadata."""
    path = data_file("harmfulness", "prompts.jsonl")
    samples = []
    for record in read_jsonl(path, required=("id", "category", "prompt")):
        if record["category"] not in CATEGORIES:
            raise ValueError(f"{path}: unknown category '{record['category']}' in {record['id']}")
        samples.append(
            Sample(
                id=record["id"],
                input=record["prompt"],
                metadata={
                    "probe": "harmfulness",
                    "category": record["category"],
                    "item_id": record["id"],
                    "dimension": "harmless",
                },
            )
        )
    return samples


def w26_prompts(path: Path, expected_count: int | None = None) -> list[Sample]:
    """Parse W26's list (one prompt per line; blank lines skipped) into samples.

    `expected_count`: the number of prompts the file must hold (the pinned file's count).
    """
    text = read_text(path, "W26 prompt list", ItemFileError)
    prompts = [line.strip() for line in text.split("\n") if line.strip()]
    if not prompts:
        raise ItemFileError(f"{path}: the W26 prompt list is empty")
    if expected_count is not None and len(prompts) != expected_count:
        raise ItemFileError(
            f"{path}: the pinned W26 prompt list should hold {expected_count} prompts (one per "
            f"non-blank line) but holds {len(prompts)}; the file's layout is not what this "
            "loader expects: please report it"
        )
    return [
        Sample(
            id=f"w26-{index:03d}",
            input=prompt,
            metadata={
                "probe": "harmfulness",
                "category": "w26",
                "item_id": f"w26-{index:03d}",
                "dimension": "harmless",
            },
        )
        for index, prompt in enumerate(prompts, start=1)
    ]


def load_harm_prompts(
    dataset: str = "ours",
    categories: str | list[str] | None = None,
    path: str | Path | None = None,
    per_category: int | None = None,
) -> MemoryDataset:
    """Return the harmfulness dataset named `dataset`, optionally restricted to `categories`."""
    one_of("dataset", dataset, DATASETS)
    per_category = optional_whole_number("per_category", per_category)
    if dataset == "ours":
        if path is not None:
            raise ParameterError(
                "dataset_path", "dataset_path applies only to dataset=weckauff2026"
            )
        chosen = parse_selection(categories, CATEGORIES, "categories")
        samples = [s for s in our_prompts() if s.metadata and s.metadata["category"] in chosen]
    else:
        if categories is not None:
            raise ParameterError(
                "categories",
                "categories do not apply to W26's list, which has none (per_category=N keeps "
                "its first N prompts)",
            )
        pinned = w26_pinned()
        local = local_or_fetch(pinned, path)
        expected = W26_PROMPT_COUNT if pinned.sha256 == W26_SHA256 else None
        samples = w26_prompts(local, expected)
    if per_category is not None:
        kept: dict[str, int] = {}
        subset = []
        for sample in samples:
            category = (sample.metadata or {}).get("category", "")
            if kept.get(category, 0) < per_category:
                kept[category] = kept.get(category, 0) + 1
                subset.append(sample)
        samples = subset
    return MemoryDataset(samples, name=f"harmfulness-{dataset}")
