"""tts-say as a user runs it: a subprocess, with a model trained by the tiny recipe."""

import re
import subprocess
import sys

import numpy as np
import pytest
import soundfile as sf

from conftest import ROOT, load_script


def say(*args, stdin=b""):
    return subprocess.run([sys.executable, "-m", "tts_diffusion.cli", *args], input=stdin, capture_output=True,
                          cwd=ROOT, timeout=300)


def test_speaks_korean_to_a_wav_with_a_mel_picture(tiny_run, tmp_path):
    out, png = tmp_path / "out.wav", tmp_path / "mel.png"
    result = say("안녕하세요. 오늘 기온은 3도입니다.", "--model", str(tiny_run), "-o", str(out), "--mel-png", str(png),
                 "--steps", "4", "--seed", "1")
    assert result.returncode == 0, result.stderr.decode()
    audio, rate = sf.read(out)
    assert rate == 22050 and 0.3 < len(audio) / rate < 30 and abs(audio).max() > 0
    assert png.read_bytes()[:4] == b"\x89PNG"
    summary = re.search(rb"([0-9.]+) s of audio in ([0-9.]+) s \(real-time factor ([0-9.]+);.*the model loaded in "
                        rb"([0-9.]+) s\)", result.stderr)
    seconds, speaking, rtf, loading = map(float, summary.groups())  # loading is reported apart, not in the RTF
    assert abs(rtf - speaking / seconds) <= 0.01 * max(1.0, rtf) and loading > 0  # printed to two decimals
    again = tmp_path / "again.wav"
    assert say("안녕하세요. 오늘 기온은 3도입니다.", "--model", str(tiny_run), "-o", str(again), "--steps", "4",
               "--seed", "1", "-q").returncode == 0
    assert again.read_bytes() == out.read_bytes()  # the same seed gives the same audio


def test_text_from_stdin_and_file(tiny_run, tmp_path):
    """What is read from stdin or -f is what is spoken: the same audio as the API speaking that text."""
    from tts_diffusion.api import TTS

    assert say("--model", str(tiny_run), "-o", str(tmp_path / "a.wav"), "--steps", "2", "--seed", "0", "-q",
               stdin="Good evening.".encode()).returncode == 0
    text = tmp_path / "text.txt"
    text.write_text("내일 만나요.", encoding="utf-8")
    assert say("-f", str(text), "--model", str(tiny_run), "-o", str(tmp_path / "b.wav"), "--steps", "2", "--seed", "0",
               "-q").returncode == 0
    tts = TTS.from_pretrained(tiny_run)
    for wav, spoken in (("a.wav", "Good evening."), ("b.wav", "내일 만나요.")):
        audio, _ = sf.read(tmp_path / wav, dtype="float32")
        expected = tts.synthesize(spoken, steps=2, seed=0).audio
        assert len(audio) == len(expected) and np.abs(audio - expected).max() < 2 / 32767, wav


@pytest.mark.parametrize("args, stdin, message", [
    (["   "], b"", "text is empty"),
    (["☃★"], b"", "nothing that can be voiced"),
    ([], b"\xff\xfe\xfa", "standard input is not valid UTF-8"),
    (["hi", "--method", "magic"], b"", "invalid choice: 'magic'"),
    (["hi", "--steps", "0"], b"", "steps must be a whole number from 1 to 1000, not 0"),
    (["hi", "--temperature", "0"], b"", "temperature must be a number from 0.1 to 10, not 0"),
    (["hi", "--speed", "nan"], b"", "speed must be a number from 0.25 to 4, not nan"),
    (["hi", "--postfilter", "-1"], b"", "postfilter must be a number from 0 to 2, not -1.0"),
    (["hi", "--seed", "-1"], b"", "seed must be a whole number from 0 to 2147483647, not -1"),
    (["hi", "--model", "/nonexistent"], b"", "no model at /nonexistent"),
    (["-f", "/nonexistent.txt"], b"", "cannot read /nonexistent.txt"),
    (["hi", "-f", "/nonexistent.txt"], b"", "not both"),
    (["-f", "/dev/zero"], b"", "/dev/zero holds more than 4,000,000 bytes of text: split it"),
    ([], b"y\n" * 2_000_001, "standard input holds more than 4,000,000 bytes of text: split it"),
])
def test_bad_input_is_one_line_and_exit_2(args, stdin, message, tmp_path):
    out = tmp_path / "out.wav"
    result = say(*args, "-o", str(out), stdin=stdin)
    err = result.stderr.decode()
    assert result.returncode == 2 and message in err, err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert not out.exists()


