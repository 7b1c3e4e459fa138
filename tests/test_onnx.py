"""The ONNX export and the torch-free runtime: parity with the torch path, and a run without torch."""

import dataclasses
import json
import os
import shutil
import subprocess
import sys
import types

import numpy as np
import pytest
import torch

pytest.importorskip("onnxruntime")
pytest.importorskip("onnx")

from tts_diffusion import TTS  # noqa: E402
from tts_diffusion.audio import MelConfig  # noqa: E402
from tts_diffusion.export.command import main as export_main  # noqa: E402
from tts_diffusion.options import SynthesisOptions  # noqa: E402
from tts_diffusion.pipeline import acoustic  # noqa: E402
from tts_diffusion.pretrained import load_acoustic  # noqa: E402
from tts_diffusion.engines.onnx_engine import OnnxEngine  # noqa: E402
from tts_diffusion.dsp import STFT, NumpyGriffinLim, hann_window, istft, stft  # noqa: E402
from tts_diffusion.sampling import sample  # noqa: E402
from tts_diffusion.text import pad_tokens  # noqa: E402

from conftest import ROOT  # noqa: E402

TEXTS = ["안녕하세요. 오늘의 뉴스입니다.", "Good evening."]


@pytest.fixture(scope="module")
def onnx_voice(tiny_run, tmp_path_factory):
    out = tmp_path_factory.mktemp("onnx") / "voice"
    assert export_main(["--onnx", str(tiny_run), str(out), "--decoders", "ode:4,ode:10,ode-heun:2"]) == 0
    return out


def test_the_export_writes_the_graphs_and_their_description(onnx_voice):
    meta = json.loads((onnx_voice / "voice.json").read_text())
    # the default vocoder for the bundled voices' mel: Griffin-Lim from the bundled Vocos's phase
    assert meta["format"] == "tts-diffusion/onnx/1" and meta["vocoder"] == {
        "kind": "vocos+griffinlim", "iterations": 16, "momentum": 0.99, "power": 1.0, "seed": 0, "file": "vocoder.onnx"}
    assert (onnx_voice / "vocoder.onnx").is_file()
    assert meta["decoders"] == {"ode": {"4": "decoder_ode_4.onnx", "10": "decoder_ode_10.onnx"},
                                "ode-heun": {"2": "decoder_ode-heun_2.onnx"}}
    assert all((onnx_voice / name).is_file() for d in meta["decoders"].values() for name in d.values())


@pytest.mark.parametrize("method,steps", [("ode", 4), ("ode", 10), ("ode-heun", 2)])
def test_onnx_and_torch_give_the_same_mel_from_the_same_noise(tiny_run, onnx_voice, method, steps):
    model, tokenizer, _ = load_acoustic(tiny_run)
    engine = OnnxEngine(onnx_voice)
    encoded = [tokenizer.encode(t) for t in TEXTS]
    ids, langs, lengths = pad_tokens([e.ids for e in encoded], [e.langs for e in encoded])
    mu_x, log_w = engine.encode(ids, langs, lengths, None)  # each sentence alone, against torch's padded batch
    with torch.no_grad():
        mu_t, log_w_t, x_mask = model.encode(*map(torch.from_numpy, (ids, langs, lengths)))
    assert np.abs(mu_x - (mu_t * x_mask).numpy()).max() < 1e-4 and np.abs(log_w - (log_w_t * x_mask).numpy()).max() < 1e-4
    mu_y, y_mask, _ = model.prior(*map(torch.from_numpy, (ids, langs, lengths)))
    frames = mu_y.shape[-1] + (-mu_y.shape[-1]) % engine.multiple
    mu = torch.nn.functional.pad(mu_y, (0, frames - mu_y.shape[-1]))
    mask = torch.nn.functional.pad(y_mask, (0, frames - mu_y.shape[-1]))
    x_init = (mu + torch.randn(mu.shape, generator=torch.Generator().manual_seed(0))) * mask
    expected, _ = sample(model.score_fn(mu, mask), x_init, mu, model.sde, method, steps, mask=mask)
    (mel,) = engine._decoder(method, steps).run(None, {"mu": mu.numpy(), "mask": mask.numpy(), "x_init": x_init.numpy()})
    rms = np.sqrt(np.mean((mel - expected.numpy()) ** 2))
    assert rms < 1e-3 and np.abs(expected.numpy()).mean() > 0.5  # a real mel, matched


