"""English text normalization: numbers, money, times, units and abbreviations to words.

Numbers are spelled by num2words (American style: no "and" inside cardinals).
"""

from __future__ import annotations

import re

from num2words import num2words

from .rules import apply_rules

ABBREVIATIONS = {
    "Mr.": "mister", "Mrs.": "missus", "Ms.": "miss", "Dr.": "doctor", "Prof.": "professor",
    "St.": "saint", "Jr.": "junior", "Sr.": "senior", "Gen.": "general", "Capt.": "captain",
    "Lt.": "lieutenant", "Col.": "colonel", "Mt.": "mount", "vs.": "versus", "etc.": "et cetera",
    "e.g.": "for example", "i.e.": "that is", "approx.": "approximately", "Inc.": "incorporated",
    "Ltd.": "limited", "Co.": "company", "Jan.": "January", "Feb.": "February", "Mar.": "March",
    "Apr.": "April", "Aug.": "August", "Sept.": "September", "Sep.": "September", "Oct.": "October",
    "Nov.": "November", "Dec.": "December",
}

CURRENCIES = {"$": ("dollar", "dollars", "cent", "cents"), "£": ("pound", "pounds", "penny", "pence"),
              "€": ("euro", "euros", "cent", "cents"), "₩": ("won", "won", "", ""), "¥": ("yen", "yen", "", "")}

# unit -> (singular, plural)
UNITS = {
    "km/h": ("kilometer per hour", "kilometers per hour"), "mph": ("mile per hour", "miles per hour"),
    "km": ("kilometer", "kilometers"), "cm": ("centimeter", "centimeters"), "mm": ("millimeter", "millimeters"),
    "kg": ("kilogram", "kilograms"), "mg": ("milligram", "milligrams"), "g": ("gram", "grams"),
    "m": ("meter", "meters"), "lb": ("pound", "pounds"), "lbs": ("pound", "pounds"), "ft": ("foot", "feet"),
    "mi": ("mile", "miles"), "ml": ("milliliter", "milliliters"), "L": ("liter", "liters"),
    "°C": ("degree Celsius", "degrees Celsius"), "°F": ("degree Fahrenheit", "degrees Fahrenheit"),
    "°": ("degree", "degrees"), "%": ("percent", "percent"), "GB": ("gigabyte", "gigabytes"),
    "MB": ("megabyte", "megabytes"), "Hz": ("hertz", "hertz"), "kHz": ("kilohertz", "kilohertz"),
}

SYMBOLS = {"&": " and ", "+": " plus ", "@": " at ", "=": " equals ", "#": " number "}

_NUMBER = r"[0-9]+(?:\.[0-9]+)?"


DIGITS = "zero one two three four five six seven eight nine".split()


def cardinal(n: int) -> str:
    """Words for n; from a quadrillion up (num2words' limit is near 10^306), digit by digit."""
    if abs(n) >= 10**15:
        return ("minus " if n < 0 else "") + " ".join(DIGITS[int(d)] for d in str(abs(n)))
    return num2words(n).replace(" and ", " ").replace(",", "")


def number(text: str) -> str:
    """'3' -> three, '3.14' -> three point one four, '-2' -> minus two."""
    if text.startswith("-"):
        return "minus " + number(text[1:])
    whole, _, frac = text.partition(".")
    spoken = cardinal(int(whole or "0"))
    if frac:
        spoken += " point " + " ".join(cardinal(int(d)) for d in frac)
    return spoken


def _year(m: re.Match) -> str:
    return num2words(int(m.group(0)), to="year").replace(" and ", " ")


def _money(m: re.Match) -> str:
    sign, amount, scale = m.group(1), m.group(2).replace(",", ""), m.group(3)
    one, many, sub_one, sub_many = CURRENCIES[sign]
    if scale:
        return f"{number(amount)} {scale} {many}"
    whole, _, frac = amount.partition(".")
    spoken = f"{cardinal(int(whole))} {one if int(whole) == 1 else many}"
    cents = int((frac + "00")[:2]) if frac else 0
    if cents and sub_one:
        spoken += f" {cardinal(cents)} {sub_one if cents == 1 else sub_many}"
    return spoken


def _clock(m: re.Match) -> str:
    """9:30 pm -> nine thirty p m; 9:05 -> nine oh five; 9:00 -> nine o'clock; 9 a.m. -> nine a m."""
    hours, minutes, period = int(m.group(1)), int(m.group(2) or 0), m.group(3)
    if minutes == 0:
        spoken = cardinal(hours) + ("" if period else " o'clock")
    elif minutes < 10:
        spoken = f"{cardinal(hours)} oh {cardinal(minutes)}"
    else:
        spoken = f"{cardinal(hours)} {cardinal(minutes)}"
    if period:
        spoken += " " + " ".join(ch for ch in period.lower() if ch.isalpha())
    return spoken


def _ordinal(m: re.Match) -> str:
    n = int(m.group(1))
    if n >= 10**15:
        return cardinal(n)
    return num2words(n, to="ordinal").replace(" and ", " ").replace(",", "")


def _unit(m: re.Match) -> str:
    amount, unit = m.group(1), m.group(2)
    singular, plural = UNITS[unit]
    return f"{number(amount)} {singular if amount == '1' else plural}"


def _plain(m: re.Match) -> str:
    return number(m.group(0))


# a.m. / pm; the last dot stays when it also ends the sentence (before a capital, a digit or the end)
_PERIOD = r"[AaPp]\.?[Mm](?:\.(?!\s+[A-Z0-9가-힣]|\s*$))?"
_units_pattern = "|".join(re.escape(u) for u in sorted(UNITS, key=len, reverse=True))

RULES: list[tuple[re.Pattern, object]] = [
    (re.compile(r"(?<=[0-9]),(?=[0-9]{3}(?![0-9]))"), ""),
    (re.compile(r"([$£€₩¥])\s?([0-9]+(?:\.[0-9]+)?)(?:\s(million|billion|trillion))?"), _money),
    (re.compile(rf"(?<![0-9])([0-9]{{1,2}}):([0-9]{{2}})(?:\s?({_PERIOD})(?![A-Za-z]))?"), _clock),
    (re.compile(rf"(?<![0-9:.,])([0-9]{{1,2}})()\s?({_PERIOD})(?![A-Za-z])"), _clock),  # 9 a.m.
    (re.compile(r"\b([0-9]+)(?:st|nd|rd|th)\b"), _ordinal),
    (re.compile(rf"({_NUMBER})\s?({_units_pattern})(?![A-Za-z])"), _unit),
    (re.compile(r"(?<![0-9.])(1[1-9][0-9]{2}|20[0-9]{2})(?!\.?[0-9])"), _year),
    (re.compile(rf"(?:(?<=^)|(?<=[\s(]))-(?={_NUMBER})"), "minus "),
    (re.compile(_NUMBER), _plain),
]


def normalize_english(text: str) -> str:
    """Spoken form of English text."""
    for abbreviation, spoken in ABBREVIATIONS.items():
        text = re.sub(rf"(?<![A-Za-z]){re.escape(abbreviation)}", spoken, text)
    return apply_rules(text, RULES, SYMBOLS)
