"""What the standard pronunciation rules cannot see in spelling alone: which words are compounds,
which are Sino-Korean, which syllable carries a 사이시옷. Used by :mod:`.pronunciation`.

Respellings (``COMPOUNDS``, ``SINO_LATERAL_EXCEPTIONS``) write the part of the word that the
morphology decides, and leave the rest to the rules: 솜이불 -> 솜니불 (the inserted ㄴ, Art. 29),
문고리 -> 문꼬리 (tensing in a compound, Art. 28), 의견란 -> 의견난 (Art. 20 다만). A key matches
anywhere in a word (so 서울역에서 finds 서울역); keys are at least two syllables.
Examples are the standard's own (표준 발음법 Art. 28-30, 20) and frequent news words.
"""

from __future__ import annotations

# Art. 28: compounds whose second part is tense though no 사이시옷 is written.
_TENSE_COMPOUNDS = {
    "문고리": "문꼬리", "눈동자": "눈똥자", "신바람": "신빠람", "산새": "산쌔", "손재주": "손째주", "길가": "길까",
    "물동이": "물똥이", "발바닥": "발빠닥", "굴속": "굴쏙", "술잔": "술짠", "바람결": "바람껼", "그믐달": "그믐딸",
    "아침밥": "아침빱", "잠자리": "잠짜리", "강가": "강까", "초승달": "초승딸", "등불": "등뿔", "창살": "창쌀",
    "강줄기": "강쭐기", "발자국": "발짜국", "손가락": "손까락", "물가": "물까", "비빔밥": "비빔빱", "보름달": "보름딸",
    "안방": "안빵", "산길": "산낄", "밤길": "밤낄", "봄바람": "봄빠람", "줄넘기": "줄넘끼",
    # Sino-Korean words whose second syllable is tense by usage (the standard's dictionary readings)
    "사건": "사껀", "조건": "조껀", "인기": "인끼", "여권": "여꿘", "인권": "인꿘", "문법": "문뻡", "헌법": "헌뻡",
    "불법": "불뻡", "가능성": "가능썽", "장점": "장쩜", "단점": "단쩜", "초점": "초쩜",
    "절도": "절또", "글자": "글짜", "일자": "일짜", "내과": "내꽈", "외과": "외꽈",
    "정신과": "정신꽈", "주가": "주까",
}

# Art. 29: ㄴ (ㄹ after ㄹ) inserted in compounds and derived words before 이, 야, 여, 요, 유; and
# Art. 30 3: a 사이시옷 before 이 is [ㄴㄴ].
_N_INSERTION = {
    "솜이불": "솜니불", "홑이불": "혼니불", "막일": "막닐", "삯일": "삯닐", "맨입": "맨닙", "꽃잎": "꽃닙",
    "한여름": "한녀름", "남존여비": "남존녀비", "신여성": "신녀성", "색연필": "색년필",
    "직행열차": "직행녈차", "콩엿": "콩녇", "담요": "담뇨", "눈요기": "눈뇨기",
    "백분율": "백분뉼", "솔잎": "솔닙", "설익다": "설닉다",
    "물약": "물냑", "불여우": "불녀우", "물엿": "물녇", "유들유들": "유들뉴들",
    "베갯잇": "베갠닏", "깻잎": "깬닙", "나뭇잎": "나문닙", "도리깻열": "도리깬녈", "뒷윷": "뒨뉻", "밭이랑": "받니랑",
    "집안일": "집안닐", "부엌일": "부엌닐", "급행열차": "급행녈차",
    "첫여름": "첟녀름", "앞이마": "압니마", "늦여름": "늗녀름",
}

# Art. 15 within a word: a compound's second part beginning with a vowel takes the first part's
# neutralized final (겉옷 [거돋]); 맛있다, 멋있다 in the principal reading [마딛따], [머딛따].
_LIAISON_COMPOUNDS = {
    "맛있": "마딨", "멋있": "머딨", "맛없": "마덦", "멋없": "머덦", "겉옷": "거돗", "헛웃음": "허두슴", "젖어미": "저더미",
    "첫인상": "처딘상", "몇월": "며둴", "헛일": "헏닐", "웃어른": "우더른", "넋없": "너겂",
}

