"""The log-mel spectrogram in torch (training data, vocoder losses, copy-synthesis): see
:class:`~tts_diffusion.audio.MelConfig` for the conventions."""

from __future__ import annotations

import torch

from .audio import MelConfig, mel_filters


class MelSpectrogram(torch.nn.Module):
    """Waveform (batch, samples) -> log-mel (batch, n_mels, frames), frames = samples // hop
    (one more with ``center``)."""

    def __init__(self, config: MelConfig = MelConfig()):
        super().__init__()
        self.config = config
        self.register_buffer("mel_basis", torch.from_numpy(mel_filters(config)).float(), persistent=False)
        self.register_buffer("window", torch.hann_window(config.win_length), persistent=False)

    def forward(self, audio: torch.Tensor) -> torch.Tensor:
        c = self.config
        squeeze = audio.dim() == 1
        audio = audio.unsqueeze(0) if squeeze else audio
        pad = c.n_fft // 2 if c.center else (c.n_fft - c.hop_length) // 2
        audio = torch.nn.functional.pad(audio.unsqueeze(1), (pad, pad), mode="reflect").squeeze(1)
        spec = torch.stft(
            audio, c.n_fft, hop_length=c.hop_length, win_length=c.win_length, window=self.window,
            center=False, return_complex=True,
        )
        magnitude = torch.sqrt(spec.real**2 + spec.imag**2 + 1e-9)
        mel = torch.log(torch.clamp(self.mel_basis @ magnitude, min=c.log_floor))
        return mel.squeeze(0) if squeeze else mel
