"""Vocoders: Griffin-Lim, HiFi-GAN from official checkpoints, our safetensors, and the Hub (a fake
one on 127.0.0.1, then offline from the cache it filled)."""

import dataclasses
import hashlib
import http.server
import json
import os
import subprocess
import sys
import textwrap
import threading

import numpy as np
import pytest
import torch

from tts_diffusion.audio import MelConfig, griffin_lim_spec

from tts_diffusion.spectrogram import MelSpectrogram
from tts_diffusion.vocoder import VARIANTS, Generator, VocoderError, load_vocoder
from tts_diffusion.vocoder.convert import convert

from conftest import ROOT

SMALL = dataclasses.replace(VARIANTS["v3"], upsample_initial_channel=32)


def harmonic(seconds=1.0, rate=22050):
    t = np.arange(int(seconds * rate)) / rate
    f0 = 140 + 30 * np.sin(2 * np.pi * 1.5 * t)
    phase = 2 * np.pi * np.cumsum(f0) / rate
    return (0.3 * sum(np.sin(k * phase) / k for k in range(1, 15))).astype(np.float32)


def spectral_convergence(audio, mel):
    """||M(audio) - M||_F / ||M|| on the linear mel magnitudes."""
    rebuilt = MelSpectrogram()(audio).exp()
    return ((rebuilt - mel.exp()).norm() / mel.exp().norm()).item()


def test_griffin_lim_reconstructs_the_mel():
    mel = MelSpectrogram()(torch.from_numpy(harmonic()))
    audio = load_vocoder("griffinlim:60")(mel)
    assert audio.shape == (mel.shape[-1] * 256,)
    converged = spectral_convergence(audio, mel)
    random_phase = load_vocoder("griffinlim:1")
    random_phase.iterations = 0
    assert converged < 0.2 and converged < 0.4 * spectral_convergence(random_phase(mel), mel)


def test_griffin_lim_bad_iterations():
    with pytest.raises(VocoderError, match="whole number from 1 to 1000"):
        load_vocoder("griffinlim:abc")
    with pytest.raises(VocoderError, match="whole number from 1 to 1000"):
        load_vocoder("vocos+griffinlim:0")


def test_griffin_lim_specs_are_read_in_one_place():
    """griffinlim[:N] and <vocos>+griffinlim[:N], the defaults 32 from noise and 16 from a Vocos's phase;
    anything else is not a Griffin-Lim spec."""
    assert griffin_lim_spec("griffinlim") == ("", 32) and griffin_lim_spec("griffinlim:8") == ("", 8)
    assert griffin_lim_spec("vocos+griffinlim") == ("vocos", 16)
    assert griffin_lim_spec("hf:acme/v:w.bin+griffinlim:4") == ("hf:acme/v:w.bin", 4)
    assert all(griffin_lim_spec(s) is None for s in ("vocos", "hf:acme/griffinlim", "+griffinlim", "griffinlim2"))
    for bad in ("griffinlim:", "griffinlim:-1", "vocos+griffinlim:x"):
        with pytest.raises(ValueError, match="whole number from 1 to 1000"):
            griffin_lim_spec(bad)


def test_griffin_lim_from_a_vocos_phase():
    """``vocos+griffinlim:N``: the mel's magnitude, Vocos's predicted phase as the first iteration's;
    only a Vocos has a phase to give."""
    from tts_diffusion.vocoder import GriffinLim, VocosGriffinLim

    mel = MelSpectrogram()(torch.from_numpy(harmonic()))
    vocoder = load_vocoder("vocos+griffinlim:4", MelConfig())
    assert isinstance(vocoder, VocosGriffinLim) and vocoder.griffinlim.iterations == 4
    assert load_vocoder("vocos+griffinlim").griffinlim.iterations == 16
    _, phase = vocoder.vocos.spectrum(mel[None])
    audio = vocoder(mel)
    assert torch.equal(audio, GriffinLim(MelConfig(), 4)(mel, phase[0])) and audio.shape == (mel.shape[-1] * 256,)
    assert spectral_convergence(audio, mel) < 0.3 and not torch.allclose(audio, load_vocoder("griffinlim:4")(mel))
    with pytest.raises(VocoderError, match="starts from a Vocos's phase, and griffinlim:2 is not a Vocos"):
        load_vocoder("griffinlim:2+griffinlim")


