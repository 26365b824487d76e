"""Sub-commands `run`, `report` and `diff` of the `em-selfaware` command line.

Building the parser imports nothing heavy (no Inspect, pandas, scipy or matplotlib): each
command imports what it needs when it runs, so ``em-selfaware --help`` is quick.
"""

from __future__ import annotations

import argparse
import logging
import shlex
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from em_selfaware.probes import PROBE_NAMES

MODES = ("sample", "logprobs")
"""`--mode` choices (the runner checks the same tuple: `em_selfaware.runner.MODES`)."""
DEFAULT_GRADER = "openai/gpt-4.1-2025-04-14"
"""Shown in help; the grader role's default is `scorers.grader.DEFAULT_GRADER` (a test
checks they agree)."""
DISPLAYS = ("full", "rich", "plain", "log", "none")


def checked(check: str, **limits: Any) -> Callable[[str], Any]:
    """An argparse ``type=`` that runs the named check of `em_selfaware.inputs` (imported when
    an option is converted, not when the parser is built, so ``--help`` stays light)."""

    def convert(text: str) -> Any:
        from em_selfaware import inputs

        return inputs.argument_type(getattr(inputs, check), **limits)(text)

    convert.__name__ = check
    return convert


COUNT = checked("whole_number")
BOOTSTRAP = checked(
    "whole_number", minimum=100, maximum=100_000,
    why_maximum=" (memory grows with replicates x items; 2000 is plenty for 95% intervals)",
)
DIFF_TOP = 3
"""`diff --top` default: `analysis.diff.DEFAULT_TOP` (not imported, so building the parser
stays light; a test checks they agree)."""


def names_option(value: str | None, option: str) -> list[str] | None:
    """Split a comma-separated option; None when not given; an error when given but empty."""
    if value is None:
        return None
    names = [name.strip() for name in value.split(",")]
    if not any(names) or not all(names):
        raise ValueError(
            f"{option} {value!r}: expected comma-separated names without empty entries "
            f"(leave {option} out to select all)"
        )
    return list(dict.fromkeys(names))


def _setup_logging() -> None:
    """Print the analysis warnings (skipped logs, odd data) on stderr (the current one: a
    second command in the same process, or a test capturing stderr, gets them too)."""
    log = logging.getLogger("analysis")
    for old in [handler for handler in log.handlers if getattr(handler, "em_selfaware", False)]:
        log.removeHandler(old)  # bound to the stderr of an earlier command
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("warning: %(message)s"))
    handler.em_selfaware = True  # type: ignore[attr-defined]
    log.addHandler(handler)
    log.setLevel(logging.WARNING)
    log.propagate = False


def _is_prerequisite_error(error: BaseException) -> bool:
    """Inspect's PrerequisiteError (a missing API key or package) is not public API, so it is
    recognised by name rather than imported from a private module."""
    return any(cls.__name__ == "PrerequisiteError" for cls in type(error).__mro__)


def _command_line(args: argparse.Namespace) -> str:
    return shlex.join(["em-selfaware", *getattr(args, "argv", [])])


