"""Sample statistics of each group: moments with lavaan's divisor N, raw rows, missing-data patterns.

lavaan's ``likelihood = "normal"``: the covariance matrix is divided by N, not N - 1 (lavaan rescales a
given ``sample.cov`` the same way). With ``missing="fiml"`` the rows are grouped by their pattern of
observed variables, and the saturated (h1) moments are estimated by EM (:func:`em_moments`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

__all__ = ["GroupStats", "Pattern", "group_stats", "em_moments"]


@dataclass
class Pattern:
    """Rows sharing one pattern of observed variables."""

    observed: np.ndarray      # indices of the observed variables
    rows: np.ndarray          # row positions within the group
    n: int
    mean: np.ndarray          # mean of the observed part
    cov: np.ndarray           # covariance (divisor n) of the observed part
    missing: np.ndarray = None  # indices of the missing variables
    Y: np.ndarray = None        # the rows' observed values (n x len(observed))
    p: int = 0                  # number of variables

    def __post_init__(self):
        o = self.observed
        m = self.missing if self.missing is not None else np.zeros(0, dtype=int)
        p = self.p
        # flat indices into a p x p matrix, for fast sub-matrix extraction (no np.ix_ at every evaluation)
        self.oo = (o[:, None] * p + o[None, :]).ravel()
        self.om = (o[:, None] * p + m[None, :]).ravel()
        self.mm = (m[:, None] * p + m[None, :]).ravel()

    def take(self, M: np.ndarray, which: str = "oo") -> np.ndarray:
        """The (o, o), (o, m) or (m, m) block of a p x p matrix."""
        k_o, k_m = self.observed.size, (self.missing.size if self.missing is not None else 0)
        shape = {"oo": (k_o, k_o), "om": (k_o, k_m), "mm": (k_m, k_m)}[which]
        return M.ravel()[getattr(self, which)].reshape(shape)


@dataclass
class GroupStats:
    """One group's data and moments."""

    label: object
    n: int
    X: np.ndarray                       # rows x variables (NaN where missing)
    mean: np.ndarray
    cov: np.ndarray                     # divisor N (complete data) or the EM estimate (FIML)
    logdet: float
    row_labels: object = None               # the index labels of the rows used
    patterns: list = field(default_factory=list)
    complete: bool = True
    h1_loglik: float = np.nan           # saturated log-likelihood
    em_iterations: int = 0


def _patterns(X: np.ndarray) -> list:
    M = ~np.isnan(X)
    keys, inverse = np.unique(M, axis=0, return_inverse=True)
    out = []
    for k in range(keys.shape[0]):
        obs = np.flatnonzero(keys[k])
        if obs.size == 0:
            continue
        rows = np.flatnonzero(inverse.ravel() == k)
        Y = X[np.ix_(rows, obs)]
        mean = Y.mean(axis=0)
        Yc = Y - mean
        out.append(Pattern(observed=obs, rows=rows, n=len(rows), mean=mean, cov=Yc.T @ Yc / len(rows),
                           missing=np.flatnonzero(~keys[k]), Y=Y, p=X.shape[1]))
    return out


def _pattern_inverses(sigma, patterns):
    """(log|Sigma_oo|, Sigma_oo^-1, T_mm^-1, T_mo) per pattern from T = Sigma^-1 (Schur complements)."""
    sign, logdet = np.linalg.slogdet(sigma)
    if sign <= 0:
        return None
    T = np.linalg.inv(sigma)
    out = []
    for pat in patterns:
        if pat.missing.size == 0:
            out.append((logdet, T, None, None))
            continue
        Tmm = pat.take(T, "mm")
        s2, ld_mm = np.linalg.slogdet(Tmm)
        if s2 <= 0:
            return None
        Tmm_inv = np.linalg.inv(Tmm)
        Tom = pat.take(T, "om")
        out.append((logdet + ld_mm, pat.take(T, "oo") - Tom @ Tmm_inv @ Tom.T, Tmm_inv, Tom.T))
    return out


