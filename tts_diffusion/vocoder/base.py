"""What every vocoder is: a module from the log-mel that its ``mel_config`` describes to audio."""

from __future__ import annotations

from torch import nn

from ..audio import MelConfig


class MelVocoder(nn.Module):
    """log-mel (batch, n_mels, frames) or (n_mels, frames) -> audio (batch, samples) or (samples,), the
    mel of ``mel_config`` (set by each vocoder), ``hop_length`` samples a frame at ``sample_rate``."""

    mel_config: MelConfig

    @property
    def sample_rate(self) -> int:
        return self.mel_config.sample_rate

    @property
    def hop_length(self) -> int:
        return self.mel_config.hop_length
