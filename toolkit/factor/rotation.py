"""Factor rotations as psych::fa applies them, with GPArotation's algorithms.

* ``varimax``: R's ``stats::varimax`` (Kaiser normalisation, eps 1e-5), psych's default orthogonal.
* ``promax``: psych's ``kaiser(L, "Promax")``: rows scaled to unit length, varimax, then
  the promax target power 4; ``Promax`` without the Kaiser step.
* ``oblimin`` (gamma 0), ``quartimin``, ``geominQ`` (``geomin``; delta 0.01) and
  ``geominT``: GPArotation's gradient projection (GPFoblq / GPForth) from the identity,
  no normalisation, eps 1e-5, as ``psych::fa`` calls them.
* ``bifactor``: psych's ``bifactor`` (GPForth with Jennrich-Bentler's bimin criterion).
* ``quartimax``, ``Varimax`` (GPA varimax): GPForth.

The gradient-projection code repeats GPArotation's steps exactly (same start,
same step-halving line search, same stopping rule), so solutions agree with R's
to rounding, not only to the rotation's tolerance.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._checks import check_choice, warn
from ..exceptions import FactorConvergenceWarning

__all__ = ["Rotation", "rotate", "ROTATIONS", "ORTHOGONAL", "OBLIQUE"]

ORTHOGONAL = ("varimax", "Varimax", "quartimax", "geominT", "bifactor")
OBLIQUE = ("promax", "Promax", "oblimin", "quartimin", "geominQ", "geomin")
ROTATIONS = ("none",) + ORTHOGONAL + OBLIQUE


@dataclass
class Rotation:
    """A rotated solution (the value of :func:`rotate`).

    Attributes
    ----------
    loadings : ndarray
        Rotated pattern loadings (p x k).
    phi : ndarray or None
        Factor correlations (None for orthogonal rotations).
    rotmat : ndarray or None
        psych's ``rot.mat`` (None without rotation).
    converged : bool
        Whether the rotation met GPArotation's stopping rule.
    iterations : int
        Gradient-projection iterations.
    message : str
        Why it did not converge ("" when it did); the same text was warned.
    """

    loadings: np.ndarray
    phi: np.ndarray | None
    rotmat: np.ndarray | None
    converged: bool = True
    iterations: int = 0
    message: str = ""  # why it did not converge (also warned)


# ---------------------------------------------------------------- criteria
def _vgq_oblimin(lam, gam=0.0):
    k = lam.shape[1]
    x = (lam**2) @ (1 - np.eye(k))
    if gam != 0:
        p = lam.shape[0]
        x = (np.eye(p) - gam / p) @ x
    return lam * x, float(np.sum(lam**2 * x) / 4)


def _vgq_quartimin(lam):
    return _vgq_oblimin(lam, 0.0)


def _vgq_geomin(lam, delta=0.01):
    k = lam.shape[1]
    l2 = lam**2 + delta
    pro = np.exp(np.log(l2).sum(axis=1) / k)
    return (2 / k) * (lam / l2) * pro[:, None], float(pro.sum())


def _vgq_varimax(lam):
    l2 = lam**2
    qq = l2 - l2.mean(axis=0)
    return -lam * qq, float(-np.sum(qq**2) / 4)


def _vgq_quartimax(lam):
    return -(lam**3), float(-np.sum(lam**4) / 4)


def _vgq_bimin(lam):
    """psych's vgQ.bimin: bifactor criterion on all but the first column."""
    l2f = lam[:, 1:]
    k = l2f.shape[1]
    l2 = l2f**2
    n = 1 - np.eye(k)
    l2n = l2 @ n
    f = float(np.sum(l2 * l2n))
    g = np.zeros_like(lam)
    g[:, 1:] = 4 * l2f * l2n
    return g, f


# ---------------------------------------------------------------- GPA
def _gpf_oblique(a, vgq, eps=1e-5, maxit=1000):
    """GPArotation::GPFoblq from Tmat = I, normalize = FALSE."""
    k = a.shape[1]
    tmat = np.eye(k)
    al = 1.0
    lam = a @ np.linalg.inv(tmat).T
    gq, f = vgq(lam)
    g = -(lam.T @ gq @ np.linalg.inv(tmat)).T
    s = np.inf
    it = 0
    for it in range(maxit + 1):  # noqa: B007 - the count is returned
        gp = g - tmat @ np.diag(np.sum(tmat * g, axis=0))
        s = np.sqrt(np.sum(gp * gp))
        if s < eps:
            break
        al = 2 * al
        for _ in range(11):
            x = tmat - al * gp
            v = 1 / np.sqrt(np.sum(x**2, axis=0))
            tmatt = x * v
            lam = a @ np.linalg.inv(tmatt).T
            gqt, ft = vgq(lam)
            if f - ft > 0.5 * s**2 * al:
                break
            al = al / 2
        tmat = tmatt
        f = ft
        g = -(lam.T @ gqt @ np.linalg.inv(tmatt)).T
    return lam, tmat, bool(s < eps), it


