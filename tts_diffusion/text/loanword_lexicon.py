"""English words and names as Korean news writes them in Hangul, and acronyms read as words.

Written for this project (CC0) from the spellings of 외래어 표기법 (the National Institute of Korean
Language's standard forms, e.g. 애플, 플랫폼, 배터리) and, for brands and names, the spelling the
company or the Korean press uses (넷플릭스, 엔비디아, 테슬라). Keys are lower case, except acronyms and
mixed tokens, which are matched as written. The rules of :mod:`.loanwords` cover words not listed;
this list holds what those rules would read otherwise: names with a Korean spelling of their own,
British-based standard forms (쇼핑, not 샤핑), and words read from their spelling.
"""

_WORDS = """
apple 애플 | google 구글 | netflix 넷플릭스 | iphone 아이폰 | ipad 아이패드 | youtube 유튜브 | facebook 페이스북
instagram 인스타그램 | twitter 트위터 | microsoft 마이크로소프트 | amazon 아마존 | tesla 테슬라 | nvidia 엔비디아
intel 인텔 | samsung 삼성 | hyundai 현대 | kia 기아 | lg 엘지 | sk 에스케이 | kakao 카카오 | naver 네이버
coupang 쿠팡 | openai 오픈에이아이 | chatgpt 챗지피티 | gpt 지피티 | meta 메타 | galaxy 갤럭시 | android 안드로이드
windows 윈도 | uber 우버 | disney 디즈니 | starbucks 스타벅스 | nike 나이키 | adidas 아디다스 | sony 소니
toyota 도요타 | honda 혼다 | boeing 보잉 | airbus 에어버스 | spacex 스페이스엑스 | x 엑스 | tiktok 틱톡
spotify 스포티파이 | zoom 줌 | slack 슬랙 | linkedin 링크트인 | paypal 페이팔 | visa 비자 | mastercard 마스터카드
qualcomm 퀄컴 | tsmc 티에스엠시 | huawei 화웨이 | xiaomi 샤오미 | alibaba 알리바바 | baidu 바이두 | oracle 오라클
ibm 아이비엠 | hp 에이치피 | dell 델 | lenovo 레노버 | asus 에이수스 | arm 암 | amd 에이엠디 | bmw 비엠더블유
mercedes 메르세데스 | benz 벤츠 | volkswagen 폭스바겐 | ford 포드 | gm 지엠 | mcdonald's 맥도날드 | mcdonalds 맥도날드
kfc 케이에프시 | pizza 피자 | coca 코카 | cola 콜라 | pepsi 펩시 | chanel 샤넬 | gucci 구찌 | louis 루이 | vuitton 비통
pro 프로 | max 맥스 | plus 플러스 | ultra 울트라 | mini 미니 | air 에어 | fold 폴드 | flip 플립 | watch 워치
news 뉴스 | shopping 쇼핑 | online 온라인 | offline 오프라인 | service 서비스 | platform 플랫폼 | data 데이터
battery 배터리 | cloud 클라우드 | app 앱 | game 게임 | chip 칩 | center 센터 | smart 스마트 | phone 폰
smartphone 스마트폰 | internet 인터넷 | computer 컴퓨터 | software 소프트웨어 | hardware 하드웨어 | server 서버
robot 로봇 | drone 드론 | camera 카메라 | video 비디오 | music 뮤직 | k-pop 케이팝 | kpop 케이팝 | pop 팝
idol 아이돌 | drama 드라마 | movie 무비 | show 쇼 | live 라이브 | big 빅 | tech 테크 | bank 뱅크 | pay 페이
card 카드 | coffee 커피 | hotel 호텔 | bus 버스 | taxi 택시 | metro 메트로 | city 시티 | global 글로벌
korea 코리아 | seoul 서울 | busan 부산 | japan 재팬 | china 차이나 | america 아메리카 | europe 유럽 | new 뉴
york 욕 | london 런던 | paris 파리 | tokyo 도쿄 | beijing 베이징 | washington 워싱턴 | trump 트럼프 | biden 바이든
obama 오바마 | musk 머스크 | elon 일론 | jobs 잡스 | steve 스티브 | bill 빌 | gates 게이츠 | mark 마크
zuckerberg 저커버그 | jensen 젠슨 | huang 황 | sam 샘 | altman 올트먼 | tim 팀 | cook 쿡 | ceo 시이오 | cfo 시에프오
super 슈퍼 | market 마켓 | mart 마트 | style 스타일 | fashion 패션 | design 디자인 | digital 디지털 | mobile 모바일
network 네트워크 | security 시큐리티 | energy 에너지 | solar 솔라 | green 그린 | eco 에코 | start 스타트 | up 업
startup 스타트업 | venture 벤처 | fund 펀드 | index 인덱스 | bitcoin 비트코인 | coin 코인 | token 토큰
blockchain 블록체인 | metaverse 메타버스 | model 모델 | chatbot 챗봇 | deep 딥 | learning 러닝 | machine 머신
vision 비전 | hub 허브 | lab 랩 | labs 랩스 | studio 스튜디오 | entertainment 엔터테인먼트 | music 뮤직
festival 페스티벌 | concert 콘서트 | tour 투어 | world 월드 | cup 컵 | league 리그 | champions 챔피언스
olympic 올림픽 | olympics 올림픽 | team 팀 | club 클럽 | golf 골프 | tennis 테니스 | baseball 베이스볼
football 풋볼 | soccer 사커 | mask 마스크 | shop 숍 | hot 핫 | hello 헬로 | thank 생큐 | thanks 생스 | ok 오케이 | okay 오케이 | yes 예스 | no 노
"""

