"""The `em-selfaware` command line: one sub-command per job.

Building the parser imports nothing heavy; each command imports what it runs.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from em_selfaware.commands import add_diff, add_report, add_run, checked, names_option
from em_selfaware.probes import PROBE_NAMES
from finetune.cli import add_finetune, add_finetune_data


def _version() -> str:
    """The installed distribution's version (the package's own when run from a checkout)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("em-selfaware")
    except PackageNotFoundError:
        from em_selfaware import __version__

        return __version__


def _demo(args: argparse.Namespace) -> int:
    from em_selfaware.demo import demo_table, run_demo

    logs = run_demo(
        log_dir=Path(args.log_dir),
        probes=names_option(args.probes, "--probes"),
        variants=names_option(args.variants, "--variants"),
        samples=args.samples,
        progress=not args.no_progress,
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
    parser.add_argument("--log-dir", default="logs/demo", type=checked("output_folder"),
                        help="where logs go (default logs/demo)")
    parser.add_argument("--probes", metavar="NAME,...",
                        help=f"comma-separated probes (default: all): {', '.join(PROBE_NAMES)}")
    parser.add_argument("--variants", metavar="NAME,...",
                        help="comma-separated em-sim variants (default: all 15, e.g. full-base, "
                             "nano-trivia-misaligned)")
    parser.add_argument("--samples", type=checked("sample_count"), metavar="N",
                        help="override every probe's demo sample count")
    parser.add_argument("--no-progress", action="store_true",
                        help="no progress line while the evaluations run")
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
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}",
                        help="print the version and exit")
    subparsers = parser.add_subparsers(dest="command", required=True)
    for add in SUBCOMMANDS:
        add(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    args = build_parser().parse_args(argv)
    args.argv = argv  # for "resume with the same command"
    try:
        return int(args.func(args))
    except (ValueError, FileNotFoundError, FileExistsError, NotADirectoryError,
            RuntimeError) as error:
        print(f"em-selfaware {args.command}: error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
