"""Read a user's text files with errors that name the file: UTF-8 text and strict YAML.

`read_text` turns a missing file, a folder, an unreadable file or bytes that are not UTF-8 into
one error naming the file (and, for bad bytes, the line). `load_yaml` is ``yaml.safe_load``
that also refuses duplicate keys (YAML keeps the last one silently) and anchors/aliases that
expand a small file into a huge one (a 415-byte registry can expand to 531k entries).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from em_selfaware.inputs import InputError


class InputFileError(InputError):
    """A file cannot be read as text; the message names it."""


MAX_ALIAS_EXPANSION = 10_000
"""Most YAML nodes that aliases (``*name``) may add to a document beyond the nodes written.
Reusing a defaults block for each of a few hundred variants stays far below it."""


def read_text(path: str | Path, what: str = "file", error: type[Exception] = InputFileError) -> str:
    """Return the UTF-8 text of `path` (a BOM is dropped); raise `error` naming the file."""
    path = Path(path)
    if path.is_dir():
        raise error(f"{what} {path} is a folder, expected a file")
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise error(f"{what} not found: {path}") from None
    except OSError as failure:
        raise error(f"cannot read {what} {path} ({failure.strerror or failure})") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as failure:
        line = data.count(b"\n", 0, failure.start) + 1
        raise error(
            f"{path}: not UTF-8 text (byte 0x{data[failure.start]:02x} on line {line}); "
            f"save the {what} as UTF-8"
        ) from None


def read_jsonl_lines(
    path: str | Path, what: str = "file", error: type[Exception] = InputFileError
) -> Iterator[tuple[int, Any]]:
    """Yield ``(line number, parsed JSON)`` for each non-blank line of a JSONL file.

    Errors (unreadable file, bad bytes, a line that is not JSON) are `error`, naming file and line.
    """
    text = read_text(path, what, error)
    for line_number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            yield line_number, json.loads(line)
        except json.JSONDecodeError as failure:
            raise error(f"{path}:{line_number}: not valid JSON ({failure})") from None


class _Refused(yaml.YAMLError):
    """Valid YAML syntax that a strict loader refuses (duplicate keys, alias expansion)."""


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader refusing duplicate keys and runaway alias expansion."""

    def compose_document(self) -> yaml.Node | None:
        node = super().compose_document()
        if node is not None:
            _check_expansion(node)
        return node

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        _reject_duplicate_keys(self, node)
        return super().construct_mapping(node, deep=deep)


def _reject_duplicate_keys(loader: _StrictLoader, node: yaml.MappingNode) -> None:
    first_line: dict[Any, int] = {}
    for key_node, _ in node.value:
        if key_node.tag == "tag:yaml.org,2002:merge" or not isinstance(key_node, yaml.ScalarNode):
            continue  # merged defaults may be overridden; complex keys are left to YAML
        key = loader.construct_object(key_node)
        line = key_node.start_mark.line + 1
        if key in first_line:
            raise _Refused(
                f"duplicate key {key!r} on lines {first_line[key]} and {line} (YAML would "
                "silently keep only the last one)"
            )
        first_line[key] = line


def _check_expansion(root: yaml.Node) -> None:
    sizes: dict[int, int] = {}
    in_progress: set[int] = set()

    def size(node: yaml.Node) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in in_progress:
            raise _Refused(
                f"the alias on line {node.start_mark.line + 1} refers to a node that contains it"
            )
        in_progress.add(key)
        total = 1
        if isinstance(node, yaml.SequenceNode):
            total += sum(size(child) for child in node.value)
        elif isinstance(node, yaml.MappingNode):
            total += sum(size(k) + size(v) for k, v in node.value)
        in_progress.discard(key)
        sizes[key] = total
        return total

    expanded = size(root)
    added = expanded - len(sizes)
    if added > MAX_ALIAS_EXPANSION:
        raise _Refused(
            f"its anchors and aliases expand {len(sizes)} written YAML nodes to {expanded} "
            f"(at most {MAX_ALIAS_EXPANSION} may be added by aliases); write the entries out"
        )


def load_yaml(path: str | Path, what: str, error: type[Exception] = InputFileError) -> Any:
    """Read and parse a user's YAML file strictly; raise `error` naming the file and the line."""
    text = read_text(path, what, error)
    try:
        return yaml.load(text, Loader=_StrictLoader)  # noqa: S506 (a SafeLoader subclass)
    except _Refused as failure:
        raise error(f"{path}: {failure}") from None
    except yaml.YAMLError as failure:
        raise error(f"{path}: not valid YAML ({failure})") from None
