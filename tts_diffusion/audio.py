"""Audio I/O and the mel configuration and filter bank (numpy only; the torch log-mel is
:class:`tts_diffusion.spectrogram.MelSpectrogram`).

The default mel follows what public HiFi-GAN weights expect: a magnitude STFT of the signal padded
by ``(n_fft - hop) / 2`` on each side (reflect) with ``center=False``, librosa's Slaney mel filters,
and ``log(max(x, 1e-5))``. The ``vocos-24khz`` preset is what the official Vocos mel model expects
(torchaudio's defaults): 24 kHz, 100 bands up to 12 kHz, ``center=True`` (reflect padding of
n_fft / 2), HTK mel filters without area normalization, ``log(max(x, 1e-7))``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .files import atomic_path, describe, is_special

# The default of both Griffin-Lims (torch, numpy) and of --vocoder griffinlim: end to end as good as 60 at half
# the cost (docs/vocoders.md)
GRIFFIN_LIM_ITERATIONS = 32
# ... and from a Vocos's phase (--vocoder vocos+griffinlim): see docs/vocoders.md
VOCOS_GRIFFIN_LIM_ITERATIONS = 16


MAX_GRIFFIN_LIM_ITERATIONS = 1000  # as the sampler's steps: past a few hundred nothing is heard to change


def griffin_lim_spec(spec: str) -> tuple[str, int] | None:
    """A vocoder spec that runs Griffin-Lim: ``griffinlim[:N]`` -> ("", N) and ``<base>+griffinlim[:N]``
    (started from the phase of the Vocos ``base``) -> (base, N), N by default 32 from noise and 16
    from a Vocos's phase; None for any other spec. Read here, torch-free, for both runtimes."""
    base, plus, tail = spec.rpartition("+")
    name, colon, count = tail.partition(":")
    if name != "griffinlim" or (plus and not base):
        return None
    if colon and not (count.isdigit() and 1 <= int(count) <= MAX_GRIFFIN_LIM_ITERATIONS):
        raise ValueError(f"griffinlim iterations must be a whole number from 1 to {MAX_GRIFFIN_LIM_ITERATIONS}, "
                         f"not {count!r}")
    return base, int(count) if colon else VOCOS_GRIFFIN_LIM_ITERATIONS if base else GRIFFIN_LIM_ITERATIONS


@dataclass(frozen=True)
class MelConfig:
    sample_rate: int = 22050
    n_fft: int = 1024
    hop_length: int = 256
    win_length: int = 1024
    n_mels: int = 80
    fmin: float = 0.0
    fmax: float = 8000.0
    center: bool = False  # False: pad (n_fft - hop) / 2, frames = samples // hop; True: pad n_fft / 2, one frame more
    mel_scale: str = "slaney"  # "slaney": Slaney scale and area-normalized filters; "htk": HTK scale, unnormalized
    log_floor: float = 1e-5

    @classmethod
    def preset(cls, name: str) -> "MelConfig":
        """A named configuration: ``hifigan-22khz`` (the default) or ``vocos-24khz``."""
        if name not in MEL_PRESETS:
            raise ValueError(f"unknown mel preset {name!r}: choose {', '.join(MEL_PRESETS)}")
        return MEL_PRESETS[name]

    def check(self) -> "MelConfig":
        """Raise ValueError for values no audio could have (before any buffer is allocated)."""
        limits = {"sample_rate": (4000, 192000), "n_fft": (16, 16384), "hop_length": (1, self.n_fft),
                  "win_length": (1, self.n_fft), "n_mels": (1, 512)}
        for name, (low, high) in limits.items():
            value = getattr(self, name)
            if not isinstance(value, int) or not low <= value <= high:
                raise ValueError(f"mel {name} must be a whole number from {low} to {high}, not {value!r}")
        if not 0 <= self.fmin < self.fmax <= self.sample_rate / 2:
            raise ValueError(f"mel band {self.fmin}-{self.fmax} Hz is not within 0-{self.sample_rate / 2:g} Hz")
        if self.mel_scale not in ("slaney", "htk") or not 0 < self.log_floor < 1:
            raise ValueError(f"mel scale {self.mel_scale!r} / log floor {self.log_floor} are not usable")
        return self

    def mismatches(self, other: "MelConfig") -> list[str]:
        """Fields on which two configs disagree, as ``name: ours vs theirs`` strings."""
        return [
            f"{name}: {getattr(self, name)} vs {getattr(other, name)}"
            for name in self.__dataclass_fields__
            if getattr(self, name) != getattr(other, name)
        ]


