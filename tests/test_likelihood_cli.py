"""The likelihood command and the pretrained loader on a model trained by the tiny recipe."""

import subprocess
import sys

import pytest
import torch

from tts_diffusion.pretrained import PretrainedError, load_acoustic, resolve_weights
from tts_diffusion.vocoder.hifigan import CHECKPOINT_FORMAT
from tts_diffusion.weights import load_weights, read_metadata, save_weights

from conftest import ROOT


def test_load_acoustic_from_run_checkpoint_or_file(tiny_run):
    newest = resolve_weights(tiny_run)
    assert newest.parent.name == "step_0000040" and newest.name == "ema.safetensors"
    model, tokenizer, mel = load_acoustic(tiny_run)
    same, _, _ = load_acoustic(newest.parent / "model.safetensors")
    assert mel.n_mels == 80 and tokenizer.table.version == 2
    assert not all(torch.equal(a, b) for a, b in zip(model.parameters(), same.parameters()))  # EMA != raw


def test_not_a_model_is_a_clear_error(tmp_path):
    with pytest.raises(PretrainedError, match="no model at"):
        load_acoustic(tmp_path)
    bad = tmp_path / "x.safetensors"
    bad.write_bytes(b"\x00" * 16)
    with pytest.raises(PretrainedError, match="not a tts-diffusion acoustic model"):
        load_acoustic(bad)


def test_a_vocoder_checkpoint_is_refused_by_its_format(tiny_run, tmp_path):
    source = resolve_weights(tiny_run)
    vocoder = tmp_path / "vocoder.safetensors"
    save_weights(vocoder, load_weights(source), {**read_metadata(source), "format": CHECKPOINT_FORMAT})
    with pytest.raises(PretrainedError, match="format is 'tts-diffusion/hifigan-train/1'"):
        load_acoustic(vocoder)
    legacy = tmp_path / "legacy.safetensors"  # models of version 0.1 were saved without a format
    save_weights(legacy, load_weights(source), {k: v for k, v in read_metadata(source).items() if k != "format"})
    load_acoustic(legacy)


def test_likelihood_cli_prints_bits_per_dim(tiny_run):
    wav = tiny_run.parent / "wavs" / "u3.wav"
    result = subprocess.run([sys.executable, "-m", "tts_diffusion.likelihood", "--model", str(tiny_run),
                             "--text", "감사합니다.", "--wav", str(wav), "--rtol", "1e-3", "--atol", "1e-3"],
                            capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert result.returncode == 0, result.stderr
    bits = float(result.stdout.split()[0])
    assert 0 < bits < 10  # a log-mel has roughly unit-scale values: a few bits per value at most

    missing = subprocess.run([sys.executable, "-m", "tts_diffusion.likelihood", "--model", "/nonexistent",
                              "--text", "x", "--wav", str(wav)], capture_output=True, text=True, cwd=ROOT)
    assert missing.returncode == 2 and missing.stderr.startswith("error: no model at")


def test_export_fp16_voice_synthesizes_like_the_checkpoint(tiny_run, tmp_path):
    from tts_diffusion import TTS
    from tts_diffusion.export.command import export

    voice = tmp_path / "voice" / "voice.safetensors"
    export(str(tiny_run), voice, fp16=True)
    full = TTS.from_pretrained(tiny_run).synthesize("안녕하세요.", steps=4, seed=0)
    half = TTS.from_pretrained(voice.parent).synthesize("안녕하세요.", steps=4, seed=0)
    assert half.audio.shape == full.audio.shape
    assert abs(half.mel - full.mel).max() < 0.05  # fp16 rounding only
    assert voice.stat().st_size < 0.6 * (resolve_weights(tiny_run)).stat().st_size


@pytest.mark.parametrize("section,key,value,message", [
    ("model", "encoder", {"n_layers": 10**9}, "encoder.n_layers must be a whole number from 1 to 64"),
    ("mel", "sample_rate", 0, "mel sample_rate must be a whole number"),
    ("mel", "n_fft", 10**9, "mel n_fft must be a whole number"),
])
def test_a_model_file_asking_for_absurd_sizes_is_refused_before_building(tiny_run, tmp_path, section, key, value, message):
    from tts_diffusion.pretrained import PretrainedError, load_acoustic
    from tts_diffusion.weights import load_weights, read_metadata, save_weights

    source = sorted((tiny_run / "checkpoints").iterdir())[-1] / "ema.safetensors"
    meta = read_metadata(source)
    if isinstance(value, dict):
        meta["config"][section][key].update(value)
    else:
        meta["config"][section][key] = value
    bad = tmp_path / "bad.safetensors"
    save_weights(bad, load_weights(source), meta)
    with pytest.raises(PretrainedError, match=message):
        load_acoustic(bad)
