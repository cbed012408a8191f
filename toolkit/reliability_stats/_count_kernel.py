"""Bootstrap resampling counts by a compiled loop (numba, the optional ``fast`` extra).

Counting a resample's draws is the bootstrap's inner loop: n draws per resample, 10**9 of them for 1,000
resamples of a million rows. ``numpy.bincount`` returns int64 counts (converted to float for the BLAS product
that follows) and holds the GIL, so the two threads of the bootstrap barely gain from each other. The loop
below counts straight into the float rows and releases the GIL: the 1M x 12 bootstrap takes about half the
time. It counts exactly the draws the numpy route counts, so the two give identical resamples
(``tests/reliability/test_boot_counts.py``): which route counted a block never changes a result.

Loading numba and its compiled loop costs over a second in a fresh process (the import, then the compiled
code from numba's disk cache, or a compilation the first time). :func:`start` does that on a background
thread, only for bootstraps large enough to gain (:data:`MIN_ROWS`); until :func:`ready` returns the loop,
the blocks are counted with numpy. Without numba the numpy route is used throughout.
"""

from __future__ import annotations

import os
import threading

import numpy as np

__all__ = ["MIN_ROWS", "start", "ready", "wait"]

MIN_ROWS = 1 << 18  # below this many rows a bootstrap takes under a second: loading numba would not pay

_lock = threading.Lock()
_loader: threading.Thread | None = None
_kernel = None  # the compiled loop once loaded; False when numba is missing or failed


def _load() -> None:
    global _kernel
    try:
        import numba

        @numba.njit(nogil=True, cache=True)
        def count(draws, first, m, shift, out):  # pragma: no cover - compiled; checked against numpy in the tests
            for i in range(out.shape[0]):
                row = out[i]
                row[:] = 0.0
                start = first[i]
                for q in range(m[i]):
                    row[draws[start + q] >> shift] += 1.0

        # compile (or load from the cache) for the types the bootstrap passes, before anyone uses it
        count(np.zeros(4, np.uint16), np.zeros(1, np.int64), np.zeros(2, np.int64)[::2], 2, np.zeros((1, 8)))
        _kernel = count
    except Exception:  # numba not installed, or unable to compile here: numpy counts instead
        _kernel = False


def _after_fork_in_child() -> None:
    """A forked child has no loader thread: let it start its own if the parent's had not finished."""
    global _lock, _loader
    _lock = threading.Lock()
    if _kernel is None:
        _loader = None


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


def start() -> None:
    """Begin loading the compiled loop on a daemon thread (once per process; returns at once)."""
    global _loader
    with _lock:
        if _loader is None:
            _loader = threading.Thread(target=_load, name="alliance-count-kernel", daemon=True)
            _loader.start()


def ready():
    """The compiled ``count(draws, first, m, shift, out)`` when loaded, else None (never waits).

    For each row i of ``out`` (float64): zero it, then add 1 at ``draws[first[i] + q] >> shift`` for
    q < ``m[i]`` (``draws`` uint16; ``first`` and ``m`` int64, ``m`` may be a strided column).
    """
    return _kernel or None


def wait(timeout: float | None = None):
    """Start loading if needed and wait for it; the compiled loop, or None without numba (for tests)."""
    start()
    _loader.join(timeout)
    return ready()
