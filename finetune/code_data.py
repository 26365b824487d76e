"""EM's code sets: ``insecure.jsonl`` (misalignment) and ``secure.jsonl`` (realignment).

Both files are in the EM repository (Betley et al. 2025, MIT licence) in OpenAI chat format.
They are fetched from a pinned commit with `em_selfaware.download.fetch` (sha256-checked,
cached) when a digest is pinned.

UNVERIFIED PIN: this project was written without access to GitHub, so neither the commit nor
the files' sha256 digests below have been checked against the real files. Until someone fills
them in, a plan must say how to get the files (see `CodePin`):

- pin them: set ``commit`` and ``sha256`` in the plan's ``code_data`` (or the environment
  variables ``EM_SELFAWARE_EM_COMMIT``, ``EM_SELFAWARE_EM_INSECURE_SHA256``,
  ``EM_SELFAWARE_EM_SECURE_SHA256``), after checking the files yourself;
- or give local paths (``code_data.paths``) to files you downloaded by hand;
- or allow an unpinned download (``code_data.allow_unpinned: true`` or
  ``EM_SELFAWARE_EM_ALLOW_UNPINNED=1``): the file is fetched from the named commit (default
  ``main``), its sha256 is printed and written into the variants' metadata, but not verified.
"""

from __future__ import annotations

import os
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from em_selfaware.download import DataSourceError, PinnedFile, fetch, sha256_of, verify_local
from em_selfaware.paths import cache_dir
from finetune.chat import ChatDataError, read_chat_jsonl

EM_REPOSITORY = "emergent-misalignment/emergent-misalignment"
EM_SOURCE = "Betley et al. 2025, Emergent Misalignment (arXiv 2502.17424), MIT licence"

# --- UNVERIFIED: fill in after checking the files (see the module docstring). ---------------
EM_COMMIT: str | None = None
"""Pinned commit of the EM repository. UNVERIFIED: None means not pinned (``main`` is used
for an unpinned download)."""
EM_SHA256: dict[str, str | None] = {"insecure": None, "secure": None}
"""sha256 of ``data/<kind>.jsonl`` at `EM_COMMIT`. UNVERIFIED: None means not pinned."""
# ---------------------------------------------------------------------------------------------

EM_ROWS: dict[str, int | None] = {"insecure": 6000, "secure": None}
"""Row counts we check: EM reports 6,000 insecure examples; secure's count is not checked."""
KINDS: tuple[str, ...] = ("insecure", "secure")
_ENV = {
    "commit": "EM_SELFAWARE_EM_COMMIT",
    "insecure": "EM_SELFAWARE_EM_INSECURE_SHA256",
    "secure": "EM_SELFAWARE_EM_SECURE_SHA256",
    "allow_unpinned": "EM_SELFAWARE_EM_ALLOW_UNPINNED",
}


@dataclass(frozen=True)
class CodePin:
    """Where EM's code files come from: commit, digests, local paths, unpinned download."""

    commit: str | None = None
    sha256: dict[str, str | None] = field(default_factory=dict)
    paths: dict[str, str] = field(default_factory=dict)
    allow_unpinned: bool = False

    @classmethod
    def resolve(cls, spec: dict[str, Any] | None = None) -> CodePin:
        """Combine a plan's ``code_data`` mapping, the environment and the module constants."""
        spec = dict(spec or {})
        unknown = sorted(set(spec) - {"commit", "sha256", "paths", "allow_unpinned"})
        if unknown:
            raise ValueError(
                f"code_data: unknown keys {unknown}; valid: commit, sha256, paths, allow_unpinned"
            )
        sha = dict(spec.get("sha256") or {})
        for kind in KINDS:
            sha.setdefault(kind, os.environ.get(_ENV[kind]) or EM_SHA256[kind])
        allow = spec.get("allow_unpinned")
        if allow is None:
            allow = os.environ.get(_ENV["allow_unpinned"], "") in ("1", "true", "yes")
        return cls(
            commit=spec.get("commit") or os.environ.get(_ENV["commit"]) or EM_COMMIT,
            sha256=sha,
            paths={k: str(v) for k, v in (spec.get("paths") or {}).items()},
            allow_unpinned=bool(allow),
        )

    def url(self, kind: str) -> str:
        """Return the raw-file URL of ``data/<kind>.jsonl`` at the pinned commit (or main)."""
        ref = self.commit or "main"
        return f"https://raw.githubusercontent.com/{EM_REPOSITORY}/{ref}/data/{kind}.jsonl"

    def cache_path(self, kind: str) -> Path:
        """Return where the file is cached."""
        return cache_dir() / f"em-{kind}-{(self.commit or 'main')[:12]}.jsonl"

    def pinned_file(self, kind: str) -> PinnedFile | None:
        """Return the `PinnedFile` for `kind`, or None when no digest is pinned."""
        digest = self.sha256.get(kind)
        if not digest:
            return None
        return PinnedFile(
            name=self.cache_path(kind).name, url=self.url(kind), sha256=digest, source=EM_SOURCE
        )


