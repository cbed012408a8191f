"""McDonald's omega from a confirmatory factor model fitted by maximum likelihood (semTools::compRelSEM).

The congeneric model (one factor per subscale, items loading only on their factor, factors correlated,
factor variances fixed to 1 as lavaan's ``std.lv = TRUE``) is fitted by
:func:`toolkit.factor.congeneric.fit_congeneric`. The Schmid-Leiman route (psych::omega) lives in
``toolkit.factor.omega``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._checks import check_bool, check_choice, check_ci, check_count, check_seed, instrument_or_keys, renamed_parameter
from ..factor.congeneric import fit_congeneric
from ._data import note_and_warn, prepare

__all__ = ["omega_cfa"]


def _factor_omegas(fit: dict, S: np.ndarray, groups) -> list:
    """compRelSEM's omega of each factor of a (joint) fit: (sum lambda_f)^2 phi_ff / 1'S_f 1 (phi_ff = 1)."""
    lam = fit["loadings"]
    return [float(lam[g, f].sum() ** 2 * fit["phi"][f, f] / S[np.ix_(g, g)].sum()) for f, g in enumerate(groups)]


def _omega_from_fit(fit: dict, S: np.ndarray, idx=None) -> float:
    lam, phi = fit["loadings"], fit["phi"]
    if idx is None:
        idx = np.arange(S.shape[0])
    L = lam[idx]
    return float((L @ phi @ L.T).sum() / S[np.ix_(idx, idx)].sum())


@renamed_parameter("scale", "response_scale")
def omega_cfa(data: pd.DataFrame, instrument=None, *, keys=None, form: str | None = None, items=None,
              pattern: str | None = None, on_invalid: str = "raise", correlated_total: bool = True,
              n_boot: int = 0, seed=0, ci: float = 0.95, response_scale=None) -> pd.DataFrame:
    """Compute omega (composite reliability) from ML confirmatory factor models, as semTools::compRelSEM.

    One congeneric factor per subscale, one factor over all items, and the correlated-factors model whose
    total is the reliability of the total score. The table is the whole answer: a model that cannot be
    fitted has a missing omega and its ``model`` cell says why.

    Parameters
    ----------
    data : DataFrame
        Items in columns (rows with any missing item are dropped: lavaan's default).
    instrument : str or Instrument, optional
        An instrument id such as ``"wai-sr"``: one factor per subscale of its key (reversed items reversed);
        an instrument without subscales gives one factor over all items.
    keys : mapping or list, optional
        Without an instrument: ``{factor: [items]}`` psych style (``-item`` reverses). Default: one factor of
        every column.
    form : str, optional
        The instrument's form (client, therapist, ...), when it has several.
    items : mapping, optional
        Instrument only: item number -> column, for columns that do not follow the instrument's naming
        (passed to ``toolkit.scoring.item_frame``).
    pattern : str, optional
        Instrument only: how the item columns are named, e.g. ``"Q{n}"`` (passed to ``item_frame``).
    on_invalid : {"raise", "missing"}
        Instrument only: cells that are not valid answers raise, naming every one (``"raise"``), or become
        missing with a warning (``"missing"``).
    correlated_total : bool
        With two or more factors, also fit the correlated-factors model and report its total
        (``compRelSEM(fit, return.total = TRUE)``).
    n_boot : int
        Resamples of the complete rows for a percentile bootstrap interval of each omega (0 = none; each
        resample refits the CFA, about 5-50 ms per fit).
    seed : int or numpy.random.Generator
        Seed of ``numpy.random.default_rng`` for the bootstrap.
    ci : float
        Confidence level of the bootstrap interval, e.g. 0.95.
    response_scale : (min, max), mapping or ResponseScale, optional
        Response range for reversing items; default the observed range of the items (as psych).
        With an instrument it replaces the instrument's scale, as in ``toolkit.score`` (a pair means steps of 1;
        pass a mapping or a ``ResponseScale`` for anything else).

    Returns
    -------
    DataFrame
        One row per factor, ``total_one_factor`` (a single factor over all items) and, when asked,
        ``total_correlated``; columns ``omega`` (one factor per subscale, fitted alone), ``n_items``, ``n``,
        ``converged``, ``model`` (what was fitted, or why nothing was), ``omega_joint`` (with the correlated
        model: each subscale's omega in the joint model, what ``compRelSEM(fit)`` reports for it) and with
        ``n_boot``: ``boot_low``, ``boot_high``, ``boot_failed`` (resamples whose fit did not converge) and
        ``joint_low``, ``joint_high``.

    See Also
    --------
    reliability : The CFA omegas next to alpha and the Schmid-Leiman omegas.
    toolkit.factor.omega : The Schmid-Leiman omega_h and omega_t (psych::omega).

    Notes
    -----
    omega_f = (sum_i lambda_i)^2 / 1'S_f 1 with S the observed covariance matrix of the factor's items
    (semTools' default ``obs.var = TRUE``); the total of the correlated-factors model is
    1'Lambda Phi Lambda'1 / 1'S1. Factor variances are fixed to 1; residual variances are kept >= 0 (lavaan
    leaves them free: the two agree unless lavaan's solution has a negative variance, which we warn about).
    A factor with fewer than 3 items is not identified, and a model with an item that does not vary is not
    fitted (lavaan refuses such data): their omega is NaN and ``model`` says why.

    R equivalent: ``semTools::compRelSEM(lavaan::cfa("f =~ x1 + x2 + x3", data, std.lv = TRUE))``.

    References
    ----------
    .. [1] McDonald, R. P. (1999). Test theory: A unified treatment. Erlbaum.
    .. [2] Raykov, T. (1997). Estimation of composite reliability for congeneric measures. Applied
       Psychological Measurement, 21, 173-184.

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
    caller = "omega_cfa"
    instrument, keys = instrument_or_keys(instrument, keys, caller=caller)
    correlated_total = check_bool(correlated_total, param="correlated_total", caller=caller)
    n_boot = check_count(n_boot, param="n_boot", caller=caller, what="bootstrap resamples; 0 for none")
    seed = check_seed(seed, caller=caller)
    ci = check_ci(ci, caller=caller)
    on_invalid = check_choice(on_invalid, ("raise", "missing"), param="on_invalid", caller=caller)
    sd = prepare(data, instrument, keys=keys, form=form, items=items, pattern=pattern, on_invalid=on_invalid,
                 total=False, response_scale=response_scale, caller=caller)
    return _omega_table(sd.frame, sd.scales, correlated_total=correlated_total, n_boot=n_boot, seed=seed, level=ci)


def _omega_table(frame: pd.DataFrame, scales: dict, *, correlated_total: bool = True, n_boot: int = 0, seed=0,
                 level: float = 0.95, notes: list | None = None) -> pd.DataFrame:
    """One row per fitted model; problems go to ``notes`` (when given) and are warned."""
    rows = {}
    for name, cols in scales.items():
        X = frame[cols].dropna()
        if len(cols) < 3:
            rows[name] = {"omega": np.nan, "n_items": len(cols), "n": len(X), "converged": False,
                          "model": "not identified with fewer than 3 items"}
            continue
        rows[name] = _fit_row(X, [np.arange(len(cols))], "one factor", name, n_boot, seed, level, notes)
    allcols = list(dict.fromkeys(c for cols in scales.values() for c in cols))
    if len(scales) > 1:
        X = frame[allcols].dropna()
        rows["total_one_factor"] = _fit_row(X, [np.arange(len(allcols))], "one factor", "total", n_boot, seed,
                                            level, notes)
        if correlated_total and all(len(c) >= 2 for c in scales.values()):
            pos = {c: i for i, c in enumerate(allcols)}
            groups = [np.array([pos[c] for c in cols]) for cols in scales.values()]
            joint = _fit_row(X, groups, "correlated factors", "total", n_boot, seed, level, notes)
            omegas = joint.pop("factor_omegas", None)
            boots = joint.pop("factor_boot", None)
            rows["total_correlated"] = joint
            for k, name in enumerate(scales):
                if name in rows and omegas is not None:
                    rows[name]["omega_joint"] = omegas[k]
                    if boots is not None:
                        rows[name]["joint_low"], rows[name]["joint_high"] = boots[k]
    return pd.DataFrame.from_dict(rows, orient="index")


def _bootstrap_omega(X: np.ndarray, groups, fit: dict, n_boot: int, seed, per_factor: bool = False) -> np.ndarray:
    """omega on resampled rows (the same draws as the alpha bootstrap, ``_boot.Resamples``), each CFA
    warm-started at the full-sample estimates; with ``per_factor`` one column per factor, then the total."""
    from ._boot import Resamples

    n = X.shape[0]
    draws = Resamples(n, n_boot, seed)
    out = np.full((n_boot, len(groups) + 1) if per_factor else n_boot, np.nan)
    for b in range(n_boot):
        w = np.concatenate([draws.counts(j, b, b + 1)[0] for j in range(draws.n_blocks)]).astype(float)
        mean = w @ X / n
        Xc = X - mean
        S = (Xc.T * w) @ Xc / n
        fb = fit_congeneric(S, groups, tol=1e-10, start=fit["x"], polish=False)
        if fb["grad_norm"] < 1e-3:  # omega to ~1e-6 is plenty for an interval
            out[b] = (_factor_omegas(fb, S, groups) + [_omega_from_fit(fb, S)]) if per_factor else \
                _omega_from_fit(fb, S)
    return out


def _fit_row(X: pd.DataFrame, groups, model: str, name: str, n_boot: int = 0, seed=0, level: float = 0.95,
             notes: list | None = None) -> dict:
    n = X.shape[0]
    constant = [c for c in X.columns if not (X[c].std(ddof=0) > 0)]
    if constant:
        why = (f"item(s) {', '.join(map(repr, constant))} do not vary among the {n} complete rows" if n > 1 else
               f"only {n} complete row(s)")
        note_and_warn(notes, f"scale {name!r}: the {model} CFA was not fitted and its omega is missing: {why}, so "
                             "the covariance matrix is singular (lavaan refuses such data too). Drop the item(s) to "
                             "get omega")
        row = {"omega": np.nan, "n_items": X.shape[1], "n": n, "converged": False, "model": f"not fitted: {why}"}
        if n_boot:
            row.update(boot_low=np.nan, boot_high=np.nan, boot_failed=n_boot)
        return row
    X = X.to_numpy(dtype=float)
    S = np.cov(X, rowvar=False, ddof=0)
    fit = fit_congeneric(S, groups)
    if not fit["converged"]:
        note_and_warn(notes, f"scale {name!r}: the {model} CFA did not converge (largest gradient "
                             f"{fit['grad_norm']:.2g}); its omega is unreliable")
    if fit["heywood"]:
        note_and_warn(notes, f"scale {name!r}: the {model} CFA puts a residual variance at zero (Heywood case; "
                             "lavaan would report it negative); omega from it is questionable")
    row = {"omega": _omega_from_fit(fit, S), "n_items": X.shape[1], "n": n, "converged": fit["converged"],
           "model": model}
    joint = len(groups) > 1
    if joint:  # compRelSEM's omega of each factor of the joint model
        row["factor_omegas"] = _factor_omegas(fit, S, groups)
    if n_boot:
        from ._boot import percentile_ci

        boot = _bootstrap_omega(X, groups, fit, n_boot, seed, per_factor=joint)
        total = boot[:, -1] if joint else boot
        row["boot_low"], row["boot_high"] = percentile_ci(total, level)
        row["boot_failed"] = int(np.isnan(total).sum())
        if joint:
            row["factor_boot"] = [percentile_ci(boot[:, k], level) for k in range(len(groups))]
    return row
