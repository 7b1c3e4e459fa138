"""Training and sampling cost of a recipe's model on this machine.

    python bench/train_speed.py recipes/espeak_cpu.yaml recipes/ljspeech.yaml --steps 5

For each recipe: parameters, seconds per training step on a synthetic batch (batch_size x
utterances of --frames frames, --tokens tokens, decoder on the recipe's segments), peak resident
memory of the process, and seconds per decoder evaluation (one sampling step) on a 5 s utterance.
"""

from __future__ import annotations

import argparse
import resource
import time

import torch

from tts_diffusion.config import load_config
from tts_diffusion.training.acoustic import TrainConfig, build_model
from tts_diffusion.text import Tokenizer


def measure(recipe: str, steps: int, frames: int, tokens: int) -> dict[str, float]:
    config = load_config(TrainConfig, recipe)
    torch.manual_seed(0)
    model = build_model(config, Tokenizer())
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4)
    b = config.data.batch_size
    ids = torch.randint(1, 100, (b, tokens))
    mels = torch.randn(b, config.mel.n_mels, frames) - 5
    lengths_t, lengths_f = torch.full((b,), tokens), torch.full((b,), frames)
    times = []
    for step in range(steps + 1):
        start = time.perf_counter()
        losses = model(ids, torch.zeros_like(ids), lengths_t, mels, lengths_f)
        optimizer.zero_grad()
        sum(losses.values()).backward()
        optimizer.step()
        if step:  # the first step warms up
            times.append(time.perf_counter() - start)
    model.eval()
    frames_5s = 5 * config.mel.sample_rate // config.mel.hop_length
    x, mu, mask = torch.randn(1, config.mel.n_mels, frames_5s), torch.randn(1, config.mel.n_mels, frames_5s), torch.ones(1, 1, frames_5s)
    with torch.no_grad():
        model.eps(x, torch.rand(1), mu, mask)
        start = time.perf_counter()
        for _ in range(5):
            model.eps(x, torch.rand(1), mu, mask)
        per_eval = (time.perf_counter() - start) / 5
    return {
        "encoder_M": sum(p.numel() for p in model.encoder.parameters()) / 1e6,
        "decoder_M": sum(p.numel() for p in model.decoder.parameters()) / 1e6,
        "s_per_step": sum(times) / len(times),
        "peak_rss_GB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20,
        "s_per_sampling_step_5s": per_eval,
        "batch": b,
        "segment": config.model.segment_frames,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("recipes", nargs="+")
    parser.add_argument("--steps", type=int, default=5)
    parser.add_argument("--frames", type=int, default=500, help="mel frames per utterance (500 = 5.8 s)")
    parser.add_argument("--tokens", type=int, default=250, help="tokens per utterance (with blanks)")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    print(f"torch {torch.__version__}, {args.threads} threads, batch of utterances with {args.frames} frames / {args.tokens} tokens")
    print("| recipe | encoder (M) | decoder (M) | s / training step | steps / s | peak RSS (GB) | s / sampling step, 5 s |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for recipe in args.recipes:  # peak RSS is the process's: list the smaller recipe first
        r = measure(recipe, args.steps, args.frames, args.tokens)
        print(f"| {recipe} (batch {r['batch']}, segment {r['segment']}) | {r['encoder_M']:.2f} | {r['decoder_M']:.2f} | "
              f"{r['s_per_step']:.2f} | {1 / r['s_per_step']:.2f} | {r['peak_rss_GB']:.2f} | {r['s_per_sampling_step_5s']:.3f} |")


if __name__ == "__main__":
    main()
