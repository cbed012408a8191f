"""psych::alpha's kernels (numpy arrays in and out); the generic ones come from :mod:`toolkit._numerics`.

Every function mirrors a line of R so that results equal psych's to rounding error:
``cov(x, use = "pairwise")``, ``psych::smc``, ``psych::alpha``'s inner ``alpha.1`` and ``psych::alpha.ci``.
"""

from __future__ import annotations

import numpy as np

from .._numerics import cov2cor, pairwise_cov, single_thread_blas, smc

__all__ = ["pairwise_cov", "cov2cor", "smc", "alpha_stats", "feldt_ci", "single_thread_blas"]


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
