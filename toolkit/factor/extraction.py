"""Factor extraction from a correlation matrix: minres, maximum likelihood, principal axis.

These follow psych::fa (``fac``) step for step: minres and ML minimise psych's
objective over the uniquenesses with L-BFGS-B inside ``[0.005, 1]`` starting
from ``1 - smc``; principal axis iterates communalities from the SMCs until the
sum changes by less than ``min_err`` (at most ``max_iter`` times). A uniqueness
that ends on the 0.005 bound is a Heywood case: it is reported (see
:class:`~toolkit.factor.EFA`), not hidden.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .._numerics import single_thread_blas
from .._numerics import smc as _smc

__all__ = ["Extraction", "extract", "METHODS"]

METHODS = ("minres", "ml", "pa")
LOWER = 0.005


@dataclass
class Extraction:
    """Unrotated solution: ``loadings`` (p x k, column sums positive), diagnostics."""

    loadings: np.ndarray
    method: str
    uniquenesses_par: np.ndarray | None  # optimiser's psi (None for pa)
    communalities_est: np.ndarray  # psych's ``communalities`` (1 - psi, or pa's last h2)
    iterations: int
    converged: bool
    message: str = ""
    at_bound: list = field(default_factory=list)
    pa_values: np.ndarray | None = None  # pa: eigenvalues of the last reduced matrix (psych's ``values``)


def _top_eig(s: np.ndarray, k: int):
    vals, vecs = np.linalg.eigh(s)
    order = np.argsort(vals)[::-1][:k]
    return vals[order], vecs[:, order]


def _minres_loadings(psi, r, k):
    s = r.copy()
    np.fill_diagonal(s, np.diag(r) - psi)
    vals, vecs = _top_eig(s, k)
    return vecs * np.sqrt(np.maximum(vals, 0))


def _minres_obj(psi, r, k):
    s = r.copy()
    np.fill_diagonal(s, 1 - psi)
    vals, vecs = _top_eig(s, k)
    vals = np.where(vals < np.finfo(float).eps, 100 * np.finfo(float).eps, vals)
    lam = vecs * np.sqrt(vals)
    res = (s - lam @ lam.T)[np.tril_indices_from(s, -1)]
    return float(res @ res)


def _minres_grad(psi, r, k):
    lam = _minres_loadings(psi, r, k)
    return np.sum(lam * lam, axis=1) + psi - np.diag(r)


def _ml_parts(psi, r, k):
    sc = 1 / np.sqrt(psi)
    sstar = r * sc[:, None] * sc[None, :]
    vals, vecs = np.linalg.eigh(sstar)
    vals, vecs = vals[::-1], vecs[:, ::-1]
    return vals, vecs


def _ml_obj(psi, r, k):
    vals, _ = _ml_parts(psi, r, k)
    e = vals[k:]
    return -float(np.sum(np.log(e) - e) - k + r.shape[0])


def _ml_loadings(psi, r, k):
    vals, vecs = _ml_parts(psi, r, k)
    load = vecs[:, :k] * np.sqrt(np.maximum(vals[:k] - 1, 0))
    return load * np.sqrt(psi)[:, None]


def _ml_grad(psi, r, k):
    lam = _ml_loadings(psi, r, k)
    g = np.sum(lam * lam, axis=1) + psi - np.diag(r)
    return g / psi**2


def _minres_obj_grad(psi, r, k):
    """``(_minres_obj, _minres_grad)`` at ``psi`` from one eigendecomposition when ``r`` has a unit diagonal
    (both then decompose the same matrix; the numbers are those of the two functions)."""
    if not np.all(np.diag(r) == 1.0):
        return _minres_obj(psi, r, k), _minres_grad(psi, r, k)
    s = r.copy()
    np.fill_diagonal(s, 1 - psi)
    vals, vecs = _top_eig(s, k)
    lam = vecs * np.sqrt(np.where(vals < np.finfo(float).eps, 100 * np.finfo(float).eps, vals))
    res = (s - lam @ lam.T)[np.tril_indices_from(s, -1)]
    load = vecs * np.sqrt(np.maximum(vals, 0))
    return float(res @ res), np.sum(load * load, axis=1) + psi - np.diag(r)


def _optimise(obj, grad, start, r, k, upper, ftol=1e-15):
    from scipy.optimize import minimize

    scale = 0.01  # psych: parscale = 0.01
    if obj is _minres_obj:  # one eigendecomposition per step serves the objective and its gradient
        def fun(z):
            f, g = _minres_obj_grad(z * scale, r, k)
            return f, g * scale

        fun_jac = {"fun": fun, "jac": True}
    else:
        fun_jac = {"fun": lambda z: obj(z * scale, r, k), "jac": lambda z: grad(z * scale, r, k) * scale}
    with single_thread_blas():
        res = minimize(
            x0=start / scale,
            **fun_jac,
            method="L-BFGS-B",
            bounds=[(LOWER / scale, upper / scale)] * len(start),
            options={"ftol": ftol, "gtol": 1e-12 if ftol < 1e-12 else 0.0, "maxiter": 5000, "maxcor": 5},
        )
    return res.x * scale, res


def _stationary(grad, psi, r, k, upper, tol: float = 1e-6) -> bool:
    """Whether ``psi`` is a stationary point within its bounds (projected gradient below ``tol``).

    L-BFGS-B can end with "ABNORMAL" (no decrease found in the line search) at the optimum once the
    objective cannot be lowered within float precision, as SciPy >= 1.18 does on psych's bfi ML fits;
    such a fit has converged.
    """
    g = grad(psi, r, k)
    at_lower = (psi <= LOWER * (1 + 1e-9)) & (g > 0)
    at_upper = (psi >= upper * (1 - 1e-9)) & (g < 0)
    g = np.where(at_lower | at_upper, 0.0, g)
    return bool(np.all(np.isfinite(g)) and np.max(np.abs(g)) < tol)


def extract(r: np.ndarray, n_factors: int, method: str = "minres", *, min_err: float = 0.001, max_iter: int = 50,
            ftol: float = 1e-15, smc: bool = True) -> Extraction:
    """Unrotated factor loadings of correlation matrix ``r`` (psych::fa with ``rotate="none"``).

    Parameters
    ----------
    r : ndarray (p, p)
        Correlation matrix.
    n_factors : int
    method : {"minres", "ml", "pa"}
    min_err, max_iter : principal-axis stopping rule (psych's defaults).
    smc : principal axis starts from SMCs (psych's ``SMC=TRUE``) or from 1.
    ftol : L-BFGS-B's relative function tolerance (R's optim uses factr 1e7, i.e. 2.2e-9; we
        default to a tighter 1e-15 so minres/ML land on the optimum R only approaches).

    Returns
    -------
    Extraction

    Examples
    --------
    >>> import numpy as np
    >>> from toolkit.factor.extraction import extract
    >>> lam = np.array([.8, .7, .6, .5])
    >>> r = np.outer(lam, lam); np.fill_diagonal(r, 1)
    >>> extract(r, 1, "minres").loadings.ravel().round(3).tolist()
    [0.8, 0.7, 0.6, 0.5]
    """
    r = np.asarray(r, dtype=float)
    k = int(n_factors)
    p = r.shape[0]
    if method == "pa":
        rmat = r.copy()
        if smc and k <= p:
            np.fill_diagonal(rmat, _smc(r))
        comm = np.trace(rmat)
        it = 1
        converged = True
        while True:
            all_vals = np.sort(np.linalg.eigvalsh(rmat))[::-1]
            vals, vecs = _top_eig(rmat, k)
            lam = vecs * np.sqrt(vals)
            new = np.sum(lam * lam, axis=1)
            comm1 = float(new.sum())
            np.fill_diagonal(rmat, new)
            err = abs(comm - comm1)
            comm = comm1
            it += 1
            if err <= min_err:
                break
            if it > max_iter:
                converged = False
                break
        if np.isnan(lam).any():
            raise FloatingPointError("principal axis produced imaginary loadings; try method='minres'.")
        loadings = lam
        psi_par = None
        comm_est = new
        iterations = it - 1
        message = "" if converged else f"principal axis stopped after max_iter={max_iter} iterations"
        at_bound = []
        pa_values = all_vals
    elif method in ("minres", "ml"):
        s_smc = _smc(r)
        upper = max(float(s_smc.max()), 1.0)
        start = np.diag(r) - s_smc
        if method == "minres":
            psi, res = _optimise(_minres_obj, _minres_grad, start, r, k, upper, ftol)
            loadings = _minres_loadings(psi, r, k)
        else:
            psi, res = _optimise(_ml_obj, _ml_grad, start, r, k, upper, ftol)
            loadings = _ml_loadings(psi, r, k)
        psi_par = psi
        comm_est = 1 - psi
        iterations = int(res.nit)
        converged = bool(res.success) or _stationary(_minres_grad if method == "minres" else _ml_grad,
                                                     psi, r, k, upper)
        message = "" if converged else str(res.message)
        at_bound = list(np.nonzero(psi <= LOWER * (1 + 1e-6))[0])
        pa_values = None
    else:
        raise ValueError(f"method must be one of {METHODS} (got {method!r}).")
    signs = np.sign(loadings.sum(axis=0))
    signs[signs == 0] = 1
    loadings = loadings * signs
    loadings[loadings == 0] = 1e-15
    return Extraction(loadings, method, psi_par, comm_est, iterations, converged, message, at_bound, pa_values)
