"""The `em-selfaware` command line: one sub-command per job."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from em_selfaware.commands import add_diff, add_report, add_run
from em_selfaware.inputs import argument_type, output_folder, sample_count
from finetune.cli import add_finetune, add_finetune_data


def _demo(args: argparse.Namespace) -> int:
    from em_selfaware.demo import demo_table, run_demo

    logs = run_demo(
        log_dir=Path(args.log_dir),
        probes=args.probes.split(",") if args.probes else None,
        variants=args.variants.split(",") if args.variants else None,
        samples=args.samples,
    )
    print(demo_table(logs))
    print(f"\nReport: {Path(args.log_dir) / 'report' / 'report.html'}")
    print(f"\nLogs: {args.log_dir} (open them with: inspect view --log-dir {args.log_dir})")
    print("em-sim is a simulation for demos and tests, never evidence about real models.")
    return 0


def _add_demo(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "demo", help="run every probe on the 15 simulated variants (no API key, no network)"
    )
    parser.add_argument("--log-dir", default="logs/demo", type=argument_type(output_folder),
                        help="where logs go (default logs/demo)")
    parser.add_argument("--probes", help="comma-separated probe names (default: all)")
    parser.add_argument("--variants", help="comma-separated em-sim variants (default: all 15)")
    parser.add_argument("--samples", type=argument_type(sample_count),
                        help="override every probe's demo sample count")
    parser.set_defaults(func=_demo)


SUBCOMMANDS = [_add_demo]
"""Each entry adds one sub-command to the parser; add new jobs here."""
SUBCOMMANDS += [add_finetune, add_finetune_data]
SUBCOMMANDS += [add_run, add_report, add_diff]


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser with every sub-command."""
    parser = argparse.ArgumentParser(
        prog="em-selfaware",
        description="Emergent misalignment and behavioral self-awareness probes (Inspect AI).",
    )
    subparsers = parser.add_subparsers(dest="command", required=True)
    for add in SUBCOMMANDS:
        add(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except (ValueError, FileNotFoundError, RuntimeError) as error:
        print(f"em-selfaware {args.command}: error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
