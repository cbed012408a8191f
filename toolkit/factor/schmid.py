"""Schmid-Leiman transformation and McDonald's omega from the EFA route (psych::schmid, psych::omega).

psych's recipe, reproduced step by step: an orthogonal (varimax) solution with
``n_factors`` factors, an oblique rotation of it (oblimin by default), a one-factor
solution of the factor correlations (the general factor), and the Schmid-Leiman
orthogonalisation that gives every item a general loading ``g`` and group loadings
``F1*..Fk*``. ``omega`` then keys negatively loading items (``flip``) and computes
omega hierarchical, omega total, alpha, and per-group omegas.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._fa import fa_core
from .correlation import correlation_input
from .._numerics import smc as _smc
from .rotation import rotate

__all__ = ["schmid_leiman", "omega", "SchmidLeiman", "Omega"]

_SL_ROTATIONS = ("oblimin", "geominQ", "geomin", "promax", "Promax")


class SchmidLeiman:
    """Result of :func:`schmid_leiman`.

    Attributes
    ----------
    sl_ : DataFrame
        Items x (``g``, ``F1*``..``Fk*``, ``h2``, ``u2``, ``p2``), psych's ``schmid$sl``.
    oblique_ : DataFrame
        Oblique pattern loadings ``F1..Fk`` (psych's ``schmid$oblique``).
    phi_ : DataFrame
        Correlations of the oblique factors.
    orthogonal_ : DataFrame
        The varimax loadings the oblique rotation started from.
    g_loadings_ : Series
        Loadings of the oblique factors on the general factor.
    n_obs_ : int or None
        Respondents (None for a correlation matrix given without ``n_obs``).
    call_ : str
        The equivalent R call.
    """

    def __init__(self, sl, oblique, phi, orthogonal, gload, n_obs, call):
        self.sl_ = sl
        self.oblique_ = oblique
        self.phi_ = phi
        self.orthogonal_ = orthogonal
        self.g_loadings_ = gload
        self.n_obs_ = n_obs
        self.call_ = call

    def summary(self) -> pd.DataFrame:
        """psych's ``schmid$sl`` table (a copy: editing it leaves the result intact)."""
        return self.sl_.copy()

    def __repr__(self) -> str:
        return f"SchmidLeiman({self.call_})"

    def _repr_html_(self) -> str:
        return f"<p><b>Schmid-Leiman</b> <code>{self.call_}</code></p>" + self.sl_.round(2).to_html()


def _schmid_from_corr(r: pd.DataFrame, n_factors: int, method: str, rotation: str, option: str = "equal"):
    names = list(r.index)
    a = r.to_numpy()
    k = int(n_factors)
    if k < 2:
        raise ValueError("schmid_leiman needs n_factors >= 2 (omega_h is not defined for one factor).")
    if rotation == "geomin":
        rotation = "geominQ"
    if rotation not in _SL_ROTATIONS:
        raise ValueError(f"rotation must be one of {_SL_ROTATIONS} for Schmid-Leiman (got {rotation!r}).")
    orth = fa_core(a, k, method, "varimax")["loadings"]
    rot = rotate(orth, rotation)
    fload, factr = rot.loadings, rot.phi
    if k > 2:
        gload = fa_core(factr, 1, method, "none")["loadings"][:, 0]
    else:
        c = factr[0, 1]
        if option == "equal":
            gload = np.array([np.sqrt(abs(c)), np.sign(c) * np.sqrt(abs(c))])
        elif option == "first":
            gload = np.array([1.0, c])
        else:
            gload = np.array([c, 1.0])
    g = fload @ gload
    h2 = np.sum(orth**2, axis=1)
    dm = np.diag(a)
    u2 = dm - h2
    uniq = dm[:, None] - fload**2
    primeload = fload * gload
    uniq2 = dm[:, None] - uniq - primeload**2
    uniq2[uniq2 < 0] = 0
    sm = np.sign(fload) * np.sqrt(uniq2)
    fcols = [f"F{i + 1}" for i in range(k)]
    sl = pd.DataFrame(np.column_stack([g, sm, h2, u2, g**2 / h2]), index=names,
                      columns=["g"] + [c + "*" for c in fcols] + ["h2", "u2", "p2"])
    return sl, pd.DataFrame(fload, index=names, columns=fcols), pd.DataFrame(factr, index=fcols, columns=fcols), \
        pd.DataFrame(orth, index=names, columns=fcols), pd.Series(gload, index=fcols, name="g")


def schmid_leiman(data_or_corr, n_factors: int = 3, *, method: str = "minres", rotation: str = "oblimin",
                  n_obs: int | None = None, corr: str = "pearson", option: str = "equal") -> SchmidLeiman:
    """Schmid-Leiman orthogonalisation of a higher-order factor solution (psych::schmid).

    Parameters
    ----------
    data_or_corr : DataFrame or ndarray
        Item responses (correlations are computed pairwise) or a correlation matrix.
    n_factors : int
        Number of group factors (>= 2; with 2 the general loadings are set by ``option``).
    method : {"minres", "ml", "pa"}
        Extraction for both levels.
    rotation : {"oblimin", "geominQ", "promax", "Promax"}
        Oblique rotation of the varimax solution (psych's default ``"oblimin"``).
    n_obs : int, optional
        Respondents, when a correlation matrix is given.
    corr : {"pearson", "polychoric"}
        Correlations computed from raw data.
    option : {"equal", "first", "second"}
        psych's identification rule when ``n_factors == 2``.

    Returns
    -------
    SchmidLeiman

    Notes
    -----
    With oblique pattern :math:`F`, factor correlations :math:`\\Phi = g g'` + diag and
    general loadings :math:`g` of the factors: item general loadings are :math:`F g` and
    group loadings :math:`F_{ij}\\sqrt{1-g_j^2}` (with :math:`F`'s sign).

    References
    ----------
    Schmid, J., & Leiman, J. M. (1957). The development of hierarchical factor solutions.
    Psychometrika, 22, 53-61.

    R equivalent: ``psych::schmid(r, nfactors = 3, fm = "minres", rotate = "oblimin")``.

    Examples
    --------
    >>> import numpy as np
    >>> from toolkit.factor import schmid_leiman
    >>> g = np.repeat([.6, .5, .4], 3); s = np.repeat([.4, .5, .3], 3)
    >>> grp = np.kron(np.eye(3), np.ones((3, 1))) * s[:, None]
    >>> lam = np.column_stack([g, grp]); r = lam @ lam.T; np.fill_diagonal(r, 1)
    >>> sl = schmid_leiman(r, 3)
    >>> sl.sl_.columns.tolist()
    ['g', 'F1*', 'F2*', 'F3*', 'h2', 'u2', 'p2']
    >>> bool(np.allclose(sl.sl_["g"].abs(), g, atol=1e-3))
    True
    """
    r, n = correlation_input(data_or_corr, n_obs, corr=corr)
    sl, obl, phi, orth, gl = _schmid_from_corr(r, n_factors, method, rotation, option)
    call = f'psych::schmid(r, nfactors = {n_factors}, fm = "{method}", rotate = "{rotation}")'
    return SchmidLeiman(sl, obl, phi, orth, gl, n, call)


class Omega:
    """Result of :func:`omega`: reliability coefficients from a Schmid-Leiman solution.

    Attributes
    ----------
    omega_h_ : float
        Omega hierarchical, :math:`(\\sum g)^2 / V_t`.
    omega_total_ : float
        Omega total, :math:`(V_t - \\sum u^2)/V_t`.
    alpha_ : float
        Cronbach's alpha of the (keyed) items.
    omega_limit_ : float
        Asymptotic omega_h, :math:`(\\sum g)^2/(V_t - \\sum u^2)`.
    g6_ : float
        Guttman's lambda 6.
    ecv_ : float
        Explained common variance of the general factor.
    schmid_ : DataFrame
        Items x (g, F1*..Fk*, h2, u2, p2), psych's ``schmid$sl`` after keying.
    schmid_leiman_ : SchmidLeiman
        The full Schmid-Leiman result (before keying).
    key_ : Series
        +1/-1 per item: -1 for items reversed because their general loading was
        negative (psych's ``flip``; psych appends ``-`` to such names).
    omega_group_ : DataFrame
        Rows g, F1*..: ``total``, ``general``, ``group`` omegas (psych's ``omega.group``).
    corr_ : DataFrame
        The correlation matrix analysed (before keying).
    n_obs_ : int or None
        Respondents (None for a correlation matrix given without ``n_obs``).
    call_ : str
        The equivalent R call.
    """

    def __init__(self, **kw):
        for key, value in kw.items():
            setattr(self, key, value)

    def summary(self) -> pd.DataFrame:
        """One row per coefficient."""
        return pd.DataFrame(
            {"value": [self.omega_h_, self.omega_limit_, self.omega_total_, self.alpha_, self.g6_, self.ecv_]},
            index=pd.Index(["omega_h", "omega_limit", "omega_total", "alpha", "g6", "ecv"], name="statistic"),
        )

    def __repr__(self) -> str:
        return f"Omega(omega_h={self.omega_h_:.4f}, omega_total={self.omega_total_:.4f}, alpha={self.alpha_:.4f})"

    def _repr_html_(self) -> str:
        return (f"<p><b>Omega</b> <code>{self.call_}</code></p>" + self.summary().round(3).to_html()
                + self.schmid_.round(2).to_html())


def omega(data_or_corr, n_factors: int = 3, *, method: str = "minres", rotation: str = "oblimin",
          n_obs: int | None = None, corr: str = "pearson", flip: bool = True, option: str = "equal") -> Omega:
    """McDonald's omega hierarchical and total from a Schmid-Leiman solution (psych::omega).

    Parameters
    ----------
    data_or_corr : DataFrame or ndarray
        Item responses (pairwise Pearson correlations, or polychoric with
        ``corr="polychoric"``) or a correlation matrix.
    n_factors : int
        Number of group factors (psych's ``nfactors``, default 3).
    method : {"minres", "ml", "pa"}
        psych's ``fm``.
    rotation : {"oblimin", "geominQ", "promax", "Promax"}
        psych's ``rotate``.
    n_obs : int, optional
        Respondents, when a correlation matrix is given.
    corr : {"pearson", "polychoric"}
        Correlations computed from raw data (psych's ``poly = TRUE`` for polychoric).
    flip : bool
        Reverse items whose general loading is negative before summing (psych's default).
    option : {"equal", "first", "second"}
        psych's identification rule when ``n_factors == 2``.

    Returns
    -------
    Omega

    Notes
    -----
    With :math:`V_t` the sum of all entries of the (keyed) correlation matrix,
    :math:`\\omega_h = (\\sum_i g_i)^2 / V_t` and
    :math:`\\omega_t = 1 - \\sum_i u_i^2 / V_t`.

    References
    ----------
    McDonald, R. P. (1999). Test theory: A unified treatment. Erlbaum.
    Zinbarg, R. E., Revelle, W., Yovel, I., & Li, W. (2005). Cronbach's alpha,
    Revelle's beta, and McDonald's omega_h. Psychometrika, 70, 123-133.

    R equivalent: ``psych::omega(x, nfactors = 3, fm = "minres", rotate = "oblimin")``.

    Examples
    --------
    >>> import numpy as np
    >>> from toolkit.factor import omega
    >>> g = np.repeat([.6, .5, .4], 3); s = np.repeat([.4, .5, .3], 3)
    >>> lam = np.column_stack([g, np.kron(np.eye(3), np.ones((3, 1))) * s[:, None]])
    >>> r = lam @ lam.T; np.fill_diagonal(r, 1)
    >>> om = omega(r, 3)
    >>> round(om.omega_h_, 4), round(om.omega_total_, 4)   # R: 0.6763, 0.8267
    (0.6763, 0.8267)
    """
    r, n = correlation_input(data_or_corr, n_obs, corr=corr)
    sl_res = schmid_leiman(r, n_factors, method=method, rotation=rotation, n_obs=n, option=option)
    m = r.to_numpy()
    nvar = m.shape[0]
    sl = sl_res.sl_.copy()
    k = int(n_factors)
    key = np.ones(nvar)
    if flip:
        key = np.sign(sl["g"].to_numpy())
        key[key == 0] = 1
        if key.sum() < nvar:
            m = m * key[:, None] * key[None, :]
            sl.iloc[:, : k + 1] = sl.iloc[:, : k + 1].to_numpy() * key[:, None]
    vt = m.sum()
    vitem = np.trace(m)
    gsum = sl["g"].sum()
    gsq = gsum**2
    uniq = sl["u2"].sum()
    om_tot = (vt - uniq) / vt
    alpha = ((vt - vitem) / vt) * (nvar / (nvar - 1))
    smc_sum = float(_smc(m).sum())
    g6 = (vt + smc_sum - vitem) / vt
    ev = (sl.iloc[:, : k + 1] ** 2).sum()
    ecv = float(ev.iloc[0] / ev.sum())
    groups = sl.iloc[:, 1 : k + 1].abs().to_numpy().argmax(axis=1)
    rows = {"g": (om_tot, gsq / vt, np.nan)}
    grs = 0.0
    for j in range(k):
        idx = np.nonzero(groups == j)[0]
        col = sl.columns[j + 1]
        if len(idx) == 0:
            rows[col] = (np.nan, np.nan, np.nan)
            continue
        vgr = m[np.ix_(idx, idx)].sum()
        gr = sl.iloc[idx, j + 1].sum()
        grs += gr**2
        gg = sl["g"].iloc[idx].sum()
        rows[col] = ((gr**2 + gg**2) / vgr, gg**2 / vgr, gr**2 / vgr)
    rows["g"] = (om_tot, gsq / vt, grs / vt)
    group = pd.DataFrame.from_dict(rows, orient="index", columns=["total", "general", "group"])
    call = f'psych::omega(x, nfactors = {n_factors}, fm = "{method}", rotate = "{rotation}")'
    return Omega(
        omega_h_=float(gsq / vt), omega_total_=float(om_tot), alpha_=float(alpha), omega_limit_=float(gsq / (vt - uniq)),
        g6_=float(g6), ecv_=ecv, schmid_=sl, schmid_leiman_=sl_res, key_=pd.Series(key.astype(int), index=sl.index, name="key"),
        omega_group_=group, n_obs_=n, call_=call, corr_=r,
    )
