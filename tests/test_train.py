"""The training program as users run it: losses fall, resume is exact, DDP keeps ranks equal,
and bad input stops with one clear line or is skipped and counted."""

import os
import re
import signal
import subprocess
import sys
import time

import pytest
import soundfile as sf
import torch
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

from tts_diffusion.weights import checkpoint_dirs, load_weights, read_metadata

from conftest import ROOT

TINY = str(ROOT / "recipes" / "tiny.yaml")


def train(*args, env=None, **kwargs):
    return subprocess.run([sys.executable, "-m", "tts_diffusion.train", TINY, *args], capture_output=True, text=True,
                          cwd=ROOT, env={**os.environ, **(env or {})}, **kwargs)


def scalars(run_dir, tag):
    events = EventAccumulator(str(run_dir / "tensorboard"))
    events.Reload()
    return [e.value for e in events.Scalars(tag)]


def test_tiny_recipe_trains_and_every_loss_falls(tiny_corpus, tmp_path):
    run = tmp_path / "run"
    result = train(f"run_dir={run}", f"data.train_filelist={tiny_corpus}")
    assert result.returncode == 0, result.stderr
    first = lambda v: sum(v[:2]) / 2  # noqa: E731  (means over logging windows of 10 steps)
    last = lambda v: sum(v[-3:]) / 3  # noqa: E731
    assert first(scalars(run, "train/prior")) > 3.0 * last(scalars(run, "train/prior"))
    # the clips are tones, so durations have little to learn: a fall, not a ratio of the real corpora's
    assert first(scalars(run, "train/duration")) > 1.05 * last(scalars(run, "train/duration"))
    assert first(scalars(run, "train/diffusion")) > 1.8 * last(scalars(run, "train/diffusion"))
    [*_, final] = checkpoint_dirs(run)
    meta = read_metadata(final / "ema.safetensors")
    assert meta["step"] == 100 and meta["tokenizer"]["table"]["version"] == 2
    assert meta["config"]["model"]["decoder"]["kind"] == "unet1d"
    assert len(checkpoint_dirs(run)) == 2  # keep_checkpoints


