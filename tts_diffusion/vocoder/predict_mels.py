"""Mels the acoustic model predicts for a corpus, to fine-tune a vocoder on:

    python -m tts_diffusion.vocoder.predict_mels --model runs/espeak_cpu --filelist data/espeak/train.txt --out data/espeak/predicted
    python -m tts_diffusion.vocoder.train recipes/hifigan_espeak_cpu.yaml data.predicted_mels=data/espeak/predicted

Teacher-forced: the text is aligned to the recording's own mel by MAS, so the predicted mel has
the recording's timing and lines up with its audio frame by frame. Sampled as users sample: the
default method, steps and temperature, and each voice's own postfilter (``--postfilter`` sets
one for all). Writes ``<out>/<id>.npy``; existing files are kept (resumable).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import torch
from tqdm import tqdm

from ..audio import AudioError, training_audio
from ..data import CorpusError, read_filelist
from ..files import atomic_save_npy
from ..options import SynthesisOptions
from ..postfilter import sharpen, voice_beta
from ..pretrained import PretrainedError, load_acoustic
from ..sampling import prior_draw, sample
from ..spectrogram import MelSpectrogram
from ..speakers import speaker_id


@torch.no_grad()
def predict_mel(model, tokenizer, mel: torch.Tensor, text: str, lang: str, method: str, steps: int,
                temperature: float, generator: torch.Generator, speaker: int | None = None) -> torch.Tensor:
    """The model's mel for ``text`` with the durations of the recorded ``mel`` (teacher-forced
    prior), sampled from N(mu_y, I / temperature^2)."""
    speaker = None if speaker is None else torch.tensor([speaker])
    encoded = tokenizer.encode(text, lang)
    ids, langs = torch.tensor([encoded.ids]), torch.tensor([encoded.langs])
    aligned = model.aligned_prior(ids, langs, torch.tensor([ids.shape[1]]), mel[None], torch.tensor([mel.shape[-1]]),
                                  speaker)
    mu, mask = aligned.mu_y, aligned.y_mask
    x_init = prior_draw(mu, model.sde, temperature, generator)
    return sample(model.score_fn(mu, mask, speaker), x_init, mu, model.sde, method, steps, generator)[0][0]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tts_diffusion.vocoder.predict_mels", description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", required=True)
    parser.add_argument("--filelist", required=True)
    parser.add_argument("-o", "--output", "--out", dest="out", required=True, type=Path)
    defaults = SynthesisOptions()  # sampled as users sample
    parser.add_argument("--method", default=defaults.method)
    parser.add_argument("--steps", type=int, default=defaults.steps)
    parser.add_argument("--temperature", type=float, default=defaults.temperature)
    parser.add_argument("--postfilter", type=float, default=defaults.postfilter,
                        help="the postfilter's beta (default: each voice's own)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    try:
        model, tokenizer, mel_config = load_acoustic(args.model)
        items = read_filelist(args.filelist)
    except (PretrainedError, CorpusError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    to_mel = MelSpectrogram(mel_config)
    generator = torch.Generator().manual_seed(args.seed)
    skipped = 0
    for item in tqdm(items, unit="utt"):
        target = args.out / f"{item.id}.npy"
        if target.is_file():
            continue
        try:
            mel = to_mel(torch.from_numpy(training_audio(item.wav_path, mel_config.sample_rate)))
            speaker = speaker_id(model.config.voices, item.speaker or None, item.text, item.lang)
            predicted = predict_mel(model, tokenizer, mel, item.text, item.lang, args.method, args.steps,
                                    args.temperature, generator, speaker).numpy()
        except (AudioError, ValueError) as err:
            print(f"skipping {item.wav_path}: {err}", file=sys.stderr)
            skipped += 1
            continue
        beta = voice_beta(args.postfilter, model.config.voices, speaker)
        atomic_save_npy(target, sharpen(predicted, beta).astype(np.float32))
    print(f"{len(items) - skipped} mels in {args.out} ({skipped} skipped)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
