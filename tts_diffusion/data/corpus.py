"""Corpora as lists of utterances: the LJSpeech layout, filelists, and a deterministic split.

A filelist has one utterance a line, ``wav_path|lang|text``, or ``wav_path|speaker|lang|text`` for a
corpus of several voices (the VCTK / LibriTTS kind); relative paths are read against the
filelist's folder, so a prepared corpus can be moved as a whole.
"""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass
from pathlib import Path

from ..files import atomic_write_text


class CorpusError(ValueError):
    """A corpus folder or filelist that cannot be read."""


@dataclass(frozen=True)
class Utterance:
    id: str
    wav_path: Path
    text: str
    lang: str
    speaker: str = ""  # the voice's name; "" in a single-speaker corpus


def read_ljspeech(root: str | Path, lang: str = "en", use_normalized: bool = True) -> list[Utterance]:
    """Read ``metadata.csv`` (``id|text|normalized text``) and ``wavs/<id>.wav`` under ``root``."""
    root = Path(root)
    metadata = root / "metadata.csv"
    if not metadata.is_file():
        raise CorpusError(f"no metadata.csv in {root} (expected the LJSpeech layout)")
    items = []
    with metadata.open(encoding="utf-8", newline="") as f:
        for line_no, row in enumerate(csv.reader(f, delimiter="|", quoting=csv.QUOTE_NONE), 1):
            if not row:
                continue
            if len(row) < 2:
                raise CorpusError(f"{metadata}:{line_no}: expected 'id|text|normalized'")
            text = row[2] if use_normalized and len(row) > 2 and row[2].strip() else row[1]
            items.append(Utterance(row[0], root / "wavs" / f"{row[0]}.wav", text.strip(), lang))
    return items


def read_kss(root: str | Path, transcript: str = "transcript.v.1.4.txt") -> list[Utterance]:
    """Read the Korean Single Speaker corpus: ``transcript`` lines are
    ``path|original|expanded|decomposed|seconds|English``; the expanded script (numbers written
    out as spoken) is the text. Wavs lie under ``root/kss/`` (the archive's layout) or ``root/``."""
    root = Path(root)
    candidates = [root / transcript] + sorted(root.glob("transcript*.txt"))
    path = next((p for p in candidates if p.is_file()), None)
    if path is None:
        raise CorpusError(f"no KSS transcript ({transcript}) in {root}")
    wav_root = root / "kss" if (root / "kss").is_dir() else root
    items = []
    for line_no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        fields = line.split("|")
        if len(fields) < 3:
            raise CorpusError(f"{path}:{line_no}: expected 'path|original|expanded|...'")
        wav = wav_root / fields[0]
        items.append(Utterance(Path(fields[0]).stem, wav, fields[2].strip(), "ko"))
    return items


def write_filelist(path: str | Path, items: list[Utterance]) -> None:
    """Write ``wav_path|lang|text`` lines (``wav_path|speaker|lang|text`` where items name their
    speaker), paths relative to the filelist's folder where possible."""
    path = Path(path)
    base = path.parent.resolve()
    lines = []
    for item in items:
        wav = item.wav_path.resolve()
        rel = wav.relative_to(base) if wav.is_relative_to(base) else wav
        if "|" in item.text or "\n" in item.text:
            raise CorpusError(f"utterance {item.id}: text may not contain '|' or a newline")
        if "|" in item.speaker:
            raise CorpusError(f"utterance {item.id}: speaker name may not contain '|'")
        speaker = f"{item.speaker}|" if item.speaker else ""
        lines.append(f"{rel.as_posix()}|{speaker}{item.lang}|{item.text}\n")
    atomic_write_text(path, "".join(lines))


def read_filelist(path: str | Path) -> list[Utterance]:
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as err:
        raise CorpusError(f"cannot read filelist {path}: {err.strerror}") from None
    items = []
    for line_no, line in enumerate(lines, 1):
        if not line.strip():
            continue
        parts = line.split("|", 3)
        if len(parts) == 3:
            parts.insert(1, "")
        if len(parts) != 4:
            raise CorpusError(f"{path}:{line_no}: expected 'wav_path|lang|text' or 'wav_path|speaker|lang|text'")
        wav, speaker, lang, text = parts
        wav_path = Path(wav) if Path(wav).is_absolute() else path.parent / wav
        items.append(Utterance(Path(wav).stem, wav_path, text, lang, speaker))
    return items


def read_filelists(paths: str | list[str]) -> list[Utterance]:
    """One filelist, or several read as one (corpora of different voices); empty for no path. A
    missing filelist or none with an utterance is a CorpusError that names it."""
    paths = [paths] if isinstance(paths, str) else list(paths)
    items = []
    for path in (p for p in paths if p):
        if not Path(path).is_file():
            raise CorpusError(f"filelist {path} does not exist (prepare the corpus first, see egs/)")
        items += read_filelist(path)
    if any(paths) and not items:
        raise CorpusError(f"filelist {', '.join(p for p in paths if p)} lists no utterance")
    return items


def split_train_val(items: list[Utterance], n_val: int, seed: int = 0) -> tuple[list[Utterance], list[Utterance]]:
    """Hold out ``n_val`` utterances chosen by a hash of (seed, id): the same on every machine,
    and stable when utterances are added to the corpus."""
    def key(item: Utterance) -> str:
        return hashlib.sha1(f"{seed}:{item.id}".encode()).hexdigest()

    held_out = {item.id for item in sorted(items, key=key)[:n_val]}
    return [i for i in items if i.id not in held_out], [i for i in items if i.id in held_out]


def write_split(folder: str | Path, items: list[Utterance], n_val: int, seed: int) -> tuple[list[Utterance], list[Utterance]]:
    """Split (see :func:`split_train_val`) and write ``folder/train.txt`` and ``folder/val.txt``."""
    train, val = split_train_val(items, n_val, seed=seed)
    write_filelist(Path(folder) / "train.txt", train)
    write_filelist(Path(folder) / "val.txt", val)
    return train, val
