"""The prior's noise, drawn the same way on every engine.

A sentence of ``frames`` frames starts the reverse process at x_1 = mu + (sigma_1 / T) z, with
z ~ N(0, I) of shape (n_mels, frames) from numpy's PCG64 seeded by the sentence's seed. The torch
engine, the ONNX engine and the int8 calibration all draw z here: the same text, options and seed
give the same starting point, so the deterministic samplers give the same mel on both engines.
"""

from __future__ import annotations

import numpy as np


def prior_noise(seed: int, n_mels: int, frames: int) -> np.ndarray:
    """z ~ N(0, I), (n_mels, frames) float32, for the sentence whose seed is ``seed``."""
    return np.random.default_rng(seed).standard_normal((n_mels, frames), dtype=np.float32)
