"""Sentences for the espeak-ng corpus: prose from public-domain Korean law texts shipped in the
konlpy wheel, and news-style sentences made from templates written for this project.

Every sentence is returned in its written form (with digits, units and symbols); the corpus
builder normalizes it, so the numbers the voice learns are read the way our front end reads them.
"""

from __future__ import annotations

import random
import re
import subprocess
import sys
import zipfile
from pathlib import Path

HERE = Path(__file__).parent
KONLPY_TEXTS = ["konlpy/data/corpus/kolaw/constitution.txt"] + [
    f"konlpy/data/corpus/kobill/{n}.txt" for n in range(1809890, 1809900)
]


def konlpy_wheel(cache: Path) -> Path:
    """The konlpy wheel from PyPI (only its text files are used), downloaded once into ``cache``."""
    found = sorted(cache.glob("konlpy-*.whl"))
    if not found:
        cache.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "konlpy==0.6.0", "-d", str(cache)],
                       check=True)
        found = sorted(cache.glob("konlpy-*.whl"))
    return found[-1]


def split_sentences(text: str, max_chars: int = 70, min_chars: int = 8) -> list[str]:
    """Split prose into sentences, and long sentences at commas, into pieces of readable length."""
    text = re.sub(r"[①-⑳]", " ", text)
    text = re.sub(r"\s+", " ", text)
    out = []
    for sentence in re.split(r"(?<=[.?!])\s+|(?<=다\.)", text):
        sentence = sentence.strip(" -")
        if not re.search(r"[가-힣]", sentence):
            continue
        pieces = [sentence] if len(sentence) <= max_chars else re.split(r"(?<=,)\s+", sentence)
        buffer = ""
        for piece in pieces:
            if buffer and len(buffer) + len(piece) > max_chars:
                out.append(buffer)
                buffer = ""
            buffer = f"{buffer} {piece}".strip()
        if buffer:
            out.append(buffer)
    return [s.rstrip(",") for s in out if min_chars <= len(s) <= max_chars * 2 and _is_prose(s)]


def _is_prose(sentence: str) -> bool:
    """Mostly Hangul, no form-field debris (tables, dashes, placeholders) from the bill texts."""
    letters = [ch for ch in sentence if not ch.isspace()]
    hangul = sum("가" <= ch <= "힣" for ch in letters)
    return hangul >= 0.75 * len(letters) and not re.search(r" - |\(생 ?략\)|[｢｣:]|제 호", sentence)


def konlpy_sentences(cache: Path) -> list[str]:
    with zipfile.ZipFile(konlpy_wheel(cache)) as wheel:
        texts = [wheel.read(name).decode("utf-8") for name in KONLPY_TEXTS]
    return [s for text in texts for s in split_sentences(text)]


