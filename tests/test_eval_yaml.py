"""em_tasks/eval.yaml, the suite's listing, says what the code does."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

import em_tasks
from em_selfaware.banks.em_questions import EM_COMMIT_ENV, QUESTION_SETS, em_pinned
from em_selfaware.banks.harmfulness import W26_SHA256_ENV as HARM_SHA256_ENV
from em_selfaware.banks.harmfulness import W26_URL_ENV as HARM_URL_ENV
from em_selfaware.banks.harmfulness import w26_pinned as harm_w26_pinned
from em_selfaware.banks.two_ai import W26_SHA256_ENV as TWO_AI_SHA256_ENV
from em_selfaware.banks.two_ai import W26_URL_ENV as TWO_AI_URL_ENV
from em_selfaware.banks.two_ai import w26_pinned as two_ai_w26_pinned

LISTING = Path(em_tasks.__file__).parent / "eval.yaml"


@pytest.fixture(scope="module")
def listing() -> dict:
    return yaml.safe_load(LISTING.read_text(encoding="utf-8"))


def test_listing_names_every_task_once(listing):
    names = [entry["name"] for entry in listing["tasks"]]
    assert sorted(names) == sorted(em_tasks.__all__)
    assert len(names) == len(set(names))


def test_sample_counts_are_those_of_the_default_parameters(listing):
    for entry in listing["tasks"]:
        task = getattr(em_tasks, entry["name"])()
        assert entry["dataset_samples"] == len(task.dataset), entry["name"]


def test_pinned_sources_are_the_ones_the_loaders_download(listing, monkeypatch):
    for env in (EM_COMMIT_ENV, HARM_URL_ENV, HARM_SHA256_ENV, TWO_AI_URL_ENV, TWO_AI_SHA256_ENV):
        monkeypatch.delenv(env, raising=False)
    pins = [em_pinned(question_set) for question_set in QUESTION_SETS]
    pins += [harm_w26_pinned(), two_ai_w26_pinned()]
    assets = {asset["source"]: asset for asset in listing["external_assets"]}
    assert sorted(assets) == sorted(pin.url for pin in pins)
    for pin in pins:
        assert assets[pin.url]["state"] == "pinned"
        assert pin.sha256 in assets[pin.url]["comment"]


def test_required_fields_of_the_format(listing):
    for field in ("title", "description", "group", "contributors", "tasks"):
        assert listing.get(field), field
    assert all(paper["url"].startswith("https://arxiv.org/abs/") for paper in listing["papers"])
