"""The held-out sentences of each language (bench/text, written for this project, CC0, in no corpus):
what every end-to-end benchmark speaks. Korean: 100 (heldout_ko, article_ko, bulletins_ko); English:
102 (heldout_en, bulletins_en). Their order is fixed: sentence k is synthesized with seed k."""

from __future__ import annotations

from pathlib import Path

TEXT = Path(__file__).parent / "text"
FILES = {"ko": ("heldout_ko.txt", "article_ko.txt", "bulletins_ko.txt"), "en": ("heldout_en.txt", "bulletins_en.txt")}


def read_text_lines(name: str) -> list[str]:
    """The lines of ``bench/text/<name>``, comment lines (``#``) and blanks dropped."""
    lines = (TEXT / name).read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def heldout(lang: str) -> list[str]:
    """Every held-out sentence of ``lang`` ("ko" or "en")."""
    return [line for name in FILES[lang] for line in read_text_lines(name)]
