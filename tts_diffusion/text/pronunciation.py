"""Korean standard pronunciation (표준 발음법, National Institute of Korean Language, 1988/2017):
spelling -> pronounced Hangul, before G2P.

    >>> standard_pronunciation("박물관과 한라산")
    '방물관과 할라산'

espeak-ng reads Hangul almost letter by letter; this stage rewrites each word into the Hangul of
its standard pronunciation (as g2pK does) so that G2P, and a teacher reading a corpus, say what a
Korean announcer says. Rules work on syllables split into (initial, vowel, final) jamo and run in
the standard's own order of dependence: the readings of vowels, ㄴ insertion, ㅎ, palatalization,
liaison, tensification, neutralization of finals, then assimilation (nasals and ㄹ). Where a rule
needs morphology (compounds, Sino-Korean words, verb stems), a small lexicon
(:mod:`.pronunciation_lexicon`) or a stated heuristic decides; each is named where it is used.
Within a phrase, liaison, nasalization, aspiration and tensification after ㄹ-adnominals also cross
the spaces between words (connected speech); a pause mark stops them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .pronunciation_lexicon import (
    BOUND_NOUNS, COMPOUNDS, N_INSERTION_SUFFIXES, RIEUL_GIYEOK_NOUNS, SAI_SIOT_SYLLABLES, SINO_LATERAL_EXCEPTIONS,
    VERB_ENDINGS, VERB_NASAL_STEMS,
)

INITIALS = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"
VOWELS = "ㅏㅐㅑㅒㅓㅔㅕㅖㅗㅘㅙㅚㅛㅜㅝㅞㅟㅠㅡㅢㅣ"
FINALS = ["", "ㄱ", "ㄲ", "ㄳ", "ㄴ", "ㄵ", "ㄶ", "ㄷ", "ㄹ", "ㄺ", "ㄻ", "ㄼ", "ㄽ", "ㄾ", "ㄿ", "ㅀ", "ㅁ", "ㅂ", "ㅄ",
          "ㅅ", "ㅆ", "ㅇ", "ㅈ", "ㅊ", "ㅋ", "ㅌ", "ㅍ", "ㅎ"]
DOUBLE_FINALS = {"ㄳ": "ㄱㅅ", "ㄵ": "ㄴㅈ", "ㄶ": "ㄴㅎ", "ㄺ": "ㄹㄱ", "ㄻ": "ㄹㅁ", "ㄼ": "ㄹㅂ", "ㄽ": "ㄹㅅ",
                 "ㄾ": "ㄹㅌ", "ㄿ": "ㄹㅍ", "ㅀ": "ㄹㅎ", "ㅄ": "ㅂㅅ"}
# Art. 9-11: the seven finals that are pronounced, and what every other final is pronounced as
# before a consonant or at the end of a word. Of the double finals ㄺ, ㄻ, ㄿ keep their second
# consonant (Art. 11), the others their first (Art. 10).
NEUTRAL = {"ㄲ": "ㄱ", "ㅋ": "ㄱ", "ㄳ": "ㄱ", "ㄺ": "ㄱ", "ㅅ": "ㄷ", "ㅆ": "ㄷ", "ㅈ": "ㄷ", "ㅊ": "ㄷ", "ㅌ": "ㄷ",
           "ㅎ": "ㄷ", "ㅍ": "ㅂ", "ㄼ": "ㄹ", "ㄿ": "ㅂ", "ㅄ": "ㅂ", "ㄵ": "ㄴ", "ㄶ": "ㄴ", "ㄻ": "ㅁ", "ㄽ": "ㄹ",
           "ㄾ": "ㄹ", "ㅀ": "ㄹ"}
TENSE = {"ㄱ": "ㄲ", "ㄷ": "ㄸ", "ㅂ": "ㅃ", "ㅅ": "ㅆ", "ㅈ": "ㅉ"}
ASPIRATE = {"ㄱ": "ㅋ", "ㄷ": "ㅌ", "ㅂ": "ㅍ", "ㅈ": "ㅊ"}
NASAL = {"ㄱ": "ㅇ", "ㄷ": "ㄴ", "ㅂ": "ㅁ"}
OBSTRUENT_FINALS = set("ㄱㄷㅂ")  # after neutralization
GLIDE_I = set("ㅣㅑㅕㅛㅠ")  # vowels an inserted ㄴ goes before (Art. 29)


@dataclass
class Syllable:
    initial: str
    vowel: str
    final: str
    word_start: bool = False  # first syllable of a word (a space before it)
    spelled: str = ""  # the syllable as written, for the rules that depend on the word (endings, lexicon)

    @property
    def text(self) -> str:
        code = (INITIALS.index(self.initial) * 21 + VOWELS.index(self.vowel)) * 28 + FINALS.index(self.final)
        return chr(0xAC00 + code)


def decompose(ch: str) -> Syllable:
    code = ord(ch) - 0xAC00
    return Syllable(INITIALS[code // 588], VOWELS[code // 28 % 21], FINALS[code % 28], spelled=ch)


def _split(final: str) -> tuple[str, str]:
    """A final as (what stays, what can move): 닭 -> (ㄹ, ㄱ), 옷 -> ('', ㅅ)."""
    pair = DOUBLE_FINALS.get(final)
    return (pair[0], pair[1]) if pair else ("", final)


def ui_reading(s: list[Syllable]) -> None:
    """Art. 5 다만 3. ㅢ after a consonant is [ㅣ] (희망 [히망], 무늬 [무니]). Without one it keeps
    [ㅢ] (의사, 주의, the particle 의: the principal readings; [ㅣ] and [ㅔ] are only allowed)."""
    for syl in s:
        if syl.vowel == "ㅢ" and syl.initial != "ㅇ":
            syl.vowel = "ㅣ"


def palatal_glide(s: list[Syllable]) -> None:
    """Art. 5 다만 1. 져, 쪄, 쳐 are [저, 쩌, 처] (가져 [가저], 다쳐 [다처], 잊혀 [이처])."""
    for syl in s:
        if syl.vowel == "ㅕ" and syl.initial in "ㅈㅉㅊ":
            syl.vowel = "ㅓ"


def n_insertion(s: list[Syllable]) -> None:
    """Art. 29. In a compound or a derived word whose second part begins with 이, 야, 여, 요, 유
    after a consonant, ㄴ is added ([ㄹ] after ㄹ, by Art. 20 later): 솜이불 [솜니불], 서울역
    [서울력]. Which words are compounds needs morphology: the lexicon spells the common ones with
    the ㄴ already there, and words ending in a bound noun of :data:`N_INSERTION_SUFFIXES`
    (역 station, 용 for-use, 유 oil, ...) after a consonant get it here."""
    for i in range(1, len(s)):
        syl, prev = s[i], s[i - 1]
        if (_word_end(s, i) and not syl.word_start and prev.final
                and _word_length(s, i) >= N_INSERTION_SUFFIXES.get(syl.spelled, 99)):
            syl.initial = "ㄴ"


def _word_end(s: list[Syllable], i: int) -> bool:
    return i + 1 == len(s) or s[i + 1].word_start


def _word_length(s: list[Syllable], i: int) -> int:
    return len(_word_at(s, i, upto=True))  # i is the word's last syllable here


def h_rules(s: list[Syllable]) -> None:
    """Art. 12, and Art. 17 [붙임] for ㄷ + 히.
    1. ㅎ (ㄶ, ㅀ) + ㄱ, ㄷ, ㅈ -> ㅋ, ㅌ, ㅊ (놓고 [노코], 많고 [만코]); ㄱ (ㄺ), ㄷ, ㅂ (ㄼ), ㅈ (ㄵ) + ㅎ
       -> ㅋ, ㅌ, ㅍ, ㅊ (각하 [가카], 밝히다 [발키다], 앉히다 [안치다]); ㅅ, ㅆ, ㅊ, ㅌ (read [ㄷ]) + ㅎ ->
       ㅌ (깨끗하다 [깨끄타다], 옷 한 벌 [오탄벌]); ㄷ, ㅌ + 히 -> 치 (닫히다 [다치다]).
    2. ㅎ (ㄶ, ㅀ) + ㅅ -> ㅆ (닿소 [다쏘], 싫소 [실쏘]).
    3. ㅎ + ㄴ -> [ㄴ] (놓는 [논는]); ㄶ, ㅀ + ㄴ: ㅎ is silent (않네 [안네], 뚫는 [뚤른]).
    4. ㅎ (ㄶ, ㅀ) + a vowel: ㅎ is silent (낳은 [나은], 많아 [마나], 싫어도 [시러도])."""
    for prev, syl in zip(s, s[1:]):
        stay, last = _split(prev.final)
        if last == "ㅎ":
            if syl.word_start:
                continue  # a word-final ㅎ is read [ㄷ] (Art. 9) before the next word
            if syl.initial in ASPIRATE:
                prev.final, syl.initial = stay, ASPIRATE[syl.initial]
            elif syl.initial == "ㅅ":
                prev.final, syl.initial = stay, "ㅆ"
            elif syl.initial == "ㄴ":
                prev.final = stay or "ㄴ"
            elif syl.initial == "ㅇ":
                prev.final = stay
        elif syl.initial == "ㅎ" and last:
            if last in "ㄷㅌ" and syl.vowel == "ㅣ" and not syl.word_start:
                prev.final, syl.initial = stay, "ㅊ"
            elif last in "ㄱㄲㅋ":
                prev.final, syl.initial = stay, "ㅋ"
            elif last in "ㄷㅅㅆㅊㅌ":
                prev.final, syl.initial = stay, "ㅌ"
            elif last in "ㅂㅍ":
                prev.final, syl.initial = stay, "ㅍ"
            elif last == "ㅈ":
                prev.final, syl.initial = stay, "ㅊ" if not syl.word_start else "ㅌ"


def palatalization(s: list[Syllable]) -> None:
    """Art. 17. Final ㄷ, ㅌ (ㄾ) before the vowel ㅣ of a suffix or particle move as [ㅈ], [ㅊ]:
    굳이 [구지], 밭이 [바치], 벼훑이 [벼훌치]. Within a word only (across a space 이 is a word
    of its own)."""
    for prev, syl in zip(s, s[1:]):
        stay, last = _split(prev.final)
        if syl.initial == "ㅇ" and syl.vowel == "ㅣ" and not syl.word_start and last in ("ㄷ", "ㅌ"):
            prev.final, syl.initial = stay, "ㅈ" if last == "ㄷ" else "ㅊ"


def liaison(s: list[Syllable]) -> None:
    """Art. 13-15. A final before a vowel moves to the next syllable: 옷이 [오시], 깎아 [까까];
    of a double final the second moves, ㅅ as [ㅆ] (값을 [갑쓸], 넋이 [넉씨], 닭을 [달글]).
    Before a following word beginning with ㅏ, ㅓ, ㅗ, ㅜ, ㅟ the final is first neutralized (Art. 15:
    밭 아래 [바다래], 늪 앞 [느밥]). ㅇ never moves."""
    for prev, syl in zip(s, s[1:]):
        if syl.initial != "ㅇ" or not prev.final or prev.final == "ㅇ":
            continue
        if syl.word_start:
            if syl.vowel not in "ㅏㅓㅗㅜㅟ":
                continue
            final = NEUTRAL.get(prev.final, prev.final)
            if final == "ㅇ":
                continue
            prev.final, syl.initial = "", final
            continue
        stay, last = _split(prev.final)
        prev.final, syl.initial = stay, "ㅆ" if stay and last == "ㅅ" else last


def tensification(s: list[Syllable]) -> None:
    """Art. 23-28, on the finals as spelled (so that the verb-stem rules can see ㄵ, ㄻ, ㄼ, ㄾ).
    - Art. 23: after an obstruent final (ㄱ, ㄷ, ㅂ classes) ㄱ, ㄷ, ㅂ, ㅅ, ㅈ are tense: 국밥 [국빱].
    - Art. 24-25: after the verb-stem finals ㄵ, ㄻ, ㄼ, ㄾ (앉고 [안꼬], 닮고 [담꼬], 넓게 [널께]) and
      after ㄴ, ㅁ of the stems in :data:`VERB_NASAL_STEMS` before an ending of :data:`VERB_ENDINGS`
      (껴안다 [껴안따], 감고 [감꼬]); not before the passive / causative 기 (옮기다 [옴기다]).
    - Art. 26: ㄹ + ㄷ, ㅅ, ㅈ in Sino-Korean words (갈등 [갈뜽], 발전 [발쩐]). A heuristic stands in
      for "Sino-Korean": not before the verb endings 다, 지, 자, 던, 더, 든 (알다, 살지, 놀자) nor the
      particle 도 that ends a word (물도); not in a repeated syllable (허허실실, 절절하다: Art. 26 다만).
    - Art. 27 within a word (할수록 [할쑤록]) by the Art. 26 rule; across words in
      :func:`adnominal_tensification`.
    Art. 28 (compounds without a written 사이시옷) comes from the lexicon."""
    for i, (prev, syl) in enumerate(zip(s, s[1:]), 1):
        if syl.initial not in TENSE or not prev.final or syl.word_start:
            continue
        final = prev.final
        if NEUTRAL.get(final, final) in OBSTRUENT_FINALS:
            syl.initial = TENSE[syl.initial]
        elif syl.spelled == "기" or syl.initial == "ㅂ":
            continue
        elif final in ("ㄵ", "ㄻ", "ㄼ", "ㄾ") or (final in ("ㄴ", "ㅁ") and _verb_ending(s, i)):
            syl.initial = TENSE[syl.initial]
        elif (final == "ㄹ" and syl.initial in "ㄷㅅㅈ" and syl.spelled not in ("다", "지", "자", "던", "더", "든")
              and not (syl.spelled == "도" and _word_end(s, i)) and prev.spelled != syl.spelled):
            syl.initial = TENSE[syl.initial]


def _verb_ending(s: list[Syllable], i: int) -> bool:
    """Syllable ``i`` is an ending of :data:`VERB_ENDINGS` after a stem of :data:`VERB_NASAL_STEMS`."""
    stem = _word_at(s, i - 1, upto=True)
    return stem in VERB_NASAL_STEMS and _stem_takes(s[i].spelled, stem)


def _stem_takes(ending: str, stem: str) -> bool:
    return ending in VERB_ENDINGS and (ending != "지" or len(stem) >= 2)


def adnominal_tensification(s: list[Syllable]) -> None:
    """Art. 27: after the adnominal -(으)ㄹ, ㄱ, ㄷ, ㅂ, ㅅ, ㅈ of the next word are tense (할 것을
    [할꺼슬], 갈 데가 [갈떼가], 할 수는 [할쑤는]). Spelling cannot tell an adnominal -ㄹ from a noun's
    ㄹ (서울, 말), so the next word must be one of :data:`BOUND_NOUNS` as spelled (before liaison)."""
    for i, (prev, syl) in enumerate(zip(s, s[1:]), 1):
        if syl.word_start and prev.final == "ㄹ" and syl.initial in TENSE and _word_at(s, i) in BOUND_NOUNS:
            syl.initial = TENSE[syl.initial]


def _word_at(s: list[Syllable], i: int, upto: bool = False) -> str:
    """The word that syllable ``i`` starts; with ``upto``, the word's spelling up to syllable ``i``."""
    if upto:
        start = i
        while start > 0 and not s[start].word_start:
            start -= 1
        return "".join(syl.spelled for syl in s[start:i + 1])
    end = i + 1
    while end < len(s) and not s[end].word_start:
        end += 1
    return "".join(syl.spelled for syl in s[i:end])


