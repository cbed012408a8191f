"""Standardized solutions (lavaan's std.lv, std.all, std.nox) and R-squared.

``std_lv`` rescales by the factors' model-implied standard deviations; ``std_all`` also by the observed
variables' implied standard deviations; ``std_nox`` like ``std_all`` except that exogenous covariates keep
their own metric. (Residual) covariances become correlations of the residuals (lavaan's ``cov.std =
TRUE``: divided by the square roots of the two residual variances).
"""

from __future__ import annotations

import numpy as np

__all__ = ["standardize", "std_all_jacobian", "r_squared"]


def _sqrt_pos(v):
    v = np.asarray(v, dtype=float)
    out = np.full(v.shape, np.nan)
    ok = v > 0
    out[ok] = np.sqrt(v[ok])
    return out


def _plan(model, lhs, op, rhs, group) -> list:
    """The rescaling steps of :func:`standardize` for these rows, found once from the names (the same rows
    come back at every evaluation of a Jacobian by differences).

    Per group: ``(sel, lv_steps, all_steps, nox_steps)``; a step is ``(rows, kind, index, how)``: the rows
    are multiplied (``"mul"``), divided (``"div"``) or divided by the square (``"div2"``) by entry ``index``
    of the group's factor SDs (``"eta"``), observed SDs (``"ov"``; one past the end is NaN, two past it is
    1) or residual SDs (``"rv"``, by table row; one past the end is NaN).
    """
    key = (tuple(lhs), tuple(op), tuple(rhs), tuple(group))
    cache = model.__dict__.setdefault("_std_plans", {})
    if key in cache:
        return cache[key]
    lv, ov = model.lv_names, model.ov_names
    ov_x = set(model.vsets.ov_x)
    lv_pos = {v: k for k, v in enumerate(lv)}
    ov_pos = {v: k for k, v in enumerate(ov)}
    is_lv_l = np.isin(lhs, lv)
    is_lv_r = np.isin(rhs, lv)
    n_est = len(lhs)
    plan = []
    for g in range(model.ngroups):
        sel = group == g
        var_rows = np.flatnonzero(sel & (op == "~~") & (lhs == rhs))
        rv_row = {}
        for r in var_rows:            # the last row of a name wins, as in a dict built from the rows
            rv_row[lhs[r]] = r

        def step(mask, kind, names, how, nox=False, rv_row=rv_row):
            rows = np.flatnonzero(mask)
            names = names[rows]
            if kind == "eta":
                idx = [lv_pos.get(n, len(lv)) for n in names]
            elif kind == "ov":
                idx = [len(ov) + 1 if (nox and n in ov_x) else ov_pos.get(n, len(ov)) for n in names]
            else:
                idx = [rv_row.get(n, n_est) for n in names]
            return rows, kind, np.array(idx, dtype=int), how

        eq, ne = lhs == rhs, lhs != rhs
        lv_steps = [
            step(sel & (op == "=~") & ~is_lv_r, "eta", lhs, "mul"),
            step(sel & (op == "=~") & is_lv_r, "eta", lhs, "mul"),
            step(sel & (op == "=~") & is_lv_r, "eta", rhs, "div"),
            step(sel & (op == "~") & is_lv_l, "eta", lhs, "div"),
            step(sel & (op == "~") & is_lv_r, "eta", rhs, "mul"),
            step(sel & (op == "~~") & is_lv_r & eq, "eta", lhs, "div2"),
            step(sel & (op == "~~") & is_lv_l & ne, "rv", lhs, "div"),
            step(sel & (op == "~~") & is_lv_r & ne, "rv", rhs, "div"),
            step(sel & (op == "~1") & is_lv_l, "eta", lhs, "div"),
        ]
        ov_steps = []
        for nox in (False, True):
            ov_steps.append([
                step(sel & (op == "=~") & ~is_lv_r, "ov", rhs, "div", nox),
                step(sel & (op == "~") & ~is_lv_l, "ov", lhs, "div", nox),
                step(sel & (op == "~") & ~is_lv_r, "ov", rhs, "mul", nox),
                step(sel & (op == "~~") & ~is_lv_l & eq, "ov", lhs, "div2", nox),
                step(sel & (op == "~~") & ~is_lv_l & ne, "rv", lhs, "div"),
                step(sel & (op == "~~") & ~is_lv_r & ne, "rv", rhs, "div"),
                step(sel & np.isin(op, ["~1", "|"]) & ~is_lv_l, "ov", lhs, "div", nox),
            ])
        plan.append((sel, [s for s in lv_steps if s[0].size], *[[s for s in st if s[0].size] for st in ov_steps]))
    cache[key] = plan
    return plan


def _apply(out, steps, vectors):
    for rows, kind, idx, how in steps:
        v = vectors[kind][idx]
        if how == "mul":
            out[rows] = out[rows] * v
        elif how == "div":
            out[rows] = out[rows] / v
        else:
            out[rows] = out[rows] / v ** 2


