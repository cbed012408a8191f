"""Cohen's kappa of two raters' answers, unweighted or weighted, with the Fleiss-Cohen-Everitt standard error;
per shared item of paired forms."""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np
import pandas as pd

from .._checks import check_choice, check_ci, warn
from .._results import Estimate, FormerFrame, Result
from ..exceptions import AgreementWarning, DataValidationError, InvalidParameterError

__all__ = ["weighted_kappa", "item_kappa", "Kappa", "ItemKappa"]

_WEIGHTS = (None, "linear", "quadratic")
_SE_NOTE = ("SE: the large-sample variance of Fleiss, Cohen & Everitt (1969), as psych::cohen.kappa (psych "
            "2.3.3 and later); intervals kappa -/+ z se, cut at -1 and 1 as psych does")


@dataclass(kw_only=True, repr=False, eq=False)
class Kappa(Estimate):
    """Cohen's kappa with its asymptotic standard error and interval (see :func:`weighted_kappa`).

    Attributes
    ----------
    weights : str
        ``"none"`` (unweighted), ``"linear"`` or ``"quadratic"``.
    n_categories : int
        Categories of the agreement table (every scale point when ``categories`` was given).
    observed, expected : float
        Weighted proportions of agreement observed and expected by chance (``p_o`` and ``p_e``; unweighted: the
        diagonal).

    Examples
    --------
    >>> k = weighted_kappa([1, 2, 2, 3], [1, 2, 3, 3])
    >>> k.weights, k.observed, round(k.expected, 4)
    ('none', 0.75, 0.3125)
    """

    weights: str = "none"
    n_categories: int = 0
    observed: float = math.nan
    expected: float = math.nan
    _returned_by: ClassVar[str] = "weighted_kappa"

    def _as_number(self, how: str) -> float:
        warn(f"weighted_kappa() returns a Kappa now, not a float; {how} is deprecated: write .estimate instead. "
             "The float spelling goes in version 0.3.", DeprecationWarning)
        return self.estimate

    def __float__(self) -> float:
        return self._as_number("float(kappa)")

    def __round__(self, ndigits=None):
        return round(self._as_number("round(kappa)"), ndigits)


def _codes(values, cats):
    idx = np.searchsorted(cats, values)
    bad = (idx >= len(cats)) | (cats[np.minimum(idx, len(cats) - 1)] != values)
    return idx, bad