def read_lines(path: Path) -> list[str]:
    return [line.strip() for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")]


_SLOTS = {
    "city": ["서울", "부산", "대구", "인천", "광주", "대전", "울산", "세종", "수원", "춘천", "강릉", "청주", "전주", "목포",
             "여수", "포항", "창원", "제주", "안동", "원주"],
    "org": ["KBS", "MBC", "SBS", "KTX", "IMF", "OECD", "UN", "WHO", "LG", "SK", "KT", "IT", "AI", "GDP", "NASA"],
    "item": ["사과", "배추", "달걀", "우유", "쌀", "라면", "휘발유", "경유", "커피", "소고기", "고등어", "무"],
    "people": ["관광객", "학생", "직장인", "선수", "시민", "의료진", "소방관", "어린이", "노인", "자원봉사자"],
    "counter": ["개", "명", "마리", "권", "잔", "병", "장", "그루", "송이", "곳", "가지", "채"],
}

TEMPLATES_KO = [
    "{year}년 {month}월 {day}일 {city}에서 열린 행사에는 {n3}명이 참석했습니다.",
    "오늘 {city}의 아침 기온은 영하 {dec1}도, 낮 최고 기온은 {n2}도로 예상됩니다.",
    "{city}의 낮 기온이 {n2}°C까지 오르겠습니다.",
    "오전 {h12}시 {min}분 현재 {city} 지역에 시간당 {n2}mm의 비가 내리고 있습니다.",
    "오후 {h12}시부터 {city}에는 초속 {n2}m의 강한 바람이 불겠습니다.",
    "코스피는 어제보다 {dec2}% 오른 {n4},{n3b}.{d2}에 장을 마쳤습니다.",
    "원 달러 환율은 {n4}.{d1}원으로 마감했습니다.",
    "{item} 한 개 가격이 {price}원으로 지난달보다 {pct}% 올랐습니다.",
    "{org}은/는 올해 경제 성장률을 {dec1}%로 전망했습니다.",
    "{org} 관계자는 {month}월 {day}일 오후 {h12}시에 발표하겠다고 밝혔습니다.",
    "이번 사고로 {people} {nsmall}명이 다치고 {nsmall2}명이 병원으로 옮겨졌습니다.",
    "{city}까지 남은 거리는 약 {n3}km입니다.",
    "고속도로에서는 시속 {n3}km/h 이하로 달려야 합니다.",
    "{people} {nsmall}명 가운데 {nsmall2}명이 찬성했습니다.",
    "{item} {nsmall}개를 샀습니다.",
    "이 {counter_word}에는 모두 {nsmall}{counter}가 있습니다.",
    "문의 전화는 {phone}으로/로 하시면 됩니다.",
    "올해 예산은 {n3}조 {n4}억 원으로 확정됐습니다.",
    "지난해 수출액은 {n3}억 달러를 기록했습니다.",
    "행사는 {hh}:{mm}에 시작해 {hh2}:{mm}에 끝납니다.",
    "{year}년 {city}의 인구는 {big}명으로 집계됐습니다.",
    "{nsmall}번째 회의가 {month}월 {day}일에 열립니다.",
    "아이는 올해 {age}살이 되었습니다.",
    "회의는 {hours}시간 동안 이어졌습니다.",
    "경기는 {n2}대 {nsmall}으로/로 끝났습니다.",
    "{city} 시청에서 {city2} 시청까지 {hours}시간 {min}분이 걸렸습니다.",
    "무게가 {dec1}kg인 소포가 {day}일 만에 도착했습니다.",
    "이번 달 전기 요금은 {price}원이 나왔습니다.",
    "금리는 {dec2}%p 인하됐습니다.",
    "{org} 뉴스, {city}에서 전해 드렸습니다.",
    "제{nsmall}차 회의에서 {n2}개 안건이 처리됐습니다.",
    "{year}.{month}.{day}. 기준으로 가입자는 {big}명입니다.",
    "해발 {n4}m 높이의 산에 {people} {n2}명이 올랐습니다.",
    "물 {n3}mL와 설탕 {n2}g을 넣어 주세요.",
    "출생아 수는 {n4}명으로 {pct}% 줄었습니다.",
    "약 {n2}만 명의 {people}이/가 {city}을/를 찾았습니다.",
    "배터리 용량은 {n3}GB, 가격은 ${n3}입니다.",
    "지진의 규모는 {dec1}으로/로 측정됐습니다.",
    "{month}월 평균 기온은 {dec1}도로 평년보다 {dec1b}도 높았습니다.",
    "열차는 {h12}시 {min}분에 {city}역을 출발합니다.",
]

TEMPLATES_EN = [
    "On {month_en} {day_ord}, {year}, {n3} people gathered in {city_en}.",
    "Temperatures in {city_en} will fall to -{n1} degrees by {h12}:{mm} am.",
    "The index rose {dec2}% to close at {n4}.{d2} on {weekday}.",
    "Tickets cost ${n2}.{d2} for adults and ${n1} for children.",
    "The company reported a profit of ${dec1} billion in {year}.",
    "The train to {city_en} leaves at {h12}:{mm} pm from platform {n1}.",
    "About {big} visitors came to the festival this year.",
    "The storm brought {n2} mm of rain to {city_en} in {n1} hours.",
    "The runners covered {dec1} km in just under {n2} minutes.",
    "Unemployment fell to {dec1}% in {month_en}, the lowest since {year}.",
    "The bridge is {n3} m long and opened in {year}.",
    "Call {phone_en} for more information.",
    "The package weighs {dec1} kg and costs ${n2} to ship.",
    "{n2} of the {n3} students passed the exam on {month_en} {day_ord}.",
    "The meeting starts at {h12}:{mm} and should end by {h12b}:{mm}.",
    "The team won {n2} to {n1} in front of {big} fans.",
    "Good evening, here is the news for {weekday}, {month_en} {day_ord}.",
    "Officials in {city_en} say the new {building} will open in {month_en} {year}.",
    "The weather service warned of {weather} across the {region} on {weekday} night.",
    "Scientists at the university of {city_en} have found a way to {discovery}.",
    "Prices of {goods} climbed {dec1}% over the past {n1} months.",
    "The {vehicle} from {city_en} to {city_en2} was delayed by {n2} minutes this morning.",
    "Doctors advise adults to {health} at least {n1} times a week.",
    "The orchestra will play {composer} at the city hall on {month_en} {day_ord}.",
    "A {building} built in {year} was badly damaged by the {disaster}.",
    "Volunteers planted {big} trees along the river last spring.",
    "The minister said the plan would create {n3} thousand jobs by {year}.",
    "Shares of the {industry} company dropped {dec1}% after the report.",
    "Schools in the {region} will stay closed until {h12}:{mm} pm on {weekday}.",
    "The {sport} final drew {big} viewers, a record for the league.",
    "Police closed the {road} for about {n2} minutes after the accident.",
    "The library now lends {goods_small}, not just books, to its {big} members.",
    "Farmers expect a {adjective} harvest after a {adjective2} summer.",
    "The flight to {city_en} landed safely at {h12}:{mm} despite strong winds.",
    "Our reporter in {city_en} has the latest on the {disaster}.",
    "The museum will show {n2} paintings that have never been seen in public.",
    "Electricity use rose to {n4} megawatts during the heat wave.",
    "Why did the council vote against the new {building}? We asked the mayor of {city_en}.",
    "Forecasters expect {weather} to ease by {weekday} afternoon.",
    "A {age}-year-old swimmer crossed the bay in {n1} hours and {n2} minutes.",
]

_SLOTS_EN = {
    "city_en": ["Seoul", "Busan", "London", "Boston", "Chicago", "Toronto", "Sydney", "Denver", "Dublin", "Austin"],
    "month_en": ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
                 "November", "December"],
    "weekday": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
    "building": ["hospital", "stadium", "library", "bridge", "museum", "airport terminal", "concert hall", "school"],
    "agency": ["health ministry", "central bank", "fire department", "coast guard"],
    "weather": ["heavy snow", "thunderstorms", "freezing rain", "strong winds", "thick fog", "extreme heat"],
    "region": ["north", "south", "east coast", "west coast", "mountains", "capital region", "islands"],
    "discovery": ["recycle plastic with sunlight", "store energy in sand", "detect disease from a breath",
                  "grow rice with less water", "measure earthquakes with fibre cables"],
    "goods": ["fresh vegetables", "gasoline", "coffee beans", "new cars", "apartments", "wheat flour"],
    "goods_small": ["tools", "board games", "musical instruments", "cameras", "bicycles"],
    "vehicle": ["express train", "night bus", "ferry", "morning flight"],
    "health": ["walk for thirty minutes", "eat fresh fruit", "stretch their backs", "sleep eight hours"],
    "composer": ["Mozart", "Beethoven", "Tchaikovsky", "Vivaldi", "Brahms", "Chopin"],
    "disaster": ["flood", "earthquake", "wildfire", "typhoon", "landslide"],
    "industry": ["shipping", "software", "chemical", "telecom", "battery", "airline"],
    "sport": ["football", "baseball", "basketball", "volleyball", "tennis", "rugby"],
    "road": ["highway", "main bridge", "tunnel", "ring road", "harbour road"],
    "adjective": ["strong", "poor", "record", "modest", "late"],
    "adjective2": ["dry", "wet", "cool", "long and hot", "stormy"],
}


