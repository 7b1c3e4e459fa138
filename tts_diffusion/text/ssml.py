"""SSML, the subset people use, read into segments of text that share a voice and a rate.

Tags: ``<speak>`` (the root; ``xml:lang`` sets the language), ``<p>`` and ``<s>`` (sentence
boundaries), ``<break time="500ms"/>`` (or ``strength``), ``<sub alias="...">``, ``<say-as
interpret-as="characters|digits|date|telephone">``, ``<phoneme ph="...">`` (our inline phonemes,
``[[...]]``), ``<prosody rate="...">`` (x-slow .. x-fast, a percentage or a factor) and ``<voice
name="...">``. Anything else is an error naming its line and column, never silence.

Parsed with the standard library's expat, event by event, with no DTD allowed: a document that
declares one (the road to entity expansion, "billion laughs") is refused before any entity is read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from xml.parsers import expat

RATES = {"x-slow": 0.5, "slow": 0.75, "medium": 1.0, "fast": 1.25, "x-fast": 1.5, "default": 1.0}
STRENGTHS = {"none": 0.0, "x-weak": 0.1, "weak": 0.25, "medium": 0.5, "strong": 0.75, "x-strong": 1.25}
SAY_AS = ("characters", "spell-out", "digits", "date", "telephone")
MAX_BREAK = 10.0  # seconds
KNOWN = {"speak", "p", "s", "break", "sub", "say-as", "phoneme", "prosody", "voice"}


class SSMLError(ValueError):
    """Malformed or unsupported SSML; the message names the line and column."""


@dataclass
class Segment:
    text: str  # what to speak (normalized later, like any text); "" for a break alone
    voice: str | None = None
    rate: float = 1.0  # multiplies the speed of the options
    lang: str | None = None
    pause_before: float | None = None  # a <break> before this text (None: the usual pause between sentences)


def is_ssml(text: str) -> bool:
    return text.lstrip().startswith("<speak")


def _seconds(value: str, where: str) -> float:
    match = re.fullmatch(r"\s*([0-9]+(?:\.[0-9]+)?)\s*(ms|s)\s*", value or "")
    if not match:
        raise SSMLError(f"{where}: break time must be like 500ms or 2s, not {value!r}")
    seconds = float(match.group(1)) / (1000 if match.group(2) == "ms" else 1)
    if seconds > MAX_BREAK:
        raise SSMLError(f"{where}: a break of {seconds:g} s is longer than {MAX_BREAK:g} s")
    return seconds


def _rate(value: str, where: str) -> float:
    if value in RATES:
        return RATES[value]
    match = re.fullmatch(r"\s*([0-9]+(?:\.[0-9]+)?)\s*(%?)\s*", value or "")
    if not match:
        raise SSMLError(f"{where}: prosody rate must be x-slow .. x-fast, a percentage or a factor, not {value!r}")
    return float(match.group(1)) / (100 if match.group(2) else 1)


def _say_as(kind: str, text: str) -> str:
    """characters: each letter or digit apart (K B S, 1 2 3: each read by name); digits: each digit
    apart; date and telephone: the normalizers' own readings of dates and phone numbers."""
    if kind in ("characters", "spell-out", "digits"):
        return " ".join(ch for ch in text if not ch.isspace())
    if kind == "telephone":
        return ", ".join(" ".join(group) for group in re.findall(r"[0-9]+", text)) or text
    return text  # a date: 2026-12-03, 2026.12.3 and 2026년 12월 3일 are read as dates already