# Exceptions to the verb-stem rules (Art. 10 다만, Art. 11 다만).
_STEM_EXCEPTIONS = {"넓죽": "넙죽", "넓둥": "넙둥"}

COMPOUNDS = {**_TENSE_COMPOUNDS, **_N_INSERTION, **_LIAISON_COMPOUNDS, **_STEM_EXCEPTIONS}

# Art. 20 다만: Sino-Korean words in which ㄴ + ㄹ is [ㄴㄴ] (a suffix 란, 량, 력, 령, 례, 로, 론, 료, 류
# after a two-syllable noun).
SINO_LATERAL_EXCEPTIONS = {
    "의견란": "의견난", "임진란": "임진난", "생산량": "생산냥", "결단력": "결단녁", "공권력": "공꿘녁", "동원령": "동원녕",
    "상견례": "상견녜", "횡단로": "횡단노", "이원론": "이원논", "입원료": "입원뇨", "구근류": "구근뉴", "판단력": "판단녁",
    "생산력": "생산녁", "보존료": "보존뇨", "음운론": "음운논", "신문로": "신문노", "정신력": "정신녁",
    "원인론": "원인논", "구인란": "구인난", "선진론": "선진논", "검진료": "검진뇨",
    "진단료": "진단뇨", "운반로": "운반노", "수신료": "수신뇨",
}

# Art. 29, by rule: a word of at least this many syllables whose last syllable is this bound noun
# or suffix, after a consonant, takes the ㄴ (부산역 [부산녁], 가정용 [가정뇽], 관절염 [관절렴]).
N_INSERTION_SUFFIXES = {"역": 3, "용": 3, "유": 3, "약": 3, "염": 3, "잎": 2}

# Art. 30: syllables whose final ㅅ is a 사이시옷 (the noun ends in a vowel). Left out because the ㅅ
# is often a word's own: 곳 (곳곳 [곧꼳]), 셋 (셋째), 잇 (잇따라), 것, 옷, 맛.
SAI_SIOT_SYLLABLES = set(
    "냇 햇 뱃 콧 촛 찻 핏 횟 숫 귓 뒷 윗 랫 툇 혓 맷 훗 깻 갯 룻 닷 뭇 팻 샛 깃 빗 잿 젓"
    .split()
)

# Art. 24: verb stems ending in ㄴ, ㅁ (what the word is spelled as up to that syllable), whose
# endings in VERB_ENDINGS are tense. Homographs that are nouns in news text (신고 report, 참고
# reference, 감소 decrease, 남자 man) are left out, or their ending is.
VERB_NASAL_STEMS = {"안", "껴안", "끌어안", "감", "남", "넘", "담", "삼", "심", "품", "검", "더듬", "신기", "머금"}
VERB_ENDINGS = {"고", "다", "게", "던", "더", "지"}  # 지 only after stems of two syllables (감지 is a noun)

# Art. 27: after the adnominal -(으)ㄹ, these bound nouns (with their particles) are tense.
BOUND_NOUNS = {
    "것", "것이", "것은", "것을", "것도", "것으로", "것만", "것과", "것이다", "것입니다", "거", "거야", "거예요", "거죠",
    "겁니다", "건", "걸", "게", "수", "수는", "수도", "수가", "수밖에", "데", "데가", "데는", "바", "바를", "바가", "바는",
    "적", "적이", "적은", "적도", "줄", "지", "듯", "듯이", "뻔", "뻔했다", "도리", "곳", "곳이", "곳은", "곳에",
    "사람", "사람이", "사람은", "사람을", "생각", "생각이다", "생각입니다", "계획", "계획이다", "계획입니다",
}

# Art. 11 다만 is for verb stems: these nouns keep [ㄱ] for ㄺ before ㄱ (흙과 [흑꽈]).
RIEUL_GIYEOK_NOUNS = {"흙", "닭", "칡", "삵"}
