"""Named voices in one model: the speaker column of filelists, voice selection, fine-tuning a
single-speaker model into several voices, and the CLI's --voice / --list-voices."""

import dataclasses
import subprocess
import sys

import pytest
import torch

from tts_diffusion.data import Utterance, read_filelist, write_filelist
from tts_diffusion.speakers import Voice, speaker_id

from conftest import ROOT

VOICES = [Voice("ko-a", "ko", "teacher A", "CC0"), Voice("en-b", "en", "teacher B", "CC0")]


def test_default_voice_is_the_one_of_the_texts_language():
    assert speaker_id(VOICES, None, "오늘의 뉴스입니다.") == 0
    assert speaker_id(VOICES, None, "Good evening.") == 1
    # one rule with normalization: text with Hangul is Korean ("Seoul 뉴스" is read 서울 뉴스, by the Korean voice)
    assert speaker_id(VOICES, None, "Seoul 뉴스") == speaker_id(VOICES, None, "KBS 뉴스입니다") == 0
    assert speaker_id(VOICES, None, "Seoul 뉴스", lang="en") == 1 and speaker_id(VOICES, None, "뉴스", "ko") == 0
    assert speaker_id(VOICES, "ko-a", "Good evening.") == 0
    assert speaker_id([], None, "hello") is None
    with pytest.raises(ValueError, match="unknown voice 'x': choose ko-a, en-b"):
        speaker_id(VOICES, "x", "hello")
    with pytest.raises(ValueError, match="single voice"):
        speaker_id([], "x", "hello")


def test_filelists_carry_an_optional_speaker_column(tmp_path):
    items = [Utterance("a", tmp_path / "a.wav", "안녕", "ko", "ko-a"), Utterance("b", tmp_path / "b.wav", "hi", "en")]
    write_filelist(tmp_path / "list.txt", items)
    assert (tmp_path / "list.txt").read_text(encoding="utf-8").splitlines() == ["a.wav|ko-a|ko|안녕", "b.wav|en|hi"]
    back = read_filelist(tmp_path / "list.txt")
    assert [(u.speaker, u.lang, u.text) for u in back] == [("ko-a", "ko", "안녕"), ("", "en", "hi")]


def test_a_single_speaker_model_grows_into_several_voices_unchanged(tiny_run):
    from tts_diffusion.pretrained import load_acoustic
    from tts_diffusion.training.acoustic import TrainConfig, build_model, initialize_from

    source, tokenizer, mel = load_acoustic(tiny_run)
    config = TrainConfig(mel=mel, model=dataclasses.replace(source.config, voices=VOICES))
    model = build_model(config, tokenizer).eval()
    initialize_from(model, str(tiny_run), config, tokenizer)
    ids = torch.tensor([tokenizer.encode("안녕하세요").ids])
    langs, lengths = torch.zeros_like(ids), torch.tensor([ids.shape[1]])
    expected = source.encode(ids, langs, lengths)[0]
    for speaker in (0, 1):  # the new speaker rows start at zero: both voices are the old model
        assert torch.allclose(model.encode(ids, langs, lengths, torch.tensor([speaker]))[0], expected, atol=1e-6)


def test_the_voices_trained_together_are_named_and_different(two_voice_run):
    from tts_diffusion.api import TTS

    tts = TTS.from_pretrained(two_voice_run)
    assert [(v.name, v.language, v.teacher) for v in tts.voices] == [("ko-a", "ko", "A"), ("en-b", "en", "B")]
    a = tts.synthesize("안녕하세요.", method="ode", steps=2, seed=0, voice="ko-a")
    b = tts.synthesize("안녕하세요.", method="ode", steps=2, seed=0, voice="en-b")
    default = tts.synthesize("안녕하세요.", method="ode", steps=2, seed=0)
    assert (default.audio == a.audio).all()  # Korean text speaks with the Korean voice
    assert a.mel.shape != b.mel.shape or not (a.mel == b.mel).all()


def test_a_paragraph_of_both_languages_speaks_each_sentence_in_its_language(two_voice_run):
    """With no voice named, a Korean paragraph's English sentence speaks with the English voice and
    English G2P (the same mel as that sentence alone); a named voice speaks them all; an English
    sentence with a number in Korean text is normalized as English ("9:30" -> nine thirty)."""
    from tts_diffusion.api import TTS, language_runs

    assert language_runs("안녕하세요. Good evening, Dr. Kim. 2024. 감사합니다.") == [
        ("안녕하세요.", "ko"), ("Good evening, Dr. Kim. 2024.", "en"), ("감사합니다.", "ko")]
    assert language_runs("KBS 뉴스입니다. Seoul 날씨.") == [("KBS 뉴스입니다. Seoul 날씨.", "ko")]  # words, not sentences
    tts = TTS.from_pretrained(two_voice_run)
    plan = tts.prepare("안녕하세요. We start at 9:30 pm. 감사합니다.")
    assert plan.langs == ["ko", "en", "ko"] and plan.speakers == [0, 1, 0]
    assert plan.sentences[1] == "We start at nine thirty p m."
    chunks = list(tts.stream("안녕하세요. We start at 9:30 pm. 감사합니다.", steps=2, seed=0))
    alone = tts.synthesize("We start at 9:30 pm.", steps=2, seed=0)
    assert chunks[1].mel.shape == alone.mel.shape  # English voice and G2P: the same durations
    assert [c.words[0].text for c in chunks] == ["안녕하세요.", "We", "감사합니다."]  # each in its language
    named = tts.prepare("안녕하세요. We start at 9:30 pm.", voice="ko-a")
    assert named.speakers == [0, 0] and named.langs == ["ko", "en"]
    assert tts.prepare("안녕하세요. Good evening.", lang="ko").langs == ["ko", "ko"]  # a language named: all of it


