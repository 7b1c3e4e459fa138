"""Outputs never destroy what is there: devices and FIFOs are written into, symbolic links keep
pointing at their (replaced) target, a file keeps its permissions, a full disk says so.

Device files are made with mknod inside a temporary folder (root only), never the real /dev ones."""

import os
import stat
import subprocess
import sys
import threading

import numpy as np
import pytest

from tts_diffusion.audio import AudioError, save_wav
from tts_diffusion.files import atomic_write_text

from conftest import ROOT

needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="mknod of a device needs root")


def fake_device(path, minor):
    """A character device like /dev/null (minor 3) or /dev/full (minor 7), at ``path``."""
    os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, minor))
    return path


def test_a_fifo_is_written_into_and_stays_a_fifo(tmp_path):
    fifo = tmp_path / "pipe.wav"
    os.mkfifo(fifo)
    received = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    save_wav(fifo, np.zeros(1000, dtype=np.float32), 22050)
    reader.join(timeout=10)
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert received[0][:4] == b"RIFF" and len(received[0]) == 44 + 2000


def test_a_symlink_keeps_pointing_at_its_replaced_target(tmp_path):
    target = tmp_path / "real.txt"
    target.write_text("old")
    link = tmp_path / "link.txt"
    link.symlink_to(target)
    atomic_write_text(link, "new")
    assert link.is_symlink() and os.readlink(link) == str(target) and target.read_text() == "new"


def test_a_replaced_file_keeps_its_permissions(tmp_path):
    secret = tmp_path / "secret.wav"
    secret.write_text("x")
    secret.chmod(0o600)
    save_wav(secret, np.zeros(10, dtype=np.float32), 22050)
    assert stat.S_IMODE(os.stat(secret).st_mode) == 0o600 and secret.read_bytes()[:4] == b"RIFF"


def say(model, output, *args):
    return subprocess.run([sys.executable, "-m", "tts_diffusion.cli", "--model", str(model), "--steps", "2", "-q",
                           "안녕하세요.", "-o", str(output), *args], capture_output=True, text=True, cwd=ROOT)


@needs_root
def test_a_device_is_written_into_never_replaced(tmp_path, tiny_run):
    null = fake_device(tmp_path / "null", 3)
    save_wav(null, np.zeros(1000, dtype=np.float32), 22050)
    result = say(tiny_run, null, "--mel-png", str(tmp_path / "mel.png"))
    assert result.returncode == 0, result.stderr
    assert stat.S_ISCHR(os.stat(null).st_mode) and (tmp_path / "mel.png").is_file()


@needs_root
def test_a_full_disk_is_one_clear_line(tmp_path, tiny_run):
    full = fake_device(tmp_path / "full", 7)
    with pytest.raises(AudioError, match="the disk is full"):
        save_wav(full, np.zeros(100_000, dtype=np.float32), 22050)
    result = say(tiny_run, full)
    assert result.returncode == 2 and result.stderr == f"tts-say: error: cannot write {full}: the disk is full\n"
    assert stat.S_ISCHR(os.stat(full).st_mode)


def test_a_failing_mel_picture_leaves_the_old_wav(tmp_path, tiny_run):
    out = tmp_path / "out.wav"
    out.write_bytes(b"old")
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = say(tiny_run, out, "--mel-png", str(blocker / "mel.png"))
    assert result.returncode == 2 and len(result.stderr.splitlines()) == 1
    assert out.read_bytes() == b"old"
