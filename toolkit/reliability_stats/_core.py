"""psych::alpha's kernels (numpy arrays in and out); the generic ones come from :mod:`toolkit._numerics`.

Every function mirrors a line of R so that results equal psych's to rounding error:
``cov(x, use = "pairwise")``, ``psych::smc``, ``psych::alpha``'s inner ``alpha.1`` and ``psych::alpha.ci``.
"""

from __future__ import annotations

import functools

import numpy as np

from .._numerics import cov2cor, pairwise_cov, row_blocks, single_thread_blas, smc

__all__ = ["pairwise_cov", "centred_cov", "cov2cor", "smc", "smc_and_drops", "alpha_stats", "alpha_drop_stats",
           "feldt_ci", "single_thread_blas"]


def centred_cov(X: np.ndarray, mean: np.ndarray) -> np.ndarray:
    """``cov(X)`` of complete data whose column means are known: (X - mean)'(X - mean) / (n - 1).

    One product X'X - n mean mean' when that loses nothing that matters (every item's squared mean below
    10,000 times its variance: the rounding error is then below 1e-12 of the variances), else the centred
    rows, a block at a time (the same sums as :func:`pairwise_cov` on complete data)."""
    n, k = X.shape
    if n < 2:
        return np.full((k, k), np.nan)
    S = X.T @ X - n * np.outer(mean, mean)
    if np.all(mean * mean < 1e4 * np.diag(S) / n):
        return S / (n - 1)
    S = np.zeros((k, k))
    for rows in row_blocks(n, k):
        b = X[rows] - mean
        S += b.T @ b
    return S / (n - 1)


def alpha_stats(C: np.ndarray, R: np.ndarray | None = None, *, smc_values: np.ndarray | None = None) -> dict:
    """psych::alpha's ``alpha.1``: raw and standardized alpha, G6(smc), average r, S/N, Q, var.r, med.r.

    Notes
    -----
    alpha = k/(k-1) (1 - tr C / 1'C1);  std = k/(k-1) (1 - k / 1'R1);  G6 = 1 - (k - sum smc) / 1'R1;
    r_bar = (1'R1 - k) / (k (k-1));  S/N = k r_bar / (1 - r_bar);
    Q = 2k^2 / ((k-1)^2 (1'C1)^3) [1'C1 (tr C^2 + (tr C)^2) - 2 tr C 1'C^2 1]  (Duhachek & Iacobucci 2004),
    so that the asymptotic standard error is sqrt(Q / n). ``smc_values``: ``smc(R)`` when already known.
    """
    if R is None:
        R = cov2cor(C)
    k = C.shape[0]
    sumC = C.sum()
    trC = np.trace(C)
    sumR = R.sum()
    with np.errstate(invalid="ignore", divide="ignore"):
        raw = (1 - trC / sumC) * (k / (k - 1))
        std = (1 - k / sumR) * (k / (k - 1))
        g6 = 1 - (k - (smc(R) if smc_values is None else smc_values).sum()) / sumR
        av_r = (sumR - k) / (k * (k - 1))
        sn = k * av_r / (1 - av_r)
        CC = C @ C
        Q = (2 * k**2 / ((k - 1) ** 2 * sumC**3)) * (sumC * (np.trace(CC) + trC**2) - 2 * (trC * CC.sum()))
    low = R[_lower(k)]
    var_r = float(np.var(low, ddof=1)) if low.size > 1 else np.nan
    med_r = float(np.median(low)) if low.size else np.nan
    return {"raw_alpha": raw, "std_alpha": std, "g6": g6, "average_r": av_r, "sn": sn, "Q": Q,
            "var_r": var_r, "median_r": med_r}


@functools.lru_cache(maxsize=64)
def _leave_one_out(k: int) -> np.ndarray:
    """Row i: the indices 0..k-1 without i (read-only: shared between calls)."""
    out = np.array([[j for j in range(k) if j != i] for i in range(k)], dtype=np.intp).reshape(k, k - 1)
    out.flags.writeable = False
    return out


@functools.lru_cache(maxsize=64)
def _lower(k: int) -> tuple:
    """``np.tril_indices(k, -1)``, read-only (shared between calls)."""
    out = np.tril_indices(k, -1)
    for a in out:
        a.flags.writeable = False
    return out


