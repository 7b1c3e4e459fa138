"""The decoder's network: a U-Net F(y, mu, t) over the scaled, shifted noisy mel y = c_in (x_t - mu),
conditioned on the prior mean mu, the time t and an optional speaker embedding. F is not a score:
it is the preconditioned residual of the noise estimate, eps_theta = c_skip y_t + c_out F, which the
model turns into the score -eps_theta / sigma_t (see :mod:`tts_diffusion.models.tts`).

One U-Net serves both sizes:
- ``unet2d`` (Grad-TTS): x and mu are two channels of a (mel x time) image; 2D convs. For GPUs.
  Its upward levels run as Grad-TTS's do: at the lower resolution, each on the skip of its own
  resolution, then upsample (the shallowest skip is unused): 28% fewer MACs than running them
  after the upsampling.
- ``unet1d`` (as Matcha-TTS): mel bins are channels, convs run over time only; far cheaper, the CPU
  choice. Its upward levels upsample first, then run at the higher resolution (the layout of the
  shipped CPU voices; at 1D the difference is small).
"""

from __future__ import annotations

import math

import torch
from torch import nn
from torch.nn import functional as F

from .layers import Mish, TimeMLP

_CONV = {1: nn.Conv1d, 2: nn.Conv2d}
_CONV_T = {1: nn.ConvTranspose1d, 2: nn.ConvTranspose2d}


