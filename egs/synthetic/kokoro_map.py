"""Our Korean phonemes -> Kokoro-82M's phoneme vocabulary, for a Japanese Kokoro voice to read Korean.

Kokoro has no Korean voice, but its Japanese voices (and its multilingual base) read IPA, and
Japanese phonology is close to Korean's. What they read is our front end's output: the standard
pronunciation (표준 발음법) of the spoken text, through espeak-ng ``ko`` (``tts_diffusion.text.g2p``).
espeak's Korean notation is its own, so each unit is rewritten for intelligibility:

================  ============================  =====================================================
espeak unit       Kokoro                        why
================  ============================  =====================================================
``ɡ`` (initial ㄱ)  ``k``                         Korean lax stops are voiceless word-initially; espeak
``d`` (initial ㄷ)  ``t``                         writes ㄱ/ㄷ voiced there ("ɡiʌk", "doimnida"), which a
                                                Japanese voice reads as ガ/ダ (heard as 가 only late).
``q`` (medial ㄱ)   ``ɡ``                         espeak's ``q`` is ㄱ after the first syllable: voiced
                                                between voiced sounds in Korean, as in Japanese ガ.
``b``, ``d``, ``dʑ``  ``b``, ``d``, ``ʥ``          medial lax ㅂ/ㄷ/ㅈ: voiced, as espeak writes them.
``p``, ``tɕ``        ``p``, ``ʨ``                 initial lax ㅂ/ㅈ.
``kh ph th tʃh``    ``kʰ pʰ tʰ ʨʰ``               aspirated stops: Kokoro's aspiration mark.
``q- t- p- s-``     ``ʔk ʔt ʔp ʔs`` (``k t p s``     tense ㄲ/ㄸ/ㅃ/ㅆ: a Japanese geminate (っ) gives
                    after a pause)                the held closure and unaspirated release of a tense
                                                stop; nothing to hold at the start of a phrase.
coda stop           ``ʔ`` (before a consonant)    Korean codas are unreleased: a Japanese voice would
(``q t d d- p b``)  ``k t p`` (before a pause)    add a vowel to a released one. ``d-`` is espeak's
                                                coda ㄷ before a tense consonant ("겓씀" ked-s-ɯm).
``s`` + ``i``/``j``  ``ɕ``                         ㅅ before /i, j/ is [ɕ], as in Japanese シ.
``h`` + ``i``/``j``  ``ç``                         ㅎ before /i, j/ is [ç], as in Japanese ヒ.
``n`` + ``i``/``j``  ``ɲ``                         ㄴ before /i, j/ is palatal, as in Japanese ニ.
``ɾ``               ``ɾ``                         onset ㄹ: a flap in both languages.
``ɫ``, ``l``         ``l``                         coda ㄹ and ㄹㄹ: a lateral, not a flap (서울, 할라산).
``ɐ``               ``a``                         ㅏ: Kokoro's Japanese ``a``.
``ʌ``               ``ʌ``                         ㅓ: kept apart from ㅗ ``o`` (Kokoro knows ``ʌ`` from English).
``ɯ``, ``u``         ``ɯ``, ``u``                   ㅡ and ㅜ kept apart (Japanese ウ is ``ɯ``).
``e``, ``ɛ``         ``e``                         ㅔ and ㅐ are one vowel in today's Seoul speech.
``ɯj`` before a     ``ɯi``                        ㅢ as a diphthong: espeak's off-glide ``j`` is read
consonant or pause                              as the vowel it is.
``i o j w m n ŋ``    the same                      shared by both inventories.
``ː``               dropped                       espeak's rare length mark (Korean length is not
                                                phonemic for today's speakers).
================  ============================  =====================================================

Stress marks (``ˈ ˌ``) are dropped: Korean has no lexical stress, and espeak's marks would make a
Japanese voice put English-like accents on every word. Spaces and ``, . ? !`` are kept: Kokoro
pauses at them. Any other symbol is an error (:class:`UnknownPhoneme`), never a silent drop.
"""

from __future__ import annotations

import re

MAP_VERSION = 1  # part of every corpus wav's name: raise it with any change to the table

# espeak-ng ko units, longest first so that "tʃh" is read before "t".
UNITS = ("tʃh", "q-", "t-", "p-", "s-", "d-", "kh", "ph", "th", "tɕ", "dʑ",
         "ɐ", "ʌ", "o", "u", "ɯ", "i", "e", "ɛ", "j", "w",
         "ɡ", "q", "k", "d", "t", "b", "p", "s", "h", "m", "n", "ŋ", "ɾ", "ɫ", "l", "ː")
