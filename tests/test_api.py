"""The Python API on a model trained by the tiny recipe."""

import numpy as np
import pytest

from tts_diffusion import TTS, SynthesisOptions
from tts_diffusion.api import split_sentences


def test_split_sentences_and_long_ones_at_commas():
    assert split_sentences("첫 문장입니다. 둘째 문장! Third one? 넷째") == ["첫 문장입니다.", "둘째 문장!", "Third one?", "넷째"]
    long = ", ".join(["가나다라마바사"] * 40) + "."
    pieces = split_sentences(long, max_chars=100)
    assert all(len(p) <= 100 for p in pieces) and " ".join(pieces) == long


def test_synthesize_a_short_article_with_pauses_and_timings(tiny_run):
    tts = TTS.from_pretrained(tiny_run)
    seen = []
    text = " ".join(["오늘의 뉴스입니다.", "서울은 맑겠습니다.", "Good evening.", "내일 만나요.", "감사합니다.", "안녕하세요."])
    result = tts.synthesize(text, steps=2, seed=0, batch_size=2, progress=lambda done, total: seen.append((done, total)))
    assert seen == [(k, 6) for k in range(1, 7)]
    assert result.sample_rate == 22050 and result.audio.dtype == np.float32
    assert result.mel.shape[0] == 80 and result.nfe == 2
    pause = int(0.25 * 22050)
    frames = result.mel.shape[1]
    assert len(result.audio) == frames * 256 + 5 * pause  # six sentences, five pauses between them
    assert set(result.timings) == {"acoustic", "vocoder", "total", "audio", "rtf"}
    again = tts.synthesize(text, steps=2, seed=0, batch_size=3)
    assert np.allclose(again.mel, result.mel, atol=1e-4)  # each sentence has its own noise: batching changes nothing
    slower = tts.synthesize("오늘의 뉴스입니다.", steps=2, seed=0, speed=0.5)
    normal = tts.synthesize("오늘의 뉴스입니다.", steps=2, seed=0)
    assert slower.mel.shape[1] > 1.3 * normal.mel.shape[1]  # ceil() and the one-frame minimum keep it under 2x


def test_bad_arguments(tiny_run):
    tts = TTS.from_pretrained(tiny_run)
    with pytest.raises(ValueError, match="empty"):
        tts.synthesize("  ")
    with pytest.raises(ValueError, match="speed"):
        tts.synthesize("안녕", speed=0)



def test_sentences_are_split_after_normalization(tiny_run):
    tts = TTS.from_pretrained(tiny_run)
    spoken = tts.sentences("Dr. Kim met Mr. Lee at 9 a.m. today. Then he left.\n\n둘째 줄")
    assert len(spoken) == 3 and spoken[0] == "doctor Kim met mister Lee at nine a m today."
    assert spoken[1] == "Then he left." and spoken[2] == "둘째 줄"


def test_streamed_chunks_are_the_whole_audio_and_come_before_the_last_sentence_is_made(tiny_run, monkeypatch):
    tts = TTS.from_pretrained(tiny_run)
    text = "오늘의 뉴스입니다. 서울은 맑겠습니다. Good evening. 내일 만나요. 감사합니다."
    whole = tts.synthesize(text, steps=2, seed=3)
    made = []
    decode = tts.engine.decode
    monkeypatch.setattr(tts.engine, "decode", lambda priors, *a, **k: made.append(len(priors)) or decode(priors, *a, **k))
    chunks = []
    for chunk in tts.stream(text, SynthesisOptions(steps=2, seed=3)):
        chunks.append((chunk, sum(made)))
    assert chunks[0][1] == 1  # the first chunk came when one sentence of five was made
    assert [c.text for c, _ in chunks][2] == "Good evening."
    assert np.array_equal(np.concatenate([c.audio for c, _ in chunks]), whole.audio)


@pytest.mark.parametrize("option,value", [("temperature", 0), ("temperature", float("nan")), ("speed", float("inf")),
                                          ("speed", 1e9), ("steps", 300_000_000), ("seed", -1), ("method", "magic")])
