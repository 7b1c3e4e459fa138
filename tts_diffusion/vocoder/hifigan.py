"""HiFi-GAN generator (Kong et al. 2020), V1 / V2 / V3, for inference.

Loads the official checkpoint format (``{"generator": state_dict}`` with weight-normed
``weight_g`` / ``weight_v`` pairs, plus its ``config.json``) and our own safetensors. Weight norm
is folded into plain weights at load time, w = g v / ||v||, so inference runs plain convolutions.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from pathlib import Path

import torch
from torch import nn
from torch.nn import functional as F

from ..audio import MelConfig
from .base import MelVocoder

LRELU_SLOPE = 0.1
# The vocoder trainer's checkpoints (a HiFi-GAN or Vocos generator with its discriminators; the
# name predates Vocos and is kept so that older runs keep loading).
CHECKPOINT_FORMAT = "tts-diffusion/hifigan-train/1"


@dataclass
class HiFiGANConfig:
    resblock: str = "1"
    upsample_rates: list[int] = field(default_factory=lambda: [8, 8, 2, 2])
    upsample_kernel_sizes: list[int] = field(default_factory=lambda: [16, 16, 4, 4])
    upsample_initial_channel: int = 512
    resblock_kernel_sizes: list[int] = field(default_factory=lambda: [3, 7, 11])
    resblock_dilation_sizes: list[list[int]] = field(default_factory=lambda: [[1, 3, 5], [1, 3, 5], [1, 3, 5]])
    num_mels: int = 80
    sampling_rate: int = 22050
    n_fft: int = 1024
    hop_size: int = 256
    win_size: int = 1024
    fmin: float = 0.0
    fmax: float = 8000.0

    @classmethod
    def from_json(cls, data: dict) -> "HiFiGANConfig":
        """Read an official config.json; its training keys (batch size, learning rate, ...) are ignored."""
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        if "resblock" in values:
            values["resblock"] = str(values["resblock"])
        if values.get("fmax") is None:
            values.pop("fmax", None)
        return cls(**values)

    def mel_config(self) -> MelConfig:
        return MelConfig(self.sampling_rate, self.n_fft, self.hop_size, self.win_size, self.num_mels,
                         float(self.fmin), float(self.fmax))


VARIANTS = {
    "v1": HiFiGANConfig(),
    "v2": HiFiGANConfig(upsample_initial_channel=128),
    "v3": HiFiGANConfig(resblock="2", upsample_rates=[8, 8, 4], upsample_kernel_sizes=[16, 16, 8],
                        upsample_initial_channel=256, resblock_kernel_sizes=[3, 5, 7],
                        resblock_dilation_sizes=[[1, 2], [2, 6], [3, 12]]),
}


def _same(kernel: int, dilation: int) -> int:
    return (kernel * dilation - dilation) // 2


class ResBlock(nn.Module):
    """Type 1: pairs of (dilated conv, conv); type 2: single dilated convs; each with a residual."""

    def __init__(self, channels: int, kernel: int, dilations: list[int], kind: str):
        super().__init__()
        self.kind = kind
        self.convs1 = nn.ModuleList(nn.Conv1d(channels, channels, kernel, dilation=d, padding=_same(kernel, d))
                                    for d in dilations)
        if kind == "1":
            self.convs2 = nn.ModuleList(nn.Conv1d(channels, channels, kernel, padding=_same(kernel, 1))
                                        for _ in dilations)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for i, conv in enumerate(self.convs1):
            y = conv(F.leaky_relu(x, LRELU_SLOPE))
            if self.kind == "1":
                y = self.convs2[i](F.leaky_relu(y, LRELU_SLOPE))
            x = x + y
        return x


class Generator(MelVocoder):
    """log-mel (batch, n_mels, frames) -> waveform (batch, frames * prod(upsample_rates))."""

    def __init__(self, config: HiFiGANConfig):
        super().__init__()
        self.config = config
        c0 = config.upsample_initial_channel
        self.conv_pre = nn.Conv1d(config.num_mels, c0, 7, padding=3)
        self.ups = nn.ModuleList(
            nn.ConvTranspose1d(c0 // 2**i, c0 // 2 ** (i + 1), k, u, padding=(k - u) // 2)
            for i, (u, k) in enumerate(zip(config.upsample_rates, config.upsample_kernel_sizes))
        )
        self.resblocks = nn.ModuleList(
            ResBlock(c0 // 2 ** (i + 1), k, d, config.resblock)
            for i in range(len(self.ups))
            for k, d in zip(config.resblock_kernel_sizes, config.resblock_dilation_sizes)
        )
        self.conv_post = nn.Conv1d(c0 // 2 ** len(self.ups), 1, 7, padding=3)
        self.mel_config = config.mel_config()

    def forward(self, mel: torch.Tensor) -> torch.Tensor:
        squeeze = mel.dim() == 2
        x = self.conv_pre(mel.unsqueeze(0) if squeeze else mel)
        n = len(self.config.resblock_kernel_sizes)
        for i, up in enumerate(self.ups):
            x = up(F.leaky_relu(x, LRELU_SLOPE))
            x = sum(self.resblocks[i * n + j](x) for j in range(n)) / n
        audio = torch.tanh(self.conv_post(F.leaky_relu(x))).squeeze(1)
        return audio.squeeze(0) if squeeze else audio


def fold_weight_norm(state_dict: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """Replace each (weight_g, weight_v) pair by weight = g v / ||v|| (norm over all axes but 0),
    for both the old ``weight_g`` names and torch's ``parametrizations.weight.original0/1``."""
    out = {}
    for key, value in state_dict.items():
        for g_suffix, v_suffix in ((".weight_g", ".weight_v"), (".parametrizations.weight.original0",
                                                                 ".parametrizations.weight.original1")):
            if key.endswith(g_suffix):
                base = key[: -len(g_suffix)]
                v = state_dict[base + v_suffix]
                norm = v.norm(dim=tuple(range(1, v.dim())), keepdim=True)
                out[base + ".weight"] = value * v / norm
                break
            if key.endswith(v_suffix):
                break
        else:
            out[key] = value
    return out


def build_generator(config: HiFiGANConfig, state_dict: dict[str, torch.Tensor]) -> Generator:
    from ..model_size import build_within

    generator = build_within(lambda: Generator(config), "its HiFi-GAN config")
    try:
        generator.load_state_dict(fold_weight_norm(state_dict))
    except RuntimeError as err:
        raise ValueError(f"HiFi-GAN weights do not fit the config: {str(err).splitlines()[0]}") from None
    return generator.eval()


def read_config(path: Path) -> HiFiGANConfig:
    try:
        return HiFiGANConfig.from_json(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError) as err:
        raise ValueError(f"cannot read HiFi-GAN config {path}: {err}") from None