def _gpf_orth(a, vgq, eps=1e-5, maxit=1000):
    """GPArotation::GPForth from Tmat = I, normalize = FALSE."""
    k = a.shape[1]
    tmat = np.eye(k)
    al = 1.0
    lam = a @ tmat
    gq, f = vgq(lam)
    g = a.T @ gq
    s = np.inf
    it = 0
    for it in range(maxit + 1):  # noqa: B007 - the count is returned
        m = tmat.T @ g
        sym = (m + m.T) / 2
        gp = g - tmat @ sym
        s = np.sqrt(np.sum(gp * gp))
        if s < eps:
            break
        al = 2 * al
        for _ in range(11):
            x = tmat - al * gp
            u, _d, vt = np.linalg.svd(x)
            tmatt = u @ vt
            lam = a @ tmatt
            gqt, ft = vgq(lam)
            if ft < f - 0.5 * s**2 * al:
                break
            al = al / 2
        tmat = tmatt
        f = ft
        g = a.T @ gqt
    return lam, tmat, bool(s < eps), it


def _stats_varimax(x, normalize=True, eps=1e-5):
    """R's stats::varimax."""
    p, nc = x.shape
    sc = np.sqrt(np.sum(x**2, axis=1)) if normalize else np.ones(p)
    x = x / sc[:, None]
    tt = np.eye(nc)
    d = 0.0
    for _ in range(1000):
        z = x @ tt
        b = x.T @ (z**3 - z @ np.diag(np.sum(z**2, axis=0)) / p)
        u, sv, vt = np.linalg.svd(b)
        tt = u @ vt
        dpast = d
        d = float(np.sum(sv))
        if d < dpast * (1 + eps):
            break
    z = (x @ tt) * sc[:, None]
    return z, tt


def _promax(x, m=4):
    """psych::Promax."""
    z0, rot0 = _stats_varimax(x)
    q = z0 * np.abs(z0) ** (m - 1)
    u = np.linalg.lstsq(z0, q, rcond=None)[0]
    d = np.diag(np.linalg.inv(u.T @ u))
    u = u * np.sqrt(d)
    z = z0 @ u
    u = rot0 @ u
    ui = np.linalg.inv(u)
    phi = ui @ ui.T
    return z, phi, u


def rotate(loadings: np.ndarray, method: str = "oblimin", *, eps: float = 1e-5, maxit: int = 1000) -> Rotation:
    """Rotate unrotated loadings the way ``psych::fa(rotate=method)`` does.

    Parameters
    ----------
    loadings : ndarray
        Unrotated loadings, items x factors.
    method : str
        One of :data:`ROTATIONS`; ``"geomin"`` means ``"geominQ"`` (psych's oblique geomin).
    eps : float
        GPArotation's convergence criterion (its default 1e-5, as psych::fa calls it).
    maxit : int
        Most gradient-projection iterations (GPArotation's default 1000).

    Returns
    -------
    Rotation
        ``loadings`` (pattern), ``phi`` (factor correlations, None when orthogonal),
        ``rotmat`` (psych's ``rot.mat``).

    Examples
    --------
    >>> import numpy as np
    >>> from toolkit.factor.rotation import rotate
    >>> a = np.array([[.7, .3], [.6, .4], [.3, -.6], [.4, -.5]])
    >>> rot = rotate(a, "varimax")
    >>> np.allclose(rot.loadings @ rot.loadings.T, a @ a.T)
    True
    """
    a = np.asarray(loadings, dtype=float)
    if method == "geomin":
        method = "geominQ"
    method = check_choice(method, ROTATIONS, param="method", caller="rotate")
    if method == "none" or a.shape[1] < 2:
        return Rotation(a.copy(), None, None)
    if method == "varimax":
        z, tt = _stats_varimax(a)
        return Rotation(z, None, tt)
    if method == "promax":  # psych::kaiser(L, rotate = "Promax")
        h = np.sqrt(np.sum(a**2, axis=1))
        z, phi, u = _promax(a / h[:, None])
        return Rotation(z * h[:, None], phi, u)
    if method == "Promax":
        z, phi, u = _promax(a)
        return Rotation(z, phi, u)
    orth = {"Varimax": _vgq_varimax, "quartimax": _vgq_quartimax, "bifactor": _vgq_bimin,
            "geominT": _vgq_geomin}
    obl = {"oblimin": _vgq_oblimin, "quartimin": _vgq_quartimin, "geominQ": _vgq_geomin}
    if method in orth:
        lam, tmat, ok, it = _gpf_orth(a, orth[method], eps, maxit)
        phi = None
        rotmat = np.linalg.inv(tmat).T
    else:
        lam, tmat, ok, it = _gpf_oblique(a, obl[method], eps, maxit)
        phi = tmat.T @ tmat
        rotmat = np.linalg.inv(tmat).T
    message = ""
    if not ok:
        message = (f"The {method} rotation did not converge in {maxit} iterations (GPArotation's criterion "
                   f"eps={eps}); the loadings may not be the rotation's optimum. Try another rotation.")
        warn(message, FactorConvergenceWarning)
    return Rotation(lam, phi, rotmat, ok, it, message)
