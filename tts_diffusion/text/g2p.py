"""Grapheme-to-phoneme with espeak-ng through phonemizer, splitting mixed text by script.

espeak-ng runs from the library inside the ``espeakng-loader`` wheel, so no system package is
needed. We keep espeak's own phonology for Korean (it applies the main assimilation rules, e.g.
안녕 -> ɐnnjʌŋ): the bundled voice is trained on espeak-ng speech, whose pronunciations these are.
"""

from __future__ import annotations

import functools
import logging
import os
import re
import shutil
import tempfile
import threading
from pathlib import Path

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


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def espeak_scratch() -> str:
    """Where this process's copies of the espeak library go: ``<tmp>/tts-diffusion-espeak/<pid>``.

    phonemizer copies the library into a new temporary folder for every backend and deletes it when
    the process exits normally; a killed process leaves its copy behind. So the copies go under one
    folder per process, and the folders of processes that are gone are removed first."""
    root = Path(tempfile.gettempdir()) / "tts-diffusion-espeak"
    root.mkdir(exist_ok=True)
    for folder in root.iterdir():
        if folder.name.isdigit() and int(folder.name) != os.getpid() and not _alive(int(folder.name)):
            shutil.rmtree(folder, ignore_errors=True)
    mine = root / str(os.getpid())
    mine.mkdir(exist_ok=True)
    return str(mine)


@functools.lru_cache(maxsize=None)
def _backend(language: str):
    """The espeak-ng backend of a language (called under the G2P lock)."""
    import espeakng_loader
    from phonemizer.backend import EspeakBackend
    from phonemizer.backend.espeak.wrapper import EspeakWrapper

    EspeakWrapper.set_library(espeakng_loader.get_library_path())
    EspeakWrapper.set_data_path(espeakng_loader.get_data_path())
    quiet = logging.getLogger("tts_diffusion.phonemizer")
    quiet.setLevel(logging.ERROR)
    saved, tempfile.tempdir = tempfile.tempdir, espeak_scratch()  # phonemizer's mkdtemp() lands there
    try:
        return EspeakBackend(ESPEAK_VOICES[language], preserve_punctuation=True, with_stress=True,
                             punctuation_marks=";:,.!?", logger=quiet)
    finally:
        tempfile.tempdir = saved


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