def weighted_kappa(a, b, *, weights: str | None = None, categories=None, ci: float = 0.95) -> Kappa:
    """Cohen's kappa, unweighted or with linear or quadratic weights, with its standard error and interval.

    Parameters
    ----------
    a, b : array-like
        The two raters' answers (numbers on one scale); pairs missing either are left out.
    weights : {None, "linear", "quadratic"}
        Disagreement weights 0/1 (unweighted), ``|i - j|`` or ``(i - j)^2`` over the category positions i, j.
    categories : array-like, optional
        Every category (scale point) of the table; default the values either rater used. Give the scale's
        points so that unused points count (as ``cohen_kappa_score(..., labels=...)`` and
        ``psych::cohen.kappa(..., levels=...)``).
    ci : float
        Confidence level of the interval.

    Returns
    -------
    Kappa
        ``estimate``, ``se``, ``ci_low``, ``ci_high``, ``n``, ``weights``, ``n_categories``, ``observed``,
        ``expected`` (no p: the SE is the non-null one, for intervals).

    Raises
    ------
    DataValidationError
        When an answer is not among ``categories``.

    Warns
    -----
    AgreementWarning
        When kappa is undefined (NaN): no complete pair, or both raters gave one and the same answer
        throughout (chance agreement 1).

    See Also
    --------
    item_kappa : Kappa of every shared item of paired forms.

    Notes
    -----
    With proportions ``p_ij`` over the K categories, margins ``p_i.`` and ``p_.j``, agreement weights
    ``w_ij = 1 - d_ij / max(d)`` for the disagreement weights ``d_ij`` (0/1, ``|i - j|`` or ``(i - j)^2``)::

        kappa = (p_o - p_e) / (1 - p_e),  p_o = sum w_ij p_ij,  p_e = sum w_ij p_i. p_.j

    (``= 1 - sum d O / sum d E``). Large-sample variance (Fleiss, Cohen & Everitt 1969), with
    ``wbar_i. = sum_j p_.j w_ij`` and ``wbar_.j = sum_i p_i. w_ij``::

        var = [ sum_ij p_ij (w_ij (1 - p_e) - (wbar_i. + wbar_.j)(1 - p_o))^2 - (p_o p_e - 2 p_e + p_o)^2 ]
              / (n (1 - p_e)^4),

    interval kappa -/+ z_{(1+ci)/2} sqrt(var), cut at -1 and 1. The estimate equals scikit-learn's
    ``cohen_kappa_score``. psych before 2.3.3 used another (mistaken) weighted variance, often clipped to 0.

    R equivalent: ``psych::cohen.kappa(cbind(a, b), w = W, levels = categories, alpha = 1 - ci)`` with W the
    agreement weights (its default: quadratic); ``var.kappa`` and ``var.weighted``.

    References
    ----------
    Cohen, J. (1968). Weighted kappa: Nominal scale agreement with provision for scaled disagreement or
    partial credit. Psychological Bulletin, 70, 213-220. Fleiss, J. L., Cohen, J., & Everitt, B. S. (1969).
    Large sample standard errors of kappa and weighted kappa. Psychological Bulletin, 72, 323-327.

    Examples
    --------
    >>> k = weighted_kappa([1, 2, 3, 4, 4], [1, 2, 4, 4, 3], weights="quadratic")
    >>> round(k.estimate, 6), round(k.se, 6), round(k.ci_low, 6), k.ci_high
    (0.852941, 0.112648, 0.632155, 1.0)
    """
    weights = check_choice(weights, _WEIGHTS, param="weights", caller="weighted_kappa",
                           hint="None gives Cohen's unweighted kappa.")
    ci = check_ci(ci, caller="weighted_kappa")
    from .statistics import _pair

    a, b = _pair(a, b, "weighted_kappa", names=("a", "b"))
    cats = np.unique(np.concatenate([a, b]) if categories is None else np.asarray(categories, dtype=float))
    ia, bad_a = _codes(a, cats)
    ib, bad_b = _codes(b, cats)
    if bad_a.any() or bad_b.any():
        vals = sorted({float(v) for v in a[bad_a]} | {float(v) for v in b[bad_b]})
        raise DataValidationError(f"answers {vals} are not among the categories {cats.tolist()}; pass "
                                  "categories= listing every scale point")
    k = len(cats)
    name = "kappa" if weights is None else f"kappa_{weights}"
    out = Kappa(title=f"Cohen's kappa, {weights or 'unweighted'} ({ci:.0%} CI)", statistic=name, n=len(a), ci=ci,
                se=math.nan, weights=weights or "none", n_categories=k)
    out.add_note(_SE_NOTE)
    if len(a) == 0:
        return _undefined(out, "no complete pair")
    counts = np.zeros((k, k))
    np.add.at(counts, (ia, ib), 1)
    n = counts.sum()
    p = counts / n
    rs, cs = p.sum(1), p.sum(0)
    i, j = np.indices((k, k))
    d = (i != j).astype(float) if weights is None else np.abs(i - j) if weights == "linear" else (i - j) ** 2.0
    exp = np.outer(rs, cs)
    den = (d * exp).sum()
    if not den > 0:
        return _undefined(out, "both raters gave one and the same answer throughout (chance agreement is 1)")
    out.estimate = float(1 - (d * p).sum() / den)
    w = 1 - d / d.max()
    po, pe = float((w * p).sum()), float((w * exp).sum())
    out.observed, out.expected = po, pe
    wi, wj = w @ cs, rs @ w
    term = w * (1 - pe) - (wi[:, None] + wj[None, :]) * (1 - po)
    var = ((p * term**2).sum() - (po * pe - 2 * pe + po) ** 2) / (n * (1 - pe) ** 4)
    from scipy.stats import norm

    out.se = float(math.sqrt(max(var, 0.0)))
    z = norm.ppf(1 - (1 - ci) / 2)
    out.ci_low = float(max(-1.0, out.estimate - z * out.se))
    out.ci_high = float(min(1.0, out.estimate + z * out.se))
    return out


def _undefined(out: Kappa, why: str) -> Kappa:
    out.ci_low = out.ci_high = math.nan
    note = f"kappa is undefined (NaN): {why}"
    out.add_note(note)
    warn(f"weighted_kappa(): {note}", AgreementWarning)
    return out


@dataclass(kw_only=True, repr=False, eq=False)
class ItemKappa(FormerFrame, Result):
    """Kappa of every item two raters both answered (see :func:`item_kappa`).

    Attributes
    ----------
    table : DataFrame
        One row per item (index ``item``): ``subscale``, ``n``, ``agree`` (share of identical answers),
        ``kappa``, ``kappa_linear``, ``kappa_quadratic``, then for each of the three ``<kappa>_se``,
        ``<kappa>_ci_low`` and ``<kappa>_ci_high``.
    raters : tuple of str
        The two raters compared.
    categories : tuple of float
        The scale points of the agreement tables.
    ci : float
        Confidence level of the intervals.

    Examples
    --------
    >>> import toolkit
    >>> p = toolkit.pair_raters(toolkit.load_sample("wai36_client_therapist"), instrument_client="wai36")
    >>> item_kappa(p).categories
    (1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0)
    """

    table: pd.DataFrame = None
    raters: tuple = ("client", "therapist")
    categories: tuple = field(default_factory=tuple)
    ci: float = 0.95
    _returned_by: ClassVar[str] = "item_kappa"