@pytest.mark.parametrize("name", ["v1", "v2", "v3"])
def test_variants_upsample_by_the_hop(name):
    """Each frame makes one hop of audio, in [-1, 1], and a frame speaks locally: changing the first
    frame changes the audio near it and not the audio 16 frames on (the generator's receptive field
    is ~11 frames), so the output follows each frame where it stands."""
    torch.manual_seed(0)
    generator = Generator(VARIANTS[name]).eval()
    mel = torch.randn(1, 80, 40)
    with torch.no_grad():
        audio = generator(mel)
        changed = mel.clone()
        changed[:, :, 0] += 2.0
        moved = (generator(changed) - audio).abs()[0]
    assert audio.shape == (1, 40 * 256) and audio.abs().max() <= 1.0
    assert moved[:256].max() > 1e-4 and moved[16 * 256:].max() < 1e-6


def official_checkpoint(folder, config=SMALL, seed=0):
    """A checkpoint in the official layout: weight-normed (weight_g, weight_v), {"generator": ...},
    a config.json with training keys too. Returns it and the plain generator it stands for."""
    torch.manual_seed(seed)
    plain = Generator(config).eval()
    state = {}
    for key, value in plain.state_dict().items():
        if key.endswith(".weight"):
            v = value * (1.0 + torch.rand(value.shape[0], *[1] * (value.dim() - 1)))  # scaled per channel
            state[key[:-7] + ".weight_v"] = v
            state[key[:-7] + ".weight_g"] = value.norm(dim=tuple(range(1, value.dim())), keepdim=True)
        else:
            state[key] = value
    folder.mkdir(parents=True, exist_ok=True)
    torch.save({"generator": state}, folder / "g_00100000")
    official = {**dataclasses.asdict(config), "batch_size": 16, "learning_rate": 0.0002, "num_workers": 4}
    (folder / "config.json").write_text(json.dumps(official))
    return folder / "g_00100000", plain


def test_official_checkpoint_and_its_conversion_give_identical_audio(tmp_path):
    checkpoint, plain = official_checkpoint(tmp_path / "official")
    mel = torch.randn(1, 80, 20)
    expected = plain(mel)
    from_official = load_vocoder(str(checkpoint))
    assert torch.allclose(from_official(mel), expected, atol=1e-5)
    convert(str(checkpoint), tmp_path / "ours")
    assert sorted(p.name for p in (tmp_path / "ours").iterdir()) == ["config.json", "generator.safetensors"]
    from_ours = load_vocoder(str(tmp_path / "ours"))
    assert torch.equal(from_ours(mel), from_official(mel))


def test_mel_mismatch_names_both_values(tmp_path):
    official_checkpoint(tmp_path / "v", dataclasses.replace(SMALL, hop_size=200, upsample_rates=[8, 5, 5]))
    with pytest.raises(VocoderError, match=r"hop_length: 256 vs 200"):
        load_vocoder(str(tmp_path / "v"), MelConfig())
    assert load_vocoder(str(tmp_path / "v")).hop_length == 200


def test_unsafe_or_missing_weights_are_clear_errors(tmp_path):
    with pytest.raises(VocoderError, match="no vocoder at"):
        load_vocoder(str(tmp_path / "nothing"))
    folder = tmp_path / "pickle"
    folder.mkdir()
    (folder / "config.json").write_text(json.dumps(dataclasses.asdict(SMALL)))
    torch.save({"generator": {"x": object()}}, folder / "g_1")  # an arbitrary object: refused by weights_only
    with pytest.raises(VocoderError, match="weights-only"):
        load_vocoder(str(folder))


