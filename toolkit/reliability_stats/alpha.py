"""Cronbach's alpha as psych::alpha computes it, with Feldt and bootstrap (percentile, BCa) intervals."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._checks import (check_choice, check_ci, check_count, check_missing, check_seed, instrument_or_keys,
                       renamed_parameter)
from .._results import Deferred, Result, column_labels, deferred_table
from ..exceptions import DataValidationError
from . import _core
from ._data import note_and_warn, pick_scale, prepare

__all__ = ["cronbach_alpha", "AlphaResult"]

_TOTAL_COLS = ["alpha", "std_alpha", "g6", "average_r", "sn", "ase", "mean", "sd", "median_r", "n", "n_items",
               "feldt_low", "feldt_high"]
_BOOT_COLS = ["boot_low", "boot_high", "bca_low", "bca_high", "boot_failed"]
_DROP_COLS = ["alpha", "std_alpha", "g6", "average_r", "sn", "alpha_se", "var_r", "median_r"]
_ITEM_COLS = ["n", "raw_r", "std_r", "r_cor", "r_drop", "mean", "sd"]


def _frame(values: np.ndarray, index, names, ints=()) -> pd.DataFrame:
    """DataFrame of a float matrix with these column names; the columns at positions ``ints`` as int64."""
    out = pd.DataFrame(values, index=index, columns=column_labels(tuple(names)), copy=False)
    if len(ints):
        out.isetitem(list(ints), values[:, list(ints)].astype(np.int64))
    return out


@dataclass(kw_only=True, repr=False, eq=False)
class AlphaResult(Result):
    """What :func:`cronbach_alpha` returns: psych::alpha's output for one scale, numbers unrounded.

    ``summary()`` and ``to_frame()`` give ``total``; a notebook shows every table rounded, then the notes.

    Attributes
    ----------
    total : DataFrame
        One row: psych's ``$total`` (``alpha``, ``std_alpha``, ``g6``, ``average_r``, ``sn``, ``ase``,
        ``mean``, ``sd``, ``median_r``) with ``n`` (respondents), ``n_items``, the Feldt limits ``feldt_low``
        and ``feldt_high`` and, with a bootstrap, ``boot_low``/``boot_high`` (percentile), ``bca_low``/
        ``bca_high`` and ``boot_failed`` (resamples that gave no alpha).
    alpha_drop : DataFrame
        psych's ``$alpha.drop``, one row per item: the statistics of the scale without it (``alpha``,
        ``std_alpha``, ``g6``, ``average_r``, ``sn``, ``alpha_se``, ``var_r``, ``median_r``).
    item_stats : DataFrame
        psych's ``$item.stats``, one row per item: ``n``, ``raw_r``, ``std_r``, ``r_cor``, ``r_drop``,
        ``mean``, ``sd``.
    response_freq : DataFrame
        psych's ``$response.freq``: the share of each response among an item's answers, and ``miss`` (the
        share of rows that did not answer it).
    alpha : float
        Raw alpha, the same number as ``total["alpha"]``.
    title : str
        What was computed on what.
    notes : list of str
        Missing-data handling, intervals, reversed items and every warning raised.

    See Also
    --------
    cronbach_alpha : The function that returns it.

    Examples
    --------
    >>> import pandas as pd
    >>> res = cronbach_alpha(pd.DataFrame({"a": [1, 2, 3, 4], "b": [1, 3, 3, 4], "c": [2, 2, 4, 4]}))
    >>> list(res.tables)
    ['total', 'alpha_drop', 'item_stats', 'response_freq']
    >>> round(res.alpha, 3), int(res.summary().loc[0, "n_items"])
    (0.9, 3)
    """

    # psych's tables are built when first read: a call that wants alpha does not pay for four DataFrames
    total: pd.DataFrame = deferred_table()
    alpha_drop: pd.DataFrame = deferred_table()
    item_stats: pd.DataFrame = deferred_table()
    response_freq: pd.DataFrame = deferred_table()
    alpha: float = float("nan")

    main = "total"


def _check_columns(X: pd.DataFrame, label: str, present: np.ndarray | None = None) -> None:
    answered = (present if present is not None else X.notna().to_numpy()).any(axis=0)
    if answered.all():
        return
    empty = [c for c, a in zip(X.columns, answered) if not a]
    if empty:
        report = pd.DataFrame({"row": None, "column": empty, "value": np.nan,
                               "reason": "column has no responses at all"})
        raise DataValidationError(
            f"scale {label!r}: column(s) {', '.join(map(repr, empty))} have no responses in any of the "
            f"{len(X)} rows, so their covariances with the other items are undefined. Drop them (e.g. "
            "data.drop(columns=[...])) or check that the export put answers in these columns.", report=report)


MAX_CATEGORIES = 10  # psych::response.frequencies' max: more distinct values are not tabulated


def _distinct(values: np.ndarray) -> np.ndarray:
    """``np.unique`` of floats without NaN; small whole numbers (Likert answers) are counted, not sorted."""
    if values.size:
        lo, hi = values.min(), values.max()
        if hi - lo <= 4096 and np.array_equal(values, np.rint(values)):
            present = np.bincount((values - lo).astype(np.intp), minlength=int(hi - lo) + 1) > 0
            return lo + np.flatnonzero(present).astype(float)
    return np.unique(values)


def response_values(X: pd.DataFrame, points=None) -> np.ndarray:
    """Values to tabulate: the instrument's scale points, else the observed values if at most 10 (psych)."""
    if points is not None:
        return np.asarray(points, dtype=float)
    A = X.to_numpy()
    if A.dtype.kind == "f":
        values = _distinct(A[~np.isnan(A)])
    else:
        values = np.unique(A[~X.isna().to_numpy()])
    return values if values.size <= MAX_CATEGORIES else np.array([])


