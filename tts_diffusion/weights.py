"""Weights on disk: safetensors files whose metadata (JSON values) say what they hold, and the
checkpoint folders of a run (``run_dir/checkpoints/step_NNNNNNN/``).

Everything that loads a model for inference reads weights through this module; the training
state next to them (optimizer, RNG) is the trainers' business (:mod:`.training.checkpoint`).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import torch
from safetensors.torch import load_file, safe_open, save_file

_STEP = re.compile(r"^step_(\d+)$")


def checkpoint_dirs(run_dir: str | Path) -> list[Path]:
    """Complete checkpoint folders of a run, oldest first."""
    root = Path(run_dir) / "checkpoints"
    if not root.is_dir():
        return []
    found = [(int(m.group(1)), p) for p in root.iterdir() if p.is_dir() and (m := _STEP.match(p.name))]
    return [p for _, p in sorted(found)]


def save_weights(path: str | Path, state_dict: dict[str, torch.Tensor], metadata: dict[str, object]) -> None:
    tensors = {k: v.detach().cpu().contiguous() for k, v in state_dict.items()}
    save_file(tensors, str(path), metadata={k: json.dumps(v) for k, v in metadata.items()})


def half_precision(tensors: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """Floating-point tensors as float16 (half the file; loading casts them back to the model's
    float32), others as they are."""
    return {k: v.half() if v.is_floating_point() else v for k, v in tensors.items()}


def read_metadata(path: str | Path) -> dict[str, object]:
    with safe_open(str(path), framework="pt") as f:
        return {k: json.loads(v) for k, v in (f.metadata() or {}).items()}


def load_weights(path: str | Path, device: str | torch.device = "cpu") -> dict[str, torch.Tensor]:
    return load_file(str(path), device=str(device))
