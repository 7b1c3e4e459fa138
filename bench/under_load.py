"""Synthesis on shared cores: the same Korean paragraph alone and beside busy-loop processes, on each
engine, with OpenMP's idle threads sleeping at once (PASSIVE, what tts-diffusion sets), spinning a
while first (libgomp's default, and a shorter GOMP_SPINCOUNT) or spinning always (ACTIVE).

    python bench/under_load.py --out docs/under_load.md

Each figure is the median of ``--repeats`` fresh processes (the policy is read when torch loads),
timing synthesis only (the model loaded and warmed first). A fair share with ``h`` busy processes on
``c`` cores is about ``(c + h) / c`` times the time alone.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time

from report import publish

TEXT = ("오늘 서울의 아침 기온은 영하 삼 도로 어제보다 낮겠습니다. 낮에는 전국이 대체로 맑겠고, "
        "오후부터 바람이 강하게 불겠습니다. 내일은 중부 지방에 눈이 오겠습니다.")
SPEAK = """
import sys, time
if sys.argv[3] == "torch-first":
    import torch  # libgomp reads its settings now: tts_diffusion's PASSIVE comes too late
from tts_diffusion.api import TTS
tts = TTS.from_pretrained(runtime=sys.argv[1])
tts.synthesize("준비합니다.", seed=0)
start = time.perf_counter()
result = tts.synthesize(sys.argv[2], seed=0)
print(time.perf_counter() - start, len(result.audio) / result.sample_rate)
"""


VARIANTS = [  # label, engine, environment, whether torch loads before tts_diffusion
    ("torch, PASSIVE (our default)", "torch", {}, False),
    ("torch, libgomp's default (spins, then sleeps)", "torch", {}, True),
    ("torch, GOMP_SPINCOUNT=10000", "torch", {"GOMP_SPINCOUNT": "10000"}, True),
    ("torch, ACTIVE (always spins)", "torch", {"OMP_WAIT_POLICY": "ACTIVE"}, False),
    ("onnx (its spinning off)", "onnx", {}, False),
]


def speak(runtime: str, env: dict, torch_first: bool, hogs: int) -> tuple[float, float]:
    """(seconds to synthesize, seconds of audio) in a fresh process, ``hogs`` busy loops beside it."""
    env = {k: v for k, v in os.environ.items() if k not in ("OMP_WAIT_POLICY", "GOMP_SPINCOUNT")} | env
    busy = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(hogs)]
    try:
        time.sleep(0.2 if hogs else 0)
        out = subprocess.run([sys.executable, "-c", SPEAK, runtime, TEXT, "torch-first" if torch_first else "-"],
                             capture_output=True, text=True, env=env,
                             check=True).stdout.split()
    finally:
        for hog in busy:
            hog.kill()
            hog.wait()
    return float(out[0]), float(out[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--hogs", type=int, default=1, help="busy-loop processes beside synthesis")
    parser.add_argument("-o", "--output", "--out", dest="out")
    args = parser.parse_args()
    cores = os.cpu_count()
    rows = []
    for label, runtime, env, torch_first in VARIANTS:
        times = {}
        for hogs in (0, args.hogs):
            runs = [speak(runtime, env, torch_first, hogs) for _ in range(args.repeats)]
            times[hogs] = statistics.median(t for t, _ in runs)
        audio = runs[0][1]
        rows.append(f"| {label} | {times[0]:.2f} | {times[args.hogs]:.2f} | {times[args.hogs] / times[0]:.1f}x |")
        print(rows[-1], file=sys.stderr)
    body = (f"A {audio:.1f} s Korean paragraph, the bundled voices, default settings, {cores} cores; "
            f"{args.hogs} busy-loop process(es) beside it (a fair share: about {(cores + args.hogs) / cores:.1f}x "
            f"the time alone). Medians of {args.repeats} fresh processes, synthesis only.\n\n"
            f"| engine, OpenMP wait policy | alone (s) | with {args.hogs} busy (s) | slowdown |\n"
            "| --- | --- | --- | --- |\n" + "\n".join(rows) + "\n")
    publish("Synthesis on shared cores", body, args.out)


if __name__ == "__main__":
    main()
