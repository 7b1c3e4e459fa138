"""Build a single-speaker corpus in the LJSpeech layout by synthesizing text with espeak-ng.

    python egs/espeak/build_corpus.py --out data/espeak-ko --lang ko --hours 3

Each sentence is normalized by our front end first and espeak-ng reads the spoken form, so the
transcript and the audio agree on every number. Parallel over cores, deterministic (same sentences,
same order, same audio), resumable (a wav that exists is not made again; each is written to a
temporary file and renamed). Writes ``metadata.csv`` (``id|written|spoken``), ``wavs/``,
``train.txt`` / ``val.txt`` filelists and a README with the sources.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import shutil
import subprocess
import sys
import warnings
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import sentences  # noqa: E402  (the text sources beside this script)

import soundfile as sf  # noqa: E402
from tqdm import tqdm  # noqa: E402

from tts_diffusion.data import Utterance, split_train_val, write_filelist  # noqa: E402
from tts_diffusion.files import atomic_path, atomic_write_text  # noqa: E402
from tts_diffusion.text import normalize  # noqa: E402

VOICES = {"ko": "ko", "en": "en-us"}
SOURCES = """\
# espeak-ng corpus

Synthesized with `espeak-ng` {version} (voices: {voices}) at 22050 Hz, by `egs/espeak/build_corpus.py`
with the arguments `{args}`. {count} utterances, {hours:.2f} hours.

Sources of the text:
- `egs/espeak/text/ko_written.txt`, `egs/espeak/text/en_written.txt`: sentences written for this
  project (CC0).
- News-style sentences made from the templates in `egs/espeak/sentences.py` with random numbers,
  dates, times, money, units and counters (seeded, CC0).
- The Constitution of the Republic of Korea (`konlpy/data/corpus/kolaw/constitution.txt`) and ten
  National Assembly bills (`konlpy/data/corpus/kobill/*.txt`), read from the konlpy 0.6.0 wheel on
  PyPI. These are official government texts, which Korean copyright law (Article 7) leaves
  unprotected; konlpy itself is GPL-3.0, of which no code is used.
"""


def gather(lang: str, cache: Path, n_templated: int, seed: int, n_templated_en: int = 0) -> list[tuple[str, str, str]]:
    """(id, written, spoken) for every sentence of the language(s), shuffled with ``seed``."""
    texts = []
    if lang in ("ko", "both"):
        texts += [("ko", s) for s in sentences.korean_sentences(cache, n_templated, seed)]
    if lang in ("en", "both"):
        texts += [("en", s) for s in sentences.english_sentences(n_templated_en, seed)]
    random.Random(seed).shuffle(texts)
    out, seen = [], set()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for language, written in texts:
            try:
                spoken = normalize(written, language)
            except ValueError:
                continue
            if spoken in seen:
                continue
            seen.add(spoken)
            out.append((utterance_id(language, spoken), written, spoken))
    return out


def utterance_id(language: str, spoken: str) -> str:
    """Named by what espeak-ng reads, so a folder resumed with other arguments never reuses a wav
    made for another sentence."""
    return f"{language}_{hashlib.sha1(spoken.encode('utf-8')).hexdigest()[:12]}"


def synthesize(espeak: str, voice: str, text: str, path: Path) -> float:
    """Write espeak-ng's reading of ``text`` to ``path`` (unless it exists); return its seconds."""
    if not path.is_file():
        with atomic_path(path) as tmp:
            subprocess.run([espeak, "-v", voice, "-w", str(tmp), "--stdin"], input=text.encode("utf-8"),
                           check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return sf.info(str(path)).duration


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True, help="corpus folder to create or resume")
    parser.add_argument("--lang", choices=["ko", "en", "both"], default="ko")
    parser.add_argument("--hours", type=float, default=None, help="stop once this much audio is made")
    parser.add_argument("--max-utts", type=int, default=None, help="stop after this many utterances")
    parser.add_argument("--n-templated", type=int, default=2500, help="templated Korean news sentences")
    parser.add_argument("--n-templated-en", type=int, default=1500, help="templated English news sentences")
    parser.add_argument("--n-val", type=int, default=50, help="utterances held out for validation")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--seed", type=int, default=1234)
    parser.add_argument("--cache", type=Path, default=Path("data/cache"), help="where the konlpy wheel is kept")
    args = parser.parse_args(argv)

    espeak = shutil.which("espeak-ng")
    if espeak is None:
        print("error: the espeak-ng program is not installed (apt-get install espeak-ng)", file=sys.stderr)
        return 2
    items = gather(args.lang, args.cache, args.n_templated, args.seed, args.n_templated_en)
    if args.max_utts is not None:
        items = items[: args.max_utts]
    wavs = args.out / "wavs"
    if args.out.is_symlink() and not args.out.exists():
        print(f"error: {args.out} links to {os.readlink(args.out)}, which does not exist", file=sys.stderr)
        return 2
    try:
        wavs.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        print(f"error: cannot create {wavs}: {err.strerror}", file=sys.stderr)
        return 2

    kept, seconds = [], 0.0
    chunk = 16 * max(1, args.jobs)
    progress = tqdm(total=len(items), unit="utt", desc="espeak-ng")
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        for start in range(0, len(items), chunk):
            batch = items[start:start + chunk]
            durations = pool.map(lambda it: synthesize(espeak, VOICES[it[0][:2]], it[2], wavs / f"{it[0]}.wav"), batch)
            for item, duration in zip(batch, durations):
                if args.hours is None or seconds < args.hours * 3600:
                    kept.append(item)
                    seconds += duration
            progress.update(len(batch))
            if args.hours is not None and seconds >= args.hours * 3600:
                break
    progress.close()

    atomic_write_text(args.out / "metadata.csv", "".join(f"{i}|{w}|{s}\n" for i, w, s in kept))
    utterances = [Utterance(i, wavs / f"{i}.wav", s, i[:2]) for i, _, s in kept]
    train, val = split_train_val(utterances, args.n_val, seed=args.seed)
    write_filelist(args.out / "train.txt", train)
    write_filelist(args.out / "val.txt", val)
    version = subprocess.run([espeak, "--version"], capture_output=True, text=True).stdout.split()[3]
    voices = ", ".join(sorted({VOICES[i[:2]] for i, _, _ in kept}))
    atomic_write_text(args.out / "README.md", SOURCES.format(
        version=version, voices=voices, args=" ".join(argv if argv is not None else sys.argv[1:]),
        count=len(kept), hours=seconds / 3600))
    print(f"{len(kept)} utterances, {seconds / 3600:.2f} h in {args.out} (train {len(train)}, val {len(val)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
