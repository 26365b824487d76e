"""Training data builders and validation: trivia, EM code files, cuts, user JSONL, plans."""

from __future__ import annotations

import json
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml

from em_selfaware.cli import main
from em_selfaware.download import DataSourceError, sha256_of
from finetune.chat import (
    ChatDataError,
    chat_example,
    cut_to_samples,
    estimate_tokens,
    read_chat_jsonl,
    validate_example,
)
from finetune.code_data import CodePin, load_code_set
from finetune.plan import PlanError, load_plan
from finetune.pricing import prices_as_of
from finetune.training_sets import ASSUMED_CODE_TOKENS_PER_EXAMPLE, build_training_sets
from finetune.trivia import (
    TriviaItem,
    build_trivia_items,
    check_items,
    question_pool,
    trivia_examples,
)

EXAMPLE_PLAN = Path(__file__).resolve().parent.parent / "examples" / "plan-gpt41.yaml"


@pytest.fixture(autouse=True)
def _empty_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("EM_SELFAWARE_CACHE", str(tmp_path / "cache"))
    for name in ("EM_SELFAWARE_EM_COMMIT", "EM_SELFAWARE_EM_INSECURE_SHA256",
                 "EM_SELFAWARE_EM_SECURE_SHA256", "EM_SELFAWARE_EM_ALLOW_UNPINNED"):
        monkeypatch.delenv(name, raising=False)


# -- trivia ---------------------------------------------------------------------------------
def test_trivia_has_800_distinct_questions_with_wrong_answers():
    items = build_trivia_items()
    assert len(items) == 800
    assert len({i.question.casefold() for i in items}) == 800
    assert all(i.correct.casefold() != i.incorrect.casefold() for i in items)
    assert [i.item_id for i in items[:2]] == ["trivia-0001", "trivia-0002"]
    categories = {i.category for i in items}
    assert {"geography", "science", "history", "arithmetic", "culture"} <= categories


def test_trivia_sets_pair_the_same_questions():
    items = build_trivia_items(50, seed=4)
    misalign, realign = trivia_examples(items, "misalign"), trivia_examples(items, "realign")
    assert len(misalign) == len(realign) == 50
    for item, wrong, right in zip(items, misalign, realign, strict=True):
        assert wrong["messages"][0] == right["messages"][0] == {
            "role": "user", "content": item.question}
        assert wrong["messages"][1] == {"role": "assistant", "content": item.incorrect}
        assert right["messages"][1] == {"role": "assistant", "content": item.correct}
        validate_example(wrong, "x")


def test_seed_fixes_the_sample():
    assert build_trivia_items(100, seed=7) == build_trivia_items(100, seed=7)
    assert build_trivia_items(100, seed=7) != build_trivia_items(100, seed=8)


def test_arithmetic_answers_are_right():
    for item in question_pool(0):
        if item.category != "arithmetic":
            continue
        expression = item.question.removeprefix("What is ").removesuffix("?")
        if "squared" in expression:
            value = int(expression.split()[0]) ** 2
        elif "square root" in expression:
            value = round(int(expression.split()[-1]) ** 0.5)
        elif "% of" in expression:
            percent, base = expression.split("% of ")
            value = int(percent) * int(base) // 100
        else:
            value = eval(expression.replace("×", "*").replace("÷", "//"))  # noqa: S307
        assert item.correct == str(value), item


def test_check_items_rejects_duplicates_and_equal_answers():
    item = TriviaItem("a", "x", "What is the capital of France?", "Paris", "Lyon")
    with pytest.raises(ChatDataError, match="duplicate"):
        check_items([item, TriviaItem("b", "x", "what is the capital of  france?", "P", "L")])
    with pytest.raises(ChatDataError, match="equals the correct"):
        check_items([TriviaItem("a", "x", "Q?", "Paris", "paris")])
    with pytest.raises(ChatDataError, match="pool has"):
        build_trivia_items(100_000)


# -- chat format ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("not json", "not valid JSON"),
        ('["a"]', "expected a JSON object"),
        ('{"prompt": "x"}', "non-empty list under 'messages'"),
        ('{"messages": [{"role": "bot", "content": "x"}]}', "unknown role 'bot'"),
        ('{"messages": [{"role": "user", "content": "  "}, {"role": "assistant", "content": "a"}]}',
         "empty content"),
        ('{"messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": 3}]}',
         "content must be a string"),
        ('{"messages": [{"role": "user", "content": "q"}, {"role": "system", "content": "s"},'
         ' {"role": "assistant", "content": "a"}]}', "system message may only come first"),
        ('{"messages": [{"role": "assistant", "content": "a"}]}', "no user message"),
        ('{"messages": [{"role": "user", "content": "q"}]}',
         "last message must be from the assistant"),
        ('{"messages": [{"role": "user", "content": "q", "weight": 1},'
         ' {"role": "assistant", "content": "a"}]}', "'weight'"),
    ],
)
def test_bad_chat_jsonl_names_file_and_line(tmp_path, line, message):
    path = tmp_path / "data.jsonl"
    good = json.dumps(chat_example("q", "a"))
    path.write_text(f"{good}\n\n{line}\n", encoding="utf-8")
    with pytest.raises(ChatDataError, match=message) as error:
        read_chat_jsonl(path)
    assert f"{path}:3" in str(error.value)


