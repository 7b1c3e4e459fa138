"""SSML, the subset people use: each tag read as its standard says, errors with line and column,
no DTDs (entity expansion), and speech that equals the plain-text calls it stands for."""

import subprocess
import sys

import numpy as np
import pytest

from tts_diffusion.text.ssml import SSMLError, Segment, parse_ssml

from conftest import ROOT


def test_each_tag_becomes_text_voice_rate_or_silence():
    segments = parse_ssml(
        '<speak xml:lang="ko-KR">속보입니다.<break time="700ms"/><sub alias="케이비에스">KBS</sub> 뉴스'
        '<say-as interpret-as="characters">AI</say-as> <say-as interpret-as="digits">2026</say-as>'
        '<say-as interpret-as="telephone">02-123-4567</say-as>'
        '<voice name="en-b"><prosody rate="slow">Good <phoneme ph="ˈiːvnɪŋ">evening</phoneme>.</prosody></voice>'
        '<p>첫 문단.</p><p><s>둘째.</s><s>셋째 3.5도.</s></p><break strength="strong"/></speak>')
    assert segments == [
        Segment("속보입니다.", None, 1.0, "ko", None),
        Segment("케이비에스 뉴스 A I 2 0 2 6 0 2, 1 2 3, 4 5 6 7", None, 1.0, "ko", 0.7),
        Segment("Good [[ˈiːvnɪŋ]] .", "en-b", 0.75, "ko", None),
        Segment("첫 문단.\n둘째.\n셋째 3.5도.", None, 1.0, "ko", None),
        Segment("", pause_before=0.75),
    ]
    assert parse_ssml('<speak><prosody rate="150%">빨리</prosody><prosody rate="0.8">천천히</prosody></speak>') == [
        Segment("빨리", rate=1.5), Segment("천천히", rate=0.8)]


@pytest.mark.parametrize("markup, message", [
    ("<speak>안녕 <emphasis>정말</emphasis></speak>", "line 1, column 11: unsupported SSML tag <emphasis>"),
    ("<speak>안녕\n<break time='5 parsecs'/></speak>", "line 2, column 1: break time must be like 500ms"),
    ("<speak><break time='60s'/></speak>", "longer than 10 s"),
    ("<speak><prosody rate='warp'>x</prosody></speak>", "prosody rate must be"),
    ("<speak><say-as interpret-as='cardinal'>3</say-as></speak>", "interpret-as must be one of"),
    ("<speak><sub>KBS</sub></speak>", "<sub> needs an alias"),
    ("<speak>안녕\n<s>열고 닫지 않음</speak>", "line 2, column 14: mismatched tag"),
    ("<s>시작이 speak가 아님</s>", "must start with <speak>"),
    ('<!DOCTYPE speak [<!ENTITY a "아아아아">]><speak>&a;&a;</speak>', "DOCTYPE or entity declaration is not allowed"),
])
def test_malformed_or_unsupported_ssml_is_one_error_naming_the_place(markup, message):
    with pytest.raises(SSMLError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_ssml(markup)


def test_ssml_speech_equals_the_plain_calls_it_stands_for(two_voice_run):
    from tts_diffusion.api import TTS

    tts = TTS.from_pretrained(two_voice_run)
    say = lambda text, **k: tts.synthesize(text, steps=2, seed=4, **k).audio  # noqa: E731
    ssml = lambda markup, **k: np.concatenate([c.audio for c in tts.stream_ssml(markup, steps=2, seed=4, **k)])  # noqa: E731
    first, second = say("안녕하세요."), say("케이비에스 뉴스입니다.")
    joined = ssml('<speak>안녕하세요.<break time="700ms"/><sub alias="케이비에스">KBS</sub> 뉴스입니다.</speak>')
    gap = int(0.7 * tts.sample_rate)
    assert len(joined) == len(first) + gap + len(second)
    assert np.array_equal(joined[:len(first)], first) and not joined[len(first):len(first) + gap].any()
    assert np.array_equal(joined[len(first) + gap:], second)
    assert np.array_equal(ssml('<speak><voice name="en-b">안녕하세요.</voice></speak>'), say("안녕하세요.", voice="en-b"))
    assert np.array_equal(ssml('<speak><prosody rate="slow">안녕하세요.</prosody></speak>'), say("안녕하세요.", speed=0.75))
    assert np.array_equal(ssml('<speak><phoneme ph="ɐnnjʌŋ">안녕</phoneme></speak>'), say("[[ɐnnjʌŋ]]"))
    with pytest.raises(ValueError, match="unknown voice 'nobody'"):
        list(tts.stream_ssml('<speak><voice name="nobody">안녕</voice></speak>'))


def test_tts_say_ssml(two_voice_run, tmp_path):
    run = lambda *a: subprocess.run([sys.executable, "-m", "tts_diffusion.cli", "--model", str(two_voice_run), "--ssml",  # noqa: E731
                                     "-q", "--steps", "2", *a], capture_output=True, text=True, cwd=ROOT)
    good = run('<speak>안녕하세요.<break time="1s"/>감사합니다.</speak>', "-o", str(tmp_path / "a.wav"))
    assert good.returncode == 0, good.stderr
    bad = run("<speak>안녕 <b>굵게</b></speak>", "-o", str(tmp_path / "b.wav"))
    assert bad.returncode == 2 and bad.stderr.startswith("tts-say: error: line 1, column 11: unsupported SSML tag <b>")
    assert not (tmp_path / "b.wav").exists()