def test_a_run_stopped_midway_and_resumed_matches_an_uninterrupted_one(tiny_corpus, tmp_path):
    common = [f"data.train_filelist={tiny_corpus}", "train.max_steps=40", "train.checkpoint_every=10"]
    straight = train(f"run_dir={tmp_path / 'a'}", *common)
    assert straight.returncode == 0, straight.stderr

    proc = subprocess.Popen([sys.executable, "-m", "tts_diffusion.train", TINY, f"run_dir={tmp_path / 'b'}", *common,
                             "train.log_every=1"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    for line in proc.stdout:  # stop it once it is past its first checkpoint, mid-way between two
        if "saved" in line and "step_0000010" in line:
            time.sleep(0.3)
            proc.send_signal(signal.SIGTERM)
            break
    proc.stdout.read()
    assert proc.wait(timeout=60) == 130
    stopped_at = int(checkpoint_dirs(tmp_path / "b")[-1].name.split("_")[1])
    assert 10 <= stopped_at < 40
    resumed = train(f"run_dir={tmp_path / 'b'}", *common)
    assert resumed.returncode == 0, resumed.stderr
    for name in ("model", "ema"):
        a = load_weights(checkpoint_dirs(tmp_path / "a")[-1] / f"{name}.safetensors")
        b = load_weights(checkpoint_dirs(tmp_path / "b")[-1] / f"{name}.safetensors")
        assert all(torch.allclose(a[k], b[k], atol=1e-6) for k in a)


def test_init_from_starts_at_the_source_weights_and_refuses_a_different_model(tiny_run, tiny_corpus, tmp_path):
    # lr 0: after one step the weights are still the ones the run started from
    result = train(f"run_dir={tmp_path / 'ft'}", f"init_from={tiny_run}", f"data.train_filelist={tiny_corpus}",
                   "train.max_steps=1", "train.lr=0", "train.checkpoint_every=1")
    assert result.returncode == 0, result.stderr
    source = load_weights(checkpoint_dirs(tiny_run)[-1] / "ema.safetensors")
    started = load_weights(checkpoint_dirs(tmp_path / "ft")[-1] / "model.safetensors")
    assert source.keys() == started.keys() and all(torch.equal(source[k], started[k]) for k in source)
    fresh = train(f"run_dir={tmp_path / 'fresh'}", f"data.train_filelist={tiny_corpus}", "train.max_steps=1",
                  "train.lr=0", "train.checkpoint_every=1")
    assert fresh.returncode == 0, fresh.stderr
    other = load_weights(checkpoint_dirs(tmp_path / "fresh")[-1] / "model.safetensors")
    assert not all(torch.equal(source[k], other[k]) for k in source)  # the check above can fail

    result = train(f"run_dir={tmp_path / 'bad'}", f"init_from={tiny_run}", f"data.train_filelist={tiny_corpus}",
                   "model.decoder.channels=[16,16]")
    assert result.returncode == 2 and "weights do not fit" in result.stderr and "Traceback" not in result.stderr


def test_init_from_a_model_with_fewer_symbols_keeps_its_rows_and_inits_the_new_ones(tiny_run, tiny_corpus, tmp_path):
    from tts_diffusion.text.symbols import SYMBOLS_V1
    from tts_diffusion.weights import save_weights

    source_path = checkpoint_dirs(tiny_run)[-1] / "ema.safetensors"
    weights, meta = load_weights(source_path), read_metadata(source_path)
    n_old = len(SYMBOLS_V1)
    weights["encoder.embedding.weight"] = weights["encoder.embedding.weight"][:n_old]
    meta["tokenizer"]["table"] = {**meta["tokenizer"]["table"], "symbols": SYMBOLS_V1, "version": 1}
    save_weights(tmp_path / "v1.safetensors", weights, meta)
    result = train(f"run_dir={tmp_path / 'ft'}", f"init_from={tmp_path / 'v1.safetensors'}",
                   f"data.train_filelist={tiny_corpus}", "train.max_steps=1", "train.lr=0", "train.checkpoint_every=1")
    assert result.returncode == 0, result.stderr
    started = load_weights(checkpoint_dirs(tmp_path / "ft")[-1] / "model.safetensors")
    table = started["encoder.embedding.weight"]
    assert table.shape[0] == n_old + 1 and torch.equal(table[:n_old], weights["encoder.embedding.weight"])
    assert table[n_old].abs().sum() > 0  # the new symbol's row has its initial value, not zeros
    assert all(torch.equal(weights[k], started[k]) for k in weights if k != "encoder.embedding.weight")


def test_two_process_gloo_ddp_keeps_ranks_identical(tiny_corpus, tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2",
         "-m", "tts_diffusion.train", TINY, f"run_dir={tmp_path / 'ddp'}", f"data.train_filelist={tiny_corpus}",
         "train.max_steps=12", "data.batch_size=2"],
        capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "parameters identical across 2 ranks" in result.stderr


def test_unknown_key_and_missing_data_are_one_line_errors(tiny_corpus, tmp_path):
    result = train(f"run_dir={tmp_path / 'x'}", "model.decoder.chanels=[8]")
    assert result.returncode == 2 and "unknown config key 'model.decoder.chanels'" in result.stderr
    assert "Traceback" not in result.stderr
    result = train(f"run_dir={tmp_path / 'x'}", "data.train_filelist=/nonexistent/train.txt")
    assert result.returncode == 2 and "/nonexistent/train.txt does not exist" in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_items_are_skipped_counted_and_named(tiny_corpus, tmp_path):
    wavs = tiny_corpus.parent / "wavs"
    (wavs / "u1.wav").write_bytes(b"garbage")
    sf.write(wavs / "u2.wav", sf.read(wavs / "u3.wav")[0], 16000)  # another sample rate
    lines = tiny_corpus.read_text(encoding="utf-8").splitlines()
    lines[3] = lines[3].split("|")[0] + "|ko|☃☃"  # nothing voiceable
    tiny_corpus.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = train(f"run_dir={tmp_path / 'run'}", f"data.train_filelist={tiny_corpus}", "train.max_steps=20",
                   "data.batch_size=2")  # 7 readable items: batches of 2 reach every one of them
    assert result.returncode == 0, result.stderr
    assert "u1.wav: the audio cannot be read" in result.stderr and "1 of 8 training utterances have unreadable" \
        in result.stderr  # left out before batching
    assert "u2.wav is at 16000 Hz" in result.stderr and "u3.wav" in result.stderr
    assert "2 training utterances were skipped" in result.stderr


def test_unreadable_files_are_left_out_before_batching_not_batched_together(tiny_corpus, tmp_path):
    """Five broken files among thirteen: their zero lengths once put them in one batch that stopped the run."""
    lines = tiny_corpus.read_text(encoding="utf-8").splitlines()
    for k in range(5):
        (tiny_corpus.parent / "wavs" / f"broken{k}.wav").write_bytes(b"not audio")
        lines.append(f"wavs/broken{k}.wav|ko|안녕하세요.")
    tiny_corpus.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = train(f"run_dir={tmp_path / 'run'}", f"data.train_filelist={tiny_corpus}", "train.max_steps=12")
    assert result.returncode == 0, result.stderr[-1500:]
    assert "5 of 13 training utterances have unreadable audio" in result.stderr


def test_fewer_utterances_than_a_batch_is_an_error_not_a_hang(tiny_corpus, tmp_path):
    lines = tiny_corpus.read_text(encoding="utf-8").splitlines()[:3]
    tiny_corpus.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = train(f"run_dir={tmp_path / 'run'}", f"data.train_filelist={tiny_corpus}", timeout=120)
    assert result.returncode == 2
    assert "3 usable training utterances of 3" in result.stderr and "fewer than one batch of 4" in result.stderr
    tiny_corpus.write_text("", encoding="utf-8")
    empty = train(f"run_dir={tmp_path / 'run'}", f"data.train_filelist={tiny_corpus}", timeout=120)
    assert empty.returncode == 2 and "lists no utterance" in empty.stderr


def test_an_unreadable_newest_checkpoint_falls_back_to_the_one_before(tiny_corpus, tmp_path):
    run = tmp_path / "run"
    assert train(f"run_dir={run}", f"data.train_filelist={tiny_corpus}", "train.max_steps=40",
                 "train.checkpoint_every=20").returncode == 0
    newest = checkpoint_dirs(run)[-1]
    (newest / "model.safetensors").write_bytes(b"truncated")
    result = train(f"run_dir={run}", f"data.train_filelist={tiny_corpus}", "train.max_steps=45")
    assert result.returncode == 0, result.stderr[-1500:]
    assert f"checkpoint {newest} cannot be read" in result.stderr and "resumed from" in result.stderr
    assert "step_0000020" in result.stderr.split("resumed from")[1].splitlines()[0]


@pytest.mark.parametrize("recipe", sorted(p for p in (ROOT / "recipes").glob("*.yaml")
                                           if not p.name.startswith(("hifigan", "vocos"))),
                         ids=lambda p: p.name)
def test_every_recipe_loads(recipe):
    from tts_diffusion.config import load_config
    from tts_diffusion.training.acoustic import TrainConfig

    config = load_config(TrainConfig, recipe)
    assert config.data.train_filelist and config.train.max_steps > 0


def test_non_finite_losses_are_skipped_then_stop_the_run(tiny_corpus, tmp_path):
    # a learning rate that throws the weights to infinity after the first step: every later loss is NaN
    result = train(f"run_dir={tmp_path / 'run'}", f"data.train_filelist={tiny_corpus}", "train.max_bad_steps=3",
                   "train.lr=1.0e+30", "train.grad_clip=1.0e+30")
    assert result.returncode == 2
    assert "non-finite loss, skipped (1 in a row)" in result.stderr
    assert re.search(r"error: 3 non-finite losses in a row at step \d", result.stderr) and "Traceback" not in result.stderr
    assert not checkpoint_dirs(tmp_path / "run")


def test_audio_that_reads_but_holds_nan_is_named_and_kept_out(tiny_corpus, tmp_path):
    """A readable WAV of NaN samples used to enter the mel cache and make every batch holding it skip
    a step without a name: now each such file is named once and left out."""
    import numpy as np

    wavs = sorted((tiny_corpus.parent / "wavs").iterdir())
    for wav in wavs:
        audio = np.full(20000, 0.1, dtype=np.float32)
        audio[5000] = np.nan
        sf.write(wav, audio, 22050, subtype="FLOAT")
    result = train(f"run_dir={tmp_path / 'run'}", f"data.train_filelist={tiny_corpus}")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    named = re.findall(r"skipping (\S+): (\S+) holds non-finite samples \(NaN or infinity\)", result.stderr)
    assert named and all(a == b and a in map(str, wavs) for a, b in named), result.stderr
    assert "a whole batch had no usable utterance" in result.stderr


def test_a_full_disk_during_a_save_is_one_clear_error_and_leaves_no_partial_checkpoint(tmp_path, monkeypatch):
    import errno

    from tts_diffusion.training import checkpoint

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(checkpoint.torch, "save", full)
    with pytest.raises(checkpoint.CheckpointError, match="cannot save checkpoint .*step_0000005: the disk is full"):
        checkpoint.save_checkpoint(tmp_path, 5, {"model": {"w": torch.zeros(2)}}, {}, {"step": 5})
    assert list((tmp_path / "checkpoints").iterdir()) == []
    (tmp_path / "checkpoints" / ".step_0000009.tmp").mkdir()  # left by a killed save
    checkpoint.remove_partial_checkpoints(tmp_path)
    assert list((tmp_path / "checkpoints").iterdir()) == []


def test_a_bf16_autocast_step_runs_in_bf16_and_agrees_with_fp32(tmp_path):
    """The CUDA recipes train under bf16 autocast; no GPU is here, so the same step runs under CPU
    autocast: convolutions compute in bf16, the losses stay close to fp32's, weights stay fp32."""
    import copy

    from tts_diffusion.config import load_config
    from tts_diffusion.models.tts import GradTTS
    from tts_diffusion.training.acoustic import TrainConfig, loss_fn
    from tts_diffusion.training.loop import Distributed, LoopConfig, Trainer

    config = load_config(TrainConfig, TINY, [])
    torch.manual_seed(0)
    model = GradTTS(40, 3, 80, config.model)
    g = torch.Generator().manual_seed(1)
    batch = {"ids": torch.randint(1, 40, (2, 12), generator=g), "langs": torch.ones(2, 12, dtype=torch.long),
             "token_lengths": torch.tensor([12, 9]), "mels": torch.randn(2, 80, 60, generator=g) - 4,
             "mel_lengths": torch.tensor([60, 44]), "speakers": torch.zeros(2, dtype=torch.long)}
    results = {}
    for amp in (False, True):
        loop = LoopConfig(lr=1e-3, amp=amp, amp_cpu=True, device="cpu", ema_decay=0.9)
        trainer = Trainer(tmp_path / f"amp{amp}", copy.deepcopy(model), loop, torch.device("cpu"), Distributed(), {})
        seen = []
        trainer.model.decoder.down[0].res1.block1[0].register_forward_hook(lambda m, i, o: seen.append(o.dtype))
        before = [p.detach().clone() for p in trainer.model.parameters()]
        results[amp] = trainer.train_step({"model": loss_fn}, batch)
        assert seen and set(seen) == {torch.bfloat16 if amp else torch.float32}
        assert all(p.dtype == torch.float32 for p in trainer.model.parameters())
        assert any(not torch.equal(a, b) for a, b in zip(before, trainer.model.parameters()))
    for name in ("duration", "prior", "diffusion"):
        assert abs(results[True][name] - results[False][name]) < 0.05 * abs(results[False][name]) + 1e-3, name
