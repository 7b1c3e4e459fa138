"""Our decoders against their peers, side by side in one run: the Grad-TTS-size one
(recipes/ljspeech.yaml) against the official Grad-TTS's, and with ``--matcha-python`` the CPU one
(recipes/voices_cpu.yaml) against Matcha-TTS's: MACs per evaluation, synthesis time at several NFE,
training step time and peak memory.

    python bench/peers.py --grad-tts PEERS/Grad-TTS --matcha-python MATCHA_VENV/bin/python --out docs/benchmarks.md

``--grad-tts``: the ``Grad-TTS`` folder of huawei-noah/Speech-Backbones (its ``model/`` is imported
without its package ``__init__``, which needs the compiled alignment search; it needs ``einops``).
``--matcha-python``: the python of a venv with ``pip install matcha-tts`` (and torch 2.13; its
torchvision uninstalled), whose decoder (default config: 1D U-Net with transformer blocks, channels
256-256, snakebeta) runs there, in fresh processes alternating with ours.
Random weights; 5 s of audio forced in both (432 frames); ``--threads`` CPU threads; every figure a
median over ``--repeats`` rounds in which the two alternate; peak memory of a training step is
measured in a fresh process per system. Only ratios measured in the same run compare on a shared
machine.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
import types
from pathlib import Path

import torch
from torch.utils.flop_counter import FlopCounterMode

from report import peak_rss_mb, publish

FRAMES, BATCH, SEGMENT = 432, 16, 172


def grad_tts(folder: str):
    """The official decoder network (GradLogPEstimator2d, dim 64, mults 1-2-4) and its loss."""
    package = types.ModuleType("model")
    package.__path__ = [str(Path(folder) / "model")]
    sys.modules["model"] = package
    from model.diffusion import Diffusion

    diffusion = Diffusion(80, 64)
    net = diffusion.estimator
    return (lambda x, mask, mu, t: net(x, mask, mu, t)), net, (lambda y, mask, mu: diffusion.compute_loss(y, mask, mu)[0])


def ours(recipe: str):
    """Our decoder at the recipe's size, called as the sampler calls it (eps with its preconditioning)."""
    from tts_diffusion.config import load_config
    from tts_diffusion.models.tts import GradTTS
    from tts_diffusion.training.acoustic import TrainConfig

    model = GradTTS(100, 3, 80, load_config(TrainConfig, recipe, []).model)

    def loss(y, mask, mu):
        t = torch.rand(y.shape[0]) * (1 - 1e-3) + 1e-3
        noise = torch.randn_like(y)
        mean, std = model.sde.marginal(y, t, mu)
        return ((model.eps(mean + std * noise, t, mu, mask) - noise) ** 2 * mask).sum() / (mask.sum() * 80)

    return (lambda x, mask, mu, t: model.eps(x, t, mu, mask)), model.decoder, loss


def inputs(batch: int, frames: int):
    g = torch.Generator().manual_seed(0)
    return torch.randn(batch, 80, frames, generator=g), torch.ones(batch, 1, frames), torch.randn(batch, 80, frames, generator=g)


def training_step(net, loss, optimizer):
    y, mask, mu = inputs(BATCH, SEGMENT)
    optimizer.zero_grad()
    loss(y, mask, mu).backward()
    optimizer.step()


def peak_memory(system: str, args) -> float:
    """GB of peak RSS of a fresh process that builds ``system`` and takes three training steps."""
    command = [sys.executable, __file__, "--worker", system, "--grad-tts", args.grad_tts, "--recipe", args.recipe,
               "--threads", str(args.threads)]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])["peak_gb"]


# One measurement, run in a fresh process of either venv; BUILD defines net and score(x, mask, mu, t).
MEASURE = """
import json, statistics, sys, time, torch
from torch.utils.flop_counter import FlopCounterMode
threads, nfes, repeats = int(sys.argv[1]), [int(n) for n in sys.argv[2].split(",")], int(sys.argv[3])
torch.set_num_threads(threads)
torch.manual_seed(0)
{build}
g = torch.Generator().manual_seed(0)
x, mu, mask, t = torch.randn(1, 80, 432, generator=g), torch.randn(1, 80, 432, generator=g), torch.ones(1, 1, 432), torch.full((1,), 0.5)
with torch.no_grad(), FlopCounterMode(display=False) as counter:
    score(x, mask, mu, t)
out = {{"params": sum(p.numel() for p in net.parameters()) / 1e6, "macs": counter.get_total_flops() / 2e9}}
with torch.no_grad():
    score(x, mask, mu, t)
    for n in nfes:
        runs = []
        for _ in range(repeats):
            start = time.perf_counter()
            for _ in range(n):
                score(x, mask, mu, t)
            runs.append(time.perf_counter() - start)
        out[str(n)] = statistics.median(runs)
optimizer = torch.optim.Adam(net.parameters(), 1e-4)
y, m, c = torch.randn(16, 80, 172, generator=g), torch.ones(16, 1, 172), torch.randn(16, 80, 172, generator=g)
runs = []
for _ in range(repeats + 1):
    start = time.perf_counter()
    optimizer.zero_grad()
    ((score(y, m, c, torch.rand(16, generator=g)) - c) ** 2).mean().backward()
    optimizer.step()
    runs.append(time.perf_counter() - start)
out["train"] = statistics.median(runs[1:])
out["peak"] = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM:")) / 2**20
print(json.dumps(out))
"""
MATCHA = """
from matcha.models.components.decoder import Decoder
net = Decoder(in_channels=160, out_channels=80, channels=(256, 256), dropout=0.05, attention_head_dim=64, n_blocks=1,
              num_mid_blocks=2, num_heads=2, act_fn="snakebeta")
score = lambda x, mask, mu, t: net(x, mask, mu, t)
"""
OURS = """
from tts_diffusion.config import load_config
from tts_diffusion.models.tts import GradTTS
from tts_diffusion.training.acoustic import TrainConfig
model = GradTTS(100, 3, 80, load_config(TrainConfig, {recipe!r}, []).model)
net = model.decoder
score = lambda x, mask, mu, t: model.eps(x, t, mu, mask)
"""