def _count_whole(A: np.ndarray, points=None, present: np.ndarray | None = None, answered=None, extremes=None):
    """(values, counts per item x value, answers per item) when every answer and scale point is a whole number
    within a range of at most 16 values (Likert items; else None). The values are the scale points, else the
    observed values if at most 10 (psych); answers that are not among them count nowhere. ``answered`` (answers
    per item) and ``extremes`` (smallest and largest answer) may be passed when known."""
    if answered is None:
        answered = (~np.isnan(A) if present is None else present).sum(axis=0)
    if not answered.any():
        return None
    lo, hi = (np.nanmin(A), np.nanmax(A)) if extremes is None else extremes  # NaN marks the cells not answered
    pts = None if points is None else np.asarray(points, dtype=float)
    if pts is not None and pts.size:
        lo, hi = min(lo, pts.min()), max(hi, pts.max())
    if not (hi - lo < 16 and float(lo).is_integer()) or (pts is not None and not np.all(pts == np.rint(pts))):
        return None
    grid = lo + np.arange(int(hi - lo) + 1)
    acc = np.int32 if A.shape[0] < 2**31 else np.int64  # summing bytes into int32 is twice as fast as into int64
    counts = np.column_stack([(A == v).view(np.uint8).sum(axis=0, dtype=acc) for v in grid]).astype(np.int64)
    if not np.array_equal(counts.sum(axis=1), answered):  # some answers are not whole numbers
        return None
    if pts is None:
        seen = np.flatnonzero(counts.sum(axis=0))
        values = grid[seen]
        if values.size > MAX_CATEGORIES:
            values, seen = np.array([]), seen[:0]
    else:
        values, seen = pts, (pts - lo).astype(np.intp)
    return values, counts[:, seen], answered