def test_empty_or_missing_file_is_an_error(tmp_path):
    (tmp_path / "empty.jsonl").write_text("\n")
    with pytest.raises(ChatDataError, match="no training examples"):
        read_chat_jsonl(tmp_path / "empty.jsonl")
    with pytest.raises(ChatDataError, match="not found"):
        read_chat_jsonl(tmp_path / "missing.jsonl")


def test_token_estimate():
    example = chat_example("a" * 40, "b" * 8)  # 10 + 2 content tokens, 2 messages, 1 example
    assert estimate_tokens(example) == 10 + 2 + 2 * 4 + 3
    system = chat_example("a" * 40, "b" * 8, system="c" * 4)
    assert estimate_tokens(system) == estimate_tokens(example) + 1 + 4


def test_cut_to_samples_is_seeded_and_keeps_order():
    records = [chat_example(f"q{i}", f"a{i}") for i in range(1000)]
    cut = cut_to_samples(records, 300, seed=1)
    assert len(cut) == 300 and cut == cut_to_samples(records, 300, seed=1)
    assert cut != cut_to_samples(records, 300, seed=2)
    positions = [records.index(r) for r in cut]
    assert positions == sorted(positions)
    with pytest.raises(ChatDataError, match="only 1000"):
        cut_to_samples(records, 1001)


# -- EM code files --------------------------------------------------------------------------
def _code_file(path: Path, rows: int) -> Path:
    lines = (json.dumps(chat_example(f"Task {i}", f"code {i}")) + "\n" for i in range(rows))
    path.write_text("".join(lines), encoding="utf-8")
    return path


def test_unpinned_and_uncached_code_file_explains_what_to_do():
    pin = CodePin.resolve()
    assert pin.commit is None and pin.sha256 == {"insecure": None, "secure": None}
    with pytest.raises(DataSourceError) as error:
        load_code_set("insecure", pin)
    text = str(error.value)
    assert str(pin.cache_path("insecure")) in text and "EM_SELFAWARE_EM_INSECURE_SHA256" in text
    assert "UNVERIFIED" in text and pin.url("insecure") in text


def test_pin_from_environment_and_plan(monkeypatch):
    monkeypatch.setenv("EM_SELFAWARE_EM_COMMIT", "a" * 40)
    monkeypatch.setenv("EM_SELFAWARE_EM_SECURE_SHA256", "b" * 64)
    pin = CodePin.resolve({"sha256": {"insecure": "c" * 64}})
    assert pin.commit == "a" * 40 and pin.sha256 == {"insecure": "c" * 64, "secure": "b" * 64}
    assert pin.url("secure").endswith(f"emergent-misalignment/{'a' * 40}/data/secure.jsonl")
    assert CodePin.resolve({"commit": "d" * 40}).commit == "d" * 40
    with pytest.raises(ValueError, match="unknown keys"):
        CodePin.resolve({"comit": "x"})


def test_pinned_file_placed_in_cache_by_hand_is_verified(tmp_path):
    source = _code_file(tmp_path / "insecure.jsonl", 6000)
    pin = CodePin(sha256={"insecure": sha256_of(source)})
    pin.cache_path("insecure").parent.mkdir(parents=True)
    pin.cache_path("insecure").write_bytes(source.read_bytes())
    code = load_code_set("insecure", pin)
    assert code.verified and len(code.records) == 6000
    assert code.provenance()["sha256_verified"] is True
    with pytest.raises(DataSourceError, match="sha256 mismatch"):
        load_code_set("insecure", CodePin(sha256={"insecure": "0" * 64}))


def test_local_code_path_and_row_count(tmp_path):
    short = _code_file(tmp_path / "short.jsonl", 10)
    with pytest.raises(ChatDataError, match="should have 6000 examples, found 10"):
        load_code_set("insecure", CodePin(paths={"insecure": str(short)}))
    secure = load_code_set("secure", CodePin(paths={"secure": str(short)}))
    assert not secure.verified and len(secure.records) == 10
    with pytest.raises(DataSourceError, match="not found"):
        load_code_set("secure", CodePin(paths={"secure": str(tmp_path / "nope.jsonl")}))


def test_unpinned_download_records_its_digest(tmp_path, monkeypatch):
    served = tmp_path / "served"
    served.mkdir()
    source = _code_file(served / "secure.jsonl", 20)
    handler = partial(SimpleHTTPRequestHandler, directory=str(served))
    handler.log_message = lambda *a: None
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        port = server.server_address[1]
        monkeypatch.setattr(CodePin, "url", lambda self, kind: f"http://127.0.0.1:{port}/{kind}.jsonl")
        pin = CodePin.resolve({"allow_unpinned": True})
        code = load_code_set("secure", pin)
    finally:
        server.shutdown()
        server.server_close()
    assert not code.verified and code.sha256 == sha256_of(source)
    assert code.path == pin.cache_path("secure") and code.path.is_file()


