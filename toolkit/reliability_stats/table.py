"""The one-call reliability table: every subscale and the total, every coefficient, with intervals."""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._checks import (check_bool, check_choice, check_ci, check_count, check_metric, check_missing, check_seed,
                       instrument_or_keys, renamed_parameter)
from .._numerics import with_single_thread_blas
from .._results import Result
from ..exceptions import AllianceWarning, InvalidParameterError
from . import _core
from ._data import note_and_warn, prepare
from .alpha import alpha_block
from .guttman import split_half_stats
from .omega import _omega_table

__all__ = ["reliability", "ReliabilityTable"]


@dataclass(kw_only=True, repr=False, eq=False)
class ReliabilityTable(Result):
    """What :func:`reliability` returns: one row per subscale and the total, numbers unrounded.

    ``rel["alpha"]`` is ``rel.table["alpha"]``; ``summary()`` and ``to_frame()`` return ``table``. A notebook
    shows the table with one column per scale, rounded for display, then the notes.

    Attributes
    ----------
    table : DataFrame
        Indexed by ``scale`` (the subscales, then ``total``); the columns are listed under Returns in
        :func:`reliability`.
    omega_cfa : DataFrame or None
        Every fitted CFA behind the ``omega_cfa`` columns (one row per model: ``omega``, ``n_items``, ``n``,
        ``converged``, ``model`` and the bootstrap limits when asked); None with ``omega=False``.
    title : str
        What was computed on what.
    notes : list of str
        Missing-data handling, metric, intervals, which R function each column mirrors, reversed items, what
        was not computed and why, and every warning raised.

    See Also
    --------
    reliability : The function that returns it.

    Examples
    --------
    >>> import toolkit
    >>> rel = toolkit.reliability(toolkit.load_sample("wai_sr_sessions"), "wai-sr", n_boot=0, omega=False)
    >>> rel["alpha"].round(3).tolist()
    [0.82, 0.834, 0.796, 0.909]
    >>> rel.summary().equals(rel.table), rel.omega_cfa is None
    (True, True)
    """

    table: pd.DataFrame
    omega_cfa: pd.DataFrame | None = None

    def __getitem__(self, key):
        return self.table[key]

    def _display_tables(self) -> dict:
        # one column per scale reads better than thirty columns per row
        shown = dict(self.tables)
        shown["table"] = self.table.round(self.digits).T
        return shown