def sai_siot(s: list[Syllable]) -> None:
    """Art. 30. A 사이시옷 before ㄱ, ㄷ, ㅂ, ㅅ, ㅈ makes them tense and is itself silent (냇가 [내까],
    햇살 [해쌀]: the principal reading); before ㄴ, ㅁ it is [ㄴ] (콧날 [콘날], Art. 18 does that).
    Which ㅅ is a 사이시옷 needs the word: :data:`SAI_SIOT_SYLLABLES` lists the syllables that carry
    one; :data:`REAL_SIOT_SYLLABLES` those whose ㅅ is the noun's own (옷장 [옫짱])."""
    for prev, syl in zip(s, s[1:]):
        if prev.final == "ㅅ" and not syl.word_start and syl.initial in TENSE and prev.spelled in SAI_SIOT_SYLLABLES:
            prev.final, syl.initial = "", TENSE[syl.initial]


def neutralization(s: list[Syllable]) -> None:
    """Art. 9-11: before a consonant and at the end of a word only ㄱ, ㄴ, ㄷ, ㄹ, ㅁ, ㅂ, ㅇ are
    pronounced (닦다 [닥따], 꽃 [꼳], 값 [갑], 닭 [닥], 삶 [삼]). Exceptions: the stem 밟- before a
    consonant is [밥] (밟다 [밥따]); ㄺ of a verb stem before ㄱ is [ㄹ] (맑게 [말께])."""
    for i, syl in enumerate(s):
        nxt = s[i + 1] if i + 1 < len(s) else None
        if syl.final == "ㄼ" and syl.spelled == "밟":
            syl.final = "ㅂ"
        elif (syl.final == "ㄺ" and nxt is not None and not nxt.word_start and nxt.initial in "ㄱㄲ"
              and syl.spelled not in RIEUL_GIYEOK_NOUNS):
            syl.final = "ㄹ"
        else:
            syl.final = NEUTRAL.get(syl.final, syl.final)


