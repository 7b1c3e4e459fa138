"""The torch backend of :class:`tts_diffusion.TTS`: the acoustic model and vocoder as torch modules."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterator

# OpenMP's idle threads spin while they wait for work (libgomp's default, ACTIVE): on cores shared with
# anything busy (another request, a build, a browser) spinning and working threads take turns, and
# synthesis collapses (9 s of Korean on 2 cores beside one busy loop: 26.7 s, against 2.5 s PASSIVE;
# bench/under_load.py). libgomp reads the policy when torch loads it: so set it first, unless the user
# chose one (no effect where torch was imported before this module).
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np  # noqa: E402
import torch  # noqa: E402

from .audio import MelConfig
from .options import SynthesisOptions
from .pretrained import load_acoustic
from .speakers import Voice
from .text import Tokenizer


def check_device(device: str) -> None:
    """A device synthesis can run on: ``cpu``, or ``cuda[:N]`` / ``mps`` where torch has one; else
    ValueError (before any weights are read)."""
    try:
        kind = torch.device(device).type
    except (RuntimeError, TypeError):
        raise ValueError(f"unknown device {device!r}: cpu, cuda, cuda:N or mps") from None
    if kind == "cuda" and not torch.cuda.is_available():
        raise ValueError(f"device {device!r}: no CUDA GPU is available to this torch ({torch.__version__})")
    if kind == "mps" and not torch.backends.mps.is_available():
        raise ValueError(f"device {device!r}: Apple's MPS is not available here")
    if kind not in ("cpu", "cuda", "mps"):
        raise ValueError(f"device {device!r} cannot run synthesis: cpu, cuda, cuda:N or mps")


class TorchBackend:
    """Text ids -> mels by the model's own samplers (every method), mels -> audio by any vocoder."""

    def __init__(self, model, tokenizer: Tokenizer, mel_config: MelConfig, vocoder=None, device: str = "cpu"):
        from .vocoder import load_vocoder

        self.model, self.tokenizer, self.mel_config, self.device = model.to(device), tokenizer, mel_config, device
        self.vocoder = load_vocoder(vocoder, mel_config) if vocoder is None or isinstance(vocoder, str) else vocoder
        self.vocoder.to(device)
        if torch.device(device).type == "cpu":
            # oneDNN builds and caches a convolution primitive for every new input shape, and every
            # sentence has its own length: streaming 120 varied sentences grew memory 437 -> 607 MB
            # with it and 395 -> 407 MB without, and synthesis was no slower (docs/streaming.md).
            # A process-wide switch: synthesis on the CPU runs torch's own convolutions.
            torch.backends.mkldnn.enabled = False

    @classmethod
    def load(cls, spec: str | Path, vocoder: str | None = None, device: str = "cpu") -> "TorchBackend":
        check_device(device)
        model, tokenizer, mel_config = load_acoustic(spec, device)
        return cls(model, tokenizer, mel_config, vocoder, device)

    @property
    def voices(self) -> list[Voice]:
        return list(self.model.config.voices)

    def check(self, options: SynthesisOptions) -> None:
        """Every sampler and step count runs here (the options checked their own ranges)."""

    def acoustic(self, ids: np.ndarray, langs: np.ndarray, lengths: np.ndarray, speaker: int | None,
                 options: SynthesisOptions, seeds: list[int]) -> tuple[list[np.ndarray], list[np.ndarray], int]:
        """A padded batch of token ids -> each item's mel (n_mels, frames), each item's token durations
        (frames), and the NFE."""
        ids, langs, lengths = (torch.from_numpy(a).to(self.device) for a in (ids, langs, lengths))
        speakers = None if speaker is None else torch.full((len(ids),), speaker, device=self.device)
        sampled = self.model.synthesize(ids, langs, lengths, options.method, options.steps, options.temperature,
                                        1.0 / options.speed, speaker=speakers, seeds=seeds)
        durations = [d[:n].cpu().numpy() for d, n in zip(sampled.durations, lengths.tolist())]
        return [sampled.mel[i, :, :int(d.sum())].cpu().numpy() for i, d in enumerate(durations)], durations, sampled.nfe

    def vocode_each(self, mels: list[np.ndarray]) -> Iterator[np.ndarray]:
        """One after the other (the vocoders' own kernels use torch's threads)."""
        return map(self.vocode, mels)

    @torch.no_grad()
    def vocode(self, mel: np.ndarray) -> np.ndarray:
        audio = self.vocoder(torch.from_numpy(mel)[None].to(self.device))
        return audio.reshape(-1).cpu().numpy().astype(np.float32)
