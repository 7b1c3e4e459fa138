"""Monotonic alignment search against a brute-force enumeration of every monotonic path."""

import itertools

import numpy as np
import pytest
import torch

from tts_diffusion.models.alignment import monotonic_alignment_search


def brute_force_best(log_p: np.ndarray) -> float:
    """Best score over all monotonic surjective paths: choose where each token after the first starts."""
    n_tokens, n_frames = log_p.shape
    best = -np.inf
    for starts in itertools.combinations(range(1, n_frames), n_tokens - 1):
        bounds = (0, *starts, n_frames)
        score = sum(log_p[i, bounds[i]:bounds[i + 1]].sum() for i in range(n_tokens))
        best = max(best, score)
    return best


def is_monotonic_path(path: np.ndarray) -> bool:
    tokens = path.argmax(0)
    return (path.sum(0) == 1).all() and tokens[0] == 0 and tokens[-1] == path.shape[0] - 1 and \
        set(np.diff(tokens)) <= {0, 1}


@pytest.mark.parametrize("seed", range(20))
def test_mas_finds_the_best_monotonic_path(seed):
    rng = np.random.default_rng(seed)
    n_tokens = int(rng.integers(1, 6))
    n_frames = int(rng.integers(n_tokens, 11))
    log_p = rng.standard_normal((n_tokens, n_frames))
    path = monotonic_alignment_search(torch.from_numpy(log_p)[None], torch.tensor([n_tokens]),
                                      torch.tensor([n_frames]))[0].numpy()
    assert is_monotonic_path(path)
    assert np.isclose((path * log_p).sum(), brute_force_best(log_p))


def test_mas_batches_with_padding():
    rng = np.random.default_rng(0)
    log_p = torch.from_numpy(rng.standard_normal((2, 4, 9)))
    paths = monotonic_alignment_search(log_p, torch.tensor([4, 2]), torch.tensor([9, 5]))
    assert paths[1, 2:].sum() == 0 and paths[1, :, 5:].sum() == 0
    assert is_monotonic_path(paths[1, :2, :5].numpy()) and is_monotonic_path(paths[0].numpy())


def test_too_few_frames_is_a_clear_error():
    with pytest.raises(ValueError, match="cannot align 5 tokens to 3 frames"):
        monotonic_alignment_search(torch.zeros(1, 5, 3), torch.tensor([5]), torch.tensor([3]))
