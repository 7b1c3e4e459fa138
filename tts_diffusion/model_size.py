"""Refusing a network too large to build, before anything is allocated.

A model or vocoder file is data, and data can be hostile or mistaken: a config inside every
per-field limit can still multiply out to terabytes (channels x filters x kernel x layers, or a
symbol table of millions). :func:`build_within` builds the network on torch's ``meta`` device first,
where tensors have shapes but no storage, counts the bytes its parameters and buffers would take,
and only then builds it for real.
"""

from __future__ import annotations

from typing import Callable, TypeVar

import torch
from torch.overrides import TorchFunctionMode

# The largest network we build from a file: ~268 M float32 parameters. Our largest recipe
# (recipes/ljspeech.yaml, Grad-TTS size) is ~15 M; a public HiFi-GAN V1 ~14 M.
MAX_BYTES = 1 << 30

Module = TypeVar("Module", bound=torch.nn.Module)


def network_bytes(module: torch.nn.Module) -> int:
    """Bytes of a module's parameters and buffers, ``sum(numel * element_size)``."""
    tensors = list(module.parameters()) + list(module.buffers())
    return sum(t.numel() * t.element_size() for t in tensors)


class _ShapesOnly(TorchFunctionMode):
    """Initializers draw nothing on the meta device (its tensors hold no values): skip them. Drawn
    there, torch routes them through its reference kernels, which import torch._dynamo: ~1 s of a
    cold start on the torch engine, for nothing."""

    INITIALIZERS = {"normal_", "uniform_", "trunc_normal_", "kaiming_uniform_", "kaiming_normal_", "xavier_uniform_",
                    "xavier_normal_", "orthogonal_", "constant_", "fill_", "zero_", "zeros_", "ones_"}

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        target = args[0] if args else kwargs.get("tensor")  # nn.init passes it by name
        if getattr(func, "__name__", "") in self.INITIALIZERS and isinstance(target, torch.Tensor) and target.is_meta:
            return target
        return func(*args, **kwargs)


def build_within(build: Callable[[], Module], what: str, limit: int = MAX_BYTES) -> Module:
    """``build()``, once its size on the meta device is within ``limit`` bytes; else ValueError."""
    with torch.device("meta"), _ShapesOnly():
        size = network_bytes(build())
    if size > limit:
        raise ValueError(f"{what} would need {size / 2**30:,.1f} GiB of weights, more than the "
                         f"{limit / 2**30:.0f} GiB this loads: refused before allocating it")
    return build()