@renamed_parameter("scale", "response_scale")
@with_single_thread_blas
def reliability(data: pd.DataFrame, instrument=None, *, keys=None, form: str | None = None, items=None,
                pattern: str | None = None, on_invalid: str = "raise", missing: str = "pairwise", ci: float = 0.95,
                n_boot: int = 1000, seed=0, omega: bool = True, omega_boot: int = 0, n_factors: int | None = None,
                ordinal: bool = False, metric: str | None = None, response_scale=None) -> ReliabilityTable:
    """Compute the reliability of every subscale and the total in one table, as psych and semTools do.

    One row per subscale and one for the total: alpha with Feldt and bootstrap intervals, Guttman's lambdas,
    split halves, the standard error of measurement and McDonald's omega by two routes. A coefficient that
    cannot be computed is left missing and the notes say why; the rest of the table is kept.

    Parameters
    ----------
    data : DataFrame
        Responses, one row per respondent.
    instrument : str or Instrument, optional
        An instrument id such as ``"wai-sr"`` (or a definition file, or an ``Instrument``): subscales, item
        columns and reversed items come from its key (``toolkit.scoring.item_frame``).
    keys : mapping, optional
        Without an instrument: ``{subscale: ["-A1", "A2", ...]}`` (psych's keys list; ``-`` reverses).
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
    missing : {"pairwise", "listwise"}
        ``pairwise`` (psych's default): every covariance from the rows answering both items; ``listwise``:
        each scale from the rows answering all its items. The CFA omegas are always listwise (lavaan).
    ci : float
        Confidence level of the Feldt and bootstrap intervals, e.g. 0.95.
    n_boot : int
        Bootstrap resamples for the alpha intervals (0 = none).
    seed : int or numpy.random.Generator
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
    response_scale : (min, max), mapping or ResponseScale, optional
        Response range for reversing items; default the observed range of the items (as psych).
        With an instrument it replaces the instrument's scale, as in ``toolkit.score`` (a pair means steps of 1;
        pass a mapping or a ``ResponseScale`` for anything else).

    Returns
    -------
    ReliabilityTable
        ``.table`` indexed by ``scale`` with columns ``n_items``, ``n``, ``missing``, ``alpha``,
        ``std_alpha``, ``ase``, ``feldt_low``, ``feldt_high``, ``boot_low``, ``boot_high`` (percentile),
        ``bca_low``, ``bca_high``, ``lambda2``, ``lambda6``, ``average_r``, ``median_r``, ``sn``, ``mean``,
        ``sd``, ``sem``, ``max_split``, ``min_split``, ``mean_split``, ``sb_odd_even``, ``omega_t``,
        ``omega_h`` (Schmid-Leiman, total row), ``omega_cfa`` (compRelSEM on the joint model of correlated
        subscale factors, per subscale and total; one factor when there is one scale), ``omega_cfa_alone``
        (one-factor CFA of each subscale alone), ``omega_cfa_1f`` (total: one factor), with ``omega_boot``:
        ``omega_cfa_low``, ``omega_cfa_high``, and with ``ordinal``: ``ordinal_alpha``,
        ``ordinal_omega_t`` (subscales: one factor; total: Schmid-Leiman), ``ordinal_omega_h`` (total).
        What cannot be computed (e.g. omega with an item that does not vary) is NaN, with the reason in
        ``.notes`` and a :class:`~toolkit.exceptions.ReliabilityWarning`.

    See Also
    --------
    cronbach_alpha : The full psych::alpha output for one scale.
    item_analysis : One row per item with flags.
    omega_cfa : The CFA omegas on their own.

    Notes
    -----
    alpha, std_alpha, G6 (= lambda6), average r, S/N, ase, mean and sd are psych::alpha's (see
    :func:`cronbach_alpha` for the formulas); lambda 2 and the split halves psych::splitHalf's (see
    :func:`split_half`); SEM = sd sqrt(1 - alpha). omega_h = (1'g)^2 / 1'R1 and omega_t = 1 - sum u^2 / 1'R1
    come from psych::omega's Schmid-Leiman route (minres, oblimin) via ``toolkit.factor.omega``; ``omega_cfa``
    = 1'Lambda Phi Lambda'1 / 1'S1 is semTools::compRelSEM on lavaan-style ML CFAs (factor variances fixed to
    1, observed total variance in the denominator). Split halves are exact over all splits up to 10,000
    distinct splits (k <= 16), else 10,000 random splits (seeded), as psych.

    R equivalent: ``psych::alpha(x)``, ``psych::splitHalf(x)``, ``psych::omega(x, nfactors = 3)``,
    ``semTools::compRelSEM(lavaan::cfa(model, x, std.lv = TRUE), return.total = TRUE)``.

    References
    ----------
    .. [1] Revelle, W., & Condon, D. M. (2019). Reliability from alpha to omega: A tutorial. Psychological
       Assessment, 31, 1395-1411.
    .. [2] Zumbo, B. D., Gadermann, A. M., & Zeisser, C. (2007). Ordinal versions of coefficients alpha and
       theta for Likert rating scales. Journal of Modern Applied Statistical Methods, 6, 21-29.

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
    >>> res["alpha"].round(3).tolist()
    [0.803, 0.754, 0.63]
    """
    caller = "reliability"
    instrument, keys = instrument_or_keys(instrument, keys, caller=caller)
    missing = check_missing(missing, caller=caller)
    ci = check_ci(ci, caller=caller)
    n_boot = check_count(n_boot, param="n_boot", caller=caller, what="bootstrap resamples; 0 for none")
    omega_boot = check_count(omega_boot, param="omega_boot", caller=caller,
                             what="bootstrap resamples of the CFA omegas; 0 for none")
    seed = check_seed(seed, caller=caller)
    omega = check_bool(omega, param="omega", caller=caller)
    ordinal = check_bool(ordinal, param="ordinal", caller=caller)
    if n_factors is not None:
        n_factors = check_count(n_factors, param="n_factors", caller=caller, minimum=1,
                                what="group factors of the Schmid-Leiman solution")
    on_invalid = check_choice(on_invalid, ("raise", "missing"), param="on_invalid", caller=caller)
    metric = check_metric(metric, caller=caller)
    if metric == "pomp":
        raise InvalidParameterError("The 'metric' parameter of reliability() must be 'sum' or 'mean' (the metric "
                                    "of mean, sd and sem); 'pomp' is not offered here. Got 'pomp'.")
    sd = prepare(data, instrument, keys=keys, form=form, items=items, pattern=pattern, on_invalid=on_invalid,
                 total=True, response_scale=response_scale, caller=caller)
    metric = metric or sd.metric or "mean"
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
        block = alpha_block(sd.frame[cols], label=name, missing=missing, level=ci, n_boot=n_boot, seed=seed)
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
    cfa = None
    if omega:
        cfa = _add_omegas(sd, table, subscales, n_factors, missing, notes, omega_boot, seed, ci)
    if ordinal:
        _add_ordinal(sd, table, subscales, n_factors, notes)
    if sd.reversed:
        notes.append(f"reversed items: {', '.join(sorted(sd.reversed))}")
    return ReliabilityTable(table=table, omega_cfa=cfa, title=f"Reliability ({sd.source})",
                            notes=list(dict.fromkeys(notes)))


