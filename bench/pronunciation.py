"""How the front end reads Korean words against their standard pronunciation (표준 발음법).

    python bench/pronunciation.py --g2pkk-python G2PKK_VENV/bin/python --out docs/pronunciation.md

A word is read right when the front end gives its spelling and its written standard
pronunciation the same symbol ids (the property the tests assert). Scored on a list of words kept
apart from the rules' development (bench/text/pronunciation_heldout.tsv): front end version 1
(espeak-ng's own Korean rules), version 2 (the standard pronunciation stage first), and, for
comparison, g2pkk (a rule-based Korean G2P with a morphological analyser, mecab) whose output
Hangul must equal the pronunciation. g2pkk runs in its own venv (``pip install g2pkk
python-mecab-ko``); its constructor downloads nltk's cmudict (English only), so the script builds it
without that step. Then the standard's own examples, rule by rule (tests/pronunciation_cases.tsv),
the held-out news phrases (English words, acronyms, counters, fractions, named dates: read as an
announcer reads them, spaces aside; bench/text/news_phrases_heldout.tsv), and the front end's time
per sentence (normalization, standard pronunciation and G2P of bench/text/heldout_ko.txt, each once, median).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import time
import warnings
from collections import defaultdict
from pathlib import Path

from report import publish
from tts_diffusion.text import Tokenizer, normalize
from tts_diffusion.text.pronunciation import standard_pronunciation

HERE = Path(__file__).parent
CHOICE = """## Library or our own

We wrote the rules (`tts_diffusion/text/pronunciation.py`, ~300 lines, and a lexicon of ~150 words)
rather than depend on g2pkk, for four reasons measured or read here: g2pkk's constructor downloads
nltk's cmudict at start-up (it fails offline, and we only need Korean) and needs mecab (a 40 MB
dictionary) for its morphology; its output on the held-out words is lower (below); and its rules
could not be versioned with our models. What mecab gives g2pkk (verb stems, Sino-Korean words,
compounds) our rules take from stated heuristics and the lexicon; the misses below are the words
that need a full dictionary. The held-out list was written after the rules; one bug it exposed
(rules reading a syllable already changed by an earlier rule: 솔직히) was fixed before this run.

"""
G2PKK = """
import json, sys, g2pkk.g2pkk as g
from g2pkk.utils import get_rule_id2text
p = g.G2p.__new__(g.G2p)
p.mecab, p.table, p.cmu = p.get_mecab(), g.parse_table(), {}
p.rule2text, p.idioms_path = get_rule_id2text(), g.os.path.join(g.os.path.dirname(g.__file__), "idioms.txt")
print(json.dumps([p(w) for w in json.load(sys.stdin)], ensure_ascii=False))
"""


def read_pairs(path: Path) -> list[list[str]]:
    return [line.split("\t") for line in path.read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--g2pkk-python", help="python of a venv with g2pkk and python-mecab-ko")
    parser.add_argument("-o", "--output", "--out", dest="out")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    heldout = read_pairs(HERE / "text" / "pronunciation_heldout.tsv")
    readers = {"front end v1 (espeak-ng's rules)": Tokenizer(frontend=1), "front end v2 (standard pronunciation)": Tokenizer()}
    rows = []
    for name, tokenizer in readers.items():
        right = [w for w, p in heldout if tokenizer.encode(w, "ko").ids == tokenizer.encode(p, "ko").ids]
        rows.append(f"| {name} | {len(right)} / {len(heldout)} |")
    misses = [f"{w} [{p}]: {standard_pronunciation(w)}" for w, p in heldout if standard_pronunciation(w) != p]
    if args.g2pkk_python:
        out = subprocess.run([args.g2pkk_python, "-c", G2PKK], input=json.dumps([w for w, _ in heldout]),
                             capture_output=True, text=True, check=True).stdout
        readings = json.loads(out.strip().splitlines()[-1])
        right = sum(r.replace(" ", "") == p for r, (_, p) in zip(readings, heldout))
        rows.append(f"| g2pkk 0.1.2 with mecab (its Hangul output) | {right} / {len(heldout)} |")
        misses.append("g2pkk misses: " + ", ".join(f"{w} [{p}]: {r}" for r, (w, p) in zip(readings, heldout)
                                                 if r.replace(" ", "") != p))
    by_rule = defaultdict(list)
    for spelling, pronunciation, article in read_pairs(HERE.parent / "tests" / "pronunciation_cases.tsv"):
        got = standard_pronunciation(spelling)
        by_rule[article.rstrip("*")].append(f"{spelling} [{pronunciation}]" + ("" if got == pronunciation else f" → {got} ✗"))
    phrases = read_pairs(HERE / "text" / "news_phrases_heldout.tsv")
    phrase_misses = [f"{w} → {normalize(w, 'ko')} (announcer: {e})" for w, e in phrases
                     if normalize(w, "ko").replace(" ", "") != e.replace(" ", "")]
    sentences = read_pairs(HERE / "text" / "heldout_ko.txt")
    tokenizer, seconds = Tokenizer(), []
    tokenizer.encode("준비", "ko")  # espeak-ng loaded before timing
    for (sentence,) in sentences:  # each once: nothing cached
        start = time.perf_counter()
        tokenizer.encode(sentence, "ko")
        seconds.append(time.perf_counter() - start)
    examples = "\n".join(f"| {a} | {len(v)} | {', '.join(v)} |" for a, v in sorted(by_rule.items(), key=lambda kv: int(kv[0])))
    body = (CHOICE + "## Held-out words\n\n| reader | read as the standard pronunciation |\n| --- | --- |\n" + "\n".join(rows)
            + "\n\nWhere front end v2 differs: " + "; ".join(misses[:1] + misses[1:]) + "\n\n"
            "## The standard's examples, article by article\n\nEach is `spelling [standard pronunciation]`, "
            "followed by our reading where it differs.\n\n| article | examples | spelling [pronunciation] |\n"
            "| --- | --- | --- |\n" + examples + "\n\n"
            f"## Held-out news phrases\n\n{len(phrases) - len(phrase_misses)} / {len(phrases)} read as an announcer "
            "reads them. Misses: " + ("; ".join(phrase_misses) or "none") + "\n\n"
            f"## Speed\n\nThe front end (normalize, standard pronunciation, G2P, symbol ids) takes "
            f"{1000 * statistics.median(seconds):.2f} ms per held-out Korean sentence (median of {len(seconds)}).\n")
    publish("Korean standard pronunciation", body, args.out)


if __name__ == "__main__":
    main()
