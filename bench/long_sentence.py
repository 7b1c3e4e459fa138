"""A run-on sentence costs what its length says: the real-time factor of one ~400-word sentence with
no punctuation (a 400-digit number read in English) against that of the held-out Korean article.

    python bench/long_sentence.py --out docs/long_sentence.md

Long sentences are cut at the best boundary above a length (api.split_sentences: a comma, else a
space), so the decoder and Griffin-Lim never see one minute-long mel, whose cost grows faster than
its length. Synthesis only (the model loaded and warmed first), default options, medians of
``--repeats``.
"""

from __future__ import annotations

import argparse
import random
import statistics

from heldout import read_text_lines
from report import publish
from tts_diffusion.api import TTS


def real_time_factor(tts: TTS, text: str, repeats: int) -> tuple[float, float, int]:
    """(median real-time factor, seconds of audio, sentences spoken)."""
    runs = [tts.synthesize(text, seed=0).timings for _ in range(repeats)]
    return statistics.median(t["rtf"] for t in runs), runs[0]["audio"], len(tts.sentences(text))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--runtimes", default="torch,onnx", help="which engines (onnx: the cached ONNX form)")
    parser.add_argument("-o", "--output", "--out", dest="out")
    args = parser.parse_args()
    digits = "".join(random.Random(0).choice("123456789") for _ in range(400))
    texts = {"a 400-digit number read in English, no punctuation": digits,
             "the held-out Korean article (20 sentences)": "\n".join(read_text_lines("article_ko.txt"))}
    rows = []
    for runtime in args.runtimes.split(","):
        tts = TTS.from_pretrained(runtime=runtime)
        tts.synthesize("안녕하세요.")  # warm
        for label, text in texts.items():
            rtf, seconds, sentences = real_time_factor(tts, text, args.repeats)
            words = len(" ".join(tts.sentences(text)).split())
            rows.append(f"| {runtime} | {label} | {words} | {sentences} | {seconds:.0f} | {rtf:.3f} |")
            print(rows[-1], flush=True)
    publish("A long run-on sentence", "Synthesis only, default options, 2 CPU threads, medians of "
            f"{args.repeats}.\n\n| engine | text | spoken words | sentences spoken | audio (s) | real-time factor |\n"
            "| --- | --- | --- | --- | --- | --- |\n" + "\n".join(rows) + "\n", args.out)


if __name__ == "__main__":
    main()
