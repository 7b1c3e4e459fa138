"""Time to first audio: a 20-sentence Korean article, streamed a sentence at a time against
synthesized whole, from a loaded model.

    python bench/streaming.py --out docs/streaming.md

"first audio" is when ``TTS.stream`` yields its first chunk (the first sentence is made alone);
"total" is when the whole article is done, streamed and not. Medians of ``--repeats`` runs.
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch

from heldout import read_text_lines
from report import publish
from tts_diffusion.api import TTS, SynthesisOptions


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default=None, help="default: the bundled voices")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("-o", "--output", "--out", dest="out")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    article = " ".join(read_text_lines("article_ko.txt"))
    tts = TTS.from_pretrained(args.model)
    options = SynthesisOptions(seed=0)
    tts.synthesize("안녕하세요.", options)  # warm up
    first, streamed, whole, audio = [], [], [], 0.0
    for _ in range(args.repeats):
        start = time.perf_counter()
        for k, chunk in enumerate(tts.stream(article, options)):
            if k == 0:
                first.append(time.perf_counter() - start)
        streamed.append(time.perf_counter() - start)
        start = time.perf_counter()
        audio = tts.synthesize(article, options).timings["audio"]
        whole.append(time.perf_counter() - start)
    n = len(tts.sentences(article))
    body = (f"Model `{args.model or 'bundled'}`, default options, {args.threads} threads, {n} sentences, "
            f"{audio:.1f} s of audio; medians of {args.repeats} runs.\n\n"
            "| | seconds |\n| --- | --- |\n"
            f"| time to first audio (streamed) | {statistics.median(first):.3f} |\n"
            f"| total, streamed | {statistics.median(streamed):.2f} |\n"
            f"| total, synthesized whole | {statistics.median(whole):.2f} |\n")
    publish("Streaming", body, args.out)


if __name__ == "__main__":
    main()
