"""Prepare VCTK 0.92 (110 English speakers), downloaded by hand from the Edinburgh DataShare.

    python egs/vctk/prepare.py --root data/VCTK-Corpus-0.92

``--root`` holds ``txt/<speaker>/<speaker>_<n>.txt`` and ``wav48_silence_trimmed/<speaker>/
<speaker>_<n>_mic1.flac``. Writes ``<root>/{train,val}.txt`` with the speaker column
(``wav_path|speaker|en|text``) and ``<root>/voices.yaml``, the ``model.voices`` list for the recipe
(one voice per speaker, in a stable order; see ``recipes/vctk.yaml``). VCTK is CC BY 4.0. The audio is
at 48 kHz: train with ``data.resample=true``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tts_diffusion.data import CorpusError, Utterance, write_split
from tts_diffusion.files import atomic_write_text

LICENSE = "CC BY 4.0 (CSTR VCTK Corpus 0.92, University of Edinburgh)"


def read_vctk(root: Path, mic: str = "mic1") -> list[Utterance]:
    texts = sorted((root / "txt").glob("*/*.txt"))
    if not texts:
        raise CorpusError(f"no transcripts under {root / 'txt'} (expected the VCTK 0.92 layout)")
    items = []
    for path in texts:
        speaker = path.parent.name
        audio = root / "wav48_silence_trimmed" / speaker / f"{path.stem}_{mic}.flac"
        if audio.is_file():  # a few transcripts have no recording
            items.append(Utterance(path.stem, audio, path.read_text(encoding="utf-8").strip(), "en", speaker))
    if not items:
        raise CorpusError(f"no recordings under {root / 'wav48_silence_trimmed'} match the transcripts")
    return items


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Prepare the VCTK corpus (a speaker column in the filelists)")
    parser.add_argument("--root", type=Path, required=True)
    parser.add_argument("--n-val", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1234)
    args = parser.parse_args(argv)
    try:
        items = read_vctk(args.root)
    except CorpusError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    train, val = write_split(args.root, items, args.n_val, args.seed)
    speakers = sorted({i.speaker for i in items})
    atomic_write_text(args.root / "voices.yaml", "".join(
        f"- {{name: {s}, language: en, teacher: 'VCTK speaker {s}', license: '{LICENSE}'}}\n" for s in speakers))
    print(f"{len(train)} train / {len(val)} val utterances of {len(speakers)} speakers in {args.root}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
