"""Shared fixtures: a tiny LJSpeech-layout corpus made on the fly."""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

ROOT = Path(__file__).resolve().parents[1]
# tts-say, run by the tests (and their subprocesses), never starts a background ONNX export: it
# would spend CPU during the run and change which engine later tests get
os.environ["TTS_DIFFUSION_NO_BACKGROUND"] = "1"

SENTENCES = [
    ("LJ001-0001", "Printing, in the only sense with which we are at present concerned.", "en"),
    ("LJ001-0002", "In being comparatively modern, it was 1 of the arts.", "en"),
    ("LJ001-0003", "The news at 9:30 pm.", "en"),
    ("LJ001-0004", "Good evening, and welcome.", "en"),
    ("LJ001-0005", "It costs $12 today.", "en"),
    ("LJ001-0006", "Here are the top stories.", "en"),
]


def make_wav(path: Path, seconds: float, rate: int = 22050, seed: int = 0) -> None:
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * rate)) / rate
    audio = 0.3 * np.sin(2 * np.pi * (150 + 50 * seed) * t) + 0.02 * rng.standard_normal(t.size)
    path.parent.mkdir(parents=True, exist_ok=True)
    sf.write(path, audio.astype(np.float32), rate)


@pytest.fixture
def ljspeech_dir(tmp_path) -> Path:
    root = tmp_path / "LJSpeech-1.1"
    lines = []
    for k, (uid, text, _) in enumerate(SENTENCES):
        make_wav(root / "wavs" / f"{uid}.wav", 0.5 + 0.25 * k, seed=k)
        lines.append(f"{uid}|{text}|{text.upper()}\n")
    (root / "metadata.csv").write_text("".join(lines), encoding="utf-8")
    return root


def load_script(relative: str):
    """Import a script from egs/ or bench/ as a module."""
    path = ROOT / relative
    spec = importlib.util.spec_from_file_location(path.stem + "_under_test", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    sys.path.insert(0, str(path.parent))
    try:
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(path.parent))
    return module


TINY_TEXTS = [("안녕하세요.", "ko"), ("오늘의 뉴스입니다.", "ko"), ("날씨가 맑겠습니다.", "ko"), ("감사합니다.", "ko"),
              ("Good evening.", "en"), ("Here is the news.", "en"), ("서울은 흐립니다.", "ko"), ("내일 만나요.", "ko")]


@pytest.fixture
def tiny_corpus(tmp_path) -> Path:
    """Eight short clips (tones with noise) and their filelist: enough for the tiny recipe."""
    from tts_diffusion.data import Utterance, write_filelist

    items = []
    for k, (text, lang) in enumerate(TINY_TEXTS):
        wav = tmp_path / "tiny" / "wavs" / f"u{k}.wav"
        make_wav(wav, 0.8 + 0.15 * k, seed=k)
        items.append(Utterance(f"u{k}", wav, text, lang))
    write_filelist(tmp_path / "tiny" / "train.txt", items)
    return tmp_path / "tiny" / "train.txt"


@pytest.fixture(scope="session")
def tiny_run(tmp_path_factory) -> Path:
    """A run folder of the tiny recipe trained for 40 steps on the tiny corpus (once per session)."""
    import subprocess

    from tts_diffusion.data import Utterance, write_filelist

    root = tmp_path_factory.mktemp("tiny_run")
    items = []
    for k, (text, lang) in enumerate(TINY_TEXTS):
        wav = root / "wavs" / f"u{k}.wav"
        make_wav(wav, 0.8 + 0.15 * k, seed=k)
        items.append(Utterance(f"u{k}", wav, text, lang))
    write_filelist(root / "train.txt", items)
    result = subprocess.run(
        [sys.executable, "-m", "tts_diffusion.train", str(ROOT / "recipes" / "tiny.yaml"), f"run_dir={root / 'run'}",
         f"data.train_filelist={root / 'train.txt'}", "train.max_steps=40", "train.checkpoint_every=20"],
        capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    return root / "run"


@pytest.fixture(scope="session")
def two_voice_run(tmp_path_factory, tiny_run):
    """The tiny run fine-tuned into two voices on a corpus whose filelist names its speakers."""
    import subprocess

    from tts_diffusion.data import Utterance, write_filelist

    root = tmp_path_factory.mktemp("two_voices")
    items = []
    for k, (text, lang) in enumerate(TINY_TEXTS):
        wav = root / "wavs" / f"u{k}.wav"
        make_wav(wav, 0.8 + 0.15 * k, seed=k + (10 if lang == "en" else 0))
        items.append(Utterance(f"u{k}", wav, text, lang, "ko-a" if lang == "ko" else "en-b"))
    write_filelist(root / "train.txt", items)
    voices = "[{name: ko-a, language: ko, teacher: A, license: CC0}, {name: en-b, language: en, teacher: B, license: CC0}]"
    result = subprocess.run(
        [sys.executable, "-m", "tts_diffusion.train", str(ROOT / "recipes" / "tiny.yaml"), f"run_dir={root / 'run'}",
         f"data.train_filelist={root / 'train.txt'}", f"model.voices={voices}", f"init_from={tiny_run}",
         "train.max_steps=20", "train.checkpoint_every=20"], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    return root / "run"
