"""Agreement of two raters, one statistic at a time: Pearson r, ICC, Lin's CCC, paired t, d_z, d_av, Bland-Altman.

Each statistic is a function of two paired rating vectors returning a small result (an
:class:`~toolkit._results.Estimate`, or :class:`BlandAltman`); pairs with a missing value are left out
(``n`` counts the rest). A statistic that is undefined for the data (too few pairs, no variance) is NaN,
with a note saying why and an :class:`~toolkit.exceptions.AgreementWarning`.

Every statistic here registers itself with :func:`~toolkit.dyadic.registry.statistic`, which makes it a
column group of :func:`toolkit.agreement`: adding a statistic is adding one function to this module.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from .._checks import check_ci, numeric_frame, warn
from .._numerics import fisher_z_ci
from .._results import Estimate, FormerDict, Result
from ..exceptions import AgreementWarning, InvalidParameterError
from .registry import statistic

__all__ = ["pearson_r", "concordance", "paired_t", "d_z", "bland_altman", "Correlation", "Concordance",
           "MeanDifference", "StandardizedDifference", "BlandAltman"]

_NAN = math.nan


# -------------------------------------------------------------------------------------------- helpers
def _pair(x, y, caller: str, names=("x", "y")):
    """Two equal-length 1-d float arrays with the incomplete pairs left out (text cells named)."""
    arrays = []
    for name, value in zip(names, (x, y)):
        a = np.asarray(value)
        if a.dtype.kind not in "iuf":
            import pandas as pd

            column = value if isinstance(value, pd.Series) else np.asarray(value, dtype=object).ravel()
            a = numeric_frame(pd.DataFrame({name: column}), param=name, caller=caller)[name].to_numpy()
        arrays.append(np.asarray(a, dtype=float))
    x, y = arrays
    if x.shape != y.shape or x.ndim != 1:
        raise InvalidParameterError(f"The {names[0]!r} and {names[1]!r} parameters of {caller}() must be 1-d and "
                                    f"of equal length "
                                    f"(got shapes {x.shape} and {y.shape}): one rating per pair in each.")
    keep = ~(np.isnan(x) | np.isnan(y))
    return x[keep], y[keep]


def _why(x, y, need: int) -> str:
    reasons = []
    if len(x) < need:
        reasons.append(f"{len(x)} complete pair(s), {need} needed")
    elif len(x) and np.ptp(x) == 0:
        reasons.append("x does not vary")
    if len(y) >= need and len(y) and np.ptp(y) == 0:
        reasons.append("y does not vary")
    return "; ".join(reasons)


def _finish(result, caller: str, why: str):
    """Note and warn about every undefined (NaN) number of a result."""
    nan = [k for k, v in result._number_fields().items() if isinstance(v, float) and math.isnan(v)]
    if nan:
        note = f"{', '.join(nan)} undefined (NaN)" + (f": {why}" if why else "")
        result.add_note(note)
        warn(f"{caller}(): {note}", AgreementWarning)
    return result


# -------------------------------------------------------------------------------------------- results
@dataclass(kw_only=True, repr=False, eq=False)
class Correlation(Estimate):
    """Pearson r with its Fisher-z interval and t test (see :func:`pearson_r`).

    Attributes
    ----------
    t : float
        The test of r = 0: r sqrt(n - 2) / sqrt(1 - r^2).
    df : int
        n - 2.

    Examples
    --------
    >>> r = pearson_r([1, 2, 3, 4, 5], [2, 1, 4, 3, 5])
    >>> r.df, round(r.t, 4)
    (3, 2.3094)
    """

    t: float = _NAN
    df: int = 0
    _former_keys: ClassVar[dict] = {"n": "n", "r": "estimate", "ci_low": "ci_low", "ci_high": "ci_high",
                                    "p": "p"}
    _returned_by: ClassVar[str] = "pearson_r"


@dataclass(kw_only=True, repr=False, eq=False)
class Concordance(Estimate):
    """Lin's concordance correlation with its z-transformed interval (see :func:`concordance`).

    Attributes
    ----------
    c_b : float
        Bias correction factor rho_c / r (1: no shift in location or scale).

    Examples
    --------
    >>> round(concordance([1, 2, 3, 4, 5], [3, 2, 5, 4, 6]).c_b, 3)
    0.8
    """

    c_b: float = _NAN
    _former_keys: ClassVar[dict] = {"n": "n", "ccc": "estimate", "ci_low": "ci_low", "ci_high": "ci_high",
                                    "c_b": "c_b"}
    _returned_by: ClassVar[str] = "concordance"


@dataclass(kw_only=True, repr=False, eq=False)
class MeanDifference(Estimate):
    """Mean of the paired differences x - y with its t interval and test (see :func:`paired_t`).

    Attributes
    ----------
    sd_diff : float
        Standard deviation of the differences (n - 1).
    t : float
        mean / (sd_diff / sqrt(n)).
    df : int
        n - 1.

    Examples
    --------
    >>> t = paired_t([3, 4, 5, 6], [1, 3, 4, 4])
    >>> round(t.t, 4), t.df
    (5.1962, 3)
    """

    sd_diff: float = _NAN
    t: float = _NAN
    df: int = 0
    _former_keys: ClassVar[dict] = {"n": "n", "mean_diff": "estimate", "sd_diff": "sd_diff", "ci_low": "ci_low",
                                    "ci_high": "ci_high", "t": "t", "df": "df", "p": "p"}
    _returned_by: ClassVar[str] = "paired_t"


@dataclass(kw_only=True, repr=False, eq=False)
class StandardizedDifference(Estimate):
    """A standardized mean difference of paired ratings (see :func:`d_z`).

    Examples
    --------
    >>> d = d_z([3, 4, 5, 6], [1, 3, 4, 4])
    >>> round(d.ci_low, 4), round(d.ci_high, 4)
    (0.3985, 4.7799)
    """

    _former_keys: ClassVar[dict] = {"n": "n", "d_z": "estimate", "ci_low": "ci_low", "ci_high": "ci_high"}
    _returned_by: ClassVar[str] = "d_z"


_BA_ROWS = ("bias", "loa_low", "loa_high")


@dataclass(kw_only=True, repr=False, eq=False)
class BlandAltman(FormerDict, Result):
    """Bland-Altman bias and limits of agreement with their intervals (see :func:`bland_altman`).

    Attributes
    ----------
    bias, bias_ci_low, bias_ci_high : float
        Mean difference x - y and its interval.
    loa_low, loa_low_ci_low, loa_low_ci_high : float
        Lower limit of agreement (bias - k sd_diff) and its interval.
    loa_high, loa_high_ci_low, loa_high_ci_high : float
        Upper limit of agreement (bias + k sd_diff) and its interval.
    sd_diff : float
        Standard deviation of the differences (n - 1).
    k : float
        Multiplier of sd_diff in the limits.
    n : int
        Complete pairs.
    ci : float
        Level of the intervals.
    limits : float
        Share of differences the limits are meant to cover.

    Examples
    --------
    >>> bland_altman([3, 4, 5, 6], [1, 3, 4, 4]).lines["estimate"].round(3).tolist()
    [1.5, -0.337, 3.337]
    """

    bias: float = _NAN
    bias_ci_low: float = _NAN
    bias_ci_high: float = _NAN
    loa_low: float = _NAN
    loa_low_ci_low: float = _NAN
    loa_low_ci_high: float = _NAN
    loa_high: float = _NAN
    loa_high_ci_low: float = _NAN
    loa_high_ci_high: float = _NAN
    sd_diff: float = _NAN
    k: float = _NAN
    n: int = 0
    ci: float = 0.95
    limits: float = 0.95

    main: ClassVar[str] = "lines"
    _former_keys: ClassVar[dict] = {key: key for key in (
        "n", "bias", "bias_ci_low", "bias_ci_high", "sd_diff", "loa_low", "loa_low_ci_low", "loa_low_ci_high",
        "loa_high", "loa_high_ci_low", "loa_high_ci_high", "k")}
    _returned_by: ClassVar[str] = "bland_altman"

    @property
    def lines(self):
        """The three lines of the plot: rows ``bias``, ``loa_low``, ``loa_high``; columns ``estimate``,
        ``se``, ``ci_low``, ``ci_high``."""
        import pandas as pd

        n, s = self.n, self.sd_diff
        se_bias = s / math.sqrt(n) if n > 1 else _NAN
        se_limit = s * math.sqrt(1 / n + self.k**2 / (2 * (n - 1))) if n > 1 else _NAN
        return pd.DataFrame({"estimate": [getattr(self, r) for r in _BA_ROWS],
                             "se": [se_bias, se_limit, se_limit],
                             "ci_low": [getattr(self, f"{r}_ci_low") for r in _BA_ROWS],
                             "ci_high": [getattr(self, f"{r}_ci_high") for r in _BA_ROWS]},
                            index=pd.Index(list(_BA_ROWS), name="line"))

    @property
    def tables(self) -> dict:
        return {"lines": self.lines}

    def summary(self):
        """The three lines (bias and the two limits) with their SEs and intervals."""
        return self.lines

    def _number_fields(self) -> dict:
        return {k: getattr(self, k) for k in self._former_keys}

    def _display_values(self) -> dict:
        return {"n": self.n, "sd_diff": self.sd_diff, "k": self.k}


# -------------------------------------------------------------------------------------------- statistics
@statistic("r", columns={"r": "estimate", "r_ci_low": "ci_low", "r_ci_high": "ci_high", "r_p": "p"})
def pearson_r(x, y, *, ci: float = 0.95) -> Correlation:
    """Pearson r with its Fisher-z interval and the t test of r = 0.

    Parameters
    ----------
    x, y : array-like
        Paired ratings (e.g. client and therapist); pairs missing either are left out.
    ci : float
        Confidence level of the interval.

    Returns
    -------
    Correlation
        ``estimate`` (r), ``se`` = sqrt((1 - r^2) / (n - 2)) (the SE in the t test), ``ci_low``,
        ``ci_high``, ``p``, ``t``, ``df``, ``n``.

    Warns
    -----
    AgreementWarning
        When r or its interval is undefined (fewer than 3 pairs, or 4 for the interval; a rater's
        ratings do not vary).

    See Also
    --------
    concordance : Agreement in level as well as in rank order.

    Notes
    -----
    z = atanh(r), limits tanh(z -/+ z_{(1+ci)/2} / sqrt(n - 3)); t = r sqrt(n - 2) / sqrt(1 - r^2) with
    n - 2 df.

    R equivalent: ``cor.test(x, y, conf.level = ci)``.

    References
    ----------
    Fisher, R. A. (1921). On the "probable error" of a coefficient of correlation deduced from a small
    sample. Metron, 1, 3-32.

    Examples
    --------
    >>> r = pearson_r([1, 2, 3, 4, 5], [2, 1, 4, 3, 5])
    >>> round(r.estimate, 6), round(r.p, 4)
    (0.8, 0.1041)
    """
    from scipy import stats

    ci = check_ci(ci, caller="pearson_r")
    x, y = _pair(x, y, "pearson_r")
    n = len(x)
    out = Correlation(title=f"Pearson r ({ci:.0%} CI, Fisher z)", statistic="r", n=n, ci=ci, p=_NAN,
                      se=_NAN, df=n - 2)
    if n >= 3 and np.ptp(x) > 0 and np.ptp(y) > 0:
        r = float(np.corrcoef(x, y)[0, 1])
        out.estimate = r
        if abs(r) < 1:
            out.se = float(np.sqrt((1 - r * r) / (n - 2)))
            out.t = float(r / out.se)
            out.p = float(2 * stats.t.sf(abs(out.t), n - 2))
        else:
            out.se, out.t, out.p = 0.0, math.copysign(math.inf, r), 0.0
        if n > 3 and abs(r) < 1:
            out.ci_low, out.ci_high = fisher_z_ci(r, n, ci)
    why = _why(x, y, 3) or ("the interval needs 4 pairs" if n == 3 else
                            "|r| = 1: the Fisher-z interval is undefined" if n > 3 else "")
    return _finish(out, "pearson_r", why)


@statistic("icc", columns={"icc_type": "statistic", "icc": "estimate", "icc_ci_low": "ci_low",
                           "icc_ci_high": "ci_high"})
def _icc(x, y, *, ci: float = 0.95, icc_type: str = "ICC2") -> Estimate:
    """A single-rater ICC of the two raters, with its F-based interval (:func:`toolkit.icc`)."""
    import pandas as pd

    from ..reliability_stats import icc

    n = len(x)
    if n < 2:
        return Estimate(statistic=icc_type, n=n, ci=ci)
    row = icc(pd.DataFrame({"x": x, "y": y}), ci=ci).table.loc[icc_type]
    return Estimate(statistic=icc_type, estimate=float(row["icc"]), ci_low=float(row["ci_low"]),
                    ci_high=float(row["ci_high"]), p=float(row["p"]), n=n, ci=ci)


@statistic("ccc", columns={"ccc": "estimate", "ccc_ci_low": "ci_low", "ccc_ci_high": "ci_high"})
def concordance(x, y, *, ci: float = 0.95) -> Concordance:
    """Lin's concordance correlation coefficient with its z-transformed interval.

    Parameters
    ----------
    x, y : array-like
        Paired ratings; pairs missing either are left out.
    ci : float
        Confidence level of the interval.

    Returns
    -------
    Concordance
        ``estimate`` (rho_c), ``se`` (Lin's asymptotic SE of rho_c), ``ci_low``, ``ci_high``, ``c_b``,
        ``n``.

    Warns
    -----
    AgreementWarning
        When rho_c or its interval is undefined (fewer than 3 pairs, no variance, ``|rho_c| = 1``).

    See Also
    --------
    pearson_r : Agreement in rank order only.

    Notes
    -----
    With means m_x, m_y, variances s_x^2, s_y^2 and covariance s_xy, all with denominator n:

        rho_c = 2 s_xy / (s_x^2 + s_y^2 + (m_x - m_y)^2),   C_b = rho_c / r.

    The interval is z = atanh(rho_c) -/+ z_{(1+ci)/2} se(z) with, for u = (m_y - m_x) / sqrt(s_x s_y),

        se(z)^2 = [ (1 - r^2) rho_c^2 / ((1 - rho_c^2) r^2) + 2 rho_c^3 (1 - rho_c) u^2 / (r (1 - rho_c^2)^2)
                    - rho_c^4 u^4 / (2 r^2 (1 - rho_c^2)^2) ] / (n - 2),

    and se(rho_c) = (1 - rho_c^2) se(z) (Lin 1989, corrected 2000).

    R equivalent: ``epiR::epi.ccc(x, y, ci = "z-transform")`` (also ``DescTools::CCC``).

    References
    ----------
    Lin, L. I.-K. (1989). A concordance correlation coefficient to evaluate reproducibility. Biometrics, 45,
    255-268. Lin, L. I.-K. (2000). A note on the concordance correlation coefficient. Biometrics, 56,
    324-325.

    Examples
    --------
    >>> c = concordance([1, 2, 3, 4, 5], [2, 1, 4, 3, 5])
    >>> round(c.estimate, 6), round(c.c_b, 6)
    (0.8, 1.0)
    """
    ci = check_ci(ci, caller="concordance")
    x, y = _pair(x, y, "concordance")
    n = len(x)
    out = Concordance(title=f"Lin's concordance correlation ({ci:.0%} CI, z-transform)", statistic="ccc", n=n,
                      ci=ci, se=_NAN)
    why = _why(x, y, 3)
    if n >= 3:
        mx, my = x.mean(), y.mean()
        sx2, sy2 = x.var(), y.var()
        sxy = ((x - mx) * (y - my)).mean()
        denom = sx2 + sy2 + (mx - my) ** 2
        if denom > 0:
            p = 2 * sxy / denom
            out.estimate = float(p)
            if sx2 > 0 and sy2 > 0:
                r = sxy / np.sqrt(sx2 * sy2)
                out.c_b = float(p / r) if r != 0 else _NAN
                if abs(p) < 1 and r != 0:
                    u = (my - mx) / (sx2 * sy2) ** 0.25
                    var = ((1 - r**2) * p**2 / ((1 - p**2) * r**2)
                           + 2 * p**3 * (1 - p) * u**2 / (r * (1 - p**2) ** 2)
                           - p**4 * u**4 / (2 * r**2 * (1 - p**2) ** 2)) / (n - 2)
                    out.ci_low, out.ci_high = fisher_z_ci(p, n, ci, se=np.sqrt(var))
                    out.se = float(np.sqrt(var) * (1 - p**2))
                elif r == 0:
                    why = "r = 0: C_b and the interval are undefined"
                else:
                    why = "|rho_c| = 1: the interval is undefined"
    return _finish(out, "concordance", why)


@statistic("mean_diff", columns={"mean_diff": "estimate", "mean_diff_ci_low": "ci_low",
                                 "mean_diff_ci_high": "ci_high", "sd_diff": "sd_diff", "t": "t", "df": "df",
                                 "p": "p"})
def paired_t(x, y, *, ci: float = 0.95) -> MeanDifference:
    """Paired t test of the mean difference x - y, with its t interval.

    Parameters
    ----------
    x, y : array-like
        Paired ratings; differences are x - y; pairs missing either are left out.
    ci : float
        Confidence level of the interval.

    Returns
    -------
    MeanDifference
        ``estimate`` (mean of x - y), ``se`` (sd_diff / sqrt(n)), ``ci_low``, ``ci_high``, ``t``, ``df``,
        ``p``, ``sd_diff``, ``n``.

    Warns
    -----
    AgreementWarning
        When fewer than 2 pairs are complete, or the differences do not vary (t undefined).

    See Also
    --------
    d_z : The mean difference in units of the SD of the differences.

    Notes
    -----
    d = x - y, t = mean(d) / (sd(d) / sqrt(n)) with n - 1 df; interval mean(d) -/+ t_{(1+ci)/2, n-1} sd(d) /
    sqrt(n).

    R equivalent: ``t.test(x, y, paired = TRUE, conf.level = ci)``.

    References
    ----------
    Student (1908). The probable error of a mean. Biometrika, 6, 1-25.

    Examples
    --------
    >>> paired_t([3, 4, 5, 6], [1, 3, 4, 4]).estimate
    1.5
    """
    from scipy import stats

    ci = check_ci(ci, caller="paired_t")
    x, y = _pair(x, y, "paired_t")
    d = x - y
    n = len(d)
    out = MeanDifference(title=f"Paired t test ({ci:.0%} CI)", statistic="mean_diff", n=n, ci=ci,
                         estimate=float(d.mean()) if n else _NAN, se=_NAN, p=_NAN, df=n - 1)
    why = f"{n} complete pair(s), 2 needed" if n < 2 else ""
    if n >= 2:
        sd = float(d.std(ddof=1))
        out.sd_diff = sd
        se = sd / np.sqrt(n)
        out.se = float(se)
        q = stats.t.ppf(1 - (1 - ci) / 2, n - 1)
        out.ci_low, out.ci_high = float(out.estimate - q * se), float(out.estimate + q * se)
        if se > 0:
            out.t = float(out.estimate / se)
            out.p = float(2 * stats.t.sf(abs(out.t), n - 1))
        else:
            why = "the differences do not vary (every pair differs by the same amount)"
    return _finish(out, "paired_t", why)


@statistic("d_z", columns={"d_z": "estimate", "d_z_ci_low": "ci_low", "d_z_ci_high": "ci_high"})
def d_z(x, y, *, ci: float = 0.95) -> StandardizedDifference:
    """Cohen's d_z (mean difference over the SD of the differences) with its noncentral-t interval.

    Parameters
    ----------
    x, y : array-like
        Paired ratings; differences are x - y; pairs missing either are left out.
    ci : float
        Confidence level of the interval.

    Returns
    -------
    StandardizedDifference
        ``estimate`` (d_z), ``ci_low``, ``ci_high``, ``n`` (no SE: the interval is not d -/+ z se).

    Warns
    -----
    AgreementWarning
        When d_z is undefined (fewer than 2 pairs, or differences that do not vary).

    See Also
    --------
    paired_t : The test and the raw mean difference.

    Notes
    -----
    d_z = mean(x - y) / sd(x - y) = t / sqrt(n). The interval inverts the noncentral t distribution of t
    (df = n - 1, noncentrality delta sqrt(n)): the limits are the noncentralities at which the observed t
    is the (1+ci)/2 and (1-ci)/2 quantile, divided by sqrt(n) (Cumming & Finch 2001).

    R equivalent: ``MBESS::conf.limits.nct(t, n - 1, conf.level = ci)`` divided by sqrt(n) (base R:
    ``uniroot`` on ``pt(t, n - 1, ncp)``).

    References
    ----------
    Cumming, G., & Finch, S. (2001). A primer on the understanding, use, and calculation of confidence
    intervals that are based on central and noncentral distributions. Educational and Psychological
    Measurement, 61, 532-574. Lakens, D. (2013). Calculating and reporting effect sizes. Frontiers in
    Psychology, 4, 863.

    Examples
    --------
    >>> round(d_z([3, 4, 5, 6], [1, 3, 4, 4]).estimate, 6)
    2.598076
    """
    import warnings

    from scipy import optimize, stats

    ci = check_ci(ci, caller="d_z")
    x, y = _pair(x, y, "d_z")
    with warnings.catch_warnings():  # undefined t is reported below, as d_z's own note
        warnings.simplefilter("ignore", AgreementWarning)
        t = paired_t(x, y, ci=ci)
    n = t.n
    out = StandardizedDifference(title=f"Cohen's d_z ({ci:.0%} CI, noncentral t)", statistic="d_z", n=n, ci=ci)
    if n < 2 or not np.isfinite(t.t):
        return _finish(out, "d_z", f"{n} complete pair(s), 2 needed" if n < 2 else
                       "the differences do not vary (every pair differs by the same amount)")
    out.estimate = float(t.t / np.sqrt(n))
    a, df, tobs = 1 - ci, n - 1, t.t
    width = np.sqrt(1 + tobs * tobs / (2 * df))  # large-sample SE of the noncentrality

    def cdf(ncp):
        v = stats.nct.cdf(tobs, df, ncp)
        if not np.isfinite(v):  # scipy's nct is unstable far in a tail: use the other tail, then the limit
            v = 1 - stats.nct.sf(tobs, df, ncp)
        if not np.isfinite(v):
            v = 1.0 if ncp < tobs else 0.0
        return v

    def limit(target):
        start = tobs - stats.norm.ppf(target) * width
        lo, hi = start - width, start + width
        while cdf(lo) - target < 0:
            lo -= width
        while cdf(hi) - target > 0:
            hi += width
        return optimize.brentq(lambda ncp: cdf(ncp) - target, lo, hi, xtol=1e-12)

    out.ci_low = float(limit(1 - a / 2) / np.sqrt(n))
    out.ci_high = float(limit(a / 2) / np.sqrt(n))
    return _finish(out, "d_z", "")


@statistic("d_av", columns={"d_av": "estimate"})
def _d_av(x, y) -> Estimate:
    """d_av: mean difference over the root mean of the two variances (Cumming 2012; Lakens 2013, eq. 10)."""
    n = len(x)
    out = Estimate(statistic="d_av", n=n, ci_low=None, ci_high=None)
    if n > 1:
        pooled = np.sqrt((x.var(ddof=1) + y.var(ddof=1)) / 2)
        if pooled > 0:
            out.estimate = float((x.mean() - y.mean()) / pooled)
    return out


@statistic("bland_altman", columns={f"ba_{k}": k for k in (
    "bias", "bias_ci_low", "bias_ci_high", "loa_low", "loa_low_ci_low", "loa_low_ci_high", "loa_high",
    "loa_high_ci_low", "loa_high_ci_high")})
def bland_altman(x, y, *, ci: float = 0.95, limits: float = 0.95, multiplier: str | float = "t") -> BlandAltman:
    """Bland-Altman bias and limits of agreement of x - y, with intervals for the bias and both limits.

    Parameters
    ----------
    x, y : array-like
        Paired measurements (client, therapist); differences are x - y.
    ci : float
        Confidence level of the intervals of the bias and the limits.
    limits : float
        Share of differences the limits should cover (0.95).
    multiplier : {"t", "normal"} or float
        k in bias -/+ k sd: ``"t"`` (default) the t quantile t_{(1+limits)/2, n-1}; ``"normal"`` the normal
        quantile (1.96, as Bland & Altman 1986 and pingouin use); or a positive number.

    Returns
    -------
    BlandAltman
        ``bias``, ``loa_low``, ``loa_high`` each with ``_ci_low`` and ``_ci_high``; ``sd_diff``, ``k``,
        ``n``; ``.lines`` has them as a table with SEs.

    Warns
    -----
    AgreementWarning
        When fewer than 2 pairs are complete (everything undefined).

    See Also
    --------
    paired_t : The same bias, with its test.

    Notes
    -----
    bias = mean(d), s = sd(d) (n - 1), limits bias -/+ k s. Intervals (Bland & Altman 1999, section 4.2):
    bias -/+ t_{(1+ci)/2, n-1} s / sqrt(n); each limit -/+ t_{(1+ci)/2, n-1} s sqrt(1/n + k^2 / (2 (n - 1))).

    R equivalent: ``BlandAltmanLeh::bland.altman.stats(x, y, conf.int = ci)`` (the same interval formula;
    it takes k = 1.96 or its own ``two`` argument).

    References
    ----------
    Bland, J. M., & Altman, D. G. (1999). Measuring agreement in method comparison studies. Statistical
    Methods in Medical Research, 8, 135-160.

    Examples
    --------
    >>> ba = bland_altman([3, 4, 5, 6], [1, 3, 4, 4], multiplier="normal")
    >>> round(ba.bias, 3), round(ba.loa_low, 3), round(ba.loa_high, 3)
    (1.5, 0.368, 2.632)
    """
    from scipy import stats

    ci = check_ci(ci, caller="bland_altman")
    limits = check_ci(limits, param="limits", caller="bland_altman")
    if (multiplier not in ("t", "normal") if isinstance(multiplier, str) else
            isinstance(multiplier, bool) or not isinstance(multiplier, (int, float)) or not multiplier > 0):
        raise InvalidParameterError(f"The 'multiplier' parameter of bland_altman() must be 't', 'normal' or a "
                                    f"positive number; got {multiplier!r}.")
    x, y = _pair(x, y, "bland_altman")
    d = x - y
    n = len(d)
    out = BlandAltman(title=f"Bland-Altman limits of agreement ({ci:.0%} CIs)", n=n, ci=ci, limits=limits)
    if n < 2:
        return _finish(out, "bland_altman", f"{n} complete pair(s), 2 needed")
    if multiplier == "t":
        k = stats.t.ppf((1 + limits) / 2, n - 1)
    elif multiplier == "normal":
        k = stats.norm.ppf((1 + limits) / 2)
    else:
        k = float(multiplier)
    bias, s = d.mean(), d.std(ddof=1)
    q = stats.t.ppf(1 - (1 - ci) / 2, n - 1)
    se_b, se_l = s / np.sqrt(n), s * np.sqrt(1 / n + k * k / (2 * (n - 1)))
    lo, hi = bias - k * s, bias + k * s
    values = dict(bias=bias, bias_ci_low=bias - q * se_b, bias_ci_high=bias + q * se_b, sd_diff=s, loa_low=lo,
                  loa_low_ci_low=lo - q * se_l, loa_low_ci_high=lo + q * se_l, loa_high=hi,
                  loa_high_ci_low=hi - q * se_l, loa_high_ci_high=hi + q * se_l, k=k)
    for key, value in values.items():
        setattr(out, key, float(value))
    return out


def __getattr__(name):
    # agreement(), item_kappa() and weighted_kappa() lived here until 0.2; old module paths still find them
    if name == "agreement":
        from .agreement_table import agreement

        return agreement
    if name in ("item_kappa", "weighted_kappa"):
        from . import kappa

        return getattr(kappa, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
