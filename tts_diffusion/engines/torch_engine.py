"""The torch engine of :class:`tts_diffusion.TTS`: the acoustic model and vocoder as torch modules."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterator

# OpenMP's idle threads spin while they wait for work (libgomp's default: ~300,000 spins, then sleep).
# Beside another busy synthesis, spinning and working threads take turns and synthesis collapses (40x
# on 2 cores); sleeping at once (PASSIVE) never collapses but doubles the time alone; 1,000 spins keep
# both (figures: docs/under_load.md, by bench/under_load.py). libgomp reads these when
# torch loads it: so set them first, unless the user chose a policy (no effect where torch was
# imported before this module).
if "OMP_WAIT_POLICY" not in os.environ:
    os.environ.setdefault("GOMP_SPINCOUNT", "1000")

import numpy as np  # noqa: E402
import torch  # noqa: E402

from ..audio import MelConfig
from ..options import SynthesisOptions
from ..pretrained import load_acoustic
from ..sampling import sample
from ..speakers import Voice
from ..text import Tokenizer


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


class TorchEngine:
    """Text ids -> mels by the model's own samplers (every method), mels -> audio by any vocoder."""

    def __init__(self, model, tokenizer: Tokenizer, mel_config: MelConfig, vocoder=None, device: str = "cpu"):
        from ..vocoder import load_vocoder

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
    def load(cls, spec: str | Path, vocoder: str | None = None, device: str = "cpu") -> "TorchEngine":
        check_device(device)
        model, tokenizer, mel_config = load_acoustic(spec, device)
        return cls(model, tokenizer, mel_config, vocoder, device)

    @property
    def voices(self) -> list[Voice]:
        return list(self.model.config.voices)

    def check(self, options: SynthesisOptions) -> None:
        """Every sampler and step count runs here (the options checked their own ranges)."""

    @property
    def prior_std(self) -> float:
        return float(self.model.sde.prior_std())

    @property
    def frame_multiple(self) -> int:
        return self.model.decoder.frame_multiple

    @torch.no_grad()
    def encode(self, ids: np.ndarray, langs: np.ndarray, lengths: np.ndarray,
               speaker: int | None) -> tuple[np.ndarray, np.ndarray]:
        """A padded batch of token ids -> mu_x (batch, n_mels, tokens), log_w (batch, 1, tokens)."""
        ids, langs, lengths = (torch.from_numpy(a).to(self.device) for a in (ids, langs, lengths))
        mu_x, log_w, _ = self.model.encode(ids, langs, lengths, self._speakers(speaker, len(ids)))
        return mu_x.float().cpu().numpy(), log_w.float().cpu().numpy()

    @torch.no_grad()
    def decode(self, priors: list, speaker: int | None, method: str, steps: int,
               seeds: list[int]) -> tuple[list[np.ndarray], int]:
        """The :class:`~tts_diffusion.pipeline.Prior` s of a batch, padded to the widest, sampled
        together (the U-Net's output does not depend on padding; tested); a stochastic sampler draws
        each sentence's noise from its own generator, so batching changes nothing."""
        width = max(p.mu.shape[1] for p in priors)

        def stack(name: str) -> torch.Tensor:
            rows = [np.pad(getattr(p, name), [(0, 0)] * (getattr(p, name).ndim - 1) + [(0, width - p.mu.shape[1])])
                    for p in priors]
            return torch.from_numpy(np.stack(rows)).to(self.device)

        mu, x_init, mask = stack("mu"), stack("x_init"), stack("mask")[:, None]
        generators = [torch.Generator().manual_seed(seed) for seed in seeds]
        score = self.model.score_fn(mu, mask, self._speakers(speaker, len(priors)))
        mel, nfe = sample(score, x_init, mu, self.model.sde, method, steps, generators, mask)
        return [mel[i, :, :p.frames].cpu().numpy() for i, p in enumerate(priors)], nfe

    def _speakers(self, speaker: int | None, batch: int):
        return None if speaker is None else torch.full((batch,), speaker, device=self.device)

    def vocode_each(self, mels: list[np.ndarray]) -> Iterator[np.ndarray]:
        """One after the other (the vocoders' own kernels use torch's threads)."""
        return map(self.vocode, mels)

    @torch.no_grad()
    def vocode(self, mel: np.ndarray) -> np.ndarray:
        audio = self.vocoder(torch.from_numpy(mel)[None].to(self.device))
        return audio.reshape(-1).cpu().numpy().astype(np.float32)
