"""The spectral-contrast postfilter: the decoder's log-mel, sharpened across frequency before vocoding.

The acoustic model's English mel is flatter across the mel bands than its teacher's recordings: the
RMS step between neighbouring bands 20-79 is 0.27-0.35 in our voice against 0.45-0.46 in the
teacher's audio, on 15 validation clips, teacher-forced (along time 0.53-0.59 against 0.59-0.65;
``bench/postfilter.py``, docs/postfilter.md). A regression to the mean, as statistical parametric
synthesis knew it; its postfilter emphasizes the spectral detail again (HTS scales the mel-cepstrum
above c_1 by 1 + beta). Here, on the log-mel,

    log S' = log S + beta (log S - A_w log S),

where A_w averages the ``width`` nearest bands (the edge band repeated past either end, as
``scipy.ndimage.uniform_filter1d(mode="nearest")``): what varies faster across the bands than about
``width`` of them (formant peaks against the valleys between them, harmonics) is scaled by 1 + beta,
the spectral tilt is left as it is. Linear in log S, so it is one (n_mels, n_mels) matrix, the same
in numpy for both engines.

Chosen on held-out clips of the corpora's validation sets, not the benchmark's sentences
(docs/evaluation.md, docs/postfilter.md): each voice's beta is stored in its card; a voice whose
mel already has its teacher's contrast (sharpening moves it away from the teacher) speaks without.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from .blas import one_thread

WIDTH = 15  # bands of the 80-band Slaney mel to 8 kHz: 560 Hz below 1 kHz, 0.8 octave above (formant-sized)


@lru_cache(maxsize=8)
def contrast_matrix(n_mels: int, beta: float, width: int = WIDTH) -> np.ndarray:
    """P = (1 + beta) I - beta A_w, float32 (n_mels, n_mels): apply as P @ log_mel."""
    if width < 1 or width % 2 == 0:
        raise ValueError(f"the postfilter's width must be an odd number of bands, not {width}")
    average = np.zeros((n_mels, n_mels))
    bands = np.arange(n_mels)
    for offset in range(-(width // 2), width // 2 + 1):
        np.add.at(average, (bands, np.clip(bands + offset, 0, n_mels - 1)), 1.0 / width)
    matrix = ((1 + beta) * np.eye(n_mels) - beta * average).astype(np.float32)
    matrix.setflags(write=False)  # cached: shared by every call
    return matrix


def sharpen(log_mel: np.ndarray, beta: float, width: int = WIDTH) -> np.ndarray:
    """(n_mels, frames) -> the same, with the detail across bands scaled by 1 + beta (beta 0: as it is)."""
    if beta == 0:
        return log_mel
    with one_thread():
        return contrast_matrix(log_mel.shape[0], float(beta), width) @ log_mel.astype(np.float32, copy=False)


def voice_beta(beta: float | None, voices: list, speaker: int | None) -> float:
    """``beta`` when given, else the speaking voice's own (its card's ``postfilter``; none for a model
    without voices)."""
    if beta is not None:
        return beta
    return voices[speaker].postfilter if speaker is not None else 0.0
