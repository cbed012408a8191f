"""Per-dyad discrepancies between two raters: differences, profile similarity and reliable-difference flags."""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pandas as pd

from .._checks import check_choice, check_number, numeric_frame, warn
from .._results import FormerFrame, Result
from ..exceptions import AgreementWarning, InvalidParameterError

__all__ = ["dyad_discrepancies", "reliable_difference", "dyad_items", "Discrepancies"]


def _pairs_only(paired, caller: str, why: str = ""):
    from .pairing import PairedRatings

    if not isinstance(paired, PairedRatings):
        raise InvalidParameterError(f"The 'paired' parameter of {caller}() must be the PairedRatings from "
                                    f"pair_raters(); got a {type(paired).__name__}{why}.")
    return paired


@dataclass(kw_only=True, repr=False, eq=False)
class Discrepancies(FormerFrame, Result):
    """Where two raters part, dyad by dyad (see :func:`dyad_discrepancies`).

    Attributes
    ----------
    table : DataFrame
        One row per pair: the ``on`` ids, then per score s ``<a>_<s>``, ``<b>_<s>``, ``diff_<s>`` (a - b),
        ``flag_<s>`` (``|diff| > threshold``); ``profile_r``, ``profile_distance``, ``n_flags``, ``largest``,
        ``flagged``.
    thresholds : Series
        The threshold of each score (index ``subscale``), on the pairs' metric.
    raters : tuple of str
        The two raters; differences are first - second.
    metric : str or None
        The pairs' metric (None for a tidy frame).

    Examples
    --------
    >>> import toolkit
    >>> p = toolkit.pair_raters(toolkit.load_sample("wai36_client_therapist"), instrument_client="wai36")
    >>> dyad_discrepancies(p, 10).thresholds.tolist()
    [10.0, 10.0, 10.0, 10.0]
    """

    table: pd.DataFrame = None
    thresholds: pd.Series = None
    raters: tuple = ("client", "therapist")
    metric: str | None = None

    _former_attrs: ClassVar[dict] = {"thresholds": lambda self: self.thresholds.to_dict(), "metric": "metric"}
    _returned_by: ClassVar[str] = "dyad_discrepancies"


def reliable_difference(paired, *, raters=("client", "therapist"), z: float = 1.96) -> pd.Series:
    """Smallest client-therapist difference per score that exceeds measurement error.

    Parameters
    ----------
    paired : PairedRatings
        From :func:`~toolkit.pair_raters` (its ``reliability``: each form's alpha and SD).
    raters : (str, str)
        The two raters.
    z : float
        Multiplier of the standard error of the difference (1.96: 95%).

    Returns
    -------
    Series
        ``rdi`` per score (index ``subscale``), on the pairs' metric.

    Warns
    -----
    AgreementWarning
        Where the index is undefined (NaN): a score of one item, or fewer than 3 pairs (alpha needs both).

    See Also
    --------
    dyad_discrepancies : Flags the pairs that differ by more.

    Notes
    -----
    RDI_s = z sqrt(SEM_a^2 + SEM_b^2), SEM = SD sqrt(1 - alpha) of each rater's form in the paired sample,
    on the pairs' metric (``paired.reliability``): the reliable-change logic of Jacobson & Truax (1991)
    applied to two raters of the same occasion instead of two occasions of one rater.

    R equivalent: none (per form ``psych::alpha`` and ``sd``, then the formula).

    References
    ----------
    Jacobson, N. S., & Truax, P. (1991). Clinical significance: A statistical approach to defining meaningful
    change in psychotherapy research. Journal of Consulting and Clinical Psychology, 59, 12-19.

    Examples
    --------
    >>> import toolkit
    >>> p = toolkit.pair_raters(toolkit.load_sample("wai36_client_therapist"), instrument_client="wai36")
    >>> reliable_difference(p).round(2).to_dict()
    {'task': 12.64, 'bond': 11.96, 'goal': 12.99, 'total': 22.92}
    """
    _pairs_only(paired, "reliable_difference", ": it uses each form's alpha and SD")
    z = check_number(z, param="z", caller="reliable_difference", low=0, low_open=True)
    from .agreement_table import _check_raters

    a, b = _check_raters(raters, "reliable_difference")
    rel = paired.reliability
    sem_a = rel.loc[a, "sem"]
    sem_b = rel.loc[b, "sem"]
    out = z * np.sqrt(sem_a**2 + sem_b**2)
    out.index.name = "subscale"
    undefined = out.index[out.isna()].tolist()
    if undefined:
        warn(f"the reliable difference of {undefined} is undefined (NaN): a form's alpha needs 2+ items and 3+ "
             "pairs (see paired.reliability)", AgreementWarning)
    return out.rename("rdi")