def cpu_peers(args, nfes: list[int]) -> str:
    """Matcha-TTS's decoder and our CPU recipe's, in fresh processes that alternate, ``--repeats``
    rounds; medians of the rounds' medians."""
    systems = {"Matcha-TTS (default decoder)": (args.matcha_python, MATCHA),
               f"ours ({args.cpu_recipe})": (sys.executable, OURS.format(recipe=args.cpu_recipe))}
    results: dict[str, list[dict]] = {name: [] for name in systems}
    for _ in range(args.repeats):
        for name, (python, build) in systems.items():
            command = [python, "-c", MEASURE.format(build=build), str(args.threads), ",".join(map(str, nfes)), "3"]
            out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
            results[name].append(json.loads(out.strip().splitlines()[-1]))
    rows = {name: {k: statistics.median(r[k] for r in runs) for k in runs[0]} for name, runs in results.items()}
    return table(rows, nfes)


def table(rows: dict[str, dict], nfes: list[int]) -> str:
    """Markdown rows for each system, then the second's ratios to the first."""
    names = list(rows)
    base = rows[names[0]]
    body = ("| | decoder params (M) | MACs per evaluation, 1 x 432 frames (G) | "
            + " | ".join(f"synthesis, {n} evaluations (s)" for n in nfes)
            + f" | training step, {BATCH} x {SEGMENT} frames (s) | peak memory of training (GB) |\n"
            + "|" + " --- |" * (5 + len(nfes)) + "\n")
    for name in names + ["ratio"]:
        r = rows[name] if name != "ratio" else {k: rows[names[1]][k] / base[k] for k in base}
        fmt = "{:.2f}x" if name == "ratio" else "{:.2f}"
        cells = [r["params"], r["macs"], *[r[str(n)] for n in nfes], r["train"], r["peak"]]
        body += f"| {name} | " + " | ".join(fmt.format(c) for c in cells) + " |\n"
    return body


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--grad-tts", required=True)
    parser.add_argument("--recipe", default="recipes/ljspeech.yaml")
    parser.add_argument("--matcha-python", help="python of a venv with matcha-tts: also compare the CPU decoder")
    parser.add_argument("--cpu-recipe", default="recipes/voices_cpu.yaml")
    parser.add_argument("--nfe", default="1,10")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("-o", "--output", "--out", dest="out")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    if args.worker:
        score, net, loss = grad_tts(args.grad_tts) if args.worker == "grad-tts" else ours(args.recipe)
        optimizer = torch.optim.Adam(net.parameters(), 1e-4)
        for _ in range(3):
            training_step(net, loss, optimizer)
        print(json.dumps({"peak_gb": peak_rss_mb() / 1024}))
        return
    systems = {"official Grad-TTS": grad_tts(args.grad_tts), f"ours ({args.recipe})": ours(args.recipe)}
    x, mask, mu = inputs(1, FRAMES)
    t = torch.full((1,), 0.5)
    rows = {name: {"params": sum(p.numel() for p in net.parameters()) / 1e6} for name, (_, net, _) in systems.items()}
    for name, (score, _, _) in systems.items():
        with torch.no_grad(), FlopCounterMode(display=False) as counter:
            score(x, mask, mu, t)
        rows[name]["macs"] = counter.get_total_flops() / 2e9
    nfes = [int(n) for n in args.nfe.split(",")]
    times = {name: {n: [] for n in nfes} | {"train": []} for name in systems}
    optimizers = {name: torch.optim.Adam(net.parameters(), 1e-4) for name, (_, net, _) in systems.items()}
    for _ in range(args.repeats):
        for name, (score, net, loss) in systems.items():  # alternate the systems within each round
            with torch.no_grad():
                for n in nfes:
                    start = time.perf_counter()
                    for _ in range(n):
                        score(x, mask, mu, t)
                    times[name][n].append(time.perf_counter() - start)
            start = time.perf_counter()
            training_step(net, loss, optimizers[name])
            times[name]["train"].append(time.perf_counter() - start)
    for name in systems:
        rows[name].update({str(k): statistics.median(v) for k, v in times[name].items()})
        rows[name]["peak"] = peak_memory("grad-tts" if name.startswith("official") else "ours", args)
    body = (f"torch {torch.__version__}, {args.threads} threads, random weights, medians of {args.repeats} interleaved "
            "rounds.\n\n" + table(rows, nfes))
    if args.matcha_python:
        body += "\nThe CPU decoders, each measurement in a fresh process:\n\n" + cpu_peers(args, nfes)
    publish("Peers: our decoders beside Grad-TTS's and Matcha-TTS's", body, args.out)


if __name__ == "__main__":
    main()
