"""Monotonic alignment search (Glow-TTS / Grad-TTS): the most likely monotonic, surjective
path of mel frames through text tokens, by dynamic programming in numba."""

from __future__ import annotations

import numba
import numpy as np
import torch


@numba.njit(cache=True, nogil=True)
def _search(log_p: np.ndarray, n_tokens: int, n_frames: int) -> np.ndarray:
    """Q[i, j] = log_p[i, j] + max(Q[i, j-1], Q[i-1, j-1]): token i at frame j, staying on i
    or moving on from i-1. Returns the 0/1 path (tokens, frames) by backtracking from the end."""
    neg_inf = -1e9
    q = np.full((n_tokens, n_frames), neg_inf, dtype=np.float64)
    q[0, 0] = log_p[0, 0]
    for j in range(1, n_frames):
        for i in range(max(0, n_tokens - n_frames + j), min(n_tokens, j + 1)):
            stay = q[i, j - 1]
            move = q[i - 1, j - 1] if i > 0 else neg_inf
            q[i, j] = log_p[i, j] + max(stay, move)
    path = np.zeros((n_tokens, n_frames), dtype=np.float32)
    i = n_tokens - 1
    for j in range(n_frames - 1, -1, -1):
        path[i, j] = 1.0
        if i > 0 and (i == j or q[i - 1, j - 1] > q[i, j - 1]):
            i -= 1
    return path


def monotonic_alignment_search(log_p: torch.Tensor, token_lengths: torch.Tensor,
                               frame_lengths: torch.Tensor) -> torch.Tensor:
    """Batched MAS. log_p: (batch, tokens, frames) log-likelihood of frame j under token i.
    Returns a 0/1 path of the same shape; each valid frame belongs to exactly one token, tokens
    are visited in order, each at least once. Requires frames >= tokens for every item."""
    values = log_p.detach().float().cpu().numpy()
    out = np.zeros(values.shape, dtype=np.float32)
    for b, (nt, nf) in enumerate(zip(token_lengths.tolist(), frame_lengths.tolist())):
        if nf < nt:
            raise ValueError(f"cannot align {nt} tokens to {nf} frames (need at least one frame per token)")
        out[b, :nt, :nf] = _search(np.ascontiguousarray(values[b, :nt, :nf], dtype=np.float64), nt, nf)
    return torch.from_numpy(out).to(log_p.device)
