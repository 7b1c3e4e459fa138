"""HiFi-GAN's discriminators and losses (Kong et al. 2020).

- Multi-period: for p in (2, 3, 5, 7, 11) the waveform is folded into a (T/p, p) image and read
  by 2D convolutions with kernels (k, 1), so each sees every p-th sample.
- Multi-scale: 1D convolutions on the waveform, and on it average-pooled by 2 and by 4.
- Multi-resolution (UnivNet, used by Vocos instead of multi-scale): 2D convolutions on the
  magnitude STFT at (n_fft, hop) = (1024, 256), (2048, 512), (512, 128).
Losses (least squares): D: (1 - D(y))^2 + D(G(s))^2; G: (1 - D(G(s)))^2, plus feature matching
2 * sum |D_l(y) - D_l(G(s))| and 45 * |mel(y) - mel(G(s))|.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F
from torch.nn.utils.parametrizations import spectral_norm, weight_norm

LRELU_SLOPE = 0.1


def _width(channels: int, scale: float) -> int:
    return max(4, int(channels * scale))


def _stack(convs: nn.ModuleList, post: nn.Module, x: torch.Tensor) -> tuple[torch.Tensor, list[torch.Tensor]]:
    """Leaky-ReLU conv layers then a last conv: the score (flattened) and every layer's output."""
    features = []
    for conv in convs:
        x = F.leaky_relu(conv(x), LRELU_SLOPE)
        features.append(x)
    x = post(x)
    features.append(x)
    return x.flatten(1), features


class PeriodDiscriminator(nn.Module):
    def __init__(self, period: int, scale: float = 1.0):
        super().__init__()
        self.period = period
        widths = [1] + [_width(c, scale) for c in (32, 128, 512, 1024)]
        self.convs = nn.ModuleList(
            weight_norm(nn.Conv2d(a, b, (5, 1), (3, 1), padding=(2, 0))) for a, b in zip(widths[:-1], widths[1:])
        )
        self.convs.append(weight_norm(nn.Conv2d(widths[-1], widths[-1], (5, 1), 1, padding=(2, 0))))
        self.post = weight_norm(nn.Conv2d(widths[-1], 1, (3, 1), 1, padding=(1, 0)))

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, list[torch.Tensor]]:
        b, c, t = x.shape
        if t % self.period:
            x = F.pad(x, (0, self.period - t % self.period), "reflect")
        return _stack(self.convs, self.post, x.reshape(b, c, -1, self.period))


class ScaleDiscriminator(nn.Module):
    def __init__(self, use_spectral_norm: bool = False, scale: float = 1.0):
        super().__init__()
        norm = spectral_norm if use_spectral_norm else weight_norm
        w = lambda c: _width(c, scale)  # noqa: E731
        layers = [(1, w(128), 15, 1, 1), (w(128), w(128), 41, 2, 4), (w(128), w(256), 41, 2, 16),
                  (w(256), w(512), 41, 4, 16), (w(512), w(1024), 41, 4, 16), (w(1024), w(1024), 41, 1, 16),
                  (w(1024), w(1024), 5, 1, 1)]
        self.convs = nn.ModuleList(
            norm(nn.Conv1d(a, b, k, s, groups=_groups(a, b, g), padding=k // 2)) for a, b, k, s, g in layers
        )
        self.post = norm(nn.Conv1d(w(1024), 1, 3, 1, padding=1))

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, list[torch.Tensor]]:
        return _stack(self.convs, self.post, x)


class ResolutionDiscriminator(nn.Module):
    def __init__(self, n_fft: int, hop: int, scale: float = 1.0):
        super().__init__()
        self.n_fft, self.hop = n_fft, hop
        c = _width(64, scale)
        layers = [(1, (7, 5), (2, 2), (3, 2)), (c, (5, 3), (2, 1), (2, 1)), (c, (5, 3), (2, 2), (2, 1)),
                  (c, (3, 3), (2, 1), (1, 1)), (c, (3, 3), (2, 2), (1, 1))]
        self.convs = nn.ModuleList(weight_norm(nn.Conv2d(a, c, k, s, padding=p)) for a, k, s, p in layers)
        self.post = weight_norm(nn.Conv2d(c, 1, 3, padding=1))
        self.register_buffer("window", torch.hann_window(n_fft), persistent=False)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, list[torch.Tensor]]:
        spec = torch.stft(x[:, 0], self.n_fft, self.hop, window=self.window, center=True, return_complex=True).abs()
        return _stack(self.convs, self.post, spec[:, None])


def _groups(c_in: int, c_out: int, groups: int) -> int:
    while c_in % groups or c_out % groups:
        groups //= 2
    return max(groups, 1)


RESOLUTIONS = ((1024, 256), (2048, 512), (512, 128))


class Discriminators(nn.Module):
    """All period discriminators, and the scale (HiFi-GAN) or resolution (Vocos) ones:
    audio (batch, 1, samples) -> scores and feature maps."""

    def __init__(self, periods: tuple[int, ...] = (2, 3, 5, 7, 11), scale: float = 1.0, kind: str = "hifigan"):
        super().__init__()
        if kind not in ("hifigan", "vocos"):
            raise ValueError(f"unknown discriminator set {kind!r}: choose hifigan or vocos")
        self.period = nn.ModuleList(PeriodDiscriminator(p, scale) for p in periods)
        self.scale = nn.ModuleList(ScaleDiscriminator(i == 0, scale) for i in range(3)) if kind == "hifigan" else None
        self.resolution = nn.ModuleList(ResolutionDiscriminator(n, h, scale) for n, h in RESOLUTIONS) \
            if kind == "vocos" else None
        self.pool = nn.AvgPool1d(4, 2, padding=2)

    def forward(self, audio: torch.Tensor) -> tuple[list[torch.Tensor], list[list[torch.Tensor]]]:
        scores, features = [], []
        for d in self.period:
            s, f = d(audio)
            scores.append(s)
            features.append(f)
        x = audio
        for i, d in enumerate(self.scale or []):
            if i:
                x = self.pool(x)
            s, f = d(x)
            scores.append(s)
            features.append(f)
        for d in self.resolution or []:
            s, f = d(audio)
            scores.append(s)
            features.append(f)
        return scores, features


def discriminator_loss(real: list[torch.Tensor], fake: list[torch.Tensor]) -> torch.Tensor:
    return sum(torch.mean((1 - r) ** 2) + torch.mean(f**2) for r, f in zip(real, fake))


def generator_loss(fake: list[torch.Tensor]) -> torch.Tensor:
    return sum(torch.mean((1 - f) ** 2) for f in fake)


def feature_matching_loss(real: list[list[torch.Tensor]], fake: list[list[torch.Tensor]]) -> torch.Tensor:
    return 2 * sum(torch.mean(torch.abs(r.detach() - f)) for rs, fs in zip(real, fake) for r, f in zip(rs, fs))