def _constant_items(X: pd.DataFrame) -> list:
    """Columns without variance among the rows that answered them (their correlations are undefined)."""
    return [c for c in X.columns if not (X[c].std(ddof=1) > 0)]


def _relayed(notes: list, func, *args, **kwargs):
    """Call ``func`` (a factor-analysis routine); each toolkit warning it raises becomes a note and is
    raised again at the user's line."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", AllianceWarning)
        out = func(*args, **kwargs)
    for w in caught:
        if issubclass(w.category, AllianceWarning):
            note_and_warn(notes, str(w.message), w.category)
        else:
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    return out


def _add_omegas(sd, table, subscales, n_factors, missing, notes, omega_boot=0, seed=0, ci=0.95):
    """Fill the omega columns; returns the table of fitted CFAs. What cannot be computed stays NaN and is
    said in the notes (and warned), so the rest of the table is kept."""
    scales = {s: sd.scales[s] for s in subscales} if subscales else {"total": sd.scales["total"]}
    cfa = _omega_table(sd.frame, scales, n_boot=omega_boot, seed=seed, level=ci, notes=notes)
    cols = [("omega", "omega_cfa")]
    if omega_boot:
        table["omega_cfa_low"] = np.nan
        table["omega_cfa_high"] = np.nan
        cols += [("boot_low", "omega_cfa_low"), ("boot_high", "omega_cfa_high")]
        notes.append(f"omega_cfa intervals: percentile bootstrap, {omega_boot} resamples of the complete rows "
                     f"(seed {seed!r}), each CFA refitted")
    joint = "omega_joint" in cfa.columns
    joint_cols = {"omega": "omega_joint", "boot_low": "joint_low", "boot_high": "joint_high"}
    for src, dst in cols:
        for s in scales:
            use = joint_cols[src] if joint and np.isfinite(cfa.loc[s, "omega_joint"]) else src
            table.loc[s, dst] = cfa.loc[s, use]
        if "total_correlated" in cfa.index:
            table.loc["total", dst] = cfa.loc["total_correlated", src]
    if "total_correlated" in cfa.index:
        table.loc["total", "omega_cfa_1f"] = cfa.loc["total_one_factor", "omega"]
    if joint:
        pos = list(table.columns).index("omega_cfa") + 1
        table.insert(pos, "omega_cfa_alone", np.nan)
        for s in scales:
            table.loc[s, "omega_cfa_alone"] = cfa.loc[s, "omega"]
        notes.append("omega_cfa: semTools::compRelSEM on ML CFAs fitted to listwise-complete rows (lavaan's "
                     "default). A subscale's omega_cfa comes from the joint model of correlated subscale factors, "
                     "as compRelSEM(fit) reports it (fitted on the rows complete on every item); omega_cfa_alone "
                     "is a one-factor CFA of the subscale alone (e.g. HolzingerSwineford1939 visual: .6120 joint, "
                     ".6326 alone). The total's omega_cfa is the joint model's total (omega_cfa_1f: one factor "
                     "over all items)")
    else:
        notes.append("omega_cfa: semTools::compRelSEM on ML CFAs fitted to listwise-complete rows (lavaan's "
                     "default): one factor per subscale (omega_cfa_1f: one factor over all items)")
    k = n_factors or len(subscales)
    if k < 2:
        notes.append("omega_h/omega_t (Schmid-Leiman) not reported: they need at least 2 group factors "
                     "(pass n_factors= to force)")
        return cfa
    from ..factor import omega as factor_omega

    X = sd.frame[sd.scales["total"]]
    if missing == "listwise":
        X = X.dropna()
    constant = _constant_items(X)
    if constant:
        note_and_warn(notes, f"omega_h/omega_t (Schmid-Leiman) not computed: item(s) "
                             f"{', '.join(map(repr, constant))} have the same answer from everyone (no variance), "
                             "so their correlations with the other items are undefined (psych::omega stops there "
                             "too). Drop them from the data to get omega_h and omega_t")
        return cfa
    try:
        om = _relayed(notes, factor_omega, X, n_factors=k)
    except (ValueError, np.linalg.LinAlgError) as err:  # degenerate data: report, keep the rest of the table
        note_and_warn(notes, f"omega_h/omega_t (Schmid-Leiman) not computed: {err}")
        return cfa
    table.loc["total", "omega_h"] = om.omega_h
    table.loc["total", "omega_t"] = om.omega_total
    notes.append(f"omega_h/omega_t: psych::omega's Schmid-Leiman route (minres, oblimin, {k} group factors, "
                 f"{missing} correlations) on the total's items")
    return cfa


def _add_ordinal(sd, table, subscales, n_factors, notes) -> None:
    from ..factor import omega as factor_omega
    from ..factor import polychoric

    for c in ("ordinal_alpha", "ordinal_omega_t", "ordinal_omega_h"):
        table[c] = np.nan
    try:
        for name, cols in sd.scales.items():
            if len(cols) < 2:
                continue
            rho = _relayed(notes, polychoric, sd.frame[cols]).rho
            r = rho.to_numpy()
            table.loc[name, "ordinal_alpha"] = _core.alpha_stats(r, r)["std_alpha"]
            if name != "total" and len(cols) >= 3:
                table.loc[name, "ordinal_omega_t"] = _one_factor_omega_t(rho)
        k = n_factors or len(subscales)
        if k >= 2:
            om = _relayed(notes, factor_omega, sd.frame[sd.scales["total"]], n_factors=k, corr="polychoric")
            table.loc["total", "ordinal_omega_t"] = om.omega_total
            table.loc["total", "ordinal_omega_h"] = om.omega_h
    except (ValueError, TypeError) as err:  # e.g. a continuous scale: polychoric needs few ordered categories
        # asked for, left NaN: say so, not only in the notes
        note_and_warn(notes, f"ordinal alpha/omega not computed: {err}")
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
