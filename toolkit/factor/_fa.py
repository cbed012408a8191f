"""psych::fa's pipeline on a correlation matrix: extract, sign, rotate, sign, order, statistics.

Kept apart from the estimator class so Schmid-Leiman and parallel analysis can
call it without building an :class:`~toolkit.factor.EFA`.
"""

from __future__ import annotations

import numpy as np

from .correlation import _smooth
from .extraction import extract
from .rotation import rotate

__all__ = ["fa_core", "fa_stats", "PREFIX"]

PREFIX = {"minres": "MR", "ml": "ML", "pa": "PA"}


def fa_core(r: np.ndarray, n_factors: int, method: str = "minres", rotation: str = "oblimin", *, min_err=0.001,
            max_iter=50,
            ftol=1e-15, smc=True) -> dict:
    """Loadings, Phi and names exactly as psych's ``fac`` orders and signs them."""
    ext = extract(r, n_factors, method, min_err=min_err, max_iter=max_iter, ftol=ftol, smc=smc)
    unrot = ext.loadings
    model = unrot @ unrot.T
    rot = rotate(unrot, rotation)
    lam, phi = rot.loadings, rot.phi
    signs = np.sign(lam.sum(axis=0))
    signs[signs == 0] = 1
    lam = lam * signs
    if phi is not None:
        phi = phi * signs[:, None] * signs[None, :]
    names = [f"{PREFIX[method]}{i + 1}" for i in range(n_factors)]
    if n_factors > 1:
        ev = np.diag(phi @ lam.T @ lam) if phi is not None else np.sum(lam * lam, axis=0)
        order = np.argsort(-ev, kind="stable")
        lam = lam[:, order]
        names = [names[i] for i in order]
        if phi is not None:
            phi = phi[np.ix_(order, order)]
    s = r.copy()
    np.fill_diagonal(s, np.diag(model))
    return {
        "extraction": ext,
        "rotation": rot,
        "unrotated": unrot,
        "loadings": lam,
        "phi": phi,
        "names": names,
        "model": model,
        "communality": np.diag(model).copy(),
        "uniquenesses": np.diag(r - model).copy(),
        "values": ext.pa_values if ext.pa_values is not None else np.sort(np.linalg.eigvalsh(s))[::-1],
        "e_values": np.sort(np.linalg.eigvalsh(r))[::-1],
    }


def _rmsea_ci(chisq, df, n_obs, ci):
    """psych's RMSEA interval at confidence level ``ci``; returns (lower, upper, message or "")."""
    from scipy.optimize import brentq
    from scipy.stats import chi2

    # the tail as the user typed it: ci=0.9 gives psych's alpha/2 = 0.05 exactly, not 0.04999999999999999
    tail = round((1 - ci) / 2, 15)
    hi = max(n_obs, chisq) + 2 * n_obs

    def cdf(ncp):  # scipy.stats' chi2.cdf and ncx2.cdf, without their argument handling (called ~20 times)
        from scipy.special import chdtr, chndtr

        return chdtr(df, chisq) if ncp <= 0 else chndtr(chisq, df, ncp)

    upper = lower = 0.0
    if chi2.cdf(chisq, df) > tail:
        try:
            upper = np.sqrt(brentq(lambda x: cdf(x) - tail, 0, hi, xtol=1e-12) / (n_obs - 1) / df)
        except ValueError:
            upper = np.nan
    if chi2.cdf(chisq, df) > 1 - tail:
        try:
            lower = np.sqrt(brentq(lambda x: cdf(x) - 1 + tail, 0, hi, xtol=1e-12) / (n_obs - 1) / df)
        except ValueError:
            lower = np.nan
    message = ""
    if np.isnan(lower) or np.isnan(upper):
        message = (f"a limit of the RMSEA confidence interval could not be found (chi2 {chisq:.4g}, df {df}); "
                   "it is reported as NaN")
    return lower, upper, message


def _solve_like_r(a: np.ndarray, b: np.ndarray):
    """``solve(a, b)``, or None where R's ``solve`` would stop: a singular or computationally singular
    matrix (reciprocal condition number below machine eps, as LAPACK's dgecon reports it to R)."""
    with np.errstate(all="ignore"):
        cond = np.linalg.cond(a, 1)
    if not np.isfinite(cond) or 1 / cond < np.finfo(float).eps:
        return None
    try:
        return np.linalg.solve(a, b)
    except np.linalg.LinAlgError:  # pragma: no cover - caught by the condition number above
        return None


