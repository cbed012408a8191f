"""Numerical kernels shared by the reliability modules (numpy arrays in and out).

Every function mirrors a line of R so that results equal psych's to rounding error:
``cov(x, use = "pairwise")``, ``psych::smc``, ``psych::alpha``'s inner ``alpha.1`` and ``psych::alpha.ci``.
"""

from __future__ import annotations

import numpy as np

# psych::smc and the (re-entrant) one-BLAS-thread context are the factor package's: one implementation each.
# One BLAS thread suits these small or tall-and-thin matrices (0.9-1.1 s vs 1.5-2.5 s for the WAI-36 table
# under load on a shared 2-core machine).
from ..factor.extraction import _smc, single_thread_blas

__all__ = ["pairwise_cov", "cov2cor", "smc", "alpha_stats", "feldt_ci", "single_thread_blas"]


def pairwise_cov(X: np.ndarray, missing: str = "pairwise") -> tuple[np.ndarray, np.ndarray]:
    """Covariance like R's ``cov(X, use=...)``; returns (C, n_pairs).

    ``pairwise``: each entry from the rows where both items are present (means from those rows too),
    as ``use = "pairwise.complete.obs"``. ``listwise``: rows with any missing value dropped first.
    """
    X = np.asarray(X, dtype=float)
    if missing == "listwise":
        X = X[~np.isnan(X).any(axis=1)]
    M = ~np.isnan(X)
    if M.all():
        n = X.shape[0]
        Xc = X - X.mean(axis=0)
        C = Xc.T @ Xc / (n - 1) if n > 1 else np.full((X.shape[1],) * 2, np.nan)
        return C, np.full(C.shape, float(n))
    # centre by the available means to limit cancellation (covariances are shift invariant)
    with np.errstate(invalid="ignore"):
        shift = np.nanmean(np.where(M.any(axis=0), X, 0.0), axis=0)
    X0 = np.where(M, X - shift, 0.0)
    Mf = M.astype(float)
    n = Mf.T @ Mf
    sj = X0.T @ Mf            # sj[j, k] = sum of x_j over rows where k present (and j present)
    sjk = X0.T @ X0
    with np.errstate(invalid="ignore", divide="ignore"):
        C = (sjk - sj * sj.T / n) / (n - 1)
    C[n < 2] = np.nan
    return C, n


def cov2cor(C: np.ndarray) -> np.ndarray:
    d = np.sqrt(np.diag(C))
    with np.errstate(invalid="ignore", divide="ignore"):
        R = C / np.outer(d, d)
    np.fill_diagonal(R, 1.0)
    return R


def smc(R: np.ndarray) -> np.ndarray:
    """Squared multiple correlations as ``psych::smc``: 1 - 1/diag(Pinv(R)), clipped to [0, 1].

    ``Pinv`` is psych's pseudo-inverse (singular values below sqrt(machine eps) x largest are dropped), so
    a singular matrix (fewer respondents than items) still gives values, as in R.
    """
    if R.shape[0] == 1:
        return np.array([1.0])
    if np.isnan(R).any():
        return np.full(R.shape[0], np.nan)
    return _smc(R)


def alpha_stats(C: np.ndarray, R: np.ndarray | None = None) -> dict:
    """psych::alpha's ``alpha.1``: raw and standardized alpha, G6(smc), average r, S/N, Q, var.r, med.r.

    Notes
    -----
    alpha = k/(k-1) (1 - tr C / 1'C1);  std = k/(k-1) (1 - k / 1'R1);  G6 = 1 - (k - sum smc) / 1'R1;
    r_bar = (1'R1 - k) / (k (k-1));  S/N = k r_bar / (1 - r_bar);
    Q = 2k^2 / ((k-1)^2 (1'C1)^3) [1'C1 (tr C^2 + (tr C)^2) - 2 tr C 1'C^2 1]  (Duhachek & Iacobucci 2004),
    so that the asymptotic standard error is sqrt(Q / n).
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
        g6 = 1 - (k - smc(R).sum()) / sumR
        av_r = (sumR - k) / (k * (k - 1))
        sn = k * av_r / (1 - av_r)
        CC = C @ C
        Q = (2 * k**2 / ((k - 1) ** 2 * sumC**3)) * (sumC * (np.trace(CC) + trC**2) - 2 * (trC * CC.sum()))
    low = R[np.tril_indices(k, -1)]
    var_r = float(np.var(low, ddof=1)) if low.size > 1 else np.nan
    med_r = float(np.median(low)) if low.size else np.nan
    return {"raw_alpha": raw, "std_alpha": std, "g6": g6, "average_r": av_r, "sn": sn, "Q": Q,
            "var_r": var_r, "median_r": med_r}


def feldt_ci(alpha: float, n_obs: int, n_items: int, level: float = 0.95) -> tuple[float, float]:
    """Feldt's (1965) F-based interval, as ``psych::alpha.ci``.

    lower = 1 - (1 - alpha) F_{1-p/2}(n-1, (n-1)(k-1)),  upper = 1 - (1 - alpha) F_{p/2}(n-1, (n-1)(k-1)).
    """
    from scipy.stats import f

    p = 1 - level
    d1, d2 = n_obs - 1, (n_obs - 1) * (n_items - 1)
    if d1 < 1 or d2 < 1 or not np.isfinite(alpha):
        return np.nan, np.nan
    lower = 1 - (1 - alpha) * f.ppf(1 - p / 2, d1, d2)
    upper = 1 - (1 - alpha) * f.ppf(p / 2, d1, d2)
    return float(lower), float(upper)
