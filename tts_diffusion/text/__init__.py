"""Text front end: ``normalize`` (written -> spoken form), G2P, and the tokenizer to symbol ids.

>>> normalize("오후 3시 20분")
'오후 세 시 이십 분'
"""

from __future__ import annotations

import re
import unicodedata
import warnings
from dataclasses import dataclass

import numpy as np

from .english import normalize_english
from .korean import normalize_korean
from .lexicon import INLINE, Lexicon, LexiconError
from .pronunciation import standard_pronunciation
from .symbols import PUNCTUATION, SymbolTable

__all__ = ["normalize", "detect_language", "Tokenizer", "Encoded", "text_to_ids", "SymbolTable", "FRONTEND_VERSION",
           "Lexicon", "LexiconError", "pad_tokens"]

# What the front end does between normalization and G2P, saved with every model so that a model
# keeps reading text the way it was trained: 1 = espeak-ng's own Korean rules; 2 = the Korean
# standard pronunciation first (:mod:`.pronunciation`).
FRONTEND_VERSION = 2

LANGS = ("auto", "ko", "en")
# What is left after normalization that a reader would voice or pause on.
_PAUSES = {";": ",", ":": ",", "—": ",", "–": ",", "…": ".", "。": ".", "、": ",", "!": "!", "?": "?"}
_VOICEABLE = re.compile(r"[가-힣A-Za-z',.!? -]")
_SPACE_LIKE = re.compile(r"[\s_/\\|()\[\]{}<>\"“”‘’«»「」『』*]+|-(?![A-Za-z])|(?<![A-Za-z])-")


def text_language(text: str, lang: str = "auto") -> str:
    """The one language rule: ``lang``, or for "auto" :func:`detect_language` of the text around any
    inline phonemes. Normalization, G2P and the default voice follow it."""
    return detect_language(INLINE.sub(" ", text)) if lang == "auto" else lang


def detect_language(text: str) -> str:
    """'ko' if the text has any Hangul, else 'en'."""
    return "ko" if re.search(r"[가-힣ㄱ-ㅣ]", text) else "en"


def _clean(text: str, dropped: set[str] | None = None) -> str:
    """Keep what can be voiced: Hangul, Latin letters, apostrophes and pause marks. What is dropped
    is added to ``dropped``, or else said in a warning."""
    text = text.replace("’", "'")
    text = "".join(_PAUSES.get(ch, ch) for ch in text)
    text = _SPACE_LIKE.sub(" ", text)
    unvoiced = {ch for ch in text if not _VOICEABLE.match(ch)}
    if unvoiced:
        if dropped is None:
            warn_dropped(unvoiced)
        else:
            dropped |= unvoiced
        text = "".join(ch for ch in text if _VOICEABLE.match(ch))
    text = re.sub(r"\s+([,.!?])", r"\1", text)
    text = re.sub(r"([,.!?])(?=[^\s,.!?])", r"\1 ", text)
    text = re.sub(r"^[\s,.!?']+", "", text)
    return re.sub(r"\s+", " ", text).strip()


def check_text(text, lang: str) -> None:
    """ValueError for a language that is not one of :data:`LANGS`, or for text that is empty."""
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}; choose one of {', '.join(LANGS)}")
    if not isinstance(text, str) or not text.strip():
        raise ValueError("text is empty")


def warn_dropped(characters) -> None:
    warnings.warn(f"dropped characters that cannot be voiced: {''.join(sorted(characters))!r}", stacklevel=4)


def normalize(text: str, lang: str = "auto", dropped: set[str] | None = None) -> str:
    """Written text -> spoken form, with no digits or symbols left that a reader would voice.
    Inline phonemes (``[[...]]``) are kept as they are.

    Raises ValueError for empty text or text with nothing voiceable; drops characters that cannot be
    voiced, with one warning (or, given a set ``dropped``, adding them to it for the caller to say).
    """
    check_text(text, lang)
    if INLINE.search(text):
        lang = text_language(text, lang)
        pieces = INLINE.split(text)
        spoken = [f"[[{p}]]" if k % 2 else _normalize_plain(p, lang, dropped) if re.search(r"[가-힣A-Za-z0-9]", p) else ""
                  for k, p in enumerate(pieces)]
        return " ".join(p for p in spoken if p)
    return _normalize_plain(text, lang, dropped)


def _normalize_plain(text: str, lang: str, dropped: set[str] | None = None) -> str:
    text = unicodedata.normalize("NFKC", text)
    lang = text_language(text, lang)
    text = normalize_korean(text) if lang == "ko" else normalize_english(text)
    text = _clean(text, dropped)
    if not re.search(r"[가-힣A-Za-z]", text):
        raise ValueError("text has nothing that can be voiced")
    return text


@dataclass(frozen=True)
class Encoded:
    """A tokenized text: symbol ids, the language id of each, the phoneme string, and the phonemes
    G2P gave that the symbol table lacks (dropped)."""

    ids: list[int]
    langs: list[int]
    phonemes: str
    dropped: str = ""


