"""Download LJSpeech 1.1 and write train/val filelists.

    python egs/ljspeech/prepare.py --root data/          # download (2.6 GB, resumable) and prepare
    python egs/ljspeech/prepare.py --root data/ --skip-download   # prepare an extracted copy

Writes ``<root>/LJSpeech-1.1/{train,val}.txt`` (``wav_path|en|normalized text``), which
``recipes/ljspeech.yaml`` reads.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tts_diffusion.data import CorpusError, read_ljspeech, write_split
from tts_diffusion.data.download import DownloadError, download, extract_tar

URL = "https://data.keithito.com/data/speech/LJSpeech-1.1.tar.bz2"
SIZE = 2_748_572_632
SHA256 = "be1a30453f28eb8dd26af4101ae40cbf2c50413b1bb21936cbcdc6fae3de8aa5"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Download and prepare LJSpeech 1.1")
    parser.add_argument("--root", type=Path, default=Path("data"))
    parser.add_argument("--url", default=URL, help="mirror of LJSpeech-1.1.tar.bz2")
    parser.add_argument("--skip-download", action="store_true", help="use <root>/LJSpeech-1.1 as it is")
    parser.add_argument("--n-val", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1234)
    args = parser.parse_args(argv)
    corpus = args.root / "LJSpeech-1.1"
    try:
        if not args.skip_download and not (corpus / "metadata.csv").is_file():
            archive = download(args.url, args.root / "LJSpeech-1.1.tar.bz2", size=SIZE, sha256=SHA256)
            extract_tar(archive, args.root)
        items = read_ljspeech(corpus, lang="en")
        missing = [i.wav_path for i in items if not i.wav_path.is_file()]
        if missing:
            raise CorpusError(f"{len(missing)} wavs listed in metadata.csv are missing, e.g. {missing[0]}")
        train, val = write_split(corpus, items, args.n_val, args.seed)
    except (CorpusError, DownloadError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    print(f"{len(train)} train / {len(val)} val utterances: {corpus / 'train.txt'}, {corpus / 'val.txt'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
