"""Vocoders on held-out clips: real-time factor here, and copy-synthesis PESQ-wb / STOI, with
``--judges`` DistillMOS and (English clips) Whisper tiny.en WER.

    python bench/vocoders.py --filelist data/joe/val.txt --items 20 --judges \\
        --vocoders griffinlim runs/vocos_cpu --out docs/vocoders.md

Each clip's mel is vocoded and compared with the original (both resampled to 16 kHz for PESQ
wide-band and STOI, from the pesq and pystoi packages); the judges (bench/judges.py) hear the
vocoded audio, and the original clips make the first row. Random-weight HiFi-GAN V1/V2/V3 rows
(``--sizes``) give the speed of each size only; their quality columns are meaningless.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch

from report import publish
from tts_diffusion.audio import MelConfig, load_wav
from tts_diffusion.spectrogram import MelSpectrogram
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


def verdicts(results: dict[str, dict[str, float]], specs: list[str]) -> str:
    """Each trained vocoder against Griffin-Lim (``results``: name -> {"pesq", "stoi"[, "mos", "wer"]}).
    With the judges, the default rule: higher DistillMOS without a higher WER; without them, both
    PESQ-wb and STOI higher."""
    if "griffinlim" not in results:
        return ""
    base, lines = results["griffinlim"], []
    for spec in specs:
        if spec.startswith("griffinlim"):
            continue
        r = results[spec]
        if "mos" in r:
            wins = r["mos"] > base["mos"] and r.get("wer", 0) <= base.get("wer", 0)
            said = f"DistillMOS {r['mos'] - base['mos']:+.2f}" + (f", WER {r['wer'] - base['wer']:+.1%}" if "wer" in r else "")
        else:
            wins = r["pesq"] > base["pesq"] and r["stoi"] > base["stoi"]
            said = f"PESQ-wb {r['pesq'] - base['pesq']:+.2f}, STOI {r['stoi'] - base['stoi']:+.3f}"
        lines.append(f"- {spec}: {said} against Griffin-Lim: {'beats it' if wins else 'does not beat it'}.")
    return "\n" + "\n".join(lines) + "\n" if lines else ""


class Judges:
    """DistillMOS of every clip, and Whisper's WER over the English ones (against their texts)."""

    def __init__(self, texts: list[str], langs: list[str]):
        from judges import DistillMOS, Whisper

        self.texts, self.english = texts, [lang == "en" for lang in langs]
        self.mos, self.whisper = DistillMOS(), Whisper() if any(self.english) else None

    def __call__(self, audios: list[np.ndarray], rate: int) -> dict[str, float]:
        from judges import word_error_rate

        out = {"mos": float(np.mean([self.mos(a, rate) for a in audios]))}
        if self.whisper is not None:
            pairs = [(t, self.whisper(a, rate)) for t, a, en in zip(self.texts, audios, self.english) if en]
            out["wer"] = word_error_rate([t for t, _ in pairs], [h for _, h in pairs])
        return out

    @staticmethod
    def columns(result: dict[str, float]) -> str:
        return f"{result['mos']:.2f} | " + (f"{result['wer']:.1%} |" if "wer" in result else "– |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--filelist", required=True)
    parser.add_argument("--items", type=int, default=20)
    parser.add_argument("--vocoders", nargs="+", default=["griffinlim"])
    parser.add_argument("--sizes", action="store_true", help="also time random-weight HiFi-GAN V1, V2, V3")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--judges", action="store_true", help="also DistillMOS, and Whisper WER for English clips")
    parser.add_argument("-o", "--output", "--out", dest="out")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    mel_config = MelConfig()
    to_mel = MelSpectrogram(mel_config)
    items = read_filelist(args.filelist)[: args.items]
    clips = [load_wav(item.wav_path, mel_config.sample_rate) for item in items]
    mels = [to_mel(torch.from_numpy(c)) for c in clips]
    seconds = sum(len(c) for c in clips) / mel_config.sample_rate
    candidates = [(spec, load_vocoder(spec, mel_config)) for spec in args.vocoders]
    if args.sizes:
        candidates += [(f"HiFi-GAN {name.upper()} (random weights: speed only)", Generator(cfg).eval())
                       for name, cfg in VARIANTS.items()]
    judge = Judges([item.text for item in items], [item.lang for item in items]) if args.judges else None
    rows, results = [], {}
    if judge:
        results["original"] = judge(clips, mel_config.sample_rate)
        rows.append(f"| original clips | | | | {judge.columns(results['original'])}")
    for name, vocoder in candidates:
        wall, pesqs, stois, audios = 0.0, [], [], []
        for clip, mel in zip(clips, mels):
            start = time.perf_counter()
            with torch.no_grad():
                audio = vocoder(mel[None]).reshape(-1).numpy()
            wall += time.perf_counter() - start
            p, s = scores(clip, audio, mel_config.sample_rate)
            pesqs.append(p)
            stois.append(s)
            audios.append(audio)
        results[name] = {"pesq": float(np.mean(pesqs)), "stoi": float(np.mean(stois))}
        if judge:
            results[name].update(judge(audios, mel_config.sample_rate))
        rows.append(f"| {name} | {wall / seconds:.3f} | {np.mean(pesqs):.2f} | {np.mean(stois):.3f} |"
                    + (f" {judge.columns(results[name])}" if judge else ""))
        print(rows[-1], flush=True)
    header = "| vocoder | real-time factor | PESQ-wb | STOI |" + (" DistillMOS | WER (en) |" if judge else "")
    table = (f"{len(clips)} held-out clips ({seconds:.0f} s) of `{args.filelist}`, {args.threads} CPU threads.\n\n"
             + header + "\n|" + " --- |" * header.count(" |") + "\n" + "\n".join(rows) + "\n"
             + verdicts(results, args.vocoders))
    publish("Vocoders", table, args.out)


if __name__ == "__main__":
    main()
