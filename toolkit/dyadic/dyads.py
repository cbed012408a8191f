"""Per-dyad discrepancies between two raters: differences, profile similarity and reliable-difference flags."""

from __future__ import annotations

import warnings
from collections.abc import Mapping

import numpy as np
import pandas as pd

from ..exceptions import AgreementWarning

__all__ = ["dyad_discrepancies", "reliable_difference", "dyad_items"]


def reliable_difference(paired, *, raters=("client", "therapist"), z: float = 1.96) -> pd.Series:
    """Smallest client-therapist difference per score that exceeds measurement error.

    Notes
    -----
    RDI_s = z sqrt(SEM_a^2 + SEM_b^2), SEM = SD sqrt(1 - alpha) of each rater's form in the paired sample,
    on the pairs' metric (``paired.reliability_``): the reliable-change logic of Jacobson & Truax (1991)
    applied to two raters of the same occasion instead of two occasions of one rater.
    Undefined (NaN, with an :class:`~toolkit.exceptions.AgreementWarning`) where a form's alpha is: a score
    of one item, or fewer than 3 pairs.

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
    from .pairing import PairedRatings

    if not isinstance(paired, PairedRatings):
        raise TypeError(f"reliable_difference needs the PairedRatings from pair_raters (got "
                        f"{type(paired).__name__}): it uses each form's alpha and SD")
    if not (isinstance(z, (int, float)) and z > 0):
        raise ValueError(f"z must be a positive number (got {z!r})")
    rel = paired.reliability_
    a, b = raters
    sem_a = rel.loc[a, "sem"]
    sem_b = rel.loc[b, "sem"]
    out = z * np.sqrt(sem_a**2 + sem_b**2)
    out.index.name = "subscale"
    undefined = out.index[out.isna()].tolist()
    if undefined:
        warnings.warn(f"the reliable difference of {undefined} is undefined (NaN): a form's alpha needs 2+ items "
                      "and 3+ pairs (see paired.reliability_)", AgreementWarning, stacklevel=2)
    return out.rename("rdi")


def _thresholds(paired, thresholds, subscales, raters, z) -> dict:
    if thresholds is None or isinstance(thresholds, Mapping):
        given = dict(thresholds or {})
        unknown = [k for k in given if k not in subscales]
        if unknown:
            raise KeyError(f"thresholds for {unknown}, but the pairs hold {subscales}")
        need = [s for s in subscales if s not in given]
        if need:
            if isinstance(paired, pd.DataFrame):
                raise ValueError("a tidy DataFrame carries no reliability: pass thresholds= for "
                                 f"{need} (or pass the PairedRatings from pair_raters)")
            with warnings.catch_warnings():  # an undefined default is raised just below, with the fix
                warnings.simplefilter("ignore", AgreementWarning)
                rdi = reliable_difference(paired, raters=raters, z=z)
            undefined = [s for s in need if not np.isfinite(rdi[s])]
            if undefined:
                raise ValueError(f"no default threshold for {undefined}: their reliable difference is undefined "
                                 "(a form's alpha needs 2+ items and 3+ pairs; see paired.reliability_); pass "
                                 f"thresholds={{{undefined[0]!r}: ...}} on the pairs' metric")
            given.update({s: float(rdi[s]) for s in need})
        out = given
    elif isinstance(thresholds, (int, float)) and not isinstance(thresholds, bool):
        out = {s: float(thresholds) for s in subscales}
    else:
        raise TypeError(f"thresholds must be None (reliable difference), a number or a mapping subscale -> "
                        f"number (got {type(thresholds).__name__})")
    bad = {k: v for k, v in out.items() if not (isinstance(v, (int, float)) and v > 0 and np.isfinite(v))}
    if bad:
        raise ValueError(f"thresholds must be positive numbers on the pairs' metric (got {bad})")
    return out


def dyad_discrepancies(paired, thresholds=None, *, raters=("client", "therapist"), z: float = 1.96,
                       profile: str = "subscales") -> pd.DataFrame:
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
    DataFrame
        One row per pair: the ``on`` ids, then per score s ``<a>_<s>``, ``<b>_<s>``, ``diff_<s>`` (a - b),
        ``flag_<s>`` (|diff| > threshold); ``profile_r`` (Pearson r of the two profiles), ``profile_distance``
        (Euclidean distance of the profiles), ``n_flags``, ``largest`` (score with the largest |diff|, among
        the subscales) and ``flagged`` (text such as ``"bond: therapist lower by 14.0 (threshold 12.1)"``).
        ``.attrs["thresholds"]`` holds the thresholds used.

    Notes
    -----
    profile_r = corr(a_1..a_K, b_1..b_K) (NaN when a profile is flat), profile_distance
    = sqrt(sum_k (a_k - b_k)^2) (Cronbach & Gleser 1953's D).

    Examples
    --------
    >>> import toolkit
    >>> p = toolkit.pair_raters(toolkit.load_sample("wai36_client_therapist"), instrument_client="wai36")
    >>> d = dyad_discrepancies(p)
    >>> d.loc[0, "dyad_id"], round(float(d.loc[0, "diff_goal"]), 2), bool(d.loc[0, "flag_goal"])
    ('B001', -15.73, True)
    >>> d.loc[0, "flagged"]
    'goal: therapist higher by 15.7 (threshold 13.0)'
    """
    from .statistics import _tidy_input

    if profile not in ("subscales", "items"):
        raise ValueError(f"profile must be 'subscales' or 'items' (got {profile!r})")
    a, b = raters
    tidy, _, metric, on = _tidy_input(paired, raters)
    subscales = list(dict.fromkeys(tidy["subscale"]))
    limits = _thresholds(paired, thresholds, subscales, raters, z)
    first = tidy.loc[tidy["subscale"] == subscales[0], on].reset_index(drop=True)
    out = first.copy()
    k = len(first)
    vals = {}
    for s in subscales:
        sub = tidy.loc[tidy["subscale"] == s]
        va, vb = sub[a].to_numpy(float), sub[b].to_numpy(float)
        if len(va) != k:
            raise ValueError(f"score {s!r} has {len(va)} rows but {subscales[0]!r} has {k}: the tidy pairs must "
                             "hold every score for every pair")
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

        if not isinstance(paired, PairedRatings) or paired.items_.empty:
            raise ValueError("profile='items' needs the PairedRatings of forms that share items")
        it = paired.items_
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
    out.attrs["thresholds"] = limits
    out.attrs["metric"] = metric
    return out


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

    Returns
    -------
    DataFrame
        ``paired.items_`` rows of that pair with ``diff`` (client - therapist, keyed answers; POMP 0-100 when
        the response scales differ) and ``abs_diff``, sorted by ``abs_diff`` descending (NaN last). Raises
        ``KeyError`` when the dyad or session is not paired and ``ValueError`` when the forms share no item.

    Examples
    --------
    >>> import toolkit
    >>> p = toolkit.pair_raters(toolkit.load_sample("wai36_client_therapist"), instrument_client="wai36")
    >>> top = dyad_items(p, "B002").iloc[0]
    >>> top["item"], float(top["client"]), float(top["therapist"]), float(top["diff"])
    ('wai36_06', 7.0, 1.0, 6.0)
    """
    from .pairing import PairedRatings

    if not isinstance(paired, PairedRatings):
        raise TypeError(f"dyad_items needs the PairedRatings from pair_raters (got {type(paired).__name__})")
    rows = paired.dyad(dyad, session)  # KeyError naming known ids
    items = paired.items_
    if items.empty:
        raise ValueError("the client and therapist forms share no item (see paired.scales_); compare subscales")
    keys = rows[paired.on].drop_duplicates()
    sub = items.merge(keys, on=paired.on, how="inner")
    sub["diff"] = sub["client"] - sub["therapist"]
    sub["abs_diff"] = sub["diff"].abs()
    return sub.sort_values("abs_diff", ascending=False, na_position="last", kind="stable").reset_index(drop=True)
