"""English words inside Korean text, written in Hangul as the 외래어 표기법 writes them.

A Korean announcer reads "Netflix" as 넷플릭스, not in English. Known words come from a lexicon
(:mod:`.loanword_lexicon`: news words, brands, acronyms read as words); any other word is transcribed
from its English pronunciation (espeak-ng en-us) by the rules of 외래어 표기법 제3장 제1절 (영어의
표기), which :func:`transcribe` implements:

- 제1항 voiceless stops [p t k]: a 받침 (ㅂ ㅅ ㄱ) after a short vowel at the end of a word or before a
  consonant other than a liquid or nasal (gap 갭, book 북, act 액트); otherwise with 으 (cape 케이프).
- 제2항 voiced stops and 제3항 fricatives before a consonant or at the end: with 으 (land 랜드, mask
  마스크); [ʃ] 시 at the end, 슈 before a consonant, 샤 섀 셔 셰 쇼 슈 시 before a vowel; [ʒ] 지 / ㅈ.
- 제4항 affricates [tʃ dʒ]: 치 지 at the end or before a consonant, ㅊ ㅈ before a vowel.
- 제5항 nasals: a 받침 at the end or before a consonant (steam 스팀, ink 잉크); [ŋ] between vowels is
  a 받침 ㅇ (hanging 행잉).
- 제6항 [l]: a 받침 ㄹ at the end or before a consonant (hotel 호텔); between vowels, or after a
  consonant before a vowel, ㄹㄹ (slide 슬라이드, olive 올리브), but a single ㄹ after a nasal (Hamlet
  햄릿); before a final nasal ㄹㄹ (film 필름).
- 제7항 long vowels are not marked; 제8항 diphthongs are read vowel by vowel (time 타임, house 하우스)
  except [ou] 오 (boat 보트) and [auə] 아워 (tower 타워).
- 제9항 [w] joins the vowel after it (word 워드, west 웨스트, witch 위치); after [g k h] it joins the
  consonant in one syllable (penguin 펭귄, quarter 쿼터), after any other consonant that consonant
  takes 으 (swing 스윙); [j] joins the vowel (yard 야드, you 유).
- American r: [ɹ] before a vowel is ㄹ; elsewhere it is not written (part 파트, corn 콘); a flap
  [ɾ] is ㅌ (city 시티).
"""

from __future__ import annotations

import functools
import re

from .loanword_lexicon import ACRONYM_WORDS, LOANWORDS

ONSETS = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"
VOWEL_JAMO = "ㅏㅐㅑㅒㅓㅔㅕㅖㅗㅘㅙㅚㅛㅜㅝㅞㅟㅠㅡㅢㅣ"
CODAS = " ㄱㄲㄳㄴㄵㄶㄷㄹㄺㄻㄼㄽㄾㄿㅀㅁㅂㅄㅅㅆㅇㅈㅊㅋㅌㅍㅎ"

# "I" and "U" are the second halves of diphthongs: the vowels ㅣ ㅜ, never short (make 메이크, not 메익)
VOWELS = {"I": "ㅣ", "U": "ㅜ", "i": "ㅣ", "ɪ": "ㅣ", "ᵻ": "ㅣ", "e": "ㅔ", "ɛ": "ㅔ", "æ": "ㅐ", "a": "ㅏ", "ɑ": "ㅏ", "ɒ": "ㅗ",
          "ɔ": "ㅗ", "o": "ㅗ", "ʊ": "ㅜ", "u": "ㅜ", "ʌ": "ㅓ", "ə": "ㅓ", "ɚ": "ㅓ", "ɜ": "ㅓ", "ɐ": "ㅓ", "ɨ": "ㅡ"}
DIPHTHONGS = {"aɪ": "aI", "aʊ": "aU", "eɪ": "eI", "oʊ": "o", "ɔɪ": "ɔI"}  # read vowel by vowel; [ou] is 오
SHORT = set("ɪɛæʌʊɑɒɔɐə")
ONSET_OF = {"p": "ㅍ", "b": "ㅂ", "t": "ㅌ", "d": "ㄷ", "k": "ㅋ", "ɡ": "ㄱ", "f": "ㅍ", "v": "ㅂ", "θ": "ㅅ",
            "ð": "ㄷ", "s": "ㅅ", "z": "ㅈ", "ʃ": "ㅅ", "ʒ": "ㅈ", "tʃ": "ㅊ", "dʒ": "ㅈ", "h": "ㅎ", "m": "ㅁ",
            "n": "ㄴ", "ŋ": "ㅇ", "l": "ㄹ", "ɹ": "ㄹ", "ɾ": "ㅌ", "ʔ": "ㅌ", "x": "ㅎ"}
STOP_CODAS = {"p": "ㅂ", "t": "ㅅ", "ʔ": "ㅅ", "k": "ㄱ"}
NASAL_CODAS = {"m": "ㅁ", "n": "ㄴ", "ŋ": "ㅇ"}
FINAL_VOWEL = {"tʃ": "ㅣ", "dʒ": "ㅣ", "ʒ": "ㅣ"}  # 치, 지: others take ㅡ
Y_GLIDE = dict(zip("ㅏㅐㅓㅔㅗㅜㅣㅡ", "ㅑㅒㅕㅖㅛㅠㅣㅡ"))
W_GLIDE = dict(zip("ㅏㅐㅓㅔㅗㅜㅣㅡ", "ㅘㅙㅝㅞㅝㅜㅟㅜ"))
_UNITS = re.compile(r"tʃ|dʒ|aɪ|aʊ|eɪ|oʊ|ɔɪ|.", re.S)


