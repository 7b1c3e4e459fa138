"""How Korean reads numbers: Sino-Korean (일, 이, 삼 ... 조), native (하나, 둘 ... 아흔아홉), digits.

Spacing follows the usual convention of writing numbers out: a space after each group of
만 (10^4), 억 (10^8) and 조 (10^12), e.g. 123456789 -> "일억 이천삼백사십오만 육천칠백팔십구".
"""

from __future__ import annotations

SINO_DIGITS = "영일이삼사오육칠팔구"
_SMALL_UNITS = ["", "십", "백", "천"]
_LARGE_UNITS = ["", "만", "억", "조"]
MAX_SINO = 10**16 - 1

# Native numbers: the forms alone, and the shortened forms before a counter (한 개, 스무 살).
_NATIVE_ONES = ["", "하나", "둘", "셋", "넷", "다섯", "여섯", "일곱", "여덟", "아홉"]
_NATIVE_ONES_BEFORE_COUNTER = ["", "한", "두", "세", "네", "다섯", "여섯", "일곱", "여덟", "아홉"]
_NATIVE_TENS = ["", "열", "스물", "서른", "마흔", "쉰", "예순", "일흔", "여든", "아흔"]

# Digit names when a number is read digit by digit; 0 is 공 in phone numbers.


def _four_digits(n: int) -> str:
    """Read 1..9999 without leading 일 before 십, 백, 천 (110 -> 백십)."""
    out = []
    for power in (3, 2, 1, 0):
        digit = (n // 10**power) % 10
        if digit == 0:
            continue
        if power > 0 and digit == 1:
            out.append(_SMALL_UNITS[power])
        else:
            out.append(SINO_DIGITS[digit] + _SMALL_UNITS[power])
    return "".join(out)


def sino(n: int) -> str:
    """Sino-Korean reading of an integer, up to 조 (10^16 - 1); negatives get 마이너스."""
    if n < 0:
        return "마이너스 " + sino(-n)
    if n == 0:
        return "영"
    if n > MAX_SINO:
        return digits(str(n))
    groups = []
    for index in range(3, -1, -1):
        group = (n // 10 ** (4 * index)) % 10**4
        if group == 0:
            continue
        word = _four_digits(group)
        if index == 1 and group == 1:
            word = ""  # 10000 is 만, not 일만; 일억 and 일조 keep their 일
        groups.append(word + _LARGE_UNITS[index])
    return " ".join(groups)


def native(n: int, before_counter: bool = True) -> str:
    """Native Korean reading of 1..99 (세, 스무, 서른다섯); other numbers fall back to Sino-Korean."""
    if not 1 <= n <= 99:
        return sino(n)
    tens, ones = divmod(n, 10)
    if before_counter:
        if n == 20:
            return "스무"
        return _NATIVE_TENS[tens] + _NATIVE_ONES_BEFORE_COUNTER[ones]
    return _NATIVE_TENS[tens] + _NATIVE_ONES[ones]


def digits(text: str, zero: str = "영") -> str:
    """Read a string of digits one by one: '010' -> '공일공' with zero='공'."""
    names = zero + SINO_DIGITS[1:]
    return "".join(names[int(ch)] for ch in text if ch.isdigit())


def decimal(text: str) -> str:
    """Read '3.14' as 삼 점 일사 and '-0.5' as 마이너스 영 점 오."""
    sign = ""
    if text.startswith("-"):
        sign, text = "마이너스 ", text[1:]
    whole, _, frac = text.partition(".")
    spoken = sino(int(whole or "0"))
    if frac:
        spoken += " 점 " + digits(frac)
    return sign + spoken


def month(n: int) -> str:
    """Month names drop a final consonant: 6월 is 유월, 10월 is 시월."""
    return {6: "유", 10: "시"}.get(n, sino(n))
