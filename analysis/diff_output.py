"""A diff (`analysis.diff.Diff`) as text for the terminal, as Markdown, and as CSV files.

The terminal shows each prompt and answer on one line, shortened; the Markdown and the CSV
hold the full texts. Text from the logs (prompts, answers, names) goes into Markdown only
inside code spans and fenced blocks, so a model's answer cannot turn into markup or HTML.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from analysis.diff import Diff, Side
from analysis.frames import ALL
from analysis.view_links import view_command
from scorers.explain import one_line, quote

PROMPT_WIDTH = 400
"""Characters of a prompt shown on the terminal (the Markdown and CSV have it whole)."""
ANSWER_WIDTH = 160
"""Characters of an answer shown on the terminal."""
NO_TEXT = "(text not found in the log)"
NOT_READ = "(not read)"
IDS_SHOWN = 10
"""Item ids named per note on items present on one side only (the rest are counted)."""
RULES = (
    "change = B - A of item values in [0, 1] (1 = misaligned; moral probes raw, not "
    "normalised). Per probe and dimension: the items that moved most (ties by format, then "
    "item id). Answer shown per side: the one whose value is closest to the side's item "
    "value (ties: the one farthest from the other side's value, then the first by sample id, "
    "epoch, answer number)."
)


Row = dict[str, Any]
"""One row of `Diff.rows` (`analysis.diff.ROW_COLUMNS`) as a dict."""


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _number(value: Any) -> str:
    return "?" if _missing(value) else f"{float(value):.3f}"


def _short_value(value: Any) -> str:
    return "excluded" if _missing(value) else repr(round(float(value), 4))


def _side_name(side: Side) -> str:
    return f"{side.name} ({side.model})"


def _view_hint(diff: Diff, code: Callable[[str], str] = str) -> str:
    """The command(s) that serve the logs of both sides in Inspect View."""
    if diff.a.view_dir == diff.b.view_dir:
        return code(view_command(diff.a.view_dir))
    return (f"{code(view_command(diff.a.view_dir))} for A, "
            f"{code(view_command(diff.b.view_dir))} for B")


def _item_label(row: Row) -> str:
    return row["item_id"] if row["format"] == ALL else f"{row['item_id']} [{row['format']}]"


def _change_text(row: Row, arrow: str) -> str:
    return (f"{_number(row['value_a'])} {arrow} {_number(row['value_b'])} "
            f"({row['change']:+.3f})")


def _group_line(group: Row) -> str:
    shown = f"{group['shown']} shown" if group["shown"] else "none moved"
    tied = group["tied_beyond"]
    tied_text = f" ({tied} more tie with the last shown)" if tied else ""
    return f"{group['moved']} of {group['common']} items in common moved; {shown}{tied_text}"


def _id_list(ids: list[str]) -> str:
    more = f", ... ({len(ids) - IDS_SHOWN} more)" if len(ids) > IDS_SHOWN else ""
    return ", ".join(ids[:IDS_SHOWN]) + more


def _notes(group: Row, diff: Diff) -> Iterator[str]:
    """Lines on the group's items that are not paired."""
    for field, what in (
        ("only_a", f"only in A ({diff.a.name})"),
        ("only_b", f"only in B ({diff.b.name})"),
        ("unscored_a", f"no scored answer on A ({diff.a.name})"),
        ("unscored_b", f"no scored answer on B ({diff.b.name})"),
    ):
        ids = group[field]
        if ids:
            count = f"{len(ids)} item" + ("s" if len(ids) != 1 else "")
            yield f"{what}: {count}: {_id_list(ids)}"


def _records(diff: Diff) -> list[tuple[Row, list[Row]]]:
    """Each group (as a dict) with its rows shown (as dicts), in order."""
    rows: dict[tuple[str, str], list[Row]] = {}
    for row in diff.rows.to_dict("records"):
        rows.setdefault((row["probe"], row["dimension"]), []).append(row)
    return [
        (group, rows.get((group["probe"], group["dimension"]), []))
        for group in diff.groups.to_dict("records")
    ]


def _prompts(row: Row) -> list[tuple[str, Any]]:
    """[(label, prompt)]: one prompt when both sides' samples asked the same."""
    if row["prompt_a"] == row["prompt_b"]:
        return [("prompt", row["prompt_a"])]
    return [("prompt A", row["prompt_a"]), ("prompt B", row["prompt_b"])]


def _answer_line(row: Row, side: str) -> str:
    """One side's answer as the score explanations show it: text -> parsed (route) = value."""
    text = row[f"answer_{side}"]
    shown = NO_TEXT if _missing(text) else quote(str(text), ANSWER_WIDTH)
    if row[f"answer_source_{side}"] == "preview":
        shown += " (preview)"
    parsed = row[f"parsed_{side}"]
    return (f"{shown} -> {'?' if _missing(parsed) else parsed} ({row[f'route_{side}']}) = "
            f"{_short_value(row[f'answer_value_{side}'])}")