def syllable(onset: str, vowel: str, coda: str = " ") -> str:
    return chr(0xAC00 + (ONSETS.index(onset) * 21 + VOWEL_JAMO.index(vowel)) * 28 + CODAS.index(coda))


def _units(ipa: str) -> list[str]:
    ipa = re.sub(r"[ˈˌː\s-]", "", ipa).replace("n\u0329", "ɨn").replace("l\u0329", "ɨl").replace("m\u0329", "ɨm")
    out = []
    for unit in _UNITS.findall(ipa):
        out.extend(DIPHTHONGS[unit] if unit in DIPHTHONGS else [unit])
    # [auə]: the ʊ before another vowel is the glide w (tower 타워)
    return ["w" if u == "U" and k + 1 < len(out) and out[k + 1] in VOWELS else u
            for k, u in enumerate(out)]


def transcribe(ipa: str) -> str:
    """espeak-ng en-us IPA of one word -> Hangul by 외래어 표기법 제3장 제1절 (rules in the module doc)."""
    units = _units(ipa)
    out: list[list[str]] = []  # syllables as [onset, vowel, coda]
    pending: str | None = None  # a consonant waiting for its vowel
    glide: str | None = None
    after_vowel = False  # the previous unit closed a vowel: a 받침 may follow
    last_vowel = ""  # the vowel a 받침 would close ("ɹ" once an r follows it: part 파트, not 팟)

    def with_eu(consonant: str) -> None:
        out.append([ONSET_OF[consonant], FINAL_VOWEL.get(consonant, "ㅡ"), " "])

    def open_onset(consonant: str) -> str:
        # ㄹㄹ: an onset l after an open syllable (slide 슬라이드, olive 올리브), not after a 받침
        if consonant == "l" and out and out[-1][2] == " ":
            out[-1][2] = "ㄹ"
        return ONSET_OF[consonant]

    def close(consonant: str, following: str | None) -> None:
        """A consonant before another consonant or at the end of the word."""
        nonlocal after_vowel, last_vowel
        if consonant == "ɹ":
            last_vowel = "ɹ"  # American r after a vowel is not written, and no stop closes the vowel after it
            return
        last = out[-1] if out and after_vowel and out[-1][2] == " " else None
        if consonant in NASAL_CODAS and last is not None:
            last[2] = NASAL_CODAS[consonant]
        elif consonant in ("m", "n") and out and out[-1][2] == "ㄹ" and after_vowel is False and following is None:
            out.append(["ㄹ", "ㅡ", NASAL_CODAS[consonant]])  # film 필름
        elif consonant == "l" and last is not None:
            last[2] = "ㄹ"
        elif (consonant in STOP_CODAS and last is not None and last_vowel in SHORT
              and (following is None or following not in ("l", "ɹ", "m", "n", "ŋ"))):
            last[2] = STOP_CODAS[consonant]
        elif consonant == "ʃ":
            out.append(["ㅅ", "ㅣ" if following is None else "ㅜ", " "])
        else:
            with_eu(consonant)
        after_vowel = False

    for k, unit in enumerate(units):
        following = units[k + 1] if k + 1 < len(units) else None
        if unit in VOWELS:
            onset = open_onset(pending) if pending else "ㅇ"
            vowel = VOWELS[unit]
            if pending == "ʃ" or glide == "j":
                vowel = Y_GLIDE.get(vowel, vowel)
            if glide == "w":
                vowel = W_GLIDE.get(vowel, vowel)
            out.append([onset, vowel, " "])
            pending, glide, after_vowel, last_vowel = None, None, True, unit
        elif unit in ("j", "w"):
            if pending is not None and unit == "w" and pending not in ("ɡ", "k", "h"):
                close(pending, unit)  # swing 스윙: the s takes 으, the w starts the next syllable
                pending = None
            glide = unit
        elif unit == "ŋ" and following in VOWELS and out and after_vowel:
            out[-1][2] = "ㅇ"  # hanging 행잉
            after_vowel = False
        elif unit in ONSET_OF:
            if pending is not None:
                close(pending, unit)
            if following in VOWELS or following in ("j", "w"):
                pending = unit
            else:
                pending = None
                close(unit, following)
        else:
            raise ValueError(f"no Hangul for the English phoneme {unit!r} in {ipa!r}")
    if pending is not None:
        close(pending, None)
    return "".join(syllable(*s) for s in out)


@functools.lru_cache(maxsize=4096)
def _pronounced(word: str) -> str:
    from .g2p import phonemize

    ipa = phonemize(word.lower(), "en")[0][1]
    if word.lower().endswith("le") and re.search(r"[^aeiouɪɛæʌʊɑɒɔɐəɚɜː]əl$", ipa):
        ipa = ipa[:-2] + "ɨl"  # a written final -le is 을 (apple 애플, google 구글), not 얼
    if re.search(r"(ness|less|ress)$", word.lower()) and ipa.endswith("əs"):
        ipa = ipa[:-2] + "ɪs"  # -ness, -less, -ress are 니스, 리스, 리스 (sickness 시크니스, mattress 매트리스)
    return transcribe(ipa)


def hangul_for(word: str) -> str:
    """One Latin word inside Korean text, as a Korean announcer reads it: the lexicon, then acronyms
    read as words; other all-capitals words of up to six letters are spelled (KBS 케이비에스) by the
    caller, for which this returns ""; any other word is transcribed from its English pronunciation."""
    known = LOANWORDS.get(word) or LOANWORDS.get(word.lower())
    if known:
        return known
    if word.isupper():
        return ACRONYM_WORDS.get(word) or ("" if len(word) <= 6 else _pronounced(word.lower()))
    return _pronounced(word)
