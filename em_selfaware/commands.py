"""Sub-commands `run`, `report` and `diff` of the `em-selfaware` command line."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from em_selfaware.inputs import (
    argument_type,
    log_source,
    output_file,
    output_folder,
    sample_count,
    whole_number,
)
from em_selfaware.variants import load_variants

COUNT = argument_type(whole_number)
BOOTSTRAP = argument_type(
    whole_number, minimum=100, maximum=100_000,
    why_maximum=" (memory grows with replicates x items; 2000 is plenty for 95% intervals)",
)
DIFF_TOP = 3
"""`diff --top` default: `analysis.diff.DEFAULT_TOP` (not imported, so building the parser
stays light; a test checks they agree)."""


def _is_prerequisite_error(error: BaseException) -> bool:
    """True for Inspect's error about a missing prerequisite (a provider's API key, a package).

    Inspect raises it as ``PrerequisiteError``, which no public module exports: we match the
    class name instead of importing it from ``inspect_ai._util``.
    """
    return any(cls.__name__ == "PrerequisiteError" for cls in type(error).__mro__)


def _setup_logging() -> None:
    """Print the analysis warnings (skipped logs, odd data) on stderr."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("warning: %(message)s"))
    log = logging.getLogger("analysis")
    if not log.handlers:
        log.addHandler(handler)
    log.setLevel(logging.WARNING)
    log.propagate = False


def _run(args: argparse.Namespace) -> int:
    from em_selfaware.probes import get_probes
    from em_selfaware.runner import completed_configs, plan_runs, request_summary, run_plan

    variants = load_variants(args.variants)
    plan = plan_runs(
        variants,
        get_probes(args.probes.split(",") if args.probes else None),
        mode=args.mode,
        demo=args.demo_args,
        samples=args.samples,
    )
    print(request_summary(plan, completed_configs(args.log_dir), grader=args.grader))
    if args.dry_run:
        return 0
    generate = {"max_connections": args.max_connections} if args.max_connections else {}
    try:
        success, logs = run_plan(
            plan,
            log_dir=args.log_dir,
            grader=args.grader,
            display=args.display,
            max_tasks=args.max_tasks,
            metadata={"registry": str(args.variants), "mode": args.mode},
            **generate,
        )
    except Exception as error:
        if not _is_prerequisite_error(error):
            raise
        print(f"em-selfaware run: error: {error}", file=sys.stderr)
        return 2
    if not success:
        failed = sorted(log.location for log in logs if log.status != "success")
        print(f"Not every evaluation completed ({len(failed)} did not); run the same command "
              "again to finish them:", *failed, sep="\n  ", file=sys.stderr)
        return 1
    print(f"Done. Report: em-selfaware report {args.log_dir} --variants {args.variants} "
          "--out <folder>")
    return 0


def add_run(subparsers: argparse._SubParsersAction) -> None:
    """Add `em-selfaware run`."""
    from em_selfaware.runner import MODES
    from scorers.grader import DEFAULT_GRADER

    parser = subparsers.add_parser(
        "run", help="run every probe on every variant of a registry (resumable eval set)"
    )
    parser.add_argument("--variants", required=True, help="the variant registry (variants.yaml)")
    parser.add_argument("--probes", help="comma-separated probe names (default: all)")
    parser.add_argument("--mode", choices=MODES, default="sample",
                        help="sample (the paper's protocol) or logprobs (exact probabilities "
                             "for closed-form probes)")
    parser.add_argument("--grader", default=DEFAULT_GRADER,
                        help=f"model for the grader role (default {DEFAULT_GRADER})")
    parser.add_argument("--log-dir", required=True, type=argument_type(output_folder),
                        help="where logs go (reuse it to resume)")
    parser.add_argument("--dry-run", action="store_true",
                        help="print the plan and request counts, run nothing")
    parser.add_argument("--demo-args", action="store_true",
                        help="use each probe's reduced demo arguments (a quick pilot)")
    parser.add_argument("--samples", type=argument_type(sample_count),
                        help="override every probe's sample count")
    parser.add_argument("--max-tasks", type=COUNT, help="evaluations run in parallel")
    parser.add_argument("--max-connections", type=COUNT, help="concurrent requests per model")
    parser.add_argument("--display", choices=("full", "rich", "plain", "log", "none"),
                        help="Inspect's display (default full)")
    parser.set_defaults(func=_run)


