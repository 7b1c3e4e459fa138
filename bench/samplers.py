"""Samplers on a trained checkpoint: wall time, NFE, and error against a precise ODE solution.

    python bench/samplers.py --model runs/espeak_cpu --filelist data/espeak/val.txt --items 3 --out docs/samplers.md

For held-out utterances, mu is aligned to the recording by MAS (teacher-forced durations), so every
sampler works on the same frames as the reference mel. From the same prior draw, each method and
step count is compared with ode-rk45 at rtol = atol = 1e-5 ("ODE error": RMS over mel values;
for the stochastic sde and pc it shows how far their paths wander, not an error) and with the
reference mel ("to reference": RMS in log-mel).
"""

from __future__ import annotations

import argparse
import time

import torch

from report import publish
from tts_diffusion.audio import load_wav
from tts_diffusion.spectrogram import MelSpectrogram
from tts_diffusion.data import read_filelist
from tts_diffusion.pretrained import load_acoustic
from tts_diffusion.sampling import METHODS, sample

STEPS = (2, 4, 8, 16, 32, 100)


def rms(a: torch.Tensor, b: torch.Tensor) -> float:
    return float(((a - b) ** 2).mean().sqrt())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", required=True)
    parser.add_argument("--filelist", required=True)
    parser.add_argument("--items", type=int, default=3)
    parser.add_argument("--temperature", type=float, default=1.5)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("-o", "--output", "--out", dest="out", help="also write the table (markdown) here")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    model, tokenizer, mel_config = load_acoustic(args.model)
    to_mel = MelSpectrogram(mel_config)
    cases = []
    for item in read_filelist(args.filelist)[: args.items]:
        encoded = tokenizer.encode(item.text, item.lang)
        mel = to_mel(torch.from_numpy(load_wav(item.wav_path, mel_config.sample_rate)))[None]
        ids, langs = torch.tensor([encoded.ids]), torch.tensor([encoded.langs])
        with torch.no_grad():
            aligned = model.aligned_prior(ids, langs, torch.tensor([ids.shape[1]]), mel, torch.tensor([mel.shape[-1]]))
        mu, mask = aligned.mu_y, aligned.y_mask
        start = model.sde.prior_sample(mu, args.temperature, torch.Generator().manual_seed(0))
        score = model.score_fn(mu, mask)
        exact, _ = sample(score, start, mu, model.sde, "ode-rk45", rtol=1e-5, atol=1e-5)
        cases.append((mel, mu, mask, start, score, exact))
    seconds = sum(c[0].shape[-1] for c in cases) * mel_config.hop_length / mel_config.sample_rate / len(cases)

    rows = []
    for method in METHODS:
        for steps in (STEPS if method != "ode-rk45" else (1,)):
            wall, nfe, err, ref = 0.0, 0, 0.0, 0.0
            for mel, mu, mask, start, score, exact in cases:
                t0 = time.perf_counter()
                out, used = sample(score, start, mu, model.sde, method, steps, torch.Generator().manual_seed(1), mask)
                wall += time.perf_counter() - t0
                nfe += used
                err += rms(out, exact)
                ref += rms(out, mel)
            n = len(cases)
            label = "adaptive" if method == "ode-rk45" else str(steps)
            rows.append(f"| {method} | {label} | {nfe / n:.0f} | {wall / n:.2f} | {wall / n / seconds:.3f} | "
                        f"{err / n:.4f} | {ref / n:.3f} |")
            print(rows[-1], flush=True)
    header = (f"{len(cases)} held-out utterances of {seconds:.1f} s on average, {args.threads} CPU threads, "
              f"temperature {args.temperature}, model `{args.model}`.\n\n"
              "| method | steps | NFE | s / utterance | acoustic RTF | ODE error (RMS) | to reference (RMS log-mel) |\n"
              "| --- | --- | --- | --- | --- | --- | --- |\n")
    table = header + "\n".join(rows) + "\n"
    publish("Samplers", table, args.out)


if __name__ == "__main__":
    main()
