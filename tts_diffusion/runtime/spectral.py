"""STFT, inverse STFT and Griffin-Lim in numpy, for the torch-free runtime.

Written here rather than taken from scipy or librosa: the runtime's install is numpy +
onnxruntime (+ the text front end), and these are a few array operations each. They follow
torch's conventions so that both paths hear the same: a periodic Hann window of ``win_length``
centred in ``n_fft``, reflect padding of n_fft / 2 (``center``), and the inverse as the
window-weighted overlap-add divided by the summed squared window (the least-squares inverse).
"""

from __future__ import annotations

import numpy as np

from ..audio import GRIFFIN_LIM_ITERATIONS, MelConfig, mel_filters


def hann_window(win_length: int, n_fft: int) -> np.ndarray:
    """w[n] = 1/2 - 1/2 cos(2 pi n / win_length), n < win_length, zero-padded to n_fft, centred."""
    window = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(win_length) / win_length)
    left = (n_fft - win_length) // 2
    return np.pad(window, (left, n_fft - win_length - left))


def _frame_index(count: int, n_fft: int, hop: int) -> np.ndarray:
    return np.arange(n_fft)[None, :] + hop * np.arange(count)[:, None]


def stft(audio: np.ndarray, n_fft: int, hop: int, window: np.ndarray) -> np.ndarray:
    """(samples,) -> complex128 (n_fft / 2 + 1, frames), centred: frame k is around sample k hop.
    In float64: numpy's float32 rfft is 5x slower than its float64 one (0.9 against 4.5 ms for
    260 x 1024, numpy 2.4), while its complex64 irfft is 2x faster than complex128."""
    padded = np.pad(audio.astype(np.float64, copy=False), n_fft // 2, mode="reflect")
    frames = np.lib.stride_tricks.sliding_window_view(padded, n_fft)[::hop]
    return np.fft.rfft(frames * window, axis=-1).T


def _sum_at_hops(frames: np.ndarray, hop: int) -> np.ndarray:
    """sum_k frames[k] placed at sample k hop: (count, n_fft) -> (n_fft + hop (count - 1),)."""
    count, n_fft = frames.shape
    out = np.zeros(n_fft + hop * (count - 1), dtype=frames.dtype)
    if n_fft % hop:
        np.add.at(out, _frame_index(count, n_fft, hop), frames)
        return out
    for k in range(n_fft // hop):  # n_fft / hop shifted copies of hop-wide columns: a few vector adds
        out[k * hop:k * hop + count * hop] += frames[:, k * hop:(k + 1) * hop].reshape(-1)
    return out


def window_envelope(count: int, hop: int, window: np.ndarray) -> np.ndarray:
    """The summed squared window of ``count`` frames at hop spacing (what an overlap-add divides by)."""
    return _sum_at_hops(np.tile(window**2, (count, 1)), hop)


def istft(spec: np.ndarray, n_fft: int, hop: int, window: np.ndarray, length: int, center: bool = True,
          envelope: np.ndarray | None = None) -> np.ndarray:
    """Complex (n_fft / 2 + 1, frames) -> float32 (length,) samples: the inverse of :func:`stft` when
    ``center``; otherwise Vocos's "same" padding, trimming (n_fft - hop) / 2 at each end.
    ``envelope``: :func:`window_envelope` for this many frames, when the caller has it already.
    In complex64 (float32 output, as the audio is)."""
    frames = np.fft.irfft(spec.T.astype(np.complex64, copy=False), n=n_fft, axis=-1)
    frames *= window.astype(np.float32)
    audio = _sum_at_hops(frames, hop)
    if envelope is None:
        envelope = window_envelope(spec.shape[1], hop, window)
    start = n_fft // 2 if center else (n_fft - hop) // 2
    return audio[start:start + length] / np.maximum(envelope[start:start + length], 1e-11).astype(np.float32)


class GriffinLim:
    """Fast Griffin-Lim with momentum (Perraudin et al. 2013), as :class:`tts_diffusion.vocoder.GriffinLim`:
    magnitude |S| = max(0, M^+ exp(log_mel))^power, then ``iterations`` of
    c_n = P(x_{n-1}), t_n = c_n + m/(1+m) (c_n - c_{n-1}), x_n = istft(|S| t_n / |t_n|)."""

    def __init__(self, config: MelConfig, iterations: int = GRIFFIN_LIM_ITERATIONS, momentum: float = 0.99,
                 power: float = 1.0, seed: int = 0):
        self.mel_config, self.iterations, self.momentum, self.power, self.seed = config, iterations, momentum, power, seed
        self.inverse_basis = np.linalg.pinv(mel_filters(config).astype(np.float64))
        self.window = hann_window(config.win_length, config.n_fft)

    def __call__(self, log_mel: np.ndarray) -> np.ndarray:
        """(n_mels, frames) -> float32 samples in [-1, 1]."""
        c = self.mel_config
        floor = np.log(c.log_floor)
        log_mel = np.clip(np.nan_to_num(log_mel.astype(np.float64), nan=floor), floor, 5.0)
        magnitude = np.maximum(self.inverse_basis @ np.exp(log_mel), 0.0) ** self.power
        if not c.center:  # a centred STFT of frames * hop samples has frames + 1 frames
            magnitude = np.concatenate([magnitude, magnitude[:, -1:]], axis=1)
        length = (magnitude.shape[1] - 1) * c.hop_length
        magnitude = np.asfortranarray(magnitude, dtype=np.float32)  # frame-major, as stft's output: the products stream
        phase = np.asfortranarray(np.exp(2j * np.pi * np.random.default_rng(self.seed).random(magnitude.shape)))
        envelope = window_envelope(magnitude.shape[1], c.hop_length, self.window)  # the same every iteration
        audio = istft(magnitude * phase, c.n_fft, c.hop_length, self.window, length, envelope=envelope)
        previous = np.zeros_like(phase, dtype=np.complex64)
        weight = self.momentum / (1 + self.momentum)
        for _ in range(self.iterations):  # in place: the element-wise passes cost as much as the FFTs
            # the FFT in float64 (see stft), the element-wise passes in complex64: half the memory traffic, 10-20% faster
            rebuilt = stft(audio, c.n_fft, c.hop_length, self.window).astype(np.complex64)
            accelerated = rebuilt - previous
            accelerated *= weight
            accelerated += rebuilt
            previous = rebuilt
            scale = np.abs(accelerated)
            np.divide(magnitude, np.maximum(scale, 1e-8, out=scale), out=scale)
            accelerated *= scale
            audio = istft(accelerated, c.n_fft, c.hop_length, self.window, length, envelope=envelope)
        return np.clip(audio, -1.0, 1.0).astype(np.float32)