class FakeHub(http.server.BaseHTTPRequestHandler):
    """Answers HEAD and GET on /{repo}/resolve/{revision}/{filename} like the Hub does."""

    files: dict = {}
    hits: list = []

    def _answer(self, body: bool):
        type(self).hits.append(self.path)
        parts = self.path.split("?")[0].strip("/").split("/")
        repo, filename = "/".join(parts[:2]), "/".join(parts[4:])
        if len(parts) < 5 or parts[2] != "resolve" or repo not in {r for r, _ in self.files}:
            self.send_response(404)
            self.send_header("X-Error-Code", "RepoNotFound")
            self.end_headers()
            return
        data = self.files.get((repo, filename))
        if data is None:
            self.send_response(404)
            self.send_header("X-Error-Code", "EntryNotFound")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("X-Repo-Commit", "0123456789abcdef0123456789abcdef01234567")
        self.send_header("ETag", f'"{hashlib.sha256(data).hexdigest()}"')
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if body:
            self.wfile.write(data)

    def do_HEAD(self):
        self._answer(body=False)

    def do_GET(self):
        self._answer(body=True)

    def log_message(self, *args):
        pass


@pytest.fixture
def fake_hub(tmp_path):
    """A fake Hub on 127.0.0.1; yields a runner of a Python snippet with HF_ENDPOINT pointing at it."""
    FakeHub.files, FakeHub.hits = {}, []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), FakeHub)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    env = {**os.environ, "HF_ENDPOINT": f"http://127.0.0.1:{server.server_address[1]}", "HF_HOME": str(tmp_path / "hf"),
           "HF_HUB_DISABLE_TELEMETRY": "1", "HF_HUB_DISABLE_XET": "1"}

    def run(script, spec, **extra):
        return subprocess.run([sys.executable, "-c", textwrap.dedent(script), spec], capture_output=True, text=True,
                              cwd=ROOT, env={**env, **extra}, timeout=120)

    yield run
    server.shutdown()


VOCODER_SCRIPT = """
    import sys, torch
    from tts_diffusion.vocoder import load_vocoder, VocoderError
    try:
        vocoder = load_vocoder(sys.argv[1])
    except VocoderError as err:
        print("ERROR", err); sys.exit(3)
    torch.manual_seed(0)
    torch.set_num_threads(1)  # one thread: the same sum in every process
    print(float(vocoder(torch.randn(1, 80, 10)).abs().sum()))
"""


def test_hub_download_then_offline_from_the_cache(tmp_path, fake_hub):
    convert(str(official_checkpoint(tmp_path / "official")[0]), tmp_path / "ours")
    FakeHub.files = {("acme/hifigan", name): (tmp_path / "ours" / name).read_bytes()
                     for name in ("generator.safetensors", "config.json")}
    online = fake_hub(VOCODER_SCRIPT, "hf:acme/hifigan")
    assert online.returncode == 0, online.stdout + online.stderr
    assert any("generator.safetensors" in h for h in FakeHub.hits)
    assert list((tmp_path / "hf" / "hub").glob("models--acme--hifigan/snapshots/*/generator.safetensors"))
    FakeHub.hits = []
    offline = fake_hub(VOCODER_SCRIPT, "hf:acme/hifigan", HF_HUB_OFFLINE="1")
    assert offline.returncode == 0, offline.stdout + offline.stderr
    assert float(offline.stdout) == pytest.approx(float(online.stdout), rel=1e-5) and FakeHub.hits == []
    unknown_repo = fake_hub(VOCODER_SCRIPT, "hf:acme/nothing")
    assert unknown_repo.returncode == 3 and "hf:acme/nothing" in unknown_repo.stdout
    unknown_file = fake_hub(VOCODER_SCRIPT, "hf:acme/hifigan:missing.safetensors")
    assert unknown_file.returncode == 3 and "missing.safetensors" in unknown_file.stdout


def test_acoustic_model_from_the_hub(tiny_run, fake_hub):
    weights = sorted((tiny_run / "checkpoints").iterdir())[-1] / "ema.safetensors"
    FakeHub.files = {("acme/voice", "model.safetensors"): weights.read_bytes()}
    script = """
        import sys
        from tts_diffusion import TTS
        tts = TTS.from_pretrained(sys.argv[1])
        print(len(tts.synthesize("안녕하세요.", steps=2, seed=0).audio))
    """
    online = fake_hub(script, "hf:acme/voice")
    assert online.returncode == 0, online.stderr[-1500:]
    offline = fake_hub(script, "hf:acme/voice", HF_HUB_OFFLINE="1")
    assert offline.returncode == 0 and offline.stdout == online.stdout and int(online.stdout) > 1000