def _fill_en(template: str, rng: random.Random) -> str:
    day = rng.randint(1, 28)
    suffix = "th" if 10 <= day % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    values = {
        "year": rng.randint(1950, 2030), "day_ord": f"{day}{suffix}", "h12": rng.randint(1, 12), "h12b": rng.randint(1, 12),
        "mm": f"{rng.choice([0, 5, 10, 15, 20, 30, 40, 45, 50]):02d}", "n1": rng.randint(2, 9), "n2": rng.randint(10, 99),
        "n3": rng.randint(100, 999), "n4": rng.randint(1000, 9999), "d2": f"{rng.randint(0, 99):02d}",
        "dec1": f"{rng.randint(1, 40)}.{rng.randint(1, 9)}", "dec2": f"{rng.randint(0, 3)}.{rng.randint(1, 99):02d}",
        "big": f"{rng.randint(10_000, 999_999):,}", "phone_en": f"{rng.randint(200, 999)}-{rng.randint(1000, 9999)}",
        "age": rng.randint(12, 80), **{k: rng.choice(v) for k, v in _SLOTS_EN.items()},
        "city_en2": rng.choice(_SLOTS_EN["city_en"]),
    }
    return template.format(**values)


COUNTER_WORDS = {"개": "상자", "명": "교실", "마리": "농장", "권": "책장", "잔": "쟁반", "병": "냉장고", "장": "봉투",
                 "그루": "공원", "송이": "꽃병", "곳": "지역", "가지": "메뉴", "채": "마을"}


