"""Vocoders: log-mel -> waveform. ``load_vocoder("griffinlim")``; HiFi-GAN comes with its issue."""

from __future__ import annotations

from ..audio import MelConfig
from .griffinlim import GriffinLim


def load_vocoder(spec: str = "griffinlim", mel_config: MelConfig = MelConfig()):
    if spec == "griffinlim" or spec.startswith("griffinlim:"):
        iterations = int(spec.split(":", 1)[1]) if ":" in spec else 60
        return GriffinLim(mel_config, iterations=iterations)
    raise ValueError(f"unknown vocoder {spec!r}: only 'griffinlim[:iterations]' is available so far")


__all__ = ["GriffinLim", "load_vocoder"]
