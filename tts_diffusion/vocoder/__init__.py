"""Vocoders: log-mel (batch, n_mels, frames) -> waveform. See :func:`load_vocoder`.

Every vocoder has ``sample_rate``, ``hop_length`` and ``mel_config`` (the mel it expects) and is
called as ``vocoder(mel) -> audio``.
"""

from .griffinlim import GriffinLim, VocosGriffinLim
from .hifigan import VARIANTS, Generator, HiFiGANConfig
from .load import VocoderError, load_hifigan, load_vocoder

__all__ = ["GriffinLim", "Generator", "HiFiGANConfig", "VARIANTS", "VocoderError", "VocosGriffinLim", "load_hifigan",
           "load_vocoder"]
