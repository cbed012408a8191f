"""Reliable change (Jacobson & Truax 1991) and test-retest reliability."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._numerics import fisher_z_ci
from ._data import _numeric

__all__ = ["reliable_change", "retest_reliability"]


def _series(x, name: str) -> pd.Series:
    if isinstance(x, pd.DataFrame):
        if x.shape[1] != 1:
            raise ValueError(f"{name!r} must be one column of scores (got a DataFrame with {x.shape[1]} columns: "
                             f"{list(x.columns)}); pick the score, e.g. scores['total']")
        x = x.iloc[:, 0]
    if not isinstance(x, pd.Series):
        x = pd.Series(np.asarray(x))
    frame = _numeric(x.to_frame(name), "Recode them to numbers, or blank them (missing scores give no change).")
    return frame[name]


def reliable_change(pre, post, *, reliability, sd: float | None = None, ci: float = 0.95,
                    higher_is_better: bool = True, scale: str = "total", coefficient: str = "alpha") -> pd.DataFrame:
    """Jacobson-Truax reliable change index for each respondent.

    Parameters
    ----------
    pre, post : Series or array
        Scores at the two occasions, paired by position; the output keeps ``pre``'s index.
    reliability : float or ReliabilityTable or DataFrame
        Reliability of the score: a number (e.g. a published value), or the result of
        :func:`toolkit.reliability` (or its ``.table``), from which ``coefficient`` of ``scale`` is taken.
    scale, coefficient : str
        Row and column of the reliability table to use (default the total's alpha).
    sd : float, optional
        Standard deviation of the pre scores in the reference population; default the sample's (ddof=1).
    ci : float
        Two-sided level of the criterion (0.95 -> |RCI| > 1.96).
    higher_is_better : bool
        Direction of improvement (alliance scores: higher is better; ORS symptoms: True as well).

    Returns
    -------
    DataFrame
        Same index as ``pre``: ``pre``, ``post``, ``change``, ``rci``, ``category`` ("improved",
        "deteriorated", "no reliable change", or "" when a score is missing). ``attrs`` holds
        ``sem``, ``s_diff``, ``criterion`` and ``min_change`` (smallest reliable change in score units).

    Notes
    -----
    SEM = SD sqrt(1 - r_xx); S_diff = sqrt(2 SEM^2); RCI = (post - pre) / S_diff; reliable when |RCI| > z.

    References
    ----------
    Jacobson, N. S., & Truax, P. (1991). Clinical significance: A statistical approach to defining meaningful
    change in psychotherapy research. Journal of Consulting and Clinical Psychology, 59, 12-19.

    See Also
    --------
    R: no psych function; by hand ``(post - pre) / sqrt(2 * (sd(pre) * sqrt(1 - rxx))^2)``.

    Examples
    --------
    >>> import pandas as pd
    >>> out = reliable_change(pd.Series([20, 25, 30]), pd.Series([30, 24, 20]), reliability=0.8, sd=5)
    >>> out[["change", "rci", "category"]].round(3)
       change    rci            category
    0    10.0  3.162            improved
    1    -1.0 -0.316  no reliable change
    2   -10.0 -3.162        deteriorated
    """
    from scipy.stats import norm

    if hasattr(reliability, "tables") or isinstance(reliability, pd.DataFrame):
        table = reliability.tables["table"] if hasattr(reliability, "tables") else reliability
        if scale not in table.index or coefficient not in table.columns:
            raise KeyError(f"the reliability table has no {coefficient!r} for scale {scale!r}; scales: "
                           f"{list(table.index)}; coefficients include 'alpha', 'omega_cfa', 'omega_t'")
        reliability = float(table.loc[scale, coefficient])
    if not 0 <= reliability < 1:
        raise ValueError(f"'reliability' must be in [0, 1) (got {reliability!r}); a negative or undefined alpha "
                         "cannot give a standard error of measurement: use a published reliability instead")
    a = _series(pre, "pre")
    b = _series(post, "post")
    if len(a) != len(b):
        raise ValueError(f"'pre' and 'post' must have the same length (got {len(a)} and {len(b)})")
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
    out.attrs.update({"sem": sem, "s_diff": s_diff, "criterion": z, "min_change": z * s_diff, "sd": s,
                      "reliability": reliability})
    return out


def retest_reliability(time1, time2, *, ci: float = 0.95) -> pd.DataFrame:
    """Test-retest reliability: Pearson r with Fisher-z interval, and ICC agreement/consistency.

    Parameters
    ----------
    time1, time2 : Series or array
        Scores at the two occasions (pairs with a missing score are dropped).
    ci : float
        Confidence level.

    Returns
    -------
    DataFrame
        Indexed by ``statistic`` (``pearson_r``, ``icc_agreement`` = ICC2 / ICC(A,1), ``icc_consistency`` =
        ICC3 / ICC(C,1)) with ``estimate``, ``ci_low``, ``ci_high``, ``n``.

    Notes
    -----
    Fisher's z interval: tanh(atanh(r) +/- z / sqrt(n - 3)). ICCs as :func:`toolkit.icc`.

    See Also
    --------
    R: ``cor.test(t1, t2)``; ``psych::ICC(cbind(t1, t2), lmer = FALSE)``.

    Examples
    --------
    >>> out = retest_reliability([10, 12, 14, 15, 20, 22], [11, 12, 15, 17, 19, 24])
    >>> out["estimate"].round(3).tolist()
    [0.97, 0.959, 0.969]
    """
    from .intraclass import icc

    a = _series(time1, "time1").to_numpy()
    b = _series(time2, "time2").to_numpy()
    if a.size != b.size:
        raise ValueError(f"'time1' and 'time2' must have the same length (got {a.size} and {b.size})")
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
