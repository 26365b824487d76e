"""Names from logs and registries (probe, variant, domain, size, dimension ...) made safe to use.

Such names are data written by whoever ran the evaluation: a probe called ``../../x`` must not
write a figure outside the report folder. `safe_file_stem` is the one place where a name
becomes part of a file name; the report's Markdown and HTML escape names in `document`, and
the figures pass every name to matplotlib as plain text (`figures.plain`).
"""

from __future__ import annotations

import re
import zlib
from pathlib import Path

_SAFE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
_UNSAFE_CHARACTER = re.compile(r"[^A-Za-z0-9_.-]+")
_MAX_STEM = 80


class UnsafeNameError(ValueError):
    """A file name that would leave its folder."""


def safe_file_stem(name: str) -> str:
    """Return a file-name stem for `name` that has no path separator and no ``..``.

    A name of letters, digits, ``_``, ``.`` and ``-`` (not starting with ``.`` or ``-``, no
    ``..``) is kept as it is. Any other name is reduced to those characters and gets a short
    checksum of the original, so two different names never share a file.
    """
    text = str(name)
    if _SAFE.fullmatch(text) and ".." not in text and len(text) <= _MAX_STEM:
        return text
    slug = _UNSAFE_CHARACTER.sub("_", text).replace("..", "_").strip("._-")[:_MAX_STEM]
    checksum = f"{zlib.crc32(text.encode('utf-8')):08x}"
    return f"{slug}-{checksum}" if slug else f"name-{checksum}"


def file_in(folder: Path, stem: str, suffix: str) -> Path:
    """Return ``folder / (stem + suffix)``, refusing any result outside `folder`.

    `stem` must already be a `safe_file_stem`; this is the last check before writing.
    """
    if "/" in stem or "\\" in stem or ".." in stem or not stem:
        raise UnsafeNameError(f"unsafe file name {stem!r}: use safe_file_stem() first")
    path = folder / f"{stem}{suffix}"
    if path.resolve().parent != folder.resolve():
        raise UnsafeNameError(f"file name {stem!r} would leave the folder {folder}")
    return path
