"""Compiled loops (numba, the optional ``fast`` extra): the one module that imports numba.

Two inner loops gain from being compiled, and both have a numpy route that gives the same numbers bit for bit
(each has a test that compares the two routes, so which one ran never changes a result):

* :data:`COUNT` counts a bootstrap resample's draws (:mod:`toolkit.reliability_stats._boot`): n draws per
  resample, 10**9 of them for 1,000 resamples of a million rows. ``numpy.bincount`` returns int64 counts
  (converted to float for the BLAS product that follows) and holds the GIL; the loop counts straight into the
  float rows and releases it, so the bootstrap's two threads gain from each other (about half the time).
* :data:`WHOLE_SCORES` checks and scores answers in one pass (:mod:`toolkit.scoring.whole`): when every cell is
  missing or a whole number on an integer scale, the check that no cell is bad, the keyed sums, the answered
  counts and the prorated scores come from one read of each cell, where numpy needs some eight passes over the
  data (the check, a matrix product, and the rows with a missing cell again). Its sums are whole numbers, so
  the order of adding cannot change them, and it prorates with numpy's arithmetic.

Loading numba and a compiled loop costs about a second in a fresh process (the import, then the compiled code
from numba's disk cache, or a compilation the first time). A :class:`Loop` is loaded on a daemon thread by
:meth:`Loop.start`, which its user calls only for work large enough to repay that; until :meth:`Loop.ready`
returns the loop, the numpy route runs. Without numba (or where it cannot compile) the numpy route runs always.
"""

from __future__ import annotations

import os
import threading
import weakref
from collections.abc import Callable

import numpy as np

__all__ = ["Loop", "COUNT", "WHOLE_SCORES"]

_LOOPS: weakref.WeakSet = weakref.WeakSet()  # every Loop, for the reset after a fork


class Loop:
    """A compiled loop, built by ``build()`` on a daemon thread when first wanted.

    ``build`` imports numba, compiles (or loads from numba's cache) and runs the loop once on small inputs of
    the types its users pass, and returns it; any exception means "no loop here" (numba missing or unable to
    compile), and the users keep to numpy.
    """

    def __init__(self, name: str, build: Callable[[], Callable]):
        self.name = name
        self._build = build
        self._lock = threading.Lock()
        self._loader: threading.Thread | None = None
        self._kernel = None  # the loop once loaded; False when numba is missing or failed
        _LOOPS.add(self)

    def _load(self) -> None:
        try:
            self._kernel = self._build()
        except Exception:  # numba not installed, or unable to compile here: numpy instead
            self._kernel = False

    def start(self) -> None:
        """Begin loading on a daemon thread (once per process; returns at once)."""
        with self._lock:
            if self._loader is None:
                self._loader = threading.Thread(target=self._load, name=self.name, daemon=True)
                self._loader.start()

    def ready(self):
        """The compiled loop when loaded, else None (never waits)."""
        return self._kernel or None

    def wait(self, timeout: float | None = None):
        """Start loading if needed and wait for it; the loop, or None without numba (for tests and benchmarks)."""
        self.start()
        self._loader.join(timeout)
        return self.ready()

    def _after_fork_in_child(self) -> None:
        """A forked child has no loader thread: let it start its own if the parent's had not finished."""
        self._lock = threading.Lock()
        if self._kernel is None:
            self._loader = None


def _build_count():
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
    return count


#: ``count(draws, first, m, shift, out)``: for each row i of ``out`` (float64), zero it, then add 1 at
#: ``draws[first[i] + q] >> shift`` for q < ``m[i]`` (``draws`` uint16; ``first`` and ``m`` int64, ``m`` may be
#: a strided column).
COUNT = Loop("alliance-count-loop", _build_count)


def _build_whole_scores():
    import numba

    # A cell x is bad when x < lo, x > hi or x > floor(x) (a fraction); every comparison with NaN is false, so
    # a missing cell is never bad. Missing cells add nothing to a sum and 1 to its score's missing count.
    # error_model="numpy": 0 / 0 gives NaN (a score with no answer), as in numpy, instead of raising.

    @numba.njit(nogil=True, cache=True, error_model="numpy")
    def whole_scores(cells, start, stop, lo, hi, first, score, a, w, k, mean, scores, counts):  # pragma: no cover
        # slices first: loops from 0 over a slice vectorise (an index from ``start`` might be negative)
        for j in range(cells.shape[0]):  # cells: items x rows, each item's answers contiguous
            x = cells[j, start:stop]
            bad = 0
            for i in range(x.shape[0]):
                bad += (x[i] < lo) | (x[i] > hi) | (x[i] > np.floor(x[i]))
            if bad:
                return False
            for q in range(first[j], first[j + 1]):
                s = scores[score[q], start:stop]
                g = counts[score[q], start:stop]
                aq, wq = a[q], w[q]
                for i in range(x.shape[0]):
                    gone = x[i] != x[i]
                    s[i] += 0.0 if gone else aq + wq * x[i]
                    g[i] += 1.0 if gone else 0.0
        for t in range(scores.shape[0]):  # missing counts -> answered counts; sums -> prorated sums (or means)
            s = scores[t, start:stop]
            g = counts[t, start:stop]
            kt = k[t]
            for i in range(s.shape[0]):
                answered = kt - g[i]
                v = s[i] if answered == kt else s[i] / answered * kt
                s[i] = v / kt if mean else v
                g[i] = answered
        return True

    # compile (or load from the cache) for the types the engine passes, before anyone uses it
    cells = np.array([[1.0, np.nan], [2.0, 3.0]])
    index, weights = np.array([0, 1, 2], np.int64), np.array([0.0, 1.0])
    whole_scores(cells, 0, 2, 1.0, 3.0, index, index[:2], weights, weights, np.ones(2), False, np.zeros((2, 2)),
                 np.zeros((2, 2)))
    return whole_scores


#: ``whole_scores(cells, start, stop, lo, hi, first, score, a, w, k, mean, scores, counts) -> bool``: for the
#: rows ``start .. stop - 1`` of ``cells`` (float64, items x rows, C-contiguous), add ``a[q] + w[q] * x`` of
#: each answered cell of item j to ``scores[score[q]]`` and 1 for each missing cell to ``counts[score[q]]``, for
#: ``q`` in ``first[j] .. first[j + 1] - 1`` (both zero to begin with); then turn each missing count into the
#: answered count ``c`` of the score's ``k`` items and each sum into ``sum / c * k`` where ``c < k`` (then
#: ``/ k`` when ``mean``), the numpy route's arithmetic. False (stopping at that item) when a cell is neither
#: missing nor a whole number from ``lo`` to ``hi``.
WHOLE_SCORES = Loop("alliance-whole-scores", _build_whole_scores)


def _after_fork_in_child() -> None:
    for loop in list(_LOOPS):
        loop._after_fork_in_child()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)