def _run(args: argparse.Namespace) -> int:
    from em_selfaware.costs import cost_summary, plan_usage
    from em_selfaware.pricing import load_prices
    from em_selfaware.probes import get_probes
    from em_selfaware.runner import (
        cache_policy,
        completed_configs,
        plan_runs,
        request_summary,
        run_plan,
        unfinished,
    )
    from em_selfaware.variants import load_variants

    cache_policy(args.cache)  # a bad expiry is an error before anything is planned
    variants = load_variants(args.variants)
    contrast = None
    if args.contrast is not None:
        from em_selfaware.contrast import resolve_contrast_option

        contrast = resolve_contrast_option(args.contrast, variants)
    prices = load_prices(args.prices)
    plan = plan_runs(
        variants,
        get_probes(names_option(args.probes, "--probes")),
        mode=args.mode,
        demo=args.demo_args,
        samples=args.samples,
        choices=args.choices,
        contrast=contrast,
    )
    print(request_summary(plan, completed_configs(args.log_dir), grader=args.grader))
    print(cost_summary(plan_usage(plan, args.grader), prices, batch=bool(args.batch)))
    if args.dry_run:
        return 0
    generate = {"max_connections": args.max_connections} if args.max_connections else {}
    interrupted = False
    try:
        reported_success, _ = run_plan(
            plan,
            log_dir=args.log_dir,
            grader=args.grader,
            display=args.display,
            max_tasks=args.max_tasks,
            metadata={"registry": str(args.variants), "mode": args.mode},
            batch=args.batch,
            cache=args.cache,
            **generate,
        )
    except KeyboardInterrupt:
        interrupted = reported_success = True
    except Exception as error:
        if not _is_prerequisite_error(error):  # e.g. a provider's API key is missing
            raise
        print(f"em-selfaware run: error: {error}", file=sys.stderr)
        return 2
    # the truth is the log folder: an interrupted eval_set can return success
    missing = unfinished(plan, args.log_dir)
    # Inspect reports success after Ctrl-C (its logs say "cancelled"): that is an interrupt
    interrupted = interrupted or (reported_success and bool(missing))
    if missing:
        listed = [f"{task.probe} on {task.variant.name}" for task in missing[:20]]
        more = [f"... and {len(missing) - 20} more"] if len(missing) > 20 else []
        print(
            f"Not finished: {len(missing)} of {len(plan)} planned evaluations have no complete "
            f"log in {args.log_dir}" + (" (interrupted)" if interrupted else "") + ":",
            *listed, *more, sep="\n  ", file=sys.stderr,
        )
        print(f"Resume with the same command (completed samples are reused):\n  "
              f"{_command_line(args)}", file=sys.stderr)
        return 130 if interrupted else 1
    print(f"Done: all {len(plan)} evaluations complete in {args.log_dir}. Report: "
          f"em-selfaware report {args.log_dir} --variants {args.variants}")
    return 0


def add_run(subparsers: argparse._SubParsersAction) -> None:
    """Add `em-selfaware run`."""
    parser = subparsers.add_parser(
        "run", help="run every probe on every variant of a registry (resumable eval set)",
        description="Run every probe on every variant of a registry with Inspect's eval_set. "
                    "Prints the plan and its cost estimate first; exits 0 only when every "
                    "planned evaluation has a complete log (1: some did not finish; 130: "
                    "interrupted; run the same command again to resume).",
    )
    parser.add_argument("--variants", required=True,
                        help="the variant registry (variants.yaml; format in the README)")
    parser.add_argument("--probes", metavar="NAME,...",
                        help=f"comma-separated probes (default: all): {', '.join(PROBE_NAMES)}")
    parser.add_argument("--mode", choices=MODES, default="sample",
                        help="sample (the paper's protocol) or logprobs (exact probabilities "
                             "for closed-form probes; free-text probes stay sampled)")
    parser.add_argument("--choices", type=COUNT, metavar="N",
                        help="answers per request via num_choices, for the probes that take "
                             "it (intentions, self-assessment, moral probes; OpenAI and vLLM "
                             "support it)")
    parser.add_argument("--grader", default=DEFAULT_GRADER,
                        help=f"model for the grader role (default {DEFAULT_GRADER})")
    parser.add_argument("--contrast", metavar="VARIANT|MODEL",
                        help="output_recognition's other answers: a registry variant or a model "
                             "(default: each variant's same-size base; a base variant gets the "
                             "first misaligned variant of its size)")
    parser.add_argument("--log-dir", required=True, type=checked("output_folder"),
                        help="where logs go (reuse it to resume)")
    parser.add_argument("--dry-run", action="store_true",
                        help="print the plan, request counts and cost estimate; run nothing")
    parser.add_argument("--batch", nargs="?", const=True, type=COUNT, metavar="SIZE",
                        help="send requests through the provider's batch API (Inspect batch "
                             "mode; half price on OpenAI and Anthropic, results within hours); "
                             "optional batch size")
    parser.add_argument("--cache", nargs="?", const=True, metavar="EXPIRY",
                        help="Inspect's response cache (default expiry 1W, or e.g. 3D, 1M) for "
                             "the probes where a cache cannot replay one draw as several")
    parser.add_argument("--prices", metavar="FILE", type=checked("input_file"),
                        help="a price file overriding or extending datasets/pricing/prices.yaml")
    parser.add_argument("--demo-args", action="store_true",
                        help="use each probe's reduced demo arguments (a quick pilot)")
    parser.add_argument("--samples", type=checked("sample_count"), metavar="N",
                        help="override every probe's sample count")
    parser.add_argument("--max-tasks", type=COUNT, metavar="N",
                        help="evaluations run in parallel (Inspect's default otherwise)")
    parser.add_argument("--max-connections", type=COUNT, metavar="N",
                        help="concurrent requests per model")
    parser.add_argument("--display", choices=DISPLAYS, help="Inspect's display (default full)")
    parser.set_defaults(func=_run)


