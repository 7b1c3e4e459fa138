"""numpy's BLAS on the calling thread during synthesis, and the caller's setting given back."""

import threading

import numpy as np
import pytest

from tts_diffusion.blas import _controller, one_thread


def blas_threads() -> list[int]:
    return [lib["num_threads"] for lib in _controller().info() if lib["user_api"] == "blas"]


def test_one_thread_inside_and_the_callers_setting_after_even_from_threads_side_by_side():
    a = np.ones((300, 300))
    with _controller().limit(limits=2, user_api="blas"):  # a caller's own setting, whatever the machine's
        before = blas_threads()
        if not before:
            pytest.skip("numpy links no BLAS that threadpoolctl can limit")
        assert all(n == 2 for n in before)
        with one_thread():
            assert all(n == 1 for n in blas_threads())
            assert (a @ a)[0, 0] == 300
        assert blas_threads() == before

        def speak():  # two sentences side by side, each limiting around its own products
            for _ in range(50):
                with one_thread():
                    a @ a

        workers = [threading.Thread(target=speak) for _ in range(2)]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        assert blas_threads() == before