class Tokenizer:
    """Text -> symbol ids through normalization, the Korean standard pronunciation (front end
    version 2) and G2P. With ``add_blank`` a blank (the pad symbol) stands between every two
    symbols and at both ends, as in Grad-TTS and VITS."""

    def __init__(self, table: SymbolTable | None = None, add_blank: bool = True, frontend: int = FRONTEND_VERSION):
        if frontend not in (1, 2):
            raise ValueError(f"unknown front end version {frontend} (this version knows 1 and 2)")
        self.table = table or SymbolTable()
        self.add_blank = add_blank
        self.frontend = frontend

    def pronounced(self, spoken: str) -> str:
        """The spoken form as G2P reads it: Korean in its standard pronunciation (version 2)."""
        return standard_pronunciation(spoken) if self.frontend >= 2 else spoken

    def phonemes(self, spoken: str, lang: str = "auto") -> list[tuple[str, str]]:
        """A spoken form (:func:`normalize`'s) -> [(language, phonemes)], one item per script run."""
        from .g2p import phonemize

        default = text_language(spoken, lang)
        out = []
        for k, part in enumerate(INLINE.split(spoken)):
            if k % 2:
                out.append((default, part))  # inline phonemes, in the language of the text around them
            elif part.strip():
                out += phonemize(self.pronounced(part), default=default)
        return out

    def words(self, spoken: str, lang: str = "auto") -> list[tuple[str, int]]:
        """The words of a spoken sentence, each with how many sounding symbols (not spaces or
        punctuation) it has when said alone: what :func:`~tts_diffusion.timestamps.word_ranges` needs
        to find each word in the sentence's phonemes, where espeak-ng joins short Korean words to the
        next one (오늘의 주요 뉴스 -> two phoneme words). Inline phonemes are one word, shown as written."""
        from .g2p import phonemize

        default = text_language(spoken, lang)
        out = []
        for k, part in enumerate(INLINE.split(spoken)):
            if k % 2:
                out.append((f"[[{part}]]", self._sounding(part)))
                continue
            heard = self.pronounced(part).split()
            shown = part.split() if len(part.split()) == len(heard) else heard
            out += [(word, sum(self._sounding(p) for _, p in phonemize(said, default))) for word, said in zip(shown, heard)]
        return out

    def _sounding(self, phonemes: str) -> int:
        return sum(1 for s in phonemes if s not in PUNCTUATION and self.table.id(s) is not None)

    def encode(self, text: str, lang: str = "auto") -> Encoded:
        """Written text -> symbol ids: :func:`normalize` (raises ValueError for nothing to voice), then
        :meth:`encode_spoken`; a warning names phonemes the symbol table lacks."""
        encoded = self.encode_spoken(normalize(text, lang), lang)
        if encoded.dropped:
            warnings.warn(f"phonemes missing from the symbol table were dropped: {encoded.dropped!r}")
        return encoded

    def encode_spoken(self, spoken: str, lang: str = "auto") -> Encoded:
        """A spoken form (normalized once, by the caller) -> symbol ids, through the standard
        pronunciation and G2P; phonemes the table lacks are left out and listed in ``dropped``."""
        ids, langs, unknown, phones = [], [], set(), []
        for language, chunk in self.phonemes(spoken, lang):
            lang_id = self.table.language_id(language)
            for symbol in chunk:
                index = self.table.id(symbol)
                if index is None:
                    unknown.add(symbol)
                    continue
                ids.append(index)
                langs.append(lang_id)
                phones.append(symbol)
        if not ids:
            raise ValueError("text has nothing that can be voiced")
        if self.add_blank:
            ids = [x for i in ids for x in (self.table.pad_id, i)] + [self.table.pad_id]
            langs = [langs[0]] + [x for l in langs for x in (l, l)]
        return Encoded(ids, langs, "".join(phones), "".join(sorted(unknown)))

    def state(self) -> dict:
        return {"table": self.table.state(), "add_blank": self.add_blank, "frontend": self.frontend}

    @classmethod
    def from_state(cls, state: dict) -> "Tokenizer":
        """A saved tokenizer; models saved before front end versions existed read text as version 1."""
        return cls(SymbolTable.from_state(state["table"]), bool(state["add_blank"]), int(state.get("frontend", 1)))


def text_to_ids(text: str, lang: str = "auto") -> list[int]:
    """Symbol ids of ``text`` with the default tokenizer."""
    return Tokenizer().encode(text, lang).ids


def pad_tokens(ids: list, langs: list) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A batch of token sequences -> ids and language ids (batch, longest) padded with 0, and the
    lengths (batch,), as int64 arrays (what the encoder takes, in torch or in ONNX)."""
    lengths = np.array([len(i) for i in ids], dtype=np.int64)
    padded = np.zeros((2, len(ids), int(lengths.max())), dtype=np.int64)
    for row, (i, l) in enumerate(zip(ids, langs)):
        padded[0, row, : len(i)], padded[1, row, : len(l)] = i, l
    return padded[0], padded[1], lengths
