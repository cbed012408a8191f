"""Numerical kernels shared by the analyses: one home for each (numpy arrays in, numpy arrays out).

* :func:`pairwise_cov` -- R's ``cov(x, use = "pairwise.complete.obs")`` (means and n per pair).
* :func:`row_blocks` -- row slices that keep a kernel's temporaries small (both kernels above use it).
* :func:`pairwise_corr` -- R's ``cor(x, use = "pairwise.complete.obs")`` (means *and* variances per pair,
  which is not ``cov2cor`` of the pairwise covariance: psych::fa uses this one, psych::alpha the other).
* :func:`cov2cor` -- R's ``cov2cor``.
* :func:`smc` -- ``psych::smc`` with psych's pseudo-inverse.
* :func:`fisher_z_ci` -- Fisher's z interval of a correlation.
* :func:`single_thread_blas` -- hold BLAS to one thread around many small matrix products
  (:func:`with_single_thread_blas` as a decorator).

Nothing here validates user input: the callers do, once, at the boundary (:mod:`toolkit._checks`).
"""

from __future__ import annotations

import contextlib
import functools
import threading

import numpy as np

__all__ = ["pairwise_cov", "pairwise_corr", "row_blocks", "cov2cor", "smc", "fisher_z_ci", "single_thread_blas",
           "with_single_thread_blas"]


_BLOCK_ELEMENTS = 1 << 15  # 32,768 float64 = 256 KB per temporary


