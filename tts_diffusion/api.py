"""The Python API:

    from tts_diffusion import TTS
    tts = TTS.from_pretrained("runs/espeak_cpu")        # a checkpoint, run folder or .safetensors file
    result = tts.synthesize("오늘 서울의 기온은 영하 3도입니다.", steps=10, seed=0)
    result.audio, result.sample_rate, result.mel, result.timings

Long text is split into sentences, synthesized a few at a time (memory stays bounded) and joined
with short pauses.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np
import torch

from .audio import MelConfig
from .pretrained import PretrainedError, load_acoustic
from .speakers import Voice, speaker_id
from .text import Lexicon, Tokenizer, normalize

BUNDLED = Path(__file__).parent / "voices" / "default"
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")


def split_sentences(text: str, max_chars: int = 200) -> list[str]:
    """Sentences of ``text``; a sentence longer than ``max_chars`` is cut at commas, then spaces."""
    out = []
    for sentence in (s.strip() for s in _SENTENCE_END.split(text)):
        while len(sentence) > max_chars:
            cut = sentence.rfind(",", 0, max_chars)
            cut = cut if cut > 0 else sentence.rfind(" ", 0, max_chars)
            cut = cut if cut > 0 else max_chars
            out.append(sentence[: cut + 1].strip())
            sentence = sentence[cut + 1:].strip()
        if sentence:
            out.append(sentence)
    return out


@dataclass
class Synthesis:
    audio: np.ndarray  # float32 in [-1, 1]
    sample_rate: int
    mel: np.ndarray  # (n_mels, frames), the whole text
    timings: dict[str, float] = field(default_factory=dict)  # seconds: acoustic, vocoder, total, audio; and rtf
    nfe: int = 0


class TTS:
    def __init__(self, model, tokenizer: Tokenizer, mel_config: MelConfig, vocoder="griffinlim", device: str = "cpu",
                 lexicon: Lexicon | None = None):
        from .vocoder import load_vocoder

        self.model, self.tokenizer, self.mel_config, self.device = model.to(device), tokenizer, mel_config, device
        self.lexicon = lexicon or Lexicon({})
        self.vocoder = load_vocoder(vocoder, mel_config) if isinstance(vocoder, str) else vocoder
        self.vocoder.to(device)

    @classmethod
    def from_pretrained(cls, spec: str | Path | None = None, vocoder: str = "griffinlim", device: str = "cpu",
                        lexicon: str | Path | None = None) -> "TTS":
        """``spec``: None for the bundled voice, or a checkpoint folder, run folder or .safetensors file.
        ``lexicon``: a TSV file of pronunciations (see :mod:`tts_diffusion.text.lexicon`)."""
        if spec is None:
            if not BUNDLED.is_dir():
                raise PretrainedError("no voice is bundled with this version yet: pass a model (--model PATH)")
            spec = BUNDLED
        model, tokenizer, mel_config = load_acoustic(spec, device)
        words = Lexicon.read(lexicon, set(tokenizer.table.symbols)) if lexicon else None
        return cls(model, tokenizer, mel_config, vocoder, device, words)

    @property
    def sample_rate(self) -> int:
        return self.mel_config.sample_rate

    @property
    def voices(self) -> list[Voice]:
        """The model's named voices (empty for a single-voice model)."""
        return list(self.model.config.voices)

    def synthesize(self, text: str, lang: str = "auto", method: str = "ode", steps: int = 10,
                   temperature: float = 1.5, speed: float = 1.0, seed: int | None = None, batch_size: int = 4,
                   pause: float = 0.25, progress: Callable[[int, int], None] | None = None,
                   voice: str | None = None) -> Synthesis:
        """Speak ``text``. ``speed`` > 1 is faster (durations are divided by it); ``temperature``
        narrows the prior N(mu, I / temperature^2) as in Grad-TTS; ``seed`` makes it repeatable;
        ``voice`` names one of :attr:`voices` (default: the voice of the text's language)."""
        if speed <= 0:
            raise ValueError("speed must be positive")
        text = self.lexicon.apply(text)
        normalize(text, lang)  # one clear error for empty or unvoiceable text, before any work
        speaker = speaker_id(self.voices, voice, text)
        encoded = [e for e in (self._encode(s, lang) for s in split_sentences(text)) if e is not None]
        seed_base = 1000 * (seed if seed is not None else int(time.time_ns() % 2**20))
        gap = np.zeros(int(pause * self.sample_rate), dtype=np.float32)
        pieces, mels, nfe = [], [], 0
        acoustic = vocoder_time = 0.0
        start = time.perf_counter()
        for first in range(0, len(encoded), batch_size):
            batch = encoded[first:first + batch_size]
            lengths = torch.tensor([len(e.ids) for e in batch])
            ids = torch.zeros(len(batch), int(lengths.max()), dtype=torch.long)
            langs = torch.zeros_like(ids)
            for i, e in enumerate(batch):
                ids[i, : len(e.ids)], langs[i, : len(e.langs)] = torch.tensor(e.ids), torch.tensor(e.langs)
            t0 = time.perf_counter()
            seeds = [seed_base + first + i for i in range(len(batch))]  # one per sentence: batching changes nothing
            speakers = None if speaker is None else torch.full((len(batch),), speaker, device=self.device)
            mel, _, mask, used = self.model.synthesize(ids.to(self.device), langs.to(self.device), lengths.to(self.device),
                                                       method, steps, temperature, 1.0 / speed,
                                                       torch.Generator().manual_seed(seeds[0]), speakers, seeds)
            t1 = time.perf_counter()
            frames = mask.sum((1, 2)).long().tolist()
            for i, n in enumerate(frames):
                with torch.no_grad():
                    audio = self.vocoder(mel[i:i + 1, :, :n]).reshape(-1).cpu().numpy()
                pieces += [audio, gap]
                mels.append(mel[i, :, :n].cpu().numpy())
            vocoder_time += time.perf_counter() - t1
            acoustic += t1 - t0
            nfe += used
            if progress is not None:
                progress(min(first + batch_size, len(encoded)), len(encoded))
        audio = np.concatenate(pieces[:-1]).astype(np.float32)
        total = time.perf_counter() - start
        seconds = len(audio) / self.sample_rate
        timings = {"acoustic": acoustic, "vocoder": vocoder_time, "total": total, "audio": seconds,
                   "rtf": total / max(seconds, 1e-9)}
        return Synthesis(audio, self.sample_rate, np.concatenate(mels, axis=1), timings, nfe)

    def _encode(self, sentence: str, lang: str):
        """The sentence's symbol ids, or None when it has nothing to voice (a lone "..." between
        sentences); the whole text was already checked, with its warning."""
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                return self.tokenizer.encode(sentence, lang)
            except ValueError:
                return None

__all__ = ["TTS", "Synthesis", "split_sentences"]