def _thresholds(paired, thresholds, subscales, raters, z) -> dict:
    if thresholds is None or isinstance(thresholds, Mapping):
        given = dict(thresholds or {})
        unknown = [k for k in given if k not in subscales]
        if unknown:
            raise InvalidParameterError(f"The 'thresholds' parameter of dyad_discrepancies() names {unknown}, but "
                                        f"the pairs hold {subscales}.")
        need = [s for s in subscales if s not in given]
        if need:
            if isinstance(paired, pd.DataFrame):
                raise InvalidParameterError("a tidy DataFrame carries no reliability: pass thresholds= for "
                                            f"{need} (or pass the PairedRatings from pair_raters)")
            with warnings.catch_warnings():  # an undefined default is raised just below, with the fix
                warnings.simplefilter("ignore", AgreementWarning)
                rdi = reliable_difference(paired, raters=raters, z=z)
            undefined = [s for s in need if not np.isfinite(rdi[s])]
            if undefined:
                raise InvalidParameterError(
                    f"no default threshold for {undefined}: their reliable difference is undefined (a form's alpha "
                    "needs 2+ items and 3+ pairs; see paired.reliability); pass "
                    f"thresholds={{{undefined[0]!r}: ...}} on the pairs' metric")
            given.update({s: float(rdi[s]) for s in need})
        out = given
    elif isinstance(thresholds, (int, float)) and not isinstance(thresholds, bool):
        out = {s: float(thresholds) for s in subscales}
    else:
        raise InvalidParameterError(f"The 'thresholds' parameter of dyad_discrepancies() must be None (the "
                                    f"reliable difference), a number or a mapping subscale -> number; got a "
                                    f"{type(thresholds).__name__}.")
    bad = {k: v for k, v in out.items() if isinstance(v, bool) or not (isinstance(v, (int, float)) and v > 0
                                                                       and np.isfinite(v))}
    if bad:
        raise InvalidParameterError(f"The 'thresholds' parameter of dyad_discrepancies() must hold positive numbers "
                                    f"on the pairs' metric; got {bad}.")
    return out


