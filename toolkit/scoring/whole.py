"""Check and score whole-number answers in one pass, by the compiled loop when it is loaded.

Most exports hold whole numbers on an integer scale (1..7, 0..4) with a few missing cells. For them the engine's
numpy route reads the data some eight times: a check that every cell is missing or a whole number on the scale
(four passes), one matrix product over all rows, and the rows with a missing cell again. The compiled loop
(:data:`toolkit._compiled.WHOLE_SCORES`, numba, the ``fast`` extra) reads each cell once for the check and once
from cache for its sums, prorates them as numpy does, and stops at the first cell that is not whole or not on the
scale; those data then take the numpy route, which names every bad cell.

The loop's sums are whole numbers (answers, and the reversal constant ``min + max``), which floats hold exactly
in any order of adding, and its prorating is the numpy route's arithmetic (``sum / c * k``, then ``/ k`` for
means), so the scores are the numpy route's bit for bit (``tests/scoring/test_whole_scores.py``).

Loading numba costs about a second in a fresh process and some 130 MB of memory, so the loop is loaded (on a
background thread) only by a call after this process has scored :data:`COMPILED_MIN_ROWS` rows in memory:
repeated scoring (a dashboard, a simulation) gains, a single export, however large, scores with numpy and loads
nothing. Rows scored in parts (a Dask DataFrame's partitions, a streamed file's chunks,
:mod:`toolkit.scoring.partitioned`) do not count (:func:`without_loading`): their time goes to reading and
writing files (20M rows: the same wall time either way) and numba's memory would count against the budget of
data larger than memory. They use the loop when it is already loaded.
"""

from __future__ import annotations

import contextlib
import contextvars

import numpy as np

from .. import _compiled
from ._blocks import block_rows, for_blocks

__all__ = ["Plan", "whole_scores", "without_loading", "COMPILED_MIN_ROWS"]

COMPILED_MIN_ROWS = 100_000  # rows scored in this process before the compiled loop is loaded

_scored = 0  # rows scored so far in this process (approximate under threads: it only decides when to load)
_counting = contextvars.ContextVar("alliance_whole_scores_counting", default=True)


@contextlib.contextmanager
def without_loading():
    """Rows scored inside do not count towards loading the compiled loop (it is used if already loaded)."""
    token = _counting.set(False)
    try:
        yield
    finally:
        _counting.reset(token)


class Plan:
    """What the loop needs of a definition's weights (item-major lists of each item's scores), built once."""

    def __init__(self, member: np.ndarray, a: np.ndarray, b: np.ndarray):
        item, score = np.nonzero(member)  # item-major: each item's scores together
        self.n_items, self.n_scores = member.shape
        self.first = np.searchsorted(item, np.arange(self.n_items + 1)).astype(np.int64)
        self.score = score.astype(np.int64)
        self.a = np.ascontiguousarray(a[item], dtype=np.float64)
        self.w = np.ascontiguousarray(b[item], dtype=np.float64)
        self.k = np.ascontiguousarray(member.sum(axis=0), dtype=np.float64)


def whole_scores(values: np.ndarray, lo: float, hi: float, plan: Plan, mean: bool):
    """Scores and answered counts of every score, or None.

    Parameters
    ----------
    values : ndarray, shape (n, items)
        The answers (NaN where missing), only read.
    lo, hi : float
        The scale's ends (whole numbers).
    plan : Plan
        The keying ``a + b * x`` of each item and its scores (from ``engine._weights``).
    mean : bool
        Means of the k items instead of (prorated) sums.

    Returns
    -------
    (scores, counts) : ndarray, shape (n_scores, n)
        What ``engine._score_rows`` computes (keyed sums over the answered items, prorated to the k items where
        some are missing; NaN where none is answered), bit for bit; or None when the compiled loop is not
        loaded, or some cell is neither missing nor a whole number from ``lo`` to ``hi`` (then the caller checks
        and scores with numpy).
    """
    global _scored
    n = values.shape[0]
    if _counting.get():
        if _scored >= COMPILED_MIN_ROWS:  # rows of earlier calls: one call, however large, loads nothing
            _compiled.WHOLE_SCORES.start()  # once per process, on a background thread
        _scored += n
    loop = _compiled.WHOLE_SCORES.ready()
    cells = values.T  # items x rows: each item's answers contiguous, as a frame's block of floats holds them
    if loop is None or n == 0 or not cells.flags.c_contiguous:  # (other layouts are rare: numpy reads them)
        return None
    scores = np.zeros((plan.n_scores, n))
    counts = np.zeros((plan.n_scores, n))
    lo, hi, mean = float(lo), float(hi), bool(mean)

    def block(start: int, stop: int) -> bool:
        return loop(cells, start, stop, lo, hi, plan.first, plan.score, plan.a, plan.w, plan.k, mean, scores, counts)

    if not all(for_blocks(n, block_rows(plan.n_items), block)):
        return None
    return scores, counts