@pytest.mark.parametrize("method,steps", [("ode", 4), ("ode-heun", 2)])
def test_the_same_text_options_and_seed_give_the_same_mel_on_both_engines(tiny_run, onnx_voice, method, steps):
    """One pipeline (durations, padding, the prior's noise) over both engines: they differ only in float error."""
    text = "오늘 서울의 기온은 3.5도입니다. Good evening."
    on_torch = TTS.from_pretrained(tiny_run).synthesize(text, seed=11, method=method, steps=steps)
    on_onnx = TTS.from_pretrained(onnx_voice, threads=1).synthesize(text, seed=11, method=method, steps=steps)
    assert on_torch.mel.shape == on_onnx.mel.shape and [w.start for w in on_torch.words] == [w.start for w in on_onnx.words]
    assert np.sqrt(np.mean((on_torch.mel - on_onnx.mel) ** 2)) < 1e-3 < np.abs(on_torch.mel).mean()
    other_seed = TTS.from_pretrained(onnx_voice, threads=1).synthesize(text, seed=12, method=method, steps=steps)
    assert np.sqrt(np.mean((other_seed.mel - on_onnx.mel) ** 2)) > 1e-2  # the seed matters: the match is not trivial


def test_int8_calibration_draws_the_prior_at_the_runtimes_temperature(tiny_run):
    from tts_diffusion.export.int8 import calibration_inputs

    model, tokenizer, _ = load_acoustic(tiny_run)
    for feed in calibration_inputs(model, tokenizer)[:2]:
        inside = feed["mask"][0, 0] > 0
        spread = (feed["x_init"] - feed["mu"])[0][:, inside].std()
        assert abs(spread - model.sde.prior_std() / SynthesisOptions().temperature) < 0.03 * spread
        assert (feed["x_init"][0][:, ~inside] == 0).all()


def test_the_runtime_speaks_without_torch(onnx_voice, tmp_path):
    """import torch fails in the child; tts-say and the API still speak, streamed and whole alike."""
    out = tmp_path / "out.wav"
    code = f"""
import sys
sys.modules["torch"] = None  # import torch raises ImportError from here on
import numpy as np
from tts_diffusion import TTS, SynthesisOptions
from tts_diffusion.cli import main
tts = TTS.from_pretrained({str(onnx_voice)!r}, threads=1)
text = "안녕하세요. 오늘의 뉴스입니다. Good evening."
whole = tts.synthesize(text, seed=1, steps=4)
chunks = list(tts.stream(text, SynthesisOptions(seed=1, steps=4)))
assert np.array_equal(np.concatenate([c.audio for c in chunks]), whole.audio) and len(chunks) == 3
assert np.array_equal(tts.synthesize(text, seed=1, steps=4).audio, whole.audio)
assert np.abs(whole.audio).max() > 0.01
assert main(["안녕하세요.", "--model", {str(onnx_voice)!r}, "-o", {str(out)!r}, "-q", "--seed", "0"]) == 0
print("torch" in sys.modules and sys.modules["torch"] is None)
"""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True"] and out.stat().st_size > 10_000


def test_griffin_lim_inverts_a_batch_in_parallel_in_order(onnx_voice):
    engine = OnnxEngine(onnx_voice, threads=2)
    rng = np.random.default_rng(0)
    mels = [rng.normal(-4.0, 1.5, (80, frames)).astype(np.float32) for frames in (40, 90, 25)]
    audios = list(engine.vocode_each(mels))
    assert engine._pool is not None and [len(a) for a in audios] == [256 * n for n in (40, 90, 25)]
    assert all(np.array_equal(a, engine.vocode(m)) for a, m in zip(audios, mels))  # threads change nothing