VOWELS = {"ɐ": "a", "ʌ": "ʌ", "o": "o", "u": "u", "ɯ": "ɯ", "i": "i", "e": "e", "ɛ": "e"}
GLIDES = {"j": "j", "w": "w"}
ONSETS = {"ɡ": "k", "q": "ɡ", "k": "k", "d": "d", "t": "t", "b": "b", "p": "p", "tɕ": "ʨ", "dʑ": "ʥ",
          "kh": "kʰ", "ph": "pʰ", "th": "tʰ", "tʃh": "ʨʰ", "s": "s", "h": "h", "m": "m", "n": "n",
          "ŋ": "ŋ", "ɾ": "ɾ", "ɫ": "l", "l": "l"}
INITIAL = {"d": "t"}  # word-initial lax stops written voiced by espeak (ɡ is voiceless in ONSETS already)
TENSE = {"q-": "k", "t-": "t", "p-": "p", "s-": "s", "d-": "t"}
PALATAL = {"s": "ɕ", "h": "ç", "n": "ɲ"}  # before i / j
CODA_STOPS = {"q": "k", "k": "k", "t": "t", "d": "t", "d-": "t", "p": "p", "b": "p"}
CODA_SONORANTS = {"m": "m", "n": "n", "ŋ": "ŋ", "ɫ": "l", "l": "l", "ɾ": "l"}
PAUSES = set(" ,.?!")
STRESS = "ˈˌ"
_UNIT = re.compile("|".join(re.escape(u) for u in UNITS) + r"|[ ,.?!]")


class UnknownPhoneme(ValueError):
    """A symbol in the input that the map has no row for."""


def units(phonemes: str) -> list[str]:
    """espeak-ng ko IPA -> its units (stress marks dropped); raises :class:`UnknownPhoneme`."""
    text = phonemes.translate({ord(c): None for c in STRESS})
    out, at = [], 0
    for match in _UNIT.finditer(text):
        if match.start() != at:
            break
        out.append(match.group())
        at = match.end()
    if at != len(text):
        raise UnknownPhoneme(f"no Kokoro mapping for {text[at]!r} (U+{ord(text[at]):04X}) in {phonemes!r}")
    return out


def _is_vowel(unit: str | None) -> bool:
    return unit in VOWELS


def to_kokoro(phonemes: str) -> str:
    """Rewrite one espeak-ng ko phoneme string for Kokoro, by the table in this module's docstring.

    A consonant is an onset when a vowel or glide follows it, a coda otherwise (a Korean syllable
    is (C)(G)V(C)); "initial" means after a pause or at the start."""
    seq = [u for u in units(phonemes) if u != "ː"]
    out = []
    for k, unit in enumerate(seq):
        before = seq[k - 1] if k else " "
        after = seq[k + 1] if k + 1 < len(seq) else " "
        initial = before in PAUSES
        onset = _is_vowel(after) or after in GLIDES
        if unit in PAUSES:
            out.append(unit)
        elif unit in VOWELS:
            out.append(VOWELS[unit])
        elif unit in GLIDES:
            # ㅢ's off-glide (a j after a vowel, before no vowel) is read as the vowel i
            out.append("i" if unit == "j" and _is_vowel(before) and not _is_vowel(after) else GLIDES[unit])
        elif not onset:
            if unit in CODA_SONORANTS:
                out.append(CODA_SONORANTS[unit])
            elif unit in CODA_STOPS:
                out.append(CODA_STOPS[unit] if after in PAUSES else "ʔ")
            else:  # a fricative or aspirate with no vowel after it: espeak writes none, keep the sound
                out.append(ONSETS.get(unit) or TENSE[unit])
        elif unit in TENSE:
            plain = TENSE[unit]
            palatal = PALATAL.get(plain) if after in ("i", "j") else None
            closure = "" if initial or (out and out[-1] == "ʔ") else "ʔ"
            out.append(closure + (palatal or plain))
        else:
            if after in ("i", "j") and unit in PALATAL:
                out.append(PALATAL[unit])
            else:
                out.append(INITIAL.get(unit, ONSETS[unit]) if initial else ONSETS[unit])
    return re.sub(r" +", " ", "".join(out)).strip()


def english_to_kokoro(phonemes: str) -> str:
    """espeak-ng en-us IPA (a Latin word inside Korean text) for Kokoro, whose English phonemes are
    espeak's but for the syllabic mark (U+0329), which it does not write; the worker refuses any
    symbol outside Kokoro's vocabulary."""
    return phonemes.replace("\u0329", "").strip()


def sentence_to_kokoro(runs: list[tuple[str, str]]) -> str:
    """One sentence's ``(language, IPA)`` runs from ``tts_diffusion.text.g2p.phonemize`` for Kokoro."""
    return " ".join(to_kokoro(ipa) if language == "ko" else english_to_kokoro(ipa) for language, ipa in runs)
