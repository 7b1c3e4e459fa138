"""How every benchmark publishes its result: markdown on stdout and, with --out, in docs/."""

from __future__ import annotations

import shlex
import sys
import time

from tts_diffusion.files import atomic_write_text


def publish(title: str, body: str, out: str | None) -> None:
    """Print ``body``; with ``out``, also write it (atomically) under ``title``, the exact command
    that made it and the date, so that every figure in docs/ says how to reproduce it."""
    print(body)
    if out:
        command = shlex.join(["python", *sys.argv])
        atomic_write_text(out, f"# {title}\n\n`{command}` ({time.strftime('%Y-%m-%d')}).\n\n{body}")
