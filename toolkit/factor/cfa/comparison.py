"""Chi-square difference tests between nested models, as ``lavaan::lavTestLRT``.

Models are ordered by their degrees of freedom; each is compared with the one before it. ML: the plain
difference of chi2 and df, with the RMSEA of the difference. MLR (Yuan-Bentler scaled tests): Satorra &
Bentler's (2001) scaled difference, T = (T0 - T1) / cd with cd = (df0 c0 - df1 c1) / (df0 - df1) from the
unscaled statistics T and scaling factors c. WLSMV: the scaled-shifted difference of Satorra (2000), as
lavaan's ``satorra.2000`` (``A.method = "delta"``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from ..._checks import warn
from ...exceptions import CFAWarning, InvalidParameterError
from .fit_measures import _rmsea

__all__ = ["compare_models"]


def compare_models(*fits, names=None) -> pd.DataFrame:
    """Chi-square difference tests of nested fitted models (lavaan's ``lavTestLRT``).

    Parameters
    ----------
    *fits : CFA
        Two or more fitted models of the same data (nested: each restricts the one with fewer df).
    names : sequence of str, optional
        Row names (default ``model1``, ``model2``, ... in the order given).

    Returns
    -------
    DataFrame
        One row per model, ordered by df: ``df``, ``aic``, ``bic``, ``chisq``, ``chisq_diff``, ``df_diff``,
        ``p`` and, without scaling, ``rmsea_diff``; with scaling (MLR) ``chisq_diff`` is the scaled
        difference and ``scaling_diff`` its factor cd.

    Notes
    -----
    Plain: chi2_diff = T0 - T1 on df0 - df1 degrees of freedom; RMSEA_diff = sqrt(max(chi2_diff / (N
    df_diff) - 1/N, 0)) sqrt(G). Scaled (Satorra-Bentler 2001): cd = (df0 c0 - df1 c1)/(df0 - df1),
    chi2_diff = (T0 - T1)/cd.

    R equivalent: ``lavaan::lavTestLRT(fit1, fit2, ...)``.

    References
    ----------
    Satorra, A., & Bentler, P. M. (2001). A scaled difference chi-square test statistic for moment
    structure analysis. Psychometrika, 66, 507-514.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from toolkit.factor.cfa import cfa
    >>> rng = np.random.default_rng(5)
    >>> f = rng.normal(size=(500, 2)) @ np.linalg.cholesky([[1, .5], [.5, 1]]).T
    >>> X = np.hstack([f[:, [0]] * [.8, .7, .6], f[:, [1]] * [.8, .7, .6]]) + rng.normal(scale=.6, size=(500, 6))
    >>> d = pd.DataFrame(X, columns=["a", "b", "c", "d", "e", "f"])
    >>> two = cfa(d, "F1 =~ a + b + c\\n F2 =~ d + e + f")
    >>> one = cfa(d, "F =~ a + b + c + d + e + f")
    >>> t = compare_models(two, one, names=["two", "one"])
    >>> t.index.tolist(), int(t.loc["one", "df_diff"])
    (['two', 'one'], 1)
    """
    if len(fits) < 2:
        raise InvalidParameterError("compare_models() needs two or more fitted models.")
    names = list(names) if names is not None else [f"model{i + 1}" for i in range(len(fits))]
    if len(names) != len(fits):
        raise InvalidParameterError(f"compare_models() got {len(fits)} models but {len(names)} names.")
    for f in fits:
        f._check_fitted("compare_models()")
    wlsmv = [getattr(f, "estimator_", "ML") == "WLSMV" for f in fits]
    if any(wlsmv) and not all(wlsmv):
        raise InvalidParameterError("compare_models(): some models (but not all) are WLSMV fits; fit them with the "
                                    "same estimator.")
    n = {sum(f.n_obs_.values()) for f in fits}
    if len(n) > 1:
        raise InvalidParameterError(f"compare_models() needs models of the same rows; they use {sorted(n)} rows. "
                                    "Fit them to the same data (missing values dropped the same way).")
    scaled = [("chisq_scaled" in f.test_) for f in fits]
    if any(scaled) and not all(scaled[i] or fits[i].test_["df"] == 0 for i in range(len(fits))):
        raise InvalidParameterError("compare_models(): some models (but not all) have scaled test statistics; fit "
                                    "them with the same estimator.")
    scaled = any(scaled)
    order = sorted(range(len(fits)), key=lambda i: fits[i].test_["df"])
    fits = [fits[i] for i in order]
    names = [names[i] for i in order]
    df = np.array([f.test_["df"] for f in fits], dtype=float)
    T = np.array([f.test_["chisq"] for f in fits])
    dT = np.r_[np.nan, np.diff(T)]
    ddf = np.r_[np.nan, np.diff(df)]
    if np.any(dT[1:] < -np.finfo(float).eps ** (1 / 3)):
        warn("some restricted models fit better than less restricted ones: the models are not nested, or the "
             f"less restricted model did not reach its optimum (smallest difference {np.nanmin(dT[1:]):.4g})",
             CFAWarning)
    out = pd.DataFrame({"df": df, "aic": [f.fit_measures_.get("aic", np.nan) for f in fits],
                        "bic": [f.fit_measures_.get("bic", np.nan) for f in fits], "chisq": T}, index=names)
    if all(wlsmv):
        a_b = [(np.nan, np.nan)]
        for m in range(1, len(fits)):
            out = _satorra_2000(fits[m - 1], fits[m])
            dT[m], ddf[m] = out["T"], out["df"]
            a_b.append((out["a"], out["b"]))
        out = pd.DataFrame({"df": df, "chisq": T}, index=names)
        out["chisq_diff"] = dT
        out["df_diff"] = ddf
        out["p"] = stats.chi2.sf(dT, ddf)
        out["shift_a"] = [v[0] for v in a_b]
        out["shift_b"] = [v[1] for v in a_b]
        return out
    if scaled:
        cds = [np.nan]
        for m in range(1, len(fits)):
            r1, r0 = df[m - 1], df[m]
            c1 = fits[m - 1].test_.get("scaling_factor", 1.0) if r1 > 0 else 1.0
            c0 = fits[m].test_.get("scaling_factor", 1.0)
            k = r0 - r1
            if k == 0:
                cds.append(np.nan)
                continue
            cd = (r0 * c0 - r1 * c1) / k
            if cd < 0:
                warn("the scaling factor of a chi-square difference is negative, so the scaled difference cannot "
                     "be computed (lavaan gives NA); compare the models with their scaled fit indices instead",
                     CFAWarning)
                cd = np.nan
            dT[m] = dT[m] / cd
            cds.append(cd)
        out["chisq_diff"] = dT
        out["df_diff"] = ddf
        out["p"] = stats.chi2.sf(dT, ddf)
        out["scaling_diff"] = cds
    else:
        N = sum(fits[0].n_obs_.values())
        G = len(fits[0].groups_)
        out["chisq_diff"] = dT
        out["df_diff"] = ddf
        out["rmsea_diff"] = [np.nan] + [_rmsea(dT[m], ddf[m], N, G) for m in range(1, len(fits))]
        out["p"] = stats.chi2.sf(dT, ddf)
    return out


def _satorra_2000(m1, m0) -> dict:
    """The scaled-shifted difference of two WLSMV fits (m1 less restricted), lavaan's ``satorra.2000`` with
    ``A.method = "delta"``: A spans the part of m1's parameter space that m0 leaves out, U = V Delta1
    P^-1 A'(A P^-1 A')^+ A P^-1 Delta1' V, and with tr(UGamma), tr((UGamma)^2) the difference is
    T = (T0 - T1) a + b, a = sqrt(m / tr((UGamma)^2)), b = m - a tr(UGamma)."""
    from scipy.linalg import null_space

    w1, w0 = m1._wls, m0._wls
    T1, r1 = m1.test_["chisq"], m1.test_["df"]
    T0, r0 = m0.test_["chisq"], m0.test_["df"]
    m = r0 - r1
    if m == 0:
        return {"T": T0 - T1, "df": 0, "a": np.nan, "b": np.nan}
    K1 = w1.null_space
    K0 = w0.null_space
    D1 = np.vstack(w1.delta) @ K1
    D0 = np.vstack(w0.delta) @ K0
    H = np.linalg.pinv(D1) @ D0
    A = null_space(H.T).T @ K1.T
    Pinv = w1.information_inverse
    APA = A @ Pinv @ A.T
    keep = ~((np.abs(APA.sum(axis=0)) < np.sqrt(np.finfo(float).eps)) &
             (np.abs(APA.sum(axis=1)) < np.sqrt(np.finfo(float).eps)))
    A = A[keep]
    PAAPAAP = Pinv @ A.T @ np.linalg.pinv(A @ Pinv @ A.T) @ A @ Pinv
    samples = m1._wls_samples
    N = sum(s.n_obs for s in samples)
    blocks_V, blocks_G = [], []
    for s in samples:
        wgt = np.asarray(s.weight)
        blocks_V.append(np.diag(wgt) if wgt.ndim == 1 else wgt)
        blocks_G.append(s.n_obs / N * np.asarray(s.gamma))
    from scipy.linalg import block_diag

    V = block_diag(*blocks_V)
    Gam = block_diag(*blocks_G)
    PI = np.vstack(w1.delta)
    U = V @ PI @ PAAPAAP @ PI.T @ V
    UG = U @ Gam
    tr1 = float(np.trace(UG))
    tr2 = float(np.sum(UG * UG.T))
    a = np.sqrt(m / tr2)
    b = m - a * tr1
    return {"T": (T0 - T1) * a + b, "df": m, "a": a, "b": b}