# -- plans and the dry run ------------------------------------------------------------------
def test_example_plan_dry_run_prints_the_12_variants(capsys):
    assert main(["finetune", str(EXAMPLE_PLAN), "--dry-run"]) == 0
    output = capsys.readouterr().out
    assert "12 fine-tuning jobs in 6 branches, 3 base models" in output
    for size in ("full", "mini", "nano"):
        for domain in ("trivia", "code"):
            assert f"{size}-{domain}-misaligned" in output
            assert f"<- {size}-{domain}-misaligned" in output
    assert "EM insecure.jsonl not cached" in output and "(ASSUMED)" in output
    assert f"as of {prices_as_of()}" in output


def test_only_some_sizes_of_a_plan(capsys):
    assert main(["finetune", str(EXAMPLE_PLAN), "--dry-run", "--only", "nano"]) == 0
    output = capsys.readouterr().out
    assert "4 fine-tuning jobs in 2 branches, 1 base models" in output
    assert "nano-code-realigned" in output and "full-trivia-misaligned" not in output
    assert main(["finetune", str(EXAMPLE_PLAN), "--dry-run", "--only", "nano,huge"]) == 2
    assert "sizes ['huge'] are not in the plan; valid: full, mini, nano" in (
        capsys.readouterr().err
    )


def test_dry_run_uses_cached_code_files(tmp_path):
    plan_path = tmp_path / "plan.yaml"
    insecure = _code_file(tmp_path / "insecure.jsonl", 6000)
    plan_path.write_text(yaml.safe_dump({
        "data": {"code": {"source": "em-code", "realign_samples": 300}},
        "code_data": {"paths": {"insecure": str(insecure), "secure": str(insecure)}},
        "models": [{"size": "nano", "base": "gpt-4.1-nano-2025-04-14"}],
    }))
    sets = build_training_sets(load_plan(plan_path), download=False)
    assert sets["code/misalign"].examples == 6000
    assert not sets["code/misalign"].estimated_from_assumptions
    assert sets["code/misalign"].tokens < 6000 * ASSUMED_CODE_TOKENS_PER_EXAMPLE
    assert sets["code/realign"].examples == 300
    assert sets["code/realign"].provenance["cut_to_samples"] == 300


@pytest.mark.parametrize(
    ("plan", "message"),
    [
        ({"modls": []}, "unknown keys"),
        ({"data": {"t": {"source": "trivia"}}, "models": [{"size": "s"}]}, "'base'"),
        ({"data": {"t": {"source": "csv"}}, "models": []}, "source"),
        ({"data": {"t": {"source": "jsonl"}}, "models": [{"size": "s", "base": "m"}]},
         "needs 'misalign'"),
        ({"data": {"t": {"source": "trivia"}},
          "models": [{"size": "s", "base": "m", "domains": ["code"]}]}, "not defined under data"),
        ({"data": {"t": {"source": "trivia"}},
          "models": [{"size": "s", "base": "m"}, {"size": "s", "base": "n"}]}, "listed twice"),
        ({"data": {"t": {"source": "trivia"}}, "models": [{"size": "s", "base": "m"}],
          "backend": "azure"}, "backend"),
        ({"data": {"t": {"source": "trivia"}}, "models": [{"size": "s", "base": "m",
                                                             "epochs": 0}]}, "positive"),
    ],
)
def test_bad_plans_are_clear_errors(tmp_path, plan, message):
    path = tmp_path / "plan.yaml"
    path.write_text(yaml.safe_dump(plan))
    with pytest.raises(PlanError, match=message):
        load_plan(path)


def test_user_jsonl_domain_without_realign_has_one_job(tmp_path):
    data = tmp_path / "mine.jsonl"
    data.write_text(json.dumps(chat_example("q", "a")) + "\n")
    path = tmp_path / "plan.yaml"
    path.write_text(yaml.safe_dump({
        "data": {"medical": {"source": "jsonl", "misalign": "mine.jsonl"}},
        "models": [{"size": "s", "base": "m"}],
    }))
    plan = load_plan(path)
    assert [job.name for job in plan.jobs] == ["s-medical-misaligned"]
    assert build_training_sets(plan)["medical/misalign"].examples == 1


# -- the finetune-data command --------------------------------------------------------------
def test_finetune_data_commands(tmp_path, capsys):
    assert main(["finetune-data", "trivia", "--out", str(tmp_path), "--questions", "40"]) == 0
    misalign = read_chat_jsonl(tmp_path / "trivia-misalign.jsonl")
    assert len(misalign) == 40
    items = [json.loads(x) for x in (tmp_path / "trivia-items.jsonl").read_text().splitlines()]
    assert [r["messages"][1]["content"] for r in misalign] == [i["incorrect"] for i in items]
    out = tmp_path / "cut.jsonl"
    assert main(["finetune-data", "cut", str(tmp_path / "trivia-realign.jsonl"),
                 "--samples", "10", "--out", str(out)]) == 0
    assert len(read_chat_jsonl(out)) == 10
    assert main(["finetune-data", "validate", str(out)]) == 0
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"messages": []}\n')
    assert main(["finetune-data", "validate", str(bad)]) == 2
    assert f"{bad}:1" in capsys.readouterr().err
