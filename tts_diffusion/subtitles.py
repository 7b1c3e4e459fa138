"""Subtitles from the chunks of a synthesis: a cue per sentence, timed by the audio actually made
(after speed, the pause before each sentence and the joins), its text the words as spoken (after
normalization: "3.5도" shows as "삼 점 오 도"). A long sentence is cut into line-length groups of
words, its time shared by their characters. SRT (``.srt``) or WebVTT (``.vtt``)."""

from __future__ import annotations

from dataclasses import dataclass

MAX_LINE = 42  # characters a subtitle line holds comfortably


@dataclass(frozen=True)
class Cue:
    start: float  # seconds from the start of the audio
    end: float
    text: str


def lines(text: str, width: int = MAX_LINE) -> list[str]:
    """Words grouped into lines of at most ``width`` characters (a longer word stands alone)."""
    out: list[str] = []
    for word in text.split():
        if out and len(out[-1]) + 1 + len(word) <= width:
            out[-1] += " " + word
        else:
            out.append(word)
    return out


def cues(spans) -> list[Cue]:
    """Cues for the chunks of a synthesis, given in order as ``(text, lead, samples, sample_rate)``
    (:class:`~tts_diffusion.api.Chunk`'s ``text``, ``lead``, ``len(audio)``, ``sample_rate``): each
    sentence from the end of the pause before it to the end of its audio, split by :func:`lines` in
    proportion to characters."""
    out, clock = [], 0.0
    for text, lead, samples, rate in spans:
        start = clock + lead / rate
        clock += samples / rate
        groups = lines(text)
        total = sum(len(g) for g in groups)
        at = start
        for group in groups:
            end = at + (clock - start) * len(group) / total
            out.append(Cue(at, end, group))
            at = end
    return out


def _clock(seconds: float, separator: str) -> str:
    ms = round(seconds * 1000)
    return f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d}{separator}{ms % 1000:03d}"


def render(cue_list: list[Cue], kind: str) -> str:
    """The cues as an ``srt`` or ``vtt`` file's text."""
    if kind == "srt":
        return "".join(f"{n}\n{_clock(c.start, ',')} --> {_clock(c.end, ',')}\n{c.text}\n\n"
                       for n, c in enumerate(cue_list, 1))
    if kind == "vtt":
        return "WEBVTT\n\n" + "".join(f"{_clock(c.start, '.')} --> {_clock(c.end, '.')}\n{c.text}\n\n" for c in cue_list)
    raise ValueError(f"subtitles are .srt or .vtt, not {kind!r}")
