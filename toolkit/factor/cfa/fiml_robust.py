"""The FIML-corrected robust CFI, TLI and RMSEA that lavaan reports for ``missing = "ml"``.

lavaan 0.6-14's ``lav_fit_fiml_corrected`` (version "V6" for ML, after Zhang & Savalei, 2023): the model
and the independence model, at their FIML estimates, are compared with the EM (saturated) moments as if
those were complete-data moments, giving chi2 values XX3 and XX3_null; their scaling factors are

    c = [sum_g tr(Wc_g Wm_g^-1) - tr(E^-1 sum_g f_g Delta_g' Wc_g Delta_g)] / df,

with Wm the observed information of the saturated missing-data model and Wc the complete-data
information, both at the EM moments, E = sum_g f_g Delta_g' Wm_g Delta_g and Delta the Jacobian of the
implied means and covariances. The robust indices then use XX3 and c as lavaan does.

The information matrices live in the space of means and covariances (p + p(p+1)/2 rows), so the cost grows
with p^4: above :data:`MAX_VARIABLES` observed variables the lines are left out and a note says so.
"""

from __future__ import annotations

import numpy as np

from .objective import fiml_moment_hessian
from .patterns import chol_inverse, pattern_factors, stack_patterns

__all__ = ["fiml_corrected", "MAX_VARIABLES"]

#: above this many observed variables the FIML-corrected robust measures are not computed (cost ~ p^4)
MAX_VARIABLES = 40


def _vech_index(p):
    Jv, Iv = np.triu_indices(p)      # column-major lower triangle: (i >= j), columns first
    return Iv, Jv


def _moment_hessian(Si: np.ndarray, M: np.ndarray, d: np.ndarray, w: float, meanstructure: bool = True):
    """Hessian of w/2 [log|S| + tr(W S^-1)] in (mu, vech Sigma) of one pattern (Si = Sigma^-1, M = Si W Si)."""
    o = Si.shape[0]
    Iv, Jv = _vech_index(o)
    s = np.where(Iv == Jv, 0.5, 1.0)
    K, L = Iv, Jv

    def four(A, B):  # tr(A dS_(ij) B dS_(kl)) without the scale factors
        return (B[np.ix_(Jv, K)] * A[np.ix_(Iv, L)] + B[np.ix_(Jv, L)] * A[np.ix_(Iv, K)] +
                B[np.ix_(Iv, K)] * A[np.ix_(Jv, L)] + B[np.ix_(Iv, L)] * A[np.ix_(Jv, K)])

    Hss = 0.5 * w * (-four(Si, Si) + 2 * four(M, Si)) * np.outer(s, s)
    Hmm = w * Si
    Sd = Si @ d
    Hms = w * (Si[:, K] * Sd[L][None, :] + Si[:, L] * Sd[K][None, :]) * s[None, :]
    n = o + Iv.size
    H = np.zeros((n, n))
    H[:o, :o] = Hmm
    H[o:, o:] = Hss
    H[:o, o:] = Hms
    H[o:, :o] = Hms.T
    return H


def h1_observed(st, mu, sigma) -> np.ndarray:
    """Observed information (per observation) of the saturated model of one group at (mu, sigma)."""
    p = sigma.shape[0]
    n = p + p * (p + 1) // 2
    parts = st.patterns if not st.complete else None
    if parts is None:
        Si = np.linalg.inv(sigma)
        d = st.mean - mu
        W = st.cov + np.outer(d, d)
        return _moment_hessian(Si, Si @ W @ Si, d, 1.0)
    # the saturated model's parameters (mu, vech Sigma) in the engine's rank-2 form: mu_i moves mu by e_i,
    # sigma_ij moves Sigma by e_i e_j' + e_j e_i' (e_i e_i' on the diagonal); every pattern from one inverse
    ci = chol_inverse(sigma)
    stack = stack_patterns(parts, p)
    fac = pattern_factors(stack, ci[1], mu) if ci is not None else None
    if fac is None:
        raise np.linalg.LinAlgError("the saturated covariance matrix is not positive definite")
    Iv, Jv = _vech_index(p)
    t = np.arange(Iv.size)
    a, b, dmu = np.zeros((n, p)), np.zeros((n, p)), np.zeros((n, p))
    dmu[np.arange(p), np.arange(p)] = 1.0
    a[p + t, Iv] = 1.0
    b[p + t, Jv] = np.where(Iv == Jv, 0.5, 1.0)
    return fiml_moment_hessian(ci[1], parts, st.n, stack, fac, a, b, dmu)[0]


def _delta(model, imp, rows):
    """Jacobian of (mu, vech Sigma) with respect to the parameters in ``rows`` (columns)."""
    a, b, dmu, _ = model.derivatives(imp, rows)
    Iv, Jv = _vech_index(model.p)
    dcov = a[:, Iv] * b[:, Jv] + b[:, Iv] * a[:, Jv]
    return np.hstack([dmu, dcov]).T


def _ml_discrepancy(sigma, mu, S, m):
    p = S.shape[0]
    Si = np.linalg.inv(sigma)
    d = m - mu
    return 0.5 * (np.linalg.slogdet(sigma)[1] + np.sum((S + np.outer(d, d)) * Si) - np.linalg.slogdet(S)[1] - p)


def _corrected(problem, z, Wm, Wc, df):
    imps = problem.implied(z)
    N = problem.N
    XX3 = 0.0
    E = np.zeros((problem.nx, problem.nx))
    C = np.zeros_like(E)
    tr = 0.0
    for g, (imp, st) in enumerate(zip(imps, problem.stats)):
        fg = st.n / N
        XX3 += 2 * N * fg * _ml_discrepancy(imp.sigma, imp.mu, st.cov, st.mean)
        rows, cols = problem._group_rows[g], problem._group_cols[g]
        D = _delta(problem.model, imp, rows)
        E[np.ix_(cols, cols)] += fg * D.T @ Wm[g] @ D
        C[np.ix_(cols, cols)] += fg * D.T @ Wc[g] @ D
        tr += float(np.trace(Wc[g] @ np.linalg.inv(Wm[g])))
    K = problem.K
    Einv = K @ np.linalg.inv(K.T @ E @ K) @ K.T
    k = tr - float(np.trace(Einv @ C))
    return XX3, k / df


def fiml_corrected(fit, problem, z, inf, baseline) -> dict | None:
    """lavaan's FIML-corrected XX3, c.hat3 and their baseline counterparts (None when not computed)."""
    p = problem.model.p
    if p > MAX_VARIABLES:
        fit._notes.append(f"the FIML-corrected robust CFI/TLI/RMSEA were not computed: {p} observed variables "
                          f"(their cost grows with p^4; computed up to {MAX_VARIABLES})")
        return None
    Wm = [h1_observed(st, st.mean, st.cov) for st in problem.stats]
    Wc = []
    for st in problem.stats:
        Si = np.linalg.inv(st.cov)
        Wc.append(_moment_hessian(Si, Si, np.zeros(p), 1.0))
    from .inference import ndat

    nd = ndat(problem.model, problem.stats, True)
    df = nd - problem.nz
    XX3, c = _corrected(problem, z, Wm, Wc, df)
    bp = baseline["problem"]
    dfn = nd - bp.nz
    XX3n, cn = _corrected(bp, baseline["z"], Wm, Wc, dfn)
    return {"XX3": XX3, "df3": df, "c_hat3": c, "XX3_scaled": XX3 / c, "XX3_null": XX3n, "df3_null": dfn,
            "c_hat3_null": cn}
