"""Item analysis: one row per item with psych::alpha's item statistics, frequencies and flags."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._checks import (check_bool, check_choice, check_missing, check_number, instrument_or_keys,
                       renamed_parameter)
from .._results import Result
from ._data import prepare
from .alpha import _fmt, alpha_block, response_values

__all__ = ["item_analysis", "ItemAnalysis"]


@dataclass(kw_only=True, repr=False, eq=False)
class ItemAnalysis(Result):
    """What :func:`item_analysis` returns: one row per item within its subscale, numbers unrounded.

    ``summary()`` and ``to_frame()`` return ``table``; :meth:`flagged` the rows with a flag.

    Attributes
    ----------
    table : DataFrame
        Indexed by (``scale``, ``item``); the columns are listed under Returns in :func:`item_analysis`.
    title : str
        What was computed on what.
    notes : list of str
        Missing-data handling, what the flags mean, and every warning raised.

    See Also
    --------
    item_analysis : The function that returns it.

    Examples
    --------
    >>> import toolkit
    >>> items = toolkit.item_analysis(toolkit.load_sample("wai_sr_sessions"), "wai-sr")
    >>> items.table.index.names
    FrozenList(['scale', 'item'])
    >>> items.table.loc[("bond", "wai_sr_03"), "r_drop"].round(3)
    np.float64(0.689)
    """

    table: pd.DataFrame

    def flagged(self) -> pd.DataFrame:
        """Return the rows of items with at least one flag.

        A flag is a reason to look at an item (its content, its keying, its distribution), not an order to
        delete it.

        Returns
        -------
        DataFrame
            A copy of the rows of ``table`` whose ``flags`` are not empty.

        See Also
        --------
        item_analysis : What each flag means.

        Examples
        --------
        >>> import toolkit
        >>> items = toolkit.item_analysis(toolkit.load_sample("wai_sr_sessions"), "wai-sr")
        >>> sorted(set(items.flagged()["flags"]))
        ['ceiling']
        """
        t = self.table
        return t[t["flags"] != ""].copy()


@renamed_parameter("scale", "response_scale")
def item_analysis(data: pd.DataFrame, instrument=None, *, keys=None, form: str | None = None, items=None,
                  pattern: str | None = None, on_invalid: str = "raise", missing: str = "pairwise",
                  include_total: bool = False, min_r_drop: float = 0.30, floor_ceiling: float = 0.15,
                  response_scale=None) -> ItemAnalysis:
    """Describe every item within its subscale, as psych::alpha does, with frequencies and flags.

    One row per item: its correlation with the rest of its subscale, alpha without it, its mean and spread,
    the share of answers at each response and at the floor and ceiling, and flags that say which items
    deserve a look.

    Parameters
    ----------
    data : DataFrame
        Responses, one row per respondent.
    instrument : str or Instrument, optional
        An instrument id such as ``"wai-sr"``: items, subscales and reversed items come from its key
        (``toolkit.scoring.item_frame``).
    keys : mapping, optional
        Without an instrument: ``{subscale: ["-A1", "A2", ...]}`` psych style (``-`` = reverse-keyed).
    form : str, optional
        The instrument's form (client, therapist, ...), when it has several.
    items : mapping, optional
        Instrument only: item number -> column, for columns that do not follow the instrument's naming
        (passed to ``toolkit.scoring.item_frame``).
    pattern : str, optional
        Instrument only: how the item columns are named, e.g. ``"Q{n}"`` (passed to ``item_frame``).
    on_invalid : {"raise", "missing"}
        Instrument only: cells that are not valid answers raise, naming every one (``"raise"``), or become
        missing with a warning (``"missing"``).
    missing : {"pairwise", "listwise"}
        Covariances from pairwise-complete rows (psych's default) or from rows complete on the subscale.
    include_total : bool
        Also analyse every item within the total scale (rows with ``scale == "total"``).
    min_r_drop : float
        Flag items whose corrected item-total correlation (``r_drop``) is below this.
    floor_ceiling : float
        Flag items with more than this share of answers at the lowest or highest response.
    response_scale : (min, max), mapping or ResponseScale, optional
        Response range, used for reversing and for floor/ceiling; default the observed range of the items.
        With an instrument it replaces the instrument's scale, as in ``toolkit.score`` (a pair means steps of 1;
        pass a mapping or a ``ResponseScale`` for anything else).

    Returns
    -------
    ItemAnalysis
        ``.table`` indexed by (``scale``, ``item``) with ``label``, ``reversed``, ``n``, ``missing`` (share),
        ``mean``, ``sd`` (keyed scores), ``raw_r``, ``std_r``, ``r_cor``, ``r_drop`` (corrected item-total r),
        ``alpha_if_deleted``, ``alpha_change`` (alpha without the item minus the scale's alpha),
        ``floor``, ``ceiling`` (shares of answers at the lowest / highest response as answered), ``p_<value>``
        (share of answers, as answered, before reversal; psych's response.freq; left out for continuous
        scales and for more than 10 distinct values, as psych) and ``flags``.

    See Also
    --------
    cronbach_alpha : The same statistics for one scale, as psych::alpha's tables.

    Notes
    -----
    raw_r: correlation of the item with the mean of the scale's keyed items; std_r = 1'R_j / sqrt(1'R1);
    r_cor = the same with smc in the diagonal (corrected for item overlap); r_drop = item-rest correlation
    (c_j'1 - c_jj) / sqrt(c_jj (1'C1 without j)). Flags: ``alpha rises`` when alpha_if_deleted exceeds the
    scale's alpha, ``low r_drop``, ``negative r_drop`` (looks reverse-keyed), ``floor``/``ceiling``,
    ``no variance``.

    R equivalent: ``psych::alpha(x)`` (``$item.stats``, ``$alpha.drop``, ``$response.freq``).

    References
    ----------
    .. [1] Revelle, W. (2022). psych: Procedures for Psychological, Psychometric, and Personality Research,
       version 2.2.9. Northwestern University.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"a": [1, 2, 3, 4, 5, 3], "b": [2, 2, 3, 5, 4, 3], "c": [1, 3, 3, 4, 5, 2],
    ...                    "d": [3, 1, 4, 2, 3, 5]})
    >>> import warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     res = item_analysis(df, keys={"s": ["a", "b", "c", "d"]})
    >>> res.table.loc["s", ["r_drop", "alpha_if_deleted"]].round(3)
          r_drop  alpha_if_deleted
    item
    a      0.938             0.274
    b      0.750             0.477
    c      0.580             0.560
    d     -0.075             0.932
    >>> res.table.loc[("s", "d"), "flags"]
    'alpha rises; negative r_drop; floor; ceiling'
    """
    caller = "item_analysis"
    instrument, keys = instrument_or_keys(instrument, keys, caller=caller)
    missing = check_missing(missing, caller=caller)
    include_total = check_bool(include_total, param="include_total", caller=caller)
    min_r_drop = check_number(min_r_drop, param="min_r_drop", caller=caller, low=-1, high=1)
    floor_ceiling = check_number(floor_ceiling, param="floor_ceiling", caller=caller, low=0, high=1,
                                 what="a share of answers")
    on_invalid = check_choice(on_invalid, ("raise", "missing"), param="on_invalid", caller=caller)
    sd = prepare(data, instrument, keys=keys, form=form, items=items, pattern=pattern, on_invalid=on_invalid,
                 total=True, response_scale=response_scale, caller=caller)
    scales = dict(sd.scales)
    if "total" in scales and len(scales) > 1 and not include_total:
        scales.pop("total")
    rows = []
    notes = [f"missing data: {missing}", "statistics on keyed scores (reversed items reversed); frequencies, "
             "floor and ceiling on responses as answered"]
    lo, hi = sd.lo, sd.hi
    for name, cols in scales.items():
        X = sd.frame[cols]
        block = alpha_block(X, label=name, missing=missing, points=sd.scale_points)
        notes += block["notes"]
        alpha = block["total"]["alpha"]
        stats, drop = block["item_stats"](), block["alpha_drop"]()
        used = X.loc[block["X"].index]
        raw = used.copy()
        for c in cols:
            if c in sd.reversed and lo is not None and np.isfinite(lo):
                raw[c] = lo + hi - raw[c]
        values = response_values(raw, sd.scale_points)
        for c in cols:
            s = raw[c].dropna()
            answered = len(s)
            row = {"scale": name, "item": c, "label": sd.labels.get(c, ""), "reversed": c in sd.reversed,
                   "n": answered, "missing": 1 - answered / len(X) if len(X) else np.nan,
                   "mean": used[c].mean(), "sd": used[c].std(ddof=1)}
            for k in ("raw_r", "std_r", "r_cor", "r_drop"):
                row[k] = stats[k].get(c, np.nan) if k in stats else np.nan
            row["alpha_if_deleted"] = drop["alpha"].get(c, np.nan) if "alpha" in drop else np.nan
            row["alpha_change"] = row["alpha_if_deleted"] - alpha
            lo_s = lo if lo is not None and np.isfinite(lo) else (s.min() if answered else np.nan)
            hi_s = hi if hi is not None and np.isfinite(hi) else (s.max() if answered else np.nan)
            row["floor"] = (s == lo_s).mean() if answered else np.nan
            row["ceiling"] = (s == hi_s).mean() if answered else np.nan
            counts = s.value_counts()
            for v in values:
                row[f"p_{_fmt(v)}"] = counts.get(v, 0) / answered if answered else np.nan
            flags = []
            if row["alpha_change"] > 0:
                flags.append("alpha rises")
            if row["r_drop"] < 0:
                flags.append("negative r_drop")
            elif row["r_drop"] < min_r_drop:
                flags.append("low r_drop")
            if row["floor"] > floor_ceiling:
                flags.append("floor")
            if row["ceiling"] > floor_ceiling:
                flags.append("ceiling")
            if row["sd"] == 0 or not np.isfinite(row["sd"]):
                flags.append("no variance")
            row["flags"] = "; ".join(flags)
            rows.append(row)
    table = pd.DataFrame(rows).set_index(["scale", "item"])
    pcols = [c for c in table.columns if c.startswith("p_")]
    table[pcols] = table[pcols].fillna(0.0)
    table = table[[c for c in table.columns if c != "flags"] + ["flags"]]
    notes.append(f"flags: 'alpha rises' (alpha_if_deleted > the scale's alpha), 'low r_drop' (< {min_r_drop}), "
                 f"'negative r_drop', 'floor'/'ceiling' (> {floor_ceiling:.0%} of answers at the lowest/highest "
                 "response)")
    return ItemAnalysis(table=table, title=f"Item analysis ({sd.source})", notes=list(dict.fromkeys(notes)))
