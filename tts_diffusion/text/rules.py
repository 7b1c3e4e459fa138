"""Rewrite rules, the shape both normalizers share."""

from __future__ import annotations

import re
from typing import Callable, Union

Replacement = Union[str, Callable[[re.Match], str]]


def apply_rules(text: str, rules: list[tuple[re.Pattern, Replacement]], symbols: dict[str, str]) -> str:
    """Apply each (pattern, replacement) in order, then spell out the symbols."""
    for pattern, replacement in rules:
        text = pattern.sub(replacement, text)
    for symbol, spoken in symbols.items():
        text = text.replace(symbol, spoken)
    return text
