"""English inside Korean text: 외래어 표기법 (제3장 제1절) for words no list has, the lexicon,
acronyms, mixed tokens, and English sentences left English."""

import pytest

from tts_diffusion.text import normalize
from tts_diffusion.text.loanwords import _pronounced, transcribe

# The standard's own examples for each article of 제3장 제1절 (from espeak-ng en-us's pronunciation).
STANDARD = {
    "제1항 voiceless stops": "gap 갭, cat 캣, book 북, act 액트, stamp 스탬프, cape 케이프, nest 네스트, part 파트, "
                           "desk 데스크, make 메이크, mattress 매트리스, sickness 시크니스",
    "제2항 voiced stops": "land 랜드, zigzag 지그재그, signal 시그널, bulb 벌브",
    "제3항 fricatives": "jazz 재즈, graph 그래프, thrill 스릴, flash 플래시, shark 샤크, fashion 패션, "
                       "vision 비전",
    "제4항 affricates": "switch 스위치, bridge 브리지, chart 차트",
    "제5항 nasals": "steam 스팀, corn 콘, ring 링, lamp 램프, hint 힌트, ink 잉크, hanging 행잉, longing 롱잉",
    "제6항 l": "hotel 호텔, pulp 펄프, slide 슬라이드, film 필름, Hamlet 햄릿",
    "제7항 long vowels": "team 팀",
    "제8항 diphthongs": "time 타임, house 하우스, skate 스케이트, oil 오일, boat 보트, tower 타워",
    "제9항 semivowels": "word 워드, want 원트, west 웨스트, witch 위치, swing 스윙, twist 트위스트, penguin 펭귄, "
                     "quarter 쿼터, yard 야드, yellow 옐로, you 유, union 유니언",
    "the flap and syllabic n": "city 시티, data 데이터, battery 배터리, button 버튼, little 리틀",
}
CASES = [(article, *pair.split()) for article, pairs in STANDARD.items() for pair in pairs.split(", ")]


@pytest.mark.parametrize("article, word, hangul", CASES)
def test_words_no_list_has_follow_the_standard(article, word, hangul):
    assert _pronounced(word) == hangul, article


def test_the_transcription_reads_phonemes_not_spelling():
    assert transcribe("nˈɛtflɪks") == "넷플릭스"  # t closes the short vowel before f; fl -> 플
    assert transcribe("kˈæt") == "캣" and transcribe("kˈeɪt") == "케이트"  # a short vowel takes the 받침, a diphthong not
    with pytest.raises(ValueError, match="no Hangul"):
        transcribe("ʀa")


@pytest.mark.parametrize("written, spoken", [
    ("Apple과 Google이 손잡았다.", "애플과 구글이 손잡았다."),
    ("Netflix 신작이 iPhone에서 나온다.", "넷플릭스 신작이 아이폰에서 나온다."),
    ("NASA와 UNESCO, 그리고 KBS.", "나사와 유네스코, 그리고 케이비에스."),  # acronyms read as words; others spelled
    ("COVID-19 이후 5G 가입자가 늘었다.", "코비드 나인틴 이후 오지 가입자가 늘었다."),
    ("G7 정상회의", "지세븐 정상회의"),
    ("iPhone17 출시", "아이폰 십칠 출시"),
    ("Broadcom 주가", "브로드캄 주가"),  # no list has it: read from its pronunciation
    ("Good morning. 오늘의 뉴스입니다.", "Good morning. 오늘의 뉴스입니다."),  # an English sentence stays English
])
def test_english_inside_korean_is_read_as_an_announcer_reads_it(written, spoken):
    assert normalize(written, "ko") == spoken


@pytest.mark.parametrize("written, spoken", [
    ("3개월", "삼 개월"), ("3년 6개월", "삼 년 육 개월"), ("5개국", "오 개국"), ("3개", "세 개"), ("3주", "삼 주"),
    ("2회", "이 회"), ("3차", "삼 차"), ("20세", "이십 세"), ("3살", "세 살"), ("5시간", "다섯 시간"),
    ("1/3", "삼 분의 일"), ("2/5 정도", "오 분의 이 정도"),
    ("3.1절", "삼일절"), ("3.1 운동", "삼일 운동"), ("6.25 전쟁", "육이오 전쟁"), ("4.19 혁명", "사일구 혁명"),
    ("5.18 민주화운동", "오일팔 민주화운동"), ("8.15 광복절", "팔일오 광복절"), ("기온 3.1도", "기온 삼 점 일 도"),
    ("10여 명", "십여 명"), ("20여 개국", "이십여 개국"), ("100여 곳", "백여 곳"),
])
def test_counters_fractions_and_dates_that_are_names(written, spoken):
    assert normalize(written, "ko") == spoken
