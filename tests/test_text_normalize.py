"""Exact spoken forms of the normalizer, and its behaviour on bad or arbitrary input."""

import warnings

import pytest
from hypothesis import given, settings, strategies as st

from tts_diffusion.text import detect_language, normalize
from tts_diffusion.text import numbers_ko as num

KOREAN = [
    ("오후 3시 20분에 만나요", "오후 세 시 이십 분에 만나요"),
    ("2026년 11월 24일", "이천이십육 년 십일월 이십사 일"),
    ("2026.11.24. 발표", "이천이십육 년 십일월 이십사 일 발표"),
    ("6월 10일", "유월 십 일"),
    ("영하 3.5도", "영하 삼 점 오 도"),
    ("-3도", "마이너스 삼 도"),
    ("15% 상승", "십오 퍼센트 상승"),
    ("금리는 0.25%p 올랐다", "금리는 영 점 이오 퍼센트포인트 올랐다"),
    ("010-1234-5678로 연락하세요", "공일공 일이삼사 오육칠팔로 연락하세요"),
    ("가격은 5,000원", "가격은 오천 원"),
    ("가격은 ₩5000", "가격은 오천 원"),
    ("가격은 $100", "가격은 백 달러"),
    ("100달러", "백 달러"),
    ("거리 3km", "거리 삼 킬로미터"),
    ("무게 12kg", "무게 십이 킬로그램"),
    ("기온 25°C", "기온 이십오 도"),
    ("면적 100㎡", "면적 백 제곱미터"),
    ("시속 100km/h", "시속 백 킬로미터"),
    ("KBS 뉴스입니다", "케이비에스 뉴스입니다"),
    ("Apple의 iPhone 판매량", "애플의 아이폰 판매량"),  # English words in Korean text: as an announcer reads them
    ("사과 3개", "사과 세 개"),
    ("21명", "스물한 명"),
    ("1번째 순서", "첫 번째 순서"),
    ("20살 청년", "스무 살 청년"),
    ("12시 정각", "열두 시 정각"),
    ("15시 30분", "십오 시 삼십 분"),
    ("오전 9:05 출발", "오전 아홉 시 오 분 출발"),
    ("1억 5천만 원", "일억 오천만 원"),
    ("1만 원", "만 원"),
    ("100만 명", "백만 명"),
    ("3~5개", "세 개에서 다섯 개"),
    ("기온 10~20도", "기온 십 도에서 이십 도"),
    ("제3장", "제삼 장"),
    ("제3조제2항제1호에 따라", "제삼 조 제이 항 제일 호에 따라"),
    ("5G 통신", "오지 통신"),
    ("1.5시간 동안", "일 점 오 시간 동안"),
    ("인구 12345명", "인구 만 이천삼백사십오 명"),
    ("예산 123456789원", "예산 일억 이천삼백사십오만 육천칠백팔십구 원"),
    ("한·미 정상회담", "한 미 정상회담"),
    ("“속보” 입니다!", "속보 입니다!"),
]

ENGLISH = [
    ("Hello world, it's $12.50.", "Hello world, it's twelve dollars fifty cents."),
    ("It costs $1.", "It costs one dollar."),
    ("It costs $3 million", "It costs three million dollars"),
    ("The 21st century", "The twenty-first century"),
    ("In 1999, he left.", "In nineteen ninety-nine, he left."),
    ("I was born in 2005.", "I was born in two thousand five."),
    ("Pi is 3.14", "Pi is three point one four"),
    ("It fell to -5 today", "It fell to minus five today"),
    ("Mr. Smith at 3:30 pm", "mister Smith at three thirty p m"),
    ("Meet at 9:05", "Meet at nine oh five"),
    ("Meet at 10:00", "Meet at ten o'clock"),
    ("Dr. Kim ran 5 km", "doctor Kim ran five kilometers"),
    ("1 km", "one kilometer"),
    ("1,234,567 people", "one million two hundred thirty-four thousand five hundred sixty-seven people"),
    ("100% sure", "one hundred percent sure"),
    ("It is 30°C", "It is thirty degrees Celsius"),
    ("cats & dogs", "cats and dogs"),
    ("apples vs. oranges", "apples versus oranges"),
]


@pytest.mark.parametrize("written, spoken", KOREAN)
def test_korean_spoken_form(written, spoken):
    assert normalize(written) == spoken


@pytest.mark.parametrize("written, spoken", ENGLISH)
def test_english_spoken_form(written, spoken):
    assert normalize(written, lang="en") == spoken


@pytest.mark.parametrize(
    "n, spoken",
    [(0, "영"), (10, "십"), (11, "십일"), (110, "백십"), (1000, "천"), (10000, "만"), (10001, "만 일"),
     (20000, "이만"), (100000000, "일억"), (10**12, "일조"), (3 * 10**12 + 5, "삼조 오")],
)
def test_sino_korean(n, spoken):
    assert num.sino(n) == spoken


@pytest.mark.parametrize("n, spoken", [(1, "한"), (2, "두"), (3, "세"), (4, "네"), (20, "스무"), (21, "스물한"), (99, "아흔아홉")])
def test_native_korean_before_counter(n, spoken):
    assert num.native(n) == spoken


def test_native_alone_and_fallback():
    assert num.native(1, before_counter=False) == "하나"
    assert num.native(20, before_counter=False) == "스물"
    assert num.native(150) == "백오십"


def test_no_digits_left_in_news():
    text = "2026년 11월 24일 오전 7시 30분, 서울의 기온은 영하 2.5도, 코스피는 1.2% 오른 2,650.3에 마감했습니다."
    spoken = normalize(text)
    assert not any(ch.isdigit() for ch in spoken)
    assert "이천육백오십 점 삼" in spoken


@pytest.mark.parametrize("text", ["", "   ", "\n\t"])
def test_empty_text_is_a_value_error(text):
    with pytest.raises(ValueError, match="empty"):
        normalize(text)


def test_unknown_language_is_a_value_error():
    with pytest.raises(ValueError, match="unknown language"):
        normalize("hello", lang="fr")


def test_unvoiceable_characters_dropped_with_one_warning():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert normalize("안녕 ☃ 하세요 ★") == "안녕 하세요"
    assert len(caught) == 1 and "☃" in str(caught[0].message)


def test_nothing_voiceable_is_a_value_error():
    with pytest.warns(UserWarning), pytest.raises(ValueError, match="nothing that can be voiced"):
        normalize("☃★♥")


def test_detect_language():
    assert detect_language("오늘 뉴스") == "ko"
    assert detect_language("today's news") == "en"


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_any_unicode_string_is_normalized_or_rejected_cleanly(text):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            spoken = normalize(text)
        except ValueError:
            return
    assert spoken and spoken == spoken.strip()
    assert not any("0" <= ch <= "9" for ch in spoken)


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=0, max_value=10**15), st.sampled_from(["ko", "en"]))
def test_every_integer_is_read_without_digits(n, lang):
    context = "숫자 {}" if lang == "ko" else "number {}"
    spoken = normalize(context.format(n), lang=lang)
    assert not any(ch.isdigit() for ch in spoken)


def test_numbers_too_long_for_words_are_read_digit_by_digit():
    assert normalize("1" * 307, "en") == " ".join(["one"] * 307)
    assert normalize("12345678901234567th", "en").startswith("one two three")
    assert normalize("It is 999,999,999,999,999.", "en").startswith("It is nine hundred ninety-nine trillion")
