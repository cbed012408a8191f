"""McDonald's omega from a confirmatory factor model fitted by maximum likelihood (semTools::compRelSEM).

The congeneric model (one factor per subscale, items loading only on their factor, factors correlated,
factor variances fixed to 1 as lavaan's ``std.lv = TRUE``) is fitted by
:func:`toolkit.factor.congeneric.fit_congeneric`. The Schmid-Leiman route (psych::omega) lives in
``toolkit.factor.omega``.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from ..exceptions import ReliabilityWarning
from ..factor.congeneric import fit_congeneric
from ._data import check_options, prepare

__all__ = ["omega_cfa"]


def _omega_from_fit(fit: dict, S: np.ndarray, idx=None) -> float:
    lam, phi = fit["loadings"], fit["phi"]
    if idx is None:
        idx = np.arange(S.shape[0])
    L = lam[idx]
    return float((L @ phi @ L.T).sum() / S[np.ix_(idx, idx)].sum())


def omega_cfa(data: pd.DataFrame, keys=None, *, correlated_total: bool = True, n_boot: int = 0, seed=0,
              ci: float = 0.95, scale=None) -> pd.DataFrame:
    """Omega (composite reliability) from ML confirmatory factor models, as semTools::compRelSEM.

    Parameters
    ----------
    data : DataFrame
        Items in columns (keyed as ``keys`` says; rows with any missing item are dropped: lavaan's default).
    keys : mapping or list, optional
        ``{factor: [items]}`` psych style (``-item`` reverses). Default: one factor of every column.
    correlated_total : bool
        With two or more factors, also fit the correlated-factors model and report its total
        (``compRelSEM(fit, return.total = TRUE)``).
    n_boot, seed, ci : int, int, float
        Percentile bootstrap interval of each omega from ``n_boot`` resamples of the complete rows (0 = none;
        each resample refits the CFA, about 5-50 ms per fit), seeded with ``numpy.random.default_rng(seed)``.
    scale : (min, max), optional
        Response range for reversing items.

    Returns
    -------
    DataFrame
        One row per factor, ``total_one_factor`` (a single factor over all items) and, when asked,
        ``total_correlated``; columns ``omega``, ``n_items``, ``n``, ``converged``, ``model`` and with
        ``n_boot``: ``boot_low``, ``boot_high``, ``boot_failed`` (resamples whose fit did not converge).

    Notes
    -----
    omega_f = (sum_i lambda_i)^2 / 1'S_f 1 with S the observed covariance matrix of the factor's items
    (semTools' default ``obs.var = TRUE``); the total of the correlated-factors model is
    1'Lambda Phi Lambda'1 / 1'S1. Factor variances are fixed to 1; residual variances are kept >= 0 (lavaan
    leaves them free: the two agree unless lavaan's solution has a negative variance, which we warn about).

    References
    ----------
    McDonald, R. P. (1999). Test theory: A unified treatment. Erlbaum.
    Raykov, T. (1997). Estimation of composite reliability for congeneric measures. Applied Psychological
    Measurement, 21, 173-184.

    See Also
    --------
    R: ``semTools::compRelSEM(lavaan::cfa("f =~ x1 + x2 + x3", data, std.lv = TRUE))``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(1)
    >>> f = rng.normal(size=(300, 1))
    >>> df = pd.DataFrame(f @ [[0.8, 0.7, 0.6, 0.5]] + rng.normal(scale=0.6, size=(300, 4)),
    ...                   columns=["a", "b", "c", "d"])
    >>> float(omega_cfa(df).loc["scale", "omega"].round(3))
    0.809
    """
    check_options(ci, n_boot)
    sd = prepare(data, keys=keys, total=False, scale=scale)
    return _omega_table(sd.frame, sd.scales, correlated_total=correlated_total, n_boot=n_boot, seed=seed, level=ci)


def _omega_table(frame: pd.DataFrame, scales: dict, *, correlated_total: bool = True, n_boot: int = 0, seed=0,
                 level: float = 0.95) -> pd.DataFrame:
    rows = {}
    for name, cols in scales.items():
        X = frame[cols].dropna().to_numpy(dtype=float)
        if len(cols) < 3:
            rows[name] = {"omega": np.nan, "n_items": len(cols), "n": len(X), "converged": False,
                          "model": "not identified with fewer than 3 items"}
            continue
        rows[name] = _fit_row(X, [np.arange(len(cols))], "one factor", name, n_boot, seed, level)
    allcols = list(dict.fromkeys(c for cols in scales.values() for c in cols))
    if len(scales) > 1:
        X = frame[allcols].dropna().to_numpy(dtype=float)
        rows["total_one_factor"] = _fit_row(X, [np.arange(len(allcols))], "one factor", "total", n_boot, seed,
                                            level)
        if correlated_total and all(len(c) >= 2 for c in scales.values()):
            pos = {c: i for i, c in enumerate(allcols)}
            groups = [np.array([pos[c] for c in cols]) for cols in scales.values()]
            rows["total_correlated"] = _fit_row(X, groups, "correlated factors", "total", n_boot, seed, level)
    return pd.DataFrame.from_dict(rows, orient="index")


def _bootstrap_omega(X: np.ndarray, groups, fit: dict, n_boot: int, seed) -> np.ndarray:
    """omega on resampled rows (the same draws as the alpha bootstrap, ``_boot.Resamples``), each CFA
    warm-started at the full-sample estimates."""
    from ._boot import Resamples

    n = X.shape[0]
    draws = Resamples(n, n_boot, seed)
    out = np.full(n_boot, np.nan)
    for b in range(n_boot):
        w = np.concatenate([draws.counts(j, b, b + 1)[0] for j in range(draws.n_blocks)]).astype(float)
        mean = w @ X / n
        Xc = X - mean
        S = (Xc.T * w) @ Xc / n
        fb = fit_congeneric(S, groups, tol=1e-10, start=fit["x"], polish=False)
        if fb["grad_norm"] < 1e-3:  # omega to ~1e-6 is plenty for an interval
            out[b] = _omega_from_fit(fb, S)
    return out


def _fit_row(X: np.ndarray, groups, model: str, name: str, n_boot: int = 0, seed=0, level: float = 0.95) -> dict:
    n = X.shape[0]
    S = np.cov(X, rowvar=False, ddof=0)
    fit = fit_congeneric(S, groups)
    if not fit["converged"]:
        warnings.warn(f"scale {name!r}: the {model} CFA did not converge (largest gradient "
                      f"{fit['grad_norm']:.2g}); its omega is unreliable", ReliabilityWarning, stacklevel=3)
    if fit["heywood"]:
        warnings.warn(f"scale {name!r}: the {model} CFA puts a residual variance at zero (Heywood case; lavaan "
                      "would report it negative); omega from it is questionable", ReliabilityWarning, stacklevel=3)
    row = {"omega": _omega_from_fit(fit, S), "n_items": X.shape[1], "n": n, "converged": fit["converged"],
           "model": model}
    if n_boot:
        from ._boot import percentile_ci

        boot = _bootstrap_omega(X, groups, fit, n_boot, seed)
        row["boot_low"], row["boot_high"] = percentile_ci(boot, level)
        row["boot_failed"] = int(np.isnan(boot).sum())
    return row
