"""Modification indices and expected parameter changes (lavaan's ``modindices``).

The candidates are lavaan's (``lav_partable_full``): every loading of an indicator on every factor, every
(residual) covariance among indicators, every factor (co)variance, every regression among the variables
that already take part in regressions, and every intercept and mean when the model has a mean structure;
parameters the model fixes (a marker loading, a zero covariance) are candidates too. For a candidate j with
fit-function gradient g_j and expected information I (per observation) of the model extended by all
candidates,

    V_j = I_jj - I_j,m (I_m,m)^-1 I_m,j,     MI_j = N g_j^2 / V_j,     EPC_j = -g_j / V_j,

where m are the model's free parameters (with its equality constraints). Candidates with V_j below
eps^(1/3) are not identified and are left out, as in lavaan. The standardized EPCs rescale |EPC| like a
parameter estimate (:mod:`.standardized`), keeping its sign.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .matrices import LisrelModel
from .objective import Problem
from .standardized import standardize

__all__ = ["modification_indices", "candidates"]


def _key(lhs, op, rhs):
    if op == "~~" and rhs < lhs:
        return (rhs, op, lhs)
    return (lhs, op, rhs)


def candidates(model: LisrelModel, meanstructure: bool) -> list:
    """(lhs, op, rhs) of lavaan's full parameter list for one group."""
    pt = model.partable
    vs = model.vsets
    lv = model.lv_names
    ov = model.ov_names
    ov_x = set(vs.ov_x)
    ov_nox = [v for v in ov if v not in ov_x]
    ov_ind = set(vs.ov_ind)
    ops = pt["op"].to_numpy()
    eqs_y = list(dict.fromkeys(pt.loc[ops == "~", "lhs"]))
    eqs_x = list(dict.fromkeys(pt.loc[ops == "~", "rhs"]))
    eqs = list(dict.fromkeys(eqs_y + eqs_x))
    out = []
    for f in lv:
        for v in ov_nox:
            if v not in eqs:
                out.append((f, "=~", v))
    # covariances among indicators (lower triangle with the diagonal)
    ind = [v for v in ov_nox if v in ov_ind]
    for j, a in enumerate(ind):
        for b in ind[j:]:
            out.append((a, "~~", b))
    xs = [v for v in ov if v in ov_x]
    for j, a in enumerate(xs):
        for b in xs[j:]:
            out.append((a, "~~", b))
    for j, a in enumerate(lv):
        for b in lv[j:]:
            out.append((a, "~~", b))
    if eqs:
        for y in eqs:
            for x in eqs:
                if y != x and not (y in ov_ind and x in lv):
                    out.append((y, "~", x))
    if meanstructure:
        out += [(v, "~1", "") for v in ov + lv]
    return out


def _dwls_gradient_information(fit, emodel, base, free_rows, xe):
    """Gradient and expected information of lavaan's DWLS fit function (WLSMV) for the extended model, per
    observation: g = -sum_g (N_g - 1) / N Delta_g' W_g (s_g - sigma_g) and I = sum_g N_g / N Delta_g' W_g Delta_g,
    with Delta the Jacobian of the thresholds and polychoric correlations and W the diagonal DWLS weights
    (lavaan's ``lav_model_grad`` and ``lav_model_info_expected``)."""
    from .delta import DeltaModel
    from .wls import _groups, _information

    dm = DeltaModel(emodel, base, free_rows, fit._wls_samples)
    sig, jac = dm.implied(xe), dm.jacobian(xe)
    groups = _groups(fit._wls_samples, "DWLS", "modification_indices")
    n_total = sum(gr.n for gr in groups)
    grad = -sum((gr.n - 1) / n_total * d.T @ gr.wmul(gr.s - sg) for gr, sg, d in zip(groups, sig, jac))
    return grad, _information(groups, jac, n_total)


