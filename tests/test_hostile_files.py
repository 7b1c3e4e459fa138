"""Hostile or broken model and vocoder files: refused with one line, before anything large is
allocated (the size cases run in a child process under a 3 GiB address-space limit)."""

import json
import subprocess
import sys
import textwrap

import pytest
import torch

from tts_diffusion.weights import read_metadata, save_weights

from conftest import ROOT

BUNDLED = ROOT / "tts_diffusion" / "voices" / "default" / "voice.safetensors"
LIMITED = textwrap.dedent("""
    import resource, sys
    resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))
    from tts_diffusion.cli import main
    sys.exit(main(sys.argv[1:]))
""")


def tts_say(*args, tmp_path):
    return subprocess.run([sys.executable, "-c", LIMITED, "hello there", "-o", str(tmp_path / "out.wav"), "-q", *args],
                          capture_output=True, text=True, cwd=tmp_path, timeout=120)


def test_a_model_config_that_multiplies_out_to_terabytes_is_refused_before_allocation(tmp_path):
    meta = read_metadata(BUNDLED)
    encoder = meta["config"]["model"]["encoder"]
    encoder.update(channels=4096, filter_channels=16384, kernel_size=31, n_layers=64, n_heads=64)  # each within its limit
    save_weights(tmp_path / "huge.safetensors", {"x": torch.zeros(1)}, meta)
    result = tts_say("--model", str(tmp_path / "huge.safetensors"), tmp_path=tmp_path)
    assert result.returncode == 2, result.stderr
    assert "GiB of weights" in result.stderr and "refused" in result.stderr and len(result.stderr.splitlines()) == 1
    assert not (tmp_path / "out.wav").exists()


def test_a_symbol_table_of_millions_is_refused(tmp_path):
    meta = read_metadata(BUNDLED)
    meta["tokenizer"]["table"]["symbols"] = [f"s{i}" for i in range(2_000_000)]
    meta["config"]["model"]["encoder"]["channels"] = 4096
    meta["config"]["model"]["encoder"]["n_heads"] = 2
    save_weights(tmp_path / "symbols.safetensors", {"x": torch.zeros(1)}, meta)
    result = tts_say("--model", str(tmp_path / "symbols.safetensors"), tmp_path=tmp_path)
    assert result.returncode == 2 and "GiB of weights" in result.stderr, result.stderr


def test_a_vocos_config_asking_for_hundreds_of_gigabytes_is_refused(tmp_path):
    folder = tmp_path / "vocos"
    folder.mkdir()
    config = json.loads((ROOT / "tts_diffusion" / "voices" / "vocos" / "config.json").read_text())
    config["dim"] = 200_000
    (folder / "config.json").write_text(json.dumps(config))
    save_weights(folder / "generator.safetensors", {"x": torch.zeros(1)}, {})
    result = tts_say("--vocoder", str(folder), tmp_path=tmp_path)
    assert result.returncode == 2 and "Vocos config" in result.stderr and "refused" in result.stderr, result.stderr


@pytest.mark.parametrize("cut", [7, 5000])  # inside the header, inside the tensors
def test_a_truncated_vocoder_file_is_one_line_not_a_traceback(tmp_path, cut):
    folder = tmp_path / "vocos"
    folder.mkdir()
    source = ROOT / "tts_diffusion" / "voices" / "vocos"
    (folder / "config.json").write_bytes((source / "config.json").read_bytes())
    weights = next(source.glob("*.safetensors")).read_bytes()
    (folder / "generator.safetensors").write_bytes(weights[:cut])  # an interrupted copy
    result = tts_say("--vocoder", str(folder), tmp_path=tmp_path)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert "truncated or corrupt" in result.stderr or "cannot read" in result.stderr
