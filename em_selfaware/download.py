"""Download published data files from a pinned URL, verify their sha256 and cache them."""

from __future__ import annotations

import hashlib
import os
import urllib.error
import urllib.request
from dataclasses import dataclass, replace
from pathlib import Path

from em_selfaware.inputs import ShownWithoutTraceback
from em_selfaware.paths import cache_dir


class DataSourceError(ShownWithoutTraceback, RuntimeError):
    """A published data file could not be fetched or failed its checksum."""


class DownloadError(DataSourceError):
    """A published data file could not be downloaded (no network, gone, refused)."""


@dataclass(frozen=True)
class PinnedFile:
    """A public data file at a fixed URL (pinned commit) with its expected sha256."""

    name: str
    """Short name, also the cache file name."""
    url: str
    """URL at a pinned commit."""
    sha256: str
    """Expected hex digest of the file's bytes."""
    source: str = ""
    """Human-readable provenance (paper, repository, licence)."""
    sha256_env: str = ""
    """Environment variable that overrides `sha256` (named in mismatch errors), if any."""

    @property
    def cache_path(self) -> Path:
        """Where the verified file is (or would be) cached."""
        return cache_dir() / self.name


def sha256_of(path: Path) -> str:
    """Return the hex sha256 digest of a file."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def verify(path: Path, pinned: PinnedFile) -> None:
    """Raise `DataSourceError` if the cached file's sha256 differs from the pinned one."""
    actual = sha256_of(path)
    if actual != pinned.sha256:
        raise DataSourceError(
            f"sha256 mismatch for {pinned.name} at {path}: expected {pinned.sha256}, "
            f"got {actual}. The file is not the pinned version ({pinned.url}); delete it "
            "and fetch it again, or place the right file there by hand."
        )


def verify_local(path: Path, pinned: PinnedFile, parameter: str = "dataset_path") -> None:
    """Raise `DataSourceError` if a user's own copy (passed as `parameter`) is not the pin.

    The message says what differs (digest, size, line endings or a byte-order mark) and what
    to do; it never suggests deleting the user's file.
    """
    actual = sha256_of(path)
    if actual == pinned.sha256:
        return
    data = path.read_bytes()
    hints = []
    if b"\r\n" in data:
        hints.append("it has Windows line endings (CRLF)")
    if data.startswith(b"\xef\xbb\xbf"):
        hints.append("it starts with a byte-order mark")
    found = f"; {' and '.join(hints)}, which an editor or git may have added" if hints else ""
    override = (
        f" If you mean to use another version of the file, set {pinned.sha256_env}={actual}."
        if pinned.sha256_env
        else ""
    )
    raise DataSourceError(
        f"{parameter}: {path} is not the pinned {pinned.name}: its sha256 is {actual} "
        f"({len(data)} bytes{found}), the pinned file's is {pinned.sha256}. Use an unmodified "
        f"copy of {pinned.url} (save the raw file, not a page or an edited copy).{override}"
    )


def fetch(pinned: PinnedFile, timeout: float = 60.0) -> Path:
    """Return the cached, verified local copy of `pinned`, downloading it if needed.

    A cached file is re-verified on every call. Without network access the error names
    the URL and the cache path where the file can be placed by hand.
    """
    target = pinned.cache_path
    if target.is_file():
        verify(target, pinned)
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(target.suffix + ".part")
    try:
        with urllib.request.urlopen(pinned.url, timeout=timeout) as response:
            partial.write_bytes(response.read())
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        partial.unlink(missing_ok=True)
        raise DownloadError(
            f"could not download {pinned.name} from {pinned.url} ({error}). Without network "
            f"access, download that URL elsewhere and place the file at {target}."
        ) from error
    actual = sha256_of(partial)
    if actual != pinned.sha256:
        partial.unlink(missing_ok=True)
        override = f" ({pinned.sha256_env} is set)" if os.environ.get(pinned.sha256_env) else ""
        raise DataSourceError(
            f"sha256 mismatch for {pinned.name} downloaded from {pinned.url}: expected "
            f"{pinned.sha256}{override}, got {actual}. The URL does not serve the pinned "
            "version; nothing was cached."
        )
    partial.replace(target)
    return target


W26_SOURCE = "Weckauff, Zhang & Andriushchenko 2026 (arXiv 2604.28082)"
W26_REPOSITORY = "aisa-group/EM-persona-consistency"
W26_COMMIT = "ddf3ed1adc1f9233861146551723dd8126c76ccc"
"""The upstream commit whose files W26's pins name."""


def w26_file_url(path: str) -> str:
    """Return the raw-file URL of `path` in W26's repository at the pinned commit."""
    return f"https://raw.githubusercontent.com/{W26_REPOSITORY}/{W26_COMMIT}/{path}"


def with_env_overrides(pinned: PinnedFile, url_env: str, sha256_env: str) -> PinnedFile:
    """Return `pinned` with its URL and sha256 replaced by the environment variables, if set.

    Either may be set alone: the URL for a mirror of the same file, the digest (with a local
    file, ``-T dataset_path=FILE``) for another version of it.
    """
    url = os.environ.get(url_env, "").strip() or pinned.url
    sha256 = os.environ.get(sha256_env, "").strip().lower() or pinned.sha256
    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        raise DataSourceError(
            f"{sha256_env}={sha256!r} is not a sha256 digest (64 hexadecimal characters)"
        )
    return replace(pinned, url=url, sha256=sha256, sha256_env=sha256_env)


def local_or_fetch(
    pinned: PinnedFile, path: str | Path | None = None, parameter: str = "dataset_path"
) -> Path:
    """Return the user's file at `path` checked against the pin, or the fetched cached copy.

    A local file needs only the digest: the URL is not used.
    """
    if path is None:
        try:
            return fetch(pinned)
        except DownloadError as error:
            raise DownloadError(f"{error} Or pass your copy with -T {parameter}=FILE.") from None
    local = Path(path).expanduser()
    if not local.is_file():
        raise DataSourceError(f"{parameter}: no such file: {local}")
    verify_local(local, pinned, parameter)
    return local
