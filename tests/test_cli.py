"""tts-say as a user runs it: a subprocess."""

import subprocess
import sys


def run(*args, stdin=b""):
    return subprocess.run([sys.executable, "-m", "tts_diffusion.cli", *args], input=stdin, capture_output=True)


def test_front_end_runs_and_no_voice_is_said_plainly(tmp_path):
    result = run("오후 3시 20분", "-o", str(tmp_path / "out.wav"))
    out = result.stdout.decode()
    assert "spoken form: 오후 세 시 이십 분" in out and "phonemes:" in out
    assert result.returncode == 1 and b"no voice is bundled yet" in result.stderr
    assert not (tmp_path / "out.wav").exists()


def test_empty_text_is_one_line_and_exit_2():
    result = run("   ")
    assert result.returncode == 2
    assert result.stderr.decode().strip() == "tts-say: error: text is empty"


def test_invalid_utf8_on_stdin():
    result = run(stdin=b"\xff\xfe\xfa")
    assert result.returncode == 2 and b"not valid UTF-8" in result.stderr and b"Traceback" not in result.stderr
