"""Checkpoints: a folder per step with the weights as safetensors and the training state.

    run_dir/checkpoints/step_0001000/
        model.safetensors   raw weights     } metadata: "config" and "tokenizer" (JSON), "step"
        ema.safetensors     EMA weights     } so that either file alone can synthesize
        state.pt            optimizer, RNG and data-order state (read with weights_only=True)

A folder is written under a temporary name and renamed when complete, so a crash never leaves a
half-written checkpoint; only the newest ``keep`` are kept.
"""

from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path

import torch
from safetensors import SafetensorError

from ..files import describe, fsync
from ..weights import checkpoint_dirs, save_weights


class CheckpointError(ValueError):
    """A checkpoint that could not be written (the message says why: a full disk, ...)."""


def remove_partial_checkpoints(run_dir: str | Path) -> None:
    """Temporary folders a crash left in the middle of a save (``.step_N.tmp``)."""
    for partial in (Path(run_dir) / "checkpoints").glob(".step_*.tmp"):
        shutil.rmtree(partial, ignore_errors=True)


def save_checkpoint(run_dir: str | Path, step: int, weights: dict[str, dict[str, torch.Tensor]],
                    metadata: dict[str, object], state: dict, keep: int = 3) -> Path:
    """Write ``<name>.safetensors`` for each entry of ``weights`` and ``state.pt``, atomically: into
    a temporary folder renamed at the end, which a failure (a full disk) removes."""
    root = Path(run_dir) / "checkpoints"
    final = root / f"step_{step:07d}"
    tmp = root / f".step_{step:07d}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        tmp.mkdir(parents=True)
        for name, state_dict in weights.items():
            save_weights(tmp / f"{name}.safetensors", state_dict, {**metadata, "step": step})
        torch.save(state, tmp / "state.pt")
        for written in [*tmp.iterdir(), tmp]:
            fsync(written)  # on the disk before the rename: a power cut leaves no empty checkpoint
    # a full disk: torch.save raises a RuntimeError ("enforce fail ..."), safetensors its own error
    except (OSError, RuntimeError, SafetensorError) as err:
        shutil.rmtree(tmp, ignore_errors=True)
        full = (isinstance(err, OSError) and err.errno == errno.ENOSPC or "No space left" in str(err)
                or shutil.disk_usage(root).free < 1 << 20)
        reason = "the disk is full" if full else describe(err) if isinstance(err, OSError) else str(err).splitlines()[0]
        raise CheckpointError(f"cannot save checkpoint {final}: {reason}") from None
    if final.exists():
        shutil.rmtree(final)
    os.replace(tmp, final)
    fsync(root)
    for old in checkpoint_dirs(run_dir)[:-keep]:
        shutil.rmtree(old, ignore_errors=True)
    return final


def load_state(checkpoint: Path) -> dict:
    return torch.load(checkpoint / "state.pt", map_location="cpu", weights_only=True)
