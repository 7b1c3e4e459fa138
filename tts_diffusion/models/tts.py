"""The acoustic model (Grad-TTS): text encoder -> aligned prior mean mu -> diffusion decoder.

Losses, all mask-aware and averaged per mel value or per token:
- duration:  || log_w_hat - log d ||^2 with d the frames MAS gives each token;
- prior:     -log N(y; mu_y, I), the mel around the aligned encoder output;
- diffusion: E_t || eps_theta(x_t, t | mu) - eps ||^2, x_t = mean_t(y, mu) + sigma_t eps. With the
  score s_theta = -eps_theta / sigma_t this is denoising score matching weighted by
  lambda(t) = sigma_t^2: sigma_t^2 || s_theta(x_t, t) - grad log p_0t(x_t | y) ||^2.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import NamedTuple

import torch
from torch import nn

from ..sde import SDE, VESDE, VPSDE, SubVPSDE
from ..speakers import Voice
from .layers import cut_segments, random_segment_starts, sequence_mask
from .residual_net import ResidualUNet
from .text_encoder import TextEncoder


class Sampled(NamedTuple):
    """What :meth:`GradTTS.synthesize` makes: the mel (batch, n_mels, frames), the prior mean mu_y and
    frame mask it was sampled around, each token's frames (batch, tokens) and the NFE."""

    mel: torch.Tensor
    mu: torch.Tensor
    mask: torch.Tensor
    durations: torch.Tensor
    nfe: int


class Alignment(NamedTuple):
    """Text aligned to a mel: encoder means mu_x (batch, n_mels, tokens), predicted log durations
    log_w, token mask, the 0/1 path A (batch, tokens, frames), mu_y = mu_x A (batch, n_mels, frames)
    and the frame mask."""
    mu_x: torch.Tensor
    log_w: torch.Tensor
    x_mask: torch.Tensor
    path: torch.Tensor
    mu_y: torch.Tensor
    y_mask: torch.Tensor


CHECKPOINT_FORMAT = "tts-diffusion/acoustic/1"  # the "format" in a saved model's metadata


@dataclass
class EncoderConfig:
    channels: int = 192
    filter_channels: int = 768
    n_heads: int = 2
    n_layers: int = 6
    kernel_size: int = 3
    dropout: float = 0.1
    duration_filter_channels: int = 256


@dataclass
class DecoderConfig:
    kind: str = "unet1d"
    channels: list[int] = field(default_factory=lambda: [256, 256])
    time_channels: int = 64
    attention: bool = False


@dataclass
class SDEConfig:
    kind: str = "vp"
    beta_min: float = 0.05
    beta_max: float = 20.0
    sigma_min: float = 0.01
    sigma_max: float = 50.0

    def build(self) -> SDE:
        if self.kind == "vp":
            return VPSDE(self.beta_min, self.beta_max)
        if self.kind == "subvp":
            return SubVPSDE(self.beta_min, self.beta_max)
        if self.kind == "ve":
            return VESDE(self.sigma_min, self.sigma_max)
        raise ValueError(f"unknown SDE {self.kind!r}: choose vp, subvp or ve")


@dataclass
class ModelConfig:
    encoder: EncoderConfig = field(default_factory=EncoderConfig)
    decoder: DecoderConfig = field(default_factory=DecoderConfig)
    sde: SDEConfig = field(default_factory=SDEConfig)
    # Named voices, one per speaker of the filelists' speaker column, in speaker-id order; empty for a
    # single-speaker model. A table of speaker embeddings when there are two or more.
    voices: list[Voice] = field(default_factory=list)
    segment_frames: int = 172  # Grad-TTS's out_size: frames the decoder trains on; 0 = whole utterances
    sigma_data: float = 1.0  # std of the mel around the aligned mu, for the preconditioning in GradTTS.eps
    t_eps: float = 1e-5

    def check(self) -> "ModelConfig":
        """Raise ValueError for sizes beyond any sensible model (a file asking for 10^9 layers is
        refused before anything is allocated)."""
        e, d = self.encoder, self.decoder
        sizes = {"encoder.channels": (e.channels, 4096), "encoder.filter_channels": (e.filter_channels, 16384),
                 "encoder.n_layers": (e.n_layers, 64), "encoder.n_heads": (e.n_heads, 64),
                 "encoder.kernel_size": (e.kernel_size, 31), "encoder.duration_filter_channels": (e.duration_filter_channels, 4096),
                 "decoder.time_channels": (d.time_channels, 4096), "decoder levels": (len(d.channels), 8),
                 "segment_frames": (self.segment_frames, 100000), "voices": (len(self.voices), 100000)}
        sizes.update({f"decoder.channels[{i}]": (c, 4096) for i, c in enumerate(d.channels)})
        for name, (value, high) in sizes.items():
            low = 0 if name in ("segment_frames", "voices") else 1
            if not isinstance(value, int) or not low <= value <= high:
                raise ValueError(f"model {name} must be a whole number from {low} to {high}, not {value!r}")
        if e.channels % e.n_heads:
            raise ValueError(f"encoder.channels ({e.channels}) must divide by encoder.n_heads ({e.n_heads})")
        return self


