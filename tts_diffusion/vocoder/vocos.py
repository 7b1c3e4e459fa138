"""Vocos (Siuzdak 2023): a Fourier-domain GAN vocoder.

A ConvNeXt backbone runs at the mel frame rate (no upsampling convolutions) and predicts, for every
frame, the STFT's log-magnitude and phase; an inverse STFT makes the waveform:

    h = LayerNorm(Conv7(mel)); h <- h + gamma * W2 GELU(W1 LN(DWConv7(h)))   (n_layers ConvNeXt blocks)
    [log|S|, phi] = Linear(LN(h));  S = min(exp(log|S|), 100) e^{i phi};  audio = ISTFT(S)

With ``magnitude: mel_residual`` the head predicts a correction to the magnitude the mel itself
gives, log|S| = log max(M^+ e^mel, 1e-5) + Linear(LN(h))_mag (M^+ the filter bank's
pseudo-inverse, as Griffin-Lim's): a voice the vocoder never heard starts from its own mel's
magnitude, where the predicted one fell short on unseen voices (docs/vocoders.md).

The inverse STFT is trimmed by (n_fft - hop) / 2 samples at each end ("same" padding), so T frames
give T * hop samples, as our mel's frames do. Loads the official ``charactr/vocos-mel-24khz``
checkpoint (``config.yaml`` + ``pytorch_model.bin``, converted by :func:`from_official`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import torch
from torch import nn
from torch.nn import functional as F

from ..audio import MelConfig, mel_pseudo_inverse
from ..dsp import hann_window
from .base import MelVocoder

ARCHITECTURE = "vocos"
MAGNITUDES = ("predicted", "mel_residual")


@dataclass
class VocosConfig:
    dim: int = 512
    intermediate_dim: int = 1536
    n_layers: int = 8
    mel: MelConfig = field(default_factory=MelConfig)  # the mel it reads; its n_fft and hop are the iSTFT's
    magnitude: str = "predicted"  # or "mel_residual": a correction to the mel's pseudo-inverse magnitude

    def mel_config(self) -> MelConfig:
        return self.mel


class ConvNeXtBlock(nn.Module):
    """x + gamma * W2 GELU(W1 LayerNorm(depthwise 7-tap conv(x))), on (batch, dim, frames)."""

    def __init__(self, dim: int, hidden: int, layer_scale: float):
        super().__init__()
        self.depthwise = nn.Conv1d(dim, dim, 7, padding=3, groups=dim)
        self.norm = nn.LayerNorm(dim, eps=1e-6)
        self.expand = nn.Linear(dim, hidden)
        self.project = nn.Linear(hidden, dim)
        self.scale = nn.Parameter(torch.full((dim,), layer_scale))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.project(F.gelu(self.expand(self.norm(self.depthwise(x).transpose(1, 2)))))
        return x + (self.scale * h).transpose(1, 2)


def istft_same(spec: torch.Tensor, n_fft: int, hop: int, window: torch.Tensor) -> torch.Tensor:
    """Inverse STFT by overlap-add, divided by the summed squared window, trimmed by (n_fft - hop) / 2
    at each end: (batch, n_fft / 2 + 1, T) complex -> (batch, T * hop). torch.istft cannot trim this
    way (its window-envelope check fails at the untrimmed edges), so the overlap-add is ``F.fold``."""
    frames = torch.fft.irfft(spec, n_fft, dim=1) * window[None, :, None]
    count = frames.shape[-1]
    length = (count - 1) * hop + n_fft
    fold = dict(output_size=(1, length), kernel_size=(1, n_fft), stride=(1, hop))
    audio = F.fold(frames, **fold)[:, 0, 0]
    envelope = F.fold(window.square()[None, :, None].expand(1, -1, count), **fold)[0, 0, 0]
    pad = (n_fft - hop) // 2
    return audio[:, pad:length - pad] / envelope[pad:length - pad].clamp(min=1e-11)


class Vocos(MelVocoder):
    """log-mel (batch, n_mels, frames) -> waveform (batch, frames * hop)."""

    def __init__(self, config: VocosConfig = VocosConfig()):
        super().__init__()
        if config.magnitude not in MAGNITUDES:
            raise ValueError(f"unknown Vocos magnitude {config.magnitude!r}: choose {' or '.join(MAGNITUDES)}")
        self.config, self.mel_config = config, config.mel
        mel = config.mel
        if config.magnitude == "mel_residual":
            inverse = torch.from_numpy(mel_pseudo_inverse(mel)).float()
            self.register_buffer("inverse_basis", inverse, persistent=False)
        self.embed = nn.Conv1d(mel.n_mels, config.dim, 7, padding=3)
        self.norm = nn.LayerNorm(config.dim, eps=1e-6)
        self.blocks = nn.ModuleList(ConvNeXtBlock(config.dim, config.intermediate_dim, 1 / config.n_layers)
                                    for _ in range(config.n_layers))
        self.final_norm = nn.LayerNorm(config.dim, eps=1e-6)
        self.head = nn.Linear(config.dim, mel.n_fft + 2)
        # numpy's window (the same periodic Hann): torch's factories, run on the meta device by
        # model_size.build_within, import torch._dynamo (~1 s of a cold start)
        self.register_buffer("window", torch.from_numpy(hann_window(mel.n_fft, mel.n_fft)).float(), persistent=False)
        for module in self.modules():
            if isinstance(module, (nn.Conv1d, nn.Linear)):
                nn.init.trunc_normal_(module.weight, std=0.02)
                nn.init.zeros_(module.bias)

    def spectrum(self, mel: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """log-mel (batch, n_mels, frames) -> STFT log-magnitude and phase (batch, n_fft / 2 + 1, frames)."""
        x = self.norm(self.embed(mel).transpose(1, 2)).transpose(1, 2)
        for block in self.blocks:
            x = block(x)
        log_magnitude, phase = self.head(self.final_norm(x.transpose(1, 2))).transpose(1, 2).chunk(2, dim=1)
        if self.config.magnitude == "mel_residual":
            floor = math.log(self.mel_config.log_floor)
            from_mel = self.inverse_basis @ mel.clamp(floor, 5.0).exp()  # the range real log-mels span
            log_magnitude = log_magnitude + from_mel.clamp(min=1e-5).log()
        return log_magnitude, phase

    def start_magnitude_from_mel(self) -> None:
        """Zero the head's magnitude half: log|S| is the mel's own until training corrects it (a
        ``mel_residual`` Vocos fine-tuned from a ``predicted`` one, whose head gave log|S| itself)."""
        bins = self.mel_config.n_fft // 2 + 1
        with torch.no_grad():
            self.head.weight[:bins].zero_()
            self.head.bias[:bins].zero_()

    def forward(self, mel: torch.Tensor) -> torch.Tensor:
        squeeze = mel.dim() == 2
        log_magnitude, phase = self.spectrum(mel.unsqueeze(0) if squeeze else mel)
        spec = torch.polar(torch.exp(log_magnitude).clamp(max=100.0), phase)
        audio = istft_same(spec, self.config.mel.n_fft, self.config.mel.hop_length, self.window)
        return audio.squeeze(0) if squeeze else audio


# official Vocos names -> ours (the backbone's ConvNeXt blocks, its norms, and the iSTFT head)
_OFFICIAL_NAMES = [("backbone.convnext.", "blocks."), (".dwconv.", ".depthwise."), (".pwconv1.", ".expand."),
                   (".pwconv2.", ".project."), ("backbone.final_layer_norm.", "final_norm."), ("backbone.embed.", "embed."),
                   ("backbone.norm.", "norm."), ("head.out.", "head.")]


def from_official(config: dict, state: dict[str, torch.Tensor]) -> tuple[VocosConfig, dict[str, torch.Tensor]]:
    """An official Vocos ``config.yaml`` (parsed) and state dict -> our config and state dict. Only
    the mel-spectrogram model with an iSTFT head and "same" padding is supported."""
    features = config.get("feature_extractor", {})
    backbone, head = config.get("backbone", {}).get("init_args", {}), config.get("head", {}).get("init_args", {})
    if not features.get("class_path", "").endswith("MelSpectrogramFeatures") or not head:
        raise ValueError("only the mel-spectrogram Vocos with an ISTFT head is supported")
    if head.get("padding", "same") != "same" or backbone.get("adanorm_num_embeddings"):
        raise ValueError("only Vocos with 'same' padding and no conditioning is supported")
    f = features.get("init_args", {})
    rate = int(f.get("sample_rate", 24000))
    mel_scale = f.get("mel_scale", "htk")
    if (mel_scale == "htk") != (f.get("norm") is None):
        raise ValueError(f"a Vocos mel with mel_scale={mel_scale} and norm={f.get('norm')} is not supported")
    mel = MelConfig(rate, int(f.get("n_fft", 1024)), int(f.get("hop_length", 256)), int(f.get("n_fft", 1024)),
                    int(f.get("n_mels", 100)), float(f.get("f_min") or 0.0), float(f.get("f_max") or rate / 2),
                    center=f.get("padding", "center") == "center", mel_scale=mel_scale, log_floor=1e-7)
    if (head.get("n_fft"), head.get("hop_length")) != (mel.n_fft, mel.hop_length):
        raise ValueError("the iSTFT head's n_fft and hop must be the mel's")
    ours = VocosConfig(int(backbone["dim"]), int(backbone["intermediate_dim"]), int(backbone["num_layers"]), mel=mel)
    converted = {}
    for key, value in state.items():
        if key.startswith(("feature_extractor.", "head.istft.")):
            continue
        for old, new in _OFFICIAL_NAMES:
            key = key.replace(old, new)
        converted[key.replace(".gamma", ".scale")] = value
    return ours, converted