def _loglik_patterns(patterns, mu, sigma, inv=None) -> float:
    """Sum over rows of the normal log-likelihood (with the 2 pi constant)."""
    inv = inv if inv is not None else _pattern_inverses(sigma, patterns)
    if inv is None:
        return -np.inf
    total = 0.0
    for pat, (logdet, Si, _, _) in zip(patterns, inv):
        d = pat.mean - mu[pat.observed]
        total += -0.5 * pat.n * (pat.observed.size * np.log(2 * np.pi) + logdet + np.sum(Si * pat.cov) + d @ Si @ d)
    return float(total)


def em_moments(X: np.ndarray, patterns: list, *, tol: float = 1e-10, max_iter: int = 10000):
    """Saturated normal moments of incomplete data by EM (lavaan's ``lav_mvnorm_missing_h1_estimate_moments``).

    Starts from the available-case means and variances (zero covariances) and iterates until the log-
    likelihood changes by less than ``tol`` (relative). The E-step uses the partitioned inverse of Sigma:
    the regression of the missing on the observed variables is -T_mm^-1 T_mo and the conditional covariance
    T_mm^-1 (T = Sigma^-1). Returns ``(mean, cov, loglik, iterations)``.
    """
    p = X.shape[1]
    mu = np.nanmean(X, axis=0)
    var = np.nanvar(X, axis=0)
    sigma = np.diag(np.where(var > 0, var, 1.0))
    N = sum(pat.n for pat in patterns)
    old = _loglik_patterns(patterns, mu, sigma)
    it = 0
    for it in range(1, max_iter + 1):  # noqa: B007 - the count is reported
        inv = _pattern_inverses(sigma, patterns)
        T1 = np.zeros(p)
        T2 = np.zeros((p, p))
        for pat, (_, _, Tmm_inv, Tmo) in zip(patterns, inv):
            o, mis = pat.observed, pat.missing
            Y = pat.Y
            if mis.size == 0:
                T1 += Y.sum(axis=0)
                T2 += Y.T @ Y
                continue
            B = -Tmm_inv @ Tmo                             # regression of missing on observed
            Yhat = np.empty((pat.n, p))
            Yhat[:, o] = Y
            Yhat[:, mis] = mu[mis] + (Y - mu[o]) @ B.T
            T1 += Yhat.sum(axis=0)
            T2 += Yhat.T @ Yhat
            T2[np.ix_(mis, mis)] += pat.n * Tmm_inv        # conditional covariance
        mu = T1 / N
        sigma = T2 / N - np.outer(mu, mu)
        sigma = (sigma + sigma.T) / 2
        new = _loglik_patterns(patterns, mu, sigma)
        if abs(new - old) < tol * max(1.0, abs(old)):
            old = new
            break
        old = new
    return mu, sigma, old, it


def group_stats(X: np.ndarray, label, row_labels, *, fiml: bool = False) -> GroupStats:
    """Moments of one group's rows (NaN kept for FIML, none allowed otherwise)."""
    n = X.shape[0]
    if not fiml or not np.isnan(X).any():
        mean = X.mean(axis=0)
        Xc = X - mean
        cov = Xc.T @ Xc / n
        sign, logdet = np.linalg.slogdet(cov)
        h1 = -0.5 * n * (X.shape[1] * np.log(2 * np.pi) + logdet + X.shape[1]) if sign > 0 else np.nan
        pats = _patterns(X) if fiml else []
        return GroupStats(label=label, n=n, X=X, mean=mean, cov=cov, logdet=float(logdet) if sign > 0 else np.nan,
                          row_labels=row_labels, patterns=pats, complete=True, h1_loglik=h1)
    pats = _patterns(X)
    mean, cov, loglik, it = em_moments(X, pats)
    sign, logdet = np.linalg.slogdet(cov)
    return GroupStats(label=label, n=n, X=X, mean=mean, cov=cov, logdet=float(logdet), row_labels=row_labels,
                      patterns=pats, complete=False, h1_loglik=loglik, em_iterations=it)
