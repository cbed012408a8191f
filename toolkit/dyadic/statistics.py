"""Agreement of two raters: Pearson r, ICC, Lin's CCC, paired t and d_z, Bland-Altman, weighted kappa.

Each single statistic is a small function of two arrays returning a dict of floats (unrounded); pairs with a
missing value are left out (``n`` counts the rest), and a statistic that is undefined for the data (too few
pairs, no variance) is NaN. :func:`agreement` puts them in one table per subscale and :func:`item_kappa` per
shared item; both warn (:class:`~toolkit.exceptions.AgreementWarning`) about every NaN they return.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from .._numerics import fisher_z_ci
from ..exceptions import AgreementWarning

__all__ = ["pearson_r", "concordance", "paired_t", "d_z", "bland_altman", "weighted_kappa", "agreement",
           "item_kappa"]

_ICC_TYPES = ("ICC1", "ICC2", "ICC3")


def _pair(x, y):
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    if x.shape != y.shape or x.ndim != 1:
        raise ValueError(f"x and y must be 1-d and of equal length (got shapes {x.shape} and {y.shape})")
    keep = ~(np.isnan(x) | np.isnan(y))
    return x[keep], y[keep]


def _check_level(ci: float) -> None:
    if not 0 < ci < 1:
        raise ValueError(f"ci must be a confidence level between 0 and 1, e.g. 0.95 (got {ci!r})")


def pearson_r(x, y, *, ci: float = 0.95) -> dict:
    """Pearson r with Fisher-z interval and the t test of r = 0.

    Notes
    -----
    z = atanh(r); limits tanh(z -+ z_{1-a/2} / sqrt(n - 3)); t = r sqrt(n - 2) / sqrt(1 - r^2), df = n - 2.
    R: ``cor.test(x, y)`` (same interval and p).

    Examples
    --------
    >>> round(pearson_r([1, 2, 3, 4, 5], [2, 1, 4, 3, 5])["r"], 6)
    0.8
    """
    from scipy import stats

    _check_level(ci)
    x, y = _pair(x, y)
    n = len(x)
    out = {"n": n, "r": np.nan, "ci_low": np.nan, "ci_high": np.nan, "p": np.nan}
    if n < 3 or x.std() == 0 or y.std() == 0:
        return out
    r = float(np.corrcoef(x, y)[0, 1])
    out["r"] = r
    if abs(r) < 1:
        t = r * np.sqrt((n - 2) / (1 - r * r))
        out["p"] = float(2 * stats.t.sf(abs(t), n - 2))
    else:
        out["p"] = 0.0
    if n > 3 and abs(r) < 1:
        out["ci_low"], out["ci_high"] = fisher_z_ci(r, n, ci)
    return out


def concordance(x, y, *, ci: float = 0.95) -> dict:
    """Lin's concordance correlation coefficient with its z-transformed interval.

    Notes
    -----
    With means m_x, m_y, variances s_x^2, s_y^2 and covariance s_xy, all with denominator n (Lin 1989):

        rho_c = 2 s_xy / (s_x^2 + s_y^2 + (m_x - m_y)^2),   C_b = rho_c / r.

    Interval: z = atanh(rho_c) -+ z_{1-a/2} se(z), with (Lin 1989, corrected 2000), u = (m_y - m_x) /
    sqrt(s_x s_y):

        se(z)^2 = [ (1 - r^2) rho_c^2 / ((1 - rho_c^2) r^2) + 2 rho_c^3 (1 - rho_c) u^2 / (r (1 - rho_c^2)^2)
                    - rho_c^4 u^4 / (2 r^2 (1 - rho_c^2)^2) ] / (n - 2)

    as R's ``DescTools::CCC(x, y, ci = "z-transform")`` and ``epiR::epi.ccc`` compute it.

    References
    ----------
    Lin, L. I.-K. (1989). A concordance correlation coefficient to evaluate reproducibility. Biometrics, 45,
    255-268; (2000) A note on the concordance correlation coefficient. Biometrics, 56, 324-325.

    Examples
    --------
    >>> round(concordance([1, 2, 3, 4, 5], [2, 1, 4, 3, 5])["ccc"], 6)
    0.8
    """
    from scipy import stats

    _check_level(ci)
    x, y = _pair(x, y)
    n = len(x)
    out = {"n": n, "ccc": np.nan, "ci_low": np.nan, "ci_high": np.nan, "c_b": np.nan}
    if n < 3:
        return out
    mx, my = x.mean(), y.mean()
    sx2, sy2 = x.var(), y.var()
    sxy = ((x - mx) * (y - my)).mean()
    denom = sx2 + sy2 + (mx - my) ** 2
    if denom == 0:
        return out
    p = 2 * sxy / denom
    out["ccc"] = float(p)
    if sx2 == 0 or sy2 == 0:
        return out
    r = sxy / np.sqrt(sx2 * sy2)
    out["c_b"] = float(p / r) if r != 0 else np.nan
    if abs(p) < 1 and r != 0 and n > 2:
        u = (my - mx) / (sx2 * sy2) ** 0.25
        var = ((1 - r**2) * p**2 / ((1 - p**2) * r**2) + 2 * p**3 * (1 - p) * u**2 / (r * (1 - p**2) ** 2)
               - p**4 * u**4 / (2 * r**2 * (1 - p**2) ** 2)) / (n - 2)
        out["ci_low"], out["ci_high"] = fisher_z_ci(p, n, ci, se=np.sqrt(var))
    return out


def paired_t(x, y, *, ci: float = 0.95) -> dict:
    """Paired t test of the mean difference x - y, with its t interval.

    R: ``t.test(x, y, paired = TRUE)``.

    Examples
    --------
    >>> paired_t([3, 4, 5, 6], [1, 3, 4, 4])["mean_diff"]
    1.5
    """
    from scipy import stats

    _check_level(ci)
    x, y = _pair(x, y)
    d = x - y
    n = len(d)
    out = {"n": n, "mean_diff": float(d.mean()) if n else np.nan, "sd_diff": np.nan, "ci_low": np.nan,
           "ci_high": np.nan, "t": np.nan, "df": n - 1, "p": np.nan}
    if n < 2:
        return out
    sd = float(d.std(ddof=1))
    out["sd_diff"] = sd
    se = sd / np.sqrt(n)
    q = stats.t.ppf(1 - (1 - ci) / 2, n - 1)
    out["ci_low"], out["ci_high"] = out["mean_diff"] - q * se, out["mean_diff"] + q * se
    if se > 0:
        out["t"] = out["mean_diff"] / se
        out["p"] = float(2 * stats.t.sf(abs(out["t"]), n - 1))
    return out


def d_z(x, y, *, ci: float = 0.95) -> dict:
    """Cohen's d_z (mean difference over the SD of the differences) with its noncentral-t interval.

    Notes
    -----
    d_z = mean(x - y) / sd(x - y) = t / sqrt(n). The interval inverts the noncentral t distribution of
    t (df = n - 1, noncentrality delta sqrt(n)): the limits are the noncentralities whose upper and lower
    tail probabilities at the observed t are a/2, divided by sqrt(n) (Cumming & Finch 2001). R: invert
    ``pt(t, n - 1, ncp)`` with ``uniroot``, as ``MBESS::conf.limits.nct`` does (the tests hold such values).

    References
    ----------
    Lakens, D. (2013). Calculating and reporting effect sizes. Frontiers in Psychology, 4, 863.

    Examples
    --------
    >>> round(d_z([3, 4, 5, 6], [1, 3, 4, 4])["d_z"], 6)
    2.598076
    """
    from scipy import optimize, stats

    t = paired_t(x, y, ci=ci)
    n = t["n"]
    out = {"n": n, "d_z": np.nan, "ci_low": np.nan, "ci_high": np.nan}
    if n < 2 or not np.isfinite(t["t"]):
        return out
    out["d_z"] = float(t["t"] / np.sqrt(n))
    a, df, tobs = 1 - ci, n - 1, t["t"]

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

    out["ci_low"] = float(limit(1 - a / 2) / np.sqrt(n))
    out["ci_high"] = float(limit(a / 2) / np.sqrt(n))
    return out


def bland_altman(x, y, *, ci: float = 0.95, limits: float = 0.95, multiplier: str | float = "t") -> dict:
    """Bland-Altman bias and limits of agreement of x - y, with intervals for the bias and both limits.

    Parameters
    ----------
    x, y : array-like
        Paired measurements (client, therapist); differences are x - y.
    ci : float
        Level of the intervals of the bias and the limits.
    limits : float
        Share of differences the limits should cover (0.95).
    multiplier : {"t", "normal"} or float
        k in bias -+ k sd: ``"t"`` (default) the t quantile t_{(1+limits)/2, n-1}; ``"normal"`` the normal
        quantile (1.96, as Bland & Altman 1986 and pingouin use); or a number.

    Notes
    -----
    bias = mean(d), s = sd(d) (n - 1), limits bias -+ k s. Intervals (Bland & Altman 1999, section 4.2):
    bias -+ t_{1-a/2, n-1} s / sqrt(n); each limit -+ t_{1-a/2, n-1} s sqrt(1/n + k^2 / (2 (n - 1))).
    R: ``BlandAltmanLeh::bland.altman.stats`` uses the same interval formula (with its own k).

    References
    ----------
    Bland, J. M., & Altman, D. G. (1999). Measuring agreement in method comparison studies. Statistical
    Methods in Medical Research, 8, 135-160.

    Examples
    --------
    >>> ba = bland_altman([3, 4, 5, 6], [1, 3, 4, 4], multiplier="normal")
    >>> round(ba["bias"], 3), round(ba["loa_low"], 3), round(ba["loa_high"], 3)
    (1.5, 0.368, 2.632)
    """
    from scipy import stats

    _check_level(ci)
    _check_level(limits)
    x, y = _pair(x, y)
    d = x - y
    n = len(d)
    keys = ["bias", "bias_ci_low", "bias_ci_high", "sd_diff", "loa_low", "loa_low_ci_low", "loa_low_ci_high",
            "loa_high", "loa_high_ci_low", "loa_high_ci_high", "k"]
    out = {"n": n, **{k: np.nan for k in keys}}
    if n < 2:
        return out
    if multiplier == "t":
        k = stats.t.ppf((1 + limits) / 2, n - 1)
    elif multiplier == "normal":
        k = stats.norm.ppf((1 + limits) / 2)
    elif isinstance(multiplier, (int, float)) and not isinstance(multiplier, bool) and multiplier > 0:
        k = float(multiplier)
    else:
        raise ValueError(f"multiplier must be 't', 'normal' or a positive number (got {multiplier!r})")
    bias, s = d.mean(), d.std(ddof=1)
    q = stats.t.ppf(1 - (1 - ci) / 2, n - 1)
    se_b, se_l = s / np.sqrt(n), s * np.sqrt(1 / n + k * k / (2 * (n - 1)))
    lo, hi = bias - k * s, bias + k * s
    out.update(bias=bias, bias_ci_low=bias - q * se_b, bias_ci_high=bias + q * se_b, sd_diff=s, loa_low=lo,
               loa_low_ci_low=lo - q * se_l, loa_low_ci_high=lo + q * se_l, loa_high=hi,
               loa_high_ci_low=hi - q * se_l, loa_high_ci_high=hi + q * se_l, k=k)
    return {key: float(v) if key != "n" else v for key, v in out.items()}


def weighted_kappa(a, b, *, weights: str | None = None, categories=None) -> float:
    """Cohen's kappa, unweighted or with linear or quadratic disagreement weights.

    Notes
    -----
    With observed proportions O_ij, chance proportions E_ij = O_i. O_.j over the categories c_1..c_K and
    weights w_ij = 0 / 1 (none), |i - j| (linear) or (i - j)^2 (quadratic):
    kappa = 1 - sum(w O) / sum(w E). Equals ``sklearn.metrics.cohen_kappa_score(a, b, labels=categories,
    weights=...)``; R: ``psych::cohen.kappa`` (weighted kappa uses quadratic weights by default).
    NaN (undefined) when no pair is complete or sum(w E) = 0 (both raters gave one and the same answer
    throughout); :func:`item_kappa` warns about such items.

    Examples
    --------
    >>> round(weighted_kappa([1, 2, 3, 4, 4], [1, 2, 4, 4, 3], weights="quadratic"), 6)
    0.852941
    """
    if weights not in (None, "linear", "quadratic"):
        raise ValueError(f"weights must be None, 'linear' or 'quadratic' (got {weights!r})")
    a, b = _pair(a, b)
    cats = np.unique(np.concatenate([a, b]) if categories is None else np.asarray(categories, dtype=float))
    ia, ib = np.searchsorted(cats, a), np.searchsorted(cats, b)
    bad_a = (ia >= len(cats)) | (cats[np.minimum(ia, len(cats) - 1)] != a)
    bad_b = (ib >= len(cats)) | (cats[np.minimum(ib, len(cats) - 1)] != b)
    if bad_a.any() or bad_b.any():
        vals = sorted({float(v) for v in a[bad_a]} | {float(v) for v in b[bad_b]})
        raise ValueError(f"answers {vals} are not among the categories {cats.tolist()}; pass categories= "
                         "listing every scale point")
    k = len(cats)
    obs = np.zeros((k, k))
    np.add.at(obs, (ia, ib), 1)
    if obs.sum() == 0:
        return np.nan
    obs /= obs.sum()
    exp = np.outer(obs.sum(1), obs.sum(0))
    i, j = np.indices((k, k))
    w = (i != j).astype(float) if weights is None else np.abs(i - j) if weights == "linear" else (i - j) ** 2.0
    den = (w * exp).sum()
    return float(1 - (w * obs).sum() / den) if den > 0 else np.nan


def _tidy_input(paired, raters):
    from .pairing import PairedRatings

    if isinstance(paired, PairedRatings):
        tidy, notes, metric = paired.paired_, list(paired.notes_), paired.metric_
        on = paired.on
    elif isinstance(paired, pd.DataFrame):
        tidy, notes, metric, on = paired, [], None, [c for c in paired.columns if c not in (
            "subscale",) + tuple(raters)][:2]
    else:
        raise TypeError(f"'paired' must be a PairedRatings (from pair_raters) or a tidy DataFrame with columns "
                        f"subscale, {raters[0]}, {raters[1]} (got {type(paired).__name__})")
    absent = [c for c in ("subscale",) + tuple(raters) if c not in tidy.columns]
    if absent:
        raise KeyError(f"the paired data have no column(s) {absent}; columns are {list(tidy.columns)}. "
                       "Pass raters= naming two of them, e.g. raters=('client', 'observer')")
    return tidy, notes, metric, on


def agreement(paired, *, raters=("client", "therapist"), ci: float = 0.95, icc_type: str = "ICC2",
              multiplier: str | float = "t", session=None) -> pd.DataFrame:
    """Agreement of two raters per subscale and total, in one table.

    Parameters
    ----------
    paired : PairedRatings or DataFrame
        From :func:`pair_raters`, or a tidy frame with ``subscale`` and the two rater columns.
    raters : (str, str)
        The two raters compared; differences are first - second.
    ci : float
        Level of every interval.
    icc_type : {"ICC1", "ICC2", "ICC3"}
        Shrout-Fleiss single-rater form reported (default ICC2: two-way random, absolute agreement; ICC3 is
        consistency, ignoring the mean difference). Computed by :func:`toolkit.icc`
        (psych::ICC with lmer = FALSE).
    multiplier : {"t", "normal"} or float
        Multiplier of the Bland-Altman limits (see :func:`bland_altman`).
    session : optional
        Keep only pairs of this session (when the pairs carry a ``session`` id).

    Returns
    -------
    DataFrame
        Indexed by ``subscale``: ``n``, ``mean_<a>``, ``mean_<b>``, ``r``, ``r_ci_low``, ``r_ci_high``,
        ``r_p``, ``icc_type``, ``icc``, ``icc_ci_low``, ``icc_ci_high``, ``ccc``, ``ccc_ci_low``,
        ``ccc_ci_high``, ``mean_diff``, ``mean_diff_ci_low``, ``mean_diff_ci_high``, ``sd_diff``, ``t``, ``df``,
        ``p``, ``d_z``, ``d_z_ci_low``, ``d_z_ci_high``, ``d_av`` (mean difference over the root mean of the two
        variances), ``ba_bias``, ``ba_bias_ci_low``, ``ba_bias_ci_high``, ``ba_loa_low``, ``ba_loa_low_ci_low``,
        ``ba_loa_low_ci_high``, ``ba_loa_high``, ``ba_loa_high_ci_low``, ``ba_loa_high_ci_high``. ``.attrs``
        holds ``notes`` (metric, ICC form, repeated sessions).

    Warns
    -----
    AgreementWarning
        When a subscale has fewer than 4 complete pairs, or a statistic is undefined (NaN) for another
        reason, e.g. one rater's scores do not vary (r and the CCC interval need variance in both).

    Notes
    -----
    See :func:`pearson_r`, :func:`concordance`, :func:`paired_t`, :func:`d_z`, :func:`bland_altman` for the
    formulas. Pairs missing either score are left out per subscale (``n``). When a dyad contributes several
    sessions the pairs are not independent: intervals and tests then are too narrow; analyse one session
    (``session=``) or use a multilevel model.

    Examples
    --------
    >>> import toolkit
    >>> p = toolkit.pair_raters(toolkit.load_sample("wai36_client_therapist"), instrument_client="wai36")
    >>> agreement(p).loc["total", ["n", "r", "d_av"]].astype(float).round(3).tolist()
    [499.0, 0.366, 0.402]
    """
    from ..reliability_stats import icc as _icc

    if icc_type not in _ICC_TYPES:
        raise ValueError(f"icc_type must be one of {list(_ICC_TYPES)} (got {icc_type!r}); the k-rater forms "
                         "describe the mean of both raters, not their agreement")
    if len(raters) != 2 or raters[0] == raters[1]:
        raise ValueError(f"raters must name two different raters (got {raters!r})")
    a, b = raters
    tidy, notes, metric, on = _tidy_input(paired, raters)
    if session is not None:
        if "session" not in tidy.columns:
            raise KeyError("session= was given but the pairs have no 'session' column")
        tidy = tidy.loc[tidy["session"] == session]
        if tidy.empty:
            raise ValueError(f"no pairs at session {session!r}")
    rows, few, undefined = [], [], []
    for s, grp in tidy.groupby("subscale", sort=False):
        x, y = _pair(grp[a].to_numpy(float), grp[b].to_numpy(float))
        n = len(x)
        row = {"subscale": s, "n": n, f"mean_{a}": x.mean() if n else np.nan, f"mean_{b}": y.mean() if n else np.nan}
        if n < 4:
            few.append(f"{s} (n = {n})")
        r = pearson_r(x, y, ci=ci)
        row.update(r=r["r"], r_ci_low=r["ci_low"], r_ci_high=r["ci_high"], r_p=r["p"], icc_type=icc_type)
        if n >= 2:
            t = _icc(pd.DataFrame({a: x, b: y}), ci=ci).table.loc[icc_type]
            row.update(icc=t["icc"], icc_ci_low=t["ci_low"], icc_ci_high=t["ci_high"])
        else:
            row.update(icc=np.nan, icc_ci_low=np.nan, icc_ci_high=np.nan)
        c = concordance(x, y, ci=ci)
        row.update(ccc=c["ccc"], ccc_ci_low=c["ci_low"], ccc_ci_high=c["ci_high"])
        t = paired_t(x, y, ci=ci)
        row.update(mean_diff=t["mean_diff"], mean_diff_ci_low=t["ci_low"], mean_diff_ci_high=t["ci_high"],
                   sd_diff=t["sd_diff"], t=t["t"], df=t["df"], p=t["p"])
        d = d_z(x, y, ci=ci)
        row.update(d_z=d["d_z"], d_z_ci_low=d["ci_low"], d_z_ci_high=d["ci_high"])
        pooled = np.sqrt((x.var(ddof=1) + y.var(ddof=1)) / 2) if n > 1 else np.nan
        row["d_av"] = (x.mean() - y.mean()) / pooled if n > 1 and pooled > 0 else np.nan
        ba = bland_altman(x, y, ci=ci, multiplier=multiplier)
        row.update({f"ba_{k}": v for k, v in ba.items() if k not in ("n", "sd_diff", "k")})
        if n >= 4:  # fewer pairs are warned about below
            nan = [k for k, v in row.items() if isinstance(v, float) and np.isnan(v)]
            if nan:
                flat = [r for r, v in ((a, x), (b, y)) if v.std() == 0]
                why = f" ({' and '.join(flat)} scores do not vary)" if flat else ""
                undefined.append(f"{s}: {', '.join(nan)}{why}")
        rows.append(row)
    if not rows:
        raise ValueError("the paired data hold no rows; nothing to compare")
    out = pd.DataFrame(rows).set_index("subscale")
    out["df"] = out["df"].astype(int)
    if few:
        warnings.warn(f"fewer than 4 complete pairs for {', '.join(few)}: intervals and tests are missing (NaN)",
                      AgreementWarning, stacklevel=2)
    if undefined:
        warnings.warn(f"undefined statistics are NaN: {'; '.join(undefined)}", AgreementWarning, stacklevel=2)
    keys = [c for c in on if c in tidy.columns]
    if keys and "session" in keys and len(keys) > 1:
        first = [c for c in keys if c != "session"][0]
        per = tidy.loc[tidy["subscale"] == tidy["subscale"].iloc[0]].groupby(first).size()
        if (per > 1).any():
            notes.append(f"{int((per > 1).sum())} dyads contribute several sessions: pairs are not independent, "
                         "so intervals and p values are too narrow; use session= or a multilevel model")
    notes.append(f"differences are {a} - {b}; ICC is psych's {icc_type} (lmer = FALSE); Bland-Altman limits "
                 f"use k = {'t quantile' if multiplier == 't' else multiplier}")
    out.attrs["notes"] = notes
    out.attrs["metric"] = metric
    return out


def item_kappa(paired, *, raters=("client", "therapist")) -> pd.DataFrame:
    """Weighted kappa of every item both raters answered on the same response scale.

    Parameters
    ----------
    paired : PairedRatings
        From :func:`pair_raters`; uses its ``items_`` (keyed answers).
    raters : (str, str)
        Only ``("client", "therapist")`` is supported at item level.

    Returns
    -------
    DataFrame
        One row per item (index ``item``): ``subscale``, ``n``, ``agree`` (share of identical answers),
        ``kappa`` (unweighted), ``kappa_linear``, ``kappa_quadratic``; categories are every point of the
        response scale (as ``cohen_kappa_score(..., labels=points)``).

    Warns
    -----
    AgreementWarning
        When the kappa of an item is undefined (NaN; see :func:`weighted_kappa`), naming the items.

    Examples
    --------
    >>> import toolkit
    >>> p = toolkit.pair_raters(toolkit.load_sample("wai36_client_therapist"), instrument_client="wai36")
    >>> item_kappa(p).shape
    (36, 6)
    """
    from .pairing import PairedRatings

    if not isinstance(paired, PairedRatings):
        raise TypeError(f"item_kappa needs the PairedRatings from pair_raters (got {type(paired).__name__})")
    if tuple(raters) != ("client", "therapist"):
        raise ValueError(f"item level compares client and therapist only (got raters={raters!r})")
    items = paired.items_
    items = items.loc[items["same_scale"].astype(bool)] if len(items) else items
    if items.empty:
        raise ValueError("no item was answered by both raters on the same response scale "
                         f"({paired.scales_[['instrument', 'form', 'scale_min', 'scale_max']].to_dict('index')}); "
                         "kappa needs the same item and the same scale points")
    sc = paired.scales_.loc["client"]
    from ..instrument import load_instrument

    scale = load_instrument(sc["instrument"]).scale_for(sc["form"])
    cats = np.asarray(scale.points, dtype=float)
    rows = []
    for item, grp in items.groupby("item", sort=False):
        x, y = _pair(grp["client"].to_numpy(float), grp["therapist"].to_numpy(float))
        rows.append({"item": item, "subscale": grp["subscale"].iloc[0], "n": len(x),
                     "agree": float((x == y).mean()) if len(x) else np.nan,
                     "kappa": weighted_kappa(x, y, categories=cats),
                     "kappa_linear": weighted_kappa(x, y, weights="linear", categories=cats),
                     "kappa_quadratic": weighted_kappa(x, y, weights="quadratic", categories=cats)})
    out = pd.DataFrame(rows).set_index("item")
    nan = out.index[out[["kappa", "kappa_linear", "kappa_quadratic"]].isna().any(axis=1)].tolist()
    if nan:
        warnings.warn(f"kappa is undefined (NaN) for items {nan}: no complete pair, or both raters gave one "
                      "and the same answer throughout", AgreementWarning, stacklevel=2)
    return out