def test_a_batch_gives_the_mels_its_sentences_give_alone(onnx_voice):
    """Each sentence runs alone at its own length, on the next free thread: on one thread or two, the
    same seeds give the same mels; and the decoder graph masks padding, so the same sentences padded
    into one batch through it give them too."""
    one, two = OnnxEngine(onnx_voice, threads=1), OnnxEngine(onnx_voice, threads=2)
    texts = ["안녕하세요.", "Good evening. Here is the news.", "오늘의 뉴스입니다.", "Good night."]
    encoded = [one.tokenizer.encode(t) for t in texts]
    ids, langs, lengths = pad_tokens([e.ids for e in encoded], [e.langs for e in encoded])
    decoder = one._decoder("ode", 4)
    fed, run = [], decoder.run
    decoder.run = lambda names, feeds: fed.append(feeds) or run(names, feeds)
    whole, _, nfe = acoustic(one, ids, langs, lengths, None, SynthesisOptions(), [3, 4, 5, 6])
    split, _, nfe_split = acoustic(two, ids, langs, lengths, None, SynthesisOptions(), [3, 4, 5, 6])
    assert nfe == nfe_split == 4 and len(fed) == 4 and len({f["mu"].shape[-1] for f in fed}) == 4
    assert max(np.abs(a - b).max() for a, b in zip(whole, split)) < 1e-6
    assert np.abs(whole[1]).mean() > 0.5 and not np.allclose(whole[0][:, :10], whole[2][:, :10])
    width = max(f["mu"].shape[-1] for f in fed)
    padded = {k: np.concatenate([np.pad(f[k], [(0, 0)] * (f[k].ndim - 1) + [(0, width - f[k].shape[-1])])
                                 if f[k].ndim == 3 else f[k] for f in fed]) for k in fed[0]}
    (batch,) = run(None, padded)
    assert max(np.abs(batch[i, :, :m.shape[1]] - m).max() for i, m in enumerate(whole)) < 1e-4
    # a lone sentence runs on both threads (a session with two intra-op threads; Griffin-Lim's frames
    # in two lanes): the same mel and audio as on one, up to float rounding
    lone, *_ = acoustic(two, ids[1:2, :lengths[1]], langs[1:2, :lengths[1]], lengths[1:2], None, SynthesisOptions(), [4])
    assert np.abs(lone[0] - whole[1]).max() < 1e-4
    assert sorted(threads for _, threads in two._decoders) == [1, 2]
    (audio,) = two.vocode_each(lone)
    assert np.abs(audio - one.vocode(whole[1])).max() < 1e-3 and np.abs(audio).max() > 0.01


def test_what_was_not_exported_is_a_clear_error(onnx_voice):
    tts = TTS.from_pretrained(onnx_voice)
    with pytest.raises(ValueError, match="no ode decoder with 7 steps .* --decoders ode:7"):
        tts.synthesize("안녕하세요.", steps=7)
    with pytest.raises(ValueError, match="samples with ode, ode-heun, ode-euler only, not sde"):
        tts.synthesize("안녕하세요.", method="sde")
    with pytest.raises(ValueError, match="exported vocoder .vocos.griffinlim., griffinlim.:N.*not .hf:acme"):
        TTS.from_pretrained(onnx_voice, vocoder="hf:acme/vocoder")
    assert export_main(["--onnx", "x", "y", "--decoders", "sde:10"]) == 2


def test_a_damaged_export_is_a_clear_error(onnx_voice, tmp_path):
    import shutil

    damaged = tmp_path / "damaged"
    shutil.copytree(onnx_voice, damaged)
    (damaged / "encoder.onnx").write_bytes(b"not a graph")
    with pytest.raises(ValueError, match="cannot load .*encoder.onnx"):
        TTS.from_pretrained(damaged)
    (damaged / "voice.json").write_text("{}")
    with pytest.raises(ValueError, match="is not an exported tts-diffusion voice"):
        TTS.from_pretrained(damaged)


