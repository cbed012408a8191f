"""Sample statistics of each group: moments with lavaan's divisor N, raw rows, missing-data patterns.

lavaan's ``likelihood = "normal"``: the covariance matrix is divided by N, not N - 1 (lavaan rescales a
given ``sample.cov`` the same way). With ``missing="fiml"`` the rows are grouped by their pattern of
observed variables, and the saturated (h1) moments are estimated by EM (:func:`em_moments`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .patterns import chol_inverse, pattern_factors, stack_patterns

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


def em_moments(X: np.ndarray, patterns: list, *, tol: float = 1e-10, max_iter: int = 10000):
    """Saturated normal moments of incomplete data by EM (lavaan's ``lav_mvnorm_missing_h1_estimate_moments``).

    Starts from the available-case means and variances (zero covariances) and iterates until the log-
    likelihood changes by less than ``tol`` (relative). The E-step uses the partitioned inverse of Sigma:
    the regression of the missing on the observed variables is -T_mm^-1 T_mo and the conditional covariance
    T_mm^-1 (T = Sigma^-1), from the stacked pattern factors of :mod:`~toolkit.factor.cfa.patterns` (one
    factorisation per iteration gives both the log-likelihood and the E-step). Returns
    ``(mean, cov, loglik, iterations)``.
    """
    p = X.shape[1]
    mu = np.nanmean(X, axis=0)
    var = np.nanvar(X, axis=0)
    sigma = np.diag(np.where(var > 0, var, 1.0))
    stack = stack_patterns(patterns, p)
    N = stack.n_rows
    old = None
    it = 0
    while True:
        ci = chol_inverse(sigma)
        fac = pattern_factors(stack, ci[1], mu) if ci is not None else None
        if fac is None:
            from ...exceptions import DataValidationError

            raise DataValidationError("the covariance matrix of the items became singular while estimating the "
                                      "saturated model for missing='fiml' (EM, iteration " f"{it + 1}): an item "
                                      "is constant, a copy of another or a linear combination of others. Remove "
                                      "the redundant item(s), or use missing='listwise'")
        new = -0.5 * (stack.const + N * ci[0] + stack.n @ fac.ld + fac.quad)
        if old is not None and abs(new - old) < tol * max(1.0, abs(old)):
            old = new
            break
        old = new
        if it == max_iter:
            break
        it += 1
        # E-step: the rows' residuals with the missing parts at their conditional means -T_mm^-1 T_mo r_o
        Yhat = stack.X.copy()
        T2 = np.zeros((p, p))
        for i in stack.incomplete:
            mis = patterns[i].missing
            s, e = stack.bounds[i]
            Yhat[s:e, mis] = mu[mis] - fac.Z[i] @ fac.Li[i]
            T2[np.ix_(mis, mis)] += patterns[i].n * (fac.Li[i].T @ fac.Li[i])   # conditional covariance
        T2 += Yhat.T @ Yhat
        mu = Yhat.sum(axis=0) / N
        sigma = T2 / N - np.outer(mu, mu)
        sigma = (sigma + sigma.T) / 2
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
