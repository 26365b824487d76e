"""Read single members of an Inspect ``.eval`` log (a zip) without Inspect: fast and exact.

An ``.eval`` log is a zip archive. Inspect writes, among others, ``header.json`` (the log
header; ``_journal/start.json`` while the run is in progress), ``summaries.json`` (one summary
per sample and epoch; ``_journal/summaries/<n>.json`` while in progress), ``reductions.json``
and ``samples/<id>_epoch_<n>.json`` (see ``inspect_ai/log/_recorders/eval.py``). A re-logged
member is appended under the same name; the last one counts, as in Inspect's readers.

`EvalZip` finds one member in the zip's central directory by a byte search (no walk over the
tens of thousands of sample entries a large log holds), checks it against its local header,
inflates it (stored, deflate or zstd; Inspect writes zstd), checks size and CRC-32, and parses
it with orjson. Anything it does not recognise (encryption, another compression method, a
missing zstd decoder, a malformed archive) raises `UnrecognisedLog`, and the caller falls back
to Inspect's own reader.

JSON written by Inspect may hold the non-standard constants ``NaN``, ``Infinity`` and
``-Infinity`` (an unscored sample's value is ``NaN``). orjson rejects them, so they are first
replaced by marker strings (`NON_FINITE`); a constant that is really text inside a JSON string
makes that replacement invalid JSON, and the member is then parsed by the standard library,
which reads the constants itself. `restore_number` turns a marker back into its float.
"""

from __future__ import annotations

import json
import math
import struct
import zlib
from functools import cache
from pathlib import Path
from typing import Any, BinaryIO

import orjson

HEADER_JSON = "header.json"
START_JSON = "_journal/start.json"
SUMMARIES_JSON = "summaries.json"

STORED, DEFLATED, ZSTD = 0, 8, 93
_EOCD = b"PK\x05\x06"
_EOCD64 = b"PK\x06\x06"
_EOCD64_LOCATOR = b"PK\x06\x07"
_CENTRAL = b"PK\x01\x02"
_LOCAL = b"PK\x03\x04"
_CENTRAL_SIZE = 46
_LOCAL_SIZE = 30
_EOCD_SIZE = 22
_MAX_COMMENT = 0xFFFF
_ZIP64_MARK = 0xFFFFFFFF

NON_FINITE: dict[str, float] = {
    "\u0000NaN": math.nan,
    "\u0000Infinity": math.inf,
    "\u0000-Infinity": -math.inf,
}
"""Marker strings that stand for JSON's non-standard constants after `loads_json`."""
_REPLACEMENTS: tuple[tuple[bytes, bytes], ...] = tuple(
    (prefix + token, prefix + b'"\\u0000' + token + b'"')
    for token in (b"-Infinity", b"Infinity", b"NaN")
    for prefix in (b":", b",", b"[")
)


class UnrecognisedLog(Exception):
    """The fast reader does not handle this log (or member); Inspect's reader should."""


def restore_number(value: Any) -> Any:
    """Return the float a `NON_FINITE` marker stands for; any other value unchanged."""
    if type(value) is str and value in NON_FINITE:
        return NON_FINITE[value]
    return value


def loads_json(data: bytes) -> Any:
    """Parse JSON bytes with orjson, accepting Inspect's ``NaN``/``Infinity`` (see module doc)."""
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:
        if b"NaN" not in data and b"Infinity" not in data:
            raise
    marked = data
    for token, marker in _REPLACEMENTS:
        marked = marked.replace(token, marker)
    try:
        return orjson.loads(marked)
    except orjson.JSONDecodeError:
        return json.loads(data)  # a constant inside a string, or one after whitespace


@cache
def _zstd_module() -> Any:
    """The zstd decoder: the standard library's (Python >= 3.14) or Inspect's `zstandard`.

    Looked up once: a failed import is not cached by Python and costs a path search each time.
    """
    try:
        from compression import zstd  # type: ignore[import-not-found]  # Python >= 3.14

        return zstd
    except ImportError:
        pass
    try:
        import zstandard  # Inspect's own zstd decoder on Python < 3.14
    except ImportError as error:
        raise UnrecognisedLog("zstd member and no zstd decoder installed") from error
    return zstandard


def _zstd_decompress(data: bytes, size: int) -> bytes:
    zstandard = _zstd_module()
    if not hasattr(zstandard, "ZstdDecompressor"):  # the standard library's module
        return bytes(zstandard.decompress(data))
    decompressor = zstandard.ZstdDecompressor()
    try:
        out = decompressor.decompress(data, max_output_size=size)
        if len(out) == size:
            return out
    except zstandard.ZstdError:
        pass
    parts = []  # several frames (Inspect splits very large members), or no content size
    try:
        while data:
            frame = decompressor.decompressobj()
            parts.append(frame.decompress(data))
            data = frame.unused_data
    except zstandard.ZstdError as error:  # corrupt data: let Inspect's reader say so
        raise UnrecognisedLog(f"zstd data cannot be decompressed ({error})") from error
    return b"".join(parts)