def test_two_process_gloo_vocoder_training_keeps_ranks_identical(tiny_corpus, tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2",
         "-m", "tts_diffusion.vocoder.train", str(ROOT / "recipes" / "hifigan_tiny.yaml"), f"run_dir={tmp_path / 'ddp'}",
         f"data.train_filelist={tiny_corpus}", "train.max_steps=6", "train.log_every=1"],
        capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "parameters identical across 2 ranks" in result.stderr
    from tts_diffusion.weights import checkpoint_dirs, load_weights

    before = initial_tiny_vocoder_weights()
    after = load_weights(checkpoint_dirs(tmp_path / "ddp")[-1] / "model.safetensors")
    for prefix in ("generator.", "discriminators."):  # both networks were trained (not just kept equal)
        assert any(not torch.equal(before[k], after[k]) for k in before if k.startswith(prefix))


def initial_tiny_vocoder_weights():
    """The tiny recipe's weights before any step, as rank 0 makes them (seeded with train.seed);
    spectral norm's power-iteration buffers are left out (a forward pass moves them)."""
    from tts_diffusion.config import load_config
    from tts_diffusion.training.vocoder import GANVocoderTraining, VocoderTrainConfig

    torch.manual_seed(load_config(VocoderTrainConfig, ROOT / "recipes" / "hifigan_tiny.yaml").train.seed)
    state = GANVocoderTraining(load_config(VocoderTrainConfig, ROOT / "recipes" / "hifigan_tiny.yaml")).state_dict()
    return {k: v for k, v in state.items() if not k.endswith(("._u", "._v"))}


def test_every_vocoder_recipe_loads():
    from tts_diffusion.config import load_config
    from tts_diffusion.training.vocoder import VocoderTrainConfig

    from tts_diffusion.training.vocoder import generator_config

    recipes = sorted((ROOT / "recipes").glob("hifigan_*.yaml")) + sorted((ROOT / "recipes").glob("vocos_*.yaml"))
    assert len(recipes) >= 6
    for recipe in recipes:
        config = load_config(VocoderTrainConfig, recipe)
        assert config.architecture == recipe.name.split("_")[0]
        assert generator_config(config).mel_config() == MelConfig()


