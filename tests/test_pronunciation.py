"""The Korean standard pronunciation stage: the standard's own examples, rule by rule, and the
property that defines it: the front end reads a word's spelling and its written standard
pronunciation as the same symbols."""

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tts_diffusion.text import Tokenizer
from tts_diffusion.text.pronunciation import standard_pronunciation

CASES = [tuple(line.split("\t")) for line in (Path(__file__).parent / "pronunciation_cases.tsv").read_text(
    encoding="utf-8").splitlines() if line and not line.startswith("#")]


def test_the_case_list_covers_every_rule():
    assert len(CASES) >= 80
    articles = {article.rstrip("*") for _, _, article in CASES}
    assert {"5", "9", "10", "11", "12", "13", "14", "15", "17", "18", "19", "20", "23", "24", "25", "26", "27", "28",
            "29", "30"} <= articles


@pytest.mark.parametrize("spelling,pronunciation,article", CASES)
def test_spelling_reads_as_its_standard_pronunciation(spelling, pronunciation, article):
    assert standard_pronunciation(spelling) == pronunciation, f"Art. {article}"
    assert standard_pronunciation(pronunciation) == pronunciation  # a pronounced form stays as it is


def test_the_front_end_reads_spelling_and_pronunciation_identically():
    tokenizer = Tokenizer()
    different = [s for s, p, _ in CASES if tokenizer.encode(s, "ko").ids != tokenizer.encode(p, "ko").ids]
    assert different == []


def test_front_end_version_one_keeps_espeak_readings_and_is_what_old_models_load():
    old = Tokenizer.from_state({"table": Tokenizer().table.state(), "add_blank": True})  # saved before versions
    assert old.frontend == 1 and Tokenizer().frontend == 2
    assert old.encode("박물관", "ko").ids != old.encode("방물관", "ko").ids
    assert Tokenizer.from_state(Tokenizer().state()).frontend == 2
    with pytest.raises(ValueError, match="front end version"):
        Tokenizer(frontend=7)


def test_punctuation_ends_a_phrase_and_other_scripts_pass_through():
    assert standard_pronunciation("밥 먹는다") == "밤 멍는다"
    assert standard_pronunciation("밥, 먹는다") == "밥, 멍는다"
    assert standard_pronunciation("KBS 국물 news") == "KBS 궁물 news"
    assert standard_pronunciation("전국 곳곳에서") == "전국 곧꼬세서"


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet=st.characters(min_codepoint=0xAC00, max_codepoint=0xD7A3), min_size=1, max_size=5),
                min_size=1, max_size=4))
def test_any_hangul_keeps_its_syllable_count_and_word_breaks(words):
    text = " ".join(words)
    out = standard_pronunciation(text)
    assert [len(w) for w in out.split(" ")] == [len(w) for w in words]
    assert all(0xAC00 <= ord(ch) <= 0xD7A3 for ch in out.replace(" ", ""))
