"""Agreement of two raters per subscale and total, in one table: every registered statistic, per score."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pandas as pd

from .._checks import check_choice, check_ci, numeric_frame, warn
from .._results import FormerFrame, Result
from ..exceptions import AgreementWarning, InvalidParameterError
from .registry import registry

__all__ = ["agreement", "AgreementResult"]

_ICC_TYPES = ("ICC1", "ICC2", "ICC3")


@dataclass(kw_only=True, repr=False, eq=False)
class AgreementResult(FormerFrame, Result):
    """Agreement of two raters per subscale and total (see :func:`~toolkit.agreement`).

    Attributes
    ----------
    table : DataFrame
        Indexed by ``subscale``: ``n`` (complete pairs), ``mean_<a>``, ``mean_<b>``, then the columns of
        every registered statistic (list them with
        :func:`toolkit.dyadic.registry.registered_statistics`).
    left_out : DataFrame
        Indexed by ``subscale``: ``pairs``, ``used``, ``left_out`` and ``missing_<a>``, ``missing_<b>``
        (pairs whose score of that rater is missing; a pair missing both counts in both).
    raters : tuple of str
        The two raters; differences are first - second.
    metric : str or None
        The pairs' metric (``"sum"``, ``"mean"`` or ``"pomp"``; None for a tidy frame).
    icc_type : str
        The Shrout-Fleiss form reported in the ``icc`` columns.
    ci : float
        Confidence level of every interval.

    Examples
    --------
    >>> import toolkit
    >>> p = toolkit.pair_raters(toolkit.load_sample("wai36_client_therapist"), instrument_client="wai36")
    >>> toolkit.agreement(p).left_out.loc["total"].tolist()
    [500, 499, 1, 1, 0]
    """

    table: pd.DataFrame = None
    left_out: pd.DataFrame = None
    raters: tuple = ("client", "therapist")
    metric: str | None = None
    icc_type: str = "ICC2"
    ci: float = 0.95

    _former_attrs: ClassVar[dict] = {"notes": "notes", "metric": "metric"}
    _returned_by: ClassVar[str] = "agreement"

    def _display_tables(self) -> dict:
        # one column per score reads better than 35 columns: transposed, rounded for display only
        return {"table": self.table.round(self.digits).T, "left_out": self.left_out}


def _tidy_input(paired, raters, caller: str):
    """The tidy pairs, notes, metric, id columns and recorded missing-score reasons of ``paired``."""
    from .pairing import PairedRatings

    if isinstance(paired, PairedRatings):
        tidy, notes, metric, on, reasons = (paired.paired, list(paired.notes), paired.metric, list(paired.on),
                                            paired.missing_scores)
    elif isinstance(paired, pd.DataFrame):
        tidy, notes, metric, reasons = paired, [], None, None
        on = [c for c in paired.columns if c not in ("subscale",) + tuple(raters)][:2]
    else:
        raise InvalidParameterError(
            f"The 'paired' parameter of {caller}() must be a PairedRatings (from pair_raters) or a tidy "
            f"DataFrame with columns subscale, {raters[0]}, {raters[1]}; got a {type(paired).__name__}.")
    absent = [c for c in ("subscale",) + tuple(raters) if c not in tidy.columns]
    if absent:
        raise InvalidParameterError(
            f"The paired data of {caller}() have no column(s) {absent}; their columns are {list(tidy.columns)}. "
            "Pass raters= naming two of them, e.g. raters=('client', 'observer').")
    return tidy, notes, metric, on, reasons


def _check_raters(raters, caller: str) -> tuple:
    if isinstance(raters, str) or len(raters) != 2 or raters[0] == raters[1]:
        raise InvalidParameterError(f"The 'raters' parameter of {caller}() must name two different raters, such "
                                    f"as ('client', 'therapist'); got {raters!r}.")
    return tuple(raters)


def _why_missing(ids: pd.DataFrame, rater: str, subscale, on: list, reasons) -> str:
    """'3: more than 1 of 4 items unanswered, 1: no observer administration' for the pairs in ``ids``."""
    if reasons is None or not on:
        return ""
    mine = reasons.loc[(reasons["rater"] == rater) & (reasons["subscale"] == subscale), on + ["reason"]]
    why = ids[on].merge(mine, on=on, how="left")["reason"]
    why = why.fillna(f"no {rater} administration" if rater == "observer" else "score missing")
    return ", ".join(f"{k}: {v}" for v, k in why.value_counts(sort=True).items())


def agreement(paired, *, raters=("client", "therapist"), ci: float = 0.95, icc_type: str = "ICC2",
              multiplier: str | float = "t", session=None) -> AgreementResult:
    """Agreement of two raters per subscale and total, in one table.

    Parameters
    ----------
    paired : PairedRatings or DataFrame
        From :func:`~toolkit.pair_raters`, or a tidy frame with ``subscale`` and the two rater columns.
    raters : (str, str)
        The two raters compared; differences are first - second.
    ci : float
        Confidence level of every interval.
    icc_type : {"ICC1", "ICC2", "ICC3"}
        Shrout-Fleiss single-rater form reported (default ICC2: two-way random, absolute agreement; ICC3 is
        consistency, ignoring the mean difference). Computed by :func:`toolkit.icc`.
    multiplier : {"t", "normal"} or float
        Multiplier of the Bland-Altman limits (see :func:`~toolkit.dyadic.bland_altman`).
    session : optional
        Keep only pairs of this session (when the pairs carry a ``session`` id).

    Returns
    -------
    AgreementResult
        ``.table`` indexed by ``subscale``: ``n``, ``mean_<a>``, ``mean_<b>``, then per registered
        statistic its columns: {columns}. ``.left_out`` counts the pairs left out per subscale and
        ``.notes`` says why (a score missing under the instrument's missing-data rule, no partner).

    Raises
    ------
    InvalidParameterError
        For an argument that is not allowed (the message names it and the fix).
    DataValidationError
        When a rating of a tidy frame is not a number (every such cell is named).

    Warns
    -----
    AgreementWarning
        When a subscale has fewer than 4 complete pairs, or a statistic is undefined (NaN) for another
        reason, e.g. one rater's scores do not vary (r and the CCC interval need variance in both).

    See Also
    --------
    toolkit.pair_raters : Pairs the administrations this table compares.
    toolkit.dyadic.registry.statistic : Adds a statistic (a column group) to this table.

    Notes
    -----
    The formulas are those of :func:`~toolkit.dyadic.pearson_r`, :func:`toolkit.icc` (single-rater form
    ``icc_type``), :func:`~toolkit.dyadic.concordance`, :func:`~toolkit.dyadic.paired_t`,
    :func:`~toolkit.dyadic.d_z`, d_av = mean difference / sqrt((s_a^2 + s_b^2) / 2) (Cumming 2012) and
    :func:`~toolkit.dyadic.bland_altman`. Pairs missing either score are left out per subscale (``n``; the
    notes count them and say why). When a dyad contributes several sessions the pairs are not independent:
    intervals and tests then are too narrow; analyse one session (``session=``) or use a multilevel model.

    R equivalent: none (no one function; per subscale ``cor.test``, ``psych::ICC(cbind(a, b), lmer = FALSE)``,
    ``epiR::epi.ccc``, ``t.test(a, b, paired = TRUE)`` and ``BlandAltmanLeh::bland.altman.stats``).

    References
    ----------
    Bland, J. M., & Altman, D. G. (1999). Measuring agreement in method comparison studies. Statistical
    Methods in Medical Research, 8, 135-160. Cumming, G. (2012). Understanding the new statistics.
    Routledge. Lin, L. I.-K. (1989). A concordance correlation coefficient to evaluate reproducibility.
    Biometrics, 45, 255-268. Shrout, P. E., & Fleiss, J. L. (1979). Intraclass correlations: Uses in
    assessing rater reliability. Psychological Bulletin, 86, 420-428.

    Examples
    --------
    >>> import toolkit
    >>> p = toolkit.pair_raters(toolkit.load_sample("wai36_client_therapist"), instrument_client="wai36")
    >>> a = agreement(p)
    >>> a.table.loc["total", ["n", "r", "d_av"]].astype(float).round(3).tolist()
    [499.0, 0.366, 0.402]
    >>> print(a.notes[-2])  # doctest: +NORMALIZE_WHITESPACE
    total: 1 of 500 pairs left out: client score missing in 1
    (1: a subscale is not scored (wai36's total needs every subscale))
    """
    raters = _check_raters(raters, "agreement")
    ci = check_ci(ci, caller="agreement")
    icc_type = check_choice(icc_type, _ICC_TYPES, param="icc_type", caller="agreement",
                            hint="The k-rater forms describe the mean of both raters, not their agreement.")
    a, b = raters
    tidy, former_notes, metric, on, reasons = _tidy_input(paired, raters, "agreement")
    if session is not None:
        if "session" not in tidy.columns:
            raise InvalidParameterError(f"The 'session' parameter of agreement() needs pairs with a 'session' "
                                        f"column; these have {list(tidy.columns)}.")
        held = sorted(tidy["session"].dropna().unique().tolist())
        tidy = tidy.loc[tidy["session"] == session]
        if tidy.empty:
            raise InvalidParameterError(f"The 'session' parameter of agreement() is {session!r}, but there are "
                                        f"no pairs at session {session!r}; the pairs hold sessions {held}.")
    if tidy.empty:
        raise InvalidParameterError("The 'paired' parameter of agreement() holds no rows; nothing to compare.")
    ratings = numeric_frame(tidy[[a, b]], param="paired", caller="agreement",
                            fix=f"Recode the {a} and {b} columns as numbers (blank for a missing score).")
    options = {"ci": ci, "icc_type": icc_type, "multiplier": multiplier}
    statistics = registry()
    rows, counts, few, undefined, notes = [], [], [], [], list(former_notes)
    subscale = tidy["subscale"].to_numpy()
    for s in pd.unique(tidy["subscale"].dropna()):
        mask = subscale == s
        grp = ratings.loc[mask]
        xa, xb = grp[a].to_numpy(float), grp[b].to_numpy(float)
        keep = ~(np.isnan(xa) | np.isnan(xb))
        x, y = xa[keep], xb[keep]
        n = len(x)
        row = {"subscale": s, "n": n, f"mean_{a}": x.mean() if n else np.nan, f"mean_{b}": y.mean() if n else np.nan}
        with warnings.catch_warnings():  # undefined statistics are warned about once, per subscale, below
            warnings.simplefilter("ignore", AgreementWarning)
            for stat in statistics:
                row.update(stat.row(x, y, options))
        if n < 4:
            few.append(f"{s} (n = {n})")
        else:
            nan = [k for k, v in row.items() if isinstance(v, float) and np.isnan(v)]
            if nan:
                flat = [r for r, v in ((a, x), (b, y)) if v.std() == 0]
                why = f" ({' and '.join(flat)} scores do not vary)" if flat else ""
                undefined.append(f"{s}: {', '.join(nan)}{why}")
        rows.append(row)
        miss_a, miss_b = np.isnan(xa), np.isnan(xb)
        counts.append({"subscale": s, "pairs": len(grp), "used": n, "left_out": int((~keep).sum()),
                       f"missing_{a}": int(miss_a.sum()), f"missing_{b}": int(miss_b.sum())})
        if n < len(grp):
            ids = tidy.loc[mask]
            parts = [f"{r} score missing in {int(m.sum())}" +
                     (f" ({why})" if (why := _why_missing(ids.loc[m], r, s, on, reasons)) else "")
                     for r, m in ((a, miss_a), (b, miss_b)) if m.any()]
            notes.append(f"{s}: {len(grp) - n} of {len(grp)} pairs left out: {'; '.join(parts)}")
    table = pd.DataFrame(rows).set_index("subscale")
    table["df"] = table["df"].astype(int)
    left_out = pd.DataFrame(counts).set_index("subscale")
    if few:
        message = f"fewer than 4 complete pairs for {', '.join(few)}: intervals and tests are missing (NaN)"
        notes.append(message)
        warn(message, AgreementWarning)
    if undefined:
        message = f"undefined statistics are NaN: {'; '.join(undefined)}"
        notes.append(message)
        warn(message, AgreementWarning)
    keys = [c for c in on if c in tidy.columns]
    if "session" in keys and len(keys) > 1:
        first = [c for c in keys if c != "session"][0]
        per = tidy.loc[tidy["subscale"] == tidy["subscale"].iloc[0]].groupby(first).size()
        if (per > 1).any():
            notes.append(f"{int((per > 1).sum())} dyads contribute several sessions: pairs are not independent, "
                         "so intervals and p values are too narrow; use session= or a multilevel model")
    notes.append(f"differences are {a} - {b}; ICC is psych's {icc_type} (lmer = FALSE); Bland-Altman limits "
                 f"use k = {'t quantile' if multiplier == 't' else multiplier}")
    return AgreementResult(title=f"Agreement of {a} and {b} per score ({ci:.0%} CIs)", notes=notes, table=table,
                           left_out=left_out, raters=raters, metric=metric, icc_type=icc_type, ci=ci)


def _columns_doc() -> str:
    return "; ".join(f"{s.name}: ``{'``, ``'.join(s.columns)}``" for s in registry())


agreement.__doc__ = agreement.__doc__.replace("{columns}", _columns_doc())
