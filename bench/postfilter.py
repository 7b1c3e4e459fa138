"""How flat the model's mel is across frequency, against its teacher's recordings, and what the
postfilter does to it (the case for tts_diffusion/postfilter.py):

    python bench/postfilter.py --out docs/postfilter.md --figure docs/postfilter.png

For validation clips of each voice's corpus (not trained on), the model's teacher-forced mel (the
recording's durations, default sampler and temperature; as ``predict_mels`` makes it) is set
against the recording's: the RMS step between neighbouring mel bands (contrast across frequency)
and between neighbouring frames (along time), over the louder 70% of frames, in three regions of
the 80 bands; then the same for the mel after the voice's postfilter (or β 0.5 for a voice that
has none). The figure shows the first clip of the first filelist.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import torch

from report import publish
from tts_diffusion.audio import load_wav
from tts_diffusion.data import read_filelist
from tts_diffusion.options import SynthesisOptions
from tts_diffusion.postfilter import sharpen, voice_beta
from tts_diffusion.pretrained import load_acoustic
from tts_diffusion.spectrogram import MelSpectrogram
from tts_diffusion.speakers import speaker_id
from tts_diffusion.vocoder.predict_mels import predict_mel

REGIONS = {"bands 0-19": slice(0, 20), "20-49": slice(20, 50), "50-79": slice(50, 80)}


def steps(mel: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """RMS of the step between neighbouring bands, and between neighbouring frames, per region."""
    loud = mel.mean(0) >= np.percentile(mel.mean(0), 30)
    across = np.diff(mel, axis=0)[:, loud] ** 2
    along = np.diff(mel, axis=1)[:, loud[1:]] ** 2
    return (np.array([np.sqrt(across[r.start:r.stop - 1].mean()) for r in REGIONS.values()]),
            np.array([np.sqrt(along[r].mean()) for r in REGIONS.values()]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default="tts_diffusion/voices/default")
    parser.add_argument("--filelists", nargs="+", default=["data/joe/val.txt", "data/espeak_ko/val.txt"])
    parser.add_argument("--items", type=int, default=15)
    parser.add_argument("--figure")
    parser.add_argument("-o", "--output", "--out", dest="out")
    args = parser.parse_args()
    torch.set_num_threads(2)
    model, tokenizer, mel_config = load_acoustic(args.model)
    to_mel, options = MelSpectrogram(mel_config), SynthesisOptions()
    rows, pictures = [], {}
    for filelist in args.filelists:
        items = read_filelist(filelist)[: args.items]
        stats = {"teacher": [], "ours": [], "ours, postfiltered": []}
        for k, item in enumerate(items):
            teacher = to_mel(torch.from_numpy(load_wav(item.wav_path, mel_config.sample_rate)))
            speaker = speaker_id(model.config.voices, item.speaker or None, item.text, item.lang)
            ours = predict_mel(model, tokenizer, teacher, item.text, item.lang, options.method, options.steps,
                               options.temperature, torch.Generator().manual_seed(k), speaker).numpy()
            beta = voice_beta(None, model.config.voices, speaker)
            mels = {"teacher": teacher.numpy(), "ours": ours, "ours, postfiltered": sharpen(ours, beta or 0.5)}
            for name, mel in mels.items():
                stats[name].append(steps(mel))
            if not pictures:
                pictures = {f"{name} ({Path(filelist).parent.name})": mel for name, mel in mels.items()}
        for name, values in stats.items():
            across, along = (np.mean([v[i] for v in values], 0) for i in (0, 1))
            rows.append(f"| {Path(filelist).parent.name} | {name} | " + " | ".join(f"{a:.2f}" for a in across)
                        + " | " + " | ".join(f"{a:.2f}" for a in along) + " |")
    head = " | ".join(REGIONS)
    table = (f"| corpus | mel | across bands: {head} | along time: {head} |\n"
             "| --- | --- | --- | --- | --- | --- | --- | --- |\n" + "\n".join(rows) + "\n")
    publish("Postfilter: contrast across frequency",
            f"{args.items} validation clips of each corpus, model `{args.model}`, teacher-forced mels "
            f"({options.method}, {options.steps} steps, temperature {options.temperature}); RMS step between "
            "neighbouring bands and frames, louder 70% of frames.\n\n" + table, args.out)
    if args.figure:
        import matplotlib.pyplot as plt

        from tts_diffusion.files import atomic_path
        from tts_diffusion.plots import mel_figure

        fig = mel_figure(pictures, "the recording, our mel, our mel after the postfilter")
        with atomic_path(args.figure) as tmp:
            fig.savefig(tmp, format="png", dpi=80)
        plt.close(fig)


if __name__ == "__main__":
    main()