class MaskedGroupNorm(nn.GroupNorm):
    """GroupNorm whose statistics come from the positions inside the mask only, so that an
    utterance is normalized the same alone or padded in a batch.

    With a full mask it is ``F.group_norm`` (one fused kernel each way). Otherwise, per group,
    mean = sum(m x) / n and var = sum(m x^2) / n - mean^2 over the n positions inside, and the
    output is x a + b with a = w / sqrt(var + eps), b = beta - mean a per channel. The sums are
    taken per channel over time (the mask broadcasts instead of being expanded), then over each
    group's channels on the small (batch, channels) statistics, in shapes known from the module
    alone: an exported graph (which always takes this form, exact for any mask) has no shape
    arithmetic, and backward keeps x and the statistics, not full-size copies."""

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        if not torch.jit.is_tracing() and bool(mask.min() == 1):
            return F.group_norm(x, self.num_groups, self.weight, self.bias, self.eps)
        dims = tuple(range(2, x.dim()))
        per_frame = math.prod(x.shape[2:-1])  # mel bins of a 2D input; 1 for 1D
        count = (mask.sum(dims) * (per_frame * self.num_channels // self.num_groups)).clamp(min=1)  # (b, 1)
        masked = x * mask
        mean = self._group_sum(masked.sum(dims)) / count
        var = (self._group_sum((masked * x).sum(dims)) / count - mean.square()).clamp(min=0)
        scale = torch.rsqrt(var + self.eps) * self.weight
        shift = self.bias - mean * scale
        spread = (...,) + (None,) * len(dims)  # (b, c) -> (b, c, 1, ...)
        return x * scale[spread] + shift[spread]

    def _group_sum(self, per_channel: torch.Tensor) -> torch.Tensor:
        """(b, c) -> (b, c): each channel's value summed over the channels of its group."""
        size = self.num_channels // self.num_groups
        grouped = per_channel.reshape(-1, self.num_groups, size).sum(-1, keepdim=True)
        return (grouped * per_channel.new_ones(size)).reshape(-1, self.num_channels)


class ConvNormMish(nn.Sequential):
    """conv, masked GroupNorm, Mish."""

    def __init__(self, conv: nn.Module, channels: int, groups: int = 8):
        super().__init__(conv, MaskedGroupNorm(groups, channels), Mish())

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        conv, norm, act = self
        return act(norm(conv(x * mask), mask))


class ResBlock(nn.Module):
    """conv-GroupNorm-Mish, add the time (and speaker) embedding, conv-GroupNorm-Mish, residual."""

    def __init__(self, dims: int, c_in: int, c_out: int, cond_channels: int):
        super().__init__()
        conv = _CONV[dims]
        self.block1 = ConvNormMish(conv(c_in, c_out, 3, padding=1), c_out)
        self.block2 = ConvNormMish(conv(c_out, c_out, 3, padding=1), c_out)
        self.cond = nn.Sequential(Mish(), nn.Linear(cond_channels, c_out))
        self.skip = conv(c_in, c_out, 1) if c_in != c_out else nn.Identity()

    def forward(self, x: torch.Tensor, mask: torch.Tensor, cond: torch.Tensor) -> torch.Tensor:
        h = self.block1(x, mask)
        h = h + self.cond(cond).reshape(*cond.shape[:1], -1, *([1] * (x.dim() - 2)))
        h = self.block2(h, mask)
        return (h + self.skip(x * mask)) * mask


class LinearAttention(nn.Module):
    """Linear attention over all positions (Katharopoulos et al.), residual, as in Grad-TTS."""

    def __init__(self, dims: int, channels: int, heads: int = 4, head_channels: int = 32):
        super().__init__()
        self.heads = heads
        self.qkv = _CONV[dims](channels, 3 * heads * head_channels, 1, bias=False)
        self.out = _CONV[dims](heads * head_channels, channels, 1)

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        b, c, *spatial = x.shape
        q, k, v = self.qkv(x * mask).reshape(b, 3, self.heads, -1, x[0, 0].numel()).unbind(1)
        inside = mask.expand(b, 1, *spatial).reshape(b, 1, 1, -1) > 0
        k = k.masked_fill(~inside, float("-inf")).softmax(dim=-1)  # padding takes no share of the keys
        context = torch.einsum("bhdn,bhen->bhde", k, v)
        y = torch.einsum("bhde,bhdn->bhen", context, q).reshape(b, -1, *spatial)
        return x + self.out(y) * mask


class Level(nn.Module):
    def __init__(self, dims: int, c_in: int, c_out: int, cond: int, attention: bool):
        super().__init__()
        self.res1, self.res2 = ResBlock(dims, c_in, c_out, cond), ResBlock(dims, c_out, c_out, cond)
        self.attention = LinearAttention(dims, c_out) if attention else None

    def forward(self, x, mask, cond):
        x = self.res2(self.res1(x, mask, cond), mask, cond)
        return self.attention(x, mask) if self.attention is not None else x


class ResidualUNet(nn.Module):
    """F(y, mu, t, speaker) for mels (batch, n_mels, frames): what the Gaussian estimate of the noise misses."""

    def __init__(self, n_mels: int = 80, kind: str = "unet1d", channels: tuple[int, ...] = (256, 256),
                 time_channels: int = 64, attention: bool = False):
        super().__init__()
        if kind not in ("unet1d", "unet2d"):
            raise ValueError(f"unknown score network {kind!r}: choose unet1d or unet2d")
        self.dims = 1 if kind == "unet1d" else 2
        self.n_mels, self.levels = n_mels, len(channels)
        conv, conv_t = _CONV[self.dims], _CONV_T[self.dims]
        in_channels = 2 * n_mels if self.dims == 1 else 2
        cond = time_channels
        self.time = TimeMLP(time_channels, time_channels)
        widths = [in_channels, *channels]
        self.down = nn.ModuleList(Level(self.dims, a, b, cond, attention) for a, b in zip(widths[:-1], widths[1:]))
        self.downsample = nn.ModuleList(conv(c, c, 3, stride=2, padding=1) for c in channels[:-1])
        self.mid = Level(self.dims, channels[-1], channels[-1], cond, attention=True)
        deep_to_shallow = list(zip(reversed(channels[1:]), reversed(channels[:-1])))
        self.upsample_first = self.dims == 1
        if self.upsample_first:  # upsample c_deep -> c, then a level on [upsampled, skip] at the higher resolution
            self.up = nn.ModuleList(Level(self.dims, 2 * c, c, cond, attention) for _, c in deep_to_shallow)
            self.upsample = nn.ModuleList(conv_t(c_deep, c, 4, stride=2, padding=1) for c_deep, c in deep_to_shallow)
        else:  # a level on [h, skip] at the lower resolution, c_deep -> c, then upsample c -> c
            self.up = nn.ModuleList(Level(self.dims, 2 * c_deep, c, cond, attention) for c_deep, c in deep_to_shallow)
            self.upsample = nn.ModuleList(conv_t(c, c, 4, stride=2, padding=1) for _, c in deep_to_shallow)
        self.final = nn.Sequential(conv(channels[0], channels[0], 3, padding=1), MaskedGroupNorm(8, channels[0]),
                                   Mish(), conv(channels[0], n_mels if self.dims == 1 else 1, 1))

    @property
    def frame_multiple(self) -> int:
        """Frames are padded to a multiple of this: each level but the last halves time."""
        return 2 ** (self.levels - 1)

    def forward(self, y: torch.Tensor, mask: torch.Tensor, mu: torch.Tensor, t: torch.Tensor,
                speaker: torch.Tensor | None = None) -> torch.Tensor:
        """y, mu: (batch, n_mels, frames); mask: (batch, 1, frames); t: (batch,)."""
        frames = y.shape[-1]
        pad = (-frames) % self.frame_multiple
        if pad:
            y, mu, mask = (F.pad(v, (0, pad)) for v in (y, mu, mask))
        cond = self.time(t)
        if speaker is not None:  # (batch, time_channels): the voice, added to the time embedding
            cond = cond + speaker
        h = torch.cat([y, mu], dim=1) if self.dims == 1 else torch.stack([y, mu], dim=1)
        m = mask if self.dims == 1 else mask[:, :, None, :]
        masks, skips = [m], []
        for i, level in enumerate(self.down):
            h = level(h, masks[-1], cond)
            skips.append(h)
            if i < len(self.downsample):
                h = self.downsample[i](h * masks[-1])
                masks.append(masks[-1][..., ::2])  # time is the last axis; the mask has no mel extent
        h = self.mid(h, masks[-1], cond)
        if self.upsample_first:
            skips.pop()  # the deepest level's output went on to the middle
        for level, upsample in zip(self.up, self.upsample):
            if self.upsample_first:
                masks.pop()
                h = level(torch.cat([upsample(h), skips.pop()], dim=1), masks[-1], cond)
            else:
                h = level(torch.cat([h, skips.pop()], dim=1), masks[-1], cond)
                h = upsample(h * masks.pop())
        conv, norm, act, project = self.final
        out = project(act(norm(conv(h * masks[0]), masks[0]))) * masks[0]
        out = out if self.dims == 1 else out.squeeze(1)
        return out[..., :frames]