def test_fine_tuning_on_predicted_mels(tiny_run, tmp_path):
    filelist = tiny_run.parent / "train.txt"
    mels = tmp_path / "mels"
    result = subprocess.run([sys.executable, "-m", "tts_diffusion.vocoder.predict_mels", "--model", str(tiny_run),
                             "--filelist", str(filelist), "--out", str(mels), "--steps", "2"],
                            capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    from tts_diffusion.data import read_filelist

    for item in read_filelist(filelist):  # teacher-forced: as many frames as the recording's mel
        import soundfile as sf

        assert np.load(mels / f"{item.id}.npy").shape == (80, sf.info(str(item.wav_path)).frames // 256)
    result = subprocess.run([sys.executable, "-m", "tts_diffusion.vocoder.train", str(ROOT / "recipes" / "hifigan_tiny.yaml"),
                             f"run_dir={tmp_path / 'run'}", f"data.train_filelist={filelist}",
                             f"data.predicted_mels={mels}", "train.max_steps=10"],
                            capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    # the training pairs are the predicted mels (cut where the audio is cut), not the audio's own mel
    from tts_diffusion.config import load_config
    from tts_diffusion.training.vocoder import (AudioDataset, GANVocoderTraining, VocoderTrainConfig, collate_audio,
                                             training_pair)

    config = load_config(VocoderTrainConfig, ROOT / "recipes" / "hifigan_tiny.yaml")
    dataset = AudioDataset(read_filelist(filelist)[:2], 22050, str(mels))
    batch = collate_audio([dataset[0], dataset[1]])
    mel, audio = training_pair(GANVocoderTraining(config), batch, torch.Generator().manual_seed(0))
    predicted = [torch.from_numpy(np.load(mels / f"{item.id}.npy")) for item in read_filelist(filelist)[:2]]
    for i in range(2):
        frames = predicted[i].shape[-1]
        starts = [s for s in range(frames - mel.shape[-1] + 1) if torch.equal(predicted[i][:, s:s + mel.shape[-1]], mel[i])]
        assert starts, "each input mel is a window of that utterance's predicted mel"
        s = starts[0] * 256
        assert torch.equal(audio[i, 0], batch["audio"][i, s:s + audio.shape[-1]])


@pytest.mark.parametrize("architecture", ["hifigan", "vocos"])
def test_gan_training_lowers_the_mel_loss_and_its_run_is_a_vocoder(architecture, tiny_corpus, tmp_path):
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    run = tmp_path / "run"
    result = subprocess.run([sys.executable, "-m", "tts_diffusion.vocoder.train",
                             str(ROOT / "recipes" / f"{architecture}_tiny.yaml"), f"run_dir={run}",
                             f"data.train_filelist={tiny_corpus}"], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    events = EventAccumulator(str(run / "tensorboard"))
    events.Reload()
    mel = [e.value for e in events.Scalars("train/mel")]
    assert mel[0] > 1.25 * mel[-1]
    if architecture == "hifigan":
        discriminator = [e.value for e in events.Scalars("train/discriminator")]
        assert discriminator[-1] < discriminator[0]
    vocoder = load_vocoder(str(run), MelConfig())
    assert type(vocoder).__name__ == {"hifigan": "Generator", "vocos": "Vocos"}[architecture]
    assert vocoder(torch.randn(1, 80, 7)).shape == (1, 7 * 256)
    converted = tmp_path / "converted"
    convert(str(run), converted)
    mel_in = torch.randn(1, 80, 7)
    assert torch.equal(load_vocoder(str(converted))(mel_in), vocoder(mel_in))


def test_the_inverse_stft_of_vocos_inverts_a_same_padded_stft():
    from tts_diffusion.vocoder.vocos import istft_same

    x = torch.randn(2, 256 * 40, generator=torch.Generator().manual_seed(0))
    window, pad = torch.hann_window(1024), (1024 - 256) // 2
    spec = torch.stft(torch.nn.functional.pad(x[:, None], (pad, pad), mode="reflect")[:, 0], 1024, 256, window=window,
                      center=False, return_complex=True)
    assert spec.shape[-1] == 40 and torch.allclose(istft_same(spec, 1024, 256, window), x, atol=1e-5)


OFFICIAL_VOCOS_CONFIG = """
feature_extractor:
  class_path: vocos.feature_extractors.MelSpectrogramFeatures
  init_args: {sample_rate: 24000, n_fft: 1024, hop_length: 256, n_mels: 100, padding: center}
backbone:
  class_path: vocos.models.VocosBackbone
  init_args: {input_channels: 100, dim: 32, intermediate_dim: 48, num_layers: 2}
head:
  class_path: vocos.heads.ISTFTHead
  init_args: {dim: 32, n_fft: 1024, hop_length: 256, padding: same}
"""


def official_vocos_state(seed: int = 0) -> dict:
    """Random weights under the official Vocos names (and its buffers that we do not keep)."""
    g = torch.Generator().manual_seed(seed)
    r = lambda *shape: torch.randn(*shape, generator=g) * 0.05  # noqa: E731
    state = {"backbone.embed.weight": r(32, 100, 7), "backbone.embed.bias": r(32), "backbone.norm.weight": 1 + r(32),
             "backbone.norm.bias": r(32), "backbone.final_layer_norm.weight": 1 + r(32),
             "backbone.final_layer_norm.bias": r(32), "head.out.weight": r(1026, 32), "head.out.bias": r(1026),
             "head.istft.window": torch.hann_window(1024), "feature_extractor.mel_spec.mel_scale.fb": r(513, 100)}
    for i in range(2):
        b = f"backbone.convnext.{i}."
        state.update({b + "dwconv.weight": r(32, 1, 7), b + "dwconv.bias": r(32), b + "norm.weight": 1 + r(32),
                      b + "norm.bias": r(32), b + "pwconv1.weight": r(48, 32), b + "pwconv1.bias": r(48),
                      b + "pwconv2.weight": r(32, 48), b + "pwconv2.bias": r(32), b + "gamma": 0.5 + r(32)})
    return state


def test_official_vocos_from_the_hub_needs_its_own_mel(tmp_path, fake_hub):
    import io

    buffer = io.BytesIO()
    torch.save(official_vocos_state(), buffer)
    FakeHub.files = {("charactr/vocos-mel-24khz", "pytorch_model.bin"): buffer.getvalue(),
                     ("charactr/vocos-mel-24khz", "config.yaml"): OFFICIAL_VOCOS_CONFIG.encode()}
    script = """
        import sys, torch
        from tts_diffusion.audio import MelConfig
        from tts_diffusion.vocoder import load_vocoder, VocoderError
        vocoder = load_vocoder(sys.argv[1], MelConfig.preset("vocos-24khz"))
        assert vocoder.sample_rate == 24000 and vocoder.mel_config == MelConfig.preset("vocos-24khz")
        torch.set_num_threads(1)  # one thread: the same sum in every process
        print(float(vocoder(torch.randn(1, 100, 10, generator=torch.Generator().manual_seed(0))).abs().sum()))
        try:
            load_vocoder(sys.argv[1], MelConfig())
        except VocoderError as err:
            print("REFUSED", err)
    """
    online = fake_hub(script, "hf:charactr/vocos-mel-24khz")
    assert online.returncode == 0, online.stderr[-2000:]
    refused = online.stdout.splitlines()[-1]
    assert refused.startswith("REFUSED") and "sample_rate: 22050 vs 24000" in refused and "n_mels: 80 vs 100" in refused
    offline = fake_hub(script, "hf:charactr/vocos-mel-24khz", HF_HUB_OFFLINE="1")
    assert offline.returncode == 0 and offline.stdout.splitlines()[1:] == online.stdout.splitlines()[1:]
    assert float(offline.stdout.split()[0]) == pytest.approx(float(online.stdout.split()[0]), rel=1e-5)


def test_official_vocos_conversion_keeps_every_weight(tmp_path):
    import yaml

    from tts_diffusion.vocoder.vocos import Vocos, from_official

    config, state = from_official(yaml.safe_load(OFFICIAL_VOCOS_CONFIG), official_vocos_state())
    model = Vocos(config)
    model.load_state_dict(state)  # strict: every weight has a home, none is left over
    assert torch.equal(model.blocks[1].scale, official_vocos_state()["backbone.convnext.1.gamma"])
    assert config.mel.center and config.mel.mel_scale == "htk" and config.mel.fmax == 12000.0


def test_the_bundled_vocos_reads_the_bundled_voices_mel_and_rebuilds_it():
    """``--vocoder vocos``: the fp16 Vocos shipped beside the bundled voices. On a mel of the voice it
    was trained for (en-joe), the log-mel of its audio comes close to that mel; Griffin-Lim's (framed
    as the mel) closer. It has not heard the Kokoro-taught Korean voices and fails on them (its own
    phase is still a fine start): Griffin-Lim from Vocos's phase, the default, is as close as from
    noise in half the iterations, on both."""
    from tts_diffusion import TTS
    from tts_diffusion.vocoder.load import BUNDLED_VOCOS
    from tts_diffusion.vocoder.vocos import Vocos

    assert (BUNDLED_VOCOS / "generator.safetensors").stat().st_size < 30 * 2**20
    tts = TTS.from_pretrained(vocoder="vocos")
    vocoder = tts.engine.vocoder
    assert isinstance(vocoder, Vocos) and vocoder.mel_config == tts.mel_config
    to_mel = MelSpectrogram(tts.mel_config)
    for text, heard in [("Good evening. Here is the news.", True), ("안녕하세요. 오늘의 뉴스입니다.", False)]:
        mel = torch.from_numpy(tts.synthesize(text, seed=0).mel)

        def error(audio):
            back = to_mel(audio.reshape(-1))
            n = min(back.shape[-1], mel.shape[-1])
            return float((back[:, :n] - mel[:, :n]).abs().mean())

        with torch.no_grad():
            ours, griffin_lim = error(vocoder(mel[None])), error(load_vocoder("griffinlim")(mel[None]))
            from_its_phase = error(load_vocoder("vocos+griffinlim")(mel[None]))
        assert from_its_phase < 1.1 * griffin_lim < ours, (text, ours, griffin_lim, from_its_phase)
        # en-joe: 0.68 with v3.1's model, 0.66 with v4's; the Kokoro-taught ko-kumo: 1.21 (the many-voice
        # vocoder issue is about that: when a vocoder that has heard it ships, this flips)
        assert (ours < 0.75) == heard, (text, ours)


def test_fine_tuning_starts_from_the_init_from_generator_with_new_discriminators():
    from tts_diffusion.config import ConfigError, load_config
    from tts_diffusion.training.vocoder import GANVocoderTraining, VocoderTrainConfig, initialize_from

    config = load_config(VocoderTrainConfig, ROOT / "recipes" / "vocos_cpu_finetune.yaml")
    torch.manual_seed(0)
    model = GANVocoderTraining(config)
    discriminators = {k: v.clone() for k, v in model.discriminators.state_dict().items()}
    initialize_from(model, config.init_from, config)
    source = load_vocoder(config.init_from).state_dict()
    assert all(torch.equal(v, source[k].float()) for k, v in model.generator.state_dict().items())
    assert all(torch.equal(v, discriminators[k]) for k, v in model.discriminators.state_dict().items())
    smaller = load_config(VocoderTrainConfig, ROOT / "recipes" / "vocos_cpu_finetune.yaml", ["vocos.dim=64"])
    with pytest.raises(ConfigError, match="init_from vocos: its weights do not fit the recipe's vocos generator"):
        initialize_from(GANVocoderTraining(smaller), "vocos", smaller)


def test_a_mel_residual_vocos_corrects_the_mels_own_magnitude():
    """log|S| = log max(M^+ e^mel, 1e-5) + the head's magnitude: on a predicted-magnitude Vocos's
    weights it adds the mel's magnitude to that prediction; after start_magnitude_from_mel |S| is
    Griffin-Lim's magnitude exactly, and the phase stays the source's throughout."""
    from tts_diffusion.vocoder import GriffinLim
    from tts_diffusion.vocoder.vocos import Vocos, VocosConfig

    torch.manual_seed(0)
    config = VocosConfig(dim=32, intermediate_dim=48, n_layers=2)
    source, residual = Vocos(config), Vocos(dataclasses.replace(config, magnitude="mel_residual"))
    residual.load_state_dict(source.state_dict())
    mel = torch.randn(2, 80, 30) - 4
    with torch.no_grad():
        (log_magnitude, phase), (predicted, source_phase) = residual.spectrum(mel), source.spectrum(mel)
        from_mel = GriffinLim(config.mel).magnitude(mel).clamp(min=1e-5)
        assert torch.equal(phase, source_phase) and from_mel.min() < 1e-3 < from_mel.max()
        assert torch.allclose(log_magnitude, predicted + from_mel.log(), atol=1e-4)
        residual.start_magnitude_from_mel()
        log_magnitude, phase = residual.spectrum(mel)
        assert torch.allclose(log_magnitude.exp(), from_mel, rtol=1e-4) and torch.equal(phase, source_phase)
    with pytest.raises(ValueError, match="unknown Vocos magnitude 'linear': choose predicted or mel_residual"):
        Vocos(dataclasses.replace(config, magnitude="linear"))


def test_a_mel_residual_fine_tune_starts_from_the_mel_magnitude_and_the_source_phase(monkeypatch):
    from tts_diffusion.config import load_config
    from tts_diffusion.training.vocoder import GANVocoderTraining, VocoderTrainConfig, initialize_from
    from tts_diffusion.vocoder import GriffinLim

    config = load_config(VocoderTrainConfig, ROOT / "recipes" / "vocos_cpu_finetune.yaml",
                         ["vocos.magnitude=mel_residual"])
    model = GANVocoderTraining(config)
    initialize_from(model, "vocos", config)
    mel = torch.randn(1, 80, 20) - 4
    with torch.no_grad():
        log_magnitude, phase = model.generator.spectrum(mel)
        assert torch.equal(phase, load_vocoder("vocos").spectrum(mel)[1])
        assert torch.allclose(log_magnitude.exp(), GriffinLim(MelConfig()).magnitude(mel).clamp(min=1e-5), rtol=1e-4)
    trained = model.generator  # a mel_residual source is taken as it is: its correction kept
    torch.nn.init.normal_(trained.head.weight, std=0.01)
    monkeypatch.setattr("tts_diffusion.vocoder.load.load_vocoder", lambda spec, mel_config: trained)
    again = GANVocoderTraining(config)
    initialize_from(again, "a run of it", config)
    assert all(torch.equal(v, trained.state_dict()[k]) for k, v in again.generator.state_dict().items())


def test_fine_tuning_can_keep_the_discriminators_of_an_earlier_run(tmp_path):
    """init_discriminators_from: the critics of a run's checkpoint, the generator untouched; a file
    of other discriminators (another scale) or no file is one ConfigError."""
    from safetensors.torch import save_file

    from tts_diffusion.config import ConfigError, load_config
    from tts_diffusion.training.vocoder import (GANVocoderTraining, VocoderTrainConfig,
                                                initialize_discriminators_from)

    config = load_config(VocoderTrainConfig, ROOT / "recipes" / "vocos_cpu_finetune.yaml")
    torch.manual_seed(1)
    earlier = GANVocoderTraining(config)
    (tmp_path / "step_0000100").mkdir()
    save_file({k: v.contiguous() for k, v in earlier.state_dict().items()}, tmp_path / "step_0000100" / "model.safetensors")
    torch.manual_seed(2)
    model = GANVocoderTraining(config)
    generator = {k: v.clone() for k, v in model.generator.state_dict().items()}
    assert not torch.equal(model.discriminators.state_dict()["period.0.convs.0.bias"],
                           earlier.discriminators.state_dict()["period.0.convs.0.bias"])
    initialize_discriminators_from(model, str(tmp_path / "step_0000100"))
    assert all(torch.equal(v, earlier.discriminators.state_dict()[k]) for k, v in model.discriminators.state_dict().items())
    assert all(torch.equal(v, generator[k]) for k, v in model.generator.state_dict().items())
    wider = GANVocoderTraining(load_config(VocoderTrainConfig, ROOT / "recipes" / "vocos_cpu_finetune.yaml",
                                           ["discriminator_scale=0.5"]))
    with pytest.raises(ConfigError, match="init_discriminators_from .*step_0000100: not a checkpoint of this recipe's"):
        initialize_discriminators_from(wider, str(tmp_path / "step_0000100"))
    with pytest.raises(ConfigError, match="init_discriminators_from .*missing"):
        initialize_discriminators_from(model, str(tmp_path / "missing"))


def test_conversion_to_fp16_halves_the_file_and_loads_as_the_rounded_weights(tmp_path):
    from safetensors import safe_open

    full, half = convert("vocos", tmp_path / "full"), convert("vocos", tmp_path / "half", fp16=True)
    with safe_open(str(full / "generator.safetensors"), "pt") as f32, safe_open(str(half / "generator.safetensors"), "pt") as f16:
        assert {f32.get_tensor(k).dtype for k in f32.keys()} == {torch.float32}
        assert {f16.get_tensor(k).dtype for k in f16.keys()} == {torch.float16}
    ratio = (half / "generator.safetensors").stat().st_size / (full / "generator.safetensors").stat().st_size
    assert 0.49 < ratio < 0.52
    loaded, source = load_vocoder(str(half)).state_dict(), load_vocoder(str(full)).state_dict()
    assert all(v.dtype == torch.float32 and torch.equal(v, source[k].half().float()) for k, v in loaded.items())
