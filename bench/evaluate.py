"""Evaluate a voice against espeak-ng: mel-cepstral distortion after DTW, duration ratio, speed.

    python bench/evaluate.py --model runs/espeak_cpu --out docs/evaluation.md

For each held-out sentence (bench/text/heldout_*.txt, never in the training corpus) the reference
is espeak-ng reading the normalized text (what the corpus was made with). MCD uses 13 cepstral
coefficients (c1..c13 of the 80-band log-mel, see ``cepstra``; c0 left out) on both mels, aligned
by DTW: MCD = 10 / ln 10 * sqrt(2 sum_k (c_k - c'_k)^2), averaged over the path. This MCD is not
SPTK's: its numbers are smaller, so the table gives a scale with it: Griffin-Lim copy-synthesis of
each reference (the vocoder's own floor), espeak-ng with its pitch raised, and another espeak-ng
voice variant, each scored against the same reference.
"""

from __future__ import annotations

import argparse
import math
import subprocess
import tempfile
from pathlib import Path

import numpy as np
import torch

from report import publish
from tts_diffusion.api import TTS
from tts_diffusion.audio import MelSpectrogram, load_wav
from tts_diffusion.text import normalize
from tts_diffusion.vocoder import GriffinLim

HERE = Path(__file__).parent
VOICES = {"ko": "ko", "en": "en-us"}


def sentences(lang: str) -> list[str]:
    lines = (HERE / "text" / f"heldout_{lang}.txt").read_text(encoding="utf-8").splitlines()
    return [l.strip() for l in lines if l.strip() and not l.startswith("#")]


ANCHORS = [("with its pitch raised (-p 80)", ["-p", "80"]), ("variant +f2 (another voice)", ["+f2"])]


def espeak(text: str, lang: str, rate: int, options: list[str] = ()) -> np.ndarray:
    voice = VOICES[lang] + "".join(o for o in options if o.startswith("+"))
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", required=True)
    parser.add_argument("--langs", default="ko,en")
    parser.add_argument("--configs", default="ode:10,ode:4,ode:32,sde:50,pc:25,ode-heun:5",
                        help="method:steps pairs; the first is the default setting")
    parser.add_argument("--temperature", type=float, default=1.5)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--out")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    tts = TTS.from_pretrained(args.model)
    to_mel = MelSpectrogram(tts.mel_config)
    mel_of = lambda audio: to_mel(torch.from_numpy(np.asarray(audio, dtype=np.float32))).numpy()  # noqa: E731
    rows = []
    for lang in args.langs.split(","):
        texts = sentences(lang)
        refs = [espeak(normalize(t, lang), lang, tts.sample_rate) for t in texts]
        ref_mels = [mel_of(r) for r in refs]
        gl = GriffinLim(tts.mel_config)
        copy = [mcd_dtw(mel_of(gl(torch.from_numpy(m)).numpy()), m) for m in ref_mels]
        rows.append(f"| {lang} | scale: Griffin-Lim copy-synthesis of the reference | {len(texts)} | {np.mean(copy):.2f} | 1.00 | – | – | – |")
        for label, options in ANCHORS:  # the same text from a changed espeak-ng voice, for scale
            others = [espeak(normalize(t, lang), lang, tts.sample_rate, options) for t in texts]
            scores = [mcd_dtw(mel_of(o), m) for o, m in zip(others, ref_mels)]
            ratio = np.mean([len(o) / len(r) for o, r in zip(others, refs)])
            rows.append(f"| {lang} | scale: espeak-ng {label} | {len(texts)} | {np.mean(scores):.2f} | {ratio:.2f} | – | – | – |")
        for config in args.configs.split(","):
            method, steps = config.split(":")
            mcds, ratios, acoustic, vocoder, total, seconds = [], [], 0.0, 0.0, 0.0, 0.0
            for k, (text, ref_mel) in enumerate(zip(texts, ref_mels)):
                result = tts.synthesize(text, lang, method, int(steps), args.temperature, seed=k)
                mcds.append(mcd_dtw(mel_of(result.audio), ref_mel))
                ratios.append(result.timings["audio"] / (ref_mel.shape[1] * tts.mel_config.hop_length / tts.sample_rate))
                acoustic += result.timings["acoustic"]
                vocoder += result.timings["vocoder"]
                total += result.timings["total"]
                seconds += result.timings["audio"]
            rows.append(f"| {lang} | {method}, {steps} steps (NFE {result.nfe}) | {len(texts)} | {np.mean(mcds):.2f} ± "
                        f"{np.std(mcds):.2f} | {np.mean(ratios):.2f} | {acoustic / seconds:.3f} | {vocoder / seconds:.3f} | "
                        f"{total / seconds:.3f} |")
            print(rows[-1], flush=True)
    table = ("| lang | setting | sentences | MCD-DTW (dB) | duration ratio | RTF acoustic | RTF vocoder | RTF total |\n"
             "| --- | --- | --- | --- | --- | --- | --- | --- |\n" + "\n".join(rows) + "\n")
    publish("Evaluation", f"Temperature {args.temperature}, {args.threads} threads.\n\n" + table, args.out)


if __name__ == "__main__":
    main()