def parse_ssml(markup: str) -> list[Segment]:
    """``<speak>...</speak>`` -> segments, in order; raises :class:`SSMLError`."""
    parser = expat.ParserCreate()
    segments: list[Segment] = []
    stack: list[dict] = []  # per open element: the voice, rate and lang in force inside it, and any rewrite
    pending_break: list[float | None] = [None]

    def where() -> str:
        return f"line {parser.CurrentLineNumber}, column {parser.CurrentColumnNumber + 1}"

    def refuse_dtd(*args):
        raise SSMLError(f"{where()}: a DOCTYPE or entity declaration is not allowed in SSML")

    def context() -> dict:
        return stack[-1] if stack else {"voice": None, "rate": 1.0, "lang": None, "rewrite": None}

    def boundary() -> None:
        """<p> and <s>: a line break, which the API reads as a paragraph (so a sentence) boundary."""
        if segments and pending_break[0] is None:
            segments[-1].text += "\n"

    def add_text(text: str) -> None:
        if not text.strip():
            return
        c = context()
        last = segments[-1] if segments else None
        if last and pending_break[0] is None and (last.voice, last.rate, last.lang) == (c["voice"], c["rate"], c["lang"]):
            last.text += text
        else:
            segments.append(Segment(text, c["voice"], c["rate"], c["lang"], pending_break[0]))
            pending_break[0] = None

    def start(name: str, attributes: dict) -> None:
        if name not in KNOWN:
            raise SSMLError(f"{where()}: unsupported SSML tag <{name}> (supported: {', '.join(sorted(KNOWN))})")
        if not stack and name != "speak":
            raise SSMLError(f"{where()}: SSML must start with <speak>, not <{name}>")
        inner = dict(context())
        inner["rewrite"] = None
        if name == "speak":
            inner["lang"] = (attributes.get("xml:lang") or "")[:2] or None
        elif name in ("p", "s"):
            boundary()
        elif name == "break":
            if "time" in attributes:
                pause = _seconds(attributes["time"], where())
            else:
                strength = attributes.get("strength", "medium")
                if strength not in STRENGTHS:
                    raise SSMLError(f"{where()}: break strength must be one of {', '.join(STRENGTHS)}")
                pause = STRENGTHS[strength]
            pending_break[0] = (pending_break[0] or 0.0) + pause
        elif name == "sub":
            if "alias" not in attributes:
                raise SSMLError(f"{where()}: <sub> needs an alias")
            inner["rewrite"] = ("alias", attributes["alias"])
        elif name == "say-as":
            kind = attributes.get("interpret-as")
            if kind not in SAY_AS:
                raise SSMLError(f"{where()}: say-as interpret-as must be one of {', '.join(SAY_AS)}, not {kind!r}")
            inner["rewrite"] = ("say-as", kind)
        elif name == "phoneme":
            if not attributes.get("ph"):
                raise SSMLError(f"{where()}: <phoneme> needs ph")
            inner["rewrite"] = ("phoneme", attributes["ph"])
        elif name == "prosody":
            if "rate" in attributes:
                inner["rate"] = context()["rate"] * _rate(attributes["rate"], where())
        elif name == "voice":
            if not attributes.get("name"):
                raise SSMLError(f"{where()}: <voice> needs a name")
            inner["voice"] = attributes["name"]
        inner["text"] = []
        stack.append(inner)

    def end(name: str) -> None:
        element = stack.pop()
        rewrite, text = element["rewrite"], "".join(element["text"])
        if rewrite is not None:
            kind, value = rewrite
            spoken = value if kind == "alias" else f"[[{value}]]" if kind == "phoneme" else _say_as(value, text)
            stack.append({**element, "rewrite": None})  # spoken in the element's own voice and rate
            add_text(f" {spoken} ")
            stack.pop()
        if name in ("p", "s"):
            boundary()

    def characters(data: str) -> None:
        rewriting = [e for e in stack if e["rewrite"] is not None]
        if rewriting:
            rewriting[-1]["text"].append(data)  # read by the rewrite when its element closes
        elif stack:
            add_text(data)

    parser.StartDoctypeDeclHandler = refuse_dtd
    parser.EntityDeclHandler = refuse_dtd
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = characters
    try:
        parser.Parse(markup, True)
    except expat.ExpatError as err:
        raise SSMLError(f"line {err.lineno}, column {err.offset + 1}: {expat.ErrorString(err.code)}") from None
    if pending_break[0] is not None:
        segments.append(Segment("", pause_before=pending_break[0]))
    for segment in segments:
        segment.text = "\n".join(" ".join(line.split()) for line in segment.text.splitlines() if line.strip())
    return [s for s in segments if s.text or s.pause_before]
