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

Ordinal items (a WLSMV fit): Green and Yang's (2009) omega of the sum of the items' scores on their response
scale, as semTools (``compRelSEM``'s default ``ord.scale = TRUE``; its ``omegaCat``). With tau the model's
thresholds, T the factor's common covariance of the items' latent responses (lambda lambda' phi) and R the
sample's polychoric correlations,

    omega = sum_jj' [sum_cc' Phi2(tau_jc, tau_j'c'; T_jj') - sum_c Phi(tau_jc) sum_c' Phi(tau_j'c')]
            / sum_jj' [sum_cc' Phi2(tau_jc, tau_j'c'; R_jj') - (the same)],

Phi2 the bivariate normal distribution function (R_jj = 1). semTools 0.5-6's ``compRelSEM`` stops on models
with more than one factor of ordinal items; its ``reliability()`` ("omega3") gives these numbers.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import ndtr

from ...exceptions import InvalidParameterError
from ..correlation import _bvn_cdf

__all__ = ["composite_reliability"]


def _ordinal_ratio(imp, model, R: np.ndarray):
    """Green & Yang's (2009) omega of ordinal items in one group: ``ratio(true, idx)`` for the items ``idx``,
    ``true`` their common (factor) covariance on the latent-response scale, ``R`` the sample's polychoric
    correlations (see the module docstring)."""
    th_item = np.array([name.split("|")[0] for name in model.th_names])
    cuts = [np.asarray(imp.tau[th_item == item], dtype=float) for item in model.ov_names]
    low = [ndtr(c).sum() for c in cuts]  # sum over an item's thresholds of P(y* < tau)

    def below(t1, t2, r):
        """Sum over both items' thresholds of P(y1* < t1_c, y2* < t2_c') at correlation r."""
        h, k = np.meshgrid(t1, t2, indexing="ij")
        if r >= 1.0:  # an item with itself
            return float(ndtr(np.minimum(h, k)).sum())
        return float(_bvn_cdf(h.ravel(), k.ravel(), np.full(h.size, float(r))).sum())

    def ratio(true, idx):
        num = den = 0.0
        for a, j in enumerate(idx):
            for b, jp in enumerate(idx):
                marg = low[j] * low[jp]
                num += below(cuts[j], cuts[jp], true[a, b]) - marg
                den += below(cuts[j], cuts[jp], R[j, jp]) - marg
        return num / den

    return ratio


def composite_reliability(fit, *, higher=(), total: bool = True) -> pd.DataFrame:
    """Omega of every factor of a fitted :class:`~toolkit.factor.cfa.CFA`, as ``semTools::compRelSEM``.

    Parameters
    ----------
    fit : CFA
        A fitted model: continuous indicators, or ordinal ones (WLSMV: omega on the response scale, see the
        module docstring).
    higher : sequence of str
        Higher-order factors (factors measured by factors) to report, as compRelSEM's ``higher``; not for
        ordinal items.
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

    Ordinal items: the same sums on the response scale (Green & Yang), module docstring. In a group with scale
    factors (the later groups of a model with equal thresholds) the loadings are those of the standardized
    responses, ``delta lambda``, and the thresholds ``delta (tau - mu)``. Where we differ from semTools 0.5-6:
    it puts such a group's thresholds at ``delta tau``, leaving out the latent response means ``mu`` (its code
    marks this as a FIXME), so its omegas of that group differ from ours by the means' effect (0.003 in the
    reference test); the first group, and every model without latent means, agree to 1e-6.

    R equivalent: ``semTools::compRelSEM(fit, return.total = TRUE, higher = higher)``.

    References
    ----------
    Raykov, T. (1997). Estimation of composite reliability for congeneric measures. Applied Psychological
    Measurement, 21, 173-184.
    Green, S. B., & Yang, Y. (2009). Reliability of summed item scores using structural equation modeling: An
    alternative to coefficient alpha. Psychometrika, 74, 155-167.
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
    ordinal = getattr(fit, "estimator_", "ML") == "WLSMV"
    if ordinal and higher:
        raise InvalidParameterError("The 'higher' parameter of composite_reliability() is not available for ordinal "
                                    "(WLSMV) fits: their omegas are on the items' response scale (Green & Yang) for "
                                    "first-order factors and the total only.")
    model = fit._problem.model
    lv = model.lv_names
    higher = [higher] if isinstance(higher, str) else list(higher)
    unknown = [h for h in higher if h not in lv]
    if unknown:
        raise InvalidParameterError(f"The 'higher' parameter of composite_reliability() names {unknown}, which are "
                                    f"not factors of the model ({lv}).")
    rows = []
    G = len(fit.groups_)
    for imp, key in zip(fit._implieds, fit.groups_):
        S = fit.sample_[key]["cov"].to_numpy()  # WLSMV: the sample's polychoric correlations
        if ordinal:
            ratio = _ordinal_ratio(imp, model, S)
        else:
            def ratio(true, idx, S=S):
                return true.sum() / S[np.ix_(idx, idx)].sum()
        m_lv = len(lv)
        lam = imp.lam[:, :m_lv]
        if ordinal:  # loadings on the standardized responses: delta lambda
            lam = lam * imp.delta[:, None]
        phi = imp.lv_cov[:m_lv, :m_lv]
        beta = imp.beta[:m_lv, :m_lv]
        has = {f: np.flatnonzero(lam[:, j] != 0) for j, f in enumerate(lv)}
        facs = [f for f in lv if has[f].size > 1]
        for f in facs:
            j = lv.index(f)
            idx = has[f]
            common = np.outer(lam[idx, j], lam[idx, j]) * phi[j, j]
            rows.append((key, f, ratio(common, idx), idx.size, "factor"))
        if total and len(facs) > 1:
            cols = [lv.index(f) for f in facs]
            idx = np.flatnonzero((lam[:, cols] != 0).any(axis=1))
            L = lam[np.ix_(idx, cols)]
            common = L @ phi[np.ix_(cols, cols)] @ L.T
            rows.append((key, "total", ratio(common, idx), idx.size, "total"))
        for h in higher:
            hj = lv.index(h)
            firsts = [k for k in range(m_lv) if beta[k, hj] != 0]
            sel = [hj] + firsts
            idx = np.unique(np.concatenate([has[lv[k]] for k in sel])) if sel else np.array([], int)
            L = lam[np.ix_(idx, sel)]
            B = beta[np.ix_(sel, sel)]
            P = phi[np.ix_(sel, sel)]
            common = L @ B @ P @ B.T @ L.T
            rows.append((key, h, ratio(common, idx), idx.size, "higher-order"))
    out = pd.DataFrame(rows, columns=["group", "factor", "omega", "n_items", "kind"])
    if G == 1:
        out = out.drop(columns="group")
    return out