def _report(args: argparse.Namespace) -> int:
    from analysis.moral import DEFAULT_REFERENCE_PROBE
    from analysis.report import analyse, write_report

    _setup_logging()
    variants = load_variants(args.variants) if args.variants else None
    analysis = analyse(
        args.log_dir,
        variants,
        n_boot=args.bootstrap,
        seed=args.seed,
        moral_reference=args.moral_reference or DEFAULT_REFERENCE_PROBE,
        moral_reference_variant=args.moral_reference_variant,
        progress=not args.no_progress and sys.stderr.isatty(),
        allow_mixed_settings=args.allow_mixed_settings,
    )
    paths = write_report(analysis, args.out, figures=not args.no_figures,
                         figure_format=args.figure_format)
    print(f"Wrote {len(paths)} files to {args.out} (open {Path(args.out) / 'report.html'})")
    return 0


def add_report(subparsers: argparse._SubParsersAction) -> None:
    """Add `em-selfaware report`."""
    from analysis.stats import DEFAULT_BOOTSTRAP  # numpy only; the analysis loads on use

    parser = subparsers.add_parser(
        "report", help="analyse a folder of logs: tables, figures, report.md and report.html"
    )
    parser.add_argument("log_dir", type=argument_type(log_source), help="folder of Inspect logs")
    parser.add_argument("--variants",
                        help="variant registry (default: the variant metadata in the logs)")
    parser.add_argument("--out", required=True, type=argument_type(output_folder),
                        help="output folder")
    parser.add_argument("--bootstrap", type=BOOTSTRAP, default=DEFAULT_BOOTSTRAP,
                        help=f"bootstrap replicates (default {DEFAULT_BOOTSTRAP})")
    parser.add_argument("--seed", type=int, default=0, help="bootstrap seed (default 0)")
    parser.add_argument("--moral-reference",
                        help="probe whose base-model poles normalise the moral scores "
                             "(default moral_self_assessment)")
    parser.add_argument("--moral-reference-variant",
                        help="variant to take the moral poles from (default: each size's base)")
    parser.add_argument("--allow-mixed-settings", action="store_true",
                        help="compare variants of a probe run with settings that bias the "
                             "comparison (mode, temperature, grader, judge prompts; samples or "
                             "epochs of max-reduced probes) instead of stopping; the report "
                             "lists the differences")
    parser.add_argument("--no-figures", action="store_true", help="skip the figures")
    parser.add_argument("--figure-format", choices=("png", "svg"), default="png",
                        help="format of the figures (default png)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.set_defaults(func=_report)


def _diff(args: argparse.Namespace) -> int:
    from analysis.diff import diff_logs, diff_variants
    from analysis.diff_output import format_diff, out_paths, write_diff

    _setup_logging()
    for path in out_paths(args.out) if args.out else ():
        output_file("--out", path)  # both files writable before any work
    if Path(args.a).is_file() and Path(args.b).is_file():
        if args.variants:
            raise ValueError("--variants names variants; A and B are log files (leave it out)")
        diff = diff_logs(args.a, args.b, top=args.top, probe=args.probe)
    else:
        if not args.log_dir:
            raise ValueError(
                f"'{args.a}' and '{args.b}' are not both log files; to compare two variants "
                "by name, pass --log-dir (and --variants unless the logs carry variant metadata)"
            )
        variants = load_variants(args.variants) if args.variants else None
        diff = diff_variants(args.log_dir, args.a, args.b, variants, top=args.top,
                             probe=args.probe)
    print(format_diff(diff))
    if args.out:
        paths = write_diff(diff, args.out)
        print(f"\nWrote {paths[0]} and {paths[1]}")
    return 0


def add_diff(subparsers: argparse._SubParsersAction) -> None:
    """Add `em-selfaware diff`."""
    parser = subparsers.add_parser(
        "diff", help="items whose scores changed most between two logs or two variants",
        description="Per probe and dimension, the items whose value moved most from A to B, "
                    "each with its prompt, one answer from each side (the one closest to that "
                    "side's item value) and the Inspect View URL of each sample.",
    )
    parser.add_argument("a", help="log file, or variant name (with --log-dir): the reference")
    parser.add_argument("b", help="log file, or variant name (with --log-dir)")
    parser.add_argument("--log-dir", type=argument_type(log_source),
                        help="folder of logs (when A and B are variant names)")
    parser.add_argument("--variants", help="variant registry (default: metadata in the logs)")
    parser.add_argument("--top", type=COUNT, default=DIFF_TOP,
                        help=f"items per probe and dimension (default {DIFF_TOP})")
    parser.add_argument("--probe", help="only this probe")
    parser.add_argument("--out", type=argument_type(output_file), metavar="PATH",
                        help="also write PATH.csv (one row per item shown, full texts) and "
                             "PATH.md (the whole diff)")
    parser.set_defaults(func=_diff)
