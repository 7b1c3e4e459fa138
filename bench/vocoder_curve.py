"""A vocoder run's learning curve: copy-synthesis DistillMOS and recognizer error of held-out clips
against training steps, one line per speaker, as a figure and a table.

    python bench/vocoder_curve.py runs/vocos_voices_cpu --filelist data/joe/val.txt \\
        data/kokoro_tebukuro/val.txt --items 20 --every 1000 --figure docs/vocoder_curve.png --out docs/vocoder_curve.md

Every checkpoint of the run whose step is a multiple of ``--every`` (and the newest), plus the run's
starting point ``--init`` (step 0; default: the bundled Vocos) is judged on the same clips as
bench/vocoders.py judges them (each speaker and language a group; the vocoder alone, no Griffin-Lim;
DistillMOS; Whisper base CER for Korean, WER for English). The originals give each group's ceiling,
drawn dotted.
"""

from __future__ import annotations

import argparse
import re

import torch

from report import publish
from tts_diffusion.audio import MelConfig
from tts_diffusion.weights import checkpoint_dirs
from tts_diffusion.vocoder import load_vocoder
from vocoders import Judges, clip_groups


def checkpoints(run: str, every: int) -> list[tuple[int, str]]:
    """(step, folder) of the run's checkpoints at multiples of ``every``, and its newest."""
    found = [(int(re.search(r"(\d+)$", str(d)).group(1)), str(d)) for d in checkpoint_dirs(run)]
    return [(step, d) for step, d in found if step % every == 0 or (step, d) == found[-1]]


def plot(curve: dict[str, list[tuple[int, float, float]]], ceilings: dict[str, tuple[float, float]], path: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (mos_ax, err_ax) = plt.subplots(1, 2, figsize=(10, 3.8))
    for k, (group, points) in enumerate(curve.items()):
        color = f"C{k}"
        steps = [p[0] for p in points]
        mos_ax.plot(steps, [p[1] for p in points], "o-", color=color, label=group)
        err_ax.plot(steps, [100 * p[2] for p in points], "o-", color=color, label=group)
        mos_ax.axhline(ceilings[group][0], color=color, linestyle=":", linewidth=1)
        err_ax.axhline(100 * ceilings[group][1], color=color, linestyle=":", linewidth=1)
    mos_ax.set(xlabel="training step", ylabel="DistillMOS", title="naturalness (dotted: the recordings)")
    err_ax.set(xlabel="training step", ylabel="Whisper base CER / WER (%)", title="intelligibility")
    mos_ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("run", help="a vocoder training run (its checkpoints/ folder)")
    parser.add_argument("--filelist", nargs="+", required=True, help="held-out clips (speakers the run may not know)")
    parser.add_argument("--items", type=int, default=20, help="clips per speaker and language")
    parser.add_argument("--every", type=int, default=1000, help="judge checkpoints at multiples of this step")
    parser.add_argument("--init", default="vocos", help="the vocoder the run started from (step 0)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--figure", help="write the curve here (PNG)")
    parser.add_argument("-o", "--output", "--out", dest="out")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    mel_config = MelConfig()
    groups = clip_groups(args.filelist, args.items, mel_config)
    judge = Judges(args.threads)
    ceilings = {}
    for g in groups:
        r = judge(g, g.clips, mel_config.sample_rate)
        ceilings[g.name] = (r["mos"], r["error"])
    curve: dict[str, list[tuple[int, float, float]]] = {g.name: [] for g in groups}
    rows = [f"| {g.name} | original | {m:.2f} | {e:.1%} |" for g, (m, e) in zip(groups, ceilings.values())]
    for step, spec in [(0, args.init), *checkpoints(args.run, args.every)]:
        vocoder = load_vocoder(spec, mel_config)
        for g in groups:
            with torch.no_grad():
                audios = [vocoder(mel[None]).reshape(-1).numpy() for mel in g.mels]
            r = judge(g, audios, mel_config.sample_rate)
            curve[g.name].append((step, r["mos"], r["error"]))
            rows.append(f"| {g.name} | {step} | {r['mos']:.2f} | {r['error']:.1%} |")
            print(rows[-1], flush=True)
    if args.figure:
        plot(curve, ceilings, args.figure)
    publish("Vocoder learning curve", f"`{args.run}` (step 0: `{args.init}`), copy-synthesis of "
            f"{', '.join(f'`{f}`' for f in args.filelist)} ({args.items} clips per speaker and language).\n\n"
            "| speaker | step | DistillMOS | CER / WER (Whisper base) |\n| --- | --- | --- | --- |\n"
            + "\n".join(rows) + "\n" + (f"\n![learning curve]({args.figure.split('/')[-1]})\n" if args.figure else ""),
            args.out)


if __name__ == "__main__":
    main()
