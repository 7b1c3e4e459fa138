"""Synthesis on shared cores: the same Korean paragraph alone and beside busy processes, on each
engine, with OpenMP's idle threads spinning 1,000 times before they sleep (what tts-diffusion sets),
sleeping at once (PASSIVE), spinning ~300,000 times (libgomp's default) or 10,000, or always (ACTIVE).

    python bench/under_load.py --out docs/under_load.md

Each figure is the median of ``--repeats`` fresh processes (the policy is read when torch loads),
timing synthesis only (the model loaded and warmed first). ``--hog synthesis``: the processes beside
it synthesize the same text in a loop under the same policy (a second program or request). A fair share with ``h`` busy processes on
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


HOGS = {  # what shares the cores: a busy loop, or another synthesis (as a second request or program would be)
    "loop": "while True: pass",
    "synthesis": "from tts_diffusion.api import TTS\ntts = TTS.from_pretrained()\nwhile True: tts.synthesize(%r, seed=0)",
}
VARIANTS = [  # label, engine, environment, whether torch loads before tts_diffusion
    ("torch, GOMP_SPINCOUNT=1000 (our default)", "torch", {}, False),
    ("torch, PASSIVE (sleeps at once)", "torch", {"OMP_WAIT_POLICY": "PASSIVE"}, False),
    ("torch, libgomp's default (~300,000 spins, then sleeps)", "torch", {}, True),
    ("torch, GOMP_SPINCOUNT=10000", "torch", {"GOMP_SPINCOUNT": "10000"}, False),
    ("torch, ACTIVE (always spins)", "torch", {"OMP_WAIT_POLICY": "ACTIVE"}, False),
    ("onnx (its spinning off)", "onnx", {}, False),
]


def speak(runtime: str, env: dict, torch_first: bool, hogs: int, hog: str) -> tuple[float, float]:
    """(seconds to synthesize, seconds of audio) in a fresh process, ``hogs`` processes beside it."""
    env = {k: v for k, v in os.environ.items() if k not in ("OMP_WAIT_POLICY", "GOMP_SPINCOUNT")} | env
    code = HOGS[hog] if hog == "loop" else ("import torch\n" if torch_first else "") + HOGS[hog] % (TEXT,)
    busy = [subprocess.Popen([sys.executable, "-c", code], env=env) for _ in range(hogs)]
    try:
        time.sleep(0 if not hogs else 0.2 if hog == "loop" else 5)  # a synthesis hog loads its model first
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
    parser.add_argument("--hogs", type=int, default=1, help="processes beside synthesis")
    parser.add_argument("--hog", choices=sorted(HOGS), default="loop", help="what they do (default: a busy loop)")
    parser.add_argument("-o", "--output", "--out", dest="out")
    args = parser.parse_args()
    cores = os.cpu_count()
    rows = []
    for label, runtime, env, torch_first in VARIANTS:
        times = {}
        for hogs in (0, args.hogs):
            runs = [speak(runtime, env, torch_first, hogs, args.hog) for _ in range(args.repeats)]
            times[hogs] = statistics.median(t for t, _ in runs)
        audio = runs[0][1]
        rows.append(f"| {label} | {times[0]:.2f} | {times[args.hogs]:.2f} | {times[args.hogs] / times[0]:.1f}x |")
        print(rows[-1], file=sys.stderr)
    body = (f"A {audio:.1f} s Korean paragraph, the bundled voices, default settings, {cores} cores; "
            f"{args.hogs} process(es) beside it doing {'a busy loop' if args.hog == 'loop' else 'the same synthesis in a loop, under the same policy'} (a fair share: about {(cores + args.hogs) / cores:.1f}x "
            f"the time alone). Medians of {args.repeats} fresh processes, synthesis only.\n\n"
            f"| engine, OpenMP wait policy | alone (s) | with {args.hogs} beside (s) | slowdown |\n"
            "| --- | --- | --- | --- |\n" + "\n".join(rows) + "\n")
    publish("Synthesis on shared cores", body, args.out)


if __name__ == "__main__":
    main()
