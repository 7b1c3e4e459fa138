"""Vocoders on held-out clips: real-time factor here, and copy-synthesis PESQ-wb / STOI, with
``--judges`` DistillMOS and (English clips) Whisper tiny.en WER.

    python bench/vocoders.py --filelist data/joe/val.txt --items 20 --judges \\
        --vocoders griffinlim runs/vocos_cpu --out docs/vocoders.md
    python bench/vocoders.py --model tts_diffusion/voices/default --langs en --judges \\
        --vocoders griffinlim vocos                      # end to end: the voice's mels of held-out text

Each clip's mel is vocoded and compared with the original (both resampled to 16 kHz for PESQ
wide-band and STOI, from the pesq and pystoi packages); the judges (bench/judges.py) hear the
vocoded audio, and the original clips make the first row. With ``--model``, the mels are the
acoustic model's for the held-out sentences of bench/text (default options, seed k for sentence k),
made once and given to every vocoder; there is no reference audio, so no PESQ-wb or STOI.
Random-weight HiFi-GAN V1/V2/V3 rows (``--sizes``) give the speed of each size only; their quality
columns are meaningless.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch

from report import publish
from tts_diffusion.audio import MelConfig, load_wav
from tts_diffusion.options import SynthesisOptions
from tts_diffusion.spectrogram import MelSpectrogram
from tts_diffusion.data import read_filelist
from tts_diffusion.vocoder import VARIANTS, Generator, load_vocoder


def model_mels(model: str, langs: list[str], steps: int) -> tuple[list[torch.Tensor], list[str], list[str]]:
    """The model's mels of the held-out sentences of ``langs``, their texts and languages."""
    from evaluate import sentences
    from tts_diffusion.api import TTS

    tts = TTS.from_pretrained(model)
    mels, texts, item_langs = [], [], []
    for lang in langs:
        for k, text in enumerate(sentences(lang)):
            result = tts.synthesize(text, SynthesisOptions(lang=lang, steps=steps, seed=k))
            mels.append(torch.from_numpy(result.mel))
            texts.append(text)
            item_langs.append(lang)
    return mels, texts, item_langs


def scores(reference: np.ndarray, degraded: np.ndarray, rate: int) -> tuple[float, float]:
    import librosa
    from pesq import pesq
    from pystoi import stoi

    n = min(len(reference), len(degraded))
    ref16 = librosa.resample(reference[:n], orig_sr=rate, target_sr=16000)
    deg16 = librosa.resample(degraded[:n], orig_sr=rate, target_sr=16000)
    return pesq(16000, ref16, deg16, "wb"), stoi(ref16, deg16, 16000, extended=False)


def verdicts(results: dict[str, dict[str, float]], specs: list[str]) -> str:
    """Each trained vocoder against Griffin-Lim (``results``: name -> {"pesq", "stoi"[, "mos", "wer",
    "errors"]}, "mos" a DistillMOS per language, "errors" each English sentence's WER). With the
    judges, the default rule: a higher DistillMOS in every language without a worse WER, read as
    paired: no more sentences heard worse than heard better (a word or two over 80 sentences is the
    audio's own spread: Whisper hears two equally good vocoders differently in ~20% of sentences);
    without the judges, both PESQ-wb and STOI higher."""
    if "griffinlim" not in results:
        return ""
    base, lines = results["griffinlim"], []
    for spec in specs:
        if spec.startswith("griffinlim"):
            continue
        r = results[spec]
        if "mos" in r:
            better = all(r["mos"][lang] > base["mos"][lang] for lang in r["mos"])
            said = ", ".join(f"DistillMOS ({lang}) {r['mos'][lang] - base['mos'][lang]:+.2f}" for lang in r["mos"])
            if "wer" in r:
                heard_better = sum(e < b for e, b in zip(r["errors"], base["errors"]))
                heard_worse = sum(e > b for e, b in zip(r["errors"], base["errors"]))
                said += f", WER {r['wer'] - base['wer']:+.1%} ({heard_better} sentences heard better, {heard_worse} worse)"
                better = better and heard_worse <= heard_better
            wins = better
        else:
            wins = r["pesq"] > base["pesq"] and r["stoi"] > base["stoi"]
            said = f"PESQ-wb {r['pesq'] - base['pesq']:+.2f}, STOI {r['stoi'] - base['stoi']:+.3f}"
        lines.append(f"- {spec}: {said} against Griffin-Lim: {'beats it' if wins else 'does not beat it'}.")
    return "\n" + "\n".join(lines) + "\n" if lines else ""


