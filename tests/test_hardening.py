"""Careless and hostile use, second pass: signals, a closed standard output, a full disk, durable
renames, bounded inputs (lexicon files, Griffin-Lim iterations) and impossible devices."""

import os
import shutil
import signal
import subprocess
import sys
import time

import pytest

from tts_diffusion.audio import griffin_lim_spec
from tts_diffusion.files import atomic_write_text
from tts_diffusion.text.lexicon import MAX_LEXICON_BYTES, Lexicon, LexiconError

from conftest import ROOT

SAY = [sys.executable, "-m", "tts_diffusion.cli"]
LONG_TEXT = "오늘 서울의 기온은 영하 삼 도입니다. " * 400


def test_griffin_lim_iterations_are_bounded():
    assert griffin_lim_spec("griffinlim:1000") == ("", 1000)
    for bad in ("griffinlim:1001", "vocos+griffinlim:999999999"):
        with pytest.raises(ValueError, match="whole number from 1 to 1000"):
            griffin_lim_spec(bad)


@pytest.mark.parametrize("device, message", [("bogus", "unknown device 'bogus'"), ("meta", "cannot run synthesis"),
                                             ("cuda", "no CUDA GPU is available")])
def test_an_impossible_device_is_named_before_any_weights_are_read(tiny_run, device, message):
    import torch

    from tts_diffusion.api import TTS

    if device == "cuda" and torch.cuda.is_available():
        pytest.skip("a GPU is here")
    with pytest.raises(ValueError, match=message):
        TTS.from_pretrained(tiny_run, device=device)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_sigterm_and_sighup_mid_synthesis_leave_nothing_behind(tmp_path, tiny_run, signum):
    out = tmp_path / "out.wav"
    out.write_bytes(b"what was there")
    (tmp_path / "text.txt").write_text(LONG_TEXT, encoding="utf-8")
    say = subprocess.Popen([*SAY, "--model", str(tiny_run), "-q", "-f", str(tmp_path / "text.txt"), "-o", str(out)],
                           stderr=subprocess.PIPE, text=True, cwd=ROOT)
    deadline = time.monotonic() + 60
    while not any(p.name.startswith(".out.wav.") for p in tmp_path.iterdir()):  # writing has begun
        assert say.poll() is None and time.monotonic() < deadline, say.stderr.read() if say.poll() else "timeout"
        time.sleep(0.05)
    say.send_signal(signum)
    assert say.wait(30) == 128 + signum
    assert say.stderr.read() == f"tts-say: stopped by {signal.Signals(signum).name}\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.wav", "text.txt"] and out.read_bytes() == b"what was there"


