"""Composite reliability (omega) from a fitted factor model, as ``semTools::compRelSEM``.

For a factor f with loadings lambda on its indicators, factor variance phi (the model-implied variance,
``lavInspect(fit, "cov.lv")``) and S the observed covariance matrix of those indicators (``obs.var = TRUE``,
divisor N; the EM estimate under FIML),

    omega_f = (sum lambda)^2 phi / 1'S1.

In a bifactor model this is omega hierarchical of the general factor (its indicators are all items) and
the hierarchical omega of each specific factor's subscale; ``total`` (``return.total = TRUE``) is
1'Lambda Phi Lambda'1 / 1'S1 over every indicator (omega total). A higher-order factor h (``higher``)
gets the share of the total score of its first-order factors' items that it explains:
1'Lambda B Phi B' Lambda'1 / 1'S1 with B the second-order loadings.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...exceptions import InvalidParameterError

__all__ = ["composite_reliability"]


def composite_reliability(fit, *, higher=(), total: bool = True) -> pd.DataFrame:
    """Omega of every factor of a fitted :class:`~toolkit.factor.cfa.CFA`, as ``semTools::compRelSEM``.

    Parameters
    ----------
    fit : CFA
        A fitted model (continuous indicators).
    higher : sequence of str
        Higher-order factors (factors measured by factors) to report, as compRelSEM's ``higher``.
    total : bool
        Add the reliability of the total score of all indicators (compRelSEM's ``return.total``), when the
        model has two or more factors with indicators.

    Returns
    -------
    DataFrame
        One row per factor (and ``total``), per group when there are groups: ``factor``, ``omega``,
        ``n_items`` and ``kind`` (``"factor"``, ``"higher-order"`` or ``"total"``).

    Notes
    -----
    omega_f = (sum_i lambda_if)^2 phi_f / 1'S_f 1, with phi_f the model-implied factor variance and S_f the
    observed covariance matrix of f's indicators; factors with a single indicator are left out (compRelSEM's
    ``dropSingle``); total = 1'Lambda Phi Lambda'1 / 1'S1; higher-order h: 1'Lambda B_h Phi_h B_h'
    Lambda'1 / 1'S1 over the items of h's first-order factors.

    R equivalent: ``semTools::compRelSEM(fit, return.total = TRUE, higher = higher)``.

    References
    ----------
    Raykov, T. (1997). Estimation of composite reliability for congeneric measures. Applied Psychological
    Measurement, 21, 173-184.
    Rodriguez, A., Reise, S. P., & Haviland, M. G. (2016). Evaluating bifactor models: Calculating and
    interpreting statistical indices. Psychological Methods, 21, 137-150.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from toolkit.factor.cfa import cfa
    >>> rng = np.random.default_rng(1)
    >>> f = rng.normal(size=(300, 1))
    >>> df = pd.DataFrame(f @ [[0.8, 0.7, 0.6, 0.5]] + rng.normal(scale=0.6, size=(300, 4)), columns=list("abcd"))
    >>> composite_reliability(cfa(df, "g =~ a + b + c + d", std_lv=True))[["factor", "omega"]].round(3).values.tolist()
    [['g', 0.809]]
    """
    fit._check_fitted("composite_reliability()")
    if getattr(fit, "estimator_", "ML") == "WLSMV":
        raise InvalidParameterError("composite_reliability() is for continuous indicators; for ordinal items use "
                                    "the model fitted to the item scores (semTools' ord.scale route is not here).")
    model = fit._problem.model
    lv = model.lv_names
    ov = model.ov_names
    higher = [higher] if isinstance(higher, str) else list(higher)
    unknown = [h for h in higher if h not in lv]
    if unknown:
        raise InvalidParameterError(f"The 'higher' parameter of composite_reliability() names {unknown}, which are "
                                    f"not factors of the model ({lv}).")
    rows = []
    G = len(fit.groups_)
    for imp, key in zip(fit._implieds, fit.groups_):
        S = fit.sample_[key]["cov"].to_numpy()
        m_lv = len(lv)
        lam = imp.lam[:, :m_lv]
        phi = imp.lv_cov[:m_lv, :m_lv]
        beta = imp.beta[:m_lv, :m_lv]
        has = {f: np.flatnonzero(lam[:, j] != 0) for j, f in enumerate(lv)}
        facs = [f for f in lv if has[f].size > 1]
        for f in facs:
            j = lv.index(f)
            idx = has[f]
            common = lam[idx, j].sum() ** 2 * phi[j, j]
            rows.append((key, f, common / S[np.ix_(idx, idx)].sum(), idx.size, "factor"))
        if total and len(facs) > 1:
            cols = [lv.index(f) for f in facs]
            idx = np.flatnonzero((lam[:, cols] != 0).any(axis=1))
            L = lam[np.ix_(idx, cols)]
            common = (L @ phi[np.ix_(cols, cols)] @ L.T).sum()
            rows.append((key, "total", common / S[np.ix_(idx, idx)].sum(), idx.size, "total"))
        for h in higher:
            hj = lv.index(h)
            firsts = [k for k in range(m_lv) if beta[k, hj] != 0]
            sel = [hj] + firsts
            idx = np.unique(np.concatenate([has[lv[k]] for k in sel])) if sel else np.array([], int)
            L = lam[np.ix_(idx, sel)]
            B = beta[np.ix_(sel, sel)]
            P = phi[np.ix_(sel, sel)]
            common = (L @ B @ P @ B.T @ L.T).sum()
            rows.append((key, h, common / S[np.ix_(idx, idx)].sum(), idx.size, "higher-order"))
    out = pd.DataFrame(rows, columns=["group", "factor", "omega", "n_items", "kind"])
    if G == 1:
        out = out.drop(columns="group")
    del ov
    return out