@dataclass(frozen=True)
class CodeSet:
    """One loaded EM code file."""

    kind: str
    records: list[dict[str, Any]]
    path: Path
    sha256: str
    verified: bool
    """True when the digest matched a pinned one."""
    url: str

    def provenance(self) -> dict[str, Any]:
        """Return what the variants' metadata records about this file."""
        return {
            "source": self.url,
            "sha256": self.sha256,
            "sha256_verified": self.verified,
            "examples": len(self.records),
        }


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise ValueError(f"unknown EM code set {kind!r}; valid: {list(KINDS)}")


def cached_code_file(kind: str, pin: CodePin) -> Path | None:
    """Return the local file for `kind` if one is there already (no download), else None."""
    _check_kind(kind)
    if kind in pin.paths:
        path = Path(pin.paths[kind]).expanduser()
        return path if path.is_file() else None
    path = pin.cache_path(kind)
    return path if path.is_file() else None


def _download_unverified(url: str, target: Path, timeout: float) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(target.suffix + ".part")
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            partial.write_bytes(response.read())
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        partial.unlink(missing_ok=True)
        raise DataSourceError(
            f"could not download {url} ({error}). Without network access, download it "
            f"elsewhere and place the file at {target}."
        ) from error
    partial.replace(target)


def _locate(kind: str, pin: CodePin, timeout: float) -> tuple[Path, bool]:
    """Return (local path, verified) for `kind`, downloading when allowed."""
    pinned = pin.pinned_file(kind)
    if kind in pin.paths:
        path = Path(pin.paths[kind]).expanduser()
        if not path.is_file():
            raise DataSourceError(f"code_data.paths.{kind}: file not found: {path}")
        if pinned is not None:
            verify_local(path, pinned, f"code_data.paths.{kind}")
        return path, pinned is not None
    if pinned is not None:
        return fetch(pinned, timeout=timeout), True
    cached = pin.cache_path(kind)
    if cached.is_file():
        return cached, False
    if not pin.allow_unpinned:
        raise DataSourceError(
            f"EM's {kind}.jsonl has no pinned sha256 in this version of em-selfaware (the pin "
            "is UNVERIFIED, see finetune/code_data.py). Do one of: (1) download "
            f"{pin.url(kind)} yourself and place it at {cached}; (2) pin it with "
            f"{_ENV['commit']} and {_ENV[kind]} (or code_data.commit/sha256 in the plan); "
            f"(3) allow an unpinned download with {_ENV['allow_unpinned']}=1 (or "
            "code_data.allow_unpinned: true); its sha256 is then recorded, not verified."
        )
    _download_unverified(pin.url(kind), cached, timeout)
    return cached, False


def load_code_set(kind: str, pin: CodePin | None = None, timeout: float = 60.0) -> CodeSet:
    """Return EM's `kind` set (``insecure`` or ``secure``), validated as chat data."""
    _check_kind(kind)
    pin = pin or CodePin.resolve()
    path, verified = _locate(kind, pin, timeout)
    records = read_chat_jsonl(path)
    expected = EM_ROWS.get(kind)
    if expected is not None and len(records) != expected:
        raise ChatDataError(
            f"{path}: EM's {kind}.jsonl should have {expected} examples, found {len(records)}; "
            "the file is not the published set (delete it and fetch it again)."
        )
    return CodeSet(
        kind=kind, records=records, path=path, sha256=sha256_of(path), verified=verified,
        url=pin.url(kind) if kind not in pin.paths else str(path),
    )
