"""Two-AI identification items: our own pairs, or W26's public JSON (pinned URL and sha256).

W26's file is a JSON object with ``items``: a list of ``{item_id, misaligned_is_A, system_A,
system_B, ground_truth, theme}`` where `ground_truth` is the letter of the misaligned system
(150 items). Every item is asked in both orders (misaligned system as A, then as B).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from inspect_ai.dataset import MemoryDataset, Sample

from em_selfaware.banks.jsonl import ItemFileError, read_jsonl
from em_selfaware.download import (
    W26_SOURCE,
    PinnedFile,
    local_or_fetch,
    w26_file_url,
    with_env_overrides,
)
from em_selfaware.inputs import ParameterError, one_of
from em_selfaware.paths import data_file
from em_selfaware.templates import fill_template, read_template
from em_selfaware.textfiles import read_text

PROBE = "two_ai_identification"
DATASETS: tuple[str, ...] = ("ours", "weckauff2026")
ORDERS: tuple[str, ...] = ("misaligned_first", "aligned_first")
W26_URL_ENV = "EM_SELFAWARE_W26_TWO_AI_URL"
W26_SHA256_ENV = "EM_SELFAWARE_W26_TWO_AI_SHA256"
W26_FILE_NAME = "weckauff2026_two_ai_items.json"
W26_PATH = "self_report_experiments/data/two_AI_identification_dataset.json"
"""The items' file in W26's repository (`download.W26_REPOSITORY` at `W26_COMMIT`)."""
W26_SHA256 = "aa3d74197fcb71bc87f2e39762e9b010d3ec4d07d02f04a2ccb36ade50f3e93f"
W26_ITEM_COUNT = 150
"""Items in the pinned file (W26, PROTOCOL.md); checked when the digest is the pinned one."""
W26_PINNED = PinnedFile(
    name=W26_FILE_NAME, url=w26_file_url(W26_PATH), sha256=W26_SHA256, source=W26_SOURCE
)
_W26_FIELDS = ("item_id", "misaligned_is_A", "system_A", "system_B", "ground_truth", "theme")


@dataclass(frozen=True)
class SystemPair:
    """One item: an aligned and a misaligned AI system description."""

    item_id: str
    theme: str
    aligned: str
    misaligned: str
    source: str


def w26_pinned() -> PinnedFile:
    """Return the pin of W26's two-AI items.

    Defaults: `W26_PINNED` (the file at commit `download.W26_COMMIT`).
    ``EM_SELFAWARE_W26_TWO_AI_URL`` overrides the URL (a mirror) and
    ``EM_SELFAWARE_W26_TWO_AI_SHA256`` the digest (another version of the file).
    """
    return with_env_overrides(W26_PINNED, W26_URL_ENV, W26_SHA256_ENV)


def our_pairs() -> list[SystemPair]:
    """Return our own system pairs."""
    path = data_file("persona", "two_ai_items.jsonl")
    return [
        SystemPair(r["id"], r["theme"], r["aligned"], r["misaligned"], "ours")
        for r in read_jsonl(path, required=("id", "theme", "aligned", "misaligned"))
    ]


def parse_w26_items(path: Path, expected_count: int | None = None) -> list[SystemPair]:
    """Parse W26's JSON, checking every field and that `ground_truth` matches `misaligned_is_A`.

    `expected_count`: the number of items the file must hold (the pinned file's count).
    """
    try:
        document = json.loads(read_text(path, "W26 two-AI item file", ItemFileError))
    except json.JSONDecodeError as error:
        raise ItemFileError(f"{path}: not valid JSON ({error})") from None
    items = document.get("items") if isinstance(document, dict) else None
    if not isinstance(items, list) or not items:
        raise ItemFileError(f"{path}: expected an object with a non-empty 'items' list")
    pairs: list[SystemPair] = []
    seen: set[str] = set()
    for index, item in enumerate(items):
        where = f"{path} item {index}"
        missing = [key for key in _W26_FIELDS if not isinstance(item, dict) or key not in item]
        if missing:
            raise ItemFileError(f"{where}: missing {missing}")
        item_id = str(item["item_id"])
        if item_id in seen:
            raise ItemFileError(f"{where}: duplicate item_id '{item_id}'")
        seen.add(item_id)
        if not isinstance(item["misaligned_is_A"], bool):
            raise ItemFileError(f"{where}: misaligned_is_A must be true or false")
        expected = "A" if item["misaligned_is_A"] else "B"
        if item["ground_truth"] != expected:
            raise ItemFileError(
                f"{where}: ground_truth '{item['ground_truth']}' contradicts "
                f"misaligned_is_A={item['misaligned_is_A']}"
            )
        for key in ("system_A", "system_B"):
            if not isinstance(item[key], str) or not item[key].strip():
                raise ItemFileError(f"{where}: {key} must be a non-empty string")
        a, b = item["system_A"], item["system_B"]
        misaligned, aligned = (a, b) if item["misaligned_is_A"] else (b, a)
        pairs.append(SystemPair(f"w26-{item_id}", str(item["theme"]), aligned, misaligned, "w26"))
    if expected_count is not None and len(pairs) != expected_count:
        raise ItemFileError(
            f"{path}: the pinned W26 two-AI file should hold {expected_count} items but holds "
            f"{len(pairs)}; please report it"
        )
    return pairs


def two_ai_samples(pairs: list[SystemPair]) -> list[Sample]:
    """Return two samples per pair: the misaligned system as A, then as B."""
    template = read_template("persona", "two_ai_prompt.txt")
    samples = []
    for pair in pairs:
        for order in ORDERS:
            first, second = (
                (pair.misaligned, pair.aligned)
                if order == "misaligned_first"
                else (pair.aligned, pair.misaligned)
            )
            samples.append(
                Sample(
                    id=f"{pair.item_id}-{order}",
                    input=fill_template(template, system_a=first, system_b=second),
                    metadata={
                        "probe": PROBE,
                        "dimension": "aligned",
                        "item_id": pair.item_id,
                        "order": order,
                        "theme": pair.theme,
                        "aligned_option": pair.aligned,
                        "misaligned_option": pair.misaligned,
                        "misaligned_letter": "A" if order == "misaligned_first" else "B",
                        "source": pair.source,
                    },
                )
            )
    return samples


def load_two_ai(dataset: str = "ours", path: str | Path | None = None) -> MemoryDataset:
    """Return the two-AI identification samples of `dataset` (both orders of every item)."""
    one_of("dataset", dataset, DATASETS)
    if dataset == "ours":
        if path is not None:
            raise ParameterError(
                "dataset_path", "dataset_path applies only to dataset=weckauff2026"
            )
        pairs = our_pairs()
    else:
        pinned = w26_pinned()
        local = local_or_fetch(pinned, path)
        pairs = parse_w26_items(local, W26_ITEM_COUNT if pinned.sha256 == W26_SHA256 else None)
    return MemoryDataset(two_ai_samples(pairs), name=f"{PROBE}-{dataset}")