def assimilation(s: list[Syllable]) -> None:
    """Art. 18-20, within words and across spaces in a phrase.
    - Art. 19: ㄹ after ㅁ, ㅇ is [ㄴ] (강릉 [강능], 담력 [담녁]); after ㄱ, ㅂ (and ㄷ) too, which are
      then nasalized (국립 [궁닙], 협력 [혐녁]).
    - Art. 18: ㄱ, ㄷ, ㅂ before ㄴ, ㅁ are [ㅇ, ㄴ, ㅁ] (국물 [궁물], 밥 먹는다 [밤멍는다]).
    - Art. 20: ㄴ before or after ㄹ is [ㄹ] (신라 [실라], 칼날 [칼랄]), except in the Sino-Korean
      words whose ㄹ is read [ㄴ] (의견란 [의견난]: spelled so by the lexicon)."""
    for prev, syl in zip(s, s[1:]):
        if syl.initial == "ㄹ" and prev.final in ("ㅁ", "ㅇ", "ㄱ", "ㄷ", "ㅂ"):
            syl.initial = "ㄴ"
        if prev.final in NASAL and syl.initial in ("ㄴ", "ㅁ"):
            prev.final = NASAL[prev.final]
        if prev.final == "ㄴ" and syl.initial == "ㄹ":
            prev.final = "ㄹ"
        elif prev.final == "ㄹ" and syl.initial == "ㄴ":
            syl.initial = "ㄹ"