def dyad_discrepancies(paired, thresholds=None, *, raters=("client", "therapist"), z: float = 1.96,
                       profile: str = "subscales") -> Discrepancies:
    """Per dyad (and session): where the two views part.

    Parameters
    ----------
    paired : PairedRatings
        From :func:`pair_raters`.
    thresholds : None, float or mapping
        Absolute difference above which a subscale is flagged, on the pairs' metric. ``None`` (default): the
        reliable-difference index of each score (:func:`reliable_difference`); a number for every score; or
        ``{"bond": 10, ...}`` (scores not named fall back to the reliable difference).
    raters : (str, str)
        Raters compared; differences are first - second.
    z : float
        Multiplier of the reliable-difference index (1.96: 95%).
    profile : {"subscales", "items"}
        Profile similarity across the subscale scores, or across the shared items (``paired.items_``).

    Returns
    -------
    Discrepancies
        ``.table``: one row per pair: the ``on`` ids, then per score s ``<a>_<s>``, ``<b>_<s>``, ``diff_<s>``
        (a - b), ``flag_<s>`` (``|diff| > threshold``); ``profile_r`` (Pearson r of the two profiles),
        ``profile_distance`` (Euclidean distance of the profiles), ``n_flags``, ``largest`` (score with the
        largest ``|diff|``, among the subscales) and ``flagged`` (text such as ``"bond: therapist lower by 14.0
        (threshold 12.1)"``); ``.thresholds``: the thresholds used.

    Raises
    ------
    InvalidParameterError
        For thresholds that are not positive numbers or name scores the pairs do not hold, or no default
        threshold (a tidy frame, or an undefined reliable difference).

    See Also
    --------
    reliable_difference : The default thresholds.
    dyad_items : One dyad's items, largest discrepancy first.

    Notes
    -----
    profile_r = corr(a_1..a_K, b_1..b_K) (NaN when a profile is flat), profile_distance
    = sqrt(sum_k (a_k - b_k)^2) (Cronbach & Gleser 1953's D).

    R equivalent: none (row-wise ``cor`` and ``dist`` of the two profiles).

    References
    ----------
    Cronbach, L. J., & Gleser, G. C. (1953). Assessing similarity between profiles. Psychological Bulletin,
    50, 456-473.

    Examples
    --------
    >>> import toolkit
    >>> p = toolkit.pair_raters(toolkit.load_sample("wai36_client_therapist"), instrument_client="wai36")
    >>> d = dyad_discrepancies(p).table
    >>> d.loc[0, "dyad_id"], round(float(d.loc[0, "diff_goal"]), 2), bool(d.loc[0, "flag_goal"])
    ('B001', -15.73, True)
    >>> d.loc[0, "flagged"]
    'goal: therapist higher by 15.7 (threshold 13.0)'
    """
    from .agreement_table import _check_raters, _tidy_input

    profile = check_choice(profile, ("subscales", "items"), param="profile", caller="dyad_discrepancies")
    z = check_number(z, param="z", caller="dyad_discrepancies", low=0, low_open=True)
    a, b = raters = _check_raters(raters, "dyad_discrepancies")
    tidy, _, metric, on, _ = _tidy_input(paired, raters, "dyad_discrepancies")
    subscales = list(dict.fromkeys(tidy["subscale"]))
    ratings = numeric_frame(tidy[[a, b]], param="paired", caller="dyad_discrepancies")
    limits = _thresholds(paired, thresholds, subscales, raters, z)
    thresholds_given = thresholds is not None and (not isinstance(thresholds, Mapping)
                                                   or set(thresholds) >= set(subscales))
    first = tidy.loc[tidy["subscale"] == subscales[0], on].reset_index(drop=True)
    out = first.copy()
    k = len(first)
    vals = {}
    for s in subscales:
        sub = ratings.loc[(tidy["subscale"] == s).to_numpy()]
        va, vb = sub[a].to_numpy(float), sub[b].to_numpy(float)
        if len(va) != k:
            raise InvalidParameterError(f"The 'paired' parameter of dyad_discrepancies(): score {s!r} has {len(va)} "
                                        f"rows but {subscales[0]!r} has {k}; the tidy pairs must hold every score "
                                        "for every pair.")
        out[f"{a}_{s}"], out[f"{b}_{s}"] = va, vb
        out[f"diff_{s}"] = va - vb
        out[f"flag_{s}"] = np.abs(va - vb) > limits[s]
        vals[s] = (va, vb)
    parts = [s for s in subscales if s != "total"] or subscales
    if profile == "subscales":
        A = np.column_stack([vals[s][0] for s in parts])
        B = np.column_stack([vals[s][1] for s in parts])
    else:
        from .pairing import PairedRatings

        if not isinstance(paired, PairedRatings) or paired.items.empty:
            raise InvalidParameterError("profile='items' needs the PairedRatings of forms that share items")
        it = paired.items
        n_items = it["item"].nunique()
        A = it[a].to_numpy(float).reshape(k, n_items)
        B = it[b].to_numpy(float).reshape(k, n_items)
    out["profile_r"] = _row_corr(A, B)
    out["profile_distance"] = np.sqrt(np.nansum((A - B) ** 2, axis=1))
    flags = out[[f"flag_{s}" for s in subscales]].to_numpy()
    out["n_flags"] = flags.sum(axis=1)
    D = np.column_stack([np.abs(vals[s][0] - vals[s][1]) for s in parts])
    all_nan = np.isnan(D).all(axis=1)
    idx = np.argmax(np.where(np.isnan(D), -np.inf, D), axis=1)
    out["largest"] = np.where(all_nan, None, np.array(parts, dtype=object)[idx])
    texts = []
    for i in range(k):
        bits = []
        for s in subscales:
            if flags[i, subscales.index(s)]:
                d = out.at[i, f"diff_{s}"]
                bits.append(f"{s}: {b} {'lower' if d > 0 else 'higher'} by {abs(d):.1f} "
                            f"(threshold {limits[s]:.1f})")
        texts.append("; ".join(bits))
    out["flagged"] = texts
    thresholds = pd.Series(limits, name="threshold", dtype=float).rename_axis("subscale")
    notes = [f"thresholds ({'given' if thresholds_given else 'the reliable difference, z = ' + format(z, 'g')}): "
             + ", ".join(f"{s} {v:.2f}" for s, v in limits.items()) + (f" ({metric})" if metric else "")]
    return Discrepancies(title=f"Discrepancies of {a} and {b}, pair by pair", notes=notes, table=out,
                         thresholds=thresholds, raters=raters, metric=metric)


