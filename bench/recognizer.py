"""Word error rate of an offline English recognizer on the voice and on the espeak-ng reference.

    pip install ".[bench]"
    python bench/recognizer.py --model runs/espeak_cpu --out docs/recognizer.md

The recognizer is pocketsphinx with the US-English model inside its wheel (the only offline one
on PyPI that needs no download). WER = (S + D + I) / N against the normalized text (what both
speakers were asked to say). It only measures the voice if it reads the reference well: the
reference row says whether it does.
"""

from __future__ import annotations

import argparse
import re

import numpy as np
import torch

from evaluate import espeak, sentences
from report import publish
from tts_diffusion.api import TTS
from tts_diffusion.audio import MelSpectrogram
from tts_diffusion.text import normalize
from tts_diffusion.vocoder import GriffinLim

RECOGNIZER_RATE = 16000


class Recognizer:
    """pocketsphinx's default US-English acoustic model, dictionary and language model."""

    def __init__(self):
        from pocketsphinx import Decoder

        self.decoder = Decoder(samprate=RECOGNIZER_RATE, loglevel="ERROR")

    def __call__(self, audio: np.ndarray, sample_rate: int) -> str:
        import librosa

        audio = librosa.resample(np.asarray(audio, dtype=np.float32), orig_sr=sample_rate, target_sr=RECOGNIZER_RATE)
        pcm = (np.clip(audio, -1.0, 1.0) * 32767).astype(np.int16).tobytes()
        self.decoder.start_utt()
        self.decoder.process_raw(pcm, full_utt=True)
        self.decoder.end_utt()
        hypothesis = self.decoder.hyp()
        return hypothesis.hypstr if hypothesis else ""


def words(text: str) -> str:
    """Lower case, letters and apostrophes only: how pocketsphinx spells its output."""
    return " ".join(re.sub(r"[^a-z' ]", " ", text.lower()).split())


def main() -> None:
    import jiwer

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", required=True)
    parser.add_argument("--temperature", type=float, default=1.5)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--out")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    tts, recognize = TTS.from_pretrained(args.model), Recognizer()
    to_mel, griffin_lim = MelSpectrogram(tts.mel_config), GriffinLim(tts.mel_config)
    truths, heard = [], {}
    for k, text in enumerate(sentences("en")):
        spoken = normalize(text, "en")
        truths.append(words(spoken))
        reference = espeak(spoken, "en", tts.sample_rate)
        audios = {"espeak-ng reference": reference,
                  "Griffin-Lim copy of the reference": griffin_lim(to_mel(torch.from_numpy(reference))).numpy(),
                  "voice (ode, 10 steps)": tts.synthesize(text, "en", "ode", 10, args.temperature, seed=k).audio}
        for name, audio in audios.items():
            heard.setdefault(name, []).append(words(recognize(audio, tts.sample_rate)))
    n_words = sum(len(t.split()) for t in truths)
    rows = [f"| {name} | {len(truths)} | {n_words} | {100 * jiwer.wer(truths, hyps):.1f} |" for name, hyps in heard.items()]
    examples = [f"- said: {truths[0]}", *(f"- heard, {name}: {hyps[0]}" for name, hyps in heard.items())]
    report = ("| audio | sentences | words | WER (%) |\n| --- | --- | --- | --- |\n" + "\n".join(rows)
              + "\n\nFirst sentence:\n\n" + "\n".join(examples) + "\n")
    publish("Offline recognizer (English)", report, args.out)


if __name__ == "__main__":
    main()
