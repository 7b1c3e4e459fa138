"""STFT, inverse STFT and Griffin-Lim in numpy, for the torch-free runtime.

Written here rather than taken from scipy or librosa: the runtime's install is numpy +
onnxruntime (+ the text front end), and these are a few array operations each. They follow
torch's conventions so that both paths hear the same: a periodic Hann window of ``win_length``
centred in ``n_fft``, reflect padding of n_fft / 2 (``center``), and the inverse as the
window-weighted overlap-add divided by the summed squared window (the least-squares inverse).
"""

from __future__ import annotations

import functools
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from .audio import GRIFFIN_LIM_ITERATIONS, MelConfig, mel_pseudo_inverse
from .blas import one_thread


def hann_window(win_length: int, n_fft: int) -> np.ndarray:
    """w[n] = 1/2 - 1/2 cos(2 pi n / win_length), n < win_length, zero-padded to n_fft, centred."""
    window = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(win_length) / win_length)
    left = (n_fft - win_length) // 2
    return np.pad(window, (left, n_fft - win_length - left))


def polar(magnitude: np.ndarray, phase: np.ndarray) -> np.ndarray:
    """magnitude e^{i phase} as complex64, from float32 cos and sin: much cheaper than numpy's
    complex exponential (docs/runtimes.md, "Figures behind the code")."""
    out = np.empty(np.broadcast_shapes(magnitude.shape, phase.shape), dtype=np.complex64)
    phase = phase.astype(np.float32, copy=False)
    np.multiply(magnitude, np.cos(phase), out=out.real)
    np.multiply(magnitude, np.sin(phase), out=out.imag)
    return out


def _frame_index(count: int, n_fft: int, hop: int) -> np.ndarray:
    return np.arange(n_fft)[None, :] + hop * np.arange(count)[:, None]