def test_a_closed_standard_output_is_one_line(tiny_run):
    result = subprocess.run(["sh", "-c", 'exec "$@" >&-', "sh", *SAY, "--model", str(tiny_run), "-q", "안녕하세요.",
                             "-o", "-"], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 2 and result.stderr == "tts-say: error: cannot write to standard output: it is closed\n"


@pytest.mark.skipif(os.geteuid() != 0 or shutil.which("unshare") is None, reason="mounting a tmpfs needs root")
def test_a_full_disk_under_a_wav_file_says_so_and_leaves_nothing(tmp_path, tiny_run):
    """A real filesystem that fills up (a 64 KiB tmpfs in a private mount namespace): the WAV writer
    reports it in words, and neither the output nor its temporary file is left."""
    disk = tmp_path / "disk"
    disk.mkdir()
    script = (f'mount -t tmpfs -o size=64k tmpfs {disk} && "$@" -o {disk}/out.wav; code=$?; '
              f'ls -A {disk}; exit $code')
    result = subprocess.run(["unshare", "-m", "--propagation", "private", "sh", "-c", script, "sh", *SAY, "--model",
                             str(tiny_run), "-q", LONG_TEXT[:400]], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 2, result.stderr
    assert result.stderr == f"tts-say: error: cannot write {disk}/out.wav: the disk is full\n"
    assert result.stdout == ""  # ls -A: nothing left on the full disk


def test_a_renamed_file_is_on_the_disk_before_and_after_the_rename(tmp_path, monkeypatch):
    import tts_diffusion.files as files

    synced = []
    real_fsync, real_replace = os.fsync, os.replace
    monkeypatch.setattr(files.os, "fsync", lambda fd: synced.append(os.readlink(f"/proc/self/fd/{fd}")) or real_fsync(fd))
    monkeypatch.setattr(files.os, "replace", lambda a, b: synced.append("rename") or real_replace(a, b))
    atomic_write_text(tmp_path / "notes.txt", "kept")
    assert len(synced) == 3 and synced[0].startswith(str(tmp_path / ".notes.txt."))
    assert synced[1:] == ["rename", str(tmp_path)]


def test_a_lexicon_is_bounded_in_bytes_and_in_what_it_makes(tmp_path, tiny_run):
    with pytest.raises(LexiconError, match="more than 4,194,304 bytes"):
        Lexicon.read("/dev/zero")
    big = tmp_path / "big.tsv"
    big.write_bytes(b"a\tb\n" * (MAX_LEXICON_BYTES // 4 + 1))
    with pytest.raises(LexiconError, match="more than"):
        Lexicon.read(big)
    from tts_diffusion.api import TTS

    growing = tmp_path / "grow.tsv"
    growing.write_text("가나\t" + "다" * 200_000 + "\n", encoding="utf-8")
    tts = TTS.from_pretrained(tiny_run, lexicon=growing)
    with pytest.raises(ValueError, match="after the lexicon, more than 1,000,000"):
        tts.sentences("가나 " * 6)  # 18 characters that the lexicon makes 1.2 million


@pytest.mark.parametrize("samples, problem", [("nan", "non-finite samples"), ("inf", "non-finite samples"),
                                              ("zero", "silent")])
def test_training_audio_that_reads_but_is_broken_is_named(tmp_path, samples, problem):
    """A readable WAV of NaN (or silence) used to enter the mel cache and poison its batches: the
    dataset refuses it, naming the file, and training's skipping dataset logs that line."""
    import numpy as np
    import soundfile as sf

    from tts_diffusion.audio import AudioError, MelConfig
    from tts_diffusion.data import Utterance
    from tts_diffusion.data.dataset import TextMelDataset
    from tts_diffusion.text import Tokenizer

    audio = np.full(22050, {"nan": np.nan, "inf": np.inf, "zero": 0.0}[samples], dtype=np.float32)
    audio[:100] = 0.1  # partly readable speech-like samples do not hide the rest
    if samples == "zero":
        audio[:100] = 0.0
    path = tmp_path / "broken.wav"
    sf.write(str(path), audio, 22050, subtype="FLOAT")
    dataset = TextMelDataset([Utterance("broken", path, "안녕하세요", "ko")], Tokenizer(), MelConfig(),
                             cache_dir=tmp_path / "cache")
    with pytest.raises(AudioError, match=f"{path}.*{problem}"):
        dataset.mel(dataset.items[0])
    assert not (tmp_path / "cache").exists() or not any((tmp_path / "cache").iterdir())  # nothing cached


def test_the_first_sentence_is_spoken_before_the_rest_is_encoded(tiny_run, monkeypatch):
    """A long text's first audio waits for its own G2P only (a 1 MB text used to encode every
    sentence first)."""
    from tts_diffusion.api import TTS

    tts = TTS.from_pretrained(tiny_run)
    encoded = []
    real = tts.tokenizer.encode_spoken
    monkeypatch.setattr(tts.tokenizer, "encode_spoken", lambda text, lang="auto": encoded.append(text) or real(text, lang))
    chunks = tts.stream("오늘의 뉴스입니다. " * 50, steps=2, seed=0)
    first = next(chunks)
    assert first.index == 0 and first.count == 50 and encoded == ["오늘의 뉴스입니다."]
    assert len(list(chunks)) == 49 and len(encoded) == 50


def test_a_missing_module_of_the_torch_engine_is_named(tiny_run):
    """Not "torch is not installed" when torch is there and safetensors is not."""
    code = ("import sys; sys.modules['safetensors'] = None\n"
            "from tts_diffusion.api import TTS\n"
            f"try:\n    TTS.from_pretrained({str(tiny_run)!r})\nexcept ValueError as err:\n    print(err)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert "runs on the torch engine, which needs safetensors (not installed)" in result.stdout, result.stderr


@pytest.mark.skipif(os.geteuid() != 0 or shutil.which("unshare") is None, reason="mounting a tmpfs needs root")
def test_a_checkpoint_on_a_full_disk_says_so_and_leaves_nothing(tmp_path):
    """torch.save reports a full disk as "[enforce fail at inline_container.cc ...]": the trainer's
    error says the disk is full, and no partial checkpoint is left."""
    disk = tmp_path / "disk"
    disk.mkdir()
    code = "\n".join(["import sys, torch", "from tts_diffusion.training import checkpoint", "try:",
                      "    checkpoint.save_checkpoint(sys.argv[1], 5, {'model': {'w': torch.zeros(200_000)}}, {}, {})",
                      "except checkpoint.CheckpointError as err:", "    print(err)"])
    script = f'mount -t tmpfs -o size=256k tmpfs {disk} && "$@" {disk}; ls -A {disk}/checkpoints'
    result = subprocess.run(["unshare", "-m", "--propagation", "private", "sh", "-c", script, "sh", sys.executable, "-c",
                             code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert result.stdout == f"cannot save checkpoint {disk}/checkpoints/step_0000005: the disk is full\n", result.stderr
