"""W26's public files: pinned defaults, environment overrides, offline local copies.

GitHub is never contacted: `urlopen` is replaced in every test (a stub that serves bytes or
fails), and the pinned digests are swapped for our fixtures' where a test needs a "pinned" file.
"""

from __future__ import annotations

import hashlib
import io
import json
import urllib.request
from pathlib import Path

import pytest

from em_selfaware import download
from em_selfaware.banks import harmfulness, two_ai
from em_selfaware.banks.harmfulness import load_harm_prompts
from em_selfaware.banks.jsonl import ItemFileError
from em_selfaware.banks.two_ai import load_two_ai
from em_selfaware.download import DataSourceError

FIXTURES = Path(__file__).parent / "fixtures"
PROMPTS = FIXTURES / "w26_prompts_sample.txt"
TWO_AI = FIXTURES / "w26_two_ai_sample.json"
COMMIT = "ddf3ed1adc1f9233861146551723dd8126c76ccc"
RAW = f"https://raw.githubusercontent.com/aisa-group/EM-persona-consistency/{COMMIT}/"
ENV = [
    harmfulness.W26_URL_ENV,
    harmfulness.W26_SHA256_ENV,
    two_ai.W26_URL_ENV,
    two_ai.W26_SHA256_ENV,
]


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture(autouse=True)
def offline(monkeypatch, tmp_path):
    """No environment pins, an empty cache, and a network that records and refuses requests."""
    for name in ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("EM_SELFAWARE_CACHE", str(tmp_path / "cache"))
    requested: list[str] = []

    def refuse(url, timeout=None):
        requested.append(url)
        raise OSError("network unreachable (test)")

    monkeypatch.setattr(urllib.request, "urlopen", refuse)
    return requested


def serve(monkeypatch, data: bytes) -> list[str]:
    """Answer every request with `data`; return the list of requested URLs."""
    requested: list[str] = []

    def respond(url, timeout=None):
        requested.append(url)
        return io.BytesIO(data)

    monkeypatch.setattr(urllib.request, "urlopen", respond)
    return requested


def pin_default(monkeypatch, module, data: bytes) -> None:
    """Make `data` the file the module pins by default (as if it were W26's real file)."""
    monkeypatch.setattr(module, "W26_SHA256", digest(data))
    monkeypatch.setattr(
        module, "W26_PINNED", download.replace(module.W26_PINNED, sha256=digest(data))
    )


def test_defaults_are_the_raw_files_at_the_pinned_commit():
    harm = harmfulness.w26_pinned()
    harm_path = "harmfulness_and_self_assessment_evaluation/data/harm_eval_questions.txt"
    assert harm.url == RAW + harm_path
    assert harm.sha256 == "53b430e5d78f519fce7ff33cf773ca0580ca9a607d5fe6af93dac83f0d3a0b52"
    items = two_ai.w26_pinned()
    assert items.url == RAW + "self_report_experiments/data/two_AI_identification_dataset.json"
    assert items.sha256 == "aa3d74197fcb71bc87f2e39762e9b010d3ec4d07d02f04a2ccb36ade50f3e93f"
    assert harmfulness.W26_PROMPT_COUNT == 350 and two_ai.W26_ITEM_COUNT == 150


def test_environment_overrides_url_and_digest_separately(monkeypatch):
    monkeypatch.setenv(harmfulness.W26_URL_ENV, "https://mirror.example/w26.txt")
    pinned = harmfulness.w26_pinned()
    assert pinned.url == "https://mirror.example/w26.txt"
    assert pinned.sha256 == harmfulness.W26_SHA256
    monkeypatch.delenv(harmfulness.W26_URL_ENV)
    monkeypatch.setenv(harmfulness.W26_SHA256_ENV, "AB" * 32)
    pinned = harmfulness.w26_pinned()
    assert pinned.url.startswith(RAW) and pinned.sha256 == "ab" * 32
    monkeypatch.setenv(harmfulness.W26_SHA256_ENV, "not-a-digest")
    with pytest.raises(DataSourceError, match="EM_SELFAWARE_W26_HARM_SHA256=.*64 hexadecimal"):
        harmfulness.w26_pinned()


def test_download_requests_the_pinned_url_and_caches_the_verified_file(monkeypatch, tmp_path):
    data = PROMPTS.read_bytes()
    pin_default(monkeypatch, harmfulness, data)
    monkeypatch.setattr(harmfulness, "W26_PROMPT_COUNT", 5)
    requested = serve(monkeypatch, data)
    assert len(load_harm_prompts("weckauff2026")) == 5
    assert requested == [harmfulness.W26_PINNED.url]
    assert (tmp_path / "cache" / harmfulness.W26_FILE_NAME).read_bytes() == data