MEL_PRESETS = {
    "hifigan-22khz": MelConfig(),
    "vocos-24khz": MelConfig(24000, 1024, 256, 1024, 100, 0.0, 12000.0, center=True, mel_scale="htk", log_floor=1e-7),
}


class AudioError(ValueError):
    """An audio file that cannot be read or written."""


def load_wav(path: str | Path, sample_rate: int) -> np.ndarray:
    """Read any soundfile-supported file as mono float32 at ``sample_rate``, peak at most 1."""
    import librosa
    import soundfile as sf

    try:
        audio, rate = sf.read(str(path), dtype="float32", always_2d=True)
    except (sf.LibsndfileError, RuntimeError, OSError) as err:
        raise AudioError(f"cannot read audio file {path}: {err}") from None
    audio = audio.mean(axis=1)
    if rate != sample_rate:
        audio = librosa.resample(audio, orig_sr=rate, target_sr=sample_rate)
    peak = float(np.abs(audio).max()) if audio.size else 0.0
    if peak > 1.0:
        audio = audio / peak
    return audio.astype(np.float32)


def training_audio(path: str | Path, sample_rate: int) -> np.ndarray:
    """:func:`load_wav` for training data, which must be speech: a file of NaN or infinite samples
    (readable, but it would poison every batch it joins) or of silence is an AudioError naming it."""
    audio = load_wav(path, sample_rate)
    if not np.isfinite(audio).all():
        raise AudioError(f"{path} holds non-finite samples (NaN or infinity)")
    if not audio.size or not np.abs(audio).max() > 0:
        raise AudioError(f"{path} is silent (every sample is zero)")
    return audio


def save_wav(path: str | Path, audio, sample_rate: int) -> None:
    """Write 16-bit PCM WAV atomically (see :class:`PcmWriter`); samples are clipped to [-1, 1].
    ``audio``: a numpy array or a torch tensor."""
    if hasattr(audio, "detach"):  # a tensor (audio.py itself stays torch-free for the ONNX runtime)
        audio = audio.detach().cpu().float().numpy()
    with PcmWriter(path, sample_rate) as out:
        out.write(audio)


def to_int16(audio: np.ndarray) -> np.ndarray:
    """Float samples, clipped to [-1, 1], as little-endian 16-bit integers (rounded)."""
    return np.round(np.clip(np.asarray(audio, dtype=np.float32).reshape(-1), -1.0, 1.0) * 32767).astype("<i2")


def streaming_wav_header(sample_rate: int) -> bytes:
    """A 16-bit mono WAV header whose sizes say "unknown" (0xFFFFFFFF), as streaming writers do."""
    import struct

    return (b"RIFF" + struct.pack("<I", 0xFFFFFFFF) + b"WAVEfmt " + struct.pack("<IHHIIHH", 16, 1, 1, sample_rate,
            2 * sample_rate, 2, 16) + b"data" + struct.pack("<I", 0xFFFFFFFF))


class PcmWriter:
    """Audio written a chunk at a time: to standard output (``-``) or a device or FIFO (flushed after
    every chunk, a WAV header with unknown sizes first), or to a file (a temporary file renamed over
    it at the end, so a failure leaves what was there); ``raw``: bare 16-bit little-endian PCM."""

    def __init__(self, output: str | Path, sample_rate: int, raw: bool = False):
        self.output, self.sample_rate, self.raw = str(output), sample_rate, raw

    def __enter__(self) -> "PcmWriter":
        import contextlib
        import sys
        import wave

        self._stack = contextlib.ExitStack()
        streaming = self.output == "-" or is_special(self.output)
        # A WAV file gets its true sizes at the end, from the standard library's writer: its errors are
        # the file's own OSErrors (a full disk says so; libsndfile's would be "System error.").
        self._wave = not streaming and not self.raw
        try:
            if self.output == "-":
                if sys.stdout is None:  # started with standard output closed (>&-)
                    raise AudioError("cannot write to standard output: it is closed")
                self._stream = sys.stdout.buffer
            else:
                tmp = self._stack.enter_context(atomic_path(self.output))
                self._stream = self._stack.enter_context(open(tmp, "wb"))
                if self._wave:
                    self._stream = self._stack.enter_context(wave.open(self._stream, "wb"))
                    self._stream.setnchannels(1)
                    self._stream.setsampwidth(2)
                    self._stream.setframerate(self.sample_rate)
            if streaming and not self.raw:
                self._stream.write(streaming_wav_header(self.sample_rate))
        except OSError as err:
            self._stack.close()
            raise AudioError(f"cannot write {self.output}: {describe(err)}") from None
        return self

    def write(self, audio: np.ndarray) -> None:
        try:
            if self._wave:
                self._stream.writeframes(to_int16(audio).tobytes())
            else:
                self._stream.write(to_int16(audio).tobytes())
                self._stream.flush()
        except OSError as err:
            raise AudioError(f"cannot write {self.output}: {describe(err)}") from None

    def __exit__(self, *exc) -> None:
        try:
            self._stack.__exit__(*exc)
        except OSError as err:
            raise AudioError(f"cannot write {self.output}: {describe(err)}") from None


