"""Run a function over row blocks, on two threads when the data are large.

NumPy releases the GIL inside ufuncs and matrix products, so two threads on
separate row blocks use both cores of a small machine. Results are written by
the function into preallocated arrays; block boundaries do not change them.
"""

from __future__ import annotations

import contextlib
import functools
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from .._numerics import single_thread_blas

__all__ = ["for_blocks", "blas_for_rows", "block_rows"]

_PARALLEL_ROWS = 200_000
_SMALL_ROWS = 64
_BLOCK_CELLS = 1 << 19  # cells per block of rows (4 MB of float64): two threads take blocks in turn


def block_rows(n_items: int) -> int:
    """Rows per block for data of ``n_items`` columns (at least 64)."""
    return max(_SMALL_ROWS, _BLOCK_CELLS // max(1, n_items))


@functools.cache
def _cpu_count() -> int:
    """The number of CPUs (asked once: the call reads the system each time)."""
    return os.cpu_count() or 1


def blas_for_rows(n_rows: int):
    """BLAS held to one thread for work on more than a few rows (its threads would only spin on our small
    products); nothing for a few rows (one form), whose products are too small to matter."""
    return contextlib.nullcontext() if n_rows <= _SMALL_ROWS else single_thread_blas()


def for_blocks(n_rows: int, block: int, fn: Callable[[int, int], object]) -> list:
    """Call ``fn(start, stop)`` for consecutive blocks of rows; return the results in order.

    With several blocks, BLAS is held to one thread meanwhile: its own threads make the small matrix
    products of a block some 50 times slower, and we parallelise over blocks. One block runs with BLAS as the
    caller set it (the scoring engine holds it to one thread around all its products: on 10,000 x 36, BLAS's
    threads gained no time and kept spinning after the call, twice the CPU time for the same wall time).
    """
    bounds = [(lo, min(lo + block, n_rows)) for lo in range(0, n_rows, block)]
    if n_rows <= _SMALL_ROWS or len(bounds) == 1:  # a few rows (one form), or one block: BLAS as the caller set it
        return [fn(lo, hi) for lo, hi in bounds]
    workers = min(2, _cpu_count())
    with blas_for_rows(n_rows):
        if n_rows < _PARALLEL_ROWS or workers < 2:
            return [fn(lo, hi) for lo, hi in bounds]
        with ThreadPoolExecutor(max_workers=workers) as pool:
            return list(pool.map(lambda b: fn(*b), bounds))