def test_numpy_stft_and_griffin_lim_match_torch():
    c = MelConfig()
    x = np.random.default_rng(0).standard_normal(256 * 40) * 0.1
    window = hann_window(c.win_length, c.n_fft)
    ours = stft(x, c.n_fft, c.hop_length, window)
    theirs = torch.stft(torch.from_numpy(x), c.n_fft, c.hop_length, c.win_length,
                        torch.hann_window(c.win_length, dtype=torch.float64), return_complex=True).numpy()
    assert ours.dtype == np.complex64 and np.abs(ours - theirs).max() < 1e-6 * np.abs(theirs).max()  # float32 rounding
    inverse = istft(ours, c.n_fft, c.hop_length, window, len(x))
    assert inverse.dtype == np.float32 and np.abs(inverse - x).max() < 1e-6  # float32 audio: its rounding
    from tts_diffusion.spectrogram import MelSpectrogram
    from tts_diffusion.vocoder import GriffinLim as TorchGriffinLim

    t = np.arange(22050) / 22050
    tone = (0.3 * np.sin(2 * np.pi * 220 * t) + 0.2 * np.sin(2 * np.pi * 660 * t)).astype(np.float32)
    to_mel = MelSpectrogram(c)
    mel = to_mel(torch.from_numpy(tone))
    numpy_error = (to_mel(torch.from_numpy(NumpyGriffinLim(c, 30)(mel.numpy()))) - mel).abs().mean()
    torch_griffinlim = TorchGriffinLim(c, 30)
    torch_griffinlim.numpy_on_cpu = False  # torch.stft/istft, as on a GPU
    torch_error = (to_mel(torch_griffinlim(mel)) - mel).abs().mean()
    assert numpy_error < 0.5 and abs(numpy_error - torch_error) < 0.1 * torch_error, (numpy_error, torch_error)


def test_the_same_framed_stft_matches_torch_and_inverts():
    """center=False (the mel's and Vocos's framing): reflect padding of (n_fft - hop) / 2, len // hop
    frames, frame k centred on sample k hop + hop / 2; the inverse gives the signal back."""
    c = MelConfig()
    x = np.random.default_rng(3).standard_normal(256 * 40 + 100) * 0.1
    window = hann_window(c.win_length, c.n_fft)
    ours = stft(x, c.n_fft, c.hop_length, window, center=False)
    pad = (c.n_fft - c.hop_length) // 2
    padded = torch.nn.functional.pad(torch.from_numpy(x[:256 * 40])[None, None], (pad, pad), mode="reflect")[0, 0]
    theirs = torch.stft(padded, c.n_fft, c.hop_length, c.win_length, torch.hann_window(c.win_length, dtype=torch.float64),
                        center=False, return_complex=True).numpy()
    assert ours.shape == theirs.shape == (513, 40) and np.abs(ours - theirs).max() < 1e-6 * np.abs(theirs).max()
    assert np.abs(istft(ours, c.n_fft, c.hop_length, window, 256 * 40, center=False) - x[:256 * 40]).max() < 1e-6


def test_griffin_lim_from_the_signals_own_phase_keeps_the_signal():
    """Started from the phase of the signal's own STFT (framed as the mel), Griffin-Lim gives back a
    waveform close to the signal itself, sample for sample; from noise (or from that phase half a
    hop off, as a centred STFT's frames sit) it finds another waveform with a similar spectrum."""
    from tts_diffusion.spectrogram import MelSpectrogram

    c = MelConfig()
    t = np.arange(256 * 86) / c.sample_rate
    f0 = 140 + 30 * np.sin(2 * np.pi * 1.5 * t)
    x = (0.3 * sum(np.sin(k * 2 * np.pi * np.cumsum(f0) / c.sample_rate) / k for k in range(1, 15))).astype(np.float32)
    mel = MelSpectrogram(c)(torch.from_numpy(x)).numpy()
    window = hann_window(c.win_length, c.n_fft)
    own = np.angle(stft(x, c.n_fft, c.hop_length, window, center=False))
    centred = np.angle(stft(x, c.n_fft, c.hop_length, window))[:, :mel.shape[1]]

    def correlation(phase):
        y = NumpyGriffinLim(c, 8)(mel, phase=phase)
        assert y.shape == x.shape
        return np.dot(x, y) / np.linalg.norm(x) / np.linalg.norm(y)

    assert correlation(own) > 0.9 and abs(correlation(None)) < 0.3 and correlation(centred) < 0.6
    with pytest.raises(ValueError, match="a phase of shape"):
        NumpyGriffinLim(c, 8)(mel, phase=own[:, 1:])


