"""The Python API:

    from tts_diffusion import TTS, SynthesisOptions
    tts = TTS.from_pretrained()                                   # the bundled voices; or a model path
    result = tts.synthesize("오늘 서울의 기온은 영하 3도입니다.", steps=10, seed=0)
    result.audio, result.sample_rate, result.mel, result.timings
    for chunk in tts.stream(article, SynthesisOptions(seed=0)):  # one chunk a sentence, as soon as it is ready
        play(chunk.audio)

Text is normalized once (a paragraph at a time), then split into sentences on its spoken form (so
"Dr. Kim met Mr. Lee at 9 a.m." stays one sentence); each sentence is synthesized with its own
noise seed, so the chunks joined are exactly the whole text's audio. With ``lang="auto"`` a
paragraph that mixes whole Korean and English sentences is normalized a language at a time, and
with no voice named each sentence speaks with its language's first voice.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Iterator

import numpy as np

from .audio import MelConfig
from .options import MAX_TEXT_CHARS, SynthesisOptions
from . import pipeline
from .postfilter import sharpen, voice_beta
from .speakers import Voice, speaker_id
from .text import Lexicon, Tokenizer, check_text, normalize, pad_tokens, text_language, warn_dropped
from .timestamps import Timed, Timeline, timestamps

BUNDLED = Path(__file__).parent / "voices" / "default"
RUNTIMES = ("auto", "torch", "onnx")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
VOICEABLE = re.compile(r"[가-힣A-Za-z]|\[\[")  # a sentence with a letter or inline phonemes to speak


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


def language_runs(paragraph: str) -> list[tuple[str, str]]:
    """(text, language) runs of a paragraph under ``lang="auto"``: one run when all its sentences
    (cut at . ! ? and a space) are of one language (:func:`~tts_diffusion.text.text_language`), else
    consecutive sentences of a language joined; a piece with no letter ("2024.") goes with the run
    before it (or after, at the start). A language changes only between sentences: "Dr. Kim" in an
    English run stays whole, and a Korean sentence with English words in it is Korean."""
    pieces = [p for p in _SENTENCE_END.split(paragraph.strip()) if p]
    langs = [text_language(p) if re.search(r"[가-힣ㄱ-ㅣA-Za-z]", p) else None for p in pieces]
    known = [lang for lang in langs if lang] or [text_language(paragraph)]
    runs: list[tuple[str, str]] = []
    for piece, lang in zip(pieces, langs):
        lang = lang or (runs[-1][1] if runs else known[0])
        if runs and runs[-1][1] == lang:
            runs[-1] = (f"{runs[-1][0]} {piece}", lang)
        else:
            runs.append((piece, lang))
    return runs


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
    lead: int = 0  # samples of silence at the start of ``audio`` (the pause before the sentence)
    words: list[Timed] = field(default_factory=list)  # as spoken, in seconds from the start of ``audio``
    phonemes: list[Timed] = field(default_factory=list)  # likewise (all symbols but spaces)

    def after(self, silence: np.ndarray, index: int, count: int) -> "Chunk":
        """This chunk renumbered, with ``silence`` before it: its times move with its audio."""
        shift = len(silence) / self.sample_rate
        return replace(self, index=index, count=count, audio=np.concatenate([silence, self.audio]),
                       lead=self.lead + len(silence), words=[w.shifted(shift) for w in self.words],
                       phonemes=[p.shifted(shift) for p in self.phonemes])


@dataclass
class Synthesis:
    audio: np.ndarray  # float32 in [-1, 1]
    sample_rate: int
    mel: np.ndarray  # (n_mels, frames), the whole text
    timings: dict[str, float] = field(default_factory=dict)  # seconds: acoustic, vocoder, total, audio; and rtf
    nfe: int = 0  # score evaluations of a sentence
    sentences: list[Timed] = field(default_factory=list)  # each from the end of the pause before it
    words: list[Timed] = field(default_factory=list)  # as spoken, in seconds from the start of ``audio``
    phonemes: list[Timed] = field(default_factory=list)

    @classmethod
    def join(cls, chunks: list[Chunk], elapsed: float) -> "Synthesis":
        """The streamed chunks of one text as a whole, ``elapsed`` seconds after it was asked for."""
        timeline = Timeline()
        for chunk in chunks:
            timeline.add(chunk)
        audio = np.concatenate([c.audio for c in chunks])
        seconds = len(audio) / chunks[0].sample_rate
        timings = {"acoustic": sum(c.timings["acoustic"] for c in chunks),
                   "vocoder": sum(c.timings["vocoder"] for c in chunks), "total": elapsed, "audio": seconds,
                   "rtf": elapsed / max(seconds, 1e-9)}
        return cls(audio, chunks[0].sample_rate, np.concatenate([c.mel for c in chunks], axis=1), timings,
                   max(c.nfe for c in chunks), timeline.sentences, timeline.words, timeline.phonemes)


def auto_picks_onnx_for(spec, vocoder: str | None, device: str) -> bool:
    """Whether ``runtime="auto"`` runs this through onnxruntime once the ONNX form is cached: the
    bundled voice, its default vocoder, on the CPU."""
    return spec is None and vocoder is None and device == "cpu"


def _onnx_ready() -> bool:
    """The bundled voice's ONNX form is in the cache and onnxruntime can run it."""
    import importlib.util

    from .export.cache import is_cached

    return importlib.util.find_spec("onnxruntime") is not None and is_cached(BUNDLED)


