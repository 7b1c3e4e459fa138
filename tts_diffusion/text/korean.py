"""Korean text normalization: numbers, dates, times, money, units and Latin letters to spoken Hangul.

The rules run in a fixed order, most specific first (a phone number before a date before a plain
number), each a regular expression with a function that says how a Korean reader voices it.
English words inside a Korean sentence are written in Hangul as an announcer reads them
(:mod:`.loanwords`); a sentence with no Hangul in it stays English, for the English G2P.
"""

from __future__ import annotations

import re

from . import numbers_ko as num
from .loanword_lexicon import MIXED
from .loanwords import hangul_for
from .rules import apply_rules

LETTER_NAMES = dict(zip(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
    "에이 비 씨 디 이 에프 지 에이치 아이 제이 케이 엘 엠 엔 오 피 큐 알 에스 티 유 브이 더블유 엑스 와이 지".split(),
))

# Counters that take native numbers (세 개, 스무 살, 열두 시); all others take Sino-Korean.
NATIVE_COUNTERS = [
    "개", "명", "살", "마리", "번째", "번", "시간", "시", "권", "잔", "병", "장", "척", "그루", "송이",
    "켤레", "벌", "곳", "가지", "달", "채", "통", "군데", "자루", "쌍", "사람", "배", "알", "줄",
]
# Sino-Korean counters listed because a native one is their prefix (개월 after 개, 시즌 after 시)
# or they are common in news; matched longest first.
SINO_COUNTERS = ["개월", "개국", "개년", "개사", "개소", "개교", "주", "주년", "년", "회", "차", "층", "호", "위",
                 "등", "세", "학년", "인분", "번지", "배럴", "건", "가구", "세대"]

# Dates that are names (3.1절 삼일절, 6.25 전쟁 육이오 전쟁): read digit by digit, with no 월/일,
# when one of the words that name them follows.
NAMED_DATES = {"3.1": "삼일", "4.19": "사일구", "5.16": "오일육", "5.18": "오일팔", "6.10": "육십", "6.15": "육일오",
               "6.25": "육이오", "6.29": "육이구", "8.15": "팔일오", "10.26": "십이육", "12.12": "십이십이"}
_DATE_NAMES = ("절|운동|만세|전쟁|혁명|의거|민주|항쟁|사태|쿠데타|군사|정변|선언|공동|광복|기념|남북|정신|특별법|"
               "유공자|희생|묘지|참전|세대")

UNITS = {
    "km2": "제곱킬로미터", "m2": "제곱미터", "km": "킬로미터", "cm": "센티미터",
    "mm": "밀리미터", "m": "미터", "kg": "킬로그램", "mg": "밀리그램", "g": "그램", "t": "톤",
    "mL": "밀리리터", "ml": "밀리리터", "L": "리터", "°C": "도", "°": "도", "%p": "퍼센트포인트",
    "%": "퍼센트", "kWh": "킬로와트시", "kW": "킬로와트", "MW": "메가와트", "GB": "기가바이트",
    "MB": "메가바이트", "TB": "테라바이트", "Hz": "헤르츠", "dB": "데시벨", "kcal": "킬로칼로리", "ha": "헥타르",
}

CURRENCY_SIGNS = {"$": "달러", "₩": "원", "€": "유로", "£": "파운드", "¥": "엔"}

SYMBOLS = {"&": " 앤 ", "+": " 플러스 ", "@": " 골뱅이 ", "#": " 샵 ", "=": " 는 ", "·": " ", "~": " "}

_NUMBER = r"[0-9]+(?:\.[0-9]+)?"
_HANGUL = re.compile(r"[가-힣]")


def _join(spoken: str, following: str) -> str:
    """Put a space between a number read aloud and a Hangul word right after it."""
    return spoken + " " if following and _HANGUL.match(following) else spoken


def _read_number(text: str) -> str:
    return num.decimal(text) if "." in text else num.sino(int(text))


def _phone(m: re.Match) -> str:
    return " ".join(num.digits(part, zero="공") for part in m.group(0).split("-"))


def _date(m: re.Match) -> str:
    year, month, day = (int(g) for g in m.groups())
    return f"{num.sino(year)} 년 {num.month(month)}월 {num.sino(day)} 일"


def _hour(n: int) -> str:
    """Clock hours 1..12 are native (세 시); a 24-hour reading beyond that is Sino (십오 시)."""
    return num.native(n) if 1 <= n <= 12 else num.sino(n)


def _clock(m: re.Match) -> str:
    hours, minutes, seconds = m.group(1), m.group(2), m.group(3)
    out = f"{_hour(int(hours))} 시"
    if int(minutes):
        out += f" {num.sino(int(minutes))} 분"
    if seconds and int(seconds):
        out += f" {num.sino(int(seconds))} 초"
    return out


def _currency_sign(m: re.Match) -> str:
    sign, amount, scale = m.group(1), m.group(2).replace(",", ""), m.group(3) or ""
    return f"{_read_number(amount)}{scale} {CURRENCY_SIGNS[sign]}"


def _ordinal_prefix(m: re.Match) -> str:
    return _join("제" + num.sino(int(m.group(1))), m.group(2) or m.string[m.end():m.end() + 1])


def _large_unit(m: re.Match) -> str:
    """'3억', '5천만', '1만' -> 삼억, 오천만, 만: the number joins its unit as one word."""
    amount, unit = m.group(1), m.group(2)
    if amount == "1" and unit in "만천백":
        return unit
    return _read_number(amount) + unit


def _speed(m: re.Match) -> str:
    return f"시속 {_read_number(m.group(2))} 킬로미터"


def _unit(m: re.Match) -> str:
    return f"{_read_number(m.group(1))} {UNITS[m.group(2)]}"