def _response_freq(X: pd.DataFrame, points=None, A: np.ndarray | None = None, present: np.ndarray | None = None,
                   answered=None, extremes=None) -> pd.DataFrame:
    """Share of each response value among each item's answers, and the share of rows not answering it."""
    A = X.to_numpy(dtype=float) if A is None else A
    n_cases, k = A.shape
    counted = _count_whole(A, points, present, answered, extremes)
    if counted is not None:  # whole-number answers in a small range (Likert items): one counting pass
        values, counts, answered = counted
        with np.errstate(invalid="ignore", divide="ignore"):
            freq = np.column_stack([np.where(answered[:, None] > 0, counts / answered[:, None], np.nan),
                                    1 - answered / n_cases if n_cases else np.full(k, np.nan)])
        return _frame(freq, X.columns, [*(_fmt(v) for v in values), "miss"])
    values = response_values(X, points)
    answered = (~np.isnan(A)).sum(axis=0)
    freq = np.empty((k, values.size + 1))
    if values.size:
        order = np.argsort(values, kind="stable")
        pos = order[np.minimum(np.searchsorted(values, A, sorter=order), values.size - 1)]
        hit = values[pos] == A  # NaN and values that are not scale points count nowhere
        key = (pos + np.arange(k) * values.size)[hit]
        counts = np.bincount(key, minlength=k * values.size).reshape(k, values.size)
        with np.errstate(invalid="ignore", divide="ignore"):
            freq[:, :-1] = np.where(answered[:, None] > 0, counts / answered[:, None], np.nan)
    freq[:, -1] = 1 - answered / n_cases if n_cases else np.nan
    return _frame(freq, X.columns, [*(_fmt(v) for v in values), "miss"])


#: up to this many cells the response frequencies are counted when first read, from the analysed frame the
#: result keeps (about 16 MB of floats at most); larger data are counted at once and not kept
DEFER_FREQ_CELLS = 1 << 21


def _deferred_freq(X: pd.DataFrame, points, A: np.ndarray, present=None, answered=None, extremes=None) -> Deferred:
    """:func:`_response_freq` of ``X``, counted when first read (small data) or now (large data).

    Counting later keeps ``X``: the analysis's own float copy of the caller's cells, or a pandas frame derived
    from the caller's, which copy-on-write shields from the caller's later changes. Either way the frequencies
    are those of the data as analysed."""
    if X.size <= DEFER_FREQ_CELLS:
        return Deferred(_response_freq, X, points, None, None, answered, extremes)
    return Deferred(_built, _response_freq(X, points, A, present, answered, extremes))


def _built(table: pd.DataFrame) -> pd.DataFrame:
    return table


