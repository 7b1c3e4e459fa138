"""Prepare the Korean Single Speaker (KSS) corpus, downloaded by hand from its Kaggle page.

    python egs/kss/prepare.py --root data/kss

``--root`` holds ``transcript.v.1.4.txt`` and the wav folders (``1/`` .. ``4/``, or ``kss/1`` ..).
Writes ``<root>/{train,val}.txt`` (``wav_path|ko|expanded script``), read by ``recipes/kss.yaml``.
KSS is CC BY-NC-SA 4.0: models trained on it inherit the non-commercial terms.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tts_diffusion.data import CorpusError, read_kss, write_split


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Prepare the KSS corpus")
    parser.add_argument("--root", type=Path, required=True)
    parser.add_argument("--n-val", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1234)
    args = parser.parse_args(argv)
    try:
        items = read_kss(args.root)
        missing = [i.wav_path for i in items if not i.wav_path.is_file()]
        if missing:
            raise CorpusError(f"{len(missing)} wavs listed in the transcript are missing, e.g. {missing[0]}")
    except CorpusError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    train, val = write_split(args.root, items, args.n_val, args.seed)
    print(f"{len(train)} train / {len(val)} val utterances in {args.root}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
