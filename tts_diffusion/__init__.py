"""tts-diffusion: score-based diffusion text-to-speech for Korean and English.

``from tts_diffusion import TTS`` (imported lazily, so ``import tts_diffusion`` stays fast).
"""

__version__ = "0.1.0"


def __getattr__(name):
    if name in ("TTS", "Synthesis", "Chunk", "SynthesisOptions"):
        from . import api

        return getattr(api, name)
    raise AttributeError(f"module 'tts_diffusion' has no attribute {name!r}")
