"""The bootstrap's two ways of counting resampled rows (numpy's bincount, the compiled loop of the ``fast``
extra) give identical counts, so which one counted a block never changes a result."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from toolkit import _compiled
from toolkit.reliability_stats._boot import BLOCK, COMPILED_MIN_ROWS, Resamples, bootstrap_alpha

N = COMPILED_MIN_ROWS + 5_000  # 16 full blocks and a small one: the smallest bootstrap that uses the loop


@pytest.fixture(scope="module")
def kernel():
    count = _compiled.COUNT.wait(timeout=300)
    assert count is not None, "numba (the 'fast' extra, part of the 'test' extra) should be installed"
    return count


def test_compiled_counts_equal_numpy_counts(kernel):
    fast, plain = Resamples(N, 7, seed=3), Resamples(N, 7, seed=3)
    plain._fast = False
    assert fast.n_blocks == 17 and fast.sizes[-1] == 5_000
    for j in range(fast.n_blocks):
        size = int(fast.sizes[j])
        for start, stop in ((0, 3), (3, 7)):  # a block's resamples come pass by pass
            a = fast.fill(j, start, np.full((stop - start, size), np.nan))
            b = plain.fill(j, start, np.full((stop - start, size), np.nan))
            np.testing.assert_array_equal(a, b)
            assert (a.sum(axis=1) == fast.totals[start:stop, j]).all()
    # every resample draws N rows in all
    assert (fast.totals.sum(axis=1) == N).all()


def test_bootstrap_is_the_same_with_either_count(kernel, monkeypatch):
    rng = np.random.default_rng(4)
    X = np.clip(np.round(3 + rng.normal(size=(N, 1)) + rng.normal(size=(N, 3))), 1, 5)
    boot_fast, jack_fast = bootstrap_alpha(X, 12, seed=9)
    monkeypatch.setattr(_compiled.COUNT, "ready", lambda: None)
    boot_plain, jack_plain = bootstrap_alpha(X, 12, seed=9)
    np.testing.assert_array_equal(boot_fast, boot_plain)
    np.testing.assert_array_equal(jack_fast, jack_plain)
    assert BLOCK == 1 << 14  # the loop reads 16-bit draws: blocks of 2**14 rows take their top 14 bits


def test_without_numba_numpy_counts(monkeypatch):
    """When numba cannot be imported, loading gives no loop (and no error): numpy counts everything."""
    monkeypatch.setitem(sys.modules, "numba", None)  # import numba raises ImportError
    loop = _compiled.Loop("test-count", _compiled._build_count)
    loop._load()
    assert loop._kernel is False and loop.ready() is None
