"""The corpus scripts: LJSpeech download + prepare, KSS prepare, espeak-ng corpus builder."""

import hashlib
import http.server
import shutil
import subprocess
import sys
import tarfile
import threading

import pytest
import soundfile as sf

from tts_diffusion.data import read_filelist
from tts_diffusion.data.download import DownloadError, download

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
    script = str(ROOT / "egs" / "espeak" / "build_corpus.py")
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
        subprocess.run(["espeak-ng", "-v", "ko" if uid.startswith("ko") else "en-us", "-w", str(fresh), spoken],
                       check=True, capture_output=True)
        assert (tmp_path / "a" / "wavs" / f"{uid}.wav").read_bytes() == fresh.read_bytes(), spoken


def test_templated_sentences_are_distinct_deterministic_and_fully_spoken():
    from tts_diffusion.text import normalize

    sentences = load_script("egs/espeak/sentences.py")
    english = sentences.english_sentences(200, seed=3)
    assert english == sentences.english_sentences(200, seed=3) and len(set(english)) == len(english) >= 250
    korean = sentences.templated_sentences(sentences.TEMPLATES_KO, 300, seed=3)
    assert len(set(korean)) == 300
    for text, lang in [(s, "en") for s in english] + [(s, "ko") for s in korean]:
        assert not any(ch.isdigit() for ch in normalize(text, lang)), text
