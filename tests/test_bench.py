"""The measures the benchmarks report."""

import numpy as np
import pytest

from conftest import load_script


def test_mcd_dtw_is_zero_for_a_copy_and_blind_to_time_stretching():
    evaluate = load_script("bench/evaluate.py")
    rng = np.random.default_rng(0)
    mel = np.cumsum(rng.standard_normal((80, 60)), axis=1) * 0.3 - 5
    assert evaluate.mcd_dtw(mel, mel) == 0.0
    stretched = np.repeat(mel, 2, axis=1)  # every frame twice: DTW aligns it back
    assert evaluate.mcd_dtw(stretched, mel) < 1e-9
    other = np.cumsum(rng.standard_normal((80, 60)), axis=1) * 0.3 - 5
    assert evaluate.mcd_dtw(other, mel) > 1.0


def test_cepstrum_of_a_flat_spectrum_has_only_c0():
    evaluate = load_script("bench/evaluate.py")
    flat = np.full((80, 5), -3.0)
    assert np.allclose(evaluate.cepstra(flat), 0.0)
    tilt = np.linspace(-1, 1, 80)[:, None] * np.ones((1, 5))
    c = evaluate.cepstra(tilt)
    assert abs(c[0, 0]) > 0.1 and np.all(np.abs(c[:, 1]) < 1e-9)  # an odd tilt has no c2


def test_contrast_steps_across_bands_and_along_time():
    postfilter = load_script("bench/postfilter.py")
    ramp = np.linspace(0, 39.5, 80)[:, None] + np.zeros((1, 10))  # 0.5 a band, the same in every frame
    across, along = postfilter.steps(ramp)
    assert np.allclose(across, 0.5) and np.allclose(along, 0.0)
    rising = ramp + np.arange(10)[None, :] * np.array([1.0] * 20 + [2.0] * 30 + [3.0] * 30)[:, None]
    across, along = postfilter.steps(rising)
    assert np.allclose(along, [1.0, 2.0, 3.0])  # the regions are 20, 30 and 30 bands


def test_vocoder_verdicts_follow_the_default_rule():
    vocoders = load_script("bench/vocoders.py")
    n = 100
    groups = [vocoders.Group("ko-kumo", "ko", ["가"] * n, []), vocoders.Group("en-joe", "en", ["a"] * n, [])]

    def judged(mos_ko, mos_en, wrong_ko=0, wrong_en=0, first=0):  # sentences first.. each lose one of 10 words
        errors_ko = [(0.1 if first <= k < first + wrong_ko else 0.0, 1.0) for k in range(n)]
        errors_en = [(1 if first <= k < first + wrong_en else 0, 10) for k in range(n)]
        return {("ko-kumo", None): {"mos": mos_ko, "errors": errors_ko, "error": wrong_ko * 0.1 / n},
                ("en-joe", None): {"mos": mos_en, "errors": errors_en, "error": wrong_en / (10 * n)}}

    systems = {"base": judged(2.8, 3.5, 10, 10), "a": judged(3.2, 3.8, 12, 9, first=5),  # +0.3 or more, errors level
               "b": judged(3.6, 4.2, 40, 10),  # far more natural, but Korean heard worse beyond chance
               "c": judged(3.6, 3.7, 0, 0)}  # better heard, English only +0.2
    results = {(g, spec): r for spec, rs in systems.items() for (g, _), r in rs.items()}
    text = vocoders.verdicts(results, groups, "base", ["base", "a", "b", "c"], end_to_end=True)
    assert "- a against base: ko-kumo DistillMOS +0.40, CER +0.2% (95% interval" in text
    lines = {line.split(" ")[1]: line for line in text.strip().splitlines()}
    assert lines["a"].endswith(": meets the default rule.")
    assert lines["b"].endswith(": does not meet the default rule.") and "CER +3.0%" in lines["b"]
    assert lines["c"].endswith(": does not meet the default rule.") and "en-joe DistillMOS +0.20" in lines["c"]
    assert "base against" not in text
    few = [vocoders.Group(g.name, g.lang, g.texts[:50], []) for g in groups]  # under 100 sentences: never enough
    cut = {k: {**r, "errors": r["errors"][:50]} for k, r in results.items()}
    assert "does not meet" in vocoders.verdicts(cut, few, "base", ["a"], end_to_end=True)
    assert "rule" not in vocoders.verdicts(results, groups, "base", ["a"], end_to_end=False)


