"""Griffin-Lim: mel -> magnitude (the filter bank's pseudo-inverse, clamped at zero) -> phase by
fast Griffin-Lim with momentum (Perraudin et al. 2013).

On espeak-ng clips, librosa's non-negative least squares magnitude scored the same PESQ-wb as the
clamped pseudo-inverse (2.76 on 6 held-out clips), at twice the cost.

On the CPU the numpy implementation of the torch-free runtime (:mod:`tts_diffusion.dsp`)
runs it: torch.stft/istft allocate their results at every call and ran 1.5-2x slower (and slower still
on the English voice's postfiltered mels); on other devices, torch's. Both frame their STFT as the mel
is (centred, or "same" as Vocos's). From the same starting phase they give the same audio; their
random starts come from different generators (numpy's and torch's), so there their audio differs and
their quality does not (tested).

:class:`VocosGriffinLim` starts Griffin-Lim from a Vocos's phase instead of noise."""

from __future__ import annotations

import functools
import math

import numpy as np
import torch
from torch.nn import functional as F

from ..audio import GRIFFIN_LIM_ITERATIONS, VOCOS_GRIFFIN_LIM_ITERATIONS, MelConfig, mel_pseudo_inverse
from ..dsp import hann_window
from .base import MelVocoder
from .vocos import Vocos, istft_same


class GriffinLim(MelVocoder):
    numpy_on_cpu = True  # False: torch's own STFTs on the CPU too

    def __init__(self, config: MelConfig = MelConfig(), iterations: int = GRIFFIN_LIM_ITERATIONS,
                 momentum: float = 0.99, power: float = 1.0, seed: int = 0):
        super().__init__()
        self.mel_config, self.iterations, self.momentum, self.power, self.seed = config, iterations, momentum, power, seed
        self.register_buffer("inverse_basis", torch.from_numpy(mel_pseudo_inverse(config)).float(), persistent=False)
        window = torch.from_numpy(hann_window(config.win_length, config.n_fft)).float()  # centred in n_fft
        self.register_buffer("window", window, persistent=False)

    def magnitude(self, log_mel: torch.Tensor) -> torch.Tensor:
        """|S| ~ max(0, M^+ exp(log_mel)), raised to ``power`` (>1 lowers the noise floor)."""
        floor = math.log(self.mel_config.log_floor)
        log_mel = torch.nan_to_num(log_mel, nan=floor).clamp(floor, 5.0)  # the range real log-mels span
        return (self.inverse_basis @ log_mel.exp()).clamp(min=0.0) ** self.power

    @torch.no_grad()
    def forward(self, log_mel: torch.Tensor, phase: torch.Tensor | None = None) -> torch.Tensor:
        """(batch, n_mels, frames) or (n_mels, frames) -> waveform (batch, samples) or (samples,), framed
        as the mel is. ``phase``: the first iteration's, radians (batch, n_fft / 2 + 1, frames) or
        (n_fft / 2 + 1, frames); otherwise uniform noise from ``seed``."""
        squeeze = log_mel.dim() == 2
        log_mel = log_mel.unsqueeze(0) if squeeze else log_mel
        phase = phase.unsqueeze(0) if phase is not None and phase.dim() == 2 else phase
        if log_mel.device.type == "cpu" and self.numpy_on_cpu:
            threads = torch.get_num_threads()  # the frames of a sentence split across torch's threads
            phases = [None] * len(log_mel) if phase is None else phase.float().numpy()
            audio = torch.from_numpy(np.stack([self._numpy(mel, threads, p)
                                               for mel, p in zip(log_mel.float().numpy(), phases)]))
            return audio.squeeze(0) if squeeze else audio
        c = self.mel_config
        magnitude = self.magnitude(log_mel.float())
        if phase is None:
            phase = 2 * torch.pi * torch.rand(magnitude.shape, generator=torch.Generator().manual_seed(self.seed))
        length = (magnitude.shape[-1] - (1 if c.center else 0)) * c.hop_length
        previous = torch.zeros_like(magnitude, dtype=torch.complex64)
        audio = self._inverse(torch.polar(magnitude, phase.to(magnitude)), length)
        for _ in range(self.iterations):
            rebuilt = self._forward(audio)
            accelerated = rebuilt + self.momentum / (1 + self.momentum) * (rebuilt - previous)
            previous = rebuilt
            audio = self._inverse(magnitude * accelerated / accelerated.abs().clamp(min=1e-8), length)
        audio = audio.clamp(-1.0, 1.0)
        return audio.squeeze(0) if squeeze else audio

    def _forward(self, audio: torch.Tensor) -> torch.Tensor:
        """STFT framed as the mel: centred, or "same" (reflect-padded by (n_fft - hop) / 2, uncentred)."""
        c = self.mel_config
        if not c.center:
            pad = (c.n_fft - c.hop_length) // 2
            audio = F.pad(audio[:, None], (pad, pad), mode="reflect")[:, 0]
        return torch.stft(audio, c.n_fft, c.hop_length, window=self.window, center=c.center, return_complex=True)

    def _inverse(self, spectrum: torch.Tensor, length: int) -> torch.Tensor:
        c = self.mel_config
        if c.center:
            return torch.istft(spectrum, c.n_fft, c.hop_length, window=self.window, length=length)
        return istft_same(spectrum, c.n_fft, c.hop_length, self.window)

    @functools.cached_property
    def _numpy(self):
        from ..dsp import NumpyGriffinLim

        return NumpyGriffinLim(self.mel_config, self.iterations, self.momentum, self.power, self.seed)


class VocosGriffinLim(MelVocoder):
    """Griffin-Lim started from a Vocos's phase: the magnitude is the mel's (as :class:`GriffinLim`'s),
    the first phase the one Vocos predicts for it, phi in [log|S|, phi] = Vocos(mel).

    Vocos's own magnitude is where it loses words; its phase is a better start than noise: 16
    iterations from it are heard as natural and as intelligible as 32 from noise, or more
    (docs/vocoders.md)."""

    def __init__(self, vocos: Vocos, iterations: int = VOCOS_GRIFFIN_LIM_ITERATIONS):
        super().__init__()
        self.vocos, self.griffinlim = vocos, GriffinLim(vocos.mel_config, iterations)
        self.mel_config = vocos.mel_config

    @torch.no_grad()
    def forward(self, log_mel: torch.Tensor) -> torch.Tensor:
        """(batch, n_mels, frames) or (n_mels, frames) -> waveform (batch, samples) or (samples,)."""
        squeeze = log_mel.dim() == 2
        log_mel = log_mel.unsqueeze(0) if squeeze else log_mel
        _, phase = self.vocos.spectrum(log_mel)
        audio = self.griffinlim(log_mel, phase)
        return audio.squeeze(0) if squeeze else audio