# Acronyms that Korean reads as words (all other all-capitals words are spelled: KBS 케이비에스).
_ACRONYMS = """
NASA 나사 | UNESCO 유네스코 | UNICEF 유니세프 | NATO 나토 | OPEC 오펙 | ASEAN 아세안 | FIFA 피파 | COVID 코비드
APEC 에이펙 | AIDS 에이즈 | SARS 사스 | MERS 메르스 | KOSPI 코스피 | KOSDAQ 코스닥 | NASDAQ 나스닥 | LASIK 라식
RAM 램 | ROM 롬 | LAN 랜 | NAND 낸드 | DRAM 디램 | SWIFT 스위프트 | FRAND 프랜드 | ESG 이에스지 | NEET 니트
OLED 올레드 | LED 엘이디 | LCD 엘시디 | WHO 더블유에이치오 | OECD 오이시디 | IMF 아이엠에프 | CCTV 시시티브이
KTX 케이티엑스 | SRT 에스알티 | PC 피시 | TV 티브이 | DVD 디브이디 | CD 시디 | ICT 아이시티 | IT 아이티 | AI 에이아이
CES 시이에스 | UN 유엔 | EU 이유 | USA 유에스에이 | US 유에스 | UK 유케이 | GDP 지디피 | CPI 시피아이
PCR 피시아르 | MRI 엠아르아이 | CT 시티 | SNS 에스엔에스 | QR 큐아르 | NFT 엔에프티 | ETF 이티에프 | IPO 아이피오
MZ 엠제트 | BTS 비티에스 | SOS 에스오에스 | VIP 브이아이피 | DNA 디엔에이 | RNA 아르엔에이 | mRNA 엠아르엔에이
USB 유에스비 | GPS 지피에스 | API 에이피아이 | CPU 시피유 | GPU 지피유 | HBM 에이치비엠 | SUV 에스유브이 | EV 이브이
"""

# Tokens of letters and digits read as one name (matched as written, before numbers are read); others
# are read by the rules (5G 오지, iPhone17 아이폰 십칠).
MIXED = {
    "COVID-19": "코비드 나인틴", "3D": "쓰리디", "4K": "포케이",
    "8K": "에이트케이", "G7": "지세븐", "G20": "지이십", "A4": "에이포", "F1": "에프원", "B2B": "비투비",
    "B2C": "비투시", "K-pop": "케이팝", "K-POP": "케이팝", "Wi-Fi": "와이파이", "WiFi": "와이파이", "e-mail": "이메일",
    "H5N1": "에이치파이브엔원", "PM2.5": "피엠 이 점 오", "PM10": "피엠 십",
}


def _table(text: str) -> dict[str, str]:
    pairs = (entry.split(maxsplit=1) for line in text.strip().splitlines() for entry in line.split("|"))
    return {key: value.strip() for key, value in pairs}


LOANWORDS = _table(_WORDS)
ACRONYM_WORDS = _table(_ACRONYMS)
