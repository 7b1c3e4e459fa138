"""Subtitles: a cue per sentence timed by the audio made (the pause before each sentence is not
part of its cue), long sentences cut into lines, SRT and WebVTT syntax."""

import re
import subprocess
import sys

from types import SimpleNamespace

import numpy as np
import soundfile as sf

from tts_diffusion.subtitles import Cue, cues, lines, render
from tts_diffusion.timestamps import Timed, Timeline

from conftest import ROOT


def chunk(text, lead, samples, words=(), rate=22050):
    """What a Timeline reads of a chunk; ``words`` as (start, end) seconds from the chunk's start."""
    return SimpleNamespace(text=text, lead=lead, audio=np.zeros(samples), sample_rate=rate,
                           words=[Timed(w, *t) for w, t in zip(text.split(), words)], phonemes=[])


def timeline(*chunks):
    line = Timeline()
    for c in chunks:
        line.add(c)
    return line


def test_cues_start_after_each_pause_and_end_with_the_audio():
    spans = timeline(chunk("첫 문장.", 0, 22050, [(0.1, 0.4), (0.5, 0.9)]),
                     chunk("둘째 문장입니다.", 11025, 11025 + 44100, [(0.6, 1.0), (1.1, 2.2)]))
    assert cues(spans) == [Cue(0.0, 1.0, "첫 문장."), Cue(1.5, 3.5, "둘째 문장입니다.")]


def test_a_long_sentence_is_cut_into_lines_each_shown_from_its_first_word():
    text = "오늘 서울의 기온은 영하 삼 점 오 도이고 내일 아침에는 더 추워져 영하 칠 도까지 내려가겠습니다."
    assert all(len(line) <= 42 for line in lines(text)) and " ".join(lines(text)) == text
    words = [(0.1 + 0.3 * k, 0.35 + 0.3 * k) for k in range(len(text.split()))]
    split = cues(timeline(chunk(text, 0, 22050 * 6, words)))
    assert [c.text for c in split] == lines(text) and len(split) == 2
    second = len(split[0].text.split())  # the index of the second line's first word
    assert split[0].start == 0.0 and split[0].end == split[1].start == words[second][0] and split[-1].end == 6.0


def test_srt_and_vtt_syntax():
    cue_list = [Cue(0.0, 1.5, "하나."), Cue(3661.0125, 3662.5, "둘.")]
    assert render(cue_list, "srt") == ("1\n00:00:00,000 --> 00:00:01,500\n하나.\n\n"
                                       "2\n01:01:01,012 --> 01:01:02,500\n둘.\n\n")
    assert render(cue_list, "vtt") == ("WEBVTT\n\n00:00:00.000 --> 00:00:01.500\n하나.\n\n"
                                       "01:01:01.012 --> 01:01:02.500\n둘.\n\n")


def test_tts_say_writes_subtitles_that_match_its_audio(tiny_run, tmp_path):
    out, srt = tmp_path / "out.wav", tmp_path / "out.srt"
    result = subprocess.run([sys.executable, "-m", "tts_diffusion.cli", "--model", str(tiny_run), "-q", "--steps", "2",
                             "--pause", "0.5", "오늘 기온은 3.5도입니다. 내일은 맑겠습니다.", "-o", str(out),
                             "--subtitles", str(srt)], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    audio, rate = sf.read(out, dtype="float32")
    times = [[int(h) * 3600 + int(m) * 60 + int(s) + int(ms) / 1000 for h, m, s, ms in re.findall(r"(\d+):(\d+):(\d+),(\d+)", t)]
             for t in re.findall(r"\d\d:\d\d:\d\d,\d\d\d --> \d\d:\d\d:\d\d,\d\d\d", srt.read_text(encoding="utf-8"))]
    texts = [block.split("\n")[2] for block in srt.read_text(encoding="utf-8").strip().split("\n\n")]
    assert texts == ["오늘 기온은 삼 점 오 도입니다.", "내일은 맑겠습니다."]  # the words as spoken
    (s1, e1), (s2, e2) = times
    assert s1 == 0.0 and abs(e2 - len(audio) / rate) < 0.002  # the cues end with the audio
    assert abs(s2 - e1 - 0.5) < 0.002  # the pause lies between the cues, in neither
    assert np.abs(audio[int((e1 + 0.01) * rate):int((s2 - 0.01) * rate)]).max() == 0  # and it is silence there
    bad = subprocess.run([sys.executable, "-m", "tts_diffusion.cli", "--model", str(tiny_run), "hi", "-o",
                          str(tmp_path / "b.wav"), "--subtitles", str(tmp_path / "b.txt")], capture_output=True, text=True,
                         cwd=ROOT)
    assert bad.returncode == 2 and "name a .srt or .vtt file" in bad.stderr and not (tmp_path / "b.wav").exists()