def _fill(template: str, rng: random.Random) -> str:
    counter = rng.choice(_SLOTS["counter"])
    values = {
        "year": rng.randint(1950, 2030), "month": rng.randint(1, 12), "day": rng.randint(1, 28),
        "h12": rng.randint(1, 12), "min": rng.randint(1, 59), "hh": rng.randint(6, 23), "hh2": rng.randint(6, 23),
        "mm": f"{rng.choice([0, 10, 15, 20, 30, 40, 45, 50]):02d}", "n2": rng.randint(10, 99),
        "n3": rng.randint(100, 999), "n3b": f"{rng.randint(0, 999):03d}", "n4": rng.randint(1000, 9999),
        "d1": rng.randint(0, 9), "d2": f"{rng.randint(0, 99):02d}", "dec1": f"{rng.randint(0, 40)}.{rng.randint(1, 9)}",
        "dec1b": f"{rng.randint(0, 5)}.{rng.randint(1, 9)}", "dec2": f"{rng.randint(0, 3)}.{rng.randint(1, 99):02d}",
        "pct": rng.randint(1, 60), "price": f"{rng.randint(1, 99) * 1000 + rng.choice([0, 500]):,}",
        "nsmall": rng.randint(1, 30), "nsmall2": rng.randint(1, 9), "age": rng.randint(1, 99),
        "hours": rng.randint(1, 12), "big": f"{rng.randint(10_000, 9_999_999):,}",
        "phone": f"0{rng.choice([2, 10, 31, 51, 64])}-{rng.randint(100, 9999)}-{rng.randint(0, 9999):04d}",
        "counter": counter, "counter_word": COUNTER_WORDS[counter],
        **{k: rng.choice(v) for k, v in _SLOTS.items() if k != "counter"}, "city2": rng.choice(_SLOTS["city"]),
    }
    return agree(template.format(**values))


PARTICLES = re.compile(r"(\S+?)(을/를|이/가|은/는|과/와|으로/로)")


def agree(text: str) -> str:
    """A template's particle pairs ("을/를", "이/가", "은/는", "과/와", "으로/로") resolved as a writer
    would: by the final sound of the word before, as our front end reads it (3 -> 삼 -> 으로, UN -> 유엔
    -> 은, 선수 -> 가): the first form after a final consonant, the second after a vowel, and 로 after ㄹ."""
    from tts_diffusion.text import normalize

    def pick(match: re.Match) -> str:
        word, pair = match.group(1), match.group(2)
        after_consonant, after_vowel = pair.split("/")
        # read with a particle after it, as in a sentence (a Latin word alone stays English)
        spoken = re.sub(r"[^가-힣]", "", normalize(word + after_consonant, "ko"))[: -len(after_consonant)]
        final = (ord(spoken[-1]) - 0xAC00) % 28 if spoken else 0
        rieul = pair == "으로/로" and final == 8  # ㄹ takes 로
        return word + (after_consonant if final and not rieul else after_vowel)

    return PARTICLES.sub(pick, text)


def templated_sentences(templates: list[str], n: int, seed: int, fill=None) -> list[str]:
    """``n`` distinct sentences from the templates, the same for the same seed."""
    fill = fill or _fill
    rng = random.Random(seed)
    out: dict[str, None] = {}
    attempts = 0
    while len(out) < n and attempts < 50 * n:
        out[fill(rng.choice(templates), rng)] = None
        attempts += 1
    return list(out)


