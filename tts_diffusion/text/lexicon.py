"""Pronunciation control: a user lexicon, and phonemes written inline in the text.

A lexicon is a UTF-8 TSV file, one entry a line, ``word<TAB>pronunciation``; empty lines and lines
starting with ``#`` are skipped. A pronunciation is either a respelling that the front end reads
like any text (Hangul or Latin letters: ``KBS<TAB>케이비에스``, ``Nguyen<TAB>Win``) or phonemes, in
``[[...]]`` or as bare IPA (``Seoul<TAB>[[sˈoʊl]]``). An entry replaces the word wherever it stands
alone; it may carry a Korean particle after it (``박물관은``, ``KBS는``).

Inline phonemes: ``[[...]]`` anywhere in the text is read as those phoneme symbols, as Piper does,
in the language of the text around it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

INLINE = re.compile(r"\[\[(.*?)\]\]")
MAX_LEXICON_BYTES = 4 << 20  # as a text file (-f): /dev/zero or a huge file is refused, not read whole
_RESPELLING = re.compile(r"[가-힣A-Za-z' .,-]+")


class LexiconError(ValueError):
    """A lexicon file that cannot be read; the message names the file and line."""


@dataclass(frozen=True)
class Lexicon:
    entries: dict[str, str]  # word -> respelling, or "[[phonemes]]"

    @classmethod
    def read(cls, path: str | Path, symbols: set[str] | None = None) -> "Lexicon":
        """Read a lexicon; with ``symbols``, phonemes outside that set are an error naming the line."""
        path = Path(path)
        try:
            with open(path, "rb") as f:
                data = f.read(MAX_LEXICON_BYTES + 1)
            if len(data) > MAX_LEXICON_BYTES:
                raise LexiconError(f"lexicon {path} holds more than {MAX_LEXICON_BYTES:,} bytes")
            lines = data.decode("utf-8").splitlines()
        except OSError as err:
            raise LexiconError(f"cannot read lexicon {path}: {err.strerror}") from None
        except UnicodeDecodeError:
            raise LexiconError(f"lexicon {path} is not valid UTF-8") from None
        entries = {}
        for number, line in enumerate(lines, 1):
            if not line.strip() or line.startswith("#"):
                continue
            fields = [f.strip() for f in line.split("\t")]
            if len(fields) != 2 or not fields[0] or not fields[1]:
                raise LexiconError(f"{path}:{number}: expected 'word<TAB>pronunciation', got {line!r}")
            word, pronunciation = fields
            inline = INLINE.fullmatch(pronunciation)
            if inline or not _RESPELLING.fullmatch(pronunciation):
                phonemes = inline.group(1) if inline else pronunciation
                unknown = sorted(set(phonemes) - symbols) if symbols is not None else []
                if unknown:
                    raise LexiconError(f"{path}:{number}: phonemes {''.join(unknown)!r} are not in the symbol table")
                pronunciation = f"[[{phonemes}]]"
            entries[word] = pronunciation
        return cls(entries)

    def apply(self, text: str) -> str:
        """``text`` with every listed word replaced by its pronunciation (longest words first)."""
        if not self.entries:
            return text
        pattern = "|".join(re.escape(w) for w in sorted(self.entries, key=len, reverse=True))
        # a word stands alone: no letter before it, and after it no Latin letter (a Korean particle may follow)
        return re.sub(rf"(?<![가-힣A-Za-z])({pattern})(?![A-Za-z])", lambda m: self.entries[m.group(1)], text)
