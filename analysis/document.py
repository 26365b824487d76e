"""A tiny document model rendered to Markdown and to self-contained HTML (figures embedded).

Text from logs (variant, probe, domain names; warnings that quote them) is escaped in both
renderings: HTML special characters become entities, Markdown punctuation is backslash-escaped
(`markdown_text`), so a name cannot inject markup, links or math. Paragraphs and bullets
written by us may mark `code` spans with backticks.
"""

from __future__ import annotations

import base64
import html
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

_STYLE = """
body { font-family: system-ui, sans-serif; max-width: 1200px; margin: 2em auto; color: #222; }
table { border-collapse: collapse; margin: 1em 0; font-size: 0.85em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.5em; text-align: right; }
th { background: #f3f3f3; }
td:first-child, th:first-child { text-align: left; }
img { max-width: 100%; margin: 1em 0 0.3em 0; }
figcaption { font-size: 0.85em; color: #444; margin-bottom: 1.5em; }
code { background: #f3f3f3; padding: 0 0.2em; }
"""


def format_cell(value: object, column: str = "") -> str:
    """Format one table cell: p-values with 3 significant digits, other floats with 3 decimals."""
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        if column.startswith("p"):
            return f"{value:.3g}"
        return f"{value:.3f}"
    return str(value)


@dataclass
class Document:
    """An ordered list of blocks: headings, paragraphs, tables, figures, bullet lists."""

    title: str
    blocks: list[tuple[str, object]] = field(default_factory=list)

    def heading(self, text: str) -> None:
        """Add a second-level heading."""
        self.blocks.append(("heading", text))

    def paragraph(self, text: str) -> None:
        """Add a paragraph (plain text; `code` spans allowed)."""
        self.blocks.append(("paragraph", text))

    def table(self, frame: pd.DataFrame) -> None:
        """Add a table."""
        self.blocks.append(("table", frame))

    def figure(self, path: Path, caption: str) -> None:
        """Add a figure (a PNG or SVG file next to the document) with its caption."""
        self.blocks.append(("figure", (path, caption)))

    def bullets(self, items: list[str]) -> None:
        """Add a bullet list."""
        self.blocks.append(("bullets", items))

    def markdown(self, root: Path) -> str:
        """Render as Markdown; figure paths relative to `root`."""
        lines = [f"# {markdown_text(self.title)}", ""]
        for kind, content in self.blocks:
            if kind == "heading":
                lines += [f"## {markdown_text(str(content))}", ""]
            elif kind == "paragraph":
                lines += [_inline_markdown(str(content)), ""]
            elif kind == "bullets":
                lines += [f"- {_inline_markdown(item)}" for item in content]  # type: ignore[union-attr]
                lines += [""]
            elif kind == "figure":
                path, caption = content  # type: ignore[misc]
                target = Path(path).relative_to(root).as_posix()
                lines += [f"![{markdown_text(Path(path).stem)}]({target})", "",
                          f"*{markdown_text(caption)}*", ""]
            elif kind == "table":
                lines += [_markdown_table(content), ""]  # type: ignore[arg-type]
        return "\n".join(lines)

    def html(self) -> str:
        """Render as one self-contained HTML page (figures embedded as base64 PNG)."""
        parts = [
            "<!DOCTYPE html>", "<html><head><meta charset='utf-8'>",
            f"<title>{html.escape(self.title)}</title><style>{_STYLE}</style></head><body>",
            f"<h1>{html.escape(self.title)}</h1>",
        ]
        for kind, content in self.blocks:
            if kind == "heading":
                parts.append(f"<h2>{html.escape(str(content))}</h2>")
            elif kind == "paragraph":
                parts.append(f"<p>{_inline_code(str(content))}</p>")
            elif kind == "bullets":
                items = "".join(f"<li>{_inline_code(i)}</li>" for i in content)  # type: ignore[union-attr]
                parts.append(f"<ul>{items}</ul>")
            elif kind == "figure":
                path, caption = content  # type: ignore[misc]
                data = base64.b64encode(Path(path).read_bytes()).decode("ascii")
                mime = _MIME.get(Path(path).suffix.lower(), "application/octet-stream")
                parts.append(
                    f"<figure><img alt='{html.escape(Path(path).stem)}' "
                    f"src='data:{mime};base64,{data}'><figcaption>{html.escape(caption)}"
                    "</figcaption></figure>"
                )
            elif kind == "table":
                parts.append(_html_table(content))  # type: ignore[arg-type]
        parts.append("</body></html>")
        return "\n".join(parts)


_MIME = {".png": "image/png", ".svg": "image/svg+xml"}
_MARKDOWN_PUNCTUATION = re.compile(r"([\\`*\[\]|$~])")
_EDGE_UNDERSCORE = re.compile(r"(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])")


def markdown_text(text: str) -> str:
    """`text` shown literally in Markdown: ``& < >`` as entities (no raw HTML), Markdown
    punctuation (``\\ ` * [ ] | $ ~`` and ``_`` at a word's edge) backslash-escaped."""
    escaped = html.escape(str(text), quote=False)
    escaped = _MARKDOWN_PUNCTUATION.sub(r"\\\1", escaped)
    return _EDGE_UNDERSCORE.sub(r"\\_", escaped)


def _inline_markdown(text: str) -> str:
    """Our text with `code` spans: the spans stay literal, the rest is escaped."""
    pieces = str(text).split("`")
    if len(pieces) % 2 == 0:  # an odd number of backticks: no code spans at all
        return markdown_text(text)
    return "".join(f"`{p}`" if i % 2 else markdown_text(p) for i, p in enumerate(pieces))


def _inline_code(text: str) -> str:
    pieces = html.escape(text).split("`")
    return "".join(f"<code>{p}</code>" if i % 2 else p for i, p in enumerate(pieces))


def _markdown_table(frame: pd.DataFrame) -> str:
    if frame.empty:
        return "_(none)_"
    header = "| " + " | ".join(markdown_text(str(c)) for c in frame.columns) + " |"
    rule = "|" + "|".join("---" for _ in frame.columns) + "|"
    rows = [
        "| " + " | ".join(
            markdown_text(format_cell(value, str(column)))
            for column, value in zip(frame.columns, row, strict=True)
        ) + " |"
        for row in frame.itertuples(index=False)
    ]
    return "\n".join([header, rule, *rows])


def _html_table(frame: pd.DataFrame) -> str:
    if frame.empty:
        return "<p><em>(none)</em></p>"
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    body = "".join(
        "<tr>" + "".join(
            f"<td>{html.escape(format_cell(value, str(column)))}</td>"
            for column, value in zip(frame.columns, row, strict=True)
        ) + "</tr>"
        for row in frame.itertuples(index=False)
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
