"""Cold start: the wall time of a whole ``tts-say "안녕하세요" -o out.wav`` process, as a user runs it.

    python bench/cold_start.py --out docs/cold_start.md

Medians of ``--repeats`` runs (the files are in the page cache after the first, as on a machine
that has run the program before), with the time spent importing, loading and synthesizing inside
one such process.
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
    parser.add_argument("-o", "--output", "--out", dest="out")
    args = parser.parse_args()
    tts_say = str(Path(sys.executable).with_name("tts-say"))
    walls = []
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(args.repeats + 1):  # the first run fills the page cache
            start = time.perf_counter()
            subprocess.run([tts_say, "안녕하세요", "-o", f"{tmp}/out.wav", "-q"], check=True)
            walls.append(time.perf_counter() - start)
    phases = [list(map(float, subprocess.run([sys.executable, "-c", PHASES], capture_output=True, text=True,
                                             check=True).stdout.split())) for _ in range(3)]
    front, torch_import, load, speak = (statistics.median(p[i] for p in phases) for i in range(4))
    body = (f"`tts-say \"안녕하세요\" -o out.wav`, the bundled voices, 2 CPU cores: median **{statistics.median(walls[1:]):.2f} s** "
            f"wall over {args.repeats} runs (first run, cold page cache: {walls[0]:.2f} s).\n\n"
            "| inside the process | seconds |\n| --- | --- |\n"
            f"| importing the API and the CLI (no torch) | {front:.2f} |\n| importing torch | {torch_import:.2f} |\n"
            f"| loading the voice | {load:.2f} |\n| synthesizing (front end, 10 ODE steps, Griffin-Lim) | {speak:.2f} |\n"
            "\nThe rest is the interpreter starting and exiting and the WAV being written. Importing torch is "
            "half of it; a voice exported with `--onnx` runs without torch.\n")
    publish("Cold start", body, args.out)


if __name__ == "__main__":
    main()