@dataclass(frozen=True)
class Plan:
    """A text made ready to speak (:meth:`TTS.prepare`): its spoken sentences, each one's language and
    voice (speaker id), the options."""

    sentences: list[str]
    langs: list[str]
    speakers: list[int | None]
    options: SynthesisOptions


class TTS:
    """Text -> speech: the front end, sentence splitting, voices and options here; the acoustic model
    and vocoder in an engine (:class:`~tts_diffusion.engines.torch_engine.TorchEngine`, or
    :class:`~tts_diffusion.engines.onnx_engine.OnnxEngine` for an exported voice, which needs no torch): an engine
    as :mod:`tts_diffusion.pipeline` describes it, whose ``vocode_each(mels)`` yields the audios in
    order (the first is ready first)."""

    def __init__(self, engine, lexicon: Lexicon | None = None):
        self.engine, self.lexicon = engine, lexicon or Lexicon({})
        self.tokenizer, self.mel_config = engine.tokenizer, engine.mel_config

    @classmethod
    def from_pretrained(cls, spec: str | Path | None = None, vocoder: str | None = None, device: str = "cpu",
                        lexicon: str | Path | None = None, threads: int | None = None,
                        runtime: str = "torch") -> "TTS":
        """``spec``: None for the bundled voice, a checkpoint folder, run folder or .safetensors file
        (torch), or a folder exported by ``python -m tts_diffusion.export --onnx`` (onnxruntime; no
        torch is imported). ``vocoder``: a spec for :func:`~tts_diffusion.vocoder.load_vocoder` (default: Griffin-Lim from the
        bundled Vocos's phase where it fits the model's mel, else Griffin-Lim), or for an ONNX voice
        its exported one.
        ``lexicon``: a TSV file of pronunciations (see :mod:`tts_diffusion.text.lexicon`).
        ``threads``: an ONNX voice's threads: the sentences of a batch side by side, one thread each,
        a lone sentence on all of them (default: every core; the torch path follows
        ``torch.set_num_threads``). ``runtime="onnx"``: the bundled voice
        through onnxruntime, its ONNX form made on first use and cached (:mod:`tts_diffusion.export.cache`);
        ``"auto"``: onnx for the bundled voice when its ONNX form is cached and onnxruntime installed, else torch."""
        from .engines.onnx_engine import is_onnx_voice

        if runtime not in RUNTIMES:
            raise ValueError(f"unknown runtime {runtime!r}: choose {', '.join(RUNTIMES)}")
        if runtime == "auto":
            runtime = "onnx" if auto_picks_onnx_for(spec, vocoder, device) and _onnx_ready() else "torch"
        if runtime == "onnx" and not is_onnx_voice(spec):
            if spec is not None:
                raise ValueError(f"the onnx runtime takes the bundled voice or an exported folder: export {spec} "
                                 f"with python -m tts_diffusion.export --onnx {spec} DIR, then pass DIR")
            from .export.cache import onnx_form

            spec = onnx_form(BUNDLED)
        if is_onnx_voice(spec):
            from .engines.onnx_engine import OnnxEngine

            engine = OnnxEngine(spec, vocoder, threads)
        else:
            try:
                from .engines.torch_engine import TorchEngine
            except ImportError as err:  # name what is missing: torch itself, or one of the torch extra's
                missing = getattr(err, "name", None) or "a module"
                raise ValueError(f"{'the bundled voice' if spec is None else spec} runs on the torch engine, "
                                 f"which needs {missing} (not installed): pip install 'tts-diffusion[torch]', or "
                                 "pass a voice exported with python -m tts_diffusion.export --onnx") from None
            if spec is None and not BUNDLED.is_dir():
                raise ValueError("no voice is bundled with this version yet: pass a model (--model PATH)")
            engine = TorchEngine.load(BUNDLED if spec is None else spec, vocoder, device)
        words = Lexicon.read(lexicon, set(engine.tokenizer.table.symbols)) if lexicon else None
        return cls(engine, words)

    @property
    def sample_rate(self) -> int:
        return self.mel_config.sample_rate

    def supports(self, options: SynthesisOptions) -> bool:
        """Whether the engine can do what ``options`` ask (an exported voice: the samplers exported)."""
        try:
            self.engine.check(options)
        except ValueError:
            return False
        return True

    @property
    def frame_seconds(self) -> float:
        return self.mel_config.hop_length / self.mel_config.sample_rate

    @property
    def voices(self) -> list[Voice]:
        """The model's named voices (empty for a single-voice model)."""
        return list(self.engine.voices)

    def sentences(self, text: str, lang: str = "auto") -> list[str]:
        """The spoken sentences of ``text`` (:meth:`spoken_sentences` without their languages)."""
        return [sentence for sentence, _ in self.spoken_sentences(text, lang)]

    def spoken_sentences(self, text: str, lang: str = "auto") -> list[tuple[str, str]]:
        """(spoken sentence, language) of ``text`` after the lexicon: each paragraph is normalized
        once (a mixed one a language run at a time, :func:`language_runs`), then split into
        sentences (encoding waits until a sentence is spoken: a long text's first audio does not
        wait for the G2P of the rest). Raises ValueError for text with nothing to voice, or longer
        than :data:`~tts_diffusion.options.MAX_TEXT_CHARS`."""
        check_text(text, lang)
        if len(text) > MAX_TEXT_CHARS:
            raise ValueError(f"the text has {len(text):,} characters, more than {MAX_TEXT_CHARS:,}: split it")
        text = self.lexicon.apply(text)
        if len(text) > MAX_TEXT_CHARS:  # a lexicon's respellings can make a short text long
            raise ValueError(f"the text has {len(text):,} characters after the lexicon, more than "
                             f"{MAX_TEXT_CHARS:,}: split it")
        out, dropped = [], set()
        for paragraph in (p for p in text.splitlines() if p.strip()):
            for run, run_lang in language_runs(paragraph) if lang == "auto" else [(paragraph, lang)]:
                try:
                    spoken = normalize(run, run_lang, dropped)  # once: sentences are split on the spoken form
                except ValueError:
                    continue  # a line with nothing voiceable, between others
                out += [(s, run_lang) for s in split_sentences(spoken) if VOICEABLE.search(s)]  # not a lone "..."
        if dropped:
            warn_dropped(dropped)  # once, for the whole text
        if not out:
            raise ValueError("text has nothing that can be voiced")
        return out

    def prepare(self, text: str, options: SynthesisOptions | None = None, **overrides) -> Plan:
        """Everything about ``text`` that can be wrong, checked before any synthesis: the options (or
        keyword overrides of their fields), what the engine can do, the voice, and the text itself,
        normalized and split (raises ValueError with one line). A server answers 400 from here."""
        options = replace(options or SynthesisOptions(), **overrides).check()
        self.engine.check(options)  # an exported voice has the samplers it was exported with
        speaker_id(self.voices, options.voice, text, options.lang)  # an unknown voice before the text's errors
        spoken = self.spoken_sentences(text, options.lang)
        speakers = [speaker_id(self.voices, options.voice, s, lang) for s, lang in spoken]
        return Plan([s for s, _ in spoken], [lang for _, lang in spoken], speakers, options)

    def speak(self, plan: Plan, batch_size: int = 4) -> Iterator[Chunk]:
        """A prepared text a sentence at a time: a :class:`Chunk` as soon as each is ready (the first
        sentence alone, then ``batch_size`` at a time, a batch ending where the voice changes)."""
        sentences, options = plan.sentences, plan.options
        seed_base = 1000 * (options.seed if options.seed is not None else int(time.time_ns() % 2**20))
        gap = np.zeros(int(options.pause * self.sample_rate), dtype=np.float32)
        first = 0
        while first < len(sentences):
            size = 1 if first == 0 else batch_size  # the first sentence alone: its audio leaves soonest
            speaker, span = plan.speakers[first], plan.speakers[first:first + size]
            size = next((k for k, other in enumerate(span) if other != speaker), len(span))  # one voice a batch
            beta = voice_beta(options.postfilter, self.voices, speaker)
            batch = [(s, self.tokenizer.encode_spoken(s, lang))
                     for s, lang in zip(sentences[first:first + size], plan.langs[first:first + size])]
            ids, langs, lengths = pad_tokens([e.ids for _, e in batch], [e.langs for _, e in batch])
            seeds = [seed_base + first + i for i in range(len(batch))]  # one per sentence: batching changes nothing
            t0 = time.perf_counter()
            mels, durations, nfe = pipeline.acoustic(self.engine, ids, langs, lengths, speaker, options, seeds)
            mels = [sharpen(mel, beta) for mel in mels]
            acoustic = (time.perf_counter() - t0) / len(batch)
            audios = self.engine.vocode_each(mels)
            for i, mel in enumerate(mels):
                t1 = time.perf_counter()
                audio = next(audios)
                lead = gap if first + i else gap[:0]
                sentence, encoded = batch[i]
                words, phonemes = timestamps(self.tokenizer.words(sentence, plan.langs[first + i]), encoded.phonemes,
                                             durations[i], self.tokenizer.add_blank, self.frame_seconds,
                                             len(lead) / self.sample_rate)
                yield Chunk(sentence, first + i, len(sentences), np.concatenate([lead, audio]), self.sample_rate,
                            mel, {"acoustic": acoustic, "vocoder": time.perf_counter() - t1}, nfe, len(lead),
                            words, phonemes)
            first += len(batch)

    def stream(self, text: str, options: SynthesisOptions | None = None, batch_size: int = 4,
               **overrides) -> Iterator[Chunk]:
        """Speak ``text`` a sentence at a time: :meth:`prepare`, then :meth:`speak` (errors come at the
        first ``next``)."""
        yield from self.speak(self.prepare(text, options, **overrides), batch_size)

    def plan_ssml(self, markup: str, options: SynthesisOptions) -> list[tuple]:
        """SSML (:mod:`tts_diffusion.text.ssml`) -> [(segment, its options, its :class:`Plan` or None for a
        break alone)], every segment checked (voice, rate, text) and its text normalized and split once:
        raises ValueError (SSMLError) with one line."""
        from .text.ssml import SSMLError, parse_ssml

        plan = []
        for segment in parse_ssml(markup):
            try:
                spoken = replace(options, voice=segment.voice or options.voice, lang=segment.lang or options.lang,
                                 speed=options.speed * segment.rate).check()
                speaker_id(self.voices, spoken.voice, segment.text, spoken.lang)
            except ValueError as err:
                raise SSMLError(f"in <voice> or <prosody>: {err}") from None
            plan.append((segment, spoken, self.prepare(segment.text, spoken) if segment.text else None))
        return plan

    def speak_ssml(self, plan: list[tuple]) -> Iterator[Chunk]:
        """A planned SSML text (:meth:`plan_ssml`): each segment in its voice, language and rate (the rate
        multiplies ``options.speed``), a ``<break>`` as silence in place of the usual pause between
        sentences."""
        count, index = sum(len(p.sentences) for _, _, p in plan if p), 0
        for segment, spoken, prepared in plan:
            silence = np.zeros(int((spoken.pause if segment.pause_before is None else segment.pause_before)
                                   * self.sample_rate), dtype=np.float32)
            if prepared is None:  # a break at the very end
                yield Chunk("", max(index - 1, 0), count, silence, self.sample_rate,
                            np.zeros((self.mel_config.n_mels, 0), dtype=np.float32), {"acoustic": 0.0, "vocoder": 0.0},
                            0, len(silence))
                continue
            for k, chunk in enumerate(self.speak(prepared)):
                lead = silence if k == 0 and (index or segment.pause_before) else silence[:0]
                yield chunk.after(lead, index, count)
                index += 1

    def stream_ssml(self, markup: str, options: SynthesisOptions | None = None, **overrides) -> Iterator[Chunk]:
        """Speak SSML: :meth:`plan_ssml`, then :meth:`speak_ssml` (errors come at the first ``next``)."""
        yield from self.speak_ssml(self.plan_ssml(markup, replace(options or SynthesisOptions(), **overrides).check()))

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


__all__ = ["TTS", "Plan", "Synthesis", "Chunk", "SynthesisOptions", "split_sentences"]