def modification_indices(fit, *, sort: bool = False, minimum: float = 0.0) -> pd.DataFrame:
    """The modification index table of a fitted :class:`~toolkit.factor.cfa.CFA` (see the module)."""
    problem = fit._problem
    model = problem.model
    pt = model.partable
    G = model.ngroups
    z = fit._opt.z
    values = problem.values(z)
    est = fit.partable_["est"].to_numpy()
    ordered = set(model.ordered)
    wlsmv = getattr(fit, "estimator_", "ML") == "WLSMV"
    existing = {}
    for i, (a, op, b, g) in enumerate(zip(pt["lhs"], pt["op"], pt["rhs"], pt["group"])):
        existing[(_key(a, op, b), int(g))] = i
    cand_rows = []
    fixed_rows = []
    for i in range(len(pt)):
        if pt.at[i, "free"] == 0 and pt.at[i, "exo"] == 0 and pt.at[i, "op"] in ("=~", "~~", "~", "~1", "~*~") and \
                not (pt.at[i, "op"] == "~~" and pt.at[i, "lhs"] in ordered) and not (wlsmv and pt.at[i, "op"] == "~1"):
            fixed_rows.append(i)
    for g in range(1, G + 1):
        for (a, op, b) in candidates(model, problem.meanstructure and not wlsmv):
            if (_key(a, op, b), g) in existing:
                continue
            if wlsmv and op == "~~" and a == b and a in ordered:
                continue  # an ordered item's residual variance is no parameter in the delta parameterization
            if op == "~~" and ((a in model.lat_pos) != (b in model.lat_pos)) and a in model.ov_pos and \
                    b in model.ov_pos:
                continue  # a covariance between a phantom (regression) variable and an indicator
            cand_rows.append((a, op, b, g))
            existing[(_key(a, op, b), g)] = -1
    new = pd.DataFrame(cand_rows, columns=["lhs", "op", "rhs", "group"])
    base_cols = ["lhs", "op", "rhs", "group", "free", "ustart", "exo", "label"]
    ext = pd.concat([pt[base_cols].assign(user=pt["user"]), new.assign(free=0, ustart=0.0, exo=0, label="",
                                                                       user=10)],
                    ignore_index=True)
    n_old = len(pt)
    nx = problem.nx
    extra_rows = list(fixed_rows) + list(range(n_old, len(ext)))
    free = np.zeros(len(ext), dtype=int)
    old_free = pt["free"].to_numpy()
    free[:n_old] = old_free
    free[extra_rows] = nx + 1 + np.arange(len(extra_rows))
    ext["free"] = free
    ext["block"] = ext["group"]
    ext["id"] = np.arange(1, len(ext) + 1)
    ext["plabel"] = [f".p{i + 1}." for i in range(len(ext))]
    ext["label"] = ext["label"].fillna("").astype(str)
    emodel = LisrelModel(ext, ordered=model.ordered, ov_order=model.ov_names)
    base = np.zeros(len(ext))
    base[:n_old] = values
    nxe = int(free.max())
    xe = np.empty(nxe)
    xe[:nx] = problem.x_of(z)
    xe[nx:] = base[extra_rows]
    base[free > 0] = 0.0
    ep = Problem(emodel, problem.stats, base, np.eye(nxe), np.zeros(nxe), fiml=problem.fiml,
                 meanstructure=problem.meanstructure)
    if wlsmv:
        grad, info = _dwls_gradient_information(fit, emodel, base, ep.free_rows, xe)
    else:
        _, grad = ep.objective_gradient(xe)
        info = ep.expected_information(xe)
    K = problem.K
    Imm = K.T @ info[:nx, :nx] @ K
    Iem = info[nx:, :nx] @ K
    Iee = info[nx:, nx:]
    try:
        Imm_inv = np.linalg.inv(Imm)
    except np.linalg.LinAlgError:
        Imm_inv = np.linalg.pinv(Imm)
    V = np.diag(Iee) - np.einsum("ij,jk,ik->i", Iem, Imm_inv, Iem)
    V = np.where(V < np.finfo(float).eps ** (1 / 3), np.nan, V)
    g = grad[nx:]
    N = problem.N
    mi = N * g * g / V
    epc = -g / V
    rows = ext.iloc[extra_rows].reset_index(drop=True)
    # standardized EPC: |EPC| rescaled like an estimate (variance rows use the estimates), sign kept
    lhs = np.r_[rows["lhs"].to_numpy(dtype=object), pt["lhs"].to_numpy(dtype=object)]
    op = np.r_[rows["op"].to_numpy(dtype=object), pt["op"].to_numpy(dtype=object)]
    rhs = np.r_[rows["rhs"].to_numpy(dtype=object), pt["rhs"].to_numpy(dtype=object)]
    grp = np.r_[rows["group"].to_numpy(dtype=int), pt["group"].to_numpy(dtype=int)] - 1
    is_var = (rows["op"].to_numpy() == "~~") & (rows["lhs"].to_numpy() == rows["rhs"].to_numpy())
    e = np.abs(epc).copy()
    cand_est = np.r_[est[fixed_rows], np.zeros(len(rows) - len(fixed_rows))]
    e[is_var] = cand_est[is_var]
    small = is_var & (np.abs(e) < np.sqrt(np.finfo(float).eps))
    e_all = np.r_[e, est]
    imps = fit._implieds
    s_lv, s_all, s_nox = (s[: len(rows)] for s in standardize(model, imps, lhs, op, rhs, grp, e_all))
    sign = np.sign(epc)
    out = rows[["lhs", "op", "rhs"]].copy()
    if G > 1:
        out["group"] = [fit.groups_[k - 1] for k in rows["group"]]
    out["mi"] = mi
    out["epc"] = epc
    for name, s in (("sepc_lv", s_lv), ("sepc_all", s_all), ("sepc_nox", s_nox)):
        v = sign * s
        v[small] = 0.0
        out[name] = v
    out = out.loc[np.isfinite(out["mi"].to_numpy())]
    if minimum > 0:
        out = out.loc[out["mi"] > minimum]
    if sort:
        out = out.sort_values("mi", ascending=False)
    return out.reset_index(drop=True)
