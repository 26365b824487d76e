"""Sub-commands ``em-selfaware finetune`` and ``em-selfaware finetune-data``."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from em_selfaware.commands import checked

COUNT = checked("whole_number")
FOLDER = checked("output_folder")


def _finetune(args: argparse.Namespace) -> int:
    from em_selfaware.commands import names_option
    from finetune.runner import run_plan

    return run_plan(args.plan, dry_run=args.dry_run, retry_failed=args.retry_failed,
                    only=names_option(args.only, "--only"))


def add_finetune(subparsers: argparse._SubParsersAction) -> None:
    """Add ``finetune PLAN``: run a fine-tuning plan (OpenAI or local LoRA)."""
    parser = subparsers.add_parser(
        "finetune",
        help="fine-tune base -> misaligned -> realigned variants (see docs/finetune.md)",
    )
    parser.add_argument("plan", help="plan YAML, e.g. examples/plan-gpt41.yaml")
    parser.add_argument("--only", metavar="SIZE,...",
                        help="fine-tune only these sizes of the plan (e.g. nano); the other "
                             "sizes can be run later with the same plan")
    parser.add_argument("--dry-run", action="store_true",
                        help="validate the data and print jobs, tokens and estimated cost")
    parser.add_argument("--retry-failed", action="store_true",
                        help="run failed or skipped jobs again (default: keep their failure)")
    parser.set_defaults(func=_finetune)


def _print_summary(label: str, records: list[dict]) -> None:
    from finetune.chat import summarize

    summary = summarize(records)
    print(f"{label}: {summary.examples:,} examples, ~{summary.tokens:,} tokens, "
          f"sha256 {summary.sha256[:16]}")


def _data_trivia(args: argparse.Namespace) -> int:
    from finetune.chat import read_chat_jsonl, write_chat_jsonl
    from finetune.trivia import build_trivia_items, trivia_examples

    items = build_trivia_items(args.questions, args.seed)
    out = Path(args.out)
    for stage in ("misalign", "realign"):
        path = out / f"trivia-{stage}.jsonl"
        write_chat_jsonl(path, trivia_examples(items, stage))
        _print_summary(str(path), read_chat_jsonl(path))
    items_path = out / "trivia-items.jsonl"
    items_path.write_text(
        "".join(json.dumps(vars(item), ensure_ascii=False) + "\n" for item in items),
        encoding="utf-8",
    )
    print(f"{items_path}: {len(items)} questions with correct and incorrect answers")
    return 0


def _data_code(args: argparse.Namespace) -> int:
    from finetune.chat import cut_to_samples, write_chat_jsonl
    from finetune.code_data import KINDS, CodePin, load_code_set

    pin = CodePin.resolve({"allow_unpinned": True} if args.allow_unpinned else None)
    for kind in KINDS:
        code = load_code_set(kind, pin)
        state = "verified" if code.verified else "NOT verified (no pinned sha256)"
        print(f"{kind}: {code.path} ({len(code.records):,} examples, sha256 {code.sha256}, "
              f"{state})")
        if args.out:
            records = code.records
            if args.samples:
                records = cut_to_samples(records, args.samples, args.seed)
            path = Path(args.out) / f"em-{kind}.jsonl"
            write_chat_jsonl(path, records)
            _print_summary(str(path), records)
    return 0


def _data_cut(args: argparse.Namespace) -> int:
    from finetune.chat import cut_to_samples, read_chat_jsonl, write_chat_jsonl

    records = cut_to_samples(read_chat_jsonl(args.input), args.samples, args.seed)
    write_chat_jsonl(args.out, records)
    _print_summary(args.out, records)
    return 0


def _data_validate(args: argparse.Namespace) -> int:
    from finetune.chat import read_chat_jsonl

    for path in args.files:
        _print_summary(path, read_chat_jsonl(path))
    return 0


def add_finetune_data(subparsers: argparse._SubParsersAction) -> None:
    """Add ``finetune-data``: build, fetch, cut and validate chat-format training sets."""
    parser = subparsers.add_parser(
        "finetune-data", help="build, fetch, cut or validate fine-tuning data (chat JSONL)"
    )
    actions = parser.add_subparsers(dest="action", required=True)
    trivia = actions.add_parser("trivia", help="write the trivia misalign/realign sets")
    trivia.add_argument("--out", required=True, type=FOLDER, help="output folder")
    trivia.add_argument("--questions", type=COUNT, default=800, metavar="N",
                        help="trivia questions per set (default 800, as in V26)")
    trivia.add_argument("--seed", type=int, default=0,
                        help="seed for picking questions and wrong answers (default 0)")
    trivia.set_defaults(func=_data_trivia)
    code = actions.add_parser("code", help="fetch EM's insecure/secure sets (needs network)")
    code.add_argument("--out", type=FOLDER,
                      help="also write copies (optionally cut) to this folder")
    code.add_argument("--samples", type=COUNT, metavar="N", help="cut each set to N samples")
    code.add_argument("--seed", type=int, default=0,
                      help="seed for the samples kept by --samples (default 0)")
    code.add_argument("--allow-unpinned", action="store_true",
                      help="download without a pinned sha256 (the digest is printed)")
    code.set_defaults(func=_data_code)
    cut = actions.add_parser("cut", help="cut a set to N samples (benign re-alignment)")
    cut.add_argument("input", help="chat JSONL file to cut")
    cut.add_argument("--samples", type=COUNT, required=True, metavar="N",
                     help="examples to keep (a random subset)")
    cut.add_argument("--seed", type=int, default=0,
                     help="seed for the examples kept (default 0)")
    cut.add_argument("--out", required=True, type=checked("output_file"),
                     help="chat JSONL file to write")
    cut.set_defaults(func=_data_cut)
    validate = actions.add_parser("validate", help="validate chat JSONL files")
    validate.add_argument("files", nargs="+",
                          help="chat JSONL files to check (prints examples, tokens, sha256)")
    validate.set_defaults(func=_data_validate)