def test_unwritable_output_leaves_nothing(tiny_run, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = say("hello", "--model", str(tiny_run), "-o", str(blocker / "out.wav"), "--steps", "2", "-q")
    assert result.returncode == 2 and b"cannot write" in result.stderr
    assert blocker.read_text() == "x"


def test_the_bundled_voice_speaks_korean_by_default(tmp_path):
    """Korean text with no --voice speaks with the model's first Korean voice: the same audio as that
    voice named, and not the English voice's."""
    from tts_diffusion.api import TTS

    out = tmp_path / "out.wav"
    result = say("안녕하세요", "-o", str(out), "--seed", "0")
    assert result.returncode == 0, result.stderr.decode()
    audio, rate = sf.read(out, dtype="float32")
    assert rate == 22050 and 0.5 < len(audio) / rate < 3 and abs(audio).max() > 0.01
    tts = TTS.from_pretrained(runtime="auto")  # the engine tts-say picks (ONNX where the user's cache has the voice)
    korean = next(v.name for v in tts.voices if v.language == "ko")
    english = next(v.name for v in tts.voices if v.language == "en")
    assert np.abs(audio - tts.synthesize("안녕하세요", voice=korean, seed=0).audio).max() < 2 / 32767
    other = tts.synthesize("안녕하세요", voice=english, seed=0).audio
    assert len(other) != len(audio) or np.abs(other - audio).max() > 0.01


def test_without_a_bundled_voice_it_says_so(tmp_path, monkeypatch):
    from tts_diffusion import api

    monkeypatch.setattr(api, "BUNDLED", tmp_path / "no-voice")
    with pytest.raises(ValueError, match="no voice is bundled"):
        api.TTS.from_pretrained()


def test_help_has_a_korean_and_an_english_example():
    out = say("--help").stdout.decode()
    assert "오늘 서울의 기온은" in out and "The news at 9:30 pm." in out and "--temperature" in out


def test_vocoder_with_another_mel_is_refused(tiny_run, tmp_path):
    import dataclasses

    from test_vocoder import SMALL, official_checkpoint

    official_checkpoint(tmp_path / "voc", dataclasses.replace(SMALL, num_mels=64))
    result = say("안녕하세요", "--model", str(tiny_run), "--vocoder", str(tmp_path / "voc"), "-o", str(tmp_path / "o.wav"))
    err = result.stderr.decode()
    assert result.returncode == 2 and "n_mels: 80 vs 64" in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "o.wav").exists()


def test_streams_wav_or_raw_pcm_to_standard_output(tiny_run, tmp_path):
    import soundfile as sf

    text = "오늘의 뉴스입니다. 서울은 맑겠습니다."
    run = lambda *a: subprocess.run([sys.executable, "-m", "tts_diffusion.cli", "--model", str(tiny_run), "--steps", "2",  # noqa: E731
                                     "--seed", "1", "-q", text, *a], capture_output=True, cwd=ROOT)
    wav, raw, file = run("-o", "-"), run("-o", "-", "--raw"), run("-o", str(tmp_path / "a.wav"))
    assert wav.returncode == raw.returncode == file.returncode == 0, wav.stderr
    assert wav.stdout[:4] == b"RIFF" and wav.stdout[36:40] == b"data" and wav.stdout[40:44] == b"\xff\xff\xff\xff"
    samples, rate = sf.read(str(tmp_path / "a.wav"), dtype="int16")
    assert rate == 22050 and len(samples) > 22050 // 2
    assert np.array_equal(np.frombuffer(wav.stdout[44:], "<i2"), samples)
    assert raw.stdout == wav.stdout[44:]


def peak_rss_speaking(model, text_file, out) -> float:
    """Peak resident memory (MB) of one tts-say run that reads ``text_file`` and writes ``out``."""
    code = ("import sys; from tts_diffusion.cli import main; code = main(sys.argv[1:]); "  # VmHWM: this process's
            "print(next(int(l.split()[1]) for l in open('/proc/self/status') if l.startswith('VmHWM:')) / 1024); "
            "sys.exit(code)")  # own peak (getrusage's would include the peak of the pytest process it came from)
    result = subprocess.run([sys.executable, "-c", code, "-f", str(text_file), "--model", str(model), "-o", str(out),
                             "--steps", "1", "--vocoder", "griffinlim:2", "-q"],
                            capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert result.returncode == 0, result.stderr
    return float(result.stdout.split()[-1])


def test_memory_stays_flat_in_the_length_of_varied_text(tiny_run, tmp_path):
    """Audio streams out sentence by sentence: ten times the text is ten times the audio written, not
    ten times the memory (kept whole, 400 sentences of this voice would add ~40 MB). The sentences
    differ, as real text does: with oneDNN's per-shape convolution primitives (now off for CPU
    synthesis) every new sentence length added memory."""
    sentences = load_script("egs/synthetic/sentences.py")
    varied = sentences.templated_sentences(sentences.TEMPLATES_KO, 400, seed=11)
    rss = {}
    for n in (40, 400):
        text = tmp_path / f"{n}.txt"
        text.write_text("\n".join(varied[:n]), encoding="utf-8")
        rss[n] = peak_rss_speaking(tiny_run, text, tmp_path / f"{n}.wav")
    long_seconds = sf.info(tmp_path / "400.wav").duration
    assert long_seconds > 8 * sf.info(tmp_path / "40.wav").duration
    assert long_seconds * 22050 * 4 / 2**20 > 30  # the long take's float32 audio would be tens of MB
    assert rss[400] - rss[40] < 15, rss