def fa_stats(r: np.ndarray, lam: np.ndarray, phi, n_obs, np_obs=None, ci: float = 0.9, smooth: bool = True,
             singular: bool = False) -> dict:
    """psych::fa.stats: residual fit, likelihood chi-square, TLI, RMSEA (with a ``ci`` interval), BIC, score
    weights. ``out["messages"]`` lists what the caller must warn about (and keep as notes). ``singular``: the
    caller found ``r`` singular, so it is smoothed whatever the sign of its rounding-error eigenvalue."""
    from scipy.special import chdtrc

    n = r.shape[0]
    nf = lam.shape[1]
    phi_ = np.eye(nf) if phi is None else phi
    model = lam @ phi_ @ lam.T
    residual = r - model
    r2 = float(np.sum(r * r))
    rstar2 = float(np.sum(residual * residual))
    dof = n * (n - 1) / 2 - n * nf + nf * (nf - 1) / 2
    off = residual.copy()
    np.fill_diagonal(off, 0)
    out = {"dof": dof, "messages": []}
    n_ok = n_obs is not None and np.isfinite(n_obs)
    if np_obs is None:
        rstar_off = float(np.sum(off**2))
        r2_off = r2 - np.trace(r)
        nh = n_obs if n_ok else np.nan
        out["e_chi2"] = rstar_off * nh
        out["rms"] = np.sqrt(rstar_off / (n * (n - 1)))
        crms_num = rstar_off
        crms_den = 2 * dof
    else:
        rstar_off = float(np.sum(off**2 * np_obs))
        rr = r * r * np_obs
        r2_off = float(rr.sum() - np.trace(rr))
        nh = len(np_obs.ravel()) / np.sum(1 / np_obs.ravel())
        out["e_chi2"] = rstar_off
        out["rms"] = np.sqrt(rstar_off / (nh * n * (n - 1)))
        crms_num = rstar_off
        crms_den = 2 * nh * dof
    out["harmonic_n"] = nh
    if dof > 0:
        out["crms"] = np.sqrt(crms_num / crms_den)
        out["e_p_value"] = float(chdtrc(dof, out["e_chi2"]))  # chi2.sf
        out["e_bic"] = out["e_chi2"] - dof * np.log(nh)
    else:
        out["crms"] = out["e_p_value"] = out["e_bic"] = np.nan
    out["fit"] = 1 - rstar2 / r2
    out["fit_off"] = 1 - rstar_off / r2_off
    num = np.sum(lam**2, axis=1) ** 2
    out["complexity"] = num / np.sum(lam**4, axis=1)
    m = model.copy()
    np.fill_diagonal(m, np.diag(r))
    m, _ = _smooth(m)
    rs = _smooth(r, force=singular)[0] if smooth else r
    minv = np.linalg.solve(m, rs)
    sign, logdet = np.linalg.slogdet(minv)
    obj = float(np.trace(minv) - logdet - n)
    out["objective"] = obj
    f0 = float(np.trace(rs) - np.linalg.slogdet(rs)[1] - n)
    out["null_objective"] = f0
    out["null_dof"] = n * (n - 1) / 2
    for key in ("chi2", "p_value", "null_chi2", "tli", "rmsea", "rmsea_low", "rmsea_high", "bic", "sabic"):
        out[key] = np.nan
    if n_ok:
        nm = (n_obs - 1) - (2 * n + 5) / 6 - (2 * nf) / 3
        stat = max(obj * nm, 0.0)
        out["chi2"] = stat
        out["p_value"] = float(chdtrc(dof, stat)) if dof > 0 else np.nan
        out["null_chi2"] = f0 * ((n_obs - 1) - (2 * n + 5) / 6)
        mm = obj / dof if dof else np.nan
        m0 = f0 * 2 / (n * (n - 1))
        out["tli"] = (m0 - mm) / (m0 - 1 / nm)
        if dof > 0:
            rmsea = np.sqrt(max(stat / (dof * n_obs) - 1 / (n_obs - 1), 0))
            lo, hi, message = _rmsea_ci(stat, dof, n_obs, ci)
            if message:
                out["messages"].append(message)
            if np.isfinite(hi) and hi < rmsea:
                hi = np.nan
            if np.isfinite(lo) and lo > rmsea:
                lo = np.nan
            out.update(rmsea=rmsea, rmsea_low=lo, rmsea_high=hi)
            out["bic"] = stat - dof * np.log(n_obs)
            out["sabic"] = stat - dof * np.log((n_obs + 2) / 24)
    structure = lam @ phi_
    w = _solve_like_r(rs, structure)
    out["singular_weights"] = w is None
    if w is None:  # psych::factor.scores' remedy for a singular matrix: its pseudo-inverse (psych::Pinv)
        w = np.linalg.pinv(rs, rtol=np.sqrt(np.finfo(float).eps)) @ structure
    out["weights"] = w
    out["r2_scores"] = np.diag(w.T @ structure)
    return out