def test_every_option_is_checked_before_any_work(tiny_run, option, value):
    tts = TTS.from_pretrained(tiny_run)
    with pytest.raises(ValueError, match=option if option != "method" else "sampling method"):
        tts.synthesize("안녕하세요.", **{option: value})


def test_synthesize_is_safe_to_call_from_threads(tiny_run):
    from concurrent.futures import ThreadPoolExecutor

    tts = TTS.from_pretrained(tiny_run)
    texts = ["오늘의 뉴스입니다.", "Good evening.", "서울은 맑겠습니다.", "Here is the news.", "감사합니다.", "내일 만나요."]
    expected = [tts.synthesize(t, steps=2, seed=k).audio for k, t in enumerate(texts)]
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda k: tts.synthesize(texts[k], steps=2, seed=k).audio, range(len(texts))))
    assert all(np.array_equal(a, b) for a, b in zip(results, expected))


def test_inference_imports_nothing_of_training():
    """Synthesis, export and vocoder loading stand apart from the trainers and their data code."""
    import subprocess
    import sys

    code = ("import sys, tts_diffusion.api, tts_diffusion.cli, tts_diffusion.export, tts_diffusion.vocoder.load;"
            "print(' '.join(sorted(m for m in sys.modules if m.split('.')[:2] in "
            "(['tts_diffusion', 'training'], ['tts_diffusion', 'data']))))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == []


@pytest.mark.parametrize("vocoder", [None, "vocos", "griffinlim"])
def test_loading_on_the_torch_engine_compiles_nothing(vocoder):
    """The size check builds each network on the meta device first (model_size.build_within); that
    build draws no initial values and makes its buffers in numpy, because torch's meta kernels for
    them import torch._dynamo: ~1 s of a cold start. A fresh process loads and speaks without it."""
    import subprocess
    import sys

    code = ("import sys; from tts_diffusion.api import TTS; "
            f"TTS.from_pretrained(None, vocoder={vocoder!r}, runtime='torch').synthesize('안녕하세요.', steps=2); "
            "print('torch._dynamo' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and result.stdout.split() == ["False"], result.stderr[-500:]


def test_the_torch_path_inverts_with_the_numpy_griffin_lim_on_cpu(tiny_run):
    """On CPU the Griffin-Lim module runs numpy's (faster than through torch.stft), with the spec's
    iterations, each mel of a batch on its own."""
    import numpy as np
    import torch

    from tts_diffusion.dsp import NumpyGriffinLim
    from tts_diffusion.engines.torch_engine import TorchEngine

    engine = TorchEngine.load(tiny_run, "griffinlim:5")
    mel = np.random.default_rng(0).normal(-5.0, 1.5, (engine.mel_config.n_mels, 30)).astype(np.float32)
    audio = engine.vocode(mel)
    assert np.array_equal(audio, NumpyGriffinLim(engine.mel_config, 5)(mel)) and np.abs(audio).max() > 1e-3
    assert not np.array_equal(audio, NumpyGriffinLim(engine.mel_config, 6)(mel))
    batch = torch.from_numpy(np.stack([mel, mel[::-1].copy()]))
    assert torch.equal(engine.vocoder(batch)[0], torch.from_numpy(audio))
    assert torch.equal(engine.vocoder(batch)[1], engine.vocoder(batch[1]))


def test_a_paragraph_is_normalized_once_and_its_dropped_characters_said_once(tiny_run, monkeypatch):
    import tts_diffusion.api as api

    tts = TTS.from_pretrained(tiny_run)
    calls = []
    real = api.normalize
    monkeypatch.setattr(api, "normalize", lambda *a, **k: calls.append(a[0]) or real(*a, **k))
    with pytest.warns(UserWarning, match="dropped characters") as said:
        chunks = list(tts.stream("첫 문장입니다 ☎. 둘째 문장 ☎입니다.\n셋째 줄 ♫입니다.", steps=2, seed=0))
    assert len(chunks) == 3 and len(calls) == 2 and len(said) == 1  # two paragraphs, one warning
    assert "☎♫" in str(said[0].message) or "♫☎" in str(said[0].message)
