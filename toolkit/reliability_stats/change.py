"""Reliable change (Jacobson & Truax 1991) and test-retest reliability."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._checks import check_bool, check_ci, check_number, numeric_frame, renamed_parameter, warn
from .._numerics import fisher_z_ci
from .._results import Result
from ..exceptions import InvalidParameterError

__all__ = ["reliable_change", "retest_reliability", "ReliableChangeResult"]


@dataclass(kw_only=True, repr=False, eq=False)
class ReliableChangeResult(Result):
    """What :func:`reliable_change` returns: each respondent's change and its category, and the criterion.

    ``res["rci"]`` is ``res.table["rci"]``; ``summary()`` and ``to_frame()`` return ``table``.

    Attributes
    ----------
    table : DataFrame
        Same index as ``pre``: ``pre``, ``post``, ``change``, ``rci``, ``category`` ("improved",
        "deteriorated", "no reliable change", or "" when a score is missing).
    reliability : float
        The reliability r_xx used.
    sd : float
        The standard deviation of the pre scores used.
    sem : float
        Standard error of measurement, sd sqrt(1 - r_xx).
    s_diff : float
        Standard error of a difference, sqrt(2) sem.
    criterion : float
        The normal quantile ``|RCI|`` must exceed (1.96 at ``ci=0.95``).
    min_change : float
        The smallest reliable change in score units, criterion x s_diff.
    title : str
        What was computed.
    notes : list of str
        Where the reliability and the sd come from, and the criterion.

    See Also
    --------
    reliable_change : The function that returns it.

    Examples
    --------
    >>> res = reliable_change([20, 25], [30, 24], reliability=0.8, sd=5)
    >>> res["category"].tolist()
    ['improved', 'no reliable change']
    >>> round(res.sem, 4), round(res.criterion, 4)
    (2.2361, 1.96)
    """

    table: pd.DataFrame
    reliability: float
    sd: float
    sem: float
    s_diff: float
    criterion: float
    min_change: float

    def __getitem__(self, key):
        return self.table[key]

    @property
    def attrs(self) -> dict:
        """Deprecated (goes in 0.3): the numbers behind the criterion as a dict.

        Until version 0.2 ``reliable_change`` returned a DataFrame with these numbers in ``.attrs``; they are
        fields of the result now (``res.min_change``, ...).

        Returns
        -------
        dict
            ``sem``, ``s_diff``, ``criterion``, ``min_change``, ``sd``, ``reliability``.

        See Also
        --------
        ReliableChangeResult : The fields that replace it.

        Examples
        --------
        >>> import warnings
        >>> res = reliable_change([20, 25], [30, 24], reliability=0.8, sd=5)
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter("ignore", DeprecationWarning)
        ...     res.attrs["min_change"] == res.min_change
        True
        """
        warn("reliable_change() returns a result now: read res.min_change, res.sem, ... instead of "
             "res.attrs[...], and the table as res.table. res.attrs goes in version 0.3.", DeprecationWarning)
        return {"sem": self.sem, "s_diff": self.s_diff, "criterion": self.criterion, "min_change": self.min_change,
                "sd": self.sd, "reliability": self.reliability}

    def __getattr__(self, name):
        # until 0.3: the DataFrame's own attributes (res.index, res.loc, ...) with a DeprecationWarning
        if not name.startswith("_") and name != "table" and hasattr(pd.DataFrame, name):
            table = self.__dict__.get("table")
            if table is not None:
                warn(f"reliable_change() returns a result now: use res.table.{name} instead of res.{name} (goes in "
                     "version 0.3).", DeprecationWarning)
                return getattr(table, name)
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")


def _series(x, name: str, caller: str) -> pd.Series:
    if isinstance(x, pd.DataFrame):
        if x.shape[1] != 1:
            raise InvalidParameterError(
                f"The {name!r} parameter of {caller}() must be one column of scores; got a DataFrame with "
                f"{x.shape[1]} columns: {list(x.columns)}. Pick the score, e.g. scores['total'].")
        x = x.iloc[:, 0]
    if not isinstance(x, pd.Series):
        x = pd.Series(np.asarray(x))
    frame = numeric_frame(x.to_frame(name), param=name, caller=caller,
                          fix="Recode them to numbers, or blank them (missing scores give no change).")
    return frame[name]


@renamed_parameter("scale", "subscale")
def reliable_change(pre, post, *, reliability, sd: float | None = None, ci: float = 0.95,
                    higher_is_better: bool = True, subscale: str = "total",
                    coefficient: str = "alpha") -> ReliableChangeResult:
    """Compute the Jacobson-Truax reliable change index of each respondent.

    A change is reliable when it is larger than measurement error alone would make it at the chosen level;
    each respondent is categorised as improved, deteriorated or without reliable change.

    Parameters
    ----------
    pre, post : Series or array
        Scores at the two occasions, paired by position; the output keeps ``pre``'s index.
    reliability : float or ReliabilityTable or DataFrame
        Reliability of the score: a number (e.g. a published value), or the result of
        :func:`toolkit.reliability` (or its ``.table``), from which ``coefficient`` of ``subscale`` is taken.
    sd : float, optional
        Standard deviation of the pre scores in the reference population; default the sample's (ddof=1).
    ci : float
        Two-sided level of the criterion (0.95 -> ``|RCI| > 1.96``).
    higher_is_better : bool
        Direction of improvement (alliance scores: higher is better; ORS symptoms: True as well).
    subscale : str
        Row of the reliability table to use (default the total).
    coefficient : str
        Column of the reliability table to use (default alpha; e.g. ``"omega_cfa"``).

    Returns
    -------
    ReliableChangeResult
        ``.table`` (same index as ``pre``: ``pre``, ``post``, ``change``, ``rci``, ``category``) and the
        numbers behind the criterion: ``.sem``, ``.s_diff``, ``.criterion``, ``.min_change`` (smallest
        reliable change in score units), ``.sd``, ``.reliability``.

    See Also
    --------
    reliability : The reliability table this can take its r_xx from.

    Notes
    -----
    SEM = SD sqrt(1 - r_xx); S_diff = sqrt(2 SEM^2); RCI = (post - pre) / S_diff; the change is reliable when
    ``|RCI| > z``, the normal quantile of the two-sided level ``ci``.

    R equivalent: none in psych; by hand ``(post - pre) / sqrt(2 * (sd(pre) * sqrt(1 - rxx))^2)``.

    References
    ----------
    .. [1] Jacobson, N. S., & Truax, P. (1991). Clinical significance: A statistical approach to defining
       meaningful change in psychotherapy research. Journal of Consulting and Clinical Psychology, 59, 12-19.

    Examples
    --------
    >>> import pandas as pd
    >>> res = reliable_change(pd.Series([20, 25, 30]), pd.Series([30, 24, 20]), reliability=0.8, sd=5)
    >>> res.table[["change", "rci", "category"]].round(3)
       change    rci            category
    0    10.0  3.162            improved
    1    -1.0 -0.316  no reliable change
    2   -10.0 -3.162        deteriorated
    >>> round(res.min_change, 3)
    6.198
    """
    from scipy.stats import norm

    from .table import ReliabilityTable

    caller = "reliable_change"
    ci = check_ci(ci, caller=caller)
    higher_is_better = check_bool(higher_is_better, param="higher_is_better", caller=caller)
    source = "given"
    if isinstance(reliability, (ReliabilityTable, pd.DataFrame)):
        table = reliability.table if isinstance(reliability, ReliabilityTable) else reliability
        if subscale not in table.index:
            raise InvalidParameterError(
                f"The 'subscale' parameter of {caller}() must be a row of the reliability table, one of "
                f"{', '.join(map(repr, table.index))}; got {subscale!r}.")
        if coefficient not in table.columns:
            raise InvalidParameterError(
                f"The 'coefficient' parameter of {caller}() must be a column of the reliability table such as "
                f"'alpha', 'omega_cfa' or 'omega_t'; got {coefficient!r}.")
        reliability = float(table.loc[subscale, coefficient])
        source = f"{coefficient} of {subscale!r} from the reliability table"
    reliability = check_number(reliability, param="reliability", caller=caller, low=0, high=1, high_open=True,
                               what="a negative or undefined reliability cannot give a standard error of "
                                    "measurement: use a published reliability instead")
    if sd is not None:
        sd = check_number(sd, param="sd", caller=caller, low=0, low_open=True)
    a = _series(pre, "pre", caller)
    b = _series(post, "post", caller)
    if len(a) != len(b):
        raise InvalidParameterError(f"The 'pre' and 'post' parameters of {caller}() must have the same length; got "
                                    f"{len(a)} and {len(b)}.")
    b = pd.Series(b.to_numpy(), index=a.index)  # paired by position; the output keeps pre's index
    s = float(np.nanstd(a.to_numpy(), ddof=1)) if sd is None else float(sd)
    sem = s * np.sqrt(1 - reliability)
    s_diff = np.sqrt(2 * sem**2)
    z = float(norm.ppf(1 - (1 - ci) / 2))
    change = b - a
    rci = change / s_diff
    sign = 1 if higher_is_better else -1
    cat = np.where(rci.isna(), "", np.where(sign * rci > z, "improved",
                                            np.where(sign * rci < -z, "deteriorated", "no reliable change")))
    out = pd.DataFrame({"pre": a, "post": b, "change": change, "rci": rci, "category": cat}, index=a.index)
    notes = [f"reliability r_xx = {reliability:.4g} ({source})",
             f"sd = {s:.4g} (" + ("the sample sd of pre, ddof = 1" if sd is None else "given") + ")",
             f"reliable when |RCI| > {z:.4g} ({ci:.0%} two-sided), i.e. a change of more than {z * s_diff:.4g} "
             "points; " + ("higher" if higher_is_better else "lower") + " scores are better"]
    if rci.isna().any():
        notes.append(f"{int(rci.isna().sum())} respondent(s) without both scores have no category")
    return ReliableChangeResult(table=out, reliability=reliability, sd=s, sem=float(sem), s_diff=float(s_diff),
                                criterion=z, min_change=float(z * s_diff),
                                title="Reliable change (Jacobson & Truax 1991)", notes=notes)


def retest_reliability(time1, time2, *, ci: float = 0.95) -> pd.DataFrame:
    """Compute test-retest reliability: Pearson r with its Fisher-z interval, and ICC agreement/consistency.

    Pearson's r says whether people keep their rank order between occasions; the ICCs also count a shift of
    everyone's scores (agreement) or not (consistency).

    Parameters
    ----------
    time1, time2 : Series or array
        Scores at the two occasions (pairs with a missing score are dropped).
    ci : float
        Confidence level, e.g. 0.95.

    Returns
    -------
    DataFrame
        Indexed by ``statistic`` (``pearson_r``, ``icc_agreement`` = ICC2 / ICC(A,1), ``icc_consistency`` =
        ICC3 / ICC(C,1)) with ``estimate``, ``ci_low``, ``ci_high``, ``n`` (complete pairs).

    See Also
    --------
    icc : All six Shrout-Fleiss forms.

    Notes
    -----
    Fisher's z interval: tanh(atanh(r) +/- z / sqrt(n - 3)). ICC2 = (MSB - MSE) / (MSB + MSE + 2 (MSJ - MSE)/n)
    and ICC3 = (MSB - MSE) / (MSB + MSE) from the two-way ANOVA of the pairs, with Shrout & Fleiss's
    intervals (see :func:`icc`).

    R equivalent: ``cor.test(t1, t2)``; ``psych::ICC(cbind(t1, t2), lmer = FALSE)``.

    References
    ----------
    .. [1] Fisher, R. A. (1921). On the "probable error" of a coefficient of correlation deduced from a small
       sample. Metron, 1, 3-32.
    .. [2] Shrout, P. E., & Fleiss, J. L. (1979). Intraclass correlations: Uses in assessing rater
       reliability. Psychological Bulletin, 86, 420-428.

    Examples
    --------
    >>> out = retest_reliability([10, 12, 14, 15, 20, 22], [11, 12, 15, 17, 19, 24])
    >>> out["estimate"].round(3).tolist()
    [0.97, 0.959, 0.969]
    """
    from .intraclass import icc

    caller = "retest_reliability"
    ci = check_ci(ci, caller=caller)
    a = _series(time1, "time1", caller).to_numpy()
    b = _series(time2, "time2", caller).to_numpy()
    if a.size != b.size:
        raise InvalidParameterError(f"The 'time1' and 'time2' parameters of {caller}() must have the same length; "
                                    f"got {a.size} and {b.size}.")
    ok = ~(np.isnan(a) | np.isnan(b))
    a, b = a[ok], b[ok]
    n = int(a.size)
    r = float(np.corrcoef(a, b)[0, 1]) if n > 2 else np.nan
    lo, hi = fisher_z_ci(r, n, ci)
    t = icc(pd.DataFrame({"t1": a, "t2": b}), ci=ci).table
    rows = [("pearson_r", r, lo, hi, n),
            ("icc_agreement", t.loc["ICC2", "icc"], t.loc["ICC2", "ci_low"], t.loc["ICC2", "ci_high"], n),
            ("icc_consistency", t.loc["ICC3", "icc"], t.loc["ICC3", "ci_low"], t.loc["ICC3", "ci_high"], n)]
    return pd.DataFrame(rows, columns=["statistic", "estimate", "ci_low", "ci_high", "n"]).set_index("statistic")
