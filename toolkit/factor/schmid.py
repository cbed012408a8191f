"""Schmid-Leiman transformation and McDonald's omega from the EFA route (psych::schmid, psych::omega).

psych's recipe, reproduced step by step: an orthogonal (varimax) solution with
``n_factors`` factors, an oblique rotation of it (oblimin by default), a one-factor
solution of the factor correlations (the general factor), and the Schmid-Leiman
orthogonalisation that gives every item a general loading ``g`` and group loadings
``F1*..Fk*``. ``omega`` then keys negatively loading items (``flip``) and computes
omega hierarchical, omega total, alpha, and per-group omegas.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pandas as pd

from .._checks import check_bool, check_choice, check_count
from .._numerics import smc as _smc
from .._results import Result
from ._fa import fa_core
from .correlation import correlation_input
from .extraction import METHODS
from .rotation import rotate

__all__ = ["schmid_leiman", "omega", "SchmidLeiman", "Omega"]

_SL_ROTATIONS = ("oblimin", "geominQ", "geomin", "promax", "Promax")


@dataclass(kw_only=True, repr=False, eq=False)
class SchmidLeiman(Result):
    """Result of :func:`schmid_leiman`.

    Attributes
    ----------
    sl : DataFrame
        Items x (``g``, ``F1*``..``Fk*``, ``h2``, ``u2``, ``p2``), psych's ``schmid$sl``.
    oblique : DataFrame
        Oblique pattern loadings ``F1..Fk`` (psych's ``schmid$oblique``).
    phi : DataFrame
        Correlations of the oblique factors.
    orthogonal : DataFrame
        The varimax loadings the oblique rotation started from.
    g_loadings : Series
        Loadings of the oblique factors on the general factor.
    n_obs : int or None
        Respondents (None for a correlation matrix given without ``n_obs``).
    call : str
        The equivalent R call.
    title, notes :
        See :class:`toolkit._results.Result`.
    """

    sl: pd.DataFrame
    oblique: pd.DataFrame
    phi: pd.DataFrame
    orthogonal: pd.DataFrame
    g_loadings: pd.Series
    n_obs: int | None
    call: str

    main: ClassVar[str] = "sl"
    _renamed: ClassVar[dict] = {f"{f}_": f for f in ("sl", "oblique", "phi", "orthogonal", "g_loadings", "n_obs",
                                                     "call")}

    def _display_tables(self) -> dict:
        return {"Schmid-Leiman loadings": self.sl, "factor correlations": self.phi}

    def _display_values(self) -> dict:
        return {"n_obs": self.n_obs} if self.n_obs is not None else {}


def _schmid_from_corr(r: pd.DataFrame, n_factors: int, method: str, rotation: str, option: str = "equal"):
    names = list(r.index)
    a = r.to_numpy()
    k = int(n_factors)
    if rotation == "geomin":
        rotation = "geominQ"
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
        The loadings table ``sl`` and the oblique solution it came from.

    Notes
    -----
    With oblique pattern :math:`F`, factor correlations :math:`\\Phi = g g'` + diag and
    general loadings :math:`g` of the factors: item general loadings are :math:`F g` and
    group loadings :math:`F_{ij}\\sqrt{1-g_j^2}` (with :math:`F`'s sign).

    R equivalent: ``psych::schmid(r, nfactors = 3, fm = "minres", rotate = "oblimin")``.

    References
    ----------
    Schmid, J., & Leiman, J. M. (1957). The development of hierarchical factor solutions.
    Psychometrika, 22, 53-61.

    Examples
    --------
    >>> import numpy as np
    >>> from toolkit.factor import schmid_leiman
    >>> g = np.repeat([.6, .5, .4], 3); s = np.repeat([.4, .5, .3], 3)
    >>> grp = np.kron(np.eye(3), np.ones((3, 1))) * s[:, None]
    >>> lam = np.column_stack([g, grp]); r = lam @ lam.T; np.fill_diagonal(r, 1)
    >>> sl = schmid_leiman(r, 3)
    >>> sl.sl.columns.tolist()
    ['g', 'F1*', 'F2*', 'F3*', 'h2', 'u2', 'p2']
    >>> bool(np.allclose(sl.sl["g"].abs(), g, atol=1e-3))
    True
    """
    n_factors, method, rotation, option = _check_schmid(n_factors, method, rotation, option, "schmid_leiman")
    r, n = correlation_input(data_or_corr, n_obs, corr=corr, caller="schmid_leiman")
    return _schmid_result(r, n, n_factors, method, rotation, option)


def _check_schmid(n_factors, method, rotation, option, caller):
    n_factors = check_count(n_factors, param="n_factors", caller=caller, minimum=2,
                            what="omega_h is not defined for one factor")
    method = check_choice(method, METHODS, param="method", caller=caller)
    rotation = check_choice(rotation, _SL_ROTATIONS, param="rotation", caller=caller,
                            hint="Schmid-Leiman needs an oblique rotation of the varimax solution.")
    option = check_choice(option, ("equal", "first", "second"), param="option", caller=caller)
    return n_factors, method, rotation, option


def _schmid_result(r, n, n_factors, method, rotation, option) -> SchmidLeiman:
    sl, obl, phi, orth, gl = _schmid_from_corr(r, n_factors, method, rotation, option)
    call = f'psych::schmid(r, nfactors = {n_factors}, fm = "{method}", rotate = "{rotation}")'
    notes = [f"{n_factors} group factors: {method} extraction, varimax, then {rotation} rotation; the general factor "
             f"from a one-factor {method} solution of their correlations"
             + (f" (two factors: psych's option = \"{option}\")" if n_factors == 2 else ""),
             f"R equivalent: {call}"]
    return SchmidLeiman(sl=sl, oblique=obl, phi=phi, orthogonal=orth, g_loadings=gl, n_obs=n, call=call,
                        title=f"Schmid-Leiman solution ({len(r)} items, {n_factors} group factors)", notes=notes)


@dataclass(kw_only=True, repr=False, eq=False)
class Omega(Result):
    """Result of :func:`omega`: reliability coefficients from a Schmid-Leiman solution.

    Attributes
    ----------
    omega_h : float
        Omega hierarchical, :math:`(\\sum g)^2 / V_t`.
    omega_total : float
        Omega total, :math:`(V_t - \\sum u^2)/V_t`.
    alpha : float
        Cronbach's alpha of the (keyed) items.
    omega_limit : float
        Asymptotic omega_h, :math:`(\\sum g)^2/(V_t - \\sum u^2)`.
    g6 : float
        Guttman's lambda 6.
    ecv : float
        Explained common variance of the general factor.
    schmid : DataFrame
        Items x (g, F1*..Fk*, h2, u2, p2), psych's ``schmid$sl`` after keying.
    schmid_leiman : SchmidLeiman
        The full Schmid-Leiman result (before keying).
    key : Series
        +1/-1 per item: -1 for items reversed because their general loading was
        negative (psych's ``flip``; psych appends ``-`` to such names).
    omega_group : DataFrame
        Rows g, F1*..: ``total``, ``general``, ``group`` omegas (psych's ``omega.group``).
    corr : DataFrame
        The correlation matrix analysed (before keying).
    n_obs : int or None
        Respondents (None for a correlation matrix given without ``n_obs``).
    call : str
        The equivalent R call.
    coefficients : DataFrame
        (Read-only) one row per coefficient; what :meth:`summary` returns.
    title, notes :
        See :class:`toolkit._results.Result`.
    """

    omega_h: float
    omega_total: float
    alpha: float
    omega_limit: float
    g6: float
    ecv: float
    schmid: pd.DataFrame
    schmid_leiman: SchmidLeiman
    key: pd.Series
    omega_group: pd.DataFrame
    corr: pd.DataFrame
    n_obs: int | None
    call: str

    main: ClassVar[str] = "coefficients"
    _renamed: ClassVar[dict] = {f"{f}_": f for f in (
        "omega_h", "omega_total", "alpha", "omega_limit", "g6", "ecv", "schmid", "schmid_leiman", "key",
        "omega_group", "corr", "n_obs", "call")}

    @property
    def coefficients(self) -> pd.DataFrame:
        """One row per coefficient (omega_h, omega_limit, omega_total, alpha, g6, ecv), column ``value``."""
        return pd.DataFrame(
            {"value": [self.omega_h, self.omega_limit, self.omega_total, self.alpha, self.g6, self.ecv]},
            index=pd.Index(["omega_h", "omega_limit", "omega_total", "alpha", "g6", "ecv"], name="statistic"),
        )

    def _display_tables(self) -> dict:
        return {"coefficients": self.coefficients, "Schmid-Leiman loadings (keyed)": self.schmid,
                "omega per group factor": self.omega_group}

    def _display_values(self) -> dict:
        return {"n_obs": self.n_obs} if self.n_obs is not None else {}


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
        The coefficients (``omega_h``, ``omega_total``, ...), the keyed Schmid-Leiman table and the notes.

    Notes
    -----
    With :math:`V_t` the sum of all entries of the (keyed) correlation matrix,
    :math:`\\omega_h = (\\sum_i g_i)^2 / V_t` and
    :math:`\\omega_t = 1 - \\sum_i u_i^2 / V_t`.

    R equivalent: ``psych::omega(x, nfactors = 3, fm = "minres", rotate = "oblimin")``.

    References
    ----------
    McDonald, R. P. (1999). Test theory: A unified treatment. Erlbaum.
    Zinbarg, R. E., Revelle, W., Yovel, I., & Li, W. (2005). Cronbach's alpha,
    Revelle's beta, and McDonald's omega_h. Psychometrika, 70, 123-133.

    Examples
    --------
    >>> import numpy as np
    >>> from toolkit.factor import omega
    >>> g = np.repeat([.6, .5, .4], 3); s = np.repeat([.4, .5, .3], 3)
    >>> lam = np.column_stack([g, np.kron(np.eye(3), np.ones((3, 1))) * s[:, None]])
    >>> r = lam @ lam.T; np.fill_diagonal(r, 1)
    >>> om = omega(r, 3)
    >>> round(om.omega_h, 4), round(om.omega_total, 4)   # R: 0.6763, 0.8267
    (0.6763, 0.8267)
    """
    n_factors, method, rotation, option = _check_schmid(n_factors, method, rotation, option, "omega")
    flip = check_bool(flip, param="flip", caller="omega")
    r, n = correlation_input(data_or_corr, n_obs, corr=corr, caller="omega")
    sl_res = _schmid_result(r, n, n_factors, method, rotation, option)
    m = r.to_numpy()
    nvar = m.shape[0]
    sl = sl_res.sl.copy()
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
    poly = ", poly = TRUE" if corr == "polychoric" else ""
    call = f'psych::omega(x, nfactors = {n_factors}, fm = "{method}", rotate = "{rotation}"{poly})'
    notes = list(sl_res.notes[:-1])
    reversed_items = [str(i) for i, k_ in zip(sl.index, key) if k_ < 0]
    if reversed_items:
        notes.append(f"reversed before summing because their general loading is negative (psych's flip): "
                     f"{', '.join(reversed_items)}")
    notes.append(f"R equivalent: {call}")
    return Omega(
        omega_h=float(gsq / vt), omega_total=float(om_tot), alpha=float(alpha), omega_limit=float(gsq / (vt - uniq)),
        g6=float(g6), ecv=ecv, schmid=sl, schmid_leiman=sl_res,
        key=pd.Series(key.astype(int), index=sl.index, name="key"),
        omega_group=group, n_obs=n, call=call, corr=r,
        title=f"Omega ({nvar} items, {n_factors} group factors" + (f", n = {n})" if n is not None else ")"),
        notes=notes,
    )
