"""The spectral-contrast postfilter: log S' = log S + beta (log S - A_w log S)."""

import numpy as np
import pytest
from scipy.ndimage import uniform_filter1d

from tts_diffusion import TTS
from tts_diffusion.postfilter import WIDTH, contrast_matrix, sharpen


def test_it_is_the_moving_average_rule_with_repeated_edges():
    mel = np.random.default_rng(0).normal(-4, 2, (80, 50)).astype(np.float32)
    for beta, width in ((0.5, 7), (1.0, 3), (0.25, 11)):
        expected = mel + beta * (mel - uniform_filter1d(mel, size=width, axis=0, mode="nearest"))
        assert np.allclose(sharpen(mel, beta, width), expected, atol=1e-5)


def test_the_envelope_stays_and_the_detail_is_scaled():
    flat = np.full((80, 4), -3.0, dtype=np.float32)
    assert np.allclose(sharpen(flat, 0.5), flat, atol=1e-6)  # every row of P sums to 1
    ramp = np.repeat(np.linspace(-8, 0, 80, dtype=np.float32)[:, None], 3, axis=1)
    inner = slice(WIDTH // 2, -(WIDTH // 2))  # away from the edges
    assert np.allclose(sharpen(ramp, 0.5)[inner], ramp[inner], atol=1e-5)  # a straight envelope stays
    peak = flat.copy()
    peak[40] += 1.0
    out = sharpen(peak, 0.5, 7)
    assert out[40, 0] - flat[40, 0] == pytest.approx(1 + 0.5 * (1 - 1 / 7), abs=1e-5)
    assert np.allclose(out[37:40] - flat[37:40], -0.5 / 7, atol=1e-6)  # its neighbours dip: more contrast
    mel = np.random.default_rng(1).normal(size=(80, 9)).astype(np.float32)
    assert sharpen(mel, 0) is mel


def test_bad_width():
    with pytest.raises(ValueError, match="odd number of bands"):
        contrast_matrix(80, 0.5, 4)


def test_synthesis_applies_it_to_the_mel_it_vocodes(tiny_run):
    tts = TTS.from_pretrained(tiny_run)
    plain = tts.synthesize("오늘의 뉴스입니다.", steps=2, seed=0, postfilter=0.0)
    crisp = tts.synthesize("오늘의 뉴스입니다.", steps=2, seed=0, postfilter=0.8)
    assert np.allclose(crisp.mel, contrast_matrix(80, 0.8) @ plain.mel, atol=1e-4)
    assert not np.allclose(crisp.audio, plain.audio, atol=1e-3)
    with pytest.raises(ValueError, match="postfilter must be a number from 0 to 2, not 3"):
        tts.synthesize("안녕하세요.", postfilter=3)


def test_predicted_mels_for_a_vocoder_are_postfiltered_as_users_hear_them(tiny_run, tmp_path):
    import subprocess
    import sys

    from conftest import ROOT

    filelist = tiny_run.parent / "train.txt"
    for beta in ("0", "0.8"):
        result = subprocess.run([sys.executable, "-m", "tts_diffusion.vocoder.predict_mels", "--model", str(tiny_run),
                                 "--filelist", str(filelist), "--out", str(tmp_path / beta), "--steps", "2",
                                 "--postfilter", beta], capture_output=True, text=True, cwd=ROOT, timeout=300)
        assert result.returncode == 0, result.stderr[-2000:]
    for plain in (tmp_path / "0").glob("*.npy"):
        assert np.allclose(np.load(tmp_path / "0.8" / plain.name), contrast_matrix(80, 0.8) @ np.load(plain), atol=1e-4)
