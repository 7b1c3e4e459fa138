"""Vocoders on held-out clips: real-time factor here, and copy-synthesis PESQ-wb / STOI.

    python bench/vocoders.py --filelist data/espeak/val.txt --items 20 \\
        --vocoders griffinlim griffinlim:30 runs/hifigan_espeak_cpu --out docs/vocoders.md

Each clip's mel is vocoded and compared with the original (both resampled to 16 kHz for PESQ
wide-band and STOI, from the pesq and pystoi packages). Random-weight HiFi-GAN V1/V2/V3 rows
(``--sizes``) give the speed of each size only; their quality columns are meaningless.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch

from report import publish
from tts_diffusion.audio import MelConfig, MelSpectrogram, load_wav
from tts_diffusion.data import read_filelist
from tts_diffusion.vocoder import VARIANTS, Generator, load_vocoder


def scores(reference: np.ndarray, degraded: np.ndarray, rate: int) -> tuple[float, float]:
    import librosa
    from pesq import pesq
    from pystoi import stoi

    n = min(len(reference), len(degraded))
    ref16 = librosa.resample(reference[:n], orig_sr=rate, target_sr=16000)
    deg16 = librosa.resample(degraded[:n], orig_sr=rate, target_sr=16000)
    return pesq(16000, ref16, deg16, "wb"), stoi(ref16, deg16, 16000, extended=False)


def verdicts(results: dict[str, tuple[float, float]], specs: list[str]) -> str:
    """The default rule, applied: a trained vocoder replaces Griffin-Lim only if it beats it on both
    PESQ-wb and STOI (``results``: name -> (PESQ-wb, STOI))."""
    if "griffinlim" not in results:
        return ""
    base_pesq, base_stoi = results["griffinlim"]
    lines = []
    for spec in specs:
        if spec.startswith("griffinlim"):
            continue
        pesq_, stoi_ = results[spec]
        wins = pesq_ > base_pesq and stoi_ > base_stoi
        lines.append(f"- {spec}: PESQ-wb {pesq_ - base_pesq:+.2f}, STOI {stoi_ - base_stoi:+.3f} against "
                     f"Griffin-Lim: {'beats it on both' if wins else 'does not beat it on both'}.")
    return "\n" + "\n".join(lines) + "\n" if lines else ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--filelist", required=True)
    parser.add_argument("--items", type=int, default=20)
    parser.add_argument("--vocoders", nargs="+", default=["griffinlim"])
    parser.add_argument("--sizes", action="store_true", help="also time random-weight HiFi-GAN V1, V2, V3")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--out")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    mel_config = MelConfig()
    to_mel = MelSpectrogram(mel_config)
    clips = [load_wav(item.wav_path, mel_config.sample_rate) for item in read_filelist(args.filelist)[: args.items]]
    mels = [to_mel(torch.from_numpy(c)) for c in clips]
    seconds = sum(len(c) for c in clips) / mel_config.sample_rate
    candidates = [(spec, load_vocoder(spec, mel_config)) for spec in args.vocoders]
    if args.sizes:
        candidates += [(f"HiFi-GAN {name.upper()} (random weights: speed only)", Generator(cfg).eval())
                       for name, cfg in VARIANTS.items()]
    rows, results = [], {}
    for name, vocoder in candidates:
        wall, pesqs, stois = 0.0, [], []
        for clip, mel in zip(clips, mels):
            start = time.perf_counter()
            with torch.no_grad():
                audio = vocoder(mel[None]).reshape(-1).numpy()
            wall += time.perf_counter() - start
            p, s = scores(clip, audio, mel_config.sample_rate)
            pesqs.append(p)
            stois.append(s)
        rows.append(f"| {name} | {wall / seconds:.3f} | {np.mean(pesqs):.2f} | {np.mean(stois):.3f} |")
        results[name] = (float(np.mean(pesqs)), float(np.mean(stois)))
        print(rows[-1], flush=True)
    table = (f"{len(clips)} held-out clips ({seconds:.0f} s) of `{args.filelist}`, {args.threads} CPU threads.\n\n"
             "| vocoder | real-time factor | PESQ-wb | STOI |\n| --- | --- | --- | --- |\n" + "\n".join(rows) + "\n"
             + verdicts(results, args.vocoders))
    publish("Vocoders", table, args.out)


if __name__ == "__main__":
    main()