def item_kappa(paired, *, raters=("client", "therapist"), ci: float = 0.95) -> ItemKappa:
    """Cohen's kappa (unweighted, linear, quadratic) of every item both raters answered on one scale.

    Parameters
    ----------
    paired : PairedRatings
        From :func:`~toolkit.pair_raters`; uses its ``items`` (keyed answers).
    raters : (str, str)
        Only ``("client", "therapist")`` is supported at item level.
    ci : float
        Confidence level of the intervals.

    Returns
    -------
    ItemKappa
        ``.table``: one row per item with ``subscale``, ``n``, ``agree``, ``kappa``, ``kappa_linear``,
        ``kappa_quadratic`` and each kappa's ``_se``, ``_ci_low``, ``_ci_high``; the categories are every
        point of the response scale (as ``cohen_kappa_score(..., labels=points)``).

    Raises
    ------
    InvalidParameterError
        When ``paired`` is not a PairedRatings, or other raters are asked for.
    DataValidationError
        When no item was answered by both raters on the same response scale.

    Warns
    -----
    AgreementWarning
        When the kappa of an item is undefined (NaN; see :func:`weighted_kappa`), naming the items.

    See Also
    --------
    weighted_kappa : The statistic, its formula and standard error.

    Notes
    -----
    Each item's three kappas and their standard errors are :func:`weighted_kappa` of its keyed answers
    (reverse-keyed items reversed in both forms, which leaves kappa unchanged).

    R equivalent: ``psych::cohen.kappa(cbind(client, therapist), levels = points)`` per item.

    References
    ----------
    Fleiss, J. L., Cohen, J., & Everitt, B. S. (1969). Large sample standard errors of kappa and weighted
    kappa. Psychological Bulletin, 72, 323-327.

    Examples
    --------
    >>> import toolkit
    >>> p = toolkit.pair_raters(toolkit.load_sample("wai36_client_therapist"), instrument_client="wai36")
    >>> k = item_kappa(p)
    >>> k.table.shape
    (36, 15)
    >>> k.table.loc["wai36_17", ["kappa_quadratic", "kappa_quadratic_se"]].round(3).tolist()
    [0.231, 0.047]
    """
    from .pairing import PairedRatings

    if not isinstance(paired, PairedRatings):
        raise InvalidParameterError(f"The 'paired' parameter of item_kappa() must be the PairedRatings from "
                                    f"pair_raters(); got a {type(paired).__name__}.")
    if tuple(raters) != ("client", "therapist"):
        raise InvalidParameterError(f"item_kappa() compares client and therapist only (got raters={raters!r}): "
                                    "the observer's form shares no item numbering with theirs.")
    ci = check_ci(ci, caller="item_kappa")
    items = paired.items
    items = items.loc[items["same_scale"].astype(bool)] if len(items) else items
    if items.empty:
        raise DataValidationError(
            "no item was answered by both raters on the same response scale "
            f"({paired.scales[['instrument', 'form', 'scale_min', 'scale_max']].to_dict('index')}); "
            "kappa needs the same item and the same scale points")
    scale = paired.instruments["client"].scale_for(paired.forms["client"])
    cats = np.asarray(scale.points, dtype=float)
    rows = []
    names = [("kappa", None), ("kappa_linear", "linear"), ("kappa_quadratic", "quadratic")]
    with warnings.catch_warnings():  # undefined items are warned about once, below
        warnings.simplefilter("ignore", AgreementWarning)
        for item, grp in items.groupby("item", sort=False):
            x, y = grp["client"].to_numpy(float), grp["therapist"].to_numpy(float)
            keep = ~(np.isnan(x) | np.isnan(y))
            x, y = x[keep], y[keep]
            row = {"item": item, "subscale": grp["subscale"].iloc[0], "n": len(x),
                   "agree": float((x == y).mean()) if len(x) else np.nan}
            kappas = {col: weighted_kappa(x, y, weights=w, categories=cats, ci=ci) for col, w in names}
            row.update({col: k.estimate for col, k in kappas.items()})
            for col, k in kappas.items():
                row.update({f"{col}_se": k.se, f"{col}_ci_low": k.ci_low, f"{col}_ci_high": k.ci_high})
            rows.append(row)
    table = pd.DataFrame(rows).set_index("item")
    notes = [f"categories: every point of the {scale.describe()} response scale; answers keyed (reverse-keyed "
             "items reversed)", _SE_NOTE]
    nan = table.index[table[[c for c, _ in names]].isna().any(axis=1)].tolist()
    if nan:
        note = (f"kappa is undefined (NaN) for items {nan}: no complete pair, or both raters gave one and the same "
                "answer throughout")
        notes.append(note)
        warn(note, AgreementWarning)
    return ItemKappa(title=f"Kappa per shared item, client vs therapist ({ci:.0%} CI)", notes=notes, table=table,
                     raters=tuple(raters), categories=tuple(cats.tolist()), ci=ci)
