"""Word and phoneme timestamps from the durations the acoustic model predicted.

Token i of a sentence lasts d_i frames of ``hop_length`` samples, so it is heard from
sum(d_<i) to sum(d_<=i) frames after the sentence's speech begins; a word lasts from its first
symbol's first frame to its last symbol's last frame (the blanks between symbols are inside it,
those around it are not). Which symbols are a word's: espeak-ng joins short Korean words to the
next one ("오늘의 주요 뉴스" is two phoneme words), so the sentence's runs of sounding symbols are
matched to its words by a dynamic program on the lengths the words have when said alone, and a
run said for several words is shared among them in proportion to those lengths.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .text.symbols import PUNCTUATION


@dataclass(frozen=True)
class Timed:
    """A word, phoneme or sentence and when it is heard, in seconds from the start of the audio."""

    text: str
    start: float
    end: float

    def shifted(self, seconds: float) -> "Timed":
        return Timed(self.text, self.start + seconds, self.end + seconds)

    def to_json(self) -> str:
        """:meth:`as_dict` as JSON text, a sentence a line (short for a long text, still readable)."""
        import json

        whole = self.as_dict()
        lines = [json.dumps(sentence, ensure_ascii=False) for sentence in whole["sentences"]]
        return f'{{"duration": {whole["duration"]}, "sentences": [\n' + ",\n".join(lines) + "\n]}\n"

    def as_dict(self) -> dict:
        return {"text": self.text, "start": round(self.start, 3), "end": round(self.end, 3)}


def _runs(phonemes: str) -> list[list[int]]:
    """Indices of the sounding symbols, in runs that spaces and punctuation separate."""
    runs: list[list[int]] = [[]]
    for i, symbol in enumerate(phonemes):
        if symbol in PUNCTUATION:
            if runs[-1]:
                runs.append([])
        else:
            runs[-1].append(i)
    return [run for run in runs if run]


def _share(run: list[int], lengths: list[int]) -> list[tuple[int, int]]:
    """A run of symbol indices cut among words in proportion to ``lengths``: [first, end) of each."""
    weights = lengths if sum(lengths) else [1] * len(lengths)
    reach = np.cumsum([0, *weights]) / sum(weights)  # where each word ends, as a share of the run
    cuts = [round(len(run) * share) for share in reach]
    edges = run + [run[-1] + 1]
    return [(edges[a], edges[b - 1] + 1 if b > a else edges[a]) for a, b in zip(cuts, cuts[1:])]


def word_ranges(lengths: list[int], phonemes: str) -> list[tuple[int, int]]:
    """Each word's symbols in ``phonemes`` as [first, end) indices (end == first: heard as nothing),
    given each word's sounding-symbol count said alone (:meth:`~tts_diffusion.text.Tokenizer.words`).

    Runs R_1..R_G take consecutive groups of words; the grouping minimizes
    sum_j | len(R_j) - sum of the group's lengths | (a run is never empty of words). With more
    runs than words (espeak split a word) the sentence is one run."""
    runs = _runs(phonemes)
    if not lengths:
        return []
    if not runs:
        return [(0, 0)] * len(lengths)
    if len(runs) > len(lengths):
        runs = [[i for run in runs for i in run]]
    words, groups = len(lengths), len(runs)
    prefix = np.concatenate([[0], np.cumsum(lengths)])
    cost = np.full((words + 1, groups + 1), np.inf)
    cost[0, 0], back = 0.0, np.zeros((words + 1, groups + 1), dtype=int)
    for j in range(1, groups + 1):
        for k in range(j, words - (groups - j) + 1):
            for i in range(j - 1, k):
                c = cost[i, j - 1] + abs(len(runs[j - 1]) - (prefix[k] - prefix[i]))
                if c < cost[k, j]:
                    cost[k, j], back[k, j] = c, i
    bounds, k = [], words
    for j in range(groups, 0, -1):
        bounds.append((back[k, j], k))
        k = back[k, j]
    out: list[tuple[int, int]] = []
    for run, (i, k) in zip(runs, reversed(bounds)):
        out += _share(run, list(lengths[i:k]))
    return out


def timestamps(words: list[tuple[str, int]], phonemes: str, durations: np.ndarray, add_blank: bool,
               frame_seconds: float, offset: float = 0.0) -> tuple[list[Timed], list[Timed]]:
    """A sentence's words and phonemes (all but spaces) with their times: ``durations`` are its
    tokens' frames (a blank before, between and after the symbols with ``add_blank``), heard from
    ``offset`` seconds."""
    token = (lambda i: 2 * i + 1) if add_blank else (lambda i: i)
    if len(durations) != token(len(phonemes) - 1) + 1 + add_blank:
        raise ValueError(f"{len(durations)} durations for {len(phonemes)} phonemes")
    clock = offset + frame_seconds * np.concatenate([[0], np.cumsum(durations)])
    timed_words = [Timed(word, float(clock[token(a)]), float(clock[token(b - 1) + 1] if b > a else clock[token(a)]))
                   for (word, _), (a, b) in zip(words, word_ranges([n for _, n in words], phonemes))]
    timed_phonemes = [Timed(s, float(clock[token(i)]), float(clock[token(i) + 1]))
                      for i, s in enumerate(phonemes) if s != " "]
    return timed_words, timed_phonemes


class Timeline:
    """The times of a text's streamed chunks, from the start of the whole audio: each sentence
    (from the end of the pause before it to the end of its audio) with its words and phonemes."""

    def __init__(self):
        self.seconds = 0.0  # the audio so far
        self.entries: list[tuple[Timed, list[Timed], list[Timed]]] = []

    def add(self, chunk) -> None:
        """The next :class:`~tts_diffusion.api.Chunk` (its audio is not kept)."""
        rate, start = chunk.sample_rate, self.seconds
        self.seconds += len(chunk.audio) / rate
        if chunk.text:
            self.entries.append((Timed(chunk.text, start + chunk.lead / rate, self.seconds),
                                 [w.shifted(start) for w in chunk.words], [p.shifted(start) for p in chunk.phonemes]))

    @property
    def sentences(self) -> list[Timed]:
        return [sentence for sentence, _, _ in self.entries]

    @property
    def words(self) -> list[Timed]:
        return [word for _, words, _ in self.entries for word in words]

    @property
    def phonemes(self) -> list[Timed]:
        return [phoneme for _, _, phonemes in self.entries for phoneme in phonemes]

    def to_json(self) -> str:
        """:meth:`as_dict` as JSON text, a sentence a line (short for a long text, still readable)."""
        import json

        whole = self.as_dict()
        lines = [json.dumps(sentence, ensure_ascii=False) for sentence in whole["sentences"]]
        return f'{{"duration": {whole["duration"]}, "sentences": [\n' + ",\n".join(lines) + "\n]}\n"

    def as_dict(self) -> dict:
        """For JSON: the audio's length, and each sentence with its words and phonemes."""
        return {"duration": round(self.seconds, 3),
                "sentences": [sentence.as_dict() | {"words": [w.as_dict() for w in words],
                                                    "phonemes": [p.as_dict() for p in phonemes]}
                              for sentence, words, phonemes in self.entries]}
