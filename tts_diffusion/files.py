"""Writing files so that a crash never leaves a half-written one behind, and nothing that is there
is destroyed: a regular file is replaced whole (keeping its permissions), a symbolic link's target
is replaced (the link stays), and a device or FIFO is written into, never renamed over."""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from pathlib import Path
from typing import Iterator


def is_special(path: str | Path) -> bool:
    """An existing file that is not a regular file (after symbolic links): a device, FIFO or socket."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return not stat.S_ISREG(mode) and not stat.S_ISDIR(mode)


def describe(err: OSError) -> str:
    """One line for a failed write; a full disk says so."""
    if err.errno == errno.ENOSPC:
        return "the disk is full"
    return err.strerror or str(err)


def fsync(path: str | Path) -> None:
    """Flush a file's (or a folder's) data and metadata to the disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextlib.contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a path to write ``path``'s new content to: a temporary file beside it, renamed over it
    on success (with the old file's permission bits), or, for a device or FIFO, the path itself.

    On any exception the temporary file is removed and ``path`` is left as it was. The new content
    is on the disk before the rename (the file is fsynced) and the rename after it (the folder is):
    a power cut leaves the old file or the new one, never an empty file under the final name.
    """
    path = Path(path)
    if path.is_symlink():
        path = path.resolve()  # replace what the link points to, not the link
    if is_special(path):
        yield path  # /dev/null, a FIFO: write into it
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp" + path.suffix, dir=path.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        if path.exists():
            mode = stat.S_IMODE(os.stat(path).st_mode)
        else:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask  # mkstemp makes 0600; a new file gets the usual permissions
        os.chmod(tmp_path, mode)
        fsync(tmp_path)
        os.replace(tmp_path, path)
        fsync(path.parent)
    finally:
        tmp_path.unlink(missing_ok=True)


def atomic_write_text(path: str | Path, text: str) -> None:
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


def atomic_save_npy(path: str | Path, array) -> None:
    import numpy as np

    with atomic_path(path) as tmp, open(tmp, "wb") as f:
        np.save(f, array)
