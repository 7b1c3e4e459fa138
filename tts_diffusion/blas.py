"""numpy's BLAS kept to the calling thread for the small matrix products of synthesis.

numpy's OpenBLAS runs a product as small as Griffin-Lim's mel pseudo-inverse (513 x 80 times
80 x frames) on every core, and its worker threads then spin, waiting for the next product, for
longer than Griffin-Lim takes: on 2 cores they held the core that a second sentence or a second lane
of frames was working on (docs/runtimes.md). :func:`one_thread` limits it while synthesis
uses it, through threadpoolctl, and gives the caller's setting back after. The setting is the
process's: one thread at a time holds the limit (two sentences side by side would otherwise restore
each other's), for a product of a few milliseconds."""

from __future__ import annotations

import contextlib
import functools
import threading

import numpy  # noqa: F401 (loaded before the controller looks for its BLAS)
from threadpoolctl import ThreadpoolController


@functools.lru_cache(maxsize=1)
def _controller() -> ThreadpoolController:
    return ThreadpoolController()  # finds the loaded BLAS libraries once (~1 ms); a limit then costs ~15 us


_held = threading.Lock()


@contextlib.contextmanager
def one_thread():
    """A context in which numpy's BLAS runs on the calling thread only."""
    with _held, _controller().limit(limits=1, user_api="blas"):
        yield
