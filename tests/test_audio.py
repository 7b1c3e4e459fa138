"""Mel features against an independent librosa computation, and audio I/O."""

import numpy as np
import pytest
import soundfile as sf
import torch

from tts_diffusion.audio import AudioError, MelConfig, load_wav, mel_filters, save_wav

from tts_diffusion.spectrogram import MelSpectrogram


def _test_signal(seconds=1.0, rate=22050, seed=0):
    t = np.arange(int(seconds * rate)) / rate
    rng = np.random.default_rng(seed)
    tones = sum(0.2 * np.sin(2 * np.pi * f * t) for f in (110, 440, 1230, 3100))
    return (tones + 0.05 * rng.standard_normal(t.size)).astype(np.float32)


def _librosa_log_mel(audio, c: MelConfig):
    import librosa

    pad = (c.n_fft - c.hop_length) // 2
    padded = np.pad(audio, (pad, pad), mode="reflect")
    spec = np.abs(librosa.stft(padded, n_fft=c.n_fft, hop_length=c.hop_length, win_length=c.win_length,
                               window="hann", center=False))
    mel = librosa.feature.melspectrogram(S=spec, sr=c.sample_rate, n_fft=c.n_fft, n_mels=c.n_mels,
                                         fmin=c.fmin, fmax=c.fmax, power=1.0)
    return np.log(np.maximum(mel, 1e-5))


@pytest.mark.parametrize("config", [MelConfig(), MelConfig(sample_rate=16000, n_fft=512, hop_length=128, win_length=512, n_mels=64, fmin=50.0, fmax=7600.0)])
def test_log_mel_matches_librosa(config):
    audio = _test_signal(rate=config.sample_rate)
    ours = MelSpectrogram(config)(torch.from_numpy(audio)).numpy()
    reference = _librosa_log_mel(audio, config)
    assert ours.shape == reference.shape == (config.n_mels, audio.size // config.hop_length)
    assert np.abs(ours - reference).max() < 1e-4


def test_log_mel_is_batched_and_floor_is_log_1e5():
    mel = MelSpectrogram()
    batch = torch.stack([torch.from_numpy(_test_signal(seed=s)) for s in range(3)])
    out = mel(batch)
    assert out.shape == (3, 80, batch.shape[1] // 256)
    assert torch.allclose(out[1], mel(batch[1]), atol=1e-5)
    silent = mel(torch.zeros(22050))
    assert torch.allclose(silent, torch.full_like(silent, np.log(1e-5)))


def test_mel_filters_are_slaney_and_within_fmax():
    fb = mel_filters(MelConfig())
    freqs = np.linspace(0, 11025, fb.shape[1])
    assert fb.shape == (80, 513)
    assert fb[:, freqs > 8000 + 11025 / 512].max() == 0.0


def test_load_resamples_mixes_down_and_keeps_peak(tmp_path):
    rate = 16000
    t = np.arange(rate) / rate
    stereo = np.stack([np.sin(2 * np.pi * 440 * t), np.sin(2 * np.pi * 440 * t)], axis=1) * 1.5
    sf.write(tmp_path / "a.flac", np.clip(stereo, -1, 1) * 0.9, rate)
    audio = load_wav(tmp_path / "a.flac", 22050)
    assert audio.dtype == np.float32 and abs(audio.size - 22050) <= 1
    assert 0.8 < np.abs(audio).max() <= 1.0


def test_save_is_atomic_and_roundtrips(tmp_path):
    audio = _test_signal(0.2) * 0.5
    path = tmp_path / "out.wav"
    save_wav(path, audio, 22050)
    back, rate = sf.read(path, dtype="float32")
    assert rate == 22050 and np.abs(back - audio).max() < 1e-4
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.wav"]


def test_save_to_unwritable_place_leaves_nothing(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises((AudioError, OSError)):
        save_wav(blocker / "out.wav", np.zeros(100), 22050)
    assert blocker.read_text() == "x"


def test_unreadable_audio_is_a_clear_error(tmp_path):
    bad = tmp_path / "bad.wav"
    bad.write_bytes(b"not audio")
    with pytest.raises(AudioError, match="cannot read audio file .*bad.wav"):
        load_wav(bad, 22050)


def test_mel_config_mismatches_name_both_values():
    assert MelConfig().mismatches(MelConfig(hop_length=200)) == ["hop_length: 256 vs 200"]


def test_the_vocos_preset_matches_torchaudio_style_features():
    """vocos-24khz: centred STFT (one frame more), HTK filters without normalization, floor 1e-7."""
    import librosa

    from tts_diffusion.config import ConfigError, from_dict
    from tts_diffusion.training.acoustic import TrainConfig

    config = MelConfig.preset("vocos-24khz")
    assert from_dict(TrainConfig, {"mel": "vocos-24khz"}).mel == config
    with pytest.raises(ConfigError, match="unknown mel preset 'x'"):
        from_dict(TrainConfig, {"mel": "x"})
    audio = np.random.default_rng(0).standard_normal(24000).astype(np.float32) * 0.1
    mel = MelSpectrogram(config)(torch.from_numpy(audio)).numpy()
    assert mel.shape == (100, 24000 // 256 + 1)
    stft = np.abs(librosa.stft(audio, n_fft=1024, hop_length=256, center=True, pad_mode="reflect"))
    basis = librosa.filters.mel(sr=24000, n_fft=1024, n_mels=100, fmin=0, fmax=12000, htk=True, norm=None)
    assert np.allclose(mel, np.log(np.maximum(basis @ stft, 1e-7)), atol=1e-3)


@pytest.mark.parametrize("config", [MelConfig(), MelConfig.preset("vocos-24khz"), MelConfig(16000, 512, 128, 512, 40, 50.0, 7600.0)])
def test_mel_filters_are_librosas(config):
    import librosa

    htk = config.mel_scale == "htk"
    expected = librosa.filters.mel(sr=config.sample_rate, n_fft=config.n_fft, n_mels=config.n_mels, fmin=config.fmin,
                                   fmax=config.fmax, htk=htk, norm=None if htk else "slaney")
    assert np.allclose(mel_filters(config), expected, atol=1e-6, rtol=1e-4)


@pytest.mark.parametrize("n_mels, n_fft", [(80, 1024), (128, 2048), (256, 512)])
def test_mel_pseudo_inverse_is_the_filter_banks(n_mels, n_fft):
    """M^+ by the normal equations equals the SVD's pseudo-inverse, also for a bank whose low filters
    share FFT bins (256 mels on 257 bins: M M^T near singular, so the SVD is taken)."""
    from tts_diffusion.audio import mel_filters, mel_pseudo_inverse

    config = MelConfig(n_mels=n_mels, n_fft=n_fft, win_length=n_fft, hop_length=n_fft // 4)
    m = mel_filters(config).astype(np.float64)
    inverse = mel_pseudo_inverse(config)
    assert np.allclose(inverse, np.linalg.pinv(m), rtol=0, atol=1e-6 * np.abs(inverse).max())
    assert np.allclose(m @ inverse @ m, m, atol=1e-6 * np.abs(m).max())  # Moore-Penrose: M M^+ M = M