def test_each_voice_speaks_with_its_own_postfilter_unless_told(two_voice_run):
    from tts_diffusion.api import TTS

    tts = TTS.from_pretrained(two_voice_run)
    tts.engine.model.config.voices[1].postfilter = 0.8  # as a voice card would say
    say = lambda text, **k: tts.synthesize(text, steps=2, seed=0, **k).mel  # noqa: E731
    assert (say("Good evening.") == say("Good evening.", postfilter=0.8)).all()  # en-b's own
    assert not (say("Good evening.") == say("Good evening.", postfilter=0.0)).all()
    assert (say("안녕하세요.") == say("안녕하세요.", postfilter=0.0)).all()  # ko-a has none


def test_export_writes_a_voices_postfilter_into_its_card(two_voice_run, tmp_path):
    from tts_diffusion.api import TTS
    from tts_diffusion.export.command import export

    voice = export(str(two_voice_run), tmp_path / "v" / "voice.safetensors", postfilters={"en-b": 0.7})
    assert [v.postfilter for v in TTS.from_pretrained(voice.parent).voices] == [0.0, 0.7]
    with pytest.raises(ValueError, match="unknown voice 'nobody': choose ko-a, en-b"):
        export(str(two_voice_run), tmp_path / "w.safetensors", postfilters={"nobody": 0.5})
    bad = subprocess.run([sys.executable, "-m", "tts_diffusion.export", str(two_voice_run),
                          str(tmp_path / "x.safetensors"), "--postfilter", "en-b=5"], capture_output=True, text=True,
                         cwd=ROOT)
    assert bad.returncode == 2 and bad.stderr == "error: postfilter must be a number from 0 to 2, not 5.0\n"
    assert not (tmp_path / "w.safetensors").exists() and not (tmp_path / "x.safetensors").exists()


def test_export_keeps_the_chosen_voices_in_the_chosen_order(two_voice_run, tmp_path):
    """--voices reorders the speaker tables' rows with the names: each voice still speaks exactly as
    before, and the first voice of a language becomes its default."""
    from tts_diffusion.api import TTS
    from tts_diffusion.export.command import export

    reordered = export(str(two_voice_run), tmp_path / "r" / "voice.safetensors", voice_names=["en-b", "ko-a"])
    before, after = TTS.from_pretrained(two_voice_run), TTS.from_pretrained(reordered.parent)
    assert [v.name for v in after.voices] == ["en-b", "ko-a"]
    for name in ("ko-a", "en-b"):
        old = before.synthesize("안녕하세요.", steps=2, seed=3, voice=name).mel
        assert (after.synthesize("안녕하세요.", steps=2, seed=3, voice=name).mel == old).all()
    assert (after.synthesize("Good evening.", steps=2, seed=3).mel
            == before.synthesize("Good evening.", steps=2, seed=3, voice="en-b").mel).all()
    for bad in (["ko-a"], ["ko-a", "ko-a"], ["ko-a", "nobody"]):
        with pytest.raises(ValueError, match="two or more distinct names of ko-a, en-b"):
            export(str(two_voice_run), tmp_path / "bad.safetensors", voice_names=bad)


def test_cli_lists_voices_and_refuses_an_unknown_one(two_voice_run, tmp_path):
    run = lambda *a: subprocess.run([sys.executable, "-m", "tts_diffusion.cli", "--model", str(two_voice_run), *a],  # noqa: E731
                                    capture_output=True, text=True, cwd=ROOT)
    listed = run("--list-voices")
    assert listed.returncode == 0 and [l.split("\t")[0] for l in listed.stdout.splitlines()] == ["ko-a", "en-b"]
    out = tmp_path / "out.wav"
    bad = run("--voice", "nobody", "안녕", "-o", str(out))
    assert bad.returncode == 2 and bad.stderr.strip() == "tts-say: error: unknown voice 'nobody': choose ko-a, en-b"
    assert not out.exists()
    good = run("--voice", "en-b", "--steps", "2", "--seed", "0", "-q", "Hello there.", "-o", str(out))
    assert good.returncode == 0, good.stderr
    import numpy as np
    import soundfile as sf

    from tts_diffusion.api import TTS

    audio, _ = sf.read(out, dtype="float32")  # en-b spoke, not the default voice of the text
    tts = TTS.from_pretrained(two_voice_run)
    assert np.abs(audio - tts.synthesize("Hello there.", steps=2, seed=0, voice="en-b").audio).max() < 2 / 32767
    other = tts.synthesize("Hello there.", steps=2, seed=0, voice="ko-a").audio
    assert len(other) != len(audio) or np.abs(other - audio).max() > 1e-3


def test_a_filelist_speaker_that_is_not_a_voice_is_an_error(tmp_path):
    from tts_diffusion.data import TextMelDataset
    from tts_diffusion.data.corpus import CorpusError
    from tts_diffusion.audio import MelConfig
    from tts_diffusion.text import Tokenizer

    items = [Utterance("a", tmp_path / "a.wav", "안녕", "ko", "stranger")]
    with pytest.raises(CorpusError, match="stranger"):
        TextMelDataset(items, Tokenizer(), MelConfig(), speakers=["ko-a", "en-b"])