def standardize(model, implieds: list, lhs, op, rhs, group, est, *, ov_var=None):
    """(std_lv, std_all, std_nox) for table rows (``group`` 0-based) given estimates ``est``.

    ``implieds`` are the groups' :class:`~toolkit.factor.cfa.matrices.Implied`; residual variances for the
    ``cov.std`` rule are taken from ``est`` itself (rows ``v ~~ v``), as lavaan does.
    """
    lhs, op, rhs = np.asarray(lhs, dtype=object), np.asarray(op, dtype=object), np.asarray(rhs, dtype=object)
    group = np.asarray(group, dtype=int)
    est = np.asarray(est, dtype=float)
    nlv = len(model.lv_names)
    std_lv = est.copy()
    std_all = np.full(est.shape, np.nan)
    std_nox = np.full(est.shape, np.nan)
    rv = np.append(np.sqrt(np.abs(est)), np.nan)
    for (sel, lv_steps, all_steps, nox_steps), imp in zip(_plan(model, lhs, op, rhs, group), implieds):
        vectors = {"eta": np.append(_sqrt_pos(np.diag(imp.lv_cov)[:nlv]), np.nan),
                   "ov": np.append(_sqrt_pos(np.diag(imp.sigma)), [np.nan, 1.0]), "rv": rv}
        out = est.copy()
        _apply(out, lv_steps, vectors)
        std_lv[sel] = out[sel]
        for steps, target in ((all_steps, std_all), (nox_steps, std_nox)):
            o2 = out.copy()
            _apply(o2, steps, vectors)
            target[sel] = o2[sel]
    scale = op == "~*~"  # a latent response's scale factor, on the standardized response's own scale: 1
    std_all[scale] = std_nox[scale] = 1.0
    return std_lv, std_all, std_nox


def std_all_jacobian(model, implieds: list, lhs, op, rhs, group, est, free_rows) -> np.ndarray:
    """d std_all / d x (rows x free parameters ``free_rows``, table rows), analytic.

    Every standardized value is est_i F_i with F_i a product of powers (+-1, -2) of factor SDs sqrt(U_jj),
    observed SDs sqrt(Sigma_jj) and residual SDs sqrt|est_r|, so d(est_i F_i) = F_i d est_i +
    est_i F_i sum_s e_s d log s, with d Sigma_jj = 2 a_j b_j from the rank-2 derivatives of Sigma and
    d U_jj from :meth:`LisrelModel.lv_variance_derivatives`. Not for ordinal indicators (their residual
    variances, hence est, follow Sigma).
    """
    lhs, op, rhs = np.asarray(lhs, dtype=object), np.asarray(op, dtype=object), np.asarray(rhs, dtype=object)
    group = np.asarray(group, dtype=int)
    est = np.asarray(est, dtype=float)
    free_rows = np.asarray(free_rows, dtype=int)
    n, nx = est.size, free_rows.size
    nlv = len(model.lv_names)
    J = np.full((n, nx), np.nan)
    rv = np.append(np.sqrt(np.abs(est)), np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        dlog_rv = np.zeros((n + 1, nx))
        dlog_rv[free_rows, np.arange(nx)] = 0.5 / est[free_rows]
        dlog_rv[n] = np.nan
    own = np.zeros((n, nx))
    own[free_rows, np.arange(nx)] = 1.0
    for g, ((sel, lv_steps, all_steps, _), imp) in enumerate(zip(_plan(model, lhs, op, rhs, group), implieds)):
        cols = np.flatnonzero(model.group[free_rows] == g)
        a, b, _, _ = model.derivatives(imp, free_rows[cols])
        u = np.diag(imp.lv_cov)[:nlv]
        s2 = np.diag(imp.sigma)
        vectors = {"eta": np.append(_sqrt_pos(u), np.nan), "ov": np.append(_sqrt_pos(s2), [np.nan, 1.0]), "rv": rv}
        with np.errstate(divide="ignore", invalid="ignore"):
            d_eta = np.zeros((nlv + 1, nx))
            d_eta[:nlv, cols] = model.lv_variance_derivatives(imp, free_rows[cols])[:, :nlv].T / (2 * u[:, None])
            d_eta[nlv] = np.nan
            d_ov = np.zeros((model.p + 2, nx))
            d_ov[:model.p, cols] = (a * b).T / s2[:, None]          # d Sigma_jj / (2 Sigma_jj)
            d_ov[model.p] = np.nan
        dlog = {"eta": d_eta, "ov": d_ov, "rv": dlog_rv}
        F = np.ones(n)
        L = np.zeros((n, nx))
        for rows, kind, idx, how in lv_steps + all_steps:
            v = vectors[kind][idx]
            e = {"mul": 1.0, "div": -1.0, "div2": -2.0}[how]
            F[rows] = F[rows] * v ** e
            L[rows] += e * dlog[kind][idx]
        with np.errstate(invalid="ignore"):
            Jg = F[:, None] * own + (est * F)[:, None] * L
        J[sel] = Jg[sel]
    return J


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