def _add_at_hops(frames: np.ndarray, hop: int, out: np.ndarray, first: int = 0) -> np.ndarray:
    """out[first + k hop + n] += frames[k, n]: frame k placed at sample first + k hop."""
    count, n_fft = frames.shape
    if n_fft % hop:
        np.add.at(out, first + _frame_index(count, n_fft, hop), frames)
        return out
    for k in range(n_fft // hop):  # n_fft / hop shifted copies of hop-wide columns: a few vector adds
        start = first + k * hop
        out[start:start + count * hop].reshape(count, hop)[...] += frames[:, k * hop:(k + 1) * hop]
    return out


def window_envelope(count: int, hop: int, window: np.ndarray) -> np.ndarray:
    """The summed squared window of ``count`` frames at hop spacing (what an overlap-add divides by)."""
    return _add_at_hops(np.tile(window**2, (count, 1)), hop, np.zeros(len(window) + hop * (count - 1)))


class STFT:
    """The STFT and its inverse for ``frames`` frames of ``length`` samples, a block of frames at a time
    into arrays allocated once and overwritten by the next call.

    Griffin-Lim calls both dozens of times a sentence, and its time goes to moving arrays as much as
    to arithmetic: a fresh result costs more in page faults than the FFT itself, and whole-sentence
    passes run from memory rather than cache. A block of ``BLOCK`` frames (its frames and spectrum
    under a megabyte) stays in the core's cache from the forward FFT through the inverse (figures:
    docs/runtimes.md): :meth:`load`, then per block :meth:`spectrum` and :meth:`add`, then :meth:`audio`.

    ``lanes``: the frames split into that many runs of about as many consecutive frames, each cut into
    blocks (:attr:`lanes`), with their own scratch arrays and overlap-add sums, so that a thread a lane
    may work at once (numpy releases the GIL in its FFTs and array arithmetic); :meth:`audio` adds
    the lanes' sums.

    ``center``: frame k is centred on sample k hop, the signal reflect-padded by n_fft / 2; otherwise
    the mel's (and Vocos's) "same" framing: reflect-padded by (n_fft - hop) / 2, so frame k is centred
    on sample k hop + hop / 2 and ``length`` = frames hop. The inverse is the window-weighted
    overlap-add divided by the summed squared window, trimmed by the same padding.
    Both transforms run in float32 / complex64 (the audio is float32 anyway). The forward one asks
    numpy for its "forward" normalization (1 / n_fft) and takes n_fft back in the window: numpy
    2.4's pocketfft ran float32 transforms without a scale factor far slower than with one, and the
    scaled float32 rfft beats the float64 one (docs/runtimes.md, "Figures behind the code")."""

    BLOCK = 64

    def __init__(self, frames: int, n_fft: int, hop: int, window: np.ndarray, length: int, center: bool = True,
                 lanes: int = 1):
        self.n_fft, self.hop, self.length = n_fft, hop, length
        self.window = window.astype(np.float32)
        self.window_forward = (window * n_fft).astype(np.float32)  # cancels numpy's forward 1 / n_fft
        self.start = n_fft // 2 if center else (n_fft - hop) // 2
        envelope = window_envelope(frames, hop, window)[self.start:self.start + length]
        self.envelope = np.maximum(envelope, 1e-11).astype(np.float32)
        self.block = block = min(frames, self.BLOCK)
        bounds = np.linspace(0, frames, min(lanes, -(-frames // block)) + 1).round().astype(int).tolist()
        self.lanes = [[(first, min(first + block, end)) for first in range(start, end, block)]
                      for start, end in zip(bounds, bounds[1:])]
        self.blocks = [b for lane in self.lanes for b in lane]
        self._padded = np.empty(length + 2 * self.start, dtype=np.float32)
        self._framed = np.lib.stride_tricks.sliding_window_view(self._padded, n_fft)[::hop]
        self._frames = [np.empty((block, n_fft), dtype=np.float32) for _ in self.lanes]
        self._spectrum = [np.empty((block, n_fft // 2 + 1), dtype=np.complex64) for _ in self.lanes]
        self._sum = [np.zeros(n_fft + hop * (frames - 1), dtype=np.float32) for _ in self.lanes]
        self._audio = np.empty(length, dtype=np.float32)

    def load(self, audio: np.ndarray) -> None:
        """Take (length,) samples to transform (reflect-padded, see ``center``)."""
        pad, n = self.start, len(audio)
        if n > pad + 1:  # reflect padding, as np.pad's, without allocating
            self._padded[pad:pad + n] = audio
            self._padded[:pad] = audio[pad:0:-1]
            self._padded[pad + n:] = audio[n - 2:n - 2 - pad:-1]
        else:
            self._padded[:] = np.pad(audio, pad, mode="reflect")

    def spectrum(self, first: int, end: int, lane: int = 0, out: np.ndarray | None = None) -> np.ndarray:
        """Frames [first, end) of the loaded audio -> complex64 (end - first, n_fft / 2 + 1), into
        ``out`` or an array valid until the lane's next call."""
        frames = np.multiply(self._framed[first:end], self.window_forward, out=self._frames[lane][:end - first])
        out = self._spectrum[lane][:end - first] if out is None else out
        return np.fft.rfft(frames, axis=-1, norm="forward", out=out)

    def add(self, spectrum: np.ndarray, first: int, lane: int = 0) -> None:
        """Overlap-add the inverse of frames [first, first + len(spectrum)) into the lane's sum."""
        frames = self._frames[lane][:len(spectrum)]
        np.fft.irfft(spectrum.astype(np.complex64, copy=False), n=self.n_fft, axis=-1, out=frames)
        frames *= self.window
        _add_at_hops(frames, self.hop, self._sum[lane], first * self.hop)

    def audio(self) -> np.ndarray:
        """The overlap-added frames -> float32 (length,) samples; starts the next inverse afresh."""
        total = self._sum[0]
        for other in self._sum[1:]:
            total += other
            other.fill(0)
        np.divide(total[self.start:self.start + self.length], self.envelope, out=self._audio)
        total.fill(0)
        return self._audio

    def forward(self, audio: np.ndarray) -> np.ndarray:
        """(length,) samples -> a new complex64 (frames, n_fft / 2 + 1)."""
        self.load(audio)
        return np.concatenate([self.spectrum(first, end).copy() for first, end in self.blocks])

    def inverse(self, spectrum: np.ndarray) -> np.ndarray:
        """Complex (frames, n_fft / 2 + 1) -> float32 (length,) samples, valid until the next call."""
        for first, end in self.blocks:
            self.add(spectrum[first:end], first)
        return self.audio()


def stft(audio: np.ndarray, n_fft: int, hop: int, window: np.ndarray, center: bool = True) -> np.ndarray:
    """(samples,) -> complex64 (n_fft / 2 + 1, frames): frame k around sample k hop (``center``, one
    frame more than whole hops), or k hop + hop / 2 ("same" framing, the first len // hop hops)."""
    length = len(audio) if center else len(audio) // hop * hop
    frames = 1 + length // hop if center else length // hop
    return STFT(frames, n_fft, hop, window, length, center).forward(audio[:length]).T


def istft(spec: np.ndarray, n_fft: int, hop: int, window: np.ndarray, length: int, center: bool = True) -> np.ndarray:
    """Complex (n_fft / 2 + 1, frames) -> float32 (length,) samples: the inverse of :func:`stft` with
    the same ``center`` (see :class:`STFT`)."""
    return STFT(spec.shape[1], n_fft, hop, window, length, center).inverse(spec.T)


@functools.lru_cache(maxsize=None)
def _helpers(count: int) -> ThreadPoolExecutor:
    """``count`` threads for the lanes of a Griffin-Lim other than its caller's own, kept for reuse."""
    return ThreadPoolExecutor(count, thread_name_prefix="griffinlim")


class NumpyGriffinLim:
    """Fast Griffin-Lim with momentum (Perraudin et al. 2013), as :class:`tts_diffusion.vocoder.GriffinLim`:
    magnitude |S| = max(0, M^+ exp(log_mel))^power, then ``iterations`` of
    c_n = P(x_{n-1}), t_n = c_n + m/(1+m) (c_n - c_{n-1}), x_n = istft(|S| t_n / |t_n|).

    ``threads`` (of a call) share each iteration's frames, a lane each (:class:`STFT`); the lanes meet
    after every inverse, since the next forward transform reads the audio of all of them."""

    def __init__(self, config: MelConfig, iterations: int = GRIFFIN_LIM_ITERATIONS, momentum: float = 0.99,
                 power: float = 1.0, seed: int = 0):
        self.mel_config, self.iterations, self.momentum, self.power, self.seed = config, iterations, momentum, power, seed
        self.inverse_basis = mel_pseudo_inverse(config)
        self.window = hann_window(config.win_length, config.n_fft)

    def __call__(self, log_mel: np.ndarray, threads: int = 1, phase: np.ndarray | None = None) -> np.ndarray:
        """(n_mels, frames) -> float32 samples in [-1, 1], framed as the mel is (``center``).
        ``phase``: the first iteration's phase in radians, (n_fft / 2 + 1, frames), e.g. a Vocos's
        (:class:`tts_diffusion.vocoder.VocosGriffinLim`); otherwise uniform noise from ``seed``."""
        c = self.mel_config
        floor = np.log(c.log_floor)
        log_mel = np.clip(np.nan_to_num(log_mel.astype(np.float64), nan=floor), floor, 5.0)
        with one_thread():
            magnitude = np.maximum(self.inverse_basis @ np.exp(log_mel), 0.0) ** self.power
        magnitude = np.ascontiguousarray(magnitude.T, dtype=np.float32)  # (frames, bins), as the STFT's
        frames = magnitude.shape[0]
        length = (frames - 1 if c.center else frames) * c.hop_length
        transform = STFT(frames, c.n_fft, c.hop_length, self.window, length, c.center, lanes=threads)
        if phase is None:
            phase = 2 * np.pi * np.random.default_rng(self.seed).random(magnitude.shape[::-1])
        elif phase.shape != magnitude.shape[::-1]:
            raise ValueError(f"a phase of shape {phase.shape} for a magnitude of {magnitude.shape[::-1]}")
        audio = transform.inverse(polar(magnitude, phase.T))
        rebuilt, previous = np.empty_like(magnitude, dtype=np.complex64), np.zeros_like(magnitude, dtype=np.complex64)
        shape = (transform.block, magnitude.shape[1])
        scratch = [(np.empty(shape, dtype=np.complex64), np.empty(shape, dtype=np.float32)) for _ in transform.lanes]
        # t_n only sets a phase, so any positive multiple of it will do: (1 + w) t_n = c_n - w' c_{n-1}
        # with w = m / (1 + m), w' = w / (1 + w) = m / (1 + 2m), one pass over the spectra fewer
        weight = self.momentum / (1 + 2 * self.momentum)

        def iterate(lane: int, rebuilt: np.ndarray, previous: np.ndarray) -> None:
            accelerated, scale = scratch[lane]
            for first, end in transform.lanes[lane]:  # a block of frames, from its forward FFT to its inverse
                now, before = rebuilt[first:end], previous[first:end]
                push, gain = accelerated[:end - first], scale[:end - first]
                transform.spectrum(first, end, lane, out=now)
                np.multiply(before, -weight, out=push)
                push += now
                np.abs(push, out=gain)
                np.divide(magnitude[first:end], np.maximum(gain, 1e-8, out=gain), out=gain)
                push *= gain
                transform.add(push, first, lane)

        helpers = _helpers(len(transform.lanes) - 1) if len(transform.lanes) > 1 else None
        for _ in range(self.iterations):
            transform.load(audio)
            others = [helpers.submit(iterate, lane, rebuilt, previous) for lane in range(1, len(transform.lanes))]
            iterate(0, rebuilt, previous)
            for other in others:
                other.result()
            audio = transform.audio()
            previous, rebuilt = rebuilt, previous
        return np.clip(audio, -1.0, 1.0).astype(np.float32)