def test_paired_bootstrap_interval_of_an_error_difference():
    judges = load_script("bench/judges.py")
    same = [(k % 3, 10) for k in range(60)]
    assert judges.paired_bootstrap(same, same) == (0.0, 0.0)
    shifted = [(e + 1, n) for e, n in same]  # one more error in every 10-word sentence: exactly +10 points
    low, high = judges.paired_bootstrap(same, shifted)
    assert abs(low - 0.1) < 1e-12 and abs(high - 0.1) < 1e-12
    noisy = [(e + (k % 2) * 2 - 1, n) for k, (e, n) in enumerate(shifted)]  # +0 or +2: +1 on average
    low, high = judges.paired_bootstrap(same, noisy)
    assert low < 0.1 < high and low > 0.05
    with pytest.raises(ValueError, match="same sentences"):
        judges.paired_bootstrap(same, same[:-1])


def test_word_error_rate_compares_spoken_forms():
    judges = load_script("bench/judges.py")
    assert judges.words("Four-thirty, A.M.!  It's  15 cm.") == "four thirty am it's 15 cm"
    truth = ["The bus leaves at 9:30 pm from platform 4."]
    assert judges.word_error_rate(truth, ["the bus leaves at nine thirty PM from platform four"]) == 0.0
    assert judges.word_error_rate(truth, ["the bus leaves at 9:30 from platform 4"]) == 1 / 10  # "pm" deleted
    assert judges.word_error_rate(truth, [""]) == 1.0
    # per sentence, as the paired bootstrap takes them: English (word errors, words), Korean (capped CER, 1)
    assert judges.sentence_errors("en", truth * 2, ["the bus leaves at 9:30 from platform 4", ""]) == [(1, 10), (10, 10)]
    assert judges.sentence_errors("ko", ["오늘 4도"], ["오늘 사 도"]) == [(0.0, 1.0)]
    assert judges.error_rate([(1, 10), (10, 10)]) == 11 / 20 and judges.error_rate([(0.5, 1.0), (0.0, 1.0)]) == 0.25


def test_korean_character_error_rate_compares_spoken_forms_and_caps_each_sentence():
    judges = load_script("bench/judges.py")
    truth = ["오늘 서울의 기온은 영하 4도입니다."]
    assert judges.korean_characters(truth[0]) == "오늘서울의기온은영하사도입니다"
    assert judges.character_error_rates(truth, ["오늘 서울의 기온은 영하 사 도 입니다!"]) == [0.0]  # digits and spaces agree
    assert judges.character_error_rates(truth, ["오늘 서울의 기온은 영하 사 도입니까"]) == [1 / 15]  # one substitution
    looping = "사오" * 40  # a recognizer looping on speech it cannot follow counts once, not 5 times over
    assert judges.character_error_rates(truth + ["네."], [looping, ""]) == [1.0, 1.0]
    assert judges.character_error_rate(truth * 2, ["오늘 서울의 기온은 영하 사 도입니다", looping]) == 0.5


def test_vocoder_curve_judges_checkpoints_at_multiples_and_the_newest(tmp_path):
    curve = load_script("bench/vocoder_curve.py")
    for step in (500, 1000, 1500, 2000, 2500):
        (tmp_path / "checkpoints" / f"step_{step:07d}").mkdir(parents=True)
    assert [s for s, _ in curve.checkpoints(tmp_path, 1000)] == [1000, 2000, 2500]
    assert [s for s, _ in curve.checkpoints(tmp_path, 500)] == [500, 1000, 1500, 2000, 2500]
    assert curve.checkpoints(tmp_path / "nothing", 1000) == []


def test_copy_synthesis_groups_clips_by_speaker_and_language(tmp_path):
    from conftest import make_wav
    from tts_diffusion.audio import MelConfig
    from tts_diffusion.data import Utterance, write_filelist

    vocoders = load_script("bench/vocoders.py")
    items = []
    for k, (speaker, lang) in enumerate([("joe", "en"), ("tebukuro", "ko"), ("joe", "en"), ("tebukuro", "en"),
                                         ("tebukuro", "ko")]):
        make_wav(tmp_path / f"{k}.wav", 0.3, seed=k)
        items.append(Utterance(str(k), tmp_path / f"{k}.wav", f"text {k}", lang, speaker))
    write_filelist(tmp_path / "a.txt", items[:3])
    write_filelist(tmp_path / "b.txt", items[3:])
    groups = vocoders.clip_groups([str(tmp_path / "a.txt"), str(tmp_path / "b.txt")], 1, MelConfig())
    assert [(g.name, g.lang, g.texts) for g in groups] == [
        ("joe (en)", "en", ["text 0"]), ("tebukuro (ko)", "ko", ["text 1"]), ("tebukuro (en)", "en", ["text 3"])]
    clip, mel = groups[0].clips[0], groups[0].mels[0]
    assert mel.shape[0] == 80 and abs(mel.shape[-1] - len(clip) / 256) <= 1  # each clip's own mel