class Judges:
    """DistillMOS of every clip, averaged per language (each voice is judged on its own), and
    Whisper's WER over the English ones (against their texts)."""

    def __init__(self, texts: list[str], langs: list[str]):
        from judges import DistillMOS, Whisper

        self.texts, self.langs, self.order = texts, langs, list(dict.fromkeys(langs))
        self.mos, self.whisper = DistillMOS(), Whisper() if "en" in self.order else None

    def __call__(self, audios: list[np.ndarray], rate: int) -> dict:
        from judges import word_error_rate

        scores = [self.mos(a, rate) for a in audios]
        out = {"mos": {lang: float(np.mean([s for s, l in zip(scores, self.langs) if l == lang]))
                       for lang in self.order}}
        if self.whisper is not None:
            pairs = [(t, self.whisper(a, rate)) for t, a, lang in zip(self.texts, audios, self.langs) if lang == "en"]
            out["wer"] = word_error_rate([t for t, _ in pairs], [h for _, h in pairs])
            out["errors"] = [word_error_rate([t], [h]) for t, h in pairs]
        return out

    def header(self) -> str:
        return "".join(f" DistillMOS ({lang}) |" for lang in self.order) + " WER (en) |"

    def columns(self, result: dict) -> str:
        return "".join(f"{result['mos'][lang]:.2f} | " for lang in self.order) + (
            f"{result['wer']:.1%} |" if "wer" in result else "– |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--filelist", help="copy-synthesis of the first --items clips of this filelist")
    source.add_argument("--model", help="end to end: this acoustic model's mels of the held-out sentences")
    parser.add_argument("--items", type=int, default=20)
    parser.add_argument("--langs", default="ko,en", help="with --model: the held-out sentences' languages")
    parser.add_argument("--steps", type=int, default=SynthesisOptions().steps, help="with --model: sampler steps")
    parser.add_argument("--vocoders", nargs="+", default=["griffinlim"])
    parser.add_argument("--sizes", action="store_true", help="also time random-weight HiFi-GAN V1, V2, V3")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--judges", action="store_true", help="also DistillMOS, and Whisper WER for English clips")
    parser.add_argument("-o", "--output", "--out", dest="out")
    args = parser.parse_args()
    if args.model and not args.judges:
        parser.error("--model needs --judges: with no reference audio only the judges can score")
    torch.set_num_threads(args.threads)
    mel_config = MelConfig()
    to_mel = MelSpectrogram(mel_config)
    if args.model:
        mels, texts, langs = model_mels(args.model, args.langs.split(","), args.steps)
        clips = []
        source = f"the mels of `{args.model}` ({args.steps} steps) for {len(mels)} held-out sentences"
    else:
        items = read_filelist(args.filelist)[: args.items]
        texts, langs = [item.text for item in items], [item.lang for item in items]
        clips = [load_wav(item.wav_path, mel_config.sample_rate) for item in items]
        mels = [to_mel(torch.from_numpy(c)) for c in clips]
        source = f"{len(clips)} held-out clips of `{args.filelist}`"
    seconds = sum(m.shape[-1] for m in mels) * mel_config.hop_length / mel_config.sample_rate
    candidates = [(spec, load_vocoder(spec, mel_config)) for spec in args.vocoders]
    if args.sizes:
        candidates += [(f"HiFi-GAN {name.upper()} (random weights: speed only)", Generator(cfg).eval())
                       for name, cfg in VARIANTS.items()]
    judge = Judges(texts, langs) if args.judges else None
    rows, results = [], {}
    if judge and clips:
        results["original"] = judge(clips, mel_config.sample_rate)
        rows.append(f"| original clips | | | | {judge.columns(results['original'])}")
    for name, vocoder in candidates:
        wall, pesqs, stois, audios = 0.0, [], [], []
        for k, mel in enumerate(mels):
            start = time.perf_counter()
            with torch.no_grad():
                audio = vocoder(mel[None]).reshape(-1).numpy()
            wall += time.perf_counter() - start
            if clips:
                p, s = scores(clips[k], audio, mel_config.sample_rate)
                pesqs.append(p)
                stois.append(s)
            audios.append(audio)
        results[name] = {"pesq": float(np.mean(pesqs)), "stoi": float(np.mean(stois))} if clips else {}
        if judge:
            results[name].update(judge(audios, mel_config.sample_rate))
        quality = f"{np.mean(pesqs):.2f} | {np.mean(stois):.3f}" if clips else "– | –"
        rows.append(f"| {name} | {wall / seconds:.3f} | {quality} |"
                    + (f" {judge.columns(results[name])}" if judge else ""))
        print(rows[-1], flush=True)
    header = "| vocoder | real-time factor | PESQ-wb | STOI |" + (judge.header() if judge else "")
    table = (f"{source} ({seconds:.0f} s), {args.threads} CPU threads.\n\n"
             + header + "\n|" + " --- |" * header.count(" |") + "\n" + "\n".join(rows) + "\n"
             + verdicts(results, args.vocoders))
    publish("Vocoders", table, args.out)


if __name__ == "__main__":
    main()
