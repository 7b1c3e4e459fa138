"""What both engines share between their networks, in numpy: durations, the frame-aligned prior,
its padding and its seeded noise, for a batch of sentences.

An engine (:class:`~tts_diffusion.engines.torch_engine.TorchEngine`, :class:`~tts_diffusion.engines.onnx_engine.OnnxEngine`)
has the networks and nothing else:

- ``encode(ids, langs, lengths, speaker) -> (mu_x, log_w)``: (batch, n_mels, tokens), (batch, 1, tokens);
- ``decode(priors, speaker, method, steps, seeds) -> (mels, nfe)``: each :class:`Prior` sampled to a
  mel of its own frames (``seeds`` for a stochastic sampler's own noise);
- ``vocode_each(mels)``, with ``tokenizer``, ``mel_config``, ``voices``, ``prior_std`` (sigma_1),
  ``frame_multiple`` (the decoder's) and ``check(options)``.

So the same text, options and seed give the same durations and the same x_1 on every engine, and
with a deterministic sampler the same mel (to float error; tested).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .options import SynthesisOptions


@dataclass(frozen=True)
class Prior:
    """One sentence's start of the reverse process, padded to the decoder's frame multiple."""

    durations: np.ndarray  # frames of each token (int64)
    mu: np.ndarray  # (n_mels, width): mu_y = mu_x A, zero past the frames
    mask: np.ndarray  # (width,) float32: 1 on the frames
    x_init: np.ndarray  # (n_mels, width): x_1 = mu_y + (sigma_1 / T) z on the frames

    @property
    def frames(self) -> int:
        return int(self.durations.sum())


def prior_noise(seed: int, n_mels: int, frames: int) -> np.ndarray:
    """z ~ N(0, I), (n_mels, frames) float32, from numpy's PCG64 seeded by the sentence's ``seed``."""
    return np.random.default_rng(seed).standard_normal((n_mels, frames), dtype=np.float32)


def token_durations(log_w: np.ndarray, speed: float) -> np.ndarray:
    """d_i = max(1, round(exp(log w_i) / speed)) frames for each token (Grad-TTS takes the ceiling;
    rounding keeps the espeak voice's timing: 0.99 of the reference's duration against 1.22)."""
    return np.maximum(np.round(np.exp(log_w) / speed), 1).astype(np.int64)


def frame_prior(mu_x: np.ndarray, log_w: np.ndarray, speed: float, temperature: float, seed: int,
                prior_std: float, multiple: int) -> Prior:
    """One sentence's encoder output mu_x (n_mels, tokens) and log durations (tokens,) -> its
    :class:`Prior`: mu_x spread over d_i frames each (mu_y = mu_x A, A the monotonic path of the
    durations), padded to a multiple of ``multiple`` frames, and x_1 drawn from N(mu_y, (sigma_1 / T)^2 I)."""
    durations = token_durations(log_w, speed)
    frames = int(durations.sum())
    width = -(-frames // multiple) * multiple
    mu = np.zeros((mu_x.shape[0], width), dtype=np.float32)
    mu[:, :frames] = np.repeat(mu_x, durations, axis=1)
    x_init = mu.copy()
    x_init[:, :frames] += prior_std / temperature * prior_noise(seed, mu_x.shape[0], frames)
    return Prior(durations, mu, (np.arange(width) < frames).astype(np.float32), x_init)


def acoustic(engine, ids: np.ndarray, langs: np.ndarray, lengths: np.ndarray, speaker: int | None,
             options: SynthesisOptions, seeds: list[int]) -> tuple[list[np.ndarray], list[np.ndarray], int]:
    """A padded batch of token ids -> each sentence's mel (n_mels, frames), its tokens' durations,
    and the NFE: the engine encodes, the prior is made here, the engine decodes."""
    mu_x, log_w = engine.encode(ids, langs, lengths, speaker)
    priors = [frame_prior(mu_x[i, :, :n], log_w[i, 0, :n], options.speed, options.temperature, seeds[i],
                          engine.prior_std, engine.frame_multiple) for i, n in enumerate(lengths.tolist())]
    mels, nfe = engine.decode(priors, speaker, options.method, options.steps, seeds)
    return mels, [p.durations for p in priors], nfe