def row_blocks(n_rows: int, width: int, elements: int = _BLOCK_ELEMENTS) -> list[slice]:
    """Consecutive row slices of at most ``elements // width`` rows (at least one row each).

    Kernels work through large data a block at a time so that no temporary is larger than ``elements``
    numbers: temporaries of that size stay in cache and are reused by the memory allocator, where one
    data-sized temporary is fresh memory the system has to map page by page on every call.
    """
    step = max(1, elements // max(1, width))
    return [slice(s, min(n_rows, s + step)) for s in range(0, n_rows, step)]


def _centred_cross_products(X: np.ndarray) -> np.ndarray:
    """(X - mean)'(X - mean) of complete data, accumulated over row blocks."""
    mean = X.mean(axis=0)
    S = np.zeros((X.shape[1], X.shape[1]))
    for rows in row_blocks(X.shape[0], X.shape[1]):
        b = X[rows] - mean
        S += b.T @ b
    return S


def _pair_sums(X: np.ndarray, M: np.ndarray, squares: bool = False):
    """Sums over pairwise-complete rows, accumulated over row blocks: n = M'M, sj = X0'M, sjk = X0'X0 and
    (``squares``) sjj = (X0 X0)'M, with X0 = X - shift where present, else 0. The shift (each column's mean
    over its answers) limits cancellation; the moments built from these sums are shift invariant."""
    k = X.shape[1]
    blocks = row_blocks(X.shape[0], k)
    total, count = np.zeros(k), np.zeros(k)
    for rows in blocks:
        m = M[rows]
        total += np.where(m, X[rows], 0.0).sum(axis=0)
        count += m.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        shift = np.where(count > 0, total / count, 0.0)
    n, sj, sjk = np.zeros((k, k)), np.zeros((k, k)), np.zeros((k, k))
    sjj = np.zeros((k, k)) if squares else None
    for rows in blocks:
        m = M[rows]
        x0 = np.where(m, X[rows] - shift, 0.0)
        mf = m.astype(float)
        n += mf.T @ mf
        sj += x0.T @ mf  # sj[j, l] = sum of x_j over rows where l present (and j present)
        sjk += x0.T @ x0
        if squares:
            sjj += (x0 * x0).T @ mf
    return n, sj, sjk, sjj


def pairwise_cov(X: np.ndarray, missing: str = "pairwise") -> tuple[np.ndarray, np.ndarray]:
    """Covariance like R's ``cov(X, use=...)``; returns ``(C, n_pairs)``.

    ``pairwise``: each entry from the rows where both items are present (means from those rows too), as
    ``use = "pairwise.complete.obs"``. ``listwise``: rows with any missing value dropped first.
    """
    X = np.asarray(X, dtype=float)
    if missing == "listwise":
        X = X[~np.isnan(X).any(axis=1)]
    M = ~np.isnan(X)
    if M.all():
        n = X.shape[0]
        C = _centred_cross_products(X) / (n - 1) if n > 1 else np.full((X.shape[1],) * 2, np.nan)
        return C, np.full(C.shape, float(n))
    n, sj, sjk, _ = _pair_sums(X, M)
    with np.errstate(invalid="ignore", divide="ignore"):
        C = (sjk - sj * sj.T / n) / (n - 1)
    C[n < 2] = np.nan
    return C, n


def pairwise_corr(x: np.ndarray) -> np.ndarray:
    """Pearson correlations on pairwise-complete observations (R's ``cor(x, use="pairwise")``)."""
    x = np.asarray(x, dtype=float)
    present = ~np.isnan(x)
    if present.all():  # numpy's corrcoef, with the covariance accumulated over row blocks
        if x.shape[0] < 2:
            return np.full((x.shape[1],) * 2, np.nan)
        return corr_from_cross_products(_centred_cross_products(x) / (x.shape[0] - 1))
    return corr_from_pair_sums(*_pair_sums(x, present, squares=True))


def corr_from_pair_sums(n: np.ndarray, sx: np.ndarray, sxy: np.ndarray, sxx: np.ndarray) -> np.ndarray:
    """Pairwise-complete correlations from sums over the rows where both items are present: ``n`` (rows),
    ``sx[i, j]`` (sum of x_i), ``sxy`` (sum of x_i x_j) and ``sxx[i, j]`` (sum of x_i^2)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        cov = sxy - sx * sx.T / n
        var_i = sxx - sx * sx / n
        r = cov / np.sqrt(var_i * var_i.T)
    r[n < 2] = np.nan
    np.fill_diagonal(r, 1.0)
    return r


def corr_from_cross_products(S: np.ndarray) -> np.ndarray:
    """numpy's ``corrcoef`` normalisation of a centred cross-product (or covariance) matrix."""
    stddev = np.sqrt(np.diag(S))
    with np.errstate(invalid="ignore", divide="ignore"):
        c = S / stddev[:, None]
        c /= stddev[None, :]
    return np.clip(c, -1, 1, out=c)


def cov2cor(C: np.ndarray) -> np.ndarray:
    """R's ``cov2cor``: C / sqrt(diag(C) diag(C)'), with a unit diagonal."""
    d = np.sqrt(np.diag(C))
    with np.errstate(invalid="ignore", divide="ignore"):
        R = C / np.outer(d, d)
    np.fill_diagonal(R, 1.0)
    return R


def smc(R: np.ndarray) -> np.ndarray:
    """Squared multiple correlations as ``psych::smc``: 1 - 1/diag(Pinv(R)), clipped to [0, 1].

    ``Pinv`` is psych's pseudo-inverse (singular values below sqrt(machine eps) x the largest are dropped),
    so a singular matrix (fewer respondents than items) still gives values, as in R. One item gives 1;
    a matrix with a missing entry gives NaN for every item. A stack of matrices (..., k, k) gives the
    SMCs of each (one batched pseudo-inverse).
    """
    R = np.asarray(R, dtype=float)
    if R.ndim > 2:
        out = np.full(R.shape[:-1], np.nan)
        ok = ~np.isnan(R).any(axis=(-2, -1))
        if R.shape[-1] == 1:
            out[ok] = 1.0
        elif ok.any():
            inv = np.linalg.pinv(R[ok], rtol=np.sqrt(np.finfo(float).eps))
            with np.errstate(divide="ignore"):
                out[ok] = 1 - 1 / np.diagonal(inv, axis1=-2, axis2=-1)
        return np.clip(out, 0.0, 1.0)
    if R.shape[0] == 1:
        return np.array([1.0])
    if np.isnan(R).any():
        return np.full(R.shape[0], np.nan)
    inv = np.linalg.pinv(R, rtol=np.sqrt(np.finfo(float).eps))  # psych::Pinv's tolerance
    with np.errstate(divide="ignore"):
        out = 1 - 1 / np.diag(inv)
    return np.clip(out, 0.0, 1.0)


def fisher_z_ci(r, n, ci: float = 0.95, *, se=None) -> tuple:
    """Fisher's z interval of a correlation: tanh(atanh(r) -/+ z_{(1+ci)/2} se), se = 1/sqrt(n - 3).

    ``se`` overrides the standard error on the z scale (Lin's CCC uses its own). Works on scalars and
    arrays; NaN where n <= 3 or r is outside (-1, 1).
    """
    from scipy.stats import norm

    r = np.asarray(r, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        if se is None:
            n = np.asarray(n, dtype=float)
            se = np.where(n > 3, 1 / np.sqrt(np.where(n > 3, n - 3, 1.0)), np.nan)
        half = norm.ppf(1 - (1 - ci) / 2) * np.asarray(se, dtype=float)
        z = np.arctanh(r)
        lo, hi = np.tanh(z - half), np.tanh(z + half)
    if lo.ndim == 0:
        return float(lo), float(hi)
    return lo, hi


_controller = None
_state = threading.local()


def _blas_controller():
    """threadpoolctl's ``ThreadpoolController``, created once: it reads the loaded libraries, which is slow."""
    global _controller
    if _controller is None:
        try:
            from threadpoolctl import ThreadpoolController
        except ImportError:  # pragma: no cover - threadpoolctl is a dependency
            return None
        # SciPy's wheels bring their own OpenBLAS (L-BFGS-B, scipy.linalg), loaded on first import: load it
        # now, or the controller would never see it and SciPy's BLAS would keep all its threads
        import scipy.linalg  # noqa: F401

        _controller = ThreadpoolController()
    return _controller


@contextlib.contextmanager
def single_thread_blas():
    """Run small-matrix work with one BLAS thread (re-entrant and thread-safe).

    Many small BLAS calls (L-BFGS-B steps, k x k products, row blocks) on a multi-threaded OpenBLAS slow
    down up to 100-fold when the machine is busy; one thread is always faster at this size. The
    thread-pool controller is created once per process (threadpoolctl's documented use).
    """
    depth = getattr(_state, "depth", 0)
    controller = _blas_controller() if depth == 0 else None
    if depth or controller is None:
        _state.depth = depth + 1
        try:
            yield
        finally:
            _state.depth = depth
        return
    _state.depth = 1
    try:
        with controller.limit(limits=1, user_api="blas"):
            yield
    finally:
        _state.depth = 0


def with_single_thread_blas(func):
    """Decorator: run ``func`` inside :func:`single_thread_blas`; its name, signature and docstring stay."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with single_thread_blas():
            return func(*args, **kwargs)

    return wrapper