@pytest.mark.parametrize("center", [False, True])
def test_torch_and_numpy_griffin_lim_agree_from_the_same_phase(center):
    from tts_diffusion.vocoder import GriffinLim as TorchGriffinLim

    c = dataclasses.replace(MelConfig(), center=center)
    rng = np.random.default_rng(4)
    mel = rng.normal(-4.0, 1.5, (2, 80, 30)).astype(np.float32)
    phase = torch.from_numpy(rng.uniform(-np.pi, np.pi, (2, 513, 30)))
    numpy_path = TorchGriffinLim(c, 6)(torch.from_numpy(mel), phase)
    torch_path = TorchGriffinLim(c, 6)
    torch_path.numpy_on_cpu = False
    audio = torch_path(torch.from_numpy(mel), phase)
    assert audio.shape == numpy_path.shape == (2, 256 * (30 - center))
    assert (audio - numpy_path).abs().max() < 1e-4 * audio.abs().max() and audio.abs().max() > 1e-3


def test_the_stft_reuses_its_arrays_without_carrying_state():
    """One STFT object, signals in turn (as Griffin-Lim's iterations): each result is that signal's
    own (against frames cut from np.pad's reflect padding), and the inverse gives the signal back;
    over several blocks of frames (the last one partial) and short signals (padding longer than
    the signal)."""
    c = MelConfig()
    window = hann_window(c.win_length, c.n_fft)
    rng = np.random.default_rng(1)
    for length in (256 * (2 * STFT.BLOCK + 20), 300):
        transform = STFT(1 + length // c.hop_length, c.n_fft, c.hop_length, window, length)
        for _ in range(3):
            x = rng.standard_normal(length) * 0.1
            padded = np.pad(x, c.n_fft // 2, mode="reflect")
            frames = np.lib.stride_tricks.sliding_window_view(padded, c.n_fft)[::c.hop_length]
            spectrum = transform.forward(x)
            exact = np.fft.rfft(frames * window, axis=-1)
            assert np.abs(spectrum - exact).max() < 1e-6 * np.abs(exact).max()  # float32 rounding
            assert np.abs(transform.inverse(spectrum) - x).max() < 1e-6


def test_lanes_split_the_frames_and_add_up_to_the_same_transform():
    """Frames split into lanes (runs of consecutive blocks, each with its own scratch and sum, one
    thread each) cover every frame once, as evenly as blocks allow; the inverse adds the lanes' sums
    into the same audio, and Griffin-Lim on several threads gives one thread's audio up to float32
    rounding where lanes meet."""
    c = MelConfig()
    window = hann_window(c.win_length, c.n_fft)
    frames = 2 * STFT.BLOCK + 20
    length = 256 * (frames - 1)
    x = np.random.default_rng(2).standard_normal(length) * 0.1
    one = STFT(frames, c.n_fft, c.hop_length, window, length)
    spectrum = one.forward(x)
    for lanes in (2, 3, 9):
        transform = STFT(frames, c.n_fft, c.hop_length, window, length, lanes=lanes)
        covered = [f for lane in transform.lanes for first, end in lane for f in range(first, end)]
        sizes = [sum(end - first for first, end in lane) for lane in transform.lanes]
        assert covered == list(range(frames)) and len(transform.lanes) == min(lanes, 3)
        assert max(sizes) - min(sizes) <= 1 and all(end - first <= STFT.BLOCK for lane in transform.lanes for first, end in lane)
        transform.load(x)
        for lane, blocks in reversed(list(enumerate(transform.lanes))):  # any order: sums are per lane
            for first, end in blocks:
                assert np.array_equal(transform.spectrum(first, end, lane), spectrum[first:end])
                transform.add(spectrum[first:end], first, lane)
        assert np.abs(transform.audio() - x).max() < 1e-6
    mel = np.log(np.abs(spectrum[:, :c.n_mels].T) + 1e-3).astype(np.float32)
    single = NumpyGriffinLim(c, 8)(mel)
    for threads in (2, 3):
        shared = NumpyGriffinLim(c, 8)(mel, threads=threads)
        assert np.abs(shared - single).max() < 1e-4 and not np.array_equal(shared, np.zeros_like(shared))


def test_a_neural_vocoder_exports_with_the_voice(tiny_run, tmp_path):
    from safetensors.torch import save_file

    from tts_diffusion.vocoder import VARIANTS, Generator, load_vocoder
    from tts_diffusion.vocoder.vocos import Vocos, VocosConfig

    torch.manual_seed(0)
    hifigan = tmp_path / "hifigan"
    hifigan.mkdir()
    config = dataclasses.replace(VARIANTS["v3"], upsample_initial_channel=32)
    save_file(Generator(config).state_dict(), str(hifigan / "generator.safetensors"))
    (hifigan / "config.json").write_text(json.dumps(dataclasses.asdict(config)))
    vocos = tmp_path / "vocos"
    vocos.mkdir()
    vocos_config = VocosConfig(dim=32, intermediate_dim=48, n_layers=2)
    save_file(Vocos(vocos_config).state_dict(), str(vocos / "generator.safetensors"))
    (vocos / "config.json").write_text(json.dumps({"architecture": "vocos", **dataclasses.asdict(vocos_config)}))
    residual = tmp_path / "vocos_mel_residual"  # its magnitude a correction to the mel's: the pseudo-inverse in the graph
    residual.mkdir()
    residual_config = dataclasses.replace(vocos_config, magnitude="mel_residual")
    save_file(Vocos(residual_config).state_dict(), str(residual / "generator.safetensors"))
    (residual / "config.json").write_text(json.dumps({"architecture": "vocos", **dataclasses.asdict(residual_config)}))
    mel = torch.randn(1, 80, 40) - 4
    for spec, tolerance in ((str(hifigan), 1e-4), (str(residual), 1e-4), (str(vocos), 1e-4),
                            (f"{vocos}+griffinlim:4", 1e-3)):
        out = tmp_path / f"voice_{len(spec)}"
        assert export_main(["--onnx", str(tiny_run), str(out), "--decoders", "ode:2", "--vocoder", spec]) == 0
        expected = load_vocoder(spec)(mel).reshape(-1).detach().numpy()
        audio = OnnxEngine(out).vocode(mel[0].numpy())
        assert audio.shape == expected.shape and np.abs(audio - expected).max() < tolerance * max(1, np.abs(expected).max())
    # a voice exported with a Vocos speaks through it alone, or through Griffin-Lim from its phase or from noise
    both = OnnxEngine(out, "vocos")
    assert both.vocoder_kind == "vocos" and np.abs(both.vocode(mel[0].numpy()) - OnnxEngine(tmp_path / f"voice_{len(str(vocos))}").vocode(mel[0].numpy())).max() < 1e-6
    assert OnnxEngine(out, "vocos+griffinlim:2").griffinlim.iterations == 2
    assert OnnxEngine(out, "griffinlim").griffinlim.iterations == 32
    for bad in ("vocos:3", "hifigan", "hf:acme/vocos+griffinlim"):
        with pytest.raises(ValueError, match="exported vocoder .vocos.griffinlim., griffinlim"):
            OnnxEngine(out, bad)
    with pytest.raises(ValueError, match="whole number from 1 to 1000, not '0'"):
        OnnxEngine(out, "vocos+griffinlim:0")
    with pytest.raises(ValueError, match="exported with a Vocos"):
        OnnxEngine(tmp_path / f"voice_{len(str(hifigan))}", "vocos+griffinlim")


def test_the_bundled_voice_onnx_form_is_made_on_first_use_and_cached(tiny_run, tmp_path, monkeypatch):
    """--runtime onnx: exported once into the cache, then loaded from it (no second export); the same
    audio both times; a torch model other than the bundled one is a clear error."""
    from tts_diffusion import api
    from tts_diffusion.export import onnx_graphs

    bundled = tmp_path / "default"
    bundled.mkdir()
    assert export_main([str(tiny_run), str(bundled / "voice.safetensors")]) == 0
    monkeypatch.setattr(api, "BUNDLED", bundled)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert not isinstance(TTS.from_pretrained(runtime="auto").engine, OnnxEngine)  # nothing cached: torch
    first = TTS.from_pretrained(runtime="onnx", threads=1)
    made = list((tmp_path / "cache" / "tts-diffusion" / "onnx").iterdir())
    assert isinstance(first.engine, OnnxEngine) and [p.name[:8] for p in made] == ["default-"]
    graphs = sorted(p.name for p in made[0].glob("*.onnx"))  # each also kept as optimized for this machine
    assert len(graphs) >= 3 and sorted(p.name for p in (made[0] / "optimized").glob("*.onnx")) == graphs
    plain = shutil.copytree(made[0], tmp_path / "plain", ignore=shutil.ignore_patterns("optimized"))
    assert np.array_equal(TTS.from_pretrained(plain, threads=1).synthesize("안녕하세요.", seed=3).audio,
                          first.synthesize("안녕하세요.", seed=3).audio)  # optimized graphs: the same audio
    (plain / "optimized").mkdir()
    (plain / "optimized" / "encoder.onnx").write_bytes(b"not a graph")  # and they are what gets loaded
    with pytest.raises(ValueError, match="cannot load .*optimized/encoder.onnx"):
        TTS.from_pretrained(plain, threads=1)

    def no_second_export(*args, **kwargs):
        raise AssertionError("exported again")

    monkeypatch.setattr(onnx_graphs, "export_onnx", no_second_export)
    again = TTS.from_pretrained(runtime="onnx", threads=1)
    audio = first.synthesize("안녕하세요.", seed=3).audio
    assert np.array_equal(audio, again.synthesize("안녕하세요.", seed=3).audio) and np.abs(audio).max() > 0.01
    auto = TTS.from_pretrained(threads=1, runtime="auto")  # cached now: the fast engine
    assert isinstance(auto.engine, OnnxEngine) and np.array_equal(auto.synthesize("안녕하세요.", seed=3).audio, audio)
    assert auto.supports(SynthesisOptions()) and not auto.supports(SynthesisOptions(method="sde"))
    assert not isinstance(TTS.from_pretrained(runtime="auto", vocoder="griffinlim:4").engine, OnnxEngine)
    from tts_diffusion.cli import main as tts_say  # what the exported voice cannot do, tts-say's torch engine does

    assert tts_say(["안녕하세요.", "--method", "sde", "--steps", "2", "-q", "-o", str(tmp_path / "sde.wav")]) == 0
    assert tts_say(["안녕하세요.", "--runtime", "onnx", "--method", "sde", "-q", "-o", str(tmp_path / "x.wav")]) == 2
    with pytest.raises(ValueError, match="the onnx runtime takes the bundled voice or an exported folder"):
        TTS.from_pretrained(tiny_run, runtime="onnx")
    with pytest.raises(ValueError, match="unknown runtime 'jax': choose auto, torch, onnx"):
        TTS.from_pretrained(runtime="jax")


def test_an_int8_export_quantizes_the_decoders_convolutions(tiny_run, onnx_voice, tmp_path):
    """--int8: the decoder's convolutions QLinearConv but for the first and last of each step (the
    rest of the graph float32); the voice speaks a mel near the float32 export's from the same seed,
    but not equal to it (parity is the float32 export's)."""
    import onnx

    out = tmp_path / "int8"
    assert export_main(["--onnx", str(tiny_run), str(out), "--decoders", "ode:4", "--int8"]) == 0
    assert json.loads((out / "voice.json").read_text())["int8"] is True
    ops = [n.op_type for n in onnx.load(str(out / "decoder_ode_4.onnx")).graph.node]
    convs = [n.op_type for n in onnx.load(str(onnx_voice / "decoder_ode_4.onnx")).graph.node].count("Conv")
    assert ops.count("Conv") == 4 * 4 and ops.count("QLinearConv") == convs - 4 * 4 > 0  # 4 a step, 4 steps
    int8, float32 = OnnxEngine(out, threads=1), OnnxEngine(onnx_voice, threads=1)
    encoded = float32.tokenizer.encode("Good evening. Here is the news.")
    ids, langs, lengths = pad_tokens([encoded.ids], [encoded.langs])
    (a,), *_ = acoustic(float32, ids, langs, lengths, None, SynthesisOptions(), [7])
    (b,), *_ = acoustic(int8, ids, langs, lengths, None, SynthesisOptions(), [7])
    error, spread = np.sqrt(np.mean((a - b) ** 2)), a.std()
    assert a.shape == b.shape and 1e-4 < error < 0.2 * spread
    assert export_main(["x", str(tmp_path / "v.safetensors"), "--int8"]) == 2


def test_tts_say_makes_the_onnx_form_in_the_background_once(tiny_run, tmp_path, monkeypatch):
    """The first tts-say (auto, nothing cached) speaks through torch and starts one detached maker at
    low priority; while its marker is fresh no second one starts; a stale marker (a maker that died)
    is replaced; a cached form, TTS_DIFFUSION_NO_BACKGROUND or a --model starts none."""
    from tts_diffusion import api
    from tts_diffusion.cli import main as tts_say
    from tts_diffusion.export import cache

    bundled = tmp_path / "default"
    bundled.mkdir()
    assert export_main([str(tiny_run), str(bundled / "voice.safetensors")]) == 0
    monkeypatch.setattr(api, "BUNDLED", bundled)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    started = []
    spawn = types.SimpleNamespace(Popen=lambda command, **kw: started.append(command), DEVNULL=subprocess.DEVNULL)
    monkeypatch.setattr(cache, "subprocess", spawn)  # cache's own name only: ctypes spawns ldconfig
    say = lambda *extra: tts_say(["안녕하세요.", "-q", "-o", str(tmp_path / "a.wav"), *extra])  # noqa: E731
    assert say() == 0 and started == []  # the tests' environment says no
    monkeypatch.delenv("TTS_DIFFUSION_NO_BACKGROUND")
    assert say() == 0 and len(started) == 1
    assert started[0][1:] == ["-m", "tts_diffusion.export.cache", "--nice", str(bundled)]
    marker = cache.cached_form(bundled).with_name(cache.cached_form(bundled).name + ".making")
    assert marker.is_file()
    assert say() == 0 and len(started) == 1  # one maker at a time
    os.utime(marker, (0, 0))  # a maker that died long ago
    assert say() == 0 and len(started) == 2
    assert say("--model", str(tiny_run)) == 0 and len(started) == 2  # only the bundled voice is cached
    made = []

    def make(folder):  # the export itself is tested above
        made.append(folder)
        (cache.cached_form(folder) / "voice.json").parent.mkdir(parents=True)
        (cache.cached_form(folder) / "voice.json").write_text("{}")

    monkeypatch.setattr(cache, "onnx_form", make)
    monkeypatch.setattr(os, "nice", lambda increment: None)  # the maker runs in this process here
    assert cache.main(["--nice", str(bundled)]) == 0 and made == [bundled]  # the maker, in the background
    assert not marker.exists() and not cache.make_in_background(bundled)  # done, and cached: nothing to make