class EvalZip:
    """One ``.eval`` file opened for reading single members (use as a context manager)."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._file: BinaryIO = open(self.path, "rb")  # noqa: SIM115 (closed in close())
        try:
            self._central, self._concat = self._read_central_directory()
        except BaseException:
            self._file.close()
            raise

    def __enter__(self) -> EvalZip:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the file."""
        self._file.close()

    def _read_central_directory(self) -> tuple[bytes, int]:
        handle = self._file
        handle.seek(0, 2)
        size = handle.tell()
        tail_size = min(size, _EOCD_SIZE + _MAX_COMMENT)
        handle.seek(size - tail_size)
        tail = handle.read(tail_size)
        at = tail.rfind(_EOCD)
        if at < 0 or len(tail) - at < _EOCD_SIZE:
            raise UnrecognisedLog(f"{self.path.name}: no zip end-of-directory record")
        eocd_pos = size - tail_size + at
        (_, _, _, _, entries, cd_size, cd_offset, _) = struct.unpack(
            "<4s4H2LH", tail[at:at + _EOCD_SIZE]
        )
        end_of_cd = eocd_pos
        if _ZIP64_MARK in (cd_size, cd_offset) or entries == 0xFFFF:
            locator_at = at - 20
            if locator_at < 0 or tail[locator_at:locator_at + 4] != _EOCD64_LOCATOR:
                raise UnrecognisedLog(f"{self.path.name}: zip64 record not found")
            (_, _, record_pos, _) = struct.unpack("<4sLQL", tail[locator_at:locator_at + 20])
            handle.seek(record_pos)
            record = handle.read(56)
            if record[:4] != _EOCD64:
                raise UnrecognisedLog(f"{self.path.name}: bad zip64 end-of-directory record")
            cd_size, cd_offset = struct.unpack("<QQ", record[40:56])
            end_of_cd = record_pos
        concat = end_of_cd - cd_size - cd_offset  # bytes prepended to the archive, as zipfile
        if concat < 0 or cd_offset + concat < 0:
            raise UnrecognisedLog(f"{self.path.name}: inconsistent central directory")
        handle.seek(cd_offset + concat)
        central = handle.read(cd_size)
        if len(central) != cd_size:
            raise UnrecognisedLog(f"{self.path.name}: truncated central directory")
        return central, concat

    def _find(self, name: str) -> tuple[int, int, int, int, int, int] | None:
        """(flags, method, crc, compressed size, size, offset) of the last entry `name`."""
        encoded = name.encode()
        central = self._central
        end = len(central)
        while True:
            at = central.rfind(encoded, 0, end)
            if at < 0:
                return None
            start = at - _CENTRAL_SIZE
            end = at
            if start < 0 or central[start:start + 4] != _CENTRAL:
                continue
            fields = struct.unpack("<4s6H3L5H2L", central[start:at])
            flags, method, crc, compressed, size = (
                fields[3], fields[4], fields[7], fields[8], fields[9]
            )
            name_length, extra_length, offset = fields[10], fields[11], fields[16]
            if name_length != len(encoded):
                continue
            if _ZIP64_MARK in (compressed, size, offset):
                extra = central[at + name_length:at + name_length + extra_length]
                size, compressed, offset = _zip64_sizes(extra, size, compressed, offset)
            return flags, method, crc, compressed, size, offset

    def has(self, name: str) -> bool:
        """True when the archive holds a member `name`."""
        return self._find(name) is not None

    def read(self, name: str) -> bytes:
        """Return the bytes of member `name` (KeyError when absent)."""
        found = self._find(name)
        if found is None:
            raise KeyError(name)
        flags, method, crc, compressed, size, offset = found
        if flags & 0x1:
            raise UnrecognisedLog(f"{self.path.name}: {name} is encrypted")
        handle = self._file
        handle.seek(offset + self._concat)
        local = handle.read(_LOCAL_SIZE)
        if len(local) != _LOCAL_SIZE or local[:4] != _LOCAL:
            raise UnrecognisedLog(f"{self.path.name}: bad local header for {name}")
        name_length, extra_length = struct.unpack("<2H", local[26:30])
        if handle.read(name_length) != name.encode():
            raise UnrecognisedLog(f"{self.path.name}: local header of {name} names another file")
        handle.seek(extra_length, 1)
        raw = handle.read(compressed)
        if len(raw) != compressed:
            raise UnrecognisedLog(f"{self.path.name}: {name} is truncated")
        if method == STORED:
            data = raw
        elif method == DEFLATED:
            data = zlib.decompress(raw, -15)
        elif method == ZSTD:
            data = _zstd_decompress(raw, size)
        else:
            raise UnrecognisedLog(f"{self.path.name}: {name} uses compression method {method}")
        if len(data) != size or zlib.crc32(data) != crc:
            raise UnrecognisedLog(f"{self.path.name}: {name} fails its size or CRC check")
        return data

    def read_json(self, name: str) -> Any:
        """Return the parsed JSON of member `name` (see `loads_json`)."""
        return loads_json(self.read(name))

    def crc(self, name: str) -> int | None:
        """The CRC-32 the central directory records for `name` (None when absent)."""
        found = self._find(name)
        return None if found is None else found[2]


def _zip64_sizes(extra: bytes, size: int, compressed: int, offset: int) -> tuple[int, int, int]:
    """Read the zip64 extended-information field for the values marked 0xFFFFFFFF."""
    at = 0
    while at + 4 <= len(extra):
        kind, length = struct.unpack("<2H", extra[at:at + 4])
        body = extra[at + 4:at + 4 + length]
        if kind == 0x0001:
            values = list(struct.unpack(f"<{len(body) // 8}Q", body[:len(body) // 8 * 8]))
            try:
                if size == _ZIP64_MARK:
                    size = values.pop(0)
                if compressed == _ZIP64_MARK:
                    compressed = values.pop(0)
                if offset == _ZIP64_MARK:
                    offset = values.pop(0)
            except IndexError as error:
                raise UnrecognisedLog("zip64 extra field too short") from error
            return size, compressed, offset
        at += 4 + length
    raise UnrecognisedLog("zip64 sizes without a zip64 extra field")
