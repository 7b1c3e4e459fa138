"""Subtitles from the timeline of a synthesis: a cue per sentence, timed by the audio actually made
(after speed, the pause before each sentence and the joins), its text the words as spoken (after
normalization: "3.5도" shows as "삼 점 오 도"). A long sentence is cut into line-length groups of
words, each shown from when its first word is heard. SRT (``.srt``) or WebVTT (``.vtt``)."""

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


def cues(timeline) -> list[Cue]:
    """Cues for a :class:`~tts_diffusion.timestamps.Timeline`: each sentence from the end of the pause
    before it to the end of its audio, cut by :func:`lines` into groups of its words, a group
    shown from its first word's start (the sentence's start for the first group) to the next's."""
    out = []
    for sentence, words, _ in timeline.entries:
        groups, k = [], 0
        for line in lines(" ".join(w.text for w in words) or sentence.text):
            groups.append((line, words[k].start if k and k < len(words) else sentence.start))
            k += len(line.split())
        for (line, start), (_, end) in zip(groups, groups[1:] + [("", sentence.end)]):
            out.append(Cue(start, end, line))
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
