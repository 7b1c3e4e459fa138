"""The measures the benchmarks report."""

import numpy as np

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
    scores = lambda p, s: {"pesq": p, "stoi": s}  # noqa: E731
    results = {"griffinlim": scores(2.7, 0.91), "a": scores(2.9, 0.93), "b": scores(3.5, 0.90),
               "griffinlim:30": scores(2.6, 0.90)}
    text = vocoders.verdicts(results, ["griffinlim", "a", "b", "griffinlim:30"])
    assert "- a: PESQ-wb +0.20, STOI +0.020 against Griffin-Lim: beats it." in text
    assert "- b: PESQ-wb +0.80, STOI -0.010 against Griffin-Lim: does not beat it." in text
    assert "griffinlim:30" not in text
    assert vocoders.verdicts({"a": scores(3.0, 0.9)}, ["a"]) == ""
    # WER is compared sentence by sentence: no more sentences heard worse than heard better
    judged = {"griffinlim": {**scores(2.7, 0.91), "mos": {"ko": 2.0, "en": 3.3}, "wer": 0.05, "errors": [0.1, 0.0, 0.2, 0.0]},
              "a": {**scores(2.0, 0.80), "mos": {"ko": 2.1, "en": 3.9}, "wer": 0.05, "errors": [0.1, 0.0, 0.2, 0.0]},  # DistillMOS decides
              "b": {**scores(3.0, 0.95), "mos": {"ko": 2.5, "en": 3.5}, "wer": 0.08, "errors": [0.2, 0.1, 0.2, 0.0]},  # ... not with a worse WER
              "c": {**scores(3.0, 0.95), "mos": {"ko": 1.9, "en": 4.5}, "wer": 0.01, "errors": [0.0, 0.0, 0.0, 0.0]},  # ... nor a worse voice
              "d": {**scores(3.0, 0.95), "mos": {"ko": 2.2, "en": 3.4}, "wer": 0.06, "errors": [0.0, 0.1, 0.2, 0.0]}}  # a tie, sentence by sentence
    text = vocoders.verdicts(judged, ["griffinlim", "a", "b", "c", "d"])
    assert ("- a: DistillMOS (ko) +0.10, DistillMOS (en) +0.60, WER +0.0% (0 sentences heard better, 0 worse) against "
            "Griffin-Lim: beats it.") in text
    assert ("- b: DistillMOS (ko) +0.50, DistillMOS (en) +0.20, WER +3.0% (0 sentences heard better, 2 worse) against "
            "Griffin-Lim: does not beat it.") in text
    assert ("- c: DistillMOS (ko) -0.10, DistillMOS (en) +1.20, WER -4.0% (2 sentences heard better, 0 worse) against "
            "Griffin-Lim: does not beat it.") in text
    assert ("- d: DistillMOS (ko) +0.20, DistillMOS (en) +0.10, WER +1.0% (1 sentences heard better, 1 worse) against "
            "Griffin-Lim: beats it.") in text


def test_word_error_rate_compares_spoken_forms():
    judges = load_script("bench/judges.py")
    assert judges.words("Four-thirty, A.M.!  It's  15 cm.") == "four thirty am it's 15 cm"
    truth = ["The bus leaves at 9:30 pm from platform 4."]
    assert judges.word_error_rate(truth, ["the bus leaves at nine thirty PM from platform four"]) == 0.0
    assert judges.word_error_rate(truth, ["the bus leaves at 9:30 from platform 4"]) == 1 / 10  # "pm" deleted
    assert judges.word_error_rate(truth, [""]) == 1.0


def test_korean_character_error_rate_compares_spoken_forms_and_caps_each_sentence():
    judges = load_script("bench/judges.py")
    truth = ["오늘 서울의 기온은 영하 4도입니다."]
    assert judges.korean_characters(truth[0]) == "오늘서울의기온은영하사도입니다"
    assert judges.character_error_rates(truth, ["오늘 서울의 기온은 영하 사 도 입니다!"]) == [0.0]  # digits and spaces agree
    assert judges.character_error_rates(truth, ["오늘 서울의 기온은 영하 사 도입니까"]) == [1 / 15]  # one substitution
    looping = "사오" * 40  # a recognizer looping on speech it cannot follow counts once, not 5 times over
    assert judges.character_error_rates(truth + ["네."], [looping, ""]) == [1.0, 1.0]
    assert judges.character_error_rate(truth * 2, ["오늘 서울의 기온은 영하 사 도입니다", looping]) == 0.5
