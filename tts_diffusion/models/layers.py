"""Small building blocks shared by the encoder and the score networks."""

from __future__ import annotations

import math

import torch
from torch import nn
from torch.nn import functional as F


def sequence_mask(lengths: torch.Tensor, max_length: int | None = None) -> torch.Tensor:
    """(batch,) lengths -> (batch, max_length) bool mask, True inside each sequence."""
    max_length = int(lengths.max()) if max_length is None else max_length
    return torch.arange(max_length, device=lengths.device)[None, :] < lengths[:, None]


def timestep_embedding(t: torch.Tensor, dim: int, scale: float = 1000.0) -> torch.Tensor:
    """Sinusoidal embedding of t in [0, 1]: [sin(s t w_k), cos(s t w_k)], w_k = 10000^{-k/(dim/2-1)}."""
    half = dim // 2
    freqs = torch.exp(-math.log(10000.0) * torch.arange(half, device=t.device, dtype=torch.float32) / (half - 1))
    angles = scale * t.float()[:, None] * freqs[None, :]
    return torch.cat([angles.sin(), angles.cos()], dim=-1)


class Mish(nn.Module):
    """Mish(x) = x tanh(softplus(x)) = x n (n + 2) / (n (n + 2) + 2) with n = e^x (tanh(log(1 + n)) as a
    ratio; x is clamped at 20 for the exponential, where the ratio is already 1 in float32).
    Without autograd, as that ratio: one exponential and a few products, faster than torch's fused
    kernel on the CPU and than onnxruntime's Softplus and Tanh (docs/runtimes.md, "Figures behind
    the code"). In training the fused kernel, which keeps less for backward."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if torch.is_grad_enabled() and x.requires_grad:
            return F.mish(x)
        n = torch.exp(x.clamp(max=20.0))
        p = n * (n + 2)
        return x * (p / (p + 2))


class TimeMLP(nn.Module):
    """t -> sinusoidal embedding -> Linear, Mish, Linear."""

    def __init__(self, dim: int, out_dim: int):
        super().__init__()
        self.dim = dim
        self.net = nn.Sequential(nn.Linear(dim, out_dim * 4), Mish(), nn.Linear(out_dim * 4, out_dim))

    def forward(self, t: torch.Tensor) -> torch.Tensor:
        return self.net(timestep_embedding(t, self.dim))


class ChannelLayerNorm(nn.Module):
    """LayerNorm over the channel axis of a (batch, channels, time) tensor."""

    def __init__(self, channels: int, eps: float = 1e-5):
        super().__init__()
        self.norm = nn.LayerNorm(channels, eps=eps)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.norm(x.transpose(1, 2)).transpose(1, 2)


def rotary(x: torch.Tensor, base: float = 10000.0) -> torch.Tensor:
    """Rotary position embedding (RoFormer) on (batch, heads, time, dim): rotate each pair of
    features (x_{2k}, x_{2k+1}) at position p by the angle p * base^{-2k/dim}."""
    _, _, length, dim = x.shape
    freqs = base ** (-torch.arange(0, dim, 2, device=x.device, dtype=torch.float32) / dim)
    angles = torch.arange(length, device=x.device, dtype=torch.float32)[:, None] * freqs[None, :]
    cos, sin = angles.cos().to(x.dtype), angles.sin().to(x.dtype)
    even, odd = x[..., 0::2], x[..., 1::2]
    return torch.stack([even * cos - odd * sin, even * sin + odd * cos], dim=-1).flatten(-2)


def random_segment_starts(lengths: torch.Tensor, out_size: int, generator: torch.Generator | None = None) -> torch.Tensor:
    """Start frames of random windows of ``out_size`` frames, uniform over
    [0, max(0, length - out_size)] for each item, as Grad-TTS cuts its decoder's training segments."""
    room = (lengths - out_size).clamp(min=0)
    return (torch.rand(lengths.shape, generator=generator) * (room + 1).float()).floor().long().clamp(max=room)


def cut_segments(x: torch.Tensor, starts: torch.Tensor, out_size: int) -> torch.Tensor:
    """Windows x[b, :, starts[b] : starts[b] + out_size], zero-padded where an item is shorter."""
    out = x.new_zeros(x.shape[0], x.shape[1], out_size)
    for b, start in enumerate(starts.tolist()):
        piece = x[b, :, start:start + out_size]
        out[b, :, : piece.shape[-1]] = piece
    return out
