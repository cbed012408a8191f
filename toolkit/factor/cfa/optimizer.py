"""Starting values and the minimisation of the discrepancy.

Starting values follow lavaan's ideas without its code: loadings from the first principal axis of each
factor's indicators (scaled to the marker or to a unit factor variance), residual variances half the
observed variance, factor variances from the same axis, regressions and covariances 0, intercepts the
sample means, thresholds the normal quantiles of the cumulative proportions. The user's ``start(...)``
and fixed values win.

The minimiser is Fisher scoring (Gauss-Newton with the expected information) with a backtracking line
search, finished by Newton steps on the Hessian of the analytic gradient; L-BFGS takes over when a scoring
step cannot lower the discrepancy. No bounds: a variance may go negative, as in lavaan, and is reported.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .matrices import ALPHA, BETA, DELTA, LAMBDA, NU, PSI, TAU, THETA

__all__ = ["start_values", "minimise", "Optimum"]


@dataclass
class Optimum:
    z: np.ndarray
    fmin: float
    grad: np.ndarray
    converged: bool
    iterations: int
    message: str


def start_values(problem, user_start: np.ndarray) -> np.ndarray:
    """Starting value for every table row (fixed rows keep their value)."""
    model = problem.model
    pt = model.partable
    vals = problem.base.copy()
    free = pt["free"].to_numpy() > 0
    mat, ri, ci = model.mat, model.ri, model.ci
    nlat = model.m
    for g, st in enumerate(problem.stats):
        S = st.cov
        in_g = model.group == g
        var = np.diag(S)
        # loadings and factor variances from the first principal axis of each factor's observed indicators
        lam_rows = np.flatnonzero(in_g & (mat == LAMBDA))
        lv_var_start = np.full(nlat, 0.05)
        for f in range(nlat):
            rows_f = lam_rows[ci[lam_rows] == f]
            if rows_f.size == 0:
                continue
            items = ri[rows_f]
            sub = S[np.ix_(items, items)]
            if items.size >= 2:
                w, v = np.linalg.eigh(sub)
                load = v[:, -1] * np.sqrt(max(w[-1], 1e-8))
                if load.sum() < 0:
                    load = -load
            else:
                load = np.sqrt(np.maximum(np.diag(sub), 1e-8)) * 0.7
            fixed_f = rows_f[~free[rows_f]]
            if fixed_f.size and vals[fixed_f[0]] != 0:
                k = np.flatnonzero(rows_f == fixed_f[0])[0]
                scale = vals[fixed_f[0]] / load[k] if load[k] != 0 else 1.0
                lv_var_start[f] = 1.0 / scale**2
                load = load * scale
            else:
                lv_var_start[f] = 1.0
            for k, row in enumerate(rows_f):
                if free[row]:
                    vals[row] = load[k]
        for row in np.flatnonzero(in_g & free):
            M = mat[row]
            if M == THETA:
                vals[row] = 0.5 * var[ri[row]] if ri[row] == ci[row] else 0.0
            elif M == PSI:
                vals[row] = lv_var_start[ri[row]] if ri[row] == ci[row] else 0.0
            elif M == BETA:
                # second-order loadings start at 1 (a factor that is an indicator), regressions at 0
                is_loading = pt.at[row, "op"] == "=~"
                vals[row] = 1.0 if is_loading else 0.0
            elif M == NU:
                vals[row] = st.mean[ri[row]]
            elif M == ALPHA:
                vals[row] = 0.0
            elif M == TAU:
                vals[row] = 0.0
            elif M == DELTA:  # a free scale factor (a later group's, thresholds equal): start at 1
                vals[row] = 1.0
        # observed variables with a phantom factor: their variance lives in Psi
        for row in np.flatnonzero(in_g & free & (mat == PSI)):
            lat = model.lat_names[ri[row]]
            if lat in model.dummies and ri[row] == ci[row]:
                vals[row] = 0.5 * var[model.ov_pos[lat]] if lat not in model.vsets.ov_x else var[model.ov_pos[lat]]
    has_start = ~np.isnan(user_start) & free
    vals[has_start] = user_start[has_start]
    return vals


def _solve(M: np.ndarray, g: np.ndarray) -> np.ndarray:
    try:
        return -np.linalg.solve(M, g)
    except np.linalg.LinAlgError:
        return -np.linalg.lstsq(M + 1e-8 * np.eye(len(g)), g, rcond=None)[0]


def minimise(problem, z0: np.ndarray, *, max_iter: int = 500, switch: float = 1e-4) -> Optimum:
    """Fisher scoring until the largest gradient is below ``switch``, then Newton steps on the analytic
    Hessian; L-BFGS when scoring stalls."""
    from scipy.optimize import minimize

    z = np.asarray(z0, dtype=float).copy()
    f, g = problem.objective_gradient(z)
    if not np.isfinite(f):
        # a start that gives a non-positive-definite Sigma: shrink towards a diagonal model
        res = minimize(lambda t: problem.objective_gradient(t), z, jac=True, method="L-BFGS-B",
                       options={"maxiter": 2000})
        z = res.x
        f, g = problem.objective_gradient(z)
    it = 0
    stalled = False
    rate = 0.0
    for it in range(1, max_iter + 1):  # noqa: B007 - the count is reported
        gnorm = np.max(np.abs(g))
        # scoring to the end where it converges fast (a model that fits); Newton where it crawls (misfit)
        if gnorm < 1e-11 or (gnorm < switch and rate > 0.2):
            break
        info = problem.scoring_information(z)
        step = _solve(info, g)
        slope = g @ step
        if slope >= 0:   # not a descent direction (information not positive definite here)
            step, slope = -g, -(g @ g)
        t = 1.0
        gn = None
        while t > 1e-10:
            zn = z + t * step
            if t == 1.0:   # a full step is usually taken: get its gradient at once
                fn, gn = problem.objective_gradient(zn)
            else:
                fn, gn = problem.objective(zn), None
            if np.isfinite(fn) and fn <= f + 1e-4 * t * slope:
                break
            t /= 2
        else:
            stalled = True
            break
        z = zn
        if gn is None:
            fn, gn = problem.objective_gradient(z)
        small = abs(f - fn) < 1e-16 * max(1.0, abs(f)) and np.max(np.abs(t * step)) < 1e-12
        rate = np.max(np.abs(gn)) / max(gnorm, 1e-300)
        f, g = fn, gn
        if small:
            break
    if stalled:
        res = minimize(lambda t: problem.objective_gradient(t), z, jac=True, method="L-BFGS-B",
                       options={"maxiter": 20000, "ftol": 1e-15, "gtol": 1e-12, "maxcor": 30})
        if res.fun <= f:
            z = res.x
            f, g = problem.objective_gradient(z)
    # Newton steps on the analytic Hessian (quadratic convergence where scoring is linear); the Hessian is
    # recomputed only when a step with the previous one does not shrink the gradient enough
    H = None
    stale = True
    newton = np.max(np.abs(g)) >= 1e-7 or not problem.fiml   # FIML scoring stops at the objective's noise
    for _ in range(30 if newton else 0):
        gnorm = np.max(np.abs(g))
        if gnorm < 1e-11:
            break
        if stale or H is None:
            try:
                H = problem.observed_information(z)
            except np.linalg.LinAlgError:
                break
        step = _solve(H, g)
        slope = g @ step
        if np.max(np.abs(step)) < 1e-10 * (1.0 + np.max(np.abs(z))):
            break   # the step is below what the objective can resolve
        if slope >= 0:
            if stale or gnorm < 1e-6:
                break
            stale = True
            continue
        t = 1.0
        improved = False
        gn = None
        while t > 1.0 / 64:
            zn = z + t * step
            if t == 1.0:
                fn, gn = problem.objective_gradient(zn)
            else:
                fn, gn = problem.objective(zn), None
            if np.isfinite(fn) and fn <= f + 1e-4 * t * slope + 1e-15 * max(1.0, abs(f)):
                improved = True
                break
            t /= 2
        if not improved:
            if stale or gnorm < 1e-6:   # at the optimum to the precision of the objective
                break
            stale = True
            continue
        if gn is None:
            fn, gn = problem.objective_gradient(zn)
        stale = np.max(np.abs(gn)) > 0.1 * gnorm
        z, f, g = zn, fn, gn
    gmax = float(np.max(np.abs(g))) if g.size else 0.0
    converged = bool(np.isfinite(f) and gmax < 1e-5)
    msg = "converged" if converged else f"stopped with largest gradient {gmax:.2g} after {it} iterations"
    return Optimum(z=z, fmin=f, grad=g, converged=converged, iterations=it, message=msg)
