"""G2P through espeak-ng, script splitting, and the versioned symbol table."""

import pytest

from tts_diffusion.text import SymbolTable, Tokenizer, text_to_ids
from tts_diffusion.text.symbols import SYMBOLS_V1
from tts_diffusion.text.g2p import phonemize, split_by_script


def test_split_by_script_keeps_punctuation_with_the_run_before():
    assert split_by_script("뉴스 Apple의 iPhone.") == [("ko", "뉴스 "), ("en", "Apple"), ("ko", "의 "), ("en", "iPhone.")]
    assert split_by_script("“Hi” 안녕") == [("en", "“Hi” "), ("ko", "안녕")]


def test_korean_g2p_applies_espeak_phonology():
    [(lang, phones)] = phonemize("안녕하세요")
    assert lang == "ko"
    assert phones.startswith("ˈɐnnjʌŋ")  # ㄴ doubled across the syllable boundary


def test_english_g2p():
    [(lang, phones)] = phonemize("hello world", default="en")
    assert lang == "en" and phones == "həlˈoʊ wˈɜːld"


def test_encode_mixed_text_marks_languages_and_blanks():
    tokenizer = Tokenizer(add_blank=True)
    encoded = tokenizer.encode("오늘 주가. Apple stock rose. 내일 뵙겠습니다.")  # an English sentence stays English
    table = tokenizer.table
    assert len(encoded.ids) == 2 * len(encoded.phonemes) + 1
    assert encoded.ids[0::2] == [table.pad_id] * (len(encoded.phonemes) + 1)
    assert [table.symbols[i] for i in encoded.ids[1::2]] == list(encoded.phonemes)
    ko, en = table.language_id("ko"), table.language_id("en")
    assert set(encoded.langs) == {ko, en} and len(encoded.langs) == len(encoded.ids)
    # the English run sits between two Korean runs (an English word inside a Korean sentence is Hangul)
    runs = [l for i, l in enumerate(encoded.langs) if i == 0 or encoded.langs[i - 1] != l]
    assert runs == [ko, en, ko]


def test_symbol_table_roundtrips_through_checkpoint_state():
    tokenizer = Tokenizer(add_blank=False)
    restored = Tokenizer.from_state(tokenizer.state())
    assert restored.table.symbols == tokenizer.table.symbols and restored.add_blank is False
    text = "서울의 기온은 영하 3도입니다."
    assert restored.encode(text).ids == tokenizer.encode(text).ids


def test_an_old_table_keeps_its_ids():
    old = SymbolTable(symbols=["_", " ", "."] + list("ɐnjʌŋhseoˈˌ"), version=0)
    ids = Tokenizer(old, add_blank=False).encode("안녕하세요.").ids
    assert max(ids) < len(old)
    assert "".join(old.symbols[i] for i in ids) == "ˈɐnnjʌŋhˌɐsejˌo."


def test_table_v2_keeps_the_english_reduced_vowel_that_v1_dropped():
    v1 = SymbolTable(symbols=list(SYMBOLS_V1), version=1)
    with pytest.warns(UserWarning, match="ᵻ"):
        dropped = Tokenizer(v1, add_blank=False).encode("She wanted roses.", "en").phonemes
    kept = Tokenizer(add_blank=False).encode("She wanted roses.", "en")
    assert "ᵻ" in kept.phonemes and "ᵻ" not in dropped
    assert SymbolTable().extends(v1) and not v1.extends(SymbolTable())


def test_duplicate_symbols_rejected():
    with pytest.raises(ValueError, match="duplicate"):
        SymbolTable(symbols=["_", "a", "a"])


def test_text_to_ids_rejects_empty_text():
    with pytest.raises(ValueError):
        text_to_ids("  ")
    assert len(text_to_ids("하나")) > 3


def test_the_front_end_is_safe_to_call_from_threads():
    from concurrent.futures import ThreadPoolExecutor

    tokenizer = Tokenizer()
    texts = ["안녕하세요. 오늘의 뉴스입니다.", "Good evening, here is the news.", "박물관과 한라산", "The weather in Seoul.",
             "국립 중앙 박물관", "Stocks fell sharply today.", "강릉 날씨는 맑겠습니다.", "Thank you for listening."] * 25
    expected = {t: tokenizer.encode(t).ids for t in set(texts)}
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda t: tokenizer.encode(t).ids, texts))
    assert [r == expected[t] for r, t in zip(results, texts)] == [True] * len(texts)


def test_a_killed_process_leaves_no_copy_of_the_espeak_library_behind(tmp_path):
    import os
    import subprocess
    import sys

    env = {**os.environ, "TMPDIR": str(tmp_path)}
    killed = subprocess.run([sys.executable, "-c", "import os, signal; from tts_diffusion.text import text_to_ids; "
                             "text_to_ids('안녕'); print(os.getpid(), flush=True); os.kill(os.getpid(), signal.SIGKILL)"],
                            capture_output=True, text=True, env=env)
    pid = killed.stdout.strip()
    scratch = tmp_path / "tts-diffusion-espeak"
    assert (scratch / pid).is_dir() and any((scratch / pid).rglob("*.so*"))  # the copy, left by kill -9
    again = subprocess.run([sys.executable, "-c", "from tts_diffusion.text import text_to_ids; text_to_ids('hello')"],
                           capture_output=True, text=True, env=env)
    assert again.returncode == 0, again.stderr
    assert not (scratch / pid).exists()  # removed by the next process
    assert not [p for p in tmp_path.iterdir() if p.name.startswith("tmp")]  # and nothing in the shared temp folder
