"""The symbol table: every phoneme character the G2P can produce, with a version.

A checkpoint stores the table it was trained with (:meth:`SymbolTable.state`), so a later change
to the default table never breaks an old model. Append new symbols; never reorder.
"""

from __future__ import annotations

from dataclasses import dataclass, field

PAD = "_"
PUNCTUATION = " !',-.?"
LATIN = "abcdefghijklmnopqrstuvwxyz"
# IPA letters espeak-ng uses for Korean and English (IPA Extensions block and a few others),
# then the suprasegmentals and diacritics it writes.
IPA = "".join(chr(c) for c in range(0x250, 0x2B0)) + "æçðøŋœθβχ"
MODIFIERS = "ˈˌːˑʰʲʷˠˤ˞" + "\u0303\u0329\u032a\u031a\u0325\u0361"

SYMBOLS_V1 = [PAD] + list(PUNCTUATION) + list(LATIN) + list(IPA) + list(MODIFIERS)
# v2: "ᵻ" (U+1D7B), espeak-ng en-us's reduced vowel ("wanted", "roses"), which v1 dropped.
SYMBOLS_V2 = SYMBOLS_V1 + ["ᵻ"]
LANGUAGES = ["ko", "en"]


@dataclass(frozen=True)
class SymbolTable:
    symbols: list[str] = field(default_factory=lambda: list(SYMBOLS_V2))
    languages: list[str] = field(default_factory=lambda: list(LANGUAGES))
    version: int = 2

    def __post_init__(self):
        if len(set(self.symbols)) != len(self.symbols):
            raise ValueError("symbol table has duplicate symbols")
        object.__setattr__(self, "_index", {s: i for i, s in enumerate(self.symbols)})

    @property
    def pad_id(self) -> int:
        return 0

    def __len__(self) -> int:
        return len(self.symbols)

    def extends(self, other: "SymbolTable") -> bool:
        """True when this table is ``other`` with symbols appended (same languages)."""
        return self.languages == other.languages and self.symbols[: len(other.symbols)] == other.symbols

    def id(self, symbol: str) -> int | None:
        return self._index.get(symbol)

    def language_id(self, language: str) -> int:
        return self.languages.index(language)

    def state(self) -> dict:
        return {"symbols": list(self.symbols), "languages": list(self.languages), "version": self.version}

    @classmethod
    def from_state(cls, state: dict) -> "SymbolTable":
        return cls(list(state["symbols"]), list(state["languages"]), int(state["version"]))