def _range(m: re.Match) -> str:
    """'3~5개' -> '3개에서 5개', so that each end is read with its counter."""
    low, high, unit = m.group(1), m.group(2), m.group(3) or ""
    return f"{low}{unit}에서 {high}{unit}"


def _fraction(m: re.Match) -> str:
    """'1/3' -> 삼 분의 일: the denominator first, as Korean reads a fraction."""
    return f"{num.sino(int(m.group(2)))} 분의 {num.sino(int(m.group(1)))}"


def _approximate(m: re.Match) -> str:
    """'10여 명' -> 십여 명, '20여 개국' -> 이십여 개국: 여 ('some, over') takes Sino-Korean numbers."""
    return f"{num.sino(int(m.group(1)))}여 "


def _counter(m: re.Match) -> str:
    amount, counter = m.group(1), m.group(2)
    n = int(amount) if "." not in amount else None
    if n is None:
        return f"{num.decimal(amount)} {counter}"
    if counter == "월":
        return num.month(n) + "월"
    if counter == "번째" and n == 1:
        return "첫 번째"
    if counter == "시":
        return f"{_hour(n)} 시"
    if counter in NATIVE_COUNTERS:
        return f"{num.native(n)} {counter}"
    return f"{num.sino(n)} {counter}"


def _plain_number(m: re.Match) -> str:
    return _join(_read_number(m.group(0)), m.string[m.end():m.end() + 1])


def _in_korean_sentence(m: re.Match) -> bool:
    start = max(m.string.rfind(mark, 0, m.start()) for mark in ".!?\n")
    ends = [i for i in (m.string.find(mark, m.end()) for mark in ".!?\n") if i >= 0]
    return bool(_HANGUL.search(m.string, start + 1, min(ends, default=len(m.string))))


def _mixed(m: re.Match) -> str:
    return MIXED[m.group(0)] if _in_korean_sentence(m) else m.group(0)


def _latin(m: re.Match) -> str:
    """In a Korean sentence: a known word or an acronym read as a word from the lexicon, another
    all-capitals word of up to six letters spelled (KBS -> 케이비에스), any other word transcribed
    (:func:`.loanwords.hangul_for`). Outside Korean sentences, words stay Latin."""
    word = m.group(0)
    if not _in_korean_sentence(m):
        return word
    return hangul_for(word) or "".join(LETTER_NAMES[ch] for ch in word.upper())


_units_pattern = "|".join(re.escape(u) for u in sorted(UNITS, key=len, reverse=True))
_counters_pattern = "|".join(sorted(NATIVE_COUNTERS + SINO_COUNTERS + ["월", "일", "분", "초", "원", "도"],
                                   key=len, reverse=True))
_mixed_pattern = "|".join(re.escape(token) for token in sorted(MIXED, key=len, reverse=True))
_named_dates_pattern = "|".join(re.escape(date) for date in sorted(NAMED_DATES, key=len, reverse=True))

RULES: list[tuple[re.Pattern, object]] = [
    (re.compile(rf"(?<![A-Za-z0-9])(?:{_mixed_pattern})(?![A-Za-z0-9])"), _mixed),
    (re.compile(rf"(?<![0-9.])({_named_dates_pattern})(?![0-9])(?=\s?(?:{_DATE_NAMES}))"),
     lambda m: NAMED_DATES[m.group(1)]),
    (re.compile(r"(?<![0-9])0[0-9]{1,2}-[0-9]{3,4}-[0-9]{4}(?![0-9])"), _phone),
    (re.compile(r"(?<![0-9.])([0-9]{4})\s?[.\-/]\s?([0-9]{1,2})\s?[.\-/]\s?([0-9]{1,2})(?![0-9])\.?"), _date),
    (re.compile(r"(?<![0-9])([0-9]{1,2}):([0-9]{2})(?::([0-9]{2}))?(?![0-9])"), _clock),
    (re.compile(r"([$₩€£¥])\s?([0-9][0-9,]*(?:\.[0-9]+)?)(조|억|만|천)?"), _currency_sign),
    (re.compile(r"(?<=[0-9]),(?=[0-9]{3}(?![0-9]))"), ""),
    (re.compile(r"(?<![0-9/.])([0-9]{1,6})\s?/\s?([0-9]{1,6})(?![0-9/])"), _fraction),
    (re.compile(rf"({_NUMBER})\s?~\s?({_NUMBER})\s?({_units_pattern}|{_counters_pattern})?"), _range),
    (re.compile(r"(?<=[0-9][가-힣])(?=제\s?[0-9])"), " "),  # 제3조제2항: each article reference its own word
    (re.compile(r"제\s?([0-9]+)(\s?)"), _ordinal_prefix),
    (re.compile(rf"({_NUMBER})(조|억|만|천|백)"), _large_unit),
    (re.compile(rf"(시속\s?)?({_NUMBER})\s?km/h(?![A-Za-z])"), _speed),
    (re.compile(rf"({_NUMBER})\s?({_units_pattern})(?![A-Za-z])"), _unit),
    (re.compile(rf"(?:(?<=^)|(?<=[\s(]))-(?={_NUMBER})"), "마이너스 "),
    (re.compile(r"(?<![0-9.])([0-9]+)여\s?(?=[가-힣])"), _approximate),
    (re.compile(rf"({_NUMBER})\s?({_counters_pattern})"), _counter),
    (re.compile(r"(?<=[A-Za-z])(?=[0-9])"), " "),  # iPhone17 -> iPhone 17
    (re.compile(_NUMBER), _plain_number),
    (re.compile(r"[A-Za-z]+"), _latin),
]


def normalize_korean(text: str) -> str:
    """Spoken form of Korean text; Latin words other than acronyms are left for English G2P."""
    return apply_rules(text, RULES, SYMBOLS)