def test_offline_local_file_with_only_the_digest_variable(monkeypatch, offline):
    monkeypatch.setenv(harmfulness.W26_SHA256_ENV, digest(PROMPTS.read_bytes()))
    dataset = load_harm_prompts("weckauff2026", path=str(PROMPTS))
    assert len(dataset) == 5
    monkeypatch.setenv(two_ai.W26_SHA256_ENV, digest(TWO_AI.read_bytes()))
    assert len(load_two_ai("weckauff2026", str(TWO_AI))) == 6
    assert offline == []  # nothing was requested


def test_offline_local_file_with_the_default_digest(monkeypatch, offline):
    pin_default(monkeypatch, two_ai, TWO_AI.read_bytes())
    monkeypatch.setattr(two_ai, "W26_ITEM_COUNT", 3)
    assert len(load_two_ai("weckauff2026", str(TWO_AI))) == 6
    assert offline == []


@pytest.mark.parametrize("final_newline", [True, False])
def test_pinned_prompt_count_holds_with_or_without_a_final_newline(
    monkeypatch, tmp_path, final_newline
):
    prompts = [f"Prompt number {i}?" for i in range(1, 351)]
    text = "\n".join(prompts) + ("\n" if final_newline else "")
    path = tmp_path / "harm_eval_questions.txt"
    path.write_text(text, encoding="utf-8")
    assert text.count("\n") == (350 if final_newline else 349)  # what `wc -l` reports
    pin_default(monkeypatch, harmfulness, path.read_bytes())
    dataset = load_harm_prompts("weckauff2026", path=str(path))
    assert len(dataset) == 350
    assert dataset[349].input == "Prompt number 350?"


def test_pinned_file_with_another_count_stops_instead_of_guessing(monkeypatch):
    pin_default(monkeypatch, harmfulness, PROMPTS.read_bytes())  # 5 prompts, 350 expected
    with pytest.raises(ItemFileError, match="should hold 350 prompts .* but holds 5"):
        load_harm_prompts("weckauff2026", path=str(PROMPTS))
    pin_default(monkeypatch, two_ai, TWO_AI.read_bytes())  # 3 items, 150 expected
    with pytest.raises(ItemFileError, match="should hold 150 items but holds 3"):
        load_two_ai("weckauff2026", str(TWO_AI))


def test_a_changed_local_copy_says_what_differs_and_never_to_delete_it(tmp_path):
    copy = tmp_path / "harm_eval_questions.txt"
    copy.write_bytes(PROMPTS.read_bytes().replace(b"\n", b"\r\n"))
    with pytest.raises(DataSourceError) as error:
        load_harm_prompts("weckauff2026", path=str(copy))
    message = str(error.value)
    assert message.startswith(f"dataset_path: {copy} is not the pinned")
    assert digest(copy.read_bytes()) in message and harmfulness.W26_SHA256 in message
    assert "Windows line endings (CRLF)" in message
    assert f"{harmfulness.W26_SHA256_ENV}={digest(copy.read_bytes())}" in message
    assert harmfulness.W26_PINNED.url in message
    assert "delete" not in message


def test_offline_without_a_local_copy_names_the_url_cache_and_parameter(offline):
    with pytest.raises(DataSourceError) as error:
        load_two_ai("weckauff2026")
    message = str(error.value)
    assert two_ai.W26_PINNED.url in message
    assert two_ai.W26_FILE_NAME in message  # the cache path to place it at
    assert "-T dataset_path=FILE" in message
    assert offline == [two_ai.W26_PINNED.url]


def test_a_download_that_does_not_match_caches_nothing(monkeypatch, tmp_path):
    serve(monkeypatch, b"something else\n")
    with pytest.raises(DataSourceError, match="does not serve the pinned version"):
        load_harm_prompts("weckauff2026")
    assert not any((tmp_path / "cache").glob("*"))


def test_two_ai_file_that_is_not_utf8_names_the_file(monkeypatch, tmp_path):
    bad = tmp_path / "items.json"
    bad.write_bytes(json.dumps({"items": []}).encode().replace(b"[]", b'["caf\xe9"]'))
    monkeypatch.setenv(two_ai.W26_SHA256_ENV, digest(bad.read_bytes()))
    with pytest.raises(ItemFileError, match=f"{bad}: not UTF-8 text .*line 1"):
        load_two_ai("weckauff2026", str(bad))
