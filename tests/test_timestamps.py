"""Word and phoneme timestamps from the predicted durations: the alignment of words to espeak-ng's
phoneme words (which join short Korean words), the clock, and the times a synthesis reports."""

import json
import subprocess
import sys

import numpy as np
import pytest
import soundfile as sf

from tts_diffusion import TTS
from tts_diffusion.text import Tokenizer
from tts_diffusion.timestamps import Timed, timestamps, word_ranges

from conftest import ROOT


def test_words_that_espeak_joined_share_their_run_by_their_own_lengths():
    # three words; the second and third were said as one phoneme word of 2 + 3 symbols
    assert word_ranges([2, 2, 3], "ab, cdefg.") == [(0, 2), (4, 6), (6, 9)]
    # a run may take one word only when the lengths say so: 4 | 2 + 2 rather than 4 + 2 | 2
    assert word_ranges([4, 2, 2], "abcd efgh") == [(0, 4), (5, 7), (7, 9)]
    assert word_ranges([2, 2], "ab cd ef") == [(0, 4), (4, 8)]  # espeak split a word: six symbols shared 3 + 3
    assert word_ranges([1, 1], ".") == [(0, 0), (0, 0)] and word_ranges([], "ab") == []


def test_korean_words_are_found_in_the_phonemes_of_the_sentence():
    """오늘의 주요 뉴스를: espeak-ng says 주요 뉴스를 as one word; each word gets its own phonemes back."""
    tokenizer = Tokenizer()
    sentence = "오늘의 주요 뉴스를 전해 드리겠습니다."
    phonemes = tokenizer.encode(sentence, "ko").phonemes
    words = tokenizer.words(sentence, "ko")
    assert [w for w, _ in words] == sentence.split()
    assert len(phonemes.split()) < len(words)  # the case this is for
    said = [phonemes[a:b] for a, b in word_ranges([n for _, n in words], phonemes)]
    assert said[1] == "tɕˈujo" and said[2] == "njˈusɯɾˌɯɫ", said


def test_the_clock_counts_the_frames_of_each_token():
    # tokens: _ a _ b _ ' ' _ c _ with 1..9 frames; "ab" is tokens 1-3 (frames 1-10), "c" token 7 (frames 28-36)
    words, phonemes = timestamps([("ab", 2), ("c", 1)], "ab c", np.arange(1, 10), True, 0.01, offset=0.5)
    assert words == [Timed("ab", 0.51, 0.6), Timed("c", 0.78, 0.86)]
    assert [p.text for p in phonemes] == ["a", "b", "c"] and phonemes[1] == Timed("b", 0.56, 0.6)
    with pytest.raises(ValueError, match="durations"):
        timestamps([("ab", 2)], "ab", np.ones(4), True, 0.01)


def test_a_synthesis_times_every_spoken_word_after_the_pause_before_its_sentence(tiny_run):
    tts = TTS.from_pretrained(tiny_run)
    first, second = "오늘 기온은 3.5도입니다.", "Good evening, everyone."
    both = tts.synthesize(f"{first} {second}", steps=2, seed=0, pause=0.4)
    alone = tts.synthesize(second, steps=2, seed=1)
    seconds = len(both.audio) / both.sample_rate
    assert [w.text for w in both.words] == "오늘 기온은 삼 점 오 도입니다. Good evening, everyone.".split()
    starts = [w.start for w in both.words]
    assert starts == sorted(starts) and all(w.start < w.end <= seconds for w in both.words)
    assert all(a.end <= b.start for a, b in zip(both.words, both.words[1:]))
    # the second sentence's words are its words alone, moved by the first sentence's audio and the pause
    shift = both.sentences[1].start
    assert abs(shift - both.sentences[0].end - 0.4) < 1e-3
    assert [round(w.start - shift, 6) for w in both.words[6:]] == [round(w.start, 6) for w in alone.words]
    assert both.words[-1].end <= seconds and both.phonemes[0].start >= 0


def test_ssml_breaks_move_the_words_with_the_audio(tiny_run):
    tts = TTS.from_pretrained(tiny_run)
    plain = tts.synthesize("안녕하세요.", steps=2, seed=0)
    chunks = list(tts.stream_ssml('<speak><break time="700ms"/>안녕하세요.</speak>', steps=2, seed=0))
    assert abs(chunks[0].words[0].start - plain.words[0].start - 0.7) < 1e-3


def test_tts_say_writes_timestamps_as_json(tiny_run, tmp_path):
    out, stamps = tmp_path / "out.wav", tmp_path / "out.json"
    result = subprocess.run([sys.executable, "-m", "tts_diffusion.cli", "--model", str(tiny_run), "-q", "--steps", "2",
                             "오늘 기온은 3.5도입니다. 내일은 맑겠습니다.", "-o", str(out), "--timestamps", str(stamps)],
                            capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    audio, rate = sf.read(out)
    timeline = json.loads(stamps.read_text(encoding="utf-8"))
    assert abs(timeline["duration"] - len(audio) / rate) < 1e-3
    assert [[w["text"] for w in s["words"]] for s in timeline["sentences"]] == [
        ["오늘", "기온은", "삼", "점", "오", "도입니다."], ["내일은", "맑겠습니다."]]
    assert all(p["end"] <= timeline["duration"] for s in timeline["sentences"] for p in s["phonemes"])
    bad = subprocess.run([sys.executable, "-m", "tts_diffusion.cli", "--model", str(tiny_run), "hi", "-o",
                          str(tmp_path / "b.wav"), "--timestamps", str(tmp_path / "b.srt")], capture_output=True,
                         text=True, cwd=ROOT)
    assert bad.returncode == 2 and "name a .json file" in bad.stderr