def hz_to_mel(hz: np.ndarray, htk: bool) -> np.ndarray:
    """HTK: 2595 log10(1 + f / 700). Slaney: 3 f / 200 below 1 kHz, 15 + 27 log(f / 1000) / log(6.4) above."""
    hz = np.asarray(hz, dtype=np.float64)
    if htk:
        return 2595.0 * np.log10(1.0 + hz / 700.0)
    return np.where(hz < 1000.0, 3.0 * hz / 200.0, 15.0 + 27.0 * np.log(np.maximum(hz, 1e-10) / 1000.0) / np.log(6.4))


def mel_to_hz(mel: np.ndarray, htk: bool) -> np.ndarray:
    mel = np.asarray(mel, dtype=np.float64)
    if htk:
        return 700.0 * (10.0 ** (mel / 2595.0) - 1.0)
    return np.where(mel < 15.0, 200.0 * mel / 3.0, 1000.0 * np.exp(np.log(6.4) * (mel - 15.0) / 27.0))


def mel_filters(config: MelConfig) -> np.ndarray:
    """Mel filter bank of shape (n_mels, n_fft // 2 + 1): triangles between n_mels + 2 points evenly
    spaced on the mel scale from fmin to fmax, each rising from its left point to its centre and
    falling to its right point; on the Slaney scale each is scaled by 2 / (right - left) in Hz
    (equal area, as librosa's default), on the HTK scale left at peak 1 (torchaudio's default).

    Written here, not taken from librosa: importing librosa.filters pulls in scipy.signal, 0.75 s of
    a cold start; the tests hold both to librosa's filters."""
    if config.mel_scale not in ("slaney", "htk"):
        raise ValueError(f"unknown mel scale {config.mel_scale!r}: choose slaney or htk")
    htk = config.mel_scale == "htk"
    points = mel_to_hz(np.linspace(hz_to_mel(config.fmin, htk), hz_to_mel(config.fmax, htk), config.n_mels + 2), htk)
    freqs = np.linspace(0.0, config.sample_rate / 2, config.n_fft // 2 + 1)
    left, centre, right = points[:-2, None], points[1:-1, None], points[2:, None]
    rising = (freqs[None, :] - left) / (centre - left)
    falling = (right - freqs[None, :]) / (right - centre)
    weights = np.maximum(0.0, np.minimum(rising, falling))
    if not htk:
        weights *= 2.0 / (right - left)
    return weights.astype(np.float32)


def mel_pseudo_inverse(config: MelConfig) -> np.ndarray:
    """M^+ of the filter bank M (:func:`mel_filters`), float64 (bins, n_mels): M^T (M M^T)^-1, which
    is the pseudo-inverse when M's rows are independent, as every filter with a band of its own
    makes them; a bank whose M M^T is near singular (condition over 1e8) takes the SVD's. The normal
    equations solve an n_mels-square system where numpy's pinv takes an SVD on BLAS threads, slow on a
    cold start with busy cores (docs/cold_start.md)."""
    m = mel_filters(config).astype(np.float64)
    gram = m @ m.T
    if np.linalg.cond(gram) > 1e8:
        return np.linalg.pinv(m)
    return np.linalg.solve(gram, m).T