def format_diff(diff: Diff) -> str:
    """The diff for the terminal: prompts and answers on one line each, shortened."""
    lines = [
        f"A = {_side_name(diff.a)}",
        f"B = {_side_name(diff.b)}",
        RULES,
        f"Open a sample in Inspect View: {_view_hint(diff)}, then the URL under its answer.",
    ]
    if diff.groups.empty:
        return "\n".join([*lines, "", "No items on either side."])
    for group, rows in _records(diff):
        lines += ["", f"{group['probe']} / {group['dimension']}: {_group_line(group)}"]
        for row in rows:
            lines.append(f"  {row['rank']}. {_item_label(row)}  {_change_text(row, '->')}")
            for label, prompt in _prompts(row):
                shown = NOT_READ if _missing(prompt) else one_line(str(prompt), PROMPT_WIDTH)
                lines.append(f"     {label}: {shown}")
            for side in ("a", "b"):
                lines.append(f"     {side.upper()} (answer {row[f'answer_no_{side}']}): "
                             f"{_answer_line(row, side)}")
                lines.append(f"        {row[f'view_{side}']}")
        lines += [f"  {note}" for note in _notes(group, diff)]
    return "\n".join(lines)


def _code(text: Any) -> str:
    """`text` as a Markdown code span (backticks in it cannot close the span)."""
    flat = " ".join(str(text).split())
    longest = max((len(run) for run in re.findall(r"`+", flat)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if flat.startswith("`") or flat.endswith("`") else ""
    return f"{fence}{pad}{flat}{pad}{fence}"


def _block(text: Any, missing: str) -> list[str]:
    """`text` as a fenced Markdown block (a fence longer than any backtick run in it)."""
    body = missing if _missing(text) else str(text)
    longest = max((len(run) for run in re.findall(r"`{3,}", body)), default=0)
    fence = "`" * max(3, longest + 1)
    return [f"{fence}text", body, fence]


def _markdown_side(row: Row, side: str, name: str) -> list[str]:
    parsed = row[f"parsed_{side}"]
    preview = " (answer text: a preview)" if row[f"answer_source_{side}"] == "preview" else ""
    head = (
        f"**{side.upper()}** ({_code(name)}, answer {row[f'answer_no_{side}']}): read as "
        f"{_code('?' if _missing(parsed) else parsed)} by {row[f'route_{side}']}, value "
        f"{_short_value(row[f'answer_value_{side}'])}; [sample {_code(row[f'sample_id_{side}'])}"
        f", epoch {row[f'epoch_{side}']}](<{row[f'view_{side}']}>) in "
        f"{_code(row[f'log_{side}'])}{preview}"
    )
    return [head, "", *_block(row[f"answer_{side}"], NO_TEXT), ""]


def markdown_diff(diff: Diff) -> str:
    """The diff as Markdown with the full prompt and answer texts."""
    lines = [
        "# Diff",
        "",
        f"- **A**: {_code(diff.a.name)} ({_code(diff.a.model)})",
        f"- **B**: {_code(diff.b.name)} ({_code(diff.b.model)})",
        "",
        RULES,
        "",
        f"Open a sample in Inspect View: {_view_hint(diff, _code)}, then follow its link.",
    ]
    for group, rows in _records(diff):
        lines += ["", f"## {_code(group['probe'])} / {_code(group['dimension'])}", "",
                  _group_line(group) + "."]
        for row in rows:
            lines += ["", f"### {row['rank']}. {_code(_item_label(row))}: "
                      f"{_change_text(row, '→')}", ""]
            for label, prompt in _prompts(row):
                lines += [f"**{label.capitalize()}**", "", *_block(prompt, NOT_READ), ""]
            lines += _markdown_side(row, "a", diff.a.name)
            lines += _markdown_side(row, "b", diff.b.name)
        notes = list(_notes(group, diff))
        if notes:
            lines += ["", *[f"- {note}" for note in notes]]
    return "\n".join(lines).rstrip() + "\n"


def out_paths(out: str | Path) -> tuple[Path, Path]:
    """The CSV and Markdown files `--out PATH` writes: ``PATH.csv`` and ``PATH.md`` (a
    ``.csv`` or ``.md`` suffix on PATH is replaced)."""
    path = Path(out)
    stem = path.with_suffix("") if path.suffix.lower() in (".csv", ".md") else path
    return stem.parent / f"{stem.name}.csv", stem.parent / f"{stem.name}.md"


def _write_atomic(path: Path, text: str) -> None:
    """Write `text` to `path` through a temporary file and a rename (no half-written file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}.part")
    try:
        partial.write_text(text, encoding="utf-8", newline="")
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


def write_diff(diff: Diff, out: str | Path) -> tuple[Path, Path]:
    """Write the rows as CSV and the whole diff as Markdown (`out_paths`); return both paths."""
    csv_path, markdown_path = out_paths(out)
    _write_atomic(csv_path, diff.rows.to_csv(index=False))
    _write_atomic(markdown_path, markdown_diff(diff))
    return csv_path, markdown_path
