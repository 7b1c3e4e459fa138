"""Pronunciation control: the user lexicon (respellings and phonemes) and inline [[phonemes]]."""

import subprocess
import sys

import pytest

from tts_diffusion.text import Lexicon, LexiconError, Tokenizer

from conftest import ROOT


def write(tmp_path, text):
    path = tmp_path / "lexicon.tsv"
    path.write_text(text, encoding="utf-8")
    return path


def test_entries_are_respellings_or_phonemes(tmp_path):
    lexicon = Lexicon.read(write(tmp_path, "# names\nKBS\t카비에스\nNguyen\tWin\nSeoul\t[[sˈoʊl]]\n박물관\tbˈɐkmul\n\n"))
    assert lexicon.entries == {"KBS": "카비에스", "Nguyen": "Win", "Seoul": "[[sˈoʊl]]", "박물관": "[[bˈɐkmul]]"}
    assert lexicon.apply("KBS는 Seoul에서 Nguyen을, 박물관은 KBSX") == "카비에스는 [[sˈoʊl]]에서 Win을, [[bˈɐkmul]]은 KBSX"


@pytest.mark.parametrize("text,error", [
    ("KBS\n", ":1: expected 'word<TAB>pronunciation'"),
    ("ok\t오케이\nKBS\t\n", ":2: expected"),
    ("a\tb\tc\n", ":1: expected"),
    ("Seoul\t[[s☃l]]\n", ":1: phonemes '☃' are not in the symbol table"),
])
def test_bad_lines_are_named(tmp_path, text, error):
    with pytest.raises(LexiconError, match=error):
        Lexicon.read(write(tmp_path, text), set(Tokenizer().table.symbols))


def test_inline_phonemes_are_read_as_those_symbols():
    tokenizer = Tokenizer(add_blank=False)
    table = tokenizer.table
    encoded = tokenizer.encode("오늘 [[sˈoʊl]] 날씨")
    assert "sˈoʊl" in encoded.phonemes
    plain = tokenizer.encode("오늘 날씨")
    assert len(encoded.ids) == len(plain.ids) + len("sˈoʊl") + 1  # the phonemes and one more space
    assert all(table.language_id("ko") == lang for lang in encoded.langs)
    english = tokenizer.encode("The city of [[sˈoʊl]].")
    assert all(table.language_id("en") == lang for lang in english.langs)


def test_tts_say_reads_the_lexicon_and_names_a_bad_line(tmp_path):
    bad = write(tmp_path, "KBS\t카비에스\nbroken line\n")
    out = tmp_path / "out.wav"
    result = subprocess.run([sys.executable, "-m", "tts_diffusion.cli", "--lexicon", str(bad), "KBS 뉴스", "-o", str(out)],
                            capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 2 and f"{bad}:2: expected" in result.stderr and len(result.stderr.splitlines()) == 1
    assert not out.exists()


def test_the_api_applies_the_lexicon(tiny_run, tmp_path):
    from tts_diffusion.api import TTS

    plain = TTS.from_pretrained(tiny_run)
    with_lexicon = TTS.from_pretrained(tiny_run, lexicon=write(tmp_path, "뉴스\t[[nju sɯ]]\n"))
    a = with_lexicon.synthesize("뉴스입니다", steps=2, seed=0)
    b = plain.synthesize("[[nju sɯ]]입니다", steps=2, seed=0)
    assert (a.audio == b.audio).all()
    assert with_lexicon.lexicon.apply("뉴스") != "뉴스" and plain.lexicon.apply("뉴스") == "뉴스"