def smc_and_drops(R: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``smc(R)`` and, in row i, ``smc(R[-i, -i])`` (k x (k-1)).

    When R is well conditioned (smallest eigenvalue above 1e-6 x the largest; its submatrices are then too,
    eigenvalues interlace) psych's pseudo-inverse is the inverse, and all of them come from R^-1: the inverse
    of R[-i, -i] is R^-1[-i, -i] - R^-1[-i, i] R^-1[i, -i] / R^-1[i, i], so its diagonal is
    R^-1_jj - (R^-1_ij)^2 / R^-1_ii. Otherwise every matrix goes through :func:`smc` (pseudo-inverse).
    """
    k = R.shape[0]
    keep = _leave_one_out(k)
    if k > 2 and not np.isnan(R).any():
        ev = np.linalg.eigvalsh(R)
        if ev[0] > 1e-6 * ev[-1]:
            inv = np.linalg.inv(R)
            d = np.diag(inv)
            with np.errstate(divide="ignore"):
                full = np.clip(1 - 1 / d, 0.0, 1.0)
                sub = d[None, :] - inv**2 / d[:, None]
                drops = np.clip(1 - 1 / np.take_along_axis(sub, keep, axis=1), 0.0, 1.0)
            return full, drops
    return smc(R), smc(R[keep[:, :, None], keep[:, None, :]])


def alpha_drop_stats(C: np.ndarray, R: np.ndarray, smc_drops: np.ndarray | None = None) -> dict:
    """:func:`alpha_stats` of the k scales that each leave one item out (psych::alpha's ``alpha.drop``), at once.

    Every statistic is an array of length k (item i left out in entry i), computed as :func:`alpha_stats`
    computes it on ``C[-i, -i]`` and ``R[-i, -i]``; ``smc_drops`` is the SMCs of those (from
    :func:`smc_and_drops`; computed here when not given). Needs k >= 3.
    """
    k = C.shape[0]
    keep = _leave_one_out(k)
    Cd = C[keep[:, :, None], keep[:, None, :]]
    Rd = R[keep[:, :, None], keep[:, None, :]]
    m = k - 1
    sumC = Cd.sum(axis=(1, 2))
    trC = np.einsum("ijj->i", Cd)
    sumR = Rd.sum(axis=(1, 2))
    with np.errstate(invalid="ignore", divide="ignore"):
        raw = (1 - trC / sumC) * (m / (m - 1))
        std = (1 - m / sumR) * (m / (m - 1))
        g6 = 1 - (m - (smc(Rd) if smc_drops is None else smc_drops).sum(axis=1)) / sumR
        av_r = (sumR - m) / (m * (m - 1))
        sn = m * av_r / (1 - av_r)
        CC = Cd @ Cd
        Q = (2 * m**2 / ((m - 1) ** 2 * sumC**3)) * (sumC * (np.einsum("ijj->i", CC) + trC**2)
                                                      - 2 * (trC * CC.sum(axis=(1, 2))))
    low = Rd[:, _lower(m)[0], _lower(m)[1]]
    var_r = np.var(low, axis=1, ddof=1) if low.shape[1] > 1 else np.full(k, np.nan)
    med_r = np.median(low, axis=1) if low.shape[1] else np.full(k, np.nan)
    return {"raw_alpha": raw, "std_alpha": std, "g6": g6, "average_r": av_r, "sn": sn, "Q": Q,
            "var_r": var_r, "median_r": med_r}


def feldt_ci(alpha: float, n_obs: int, n_items: int, level: float = 0.95) -> tuple[float, float]:
    """Feldt's (1965) F-based interval, as ``psych::alpha.ci``.

    lower = 1 - (1 - alpha) F_{1-p/2}(n-1, (n-1)(k-1)),  upper = 1 - (1 - alpha) F_{p/2}(n-1, (n-1)(k-1)).
    """
    from scipy.special import fdtri  # the F quantile itself (scipy.stats.f.ppf calls it)

    p = 1 - level
    d1, d2 = n_obs - 1, (n_obs - 1) * (n_items - 1)
    if d1 < 1 or d2 < 1 or not np.isfinite(alpha):
        return np.nan, np.nan
    lower = 1 - (1 - alpha) * fdtri(d1, d2, 1 - p / 2)
    upper = 1 - (1 - alpha) * fdtri(d1, d2, p / 2)
    return float(lower), float(upper)
