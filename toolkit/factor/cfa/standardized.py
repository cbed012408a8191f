"""Standardized solutions (lavaan's std.lv, std.all, std.nox) and R-squared.

``std_lv`` rescales by the factors' model-implied standard deviations; ``std_all`` also by the observed
variables' implied standard deviations; ``std_nox`` like ``std_all`` except that exogenous covariates keep
their own metric. (Residual) covariances become correlations of the residuals (lavaan's ``cov.std =
TRUE``: divided by the square roots of the two residual variances).
"""

from __future__ import annotations

import numpy as np

__all__ = ["standardize", "r_squared"]


def _sqrt_pos(v):
    v = np.asarray(v, dtype=float)
    out = np.full(v.shape, np.nan)
    ok = v > 0
    out[ok] = np.sqrt(v[ok])
    return out


def _lookup(table, names):
    return np.array([table.get(n, np.nan) for n in names])


def standardize(model, implieds: list, lhs, op, rhs, group, est, *, ov_var=None):
    """(std_lv, std_all, std_nox) for table rows (``group`` 0-based) given estimates ``est``.

    ``implieds`` are the groups' :class:`~toolkit.factor.cfa.matrices.Implied`; residual variances for the
    ``cov.std`` rule are taken from ``est`` itself (rows ``v ~~ v``), as lavaan does.
    """
    lhs, op, rhs = np.asarray(lhs, dtype=object), np.asarray(op, dtype=object), np.asarray(rhs, dtype=object)
    group = np.asarray(group, dtype=int)
    est = np.asarray(est, dtype=float)
    lv = model.lv_names
    ov = model.ov_names
    ov_x = set(model.vsets.ov_x)
    std_lv = est.copy()
    std_all = np.full(est.shape, np.nan)
    std_nox = np.full(est.shape, np.nan)
    is_lv_l = np.isin(lhs, lv)
    is_lv_r = np.isin(rhs, lv)
    for g, imp in enumerate(implieds):
        sel = group == g
        eta = _sqrt_pos(np.diag(imp.lv_cov)[: len(lv)])
        eta_of = dict(zip(lv, eta))
        ovsd = _sqrt_pos(np.diag(imp.sigma))
        ov_of = dict(zip(ov, ovsd))
        var_rows = sel & (op == "~~") & (lhs == rhs)
        rv_of = {a: np.sqrt(abs(e)) for a, e in zip(lhs[var_rows], est[var_rows])}
        out = est.copy()

        def E(names, eta_of=eta_of):
            return _lookup(eta_of, names)

        def Osd(names, nox=False, ov_of=ov_of):
            return np.array([1.0 if (nox and n in ov_x) else ov_of.get(n, np.nan) for n in names])

        def RV(names, rv_of=rv_of):
            return _lookup(rv_of, names)

        # std.lv
        i = sel & (op == "=~") & ~is_lv_r
        out[i] = out[i] * E(lhs[i])
        i = sel & (op == "=~") & is_lv_r
        out[i] = out[i] * E(lhs[i]) / E(rhs[i])
        i = sel & (op == "~") & is_lv_l
        out[i] = out[i] / E(lhs[i])
        i = sel & (op == "~") & is_lv_r
        out[i] = out[i] * E(rhs[i])
        i = sel & (op == "~~") & is_lv_r & (lhs == rhs)
        out[i] = out[i] / E(lhs[i]) ** 2
        i = sel & (op == "~~") & is_lv_l & (lhs != rhs)
        out[i] = out[i] / RV(lhs[i])
        i = sel & (op == "~~") & is_lv_r & (lhs != rhs)
        out[i] = out[i] / RV(rhs[i])
        i = sel & (op == "~1") & is_lv_l
        out[i] = out[i] / E(lhs[i])
        std_lv[sel] = out[sel]
        for nox, target in ((False, std_all), (True, std_nox)):
            o2 = out.copy()
            i = sel & (op == "=~") & ~is_lv_r
            o2[i] = o2[i] / Osd(rhs[i], nox)
            i = sel & (op == "~") & ~is_lv_l
            o2[i] = o2[i] / Osd(lhs[i], nox)
            i = sel & (op == "~") & ~is_lv_r
            o2[i] = o2[i] * Osd(rhs[i], nox)
            i = sel & (op == "~~") & ~is_lv_l & (lhs == rhs)
            o2[i] = o2[i] / Osd(lhs[i], nox) ** 2
            i = sel & (op == "~~") & ~is_lv_l & (lhs != rhs)
            o2[i] = o2[i] / RV(lhs[i])
            i = sel & (op == "~~") & ~is_lv_r & (lhs != rhs)
            o2[i] = o2[i] / RV(rhs[i])
            i = sel & np.isin(op, ["~1", "|"]) & ~is_lv_l
            o2[i] = o2[i] / Osd(lhs[i], nox)
            target[sel] = o2[sel]
    return std_lv, std_all, std_nox


def r_squared(model, implieds: list, partable, est) -> list:
    """Per group, {variable: R2} for every endogenous variable (indicators, dependent variables, factors
    that are indicators or outcomes), as ``lavInspect(fit, "rsquare")``."""
    lhs = partable["lhs"].to_numpy()
    op = partable["op"].to_numpy()
    rhs = partable["rhs"].to_numpy()
    grp = partable["group"].to_numpy()
    est = np.asarray(est)
    indicators = set(rhs[op == "=~"])
    outcomes = set(lhs[op == "~"])
    endo_ov = [v for v in model.ov_names if v in indicators or v in outcomes]
    endo_lv = [v for v in model.lv_names if v in indicators or v in outcomes]
    is_var = (op == "~~") & (lhs == rhs)
    out = []
    for g, imp in enumerate(implieds):
        sel = is_var & (grp == g + 1)
        resvar = dict(zip(lhs[sel], est[sel]))
        r2 = {}
        for v in endo_ov:
            i = model.ov_pos[v]
            total = imp.sigma[i, i]
            res = imp.theta[i, i] if v in model.ordered else resvar.get(v, np.nan)
            r2[v] = 1 - res / total if total > 0 else np.nan
        for v in endo_lv:
            i = model.lat_pos[v]
            total = imp.lv_cov[i, i]
            r2[v] = 1 - resvar.get(v, np.nan) / total if total > 0 else np.nan
        out.append(r2)
    return out
