"""The likelihood command and the pretrained loader on a model trained by the tiny recipe."""

import subprocess
import sys

import pytest
import torch

from tts_diffusion.pretrained import PretrainedError, load_acoustic, resolve_weights

from conftest import ROOT


def test_load_acoustic_from_run_checkpoint_or_file(tiny_run):
    newest = resolve_weights(tiny_run)
    assert newest.parent.name == "step_0000040" and newest.name == "ema.safetensors"
    model, tokenizer, mel = load_acoustic(tiny_run)
    same, _, _ = load_acoustic(newest.parent / "model.safetensors")
    assert mel.n_mels == 80 and tokenizer.table.version == 1
    assert not all(torch.equal(a, b) for a, b in zip(model.parameters(), same.parameters()))  # EMA != raw


def test_not_a_model_is_a_clear_error(tmp_path):
    with pytest.raises(PretrainedError, match="no model at"):
        load_acoustic(tmp_path)
    bad = tmp_path / "x.safetensors"
    bad.write_bytes(b"\x00" * 16)
    with pytest.raises(PretrainedError, match="not a tts-diffusion acoustic model"):
        load_acoustic(bad)


def test_likelihood_cli_prints_bits_per_dim(tiny_run):
    wav = tiny_run.parent / "wavs" / "u3.wav"
    result = subprocess.run([sys.executable, "-m", "tts_diffusion.likelihood", "--checkpoint", str(tiny_run),
                             "--text", "감사합니다.", "--wav", str(wav), "--rtol", "1e-3", "--atol", "1e-3"],
                            capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert result.returncode == 0, result.stderr
    bits = float(result.stdout.split()[0])
    assert 0 < bits < 10  # a log-mel has roughly unit-scale values: a few bits per value at most

    missing = subprocess.run([sys.executable, "-m", "tts_diffusion.likelihood", "--checkpoint", "/nonexistent",
                              "--text", "x", "--wav", str(wav)], capture_output=True, text=True, cwd=ROOT)
    assert missing.returncode == 2 and missing.stderr.startswith("error: no model at")