def korean_sentences(cache: Path, n_templated: int = 2000, seed: int = 0) -> list[str]:
    written = read_lines(HERE / "text" / "ko_written.txt")
    return list(dict.fromkeys(written + konlpy_sentences(cache) + templated_sentences(TEMPLATES_KO, n_templated, seed)))


# A phrase grammar for English prose beyond the news templates: who did what, where and why, drawn
# from word lists chosen for phonetic breadth (every English phoneme in many contexts, clusters,
# long and short words). Each sentence is subject + predicate + one or two adjuncts.
GRAMMAR_EN = {
    "subject": ["The mayor", "A local farmer", "The young engineer", "Our neighbour", "The head teacher",
                "A retired pilot", "The city council", "Her younger brother", "The hospital staff", "A group of hikers",
                "The museum guide", "Two fishermen", "The chief executive", "An elderly couple", "The football coach",
                "A visiting professor", "The night nurse", "The bakery owner", "Several witnesses", "The jury",
                "A nervous student", "The festival organisers", "My cousin", "The lighthouse keeper", "The chef",
                "A wildlife photographer", "The town's oldest resident", "The choir", "The lawyers", "The crew"],
    "predicate": ["thanked the volunteers", "rejected the proposal", "found an unusual object", "repaired the roof",
                  "visited the northern villages", "explained the new rules", "welcomed the decision",
                  "measured the depth of the lake", "questioned the official figures", "painted the old fence",
                  "collected thousands of signatures", "described the journey", "avoided the crowded streets",
                  "shared a simple recipe", "searched the woods", "changed the schedule", "opened a small shop",
                  "wrote a long letter", "joined the protest", "crossed the frozen river", "judged the competition",
                  "bought fresh vegetables", "fixed the broken clock", "climbed the steep hill", "taught the children to sing",
                  "delivered the speech", "recorded the birds", "moved to the countryside", "borrowed a bicycle",
                  "played the violin", "watched the sunrise", "studied the ancient maps", "paid the bill",
                  "thought about the future", "organised a charity concert", "caught a huge fish",
                  "launched an investigation", "refused to comment", "praised the firefighters", "cleaned the harbour"],
    "place": ["in the village square", "near the harbour", "at the edge of the forest", "behind the railway station",
              "inside the town hall", "on the university campus", "along the coast", "beside the old mill",
              "in a quiet neighbourhood", "at the foot of the mountain", "on the third floor", "across the valley",
              "outside the courthouse", "at the airport", "in the crowded market", "under the bridge"],
    "time": ["early this morning", "on Tuesday evening", "late last night", "after the storm", "before sunrise",
             "during the holidays", "at the weekend", "this afternoon", "two weeks ago", "in the spring",
             "shortly after midnight", "yesterday", "at the start of the year", "while it was snowing"],
    "reason": ["because the roads were closed", "although nobody asked them to", "so that everyone could see",
               "despite the heavy rain", "as the crowd cheered", "to raise money for the school",
               "after months of careful planning", "while reporters waited outside", "without saying a word",
               "even though it was freezing", "to everyone's surprise", "as part of a new project"],
}
GRAMMAR_FORMS = ["{subject} {predicate} {place} {time}.", "{time}, {subject_lc} {predicate} {place}.",
                 "{subject} {predicate} {reason}.", "{subject} {predicate} {place}, {reason}.",
                 "Why {subject_lc} {predicate} {place} is still unclear.", "{subject} {predicate} {time}, {reason}."]


def _fill_grammar(form: str, rng: random.Random) -> str:
    values = {k: rng.choice(v) for k, v in GRAMMAR_EN.items()}
    values["subject_lc"] = values["subject"][0].lower() + values["subject"][1:]
    sentence = form.format(**values)
    return sentence[0].upper() + sentence[1:]


def english_sentences(n_templated: int = 0, seed: int = 0, n_grammar: int = 0) -> list[str]:
    written = read_lines(HERE / "text" / "en_written.txt")
    templated = templated_sentences(TEMPLATES_EN, n_templated, seed, _fill_en)
    grammar = templated_sentences(GRAMMAR_FORMS, n_grammar, seed, _fill_grammar) if n_grammar else []
    return list(dict.fromkeys(written + templated + grammar))
