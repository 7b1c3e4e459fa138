"""Resumable downloads with a size and SHA-256 check, and safe archive extraction."""

from __future__ import annotations

import hashlib
import os
import tarfile
import urllib.request
from pathlib import Path

from tqdm import tqdm


class DownloadError(RuntimeError):
    """A download that failed or did not match its expected size or checksum."""


def sha256_of(path: Path, block: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(block):
            digest.update(chunk)
    return digest.hexdigest()


def download(url: str, dest: str | Path, size: int | None = None, sha256: str | None = None,
             timeout: float = 60.0) -> Path:
    """Fetch ``url`` to ``dest``, resuming a partial ``dest.part`` with an HTTP Range request.

    ``dest`` appears only once the whole file is there and matches ``size`` and ``sha256``.
    """
    dest = Path(dest)
    if dest.is_file() and (size is None or dest.stat().st_size == size):
        return dest
    part = dest.with_name(dest.name + ".part")
    dest.parent.mkdir(parents=True, exist_ok=True)
    have = part.stat().st_size if part.is_file() else 0
    request = urllib.request.Request(url, headers={"Range": f"bytes={have}-"} if have else {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            if have and response.status != 206:
                have = 0  # the server ignored the range: start over
            total = int(response.headers.get("Content-Length", 0)) + have or None
            with open(part, "ab" if have else "wb") as f, tqdm(
                total=total, initial=have, unit="B", unit_scale=True, desc=dest.name
            ) as bar:
                while chunk := response.read(1 << 20):
                    f.write(chunk)
                    bar.update(len(chunk))
    except OSError as err:
        raise DownloadError(f"download of {url} failed: {err}; run again to resume") from None
    if size is not None and part.stat().st_size != size:
        raise DownloadError(f"{part} has {part.stat().st_size} bytes, expected {size}; run again to resume")
    if sha256 is not None and sha256_of(part) != sha256:
        part.unlink()
        raise DownloadError(f"checksum mismatch for {url}: the partial file was removed, run again")
    os.replace(part, dest)
    return dest


def extract_tar(archive: str | Path, dest: str | Path) -> None:
    """Extract a tar archive, refusing members that would land outside ``dest``."""
    dest = Path(dest).resolve()
    with tarfile.open(archive) as tar:
        for member in tar.getmembers():
            target = (dest / member.name).resolve()
            if not target.is_relative_to(dest) or member.issym() or member.islnk():
                raise DownloadError(f"unsafe path in archive {archive}: {member.name}")
        tar.extractall(dest)
