"""Missing-data patterns stacked for matrix products: every pattern's inverse from one inverse of Sigma.

With T = Sigma^-1 and m the k variables a pattern misses, the inverse of its observed block, padded with
zeros to p x p, is T - X'X with X = chol(T_mm)^-1 T_m. (k x p), and log|Sigma_oo| = log|Sigma| + log|T_mm|
(Schur complements). So a pattern costs a k x k Cholesky factor instead of an o x o inverse, the factors
of all patterns with the same k come from one batched call, and the rows of all patterns are handled as
one n x p matrix of residuals (zeros where missing): ``R T`` is one product, corrected by rank k per
pattern. Used by the FIML discrepancy, its derivatives and the EM estimate of the saturated moments.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.linalg import lapack

__all__ = ["chol_inverse", "PatternStack", "stack_patterns", "pattern_factors", "bucket_factors",
           "observed_quadratics"]


def chol_inverse(S: np.ndarray):
    """(log|S|, S^-1) of a symmetric matrix by Cholesky, or None when it is not positive definite."""
    if S.shape[0] == 1:
        v = S[0, 0]
        return (float(np.log(v)), np.array([[1.0 / v]])) if v > 0 else None
    if S.shape[0] == 2:
        a, b, d = S[0, 0], S[0, 1], S[1, 1]
        det = a * d - b * b
        if a <= 0 or det <= 0:
            return None
        return float(np.log(det)), np.array([[d, -b], [-b, a]]) / det
    c, info = lapack.dpotrf(S, lower=1)
    if info != 0:
        return None
    d = np.diag(c)
    if np.any(d <= 0):
        return None
    logdet = 2.0 * np.log(d).sum()
    inv, info = lapack.dpotri(c, lower=1)
    if info != 0:
        return None
    inv += inv.T          # dpotri fills the lower triangle; the upper one is zero (dpotrf cleaned it)
    inv.flat[:: S.shape[0] + 1] *= 0.5
    return logdet, inv


@dataclass
class PatternStack:
    """The rows of a list of patterns stacked pattern by pattern."""

    X: np.ndarray            # rows x p, zeros where missing
    mask: np.ndarray         # 1 where observed
    bounds: list             # (start, stop) of each pattern's rows
    buckets: list            # per k > 0: (pattern indices, their missing variables (P x k), first row,
                             # row after the last, each row's position among the indices)
    n: np.ndarray            # rows per pattern
    n_rows: int
    incomplete: list         # indices of the patterns with missing variables
    const: float             # sum over rows of (observed variables) log(2 pi)


def stack_patterns(patterns: list, p: int) -> PatternStack:
    """Stack the rows of ``patterns``: complete patterns first, then those with k missing variables for each
    k, so that the rows of a bucket are one block."""
    by_k = {}
    for i, pat in enumerate(patterns):
        by_k.setdefault(pat.missing.size, []).append(i)
    order = by_k.pop(0, []) + [i for k in sorted(by_k) for i in by_k[k]]
    n_rows = sum(pat.n for pat in patterns)
    X, mask = np.zeros((n_rows, p)), np.zeros((n_rows, p))
    bounds, s = [None] * len(patterns), 0
    for i in order:
        pat = patterns[i]
        X[s:s + pat.n, pat.observed] = pat.Y
        mask[s:s + pat.n, pat.observed] = 1.0
        bounds[i] = (s, s + pat.n)
        s += pat.n
    buckets = []
    for k in sorted(by_k):
        ids = np.array(by_k[k])
        start, stop = bounds[ids[0]][0], bounds[ids[-1]][1]
        local = np.repeat(np.arange(ids.size), [patterns[i].n for i in ids])   # pattern of each row
        buckets.append((ids, np.array([patterns[i].missing for i in ids]), start, stop, local))
    return PatternStack(X=X, mask=mask, bounds=bounds, buckets=buckets,
                        n=np.array([pat.n for pat in patterns], dtype=float), n_rows=n_rows,
                        incomplete=[i for i, pat in enumerate(patterns) if pat.missing.size],
                        const=float(np.log(2 * np.pi) * sum(pat.n * pat.observed.size for pat in patterns)))


@dataclass
class Factors:
    """What :func:`pattern_factors` returns (lists indexed by pattern; None for a complete pattern)."""

    X: list            # k x p, X'X = T_.m T_mm^-1 T_m.
    Li: list           # k x k, chol(T_mm)^-1 (so T_mm^-1 = Li' Li)
    Z: list            # n x k, rows of Li (T r_i)_m
    ld: np.ndarray     # log|T_mm| per pattern (0 when complete)
    V: np.ndarray      # rows x p: v_i = (T - X'X) r_i = Sigma_oo^-1 r_i padded with zeros
    quad: float        # sum_i r_i' Sigma_oo^-1 r_i


def bucket_factors(T: np.ndarray, mi: np.ndarray):
    """(Li, X, log|T_mm|) of P patterns missing k variables each (``mi``: P x k): Li = chol(T_mm)^-1
    (P x k x k) and X = Li T_m. (P x k x p), so that Sigma_oo^-1 padded with zeros is T - X'X. None when some
    T_mm is not positive definite."""
    try:
        Lc = np.linalg.cholesky(T[mi[:, :, None], mi[:, None, :]])
    except np.linalg.LinAlgError:
        return None
    diag = np.diagonal(Lc, axis1=1, axis2=2)
    if not np.all(diag > 0):
        return None
    Li = np.linalg.inv(Lc)
    return Li, Li @ T[mi], 2 * np.log(diag).sum(axis=1)


def observed_quadratics(T: np.ndarray, missing: list, weights, A: np.ndarray, d: np.ndarray):
    """sum_i w_i [tr(Si A Si A) / 2 + d' Si d] over patterns i with Si the inverse of Sigma's observed block
    (padded with zeros; ``missing[i]``: indices of its missing variables) and symmetric A: with
    Si = T - X'X, tr(Si A Si A) = tr(TATA) - 2 tr(X'X ATA) + |X A X'|^2 and d'Si d = d'Td - |Xd|^2, so the
    patterns only add k x k and k-vector terms, computed for all patterns with the same k at once."""
    weights = np.asarray(weights, dtype=float)
    AT = A @ T
    total = weights.sum() * (0.5 * np.sum(AT * AT.T) + d @ T @ d)
    ATA = AT @ A
    by_k = {}
    for i, m in enumerate(missing):
        if len(m):
            by_k.setdefault(len(m), []).append(i)
    for ids in by_k.values():
        ids = np.array(ids)
        bf = bucket_factors(T, np.array([missing[i] for i in ids]))
        if bf is None:
            return np.nan
        X = bf[1]                                             # P x k x p
        w = weights[ids]
        XAX = X @ A @ X.transpose(0, 2, 1)                    # P x k x k
        total += w @ (0.5 * np.einsum("ikl,ikl->i", XAX, XAX) - np.einsum("ikp,ikp->i", X @ ATA, X)
                      - ((X @ d) ** 2).sum(axis=1))
    return float(total)


def pattern_factors(stack: PatternStack, T: np.ndarray, mu: np.ndarray):
    """The factors of every pattern from T = Sigma^-1 at means ``mu`` (residuals r_i = y_i - mu), or None
    when some T_mm is not positive definite (then Sigma is not either)."""
    R = (stack.X - mu) * stack.mask
    V = R @ T
    quad = float(np.sum(R * V))
    npat = len(stack.bounds)
    X, Li_all, Z_all = [None] * npat, [None] * npat, [None] * npat
    ld = np.zeros(npat)
    p = T.shape[0]
    for ids, mi, start, stop, local in stack.buckets:
        k = mi.shape[1]
        bf = bucket_factors(T, mi)
        if bf is None:
            return None
        Li, Xs, ld[ids] = bf
        Zb = np.empty((stop - start, k))
        chunk = max(1, 2_000_000 // (k * p))       # rows per step: bounded temporaries (rows x k x p)
        for c0 in range(0, stop - start, chunk):
            c1 = min(c0 + chunk, stop - start)
            pid = local[c0:c1]
            Vc = V[start + c0:start + c1]
            Ym = np.take_along_axis(Vc, mi[pid], axis=1)
            Z = np.einsum("rij,rj->ri", Li[pid], Ym)          # Li (T r_i)_m
            Vc -= np.einsum("rk,rkp->rp", Z, Xs[pid])
            Zb[c0:c1] = Z
        quad -= float(np.sum(Zb * Zb))
        for t, i in enumerate(ids):
            s, e = stack.bounds[i]
            X[i], Li_all[i], Z_all[i] = Xs[t], Li[t], Zb[s - start:e - start]
    return Factors(X=X, Li=Li_all, Z=Z_all, ld=ld, V=V, quad=quad)
