"""The Python API:

    from tts_diffusion import TTS, SynthesisOptions
    tts = TTS.from_pretrained()                                   # the bundled voices; or a model path
    result = tts.synthesize("오늘 서울의 기온은 영하 3도입니다.", steps=10, seed=0)
    result.audio, result.sample_rate, result.mel, result.timings
    for chunk in tts.stream(article, SynthesisOptions(seed=0)):  # one chunk a sentence, as soon as it is ready
        play(chunk.audio)

Text is normalized once (a paragraph at a time), then split into sentences on its spoken form (so
"Dr. Kim met Mr. Lee at 9 a.m." stays one sentence); each sentence is synthesized with its own
noise seed, so the chunks joined are exactly the whole text's audio.
"""

from __future__ import annotations

import re
import time
import warnings
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Iterator

import numpy as np
import torch

from .audio import MelConfig
from .options import MAX_TEXT_CHARS, SynthesisOptions
from .pretrained import PretrainedError, load_acoustic
from .speakers import Voice, speaker_id
from .text import Lexicon, Tokenizer, normalize, pad_tokens

BUNDLED = Path(__file__).parent / "voices" / "default"
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def split_sentences(spoken: str, max_chars: int = 200) -> list[str]:
    """Sentences of a spoken form; a sentence longer than ``max_chars`` is cut at commas, then spaces."""
    out = []
    for sentence in (s.strip() for s in _SENTENCE_END.split(spoken)):
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
class Chunk:
    """One sentence's audio, preceded by the pause before it (none before the first)."""

    text: str  # the sentence's spoken form
    index: int  # which sentence of the text, from 0
    count: int  # how many sentences the text has
    audio: np.ndarray  # float32 in [-1, 1]
    sample_rate: int
    mel: np.ndarray  # (n_mels, frames)
    timings: dict[str, float] = field(default_factory=dict)  # seconds: acoustic, vocoder
    nfe: int = 0  # score evaluations for this sentence


@dataclass
class Synthesis:
    audio: np.ndarray  # float32 in [-1, 1]
    sample_rate: int
    mel: np.ndarray  # (n_mels, frames), the whole text
    timings: dict[str, float] = field(default_factory=dict)  # seconds: acoustic, vocoder, total, audio; and rtf
    nfe: int = 0  # score evaluations of a sentence

    @classmethod
    def join(cls, chunks: list[Chunk], elapsed: float) -> "Synthesis":
        """The streamed chunks of one text as a whole, ``elapsed`` seconds after it was asked for."""
        audio = np.concatenate([c.audio for c in chunks])
        seconds = len(audio) / chunks[0].sample_rate
        timings = {"acoustic": sum(c.timings["acoustic"] for c in chunks),
                   "vocoder": sum(c.timings["vocoder"] for c in chunks), "total": elapsed, "audio": seconds,
                   "rtf": elapsed / max(seconds, 1e-9)}
        return cls(audio, chunks[0].sample_rate, np.concatenate([c.mel for c in chunks], axis=1), timings,
                   max(c.nfe for c in chunks))


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

    def sentences(self, text: str, lang: str = "auto") -> list[tuple[str, object]]:
        """(spoken sentence, its encoding) for ``text`` after the lexicon: each paragraph is normalized
        once, then split into sentences. Raises ValueError for text with nothing to voice, or
        longer than :data:`~tts_diffusion.options.MAX_TEXT_CHARS`."""
        if isinstance(text, str) and len(text) > MAX_TEXT_CHARS:
            raise ValueError(f"the text has {len(text):,} characters, more than {MAX_TEXT_CHARS:,}: split it")
        text = self.lexicon.apply(text)
        normalize(text, lang)  # one clear error (and one warning) for the whole text, before any work
        out = []
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # said once above
            for paragraph in (p for p in text.splitlines() if p.strip()):
                try:
                    spoken = normalize(paragraph, lang)
                except ValueError:
                    continue  # a line with nothing voiceable, between others
                for sentence in split_sentences(spoken):
                    try:
                        out.append((sentence, self.tokenizer.encode(sentence, lang)))
                    except ValueError:
                        continue  # a lone "..." between sentences
        return out

    def stream(self, text: str, options: SynthesisOptions | None = None, batch_size: int = 4,
               **overrides) -> Iterator[Chunk]:
        """Speak ``text`` a sentence at a time: yields a :class:`Chunk` as soon as each is ready (the
        first sentence alone, then ``batch_size`` at a time). ``options`` (or keyword overrides of
        its fields) say how; every value is checked first."""
        options = replace(options or SynthesisOptions(), **overrides).check()
        yield from self._speak(self.sentences(text, options.lang), options, speaker_id(self.voices, options.voice, text),
                               batch_size)

    def _speak(self, encoded: list, options: SynthesisOptions, speaker: int | None, batch_size: int) -> Iterator[Chunk]:
        seed_base = 1000 * (options.seed if options.seed is not None else int(time.time_ns() % 2**20))
        gap = np.zeros(int(options.pause * self.sample_rate), dtype=np.float32)
        first = 0
        while first < len(encoded):
            batch = encoded[first:first + (1 if first == 0 else batch_size)]
            ids, langs, lengths = map(torch.from_numpy, pad_tokens([e.ids for _, e in batch], [e.langs for _, e in batch]))
            seeds = [seed_base + first + i for i in range(len(batch))]  # one per sentence: batching changes nothing
            speakers = None if speaker is None else torch.full((len(batch),), speaker, device=self.device)
            t0 = time.perf_counter()
            mel, _, mask, nfe = self.model.synthesize(ids.to(self.device), langs.to(self.device),
                                                      lengths.to(self.device), options.method, options.steps,
                                                      options.temperature, 1.0 / options.speed,
                                                      torch.Generator().manual_seed(seeds[0]), speakers, seeds)
            acoustic = (time.perf_counter() - t0) / len(batch)
            for i, frames in enumerate(mask.sum((1, 2)).long().tolist()):
                t1 = time.perf_counter()
                with torch.no_grad():
                    audio = self.vocoder(mel[i:i + 1, :, :frames]).reshape(-1).cpu().numpy().astype(np.float32)
                audio = np.concatenate([gap, audio]) if first + i else audio
                yield Chunk(batch[i][0], first + i, len(encoded), audio, self.sample_rate,
                            mel[i, :, :frames].cpu().numpy(), {"acoustic": acoustic, "vocoder": time.perf_counter() - t1},
                            nfe)
            first += len(batch)

    def synthesize(self, text: str, options: SynthesisOptions | None = None, batch_size: int = 4,
                   progress=None, **overrides) -> Synthesis:
        """Speak ``text`` whole: the chunks of :meth:`stream`, joined. ``progress(done, total)`` is
        called after each sentence."""
        start = time.perf_counter()
        chunks = []
        for chunk in self.stream(text, options, batch_size, **overrides):
            chunks.append(chunk)
            if progress is not None:
                progress(chunk.index + 1, chunk.count)
        return Synthesis.join(chunks, time.perf_counter() - start)


__all__ = ["TTS", "Synthesis", "Chunk", "SynthesisOptions", "split_sentences"]
