"""Standard errors and test statistics as lavaan computes them by default.

=============  =====================================  ==========================================
estimator      standard errors                        test
=============  =====================================  ==========================================
ML             inverse expected information           chi2 = 2 N fmin
ML + FIML      inverse observed information           chi2 = 2 N fmin (= -2 (logl - logl_h1))
MLR            Huber-White sandwich A^-1 B A^-1 / N   Yuan-Bentler scaled chi2 (Mplus variant)
=============  =====================================  ==========================================

A is the observed information (the Hessian of fmin, lavaan's ``observed.information = "hessian"``), B the
mean of the outer products of the casewise scores at the model-implied moments (``h1.information.meat =
"structured"``). The Yuan-Bentler scaling factor is c = (tr(B1 A1^-1) - tr(B0 E^-1)) / df with A1, B1 the
unstructured (saturated) information and first-order information and E the model's information
(lavaan's ``yuan.bentler.mplus``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

__all__ = ["Inference", "standard_errors", "yuan_bentler_trace", "ndat"]


@dataclass
class Inference:
    """What the standard-error and test computations produce."""

    vcov_z: np.ndarray | None
    vcov_x: np.ndarray | None
    info_z: np.ndarray | None          # the (per observation) information used as the bread
    meat_z: np.ndarray | None = None   # B (MLR)
    ok: bool = True
    message: str = ""
    extra: dict = field(default_factory=dict)


def ndat(model, stats, meanstructure: bool) -> int:
    """Number of sample statistics (lavaan's ``ndat``), covariate moments excluded under fixed.x."""
    p = model.p
    nx = len(model.vsets.ov_x)
    per = p * (p + 1) // 2 - nx * (nx + 1) // 2
    if meanstructure:
        per += p - nx
    return per * len(stats)


def _inverse(M: np.ndarray):
    """Inverse of a symmetric information matrix, or None when it is singular (not identified)."""
    if M.size == 0:
        return M.copy()
    w = np.linalg.eigvalsh(M)
    if w.min() <= 1e-12 * max(1.0, w.max()):
        return None
    return np.linalg.inv(M)


def standard_errors(problem, z, kind: str) -> Inference:
    """Covariance matrix of the estimates. ``kind``: "expected", "observed" or "robust"."""
    N = problem.N
    K = problem.K
    if kind == "expected":
        A = K.T @ problem.expected_information(z) @ K
    else:
        # the Hessian of the last Newton step is reused when it was taken this close to the estimates: the
        # difference is far below the precision of a standard error
        A = problem.observed_information(z, reuse=1e-7)
    Ainv = _inverse(A)
    if Ainv is None:
        return Inference(vcov_z=None, vcov_x=None, info_z=A, ok=False,
                         message="the information matrix is singular, so standard errors cannot be computed; the "
                                 "model may not be identified (too few indicators per factor, or a parameter "
                                 "that the data cannot tell apart from another)")
    if kind == "robust":
        scores = problem.casewise_scores(z)
        Bx = sum(sc.T @ sc for sc in scores) / N
        B = K.T @ Bx @ K
        Vz = Ainv @ B @ Ainv / N
        return Inference(vcov_z=Vz, vcov_x=K @ Vz @ K.T, info_z=A, meat_z=B, extra={"Bx": Bx})
    Vz = Ainv / N
    return Inference(vcov_z=Vz, vcov_x=K @ Vz @ K.T, info_z=A)


def h1_trace(stats, meanstructure: bool) -> tuple[float, int]:
    """Sum over groups of tr(B1 A1^-1) for the saturated model of complete data, and its ndat.

    With r_i = y_i - ybar and d_i = r_i' S^-1 r_i: the mean part contributes mean(d_i) = p, the covariance
    part 0.5 (mean(d_i^2) - p).
    """
    total, nd = 0.0, 0
    for st in stats:
        p = st.X.shape[1]
        R = st.X - st.mean
        d = np.einsum("ij,jk,ik->i", R, np.linalg.inv(st.cov), R)
        total += 0.5 * (np.mean(d ** 2) - p)
        nd += p * (p + 1) // 2
        if meanstructure:
            total += np.mean(d)
            nd += p
    return float(total), nd


def yuan_bentler_trace(problem, inf: Inference, df: int) -> dict:
    """The Yuan-Bentler (Mplus) scaling of chi2 for MLR; keys as lavaan's test list."""
    tr_h1, nd = h1_trace(problem.stats, problem.meanstructure)
    tr_h0 = float(np.trace(inf.meat_z @ np.linalg.inv(inf.info_z)))
    trace = tr_h1 - tr_h0
    c = trace / df if df > 0 else np.nan
    if np.isfinite(c) and c < 0:
        c = np.nan
    return {"trace_UGamma": trace, "scaling_factor": c, "scaling_factor_h1": tr_h1 / nd,
            "scaling_factor_h0": tr_h0 / problem.nx}