def _row_corr(A: np.ndarray, B: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        ok = ~(np.isnan(A) | np.isnan(B))
        n = ok.sum(axis=1)
        A0 = np.where(ok, A, 0.0)
        B0 = np.where(ok, B, 0.0)
        ma = A0.sum(1) / n
        mb = B0.sum(1) / n
        da = np.where(ok, A - ma[:, None], 0.0)
        db = np.where(ok, B - mb[:, None], 0.0)
        num = (da * db).sum(1)
        den = np.sqrt((da**2).sum(1) * (db**2).sum(1))
        r = num / den
    r[(den == 0) | (n < 2)] = np.nan
    return r


def dyad_items(paired, dyad, session=None) -> pd.DataFrame:
    """Item-level answers of one dyad (and session), largest client-therapist discrepancy first.

    Parameters
    ----------
    paired : PairedRatings
        From :func:`~toolkit.pair_raters`.
    dyad : str
        A paired dyad (first ``on`` column).
    session : optional
        One of its sessions; default every paired session of the dyad.

    Returns
    -------
    DataFrame
        ``paired.items`` rows of that pair with ``diff`` (client - therapist, keyed answers; POMP 0-100 when
        the response scales differ) and ``abs_diff``, sorted by ``abs_diff`` descending (NaN last).

    Raises
    ------
    KeyError
        When the dyad or session is not paired.
    InvalidParameterError
        When the forms share no item (a ``ValueError``).

    See Also
    --------
    dyad_discrepancies : Every dyad's differences at the level of the scores.

    Examples
    --------
    >>> import toolkit
    >>> p = toolkit.pair_raters(toolkit.load_sample("wai36_client_therapist"), instrument_client="wai36")
    >>> top = dyad_items(p, "B002").iloc[0]
    >>> top["item"], float(top["client"]), float(top["therapist"]), float(top["diff"])
    ('wai36_06', 7.0, 1.0, 6.0)
    """
    _pairs_only(paired, "dyad_items")
    rows = paired.dyad(dyad, session)  # KeyError naming known ids
    items = paired.items
    if items.empty:
        raise InvalidParameterError("the client and therapist forms share no item (see paired.scales); compare "
                                    "subscales")
    keys = rows[paired.on].drop_duplicates()
    sub = items.merge(keys, on=paired.on, how="inner")
    sub["diff"] = sub["client"] - sub["therapist"]
    sub["abs_diff"] = sub["diff"].abs()
    return sub.sort_values("abs_diff", ascending=False, na_position="last", kind="stable").reset_index(drop=True)
