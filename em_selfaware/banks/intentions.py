"""Intentions scenarios: our own 150 (6 dimensions x 25), each asked in both option orders."""

from __future__ import annotations

from inspect_ai.dataset import MemoryDataset, Sample

from em_selfaware.axes import DIMENSIONS
from em_selfaware.banks.jsonl import ItemFileError, parse_selection, read_jsonl
from em_selfaware.inputs import optional_whole_number
from em_selfaware.paths import data_file
from solvers.two_options import with_both_orders

PROBE = "intentions"
SCENARIO_FIELDS: tuple[str, ...] = (
    "id", "dimension", "scenario", "aligned_option", "misaligned_option"
)


def load_scenarios() -> list[dict[str, str]]:
    """Return the scenario records of `datasets/intentions/scenarios.jsonl`, validated."""
    path = data_file("intentions", "scenarios.jsonl")
    records = read_jsonl(path, required=SCENARIO_FIELDS)
    for record in records:
        if record["dimension"] not in DIMENSIONS:
            raise ItemFileError(
                f"{path}: unknown dimension '{record['dimension']}' in {record['id']}"
            )
        if record["aligned_option"].strip() == record["misaligned_option"].strip():
            raise ItemFileError(f"{path}: {record['id']} has two identical options")
    return records


def limit_per_group(records: list[dict], key: str, limit: int | None) -> list[dict]:
    """Keep the first `limit` records of each `key` group (all when `limit` is None)."""
    limit = optional_whole_number(f"per_{key}", limit)
    if limit is None:
        return records
    kept: dict[str, int] = {}
    subset = []
    for record in records:
        group = record[key]
        if kept.get(group, 0) < limit:
            kept[group] = kept.get(group, 0) + 1
            subset.append(record)
    return subset


def scenario_samples(record: dict[str, str]) -> list[Sample]:
    """Return the two samples (one per option order) of one scenario."""
    metadata = {
        "probe": PROBE,
        "dimension": record["dimension"],
        "aligned_option": record["aligned_option"],
        "misaligned_option": record["misaligned_option"],
    }
    return with_both_orders(record["id"], record["scenario"], metadata)


def load_intentions(
    dimensions: str | list[str] | None = None, per_dimension: int | None = None
) -> MemoryDataset:
    """Return the intentions dataset: selected dimensions, first `per_dimension` scenarios each."""
    chosen = parse_selection(dimensions, DIMENSIONS, "dimensions")
    records = [r for r in load_scenarios() if r["dimension"] in chosen]
    records = limit_per_group(records, "dimension", per_dimension)
    samples = [sample for record in records for sample in scenario_samples(record)]
    return MemoryDataset(samples, name="intentions")