def duration_path(durations: torch.Tensor, x_mask: torch.Tensor, y_mask: torch.Tensor) -> torch.Tensor:
    """Integer durations (batch, tokens) -> 0/1 path (batch, tokens, frames): token i covers frames
    [sum_{k<i} d_k, sum_{k<=i} d_k)."""
    ends = torch.cumsum(durations, dim=1)
    frames = torch.arange(y_mask.shape[-1], device=durations.device)
    inside_end = frames[None, None, :] < ends[:, :, None]
    inside_start = frames[None, None, :] >= (ends - durations)[:, :, None]
    return (inside_end & inside_start).float() * x_mask.transpose(1, 2) * y_mask


class GradTTS(nn.Module):
    def __init__(self, n_symbols: int, n_languages: int, n_mels: int, config: ModelConfig = ModelConfig()):
        super().__init__()
        self.config, self.n_mels = config, n_mels
        e, d = config.encoder, config.decoder
        self.encoder = TextEncoder(n_symbols, n_languages, n_mels, e.channels, e.filter_channels, e.n_heads,
                                   e.n_layers, e.kernel_size, e.dropout, e.duration_filter_channels)
        self.decoder = ResidualUNet(n_mels, d.kind, tuple(d.channels), d.time_channels, d.attention)
        self.speaker_encoder = self.speaker_decoder = None
        if len(config.voices) > 1:
            # Added to the encoder's hidden states and to the decoder's time embedding. Zero at the
            # start, so that a single-speaker model fine-tuned into several voices starts as itself.
            self.speaker_encoder = nn.Embedding(len(config.voices), e.channels)
            self.speaker_decoder = nn.Embedding(len(config.voices), d.time_channels)
            nn.init.zeros_(self.speaker_encoder.weight)
            nn.init.zeros_(self.speaker_decoder.weight)
        self.sde = config.sde.build()

    def _speaker(self, speaker: torch.Tensor | None, table: nn.Embedding | None) -> torch.Tensor | None:
        return table(speaker) if table is not None and speaker is not None else None

    def encode(self, ids, langs, token_lengths, speaker=None):
        """-> mu_x (batch, n_mels, tokens), predicted log durations (batch, 1, tokens), x_mask."""
        x_mask = sequence_mask(token_lengths, ids.shape[1]).unsqueeze(1).float()
        mu_x, log_w = self.encoder(ids, langs, x_mask, self._speaker(speaker, self.speaker_encoder))
        return mu_x, log_w, x_mask

    def eps(self, x, t, mu, mask, speaker=None):
        """eps_theta(x_t, t | mu), preconditioned as in EDM (Karras et al. 2022) for y = x - mu,
        y_t = alpha_t y_0 + sigma_t eps with std(y_0) = sigma_d:

            eps_theta = c_skip y_t + c_out F(c_in y_t, mu, t),
            c_in = (alpha^2 sigma_d^2 + sigma^2)^{-1/2}, c_skip = sigma c_in^2, c_out = alpha sigma_d c_in.

        c_skip y_t is E[eps | y_t] when y_0 is Gaussian; F learns what that misses, at unit scale."""
        alpha, sigma = self.sde.alpha_sigma(t, x)
        sd = self.config.sigma_data
        c_in = torch.rsqrt(alpha**2 * sd**2 + sigma**2)
        y = x - mu
        residual = self.decoder(c_in * y * mask, mask, mu, t, self._speaker(speaker, self.speaker_decoder))
        return (sigma * c_in**2 * y + alpha * sd * c_in * residual) * mask

    def score(self, x, t, mu, mask, speaker=None):
        """s_theta(x, t) = -eps_theta(x, t) / sigma_t."""
        _, sigma = self.sde.alpha_sigma(t, x)
        return -self.eps(x, t, mu, mask, speaker) / sigma

    def score_fn(self, mu, mask, speaker=None):
        """The score bound to its conditions, (x, t) -> s_theta(x, t | mu, speaker): what the samplers and
        the likelihood take (score_sde's get_score_fn)."""
        return lambda x, t: self.score(x, t, mu, mask, speaker)

    def aligned_prior(self, ids, langs, token_lengths, mels, mel_lengths, speaker=None) -> Alignment:
        """The teacher-forced prior: encode, align the tokens to the mel by MAS under
        log N(y_j; mu_i, I), and spread mu_x over the frames, mu_y = mu_x A."""
        from .alignment import monotonic_alignment_search  # numba: training and likelihood only

        mu_x, log_w, x_mask = self.encode(ids, langs, token_lengths, speaker)
        y_mask = sequence_mask(mel_lengths, mels.shape[-1]).unsqueeze(1).float()
        with torch.no_grad():
            log_prior = -0.5 * (
                (mu_x**2).sum(1)[:, :, None] - 2 * mu_x.transpose(1, 2) @ mels + (mels**2).sum(1)[:, None, :]
                + self.n_mels * math.log(2 * math.pi)
            )
            path = monotonic_alignment_search(log_prior, token_lengths, mel_lengths)
        return Alignment(mu_x, log_w, x_mask, path, mu_x @ path, y_mask)

    def compute_loss(self, ids, langs, token_lengths, mels, mel_lengths, speaker=None,
                     generator: torch.Generator | None = None) -> dict[str, torch.Tensor]:
        _, log_w, x_mask, path, mu_y, y_mask = self.aligned_prior(ids, langs, token_lengths, mels, mel_lengths, speaker)
        log_d = torch.log(1e-8 + path.sum(-1, keepdim=True).transpose(1, 2)) * x_mask
        duration_loss = ((log_w - log_d) ** 2 * x_mask).sum() / x_mask.sum()
        prior_loss = (0.5 * ((mels - mu_y) ** 2 + math.log(2 * math.pi)) * y_mask).sum() / (y_mask.sum() * self.n_mels)

        y, mu_seg, mask = mels, mu_y, y_mask
        size = self.config.segment_frames
        if size and mels.shape[-1] > size:
            starts = random_segment_starts(mel_lengths.cpu(), size, generator).to(mels.device)
            y, mu_seg, mask = (cut_segments(v, starts, size) for v in (mels, mu_y, y_mask))
        t = torch.rand(y.shape[0], generator=generator).to(y.device) * (1 - self.config.t_eps) + self.config.t_eps
        noise = torch.randn(y.shape, generator=generator).to(y.device)
        mean, std = self.sde.marginal(y, t, mu_seg)
        x_t = mean + std * noise
        eps_hat = self.eps(x_t, t, mu_seg, mask, speaker)
        diffusion_loss = ((eps_hat - noise) ** 2 * mask).sum() / (mask.sum() * self.n_mels)
        return {"duration": duration_loss, "prior": prior_loss, "diffusion": diffusion_loss}

    def forward(self, *args, **kwargs) -> dict[str, torch.Tensor]:
        """The training losses (so that DistributedDataParallel sees the computation)."""
        return self.compute_loss(*args, **kwargs)

    @torch.no_grad()
    def synthesize(self, ids, langs, token_lengths, method: str = "ode", steps: int = 10, temperature: float = 1.0,
                   length_scale: float = 1.0, generator: torch.Generator | None = None, speaker=None):
        """Text ids -> :class:`Sampled` (mel, mu_y, mask, durations, nfe): sample the reverse process from
        N(mu_y, I / temperature^2), for training's validation samples (synthesis goes through
        :mod:`tts_diffusion.pipeline`, the same on every engine)."""
        from ..sampling import prior_draw, sample

        mu_y, y_mask, durations = self.prior(ids, langs, token_lengths, length_scale, speaker)
        x_init = prior_draw(mu_y, self.sde, temperature, generator, y_mask)
        mel, nfe = sample(self.score_fn(mu_y, y_mask, speaker), x_init, mu_y, self.sde, method, steps, generator, y_mask)
        return Sampled(mel, mu_y, y_mask, durations, nfe)

    @torch.no_grad()
    def prior(self, ids, langs, token_lengths, length_scale: float = 1.0, speaker=None):
        """Text -> frame-aligned prior mean mu_y (batch, n_mels, frames), its mask, and the predicted
        durations d = round(exp(log_w) * length_scale) (batch, tokens; at least one frame a token, 0 past
        the text) from which it is made.
        (Grad-TTS takes the ceiling; rounding keeps the espeak voice's timing: 0.99 of the
        reference's duration against 1.22, see docs/evaluation.md.)"""
        mu_x, log_w, x_mask = self.encode(ids, langs, token_lengths, speaker)
        durations = (torch.round(torch.exp(log_w) * length_scale).clamp(min=1) * x_mask).squeeze(1).long()
        y_lengths = durations.sum(1)
        y_mask = sequence_mask(y_lengths).unsqueeze(1).float()
        path = duration_path(durations, x_mask, y_mask)
        return mu_x @ path, y_mask, durations