def _report(args: argparse.Namespace) -> int:
    from analysis.moral import DEFAULT_REFERENCE_PROBE
    from analysis.report import analyse, write_report
    from analysis.stats import DEFAULT_BOOTSTRAP
    from em_selfaware.variants import load_variants

    _setup_logging()
    variants = load_variants(args.variants) if args.variants else None
    if args.out is None:
        from em_selfaware.inputs import output_folder

        output_folder("--out (default LOG_DIR/report)", str(Path(args.log_dir) / "report"))
    out = Path(args.out) if args.out else Path(args.log_dir) / "report"
    from analysis.preload import FIGURE_MODULES, STATISTICS_MODULES, preload

    preload([*STATISTICS_MODULES, *([] if args.no_figures else FIGURE_MODULES)])
    analysis = analyse(
        args.log_dir,
        variants,
        n_boot=args.bootstrap if args.bootstrap is not None else DEFAULT_BOOTSTRAP,
        seed=args.seed,
        moral_reference=args.moral_reference or DEFAULT_REFERENCE_PROBE,
        moral_reference_variant=args.moral_reference_variant,
        progress=not args.no_progress and sys.stderr.isatty(),
        allow_mixed_settings=args.allow_mixed_settings,
        parallel=True,  # the command's main module is guarded (analysis.parallel_read)
    )
    paths = write_report(analysis, out, figures=not args.no_figures,
                         figure_format=args.figure_format)
    print(f"Wrote {len(paths)} files to {out} (open {out / 'report.html'})")
    return 0


def add_report(subparsers: argparse._SubParsersAction) -> None:
    """Add `em-selfaware report`."""
    parser = subparsers.add_parser(
        "report", help="analyse a folder of logs: tables, figures, report.md and report.html"
    )
    parser.add_argument("log_dir", type=checked("log_source"),
                        help="folder of Inspect logs (or one log file)")
    parser.add_argument("--variants",
                        help="variant registry (default: the variant metadata or tags in the "
                             "logs)")
    parser.add_argument("--out", type=checked("output_folder"),
                        help="output folder (default LOG_DIR/report)")
    parser.add_argument("--bootstrap", type=BOOTSTRAP, metavar="N",
                        help="bootstrap replicates for the 95%% CIs (default 2000)")
    parser.add_argument("--seed", type=int, default=0, help="bootstrap seed (default 0)")
    parser.add_argument("--moral-reference", metavar="PROBE",
                        help="probe whose base-model poles normalise the moral scores "
                             "(default moral_self_assessment)")
    parser.add_argument("--moral-reference-variant", metavar="VARIANT",
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
    from em_selfaware.inputs import output_file
    from em_selfaware.variants import load_variants

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
    parser.add_argument("--log-dir", type=checked("log_source"),
                        help="folder of logs (when A and B are variant names)")
    parser.add_argument("--variants", help="variant registry (default: metadata in the logs)")
    parser.add_argument("--top", type=COUNT, default=DIFF_TOP,
                        help=f"items per probe and dimension (default {DIFF_TOP})")
    parser.add_argument("--probe", help=f"only this probe ({', '.join(PROBE_NAMES)})")
    parser.add_argument("--out", type=checked("output_file"), metavar="PATH",
                        help="also write PATH.csv (one row per item shown, full texts) and "
                             "PATH.md (the whole diff)")
    parser.set_defaults(func=_diff)
