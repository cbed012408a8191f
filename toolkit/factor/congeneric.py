"""The congeneric confirmatory factor model fitted by maximum likelihood (lavaan's ML, ``std.lv = TRUE``).

Each item loads on one factor, factors are correlated, factor variances are fixed to 1. The ML discrepancy
F = log|Sigma| + tr(S Sigma^-1) - log|S| - p is minimised with analytic gradients (L-BFGS-B, tight
tolerances, then Newton steps). Residual variances are kept positive and factor correlations inside
(-1, 1): where lavaan would report a negative variance (Heywood case) we stop at zero and say so
(``heywood``). On HolzingerSwineford1939 its fmin equals lavaan's (0.1417035245) and loadings agree to
1.6e-6. This is the seed of the general CFA engine of this package; :func:`toolkit.omega_cfa` uses it.
"""

from __future__ import annotations

import numpy as np

__all__ = ["fit_congeneric"]


def fit_congeneric(S: np.ndarray, groups: list[np.ndarray], *, tol: float = 1e-12, max_iter: int = 20000,
                   start: np.ndarray | None = None, polish: bool = True) -> dict:
    """ML fit of a correlated-factors congeneric model to covariance matrix ``S``.

    ``groups[f]`` holds the indices of the items of factor ``f`` (each item on one factor). Returns
    ``loadings`` (p x m), ``phi`` (m x m), ``theta`` (p), ``fmin`` (F/2 as lavaan reports it),
    ``converged``, ``grad_norm``, ``heywood`` and ``x`` (the parameter vector, a warm start for
    ``start``). ``polish`` adds Newton steps after L-BFGS-B.
    """
    from scipy.optimize import minimize

    p, m = S.shape[0], len(groups)
    factor_of = np.empty(p, dtype=int)
    for f, g in enumerate(groups):
        factor_of[np.asarray(g)] = f
    rows = np.arange(p)
    iu = np.triu_indices(m, 1)
    n_phi = iu[0].size
    logdetS = np.linalg.slogdet(S)[1]

    def unpack(x):
        lam = np.zeros((p, m))
        lam[rows, factor_of] = x[:p]
        theta = x[p:2 * p]
        phi = np.eye(m)
        phi[iu] = x[2 * p:]
        phi[(iu[1], iu[0])] = x[2 * p:]
        return lam, theta, phi

    def fun(x):
        lam, theta, phi = unpack(x)
        sigma = lam @ phi @ lam.T + np.diag(theta)
        try:
            L = np.linalg.cholesky(sigma)
            if m > 1:
                np.linalg.cholesky(phi)
        except np.linalg.LinAlgError:
            return 1e10, np.zeros_like(x)
        logdet = 2 * np.log(np.diag(L)).sum()
        Linv = np.linalg.solve(L, np.eye(p))
        inv = Linv.T @ Linv
        f = logdet + np.trace(S @ inv) - logdetS - p
        G = inv - inv @ S @ inv
        d_lam = 2 * (G @ lam @ phi)
        d_phi = 2 * (lam.T @ G @ lam)
        grad = np.concatenate([d_lam[rows, factor_of], np.diag(G), d_phi[iu]])
        return f, grad

    # starting values: one-factor principal-axis-like loadings per factor, zero factor correlations
    x0 = np.empty(2 * p + n_phi)
    for g in groups:
        g = np.asarray(g)
        sub = S[np.ix_(g, g)]
        if g.size >= 2:
            w, v = np.linalg.eigh(sub)
            load = np.abs(v[:, -1]) * np.sqrt(max(w[-1], 1e-8)) * 0.9
        else:
            load = np.sqrt(np.diag(sub)) * 0.7
        x0[g] = load
        x0[p + g] = np.maximum(np.diag(sub) - load**2, 0.05 * np.diag(sub))
    x0[2 * p:] = 0.0
    if n_phi:
        sd = np.sqrt(np.diag(S))
        R = S / np.outer(sd, sd)
        for idx, (a, b) in enumerate(zip(*iu)):
            ga, gb = np.asarray(groups[a]), np.asarray(groups[b])
            x0[2 * p + idx] = np.clip(R[np.ix_(ga, gb)].mean() / max(
                np.sqrt(abs(R[np.ix_(ga, ga)].mean() * R[np.ix_(gb, gb)].mean())), 1e-3), -0.95, 0.95)
    # residual variances kept positive (a solution on the bound is reported as a Heywood case) and factor
    # correlations inside (-1, 1); loadings free
    var_floor = 1e-8 * float(np.max(np.diag(S)))
    bounds = [(None, None)] * p + [(var_floor, None)] * p + [(-0.9999, 0.9999)] * n_phi
    lo = np.array([-np.inf if b[0] is None else b[0] for b in bounds])
    hi = np.array([np.inf if b[1] is None else b[1] for b in bounds])
    if start is not None:
        x0 = np.clip(np.asarray(start, dtype=float), lo + 1e-12, hi - 1e-12)
    res = minimize(fun, x0, jac=True, method="L-BFGS-B", bounds=bounds,
                   options={"maxiter": max_iter, "maxcor": 10, "ftol": tol, "gtol": 1e-10})
    x = res.x
    # polish with Newton steps on a finite-difference Hessian of the analytic gradient (small models)
    for _ in range(3 if polish else 0):
        f0, g0 = fun(x)
        if np.max(np.abs(g0)) < 1e-12:
            break
        h = 1e-6
        H = np.empty((x.size, x.size))
        for i in range(x.size):
            e = np.zeros_like(x)
            e[i] = h
            H[:, i] = (fun(x + e)[1] - fun(x - e)[1]) / (2 * h)
        H = (H + H.T) / 2
        try:
            step = np.linalg.solve(H, g0)
        except np.linalg.LinAlgError:  # pragma: no cover
            break
        x_new = x - step
        if np.all(x_new > lo) and np.all(x_new < hi) and fun(x_new)[0] <= f0 + 1e-14:
            x = x_new
        else:
            break
    f, g = fun(x)
    x_raw = x.copy()
    lam, theta, phi = unpack(x)
    # sign convention: loadings of each factor sum to a positive number (std.lv leaves the sign free)
    for fidx in range(m):
        if lam[:, fidx].sum() < 0:
            lam[:, fidx] *= -1
            phi[fidx, :] *= -1
            phi[:, fidx] *= -1
    at_bound = (x <= lo + 1e-12) | (x >= hi - 1e-12)
    free = ~at_bound
    grad_norm = float(np.max(np.abs(g[free]))) if free.any() else 0.0
    heywood = bool(np.any(at_bound[p:2 * p]))
    return {"loadings": lam, "phi": phi, "theta": theta, "fmin": f / 2, "converged": grad_norm < 1e-5,
            "grad_norm": grad_norm, "heywood": heywood, "x": x_raw}
