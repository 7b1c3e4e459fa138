"""Vocoders: log-mel (batch, n_mels, frames) -> waveform. See :func:`load_vocoder`.

Every vocoder is a :class:`MelVocoder`: ``mel_config`` (the mel it expects), ``sample_rate``,
``hop_length``, called as ``vocoder(mel) -> audio``.
"""

from .base import MelVocoder
from .griffinlim import GriffinLim, VocosGriffinLim
from .hifigan import VARIANTS, Generator, HiFiGANConfig
from .load import VocoderError, load_neural_vocoder, load_vocoder

__all__ = ["GriffinLim", "Generator", "HiFiGANConfig", "MelVocoder", "VARIANTS", "VocoderError", "VocosGriffinLim",
           "load_neural_vocoder", "load_vocoder"]