RULES = [ui_reading, n_insertion, adnominal_tensification, h_rules, palatalization, palatal_glide, liaison, sai_siot, tensification,
         neutralization, assimilation]

_PHRASE = re.compile(r"[가-힣]+(?: +[가-힣]+)*")


def _lexicon(word: str) -> str:
    """Apply :data:`COMPOUNDS` and :data:`SINO_LATERAL_EXCEPTIONS`: a word containing a listed
    spelling gets its listed respelling (longest first)."""
    for spelling, respelled in _LEXICON:
        if spelling in word:
            word = word.replace(spelling, respelled)
    return word


_LEXICON = sorted({**COMPOUNDS, **SINO_LATERAL_EXCEPTIONS}.items(), key=lambda kv: -len(kv[0]))


def pronounce_phrase(phrase: str) -> str:
    """A run of Hangul words separated by single spaces -> their pronunciation."""
    syllables: list[Syllable] = []
    for word in phrase.split(" "):
        for k, ch in enumerate(_lexicon(word)):
            syl = decompose(ch)
            syl.word_start = k == 0
            syllables.append(syl)
    for rule in RULES:
        rule(syllables)
    return "".join((" " if syl.word_start and i else "") + syl.text for i, syl in enumerate(syllables))


def standard_pronunciation(text: str) -> str:
    """Rewrite every run of Hangul words in ``text`` into its standard pronunciation; anything
    else (Latin words, punctuation, which ends a phrase) is left as it is."""
    return _PHRASE.sub(lambda m: pronounce_phrase(m.group(0)), text)
