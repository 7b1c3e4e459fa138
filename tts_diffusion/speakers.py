"""Named voices in one model: each is a speaker id with its language, teacher and license.

A model trained on several speakers stores its voices in its config; the speaker embedding table
has one row per voice, in this order. A single-speaker model has no voices and no table.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Voice:
    name: str
    language: str  # "ko" or "en": the language it speaks by default
    teacher: str = ""  # what its training audio came from (a person's recordings, or a teacher TTS)
    license: str = ""  # the terms of that audio
    postfilter: float = 0.0  # the beta it speaks with by default (measured per voice: tts_diffusion.postfilter)


def speaker_id(voices: list[Voice], name: str | None, text: str, lang: str = "auto") -> int | None:
    """The speaker id for ``name``; with no name, the first voice of the text's language (``lang``, or
    for "auto" the rule normalization follows, :func:`~tts_diffusion.text.text_language`: Korean
    if the text has any Hangul), else the first voice. None for a model without voices. Raises
    ValueError for an unknown name."""
    if not voices:
        if name:
            raise ValueError(f"unknown voice {name!r}: this model has a single voice and no voice names")
        return None
    names = [v.name for v in voices]
    if name:
        if name not in names:
            raise ValueError(f"unknown voice {name!r}: choose {', '.join(names)}")
        return names.index(name)
    from .text import text_language

    language = text_language(text, lang)
    return next((i for i, v in enumerate(voices) if v.language == language), 0)
