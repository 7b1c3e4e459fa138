"""Grapheme-to-phoneme with espeak-ng through phonemizer, splitting mixed text by script.

espeak-ng runs from the library inside the ``espeakng-loader`` wheel, so no system package is
needed. We keep espeak's own phonology for Korean (it applies the main assimilation rules, e.g.
안녕 -> ɐnnjʌŋ): the bundled voice is trained on espeak-ng speech, whose pronunciations these are.
"""

from __future__ import annotations

import functools
import logging
import re
import threading

ESPEAK_VOICES = {"ko": "ko", "en": "en-us"}
# espeak-ng keeps one global state (its voice, its output buffer): one phonemization at a time, or
# threads read each other's phonemes.
_ESPEAK = threading.Lock()
_RUNS = re.compile(r"[A-Za-z']+|[가-힣]+|[^A-Za-z'가-힣]+")


def script_of(run: str) -> str | None:
    if re.search(r"[가-힣]", run):
        return "ko"
    if re.search(r"[A-Za-z]", run):
        return "en"
    return None


def split_by_script(text: str, default: str = "ko") -> list[tuple[str, str]]:
    """Split into (language, chunk) runs; spaces and punctuation join the run before them."""
    chunks: list[list[str]] = []
    for run in _RUNS.findall(text):
        language = script_of(run)
        if language is None or (chunks and chunks[-1][0] == language):
            if chunks:
                chunks[-1][1] += run
            else:
                chunks.append([default, run])
        elif chunks and script_of(chunks[-1][1]) is None:
            chunks[-1] = [language, chunks[-1][1] + run]  # leading punctuation joins the first word
        else:
            chunks.append([language, run])
    return [(language, chunk) for language, chunk in chunks]


@functools.lru_cache(maxsize=None)
def _backend(language: str):
    import espeakng_loader
    from phonemizer.backend import EspeakBackend
    from phonemizer.backend.espeak.wrapper import EspeakWrapper

    EspeakWrapper.set_library(espeakng_loader.get_library_path())
    EspeakWrapper.set_data_path(espeakng_loader.get_data_path())
    quiet = logging.getLogger("tts_diffusion.phonemizer")
    quiet.setLevel(logging.ERROR)
    return EspeakBackend(
        ESPEAK_VOICES[language], preserve_punctuation=True, with_stress=True,
        punctuation_marks=";:,.!?", logger=quiet,
    )


def phonemize(text: str, default: str = "ko") -> list[tuple[str, str]]:
    """Normalized text -> [(language, IPA string)], one item per script run."""
    out = []
    for language, chunk in split_by_script(text, default):
        if not re.search(r"[A-Za-z가-힣]", chunk):
            out.append((language, " ".join(chunk.split())))
            continue
        with _ESPEAK:
            phones = _backend(language).phonemize([chunk], strip=True, njobs=1)[0].strip()
        if chunk[:1].isspace():
            phones = " " + phones
        if chunk[-1:].isspace():
            phones += " "
        out.append((language, phones))
    return out
