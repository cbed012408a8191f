"""The one-call reliability table: every subscale and the total, every coefficient, with intervals."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from .._numerics import with_single_thread_blas
from ..exceptions import ReliabilityWarning
from ._data import check_missing, check_options, prepare
from ._results import Result
from .alpha import alpha_block
from . import _core
from .guttman import split_half_stats
from .omega import _omega_table

__all__ = ["reliability", "ReliabilityTable"]


class ReliabilityTable(Result):
    """What :func:`reliability` returns: ``.table`` (one row per scale, unrounded) and ``.notes``.

    ``.item_stats`` (psych's item statistics per scale, stacked) and ``.omega_cfa`` (every fitted CFA) are
    kept as extra tables; ``summary()`` returns ``.table``.
    """

    def __getitem__(self, key):
        return self.tables["table"][key]

    def _display_tables(self) -> dict:
        # one column per scale reads better than thirty columns per row
        shown = dict(self.tables)
        shown["table"] = self.tables["table"].round(self.digits).T
        return shown


@with_single_thread_blas
def reliability(data: pd.DataFrame, instrument=None, *, keys=None, form=None, items=None, pattern=None,
                on_invalid: str = "raise", missing: str = "pairwise", ci: float = 0.95, n_boot: int = 1000,
                seed=0, omega: bool = True, omega_boot: int = 0, n_factors: int | None = None,
                ordinal: bool = False, metric: str | None = None, scale=None) -> ReliabilityTable:
    """Reliability of every subscale and the total in one table, as psych and semTools compute it.

    Parameters
    ----------
    data : DataFrame
        Responses, one row per respondent.
    instrument : str or Instrument, optional
        Subscales, item columns and reversed items come from the instrument (``toolkit.scoring.item_frame``).
    keys : mapping, optional
        Without an instrument: ``{subscale: ["-A1", "A2", ...]}`` (psych's keys list; ``-`` reverses).
    form, items, pattern, on_invalid
        Passed to ``item_frame``.
    missing : {"pairwise", "listwise"}
        ``pairwise`` (psych's default): every covariance from the rows answering both items; ``listwise``:
        each scale from the rows answering all its items. The CFA omegas are always listwise (lavaan).
    ci : float
        Level of the Feldt and bootstrap intervals.
    n_boot : int
        Bootstrap resamples for the alpha intervals (0 = none).
    seed : int or numpy Generator
        Seed of ``numpy.random.default_rng`` for the bootstrap and the random split halves (default 0, so
        that a table is reproducible; the seed is stated in the notes).
    omega : bool
        Fit the omegas (Schmid-Leiman on the total, CFA per subscale and total).
    omega_boot : int
        Bootstrap resamples for percentile intervals of ``omega_cfa`` (0 = none: each resample refits every
        CFA, a few ms per fit); seeded by ``seed``.
    n_factors : int, optional
        Group factors of the Schmid-Leiman solution; default the number of subscales.
    ordinal : bool
        Add ordinal alpha (Zumbo et al. 2007: alpha of the polychoric correlations) and, for the total, the
        Schmid-Leiman omegas of the polychoric matrix.
    metric : {"sum", "mean"}, optional
        Metric of ``mean``, ``sd`` and ``sem``; default the instrument's scoring method (keys: "mean", as psych).
    scale : (min, max), optional
        Response range for reversing items (keys route); default the observed range.

    Returns
    -------
    ReliabilityTable
        ``.table`` indexed by ``scale`` with columns ``n_items``, ``n``, ``missing``, ``alpha``,
        ``std_alpha``, ``ase``, ``feldt_low``, ``feldt_high``, ``boot_low``, ``boot_high`` (percentile),
        ``bca_low``, ``bca_high``, ``lambda2``, ``lambda6``, ``average_r``, ``median_r``, ``sn``, ``mean``,
        ``sd``, ``sem``, ``max_split``, ``min_split``, ``mean_split``, ``sb_odd_even``, ``omega_t``,
        ``omega_h`` (Schmid-Leiman, total row), ``omega_cfa`` (one-factor CFA per subscale; total: correlated
        factors), ``omega_cfa_1f`` (total: one factor), with ``omega_boot``: ``omega_cfa_low``,
        ``omega_cfa_high``, and with ``ordinal``: ``ordinal_alpha``,
        ``ordinal_omega_t`` (subscales: one factor; total: Schmid-Leiman), ``ordinal_omega_h`` (total).

    Notes
    -----
    alpha, std_alpha, G6 (= lambda6), average r, S/N, ase, mean and sd are psych::alpha's; lambda 2 and the
    split halves psych::splitHalf's (correlations); SEM = sd sqrt(1 - alpha). omega_h and omega_t come from
    psych::omega's Schmid-Leiman route (minres, oblimin) via ``toolkit.factor.omega``; ``omega_cfa`` is
    semTools::compRelSEM on lavaan-style ML CFAs (factor variances fixed to 1, observed total variance in the
    denominator). Split halves are exact over all splits up to 10,000 distinct splits (k <= 16), else
    10,000 random splits (seeded), as psych.

    References
    ----------
    Revelle, W., & Condon, D. M. (2019). Reliability from alpha to omega: A tutorial. Psychological
    Assessment, 31, 1395-1411.
    Zumbo, B. D., Gadermann, A. M., & Zeisser, C. (2007). Ordinal versions of coefficients alpha and theta
    for Likert rating scales. Journal of Modern Applied Statistical Methods, 6, 21-29.

    See Also
    --------
    R: ``psych::alpha(x)``, ``psych::splitHalf(x)``, ``psych::omega(x, nfactors = 3)``,
    ``semTools::compRelSEM(lavaan::cfa(model, x, std.lv = TRUE), return.total = TRUE)``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(3)
    >>> f = rng.normal(size=(200, 2))
    >>> x = np.repeat(f, 3, axis=1) * 0.8 + rng.normal(scale=0.7, size=(200, 6))
    >>> df = pd.DataFrame(np.clip(np.round(x + 3), 1, 5), columns=list("abcdef"))
    >>> res = reliability(df, keys={"A": ["a", "b", "c"], "B": ["d", "e", "f"]}, n_boot=200, omega=False)
    >>> res.table[["n_items", "alpha", "feldt_low", "feldt_high"]].round(3)
           n_items  alpha  feldt_low  feldt_high
    scale
    A            3  0.803      0.751       0.846
    B            3  0.754      0.688       0.807
    total        6  0.630      0.545       0.704
    """
    check_missing(missing)
    check_options(ci, n_boot)
    check_options(ci, omega_boot)
    sd = prepare(data, instrument, keys=keys, form=form, items=items, pattern=pattern, on_invalid=on_invalid,
                 total=True, scale=scale)
    metric = metric or sd.metric or "mean"
    if metric not in ("sum", "mean"):
        raise ValueError(f"'metric' must be 'sum' or 'mean' (got {metric!r})")
    notes = [
        f"missing data: {missing} ("
        + ("each covariance from the rows answering both items, as psych::alpha's default"
           if missing == "pairwise" else "each scale from the rows answering all its items") + ")",
        f"mean, sd and sem in the {metric} metric of the scale score",
        f"alpha intervals at {ci:.0%}: Feldt" + (f"; bootstrap ({n_boot} resamples, seed {seed!r}): percentile "
                                                 "and BCa" if n_boot else " only (n_boot=0)"),
    ]
    rows = {}
    subscales = [s for s in sd.scales if s != "total"]
    for name, cols in sd.scales.items():
        block = alpha_block(sd.frame[cols], scale=name, missing=missing, level=ci, n_boot=n_boot, seed=seed)
        notes += block["notes"]
        t = block["total"]
        k = int(t["n_items"])
        factor = k if metric == "sum" else 1
        row = {"n_items": k, "n": int(t["n"]), "missing": missing}
        for c in ("alpha", "std_alpha", "ase", "feldt_low", "feldt_high", "boot_low", "boot_high", "bca_low",
                  "bca_high"):
            row[c] = t.get(c, np.nan)
        row["lambda2"] = np.nan
        row["lambda6"] = t["g6"]
        row["average_r"], row["median_r"], row["sn"] = t["average_r"], t["median_r"], t["sn"]
        row["mean"], row["sd"] = t["mean"] * factor, t["sd"] * factor
        row["sem"] = row["sd"] * np.sqrt(1 - row["alpha"]) if row["alpha"] <= 1 and row["alpha"] >= 0 else np.nan
        for c in ("max_split", "min_split", "mean_split", "sb_odd_even"):
            row[c] = np.nan
        if block["C"] is not None:
            sp = split_half_stats(block["C"], seed=seed)
            row["lambda2"] = sp["lambda2"]
            for c in ("max_split", "min_split", "mean_split", "sb_odd_even"):
                row[c] = sp[c]
            if not sp["splits_exact"]:
                notes.append(f"scale {name!r}: {k} items have more than 10,000 distinct splits; max/min/mean "
                             "split-half from 10,000 random splits (seeded), as psych::splitHalf")
        rows[name] = row
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = "scale"
    for c in ("omega_t", "omega_h", "omega_cfa", "omega_cfa_1f"):
        table[c] = np.nan
    extra = {}
    if omega:
        _add_omegas(sd, table, subscales, n_factors, missing, notes, extra, omega_boot, seed, ci)
    if ordinal:
        _add_ordinal(sd, table, subscales, n_factors, notes)
    if sd.reversed:
        notes.append(f"reversed items: {', '.join(sorted(sd.reversed))}")
    tables = {"table": table, **extra}
    return ReliabilityTable(tables, list(dict.fromkeys(notes)), f"Reliability ({sd.source})")


def _add_omegas(sd, table, subscales, n_factors, missing, notes, extra, omega_boot=0, seed=0, ci=0.95) -> None:
    scales = {s: sd.scales[s] for s in subscales} if subscales else {"total": sd.scales["total"]}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ReliabilityWarning)
        cfa = _omega_table(sd.frame, scales, n_boot=omega_boot, seed=seed, level=ci)
    for w in caught:
        notes.append(str(w.message))
        warnings.warn(w.message, w.category, stacklevel=4)
    extra["omega_cfa"] = cfa
    cols = [("omega", "omega_cfa")]
    if omega_boot:
        table["omega_cfa_low"] = np.nan
        table["omega_cfa_high"] = np.nan
        cols += [("boot_low", "omega_cfa_low"), ("boot_high", "omega_cfa_high")]
        notes.append(f"omega_cfa intervals: percentile bootstrap, {omega_boot} resamples of the complete rows "
                     f"(seed {seed!r}), each CFA refitted")
    for src, dst in cols:
        for s in scales:
            table.loc[s, dst] = cfa.loc[s, src]
        if "total_correlated" in cfa.index:
            table.loc["total", dst] = cfa.loc["total_correlated", src]
    if "total_correlated" in cfa.index:
        table.loc["total", "omega_cfa_1f"] = cfa.loc["total_one_factor", "omega"]
    notes.append("omega_cfa: semTools::compRelSEM on ML CFAs fitted to listwise-complete rows (lavaan's "
                 "default): one factor per subscale; for the total, correlated subscale factors "
                 "(omega_cfa_1f: one factor over all items)")
    k = n_factors or len(subscales)
    if k < 2:
        notes.append("omega_h/omega_t (Schmid-Leiman) not reported: they need at least 2 group factors "
                     "(pass n_factors= to force)")
        return
    from ..factor import omega as factor_omega

    cols = sd.scales["total"]
    X = sd.frame[cols]
    if missing == "listwise":
        X = X.dropna()
    om = factor_omega(X, n_factors=k)
    table.loc["total", "omega_h"] = om.omega_h
    table.loc["total", "omega_t"] = om.omega_total
    notes.append(f"omega_h/omega_t: psych::omega's Schmid-Leiman route (minres, oblimin, {k} group factors, "
                 f"{missing} correlations) on the total's items")


def _add_ordinal(sd, table, subscales, n_factors, notes) -> None:
    from ..factor import omega as factor_omega
    from ..factor import polychoric

    for c in ("ordinal_alpha", "ordinal_omega_t", "ordinal_omega_h"):
        table[c] = np.nan
    try:
        for name, cols in sd.scales.items():
            if len(cols) < 2:
                continue
            rho = polychoric(sd.frame[cols]).rho
            r = rho.to_numpy()
            table.loc[name, "ordinal_alpha"] = _core.alpha_stats(r, r)["std_alpha"]
            if name != "total" and len(cols) >= 3:
                table.loc[name, "ordinal_omega_t"] = _one_factor_omega_t(rho)
        k = n_factors or len(subscales)
        if k >= 2:
            om = factor_omega(sd.frame[sd.scales["total"]], n_factors=k, corr="polychoric")
            table.loc["total", "ordinal_omega_t"] = om.omega_total
            table.loc["total", "ordinal_omega_h"] = om.omega_h
    except (ValueError, TypeError) as err:  # e.g. a continuous scale: polychoric needs few ordered categories
        msg = f"ordinal alpha/omega not computed: {err}"
        notes.append(msg)
        # asked for, left NaN: say so, not only in notes (stack: here, reliability, its BLAS wrapper)
        warnings.warn(msg, ReliabilityWarning, stacklevel=4)
        return
    notes.append("ordinal: alpha of the polychoric correlations (Zumbo et al. 2007; psych::alpha(polychoric(x)$rho));"
                 " ordinal_omega_t of a subscale: psych::omega(x, nfactors = 1, poly = TRUE) (one minres factor);"
                 " of the total: psych::omega(x, nfactors = k, poly = TRUE)")


def _one_factor_omega_t(rho) -> float:
    """psych::omega(x, nfactors = 1)$omega.tot of a correlation matrix: (V_t - sum u2) / V_t, one minres
    factor (u2 = 1 - lambda^2), V_t the sum of all correlations."""
    from ..factor import EFA

    lam = EFA(1, rotation="none").fit(rho).loadings_.iloc[:, 0].to_numpy()
    vt = float(np.asarray(rho).sum())
    return (vt - float(np.sum(1 - lam**2))) / vt
