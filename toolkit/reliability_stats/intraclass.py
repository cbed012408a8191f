"""Intraclass correlations in the six Shrout-Fleiss forms with F-based intervals (psych::ICC, lmer = FALSE)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from .._checks import check_choice, check_ci, numeric_frame
from .._results import Result
from ..exceptions import DataValidationError, InvalidParameterError

__all__ = ["icc", "IccResult"]


@dataclass(kw_only=True, repr=False, eq=False)
class IccResult(Result):
    """What :func:`icc` returns: the six Shrout-Fleiss ICCs with intervals, and the ANOVA behind them.

    ``summary()`` and ``to_frame()`` return ``table``.

    Attributes
    ----------
    table : DataFrame
        Indexed by ``type`` (ICC1, ICC2, ICC3, ICC1k, ICC2k, ICC3k) with ``description``, ``icc``, ``F``,
        ``df1``, ``df2``, ``p``, ``ci_low``, ``ci_high``.
    anova : DataFrame
        The two-way ANOVA, indexed by ``source`` (targets, raters, residual) with ``df``, ``SS``, ``MS``.
    title : str
        What was computed, with the confidence level.
    notes : list of str
        How many targets and raters were used and how many targets were dropped for a missing rating.

    See Also
    --------
    icc : The function that returns it.

    Examples
    --------
    >>> import pandas as pd
    >>> res = icc(pd.DataFrame({"A": [9, 6, 8, 7, 10, 6], "B": [2, 1, 4, 1, 5, 2], "C": [5, 3, 6, 2, 6, 4]}))
    >>> res.anova["df"].tolist()
    [5, 2, 10]
    >>> res.notes[0]
    '6 targets x 3 raters; Shrout-Fleiss ANOVA estimates (psych::ICC with lmer = FALSE)'
    """

    table: pd.DataFrame
    anova: pd.DataFrame


_FIX = "Recode them to numbers, or blank them (a target with a blank rating is left out: the ANOVA needs all)."


def _wide(data, targets, raters, ratings):
    if not isinstance(data, pd.DataFrame):
        raise InvalidParameterError(f"The 'data' parameter of icc() must be a pandas DataFrame; got a "
                                    f"{type(data).__name__}.")
    if targets is None and raters is None and ratings is None:
        return numeric_frame(data, caller="icc", fix=_FIX), None
    missing = [n for n, v in (("targets", targets), ("raters", raters), ("ratings", ratings)) if v is None]
    if missing:
        raise InvalidParameterError(
            f"icc(): long data need all of targets=, raters= and ratings= (missing: {', '.join(missing)}); or pass "
            "a wide DataFrame (one row per target, one column per rater) and none of them.")
    for param, col in (("targets", targets), ("raters", raters), ("ratings", ratings)):
        if col not in data.columns:
            raise InvalidParameterError(f"The {param!r} parameter of icc() names the column {col!r}, which is not "
                                        f"in the data; columns are {list(data.columns)}.")
    dup = data.duplicated([targets, raters], keep=False)
    if dup.any():
        report = data.loc[dup, [targets, raters, ratings]].reset_index().rename(columns={"index": "row"})
        pairs = ", ".join(f"({t!r}, {r!r})" for t, r in data.loc[dup, [targets, raters]].drop_duplicates()
                          .itertuples(index=False))
        raise DataValidationError(
            f"{int(dup.sum())} rows repeat a target x rater pair: {pairs}. Each rater must rate each target once; "
            "average or drop the repeats yourself (pingouin averages them silently).", report=report)
    values = numeric_frame(data[[ratings]], caller="icc", fix=_FIX)[ratings]  # bad cells named by the caller's ids
    wide = data.assign(**{ratings: values}).pivot(index=targets, columns=raters, values=ratings)
    return wide.astype(float), wide.index.name


def icc(data: pd.DataFrame, targets: str | None = None, raters: str | None = None, ratings: str | None = None,
        *, ci: float = 0.95, missing: str = "listwise") -> IccResult:
    """Compute the intraclass correlations ICC(1), ICC(2), ICC(3) and their average-rater forms.

    The six Shrout-Fleiss forms with F tests and confidence intervals, from a two-way ANOVA of targets by
    raters: how far raters agree in absolute terms (ICC1, ICC2) or in rank order (ICC3).

    Parameters
    ----------
    data : DataFrame
        Wide (one row per target, one column per rater) or long with ``targets``, ``raters`` and ``ratings``
        columns.
    targets, raters, ratings : str, optional
        Column names of long data.
    ci : float
        Confidence level, e.g. 0.95.
    missing : {"listwise"}
        Targets missing any rating are dropped (the two-way ANOVA needs complete rows); the count is in the
        notes. Ratings that are not numbers raise :class:`~toolkit.exceptions.DataValidationError` naming
        every such cell (they are not quietly turned into missing ratings).

    Returns
    -------
    IccResult
        ``.table`` indexed by ``type`` (ICC1, ICC2, ICC3, ICC1k, ICC2k, ICC3k) with ``description``, ``icc``,
        ``F``, ``df1``, ``df2``, ``p``, ``ci_low``, ``ci_high``; ``.anova`` with the mean squares.

    See Also
    --------
    retest_reliability : ICC agreement and consistency of two occasions.

    Notes
    -----
    From the two-way ANOVA of n targets x k raters (MSB targets, MSJ raters, MSE residual,
    MSW = within targets): ICC1 = (MSB - MSW) / (MSB + (k-1) MSW);
    ICC2 = (MSB - MSE) / (MSB + (k-1) MSE + k (MSJ - MSE)/n); ICC3 = (MSB - MSE) / (MSB + (k-1) MSE);
    the k forms are the Spearman-Brown step-ups ((MSB - MSW)/MSB etc.). Intervals are Shrout & Fleiss's
    (1979) F-based limits, ICC2's with Satterthwaite's degrees of freedom, exactly as psych::ICC computes
    them; pingouin's ``intraclass_corr`` gives the same values (its CIs are rounded to 2 decimals).
    With client and therapist as the two "raters", ICC2/ICC1 measure absolute agreement, ICC3 consistency.
    psych's default (``lmer = TRUE``) estimates variance components by REML instead: identical with
    complete data unless a variance component is negative (then it is set to 0 there).

    R equivalent: ``psych::ICC(wide, lmer = FALSE)``.

    References
    ----------
    .. [1] Shrout, P. E., & Fleiss, J. L. (1979). Intraclass correlations: Uses in assessing rater
       reliability. Psychological Bulletin, 86, 420-428.
    .. [2] McGraw, K. O., & Wong, S. P. (1996). Forming inferences about some intraclass correlation
       coefficients. Psychological Methods, 1, 30-46.

    Examples
    --------
    >>> import pandas as pd
    >>> wide = pd.DataFrame({"A": [9, 6, 8, 7, 10, 6], "B": [2, 1, 4, 1, 5, 2],
    ...                      "C": [5, 3, 6, 2, 6, 4], "D": [8, 2, 8, 6, 9, 7]})
    >>> icc(wide).table["icc"].round(3).tolist()
    [0.166, 0.29, 0.715, 0.443, 0.62, 0.909]
    """
    ci = check_ci(ci, caller="icc")
    check_choice(missing, ("listwise",), param="missing", caller="icc",
                 hint="The ANOVA behind the Shrout-Fleiss ICCs needs every target rated by every rater.")
    from scipy.stats import f as fdist

    wide, _ = _wide(data, targets, raters, ratings)
    n_all = len(wide)
    wide = wide.dropna()
    n, k = wide.shape
    notes = [f"{n} targets x {k} raters; Shrout-Fleiss ANOVA estimates (psych::ICC with lmer = FALSE)"]
    if n < n_all:
        notes.append(f"{n_all - n} target(s) with a missing rating were dropped (listwise)")
    if n < 2 or k < 2:
        raise DataValidationError(f"ICC needs at least 2 targets rated by at least 2 raters with no missing "
                                  f"rating (got {n} complete targets x {k} raters)")
    x = wide.to_numpy()
    grand = x.mean()
    ss_total = ((x - grand) ** 2).sum()
    ss_b = k * ((x.mean(axis=1) - grand) ** 2).sum()
    ss_j = n * ((x.mean(axis=0) - grand) ** 2).sum()
    ss_e = ss_total - ss_b - ss_j
    df_b, df_j, df_e = n - 1, k - 1, (n - 1) * (k - 1)
    MSB, MSJ, MSE = ss_b / df_b, ss_j / df_j, ss_e / df_e
    MSW = (ss_j + ss_e) / (df_j + df_e)
    ICC1 = (MSB - MSW) / (MSB + (k - 1) * MSW)
    ICC2 = (MSB - MSE) / (MSB + (k - 1) * MSE + k * (MSJ - MSE) / n)
    ICC3 = (MSB - MSE) / (MSB + (k - 1) * MSE)
    ICC1k = (MSB - MSW) / MSB
    ICC2k = (MSB - MSE) / (MSB + (MSJ - MSE) / n)
    ICC3k = (MSB - MSE) / MSB
    a = 1 - ci
    F11 = MSB / MSW
    df11n, df11d = n - 1, n * (k - 1)
    F21 = MSB / MSE
    df21n, df21d = n - 1, (n - 1) * (k - 1)
    p11 = fdist.sf(F11, df11n, df11d)
    p21 = fdist.sf(F21, df21n, df21d)
    F1L = F11 / fdist.ppf(1 - a / 2, df11n, df11d)
    F1U = F11 * fdist.ppf(1 - a / 2, df11d, df11n)
    F3L = F21 / fdist.ppf(1 - a / 2, df21n, df21d)
    F3U = F21 * fdist.ppf(1 - a / 2, df21d, df21n)
    Fj = MSJ / MSE
    vn = (k - 1) * (n - 1) * (k * ICC2 * Fj + n * (1 + (k - 1) * ICC2) - k * ICC2) ** 2
    vd = (n - 1) * k**2 * ICC2**2 * Fj**2 + (n * (1 + (k - 1) * ICC2) - k * ICC2) ** 2
    v = vn / vd
    F2U = fdist.ppf(1 - a / 2, n - 1, v)
    F2L = fdist.ppf(1 - a / 2, v, n - 1)
    L2 = n * (MSB - F2U * MSE) / (F2U * (k * MSJ + (k * n - k - n) * MSE) + n * MSB)
    U2 = n * (F2L * MSB - MSE) / (k * MSJ + (k * n - k - n) * MSE + n * F2L * MSB)
    rows = [
        ("ICC1", "single rater, absolute agreement (one-way random)", ICC1, F11, df11n, df11d, p11,
         (F1L - 1) / (F1L + k - 1), (F1U - 1) / (F1U + k - 1)),
        ("ICC2", "single random rater, absolute agreement (two-way random)", ICC2, F21, df21n, df21d, p21, L2, U2),
        ("ICC3", "single fixed rater, consistency (two-way mixed)", ICC3, F21, df21n, df21d, p21,
         (F3L - 1) / (F3L + k - 1), (F3U - 1) / (F3U + k - 1)),
        ("ICC1k", "mean of k raters, absolute agreement (one-way random)", ICC1k, F11, df11n, df11d, p11,
         1 - 1 / F1L, 1 - 1 / F1U),
        ("ICC2k", "mean of k random raters, absolute agreement", ICC2k, F21, df21n, df21d, p21,
         L2 * k / (1 + L2 * (k - 1)), U2 * k / (1 + U2 * (k - 1))),
        ("ICC3k", "mean of k fixed raters, consistency", ICC3k, F21, df21n, df21d, p21, 1 - 1 / F3L, 1 - 1 / F3U),
    ]
    table = pd.DataFrame(rows, columns=["type", "description", "icc", "F", "df1", "df2", "p", "ci_low",
                                        "ci_high"]).set_index("type")
    anova = pd.DataFrame({"df": [df_b, df_j, df_e], "SS": [ss_b, ss_j, ss_e], "MS": [MSB, MSJ, MSE]},
                         index=pd.Index(["targets", "raters", "residual"], name="source"))
    return IccResult(table=table, anova=anova, title=f"Intraclass correlations ({ci:.0%} CI)", notes=notes)
