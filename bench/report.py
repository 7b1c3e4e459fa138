"""How every benchmark publishes its result: markdown on stdout and, with --out, in docs/."""

from __future__ import annotations

import shlex
import sys
import time

from tts_diffusion.files import atomic_write_text


def peak_rss_mb() -> float:
    """This process's peak resident memory in MB: VmHWM, which starts afresh at exec (getrusage's
    ru_maxrss does not: a child spawned by a big process inherits its parent's peak)."""
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmHWM:")) / 1024


def publish(title: str, body: str, out: str | None) -> None:
    """Print ``body``; with ``out``, also write it (atomically) under ``title``, the exact command
    that made it and the date, so that every figure in docs/ says how to reproduce it."""
    print(body)
    if out:
        command = shlex.join(["python", *sys.argv])
        atomic_write_text(out, f"# {title}\n\n`{command}` ({time.strftime('%Y-%m-%d')}).\n\n{body}")