def _fmt(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else repr(float(v))


def alpha_block(X: pd.DataFrame, *, label: str = "scale", missing: str = "pairwise", level: float = 0.95,
                n_boot: int = 0, seed=0, points=None) -> dict:
    """All of psych::alpha's output for one scale (keyed items in ``X``), as DataFrames.

    Returns a dict with ``total`` (a dict of floats: psych's total row), ``alpha_drop``, ``item_stats``,
    ``response_freq`` (each a :class:`~toolkit._results.Deferred` DataFrame: call it, or hand it to a
    ``deferred_table`` field), ``notes`` (list), ``C`` (the covariance matrix used, None with fewer than two
    items) and ``X`` (the rows and items the statistics used). ``label`` names the scale in notes and warnings.
    """
    notes: list[str] = []
    A = X.to_numpy(dtype=float)
    present = ~np.isnan(A)
    _check_columns(X, label, present)
    if missing == "listwise":
        keep_rows = present.all(axis=1)
        if not keep_rows.all():
            X, A, present = X.loc[keep_rows], A[keep_rows], present[keep_rows]
    answered = present.any(axis=1)  # respondents who answered nothing of this scale carry no information
    if not answered.all():
        notes.append(f"scale {label!r}: {int((~answered).sum())} row(s) answered none of its items and were left "
                     f"out, so n = {int(answered.sum())} (psych::alpha counts every row)")
        X, A, present = X.loc[answered], A[answered], present[answered]
    complete = bool(present.all())
    extremes = None
    if complete:  # no missing cell: plain column extremes
        top, bottom = A.max(axis=0, initial=-np.inf), A.min(axis=0, initial=np.inf)
        varies = (len(A) >= 2) & (top > bottom)
        if len(A):
            extremes = bottom.min(), top.max()
    else:
        with np.errstate(invalid="ignore"):  # an item answered once or never has no variance either
            varies = (present.sum(axis=0) >= 2) & (np.fmax.reduce(A, axis=0) > np.fmin.reduce(A, axis=0))
    if not varies.all():
        constant = [c for c, v in zip(X.columns, varies) if not v]
        msg = (f"scale {label!r}: item(s) {', '.join(map(repr, constant))} have the same answer from everyone "
               "(no variance) and were left out of the statistics, as psych::alpha does; an item that does not "
               "vary cannot tell respondents apart")
        note_and_warn(notes, msg)
        X, A, present = X.loc[:, varies], A[:, varies], present[:, varies]
        extremes = None
    cols = X.columns.tolist()
    k, n = len(cols), len(X)
    if k < 2:
        nan_total = dict.fromkeys(_TOTAL_COLS, np.nan)
        nan_total["n"], nan_total["n_items"] = float(n), float(k)
        msg = (f"scale {label!r} has {k} usable item(s): alpha and every other internal-consistency statistic "
               "need at least two items, so they are reported as missing (NaN)")
        note_and_warn(notes, msg)
        stats = pd.DataFrame({"n": X.notna().sum(), "mean": X.mean(), "sd": X.std(ddof=1)})
        return {"total": nan_total, "alpha_drop": Deferred(pd.DataFrame, None, cols),
                "item_stats": Deferred(_built, stats),
                "response_freq": _deferred_freq(X, points, A), "notes": notes, "C": None, "X": X}
    if n <= k:
        msg = (f"scale {label!r}: only {n} respondents for {k} items, so the item correlation matrix is "
               "singular: G6 and r.cor use a pseudo-inverse (as psych), alpha-if-deleted has no standard error "
               "and the standard error and intervals are not trustworthy. Collect more respondents than items")
        note_and_warn(notes, msg)
    if complete:  # one pass over the data: column sums, then the centred cross-products
        item_mean = A.mean(axis=0)
        C = _core.centred_cov(A, item_mean)
    else:
        C, _ = _core.pairwise_cov(A)
    R = _core.cov2cor(C)
    smc, smc_drops = _core.smc_and_drops(R)
    tot = _core.alpha_stats(C, R, smc_values=smc)

    # item statistics (psych::alpha's item.stats): the total score is the mean of the answered items
    diagC = np.diag(C)
    c_sum = C.sum(axis=0)
    sum_C = c_sum.sum()
    if complete:  # then its covariances follow from C: cov(t, x_j) = (C 1)_j / k, var(t) = 1'C1 / k^2
        mean_t = float(item_mean.mean())
        sd_t = float(np.sqrt(sum_C)) / k
        with np.errstate(invalid="ignore", divide="ignore"):
            raw_r = c_sum / np.sqrt(diagC * sum_C)
        item_sd = np.sqrt(diagC)
    else:
        total_score = np.nanmean(A, axis=1)
        mean_t = float(np.mean(total_score))
        sd_t = float(np.std(total_score, ddof=1))
        raw_r = _paircor_total(total_score, A, present)
        item_mean, item_sd = np.nanmean(A, axis=0), np.nanstd(A, axis=0, ddof=1)
    Vt = R.sum()
    std_r = R.sum(axis=0) / np.sqrt(Vt)
    RC = R.copy()
    np.fill_diagonal(RC, smc)
    with np.errstate(invalid="ignore", divide="ignore"):
        r_cor = RC.sum(axis=0) / np.sqrt(RC.sum())
        # item i against the sum of the others: cov = (C 1)_i - C_ii, var(rest) = 1'C1 - 2 (C 1)_i + C_ii
        r_drop = (c_sum - diagC) / np.sqrt(diagC * (sum_C - 2 * c_sum + diagC))
    if k > 2:
        s = _core.alpha_drop_stats(C, R, smc_drops)
        se = np.sqrt(s["Q"] / n) if n > k else np.full(k, np.nan)
        drop = np.column_stack([s["raw_alpha"], s["std_alpha"], s["g6"], s["average_r"], s["sn"], se, s["var_r"],
                                s["median_r"]])
    else:  # psych's special case for two items
        r12 = R[0, 1]
        sm = smc[0]
        drop = np.array([[C[0, 1] / C[j, j], r12, sm, r12, r12 / (1 - r12), np.nan, 0.0, r12] for j in (1, 0)])
    alpha_drop = Deferred(_frame, drop, X.columns, _DROP_COLS)
    n_answered = np.full(k, n) if complete else present.sum(axis=0)
    item_stats = Deferred(_frame, np.column_stack([n_answered, raw_r, std_r, r_cor, r_drop, item_mean, item_sd]),
                          X.columns, _ITEM_COLS, (0,))
    lo, hi = _core.feldt_ci(tot["raw_alpha"], n, k, level)
    values = [tot["raw_alpha"], tot["std_alpha"], tot["g6"], tot["average_r"], tot["sn"], np.sqrt(tot["Q"] / n), mean_t,
              sd_t, tot["median_r"], n, k, lo, hi]
    names = _TOTAL_COLS
    if n_boot:
        from ._boot import JACKKNIFE_EXACT_MAX, bca_ci, bootstrap_alpha, jackknife_groups, percentile_ci

        with _core.single_thread_blas():
            boot, jack = bootstrap_alpha(A, int(n_boot), seed)
        failed = int((~np.isfinite(boot)).sum())
        values += [*percentile_ci(boot, level), *bca_ci(boot, tot["raw_alpha"], jack, level), failed]
        names = _TOTAL_COLS + _BOOT_COLS
        if failed:
            notes.append(f"scale {label!r}: {failed} of {int(n_boot)} bootstrap resamples gave no alpha (e.g. a "
                         "constant item in the resample) and were left out of the bootstrap intervals")
        groups = jackknife_groups(n)
        if groups < n:
            notes.append(f"scale {label!r}: the BCa interval's acceleration comes from a grouped (delete-d) "
                         f"jackknife, {groups:,} random groups of about {n / groups:.0f} rows (n = {n:,} is above "
                         f"{JACKKNIFE_EXACT_MAX:,}), not from {n:,} leave-one-out fits; the limits differ from the "
                         "exact jackknife's by far less than the interval's Monte Carlo error")
    total = dict(zip(names, map(float, values)))
    _warn_keying(label, tot["raw_alpha"], C, cols, r_drop, notes)
    return {"total": total, "alpha_drop": alpha_drop, "item_stats": item_stats,
            "response_freq": _deferred_freq(X, points, A, present, n_answered, extremes), "notes": notes, "C": C,
            "X": X}


def _paircor_total(t: np.ndarray, A: np.ndarray, present: np.ndarray) -> np.ndarray:
    """Correlation of the (complete) total score ``t`` with each item, over the rows answering the item."""
    m = present.astype(float)
    tc = t - t.mean()  # shift both for precision; correlations are shift invariant
    x = np.where(present, A - np.nanmean(A, axis=0), 0.0)
    n = m.sum(axis=0)
    st, stt = tc @ m, (tc * tc) @ m
    sx, sxx, sxt = x.sum(axis=0), (x * x).sum(axis=0), tc @ x
    with np.errstate(invalid="ignore", divide="ignore"):
        r = (sxt - sx * st / n) / np.sqrt((sxx - sx * sx / n) * (stt - st * st / n))
    return np.where(n >= 2, r, np.nan)


def _warn_keying(label, alpha, C, cols, r_drop, notes) -> None:
    k = len(cols)
    suspects = [f"{c} (r.drop = {r:.2f})" for c, r in zip(cols, r_drop, strict=True) if r < 0]
    if suspects:
        msg = (f"scale {label!r}: item(s) {', '.join(suspects)} correlate negatively with the rest of the scale: "
               "they look reverse-keyed but are not declared so. Declare them reversed (keys '-item', or the "
               "instrument's 'reversed') or check the data's coding")
        note_and_warn(notes, msg)
    if alpha < 0:
        avg_cov = (C.sum() - np.trace(C)) / (k * (k - 1))
        msg = (f"scale {label!r}: alpha = {alpha:.4f} is negative because the average inter-item covariance is "
               f"negative ({avg_cov:.4g}); alpha is then not a reliability (it is reported, not clipped). "
               "Usual cause: reverse-keyed items not reversed")
        note_and_warn(notes, msg)


@renamed_parameter("scale", "response_scale")
def cronbach_alpha(data: pd.DataFrame, instrument=None, *, keys=None, form: str | None = None,
                   subscale: str | None = None, items=None, pattern: str | None = None, on_invalid: str = "raise",
                   missing: str = "pairwise", ci: float = 0.95, n_boot: int = 0, seed=0,
                   response_scale=None) -> AlphaResult:
    """Compute Cronbach's alpha of one scale with psych::alpha's full output, Feldt and bootstrap intervals.

    The scale is a subscale of an instrument (its key reverses what must be reversed) or a list of item
    columns; besides alpha come psych's item statistics, alpha if an item is deleted and the response
    frequencies. Items without variance are left out with a warning; every warning is also a note.

    Parameters
    ----------
    data : DataFrame
        One row per respondent, one column per item (numbers; blanks are missing).
    instrument : str or Instrument, optional
        An instrument id such as ``"wai-sr"`` (or a definition file, or an ``Instrument``): its key says which
        columns are items, which are reversed and which subscales there are
        (``toolkit.scoring.item_frame``).
    keys : list of str or mapping, optional
        Without an instrument: the items, psych style: ``["-A1", "A2", ...]`` (a leading ``-`` reverses the
        item as ``min + max - x``), or ``{subscale: [items]}``. Default: every column, none reversed.
    form : str, optional
        The instrument's form (client, therapist, ...), when it has several.
    subscale : str, optional
        Which scale to analyse: a subscale of the instrument or of ``keys``. Default: the only scale, else the
        total (every item).
    items : mapping, optional
        Instrument only: item number -> column, for columns that do not follow the instrument's naming
        (passed to ``toolkit.scoring.item_frame``).
    pattern : str, optional
        Instrument only: how the item columns are named, e.g. ``"Q{n}"`` (passed to ``item_frame``).
    on_invalid : {"raise", "missing"}
        Instrument only: cells that are not valid answers raise, naming every one (``"raise"``), or become
        missing with a warning (``"missing"``).
    missing : {"pairwise", "listwise"}
        ``pairwise`` (psych's default): each covariance from the rows answering both items;
        ``listwise``: only rows answering every item.
    ci : float
        Confidence level of the Feldt and bootstrap intervals, e.g. 0.95.
    n_boot : int
        Bootstrap resamples of the rows (0: none). Seeded by ``seed``. Time grows linearly with the rows
        (about 4 s for 1,000 resamples of 1,000,000 x 12 on two cores with the ``fast`` extra installed,
        twice that without); memory does not grow with ``n_boot``.
    seed : int or numpy.random.Generator
        Seed of ``numpy.random.default_rng`` for the bootstrap.
    response_scale : (min, max), mapping or ResponseScale, optional
        Response range used to reverse items; default the observed min and max of the items (as psych).
        With an instrument it replaces the instrument's scale, as in ``toolkit.score`` (a pair means steps of 1;
        pass a mapping or a ``ResponseScale`` for anything else).

    Returns
    -------
    AlphaResult
        ``.total`` (alpha, std_alpha, g6, average_r, sn, ase, mean, sd, median_r, n, n_items, feldt_low,
        feldt_high, and with ``n_boot``: boot_low/boot_high (percentile), bca_low/bca_high, boot_failed),
        ``.alpha_drop``, ``.item_stats``, ``.response_freq``; ``.alpha`` is the raw alpha.

    See Also
    --------
    reliability : Every subscale and the total in one table, with omega and split halves.
    item_analysis : One row per item with flags.

    Notes
    -----
    With C the covariance matrix of the k keyed items and R their correlations,

    * alpha = k/(k-1) (1 - tr C / 1'C1); standardized alpha = k/(k-1) (1 - k / 1'R1);
    * G6 = 1 - sum_j (1 - smc_j) / 1'R1 (Guttman's lambda 6 with squared multiple correlations);
    * ase = sqrt(Q/n) (Duhachek & Iacobucci 2004);
    * Feldt's interval: 1 - (1 - alpha) F quantiles with (n - 1, (n - 1)(k - 1)) degrees of freedom;
    * percentile bootstrap: quantiles of alpha over resampled rows (what psych reports as ``boot.ci``, from
      other draws); BCa: Efron's bias-corrected and accelerated interval with the jackknife acceleration
      (leave-one-out up to 20,000 rows; above that a grouped, delete-d jackknife over 20,000 random groups,
      said in the notes).

    Where we differ from psych: ``n`` counts respondents who answered at least one item (psych counts every
    row: the same unless some rows are empty). Items without variance are left out, as psych does, with a
    warning.

    R equivalent: ``psych::alpha(x, keys = c("A1"))`` (``$total``, ``$alpha.drop``, ``$item.stats``,
    ``$response.freq``, ``$feldt``).

    References
    ----------
    .. [1] Cronbach, L. J. (1951). Coefficient alpha and the internal structure of tests. Psychometrika, 16,
       297-334.
    .. [2] Feldt, L. S. (1965). The approximate sampling distribution of Kuder-Richardson reliability
       coefficient twenty. Psychometrika, 30, 357-370.
    .. [3] Duhachek, A., & Iacobucci, D. (2004). Alpha's standard error (ASE): An accurate and precise
       confidence interval estimate. Journal of Applied Psychology, 89, 792-808.
    .. [4] Efron, B., & Tibshirani, R. (1993). An introduction to the bootstrap. Chapman & Hall.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"q1": [1, 2, 3, 4, 5, 3], "q2": [2, 2, 3, 5, 4, 3], "q3": [1, 3, 3, 4, 5, 2]})
    >>> res = cronbach_alpha(df)
    >>> round(res.alpha, 4)
    0.9318
    >>> res.total[["alpha", "feldt_low", "feldt_high"]].round(3)
       alpha  feldt_low  feldt_high
    0  0.932      0.711        0.99

    With an instrument, the key decides the items and reverses what must be reversed:

    >>> import toolkit
    >>> wai = toolkit.load_sample("wai_sr_sessions")
    >>> round(cronbach_alpha(wai, "wai-sr", subscale="bond").alpha, 3)
    0.834
    """
    caller = "cronbach_alpha"
    instrument, keys = instrument_or_keys(instrument, keys, caller=caller)
    missing = check_missing(missing, caller=caller)
    ci = check_ci(ci, caller=caller)
    n_boot = check_count(n_boot, param="n_boot", caller=caller, what="bootstrap resamples; 0 for none")
    seed = check_seed(seed, caller=caller)
    on_invalid = check_choice(on_invalid, ("raise", "missing"), param="on_invalid", caller=caller)
    sd = prepare(data, instrument, keys=keys, form=form, items=items, pattern=pattern, on_invalid=on_invalid,
                 total=True, response_scale=response_scale, caller=caller)
    name, cols = pick_scale(sd, subscale, caller=caller)
    items = sd.frame if sd.frame.columns.tolist() == list(cols) else sd.frame[cols]  # no copy when all are used
    block = alpha_block(items, label=name, missing=missing, level=ci, n_boot=n_boot, seed=seed,
                        points=sd.scale_points)
    t = block["total"]
    names = list(t)
    ints = (names.index("n"), names.index("n_items"))
    total = Deferred(_frame, np.array(list(t.values()))[None, :], None, names, ints)
    how = ("each covariance from the rows answering both items, as psych" if missing == "pairwise"
           else "only rows answering every item")
    notes = [f"missing data: {missing} ({how})",
             f"intervals at {ci:.0%}: Feldt (F distribution)" + (
                 f"; bootstrap with {n_boot} resamples (seed {seed!r}): percentile and BCa" if n_boot else "")]
    if subscale is None and len(sd.scales) > 1:
        notes.append(f"alpha of {name!r} ({len(cols)} items); pass subscale= for one of "
                     + ", ".join(repr(s) for s in sd.scales if s != name))
    notes += block["notes"]
    rev = [c for c in cols if c in sd.reversed]
    if rev:
        notes.append(f"reversed items: {', '.join(sorted(rev))}")
    title = f"Cronbach's alpha: {name}" + (f" ({sd.source})" if instrument is not None else "")
    return AlphaResult(total=total, alpha_drop=block["alpha_drop"], item_stats=block["item_stats"],
                       response_freq=block["response_freq"], alpha=float(t["alpha"]),
                       title=title, notes=notes)
