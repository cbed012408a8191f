"""One scoring engine for every instrument definition.

``score(data, "wai-sr")`` finds the item columns, checks every cell against the
response scale, reverses reverse-keyed items, applies the missing-data rule,
scores every subscale and the total, and raises the instrument's threshold
flags. It returns one row per input row, in the input's order and with the
input's index; the caller's DataFrame is never changed.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Mapping, Sequence
from typing import Literal

import numpy as np
import pandas as pd

from ..exceptions import DataValidationError, DuplicateRowsWarning, InvalidCellsWarning, UnmatchedColumnsWarning
from ..instrument import Instrument, load_instrument
from .cells import bad_cell_report, coerce_cells
from ._blocks import for_blocks
from .columns import default_column, match_item_columns, unmatched_item_like
from .layout import long_to_wide
from .partitioned import is_dask_collection
from .rules import (
    OPERATORS,
    check_key_confidence,
    resolve_max_missing,
    resolve_scale,
    resolve_thresholds,
)

__all__ = ["score", "validate_responses", "item_frame", "detect_id_columns"]

_ID_WORDS = re.compile(
    r"(^|_)(id|ids|rater|raters|session|sessions|dyad|client|therapist|patient|participant|respondent|"
    r"subject|form|date|time|timestamp|wave|visit|occasion|group|site)(_|$)"
)


def detect_id_columns(columns: Sequence, item_columns: Sequence = ()) -> list:
    """Columns whose names say they identify an administration (``client_id``, ``session``, ``rater`` ...)."""
    items = set(item_columns)
    return [
        c for c in columns
        if c not in items and _ID_WORDS.search(re.sub(r"[^a-z0-9]+", "_", str(c).lower()).strip("_"))
    ]


class _Prepared:
    """Item values of a wide frame, checked and keyed."""

    def __init__(self, data, ins, items, pattern, id_cols, scale, missing_codes):
        self.mapping = match_item_columns(data.columns, ins, items=items, pattern=pattern)
        self.columns = list(self.mapping.values())
        self.numbers = list(self.mapping.keys())
        extra = unmatched_item_like(data.columns, self.mapping)
        if extra:
            warnings.warn(
                f"columns {[str(c) for c in extra]} look like item columns but {ins.id} has only "
                f"{ins.n_items} items; they are not scored (rename them, or check the instrument)",
                UnmatchedColumnsWarning,
                stacklevel=4,
            )
        if id_cols is None:
            id_cols = detect_id_columns(data.columns, self.columns)
        else:
            id_cols = [id_cols] if isinstance(id_cols, (str, int)) else list(id_cols)
            absent = [c for c in id_cols if c not in data.columns]
            if absent:
                raise KeyError(f"id_cols {absent} are not columns of the data; columns are {list(data.columns)}")
        self.id_cols = id_cols
        self.values, self.bad_rows, self.bad_cols, self.reasons = coerce_cells(
            data, self.columns, scale, missing_codes=missing_codes
        )

    def report(self, data) -> pd.DataFrame:
        return bad_cell_report(data, self.columns, self.numbers, self.bad_rows, self.bad_cols, self.reasons,
                               self.id_cols)


def _as_frame(data) -> pd.DataFrame:
    if isinstance(data, pd.DataFrame):
        return data
    raise TypeError(
        f"data must be a pandas DataFrame (got {type(data).__name__}); read a file with toolkit.read_responses(path)"
    )


def _raise_bad(report: pd.DataFrame, ins: Instrument, n_rows: int, n_bad_rows: int) -> None:
    n_bad = len(report)
    shown = report.head(50).to_string(index=False)
    more = f"\n... and {n_bad - 50} more (see err.report)" if n_bad > 50 else ""
    raise DataValidationError(
        f"{n_bad} bad cell{'s' if n_bad != 1 else ''} in {n_bad_rows} of {n_rows} rows for {ins.id}:\n"
        f"{shown}{more}\nFix these cells in the data, or pass on_invalid='missing' to score them as missing "
        "(each row's n_invalid counts them).",
        report=report,
    )


def _prepare_wide(data, ins, *, form, items, pattern, id_cols, layout, item_col, value_col,
                  response_scale, missing_codes):
    scale = resolve_scale(ins, form, response_scale)
    if layout == "long":
        data = long_to_wide(data, ins, id_cols=id_cols, item_col=item_col, value_col=value_col)
        items, pattern = None, None
        id_cols = [c for c in data.columns if not str(c).startswith(ins.id.replace("-", "_") + "_")]
    elif layout != "wide":
        raise ValueError(f"layout must be 'wide' or 'long' (got {layout!r})")
    prep = _Prepared(data, ins, items, pattern, id_cols, scale, missing_codes)
    return data, scale, prep


def validate_responses(
    data: pd.DataFrame,
    instrument: str | Instrument,
    *,
    form: str | None = None,
    items: Mapping[int, object] | None = None,
    pattern: str | None = None,
    id_cols: Sequence | str | None = None,
    response_scale=None,
    missing_codes: Sequence[float] = (),
) -> pd.DataFrame:
    """Every bad cell of a wide data set, without scoring.

    Returns
    -------
    pandas.DataFrame
        One row per bad cell: ``row`` (index label), the id columns, ``column``,
        ``item``, ``value`` (as given) and ``reason`` (not a number, out of range,
        not on the scale's step, with what was expected). Empty when all is well.

    Examples
    --------
    >>> import pandas as pd
    >>> from toolkit import validate_responses
    >>> df = pd.DataFrame({f"wai_sr_{n:02d}": [3, 4] for n in range(1, 13)})
    >>> df.loc[1, "wai_sr_05"] = 9
    >>> validate_responses(df, "wai-sr")[["row", "column", "value"]]
       row     column value
    0    1  wai_sr_05     9
    """
    if is_dask_collection(data):  # lazily, partition by partition, with a ``partition`` column
        from .partitioned import validate_lazily

        return validate_lazily(data, instrument, form=form, items=items, pattern=pattern, id_cols=id_cols,
                               response_scale=response_scale, missing_codes=missing_codes)
    data = _as_frame(data)
    ins = load_instrument(instrument)
    scale = resolve_scale(ins, form, response_scale)
    prep = _Prepared(data, ins, items, pattern, id_cols, scale, missing_codes)
    return prep.report(data)


def item_frame(
    data: pd.DataFrame,
    instrument: str | Instrument,
    *,
    form: str | None = None,
    items: Mapping[int, object] | None = None,
    pattern: str | None = None,
    reverse: bool = True,
    on_invalid: Literal["raise", "missing"] = "raise",
    response_scale=None,
    missing_codes: Sequence[float] = (),
) -> pd.DataFrame:
    """The instrument's items as floats, keyed, under the toolkit's column names.

    The entry point of the analyses (reliability, factor analysis): columns are
    renamed to ``<id>_<NN>`` (e.g. ``wai_sr_01``) in item order, reverse-keyed
    items are reversed as ``(min + max) - x`` when ``reverse`` is true, bad cells
    raise (or become NaN with ``on_invalid='missing'``), and the caller's index is
    kept.

    Examples
    --------
    >>> import pandas as pd
    >>> from toolkit.scoring import item_frame
    >>> df = pd.DataFrame({f"Q{n}": [1] for n in range(1, 13)})
    >>> item_frame(df, "wai-s").loc[0, ["wai_s_03", "wai_s_04"]].tolist()
    [1.0, 7.0]
    """
    data = _as_frame(data)
    ins = load_instrument(instrument)
    scale = resolve_scale(ins, form, response_scale)
    prep = _Prepared(data, ins, items, pattern, None, scale, missing_codes)
    values = _handle_bad(prep, data, ins, on_invalid)
    if reverse:
        rev = np.array([ins.item(n).reversed for n in prep.numbers])
        values[:, rev] = scale.midpoint_sum - values[:, rev]
    return pd.DataFrame(values, index=data.index, columns=[default_column(ins, n) for n in prep.numbers])


def _handle_bad(prep: _Prepared, data, ins, on_invalid) -> np.ndarray:
    if on_invalid not in ("raise", "missing"):
        raise ValueError(f"on_invalid must be 'raise' or 'missing' (got {on_invalid!r})")
    values = prep.values
    if prep.reasons:
        if on_invalid == "raise":
            _raise_bad(prep.report(data), ins, len(data), len(np.unique(prep.bad_rows)))
        values[prep.bad_rows, prep.bad_cols] = np.nan
        warnings.warn(
            f"{len(prep.reasons)} bad cells in {len(np.unique(prep.bad_rows))} rows were scored as missing "
            f"(on_invalid='missing'); see each row's n_invalid, or validate_responses() for the list",
            InvalidCellsWarning,
            stacklevel=3,
        )
    return values


def score(
    data: pd.DataFrame,
    instrument: str | Instrument,
    *,
    form: str | None = None,
    items: Mapping[int, object] | None = None,
    pattern: str | None = None,
    id_cols: Sequence | str | None = None,
    layout: Literal["wide", "long"] = "wide",
    item_col: str = "item",
    value_col: str = "value",
    method: Literal["sum", "mean"] | None = None,
    on_invalid: Literal["raise", "missing"] = "raise",
    max_missing: int | Mapping[str, int] | None = None,
    thresholds: Mapping[str, object] | None = None,
    missing_codes: Sequence[float] = (),
    response_scale=None,
    allow_unverified: bool = False,
    keep: Sequence | Literal["all"] | None = None,
    change_by: str | Sequence | None = None,
    change_order: str | None = None,
) -> pd.DataFrame:
    """Score responses to any instrument definition.

    Parameters
    ----------
    data : pandas.DataFrame
        Wide (one row per administration, one column per item) or long (one row
        per answer: id columns, ``item_col`` and ``value_col``; set ``layout='long'``).
        A Dask DataFrame (wide) is scored lazily, partition by partition, into a Dask DataFrame with the
        same columns and dtypes (see :mod:`toolkit.scoring.partitioned` for what ``on_invalid`` means then).
    instrument : str, path or Instrument
        A shipped id (``"wai-sr"``), a definition file, or a loaded instrument.
    form : str, optional
        Rater form id (``"client"``, ``"therapist"``, ...); default the first form.
        It decides the response scale and the key's confidence.
    items, pattern : optional
        How to find the item columns (see :func:`match_item_columns`); by default
        they are found by name (``wai_sr_01``, ``WAI_1``, ``Q1`` ...).
    id_cols : str or list, optional
        Columns to carry into the output and to name rows in error reports. By
        default, columns whose names say they are ids (``client_id``, ``session``,
        ``rater``, ``date`` ...). In long layout they identify an administration.
    method : {"sum", "mean"}, optional
        Override the instrument's scoring method.
    on_invalid : {"raise", "missing"}
        ``"raise"`` (default) raises :class:`DataValidationError` listing every bad
        cell; ``"missing"`` scores those cells as missing, warns, and counts them
        per row in ``n_invalid``.
    max_missing : int or mapping, optional
        Override the missing-data rule: how many items of a (sub)scale may be
        missing before its score is missing (one number for all, or per score).
    thresholds : mapping, optional
        Override threshold values (``{"low_total": 36}``, ``{"low_total": "<= 36"}``)
        or switch one off (``{"low_line": False}``).
    missing_codes : sequence of float
        Codes that mean "missing" in the export (e.g. ``[-99, 999]``).
    response_scale : mapping, optional
        A scale for instruments that ship none (``{"min": 1, "max": 5}``).
    allow_unverified : bool
        Score a form whose key has confidence V1 or R (with a warning).
    keep : list or "all", optional
        Further input columns to carry into the output (wide layout).
    change_by, change_order : str, optional
        For instruments with a published reliable-change value (ORS: 5 points):
        the column(s) naming a person and the column ordering their
        administrations (e.g. ``change_by="client_id", change_order="session"``).
        Adds ``<score>_change`` (change from that person's first administration
        with a score) and the flags ``flag_reliable_improvement`` and
        ``flag_reliable_deterioration`` (``|change| >= value``).

    Returns
    -------
    pandas.DataFrame
        One row per input row (wide) or per administration (long), same index
        and order. Columns: the id columns (and ``keep``), then for each score
        ``s`` in subscales + ``total``: ``s`` (the score), ``s_n`` (items
        answered) and ``s_prorated`` (true when missing items were prorated);
        then ``n_invalid`` (bad cells scored as missing) and one nullable boolean
        ``flag_<threshold id>`` per threshold (``<NA>`` when its score is missing).
        With ``on_invalid='missing'`` the bad-cell table is in ``result.attrs["invalid_cells"]``.

    Raises
    ------
    DataValidationError
        Bad cells, all listed, with ``err.report``.
    ItemMappingError
        Item columns not found.
    UnverifiedKeyError
        The form's key is not verified and ``allow_unverified`` is false, or the
        instrument ships no response scale and none was given.

    Notes
    -----
    Reverse-keyed item ``x`` on a scale ``[min, max]`` is scored ``(min + max) - x``.
    A (sub)scale with ``k`` items of which ``a`` are answered is scored when
    ``k - a <= max_missing``: the mean of the answered (keyed) items for
    ``method='mean'``, and ``mean * k`` for ``method='sum'`` (prorating, also
    called person-mean imputation). When the instrument's rule says the total
    requires every subscale (``missing.total_requires_subscales``), the total is
    built from the prorated subscale scores (their sum; for means, their
    item-weighted mean), so it always equals the sum of its subscales. The R equivalent for complete data is
    ``psych::scoreItems(keys, items, totals = TRUE, impute = "none")`` (sums) or
    ``totals = FALSE`` (means); psych has no prorating rule with a limit.

    Examples
    --------
    >>> import pandas as pd
    >>> from toolkit import score
    >>> df = pd.DataFrame({f"wai_sr_{n:02d}": [4, 5] for n in range(1, 13)}, index=["a", "b"])
    >>> score(df, "wai-sr")[["task", "bond", "goal", "total"]]
       task  bond  goal  total
    a  16.0  16.0  16.0   48.0
    b  20.0  20.0  20.0   60.0
    """
    if is_dask_collection(data):  # lazily, partition by partition (toolkit.scoring.partitioned)
        from .partitioned import score_lazily

        return score_lazily(data, instrument, form=form, items=items, pattern=pattern, id_cols=id_cols,
                            layout=layout, method=method, on_invalid=on_invalid, max_missing=max_missing,
                            thresholds=thresholds, missing_codes=missing_codes, response_scale=response_scale,
                            allow_unverified=allow_unverified, keep=keep, change_by=change_by)
    data = _as_frame(data)
    ins = load_instrument(instrument)
    check_key_confidence(ins, form, allow_unverified)
    method = method or ins.scoring.method
    if method not in ("sum", "mean"):
        raise ValueError(f"method must be 'sum' or 'mean' (got {method!r})")
    wide, scale, prep = _prepare_wide(
        data, ins, form=form, items=items, pattern=pattern, id_cols=id_cols, layout=layout,
        item_col=item_col, value_col=value_col, response_scale=response_scale, missing_codes=missing_codes,
    )
    values = _handle_bad(prep, wide, ins, on_invalid)
    names = ins.score_names
    limits = resolve_max_missing(ins, names, max_missing)
    active = resolve_thresholds(ins, thresholds)

    member, a, b = _weights(ins, names, prep.numbers, scale)
    scores, counts, hits = _score_matrix(values, member, a, b, method, [t for t in active if t.applies_to == "any_item"])
    k = member.sum(axis=0)
    ok = (k - counts) <= np.array([limits[s] for s in names])
    ok &= counts > 0
    scores[~ok] = np.nan
    if "total" in names and ins.missing.total_requires_subscales and ins.subscales:
        # the total is built from the (prorated) subscale scores, so total = sum of subscales always;
        # it is missing when any subscale is missing or more than total_max_missing items are
        t, n_sub = names.index("total"), len(ins.subscales)
        sub_sums = scores[:, :n_sub] if method == "sum" else scores[:, :n_sub] * k[:n_sub]
        total = sub_sums.sum(axis=1)
        if method == "mean":
            total = total / k[:n_sub].sum()
        scores[:, t] = np.where(ok[:, t], total, np.nan)

    out: dict[str, object] = {}
    carry = list(prep.id_cols)
    if keep is not None and layout == "long":
        raise ValueError("keep= is for wide data; in long layout the id_cols are carried into the output")
    if keep is not None:
        extra = [c for c in wide.columns if c not in prep.columns] if keep == "all" else list(keep)
        absent = [c for c in extra if c not in wide.columns]
        if absent:
            raise KeyError(f"keep names {absent}, which are not columns of the data")
        carry += [c for c in extra if c not in carry]
    for c in carry:
        out[c] = wide[c].to_numpy(copy=True)
    counts_int = counts.astype(np.int64)
    for s_idx, s in enumerate(names):
        col = scores[:, s_idx]
        out[s] = col
        out[f"{s}_n"] = counts_int[:, s_idx]
        out[f"{s}_prorated"] = ~np.isnan(col) & (counts_int[:, s_idx] < k[s_idx])
    out["n_invalid"] = np.bincount(prep.bad_rows, minlength=len(wide)).astype(np.int64)
    for t in active:
        out[f"flag_{t.id}"] = _flag(t, scores[:, names.index(t.applies_to)] if t.applies_to in names else None,
                                    hits.get(t.id))
    result = pd.DataFrame(out, index=wide.index, copy=False)
    for c in carry:
        if result[c].dtype != wide[c].dtype:
            result[c] = result[c].astype(wide[c].dtype)
    if change_by is not None:
        _reliable_change(result, wide, ins, change_by, change_order)
    if prep.reasons:
        result.attrs["invalid_cells"] = prep.report(wide)
    _warn_duplicates(wide, prep)
    return result


def _warn_duplicates(wide: pd.DataFrame, prep: _Prepared) -> None:
    """Rows that repeat an earlier row exactly (same ids, same answers) are scored, and named in a warning."""
    if not prep.id_cols:
        return
    same_ids = wide.duplicated(subset=prep.id_cols, keep=False).to_numpy()
    if not same_ids.any():
        return
    subset = wide.loc[same_ids, [*prep.id_cols, *prep.columns]]
    repeats = subset.index[subset.duplicated(keep="first").to_numpy()]
    if len(repeats):
        shown = [str(r) for r in repeats[:20]]
        warnings.warn(
            f"{len(repeats)} rows repeat an earlier row exactly (same {prep.id_cols} and answers): rows {shown}"
            f"{' ...' if len(repeats) > 20 else ''}. They are scored like any row; drop them if they are double "
            "submissions (data.drop_duplicates()).",
            DuplicateRowsWarning,
            stacklevel=3,
        )


def _reliable_change(result: pd.DataFrame, wide: pd.DataFrame, ins: Instrument, by, order) -> None:
    rc = ins.reliable_change
    if rc is None:
        raise ValueError(
            f"{ins.id} has no published reliable-change value, so change_by= cannot flag reliable change; "
            "use toolkit's reliable change index with a reliability estimate instead"
        )
    by = [by] if isinstance(by, str) else list(by)
    needed = by + ([order] if order is not None else [])
    absent = [c for c in needed if c not in wide.columns]
    if absent:
        raise KeyError(f"change_by/change_order name {absent}, which are not columns of the data")
    col = result[rc.applies_to]
    frame = wide[by].copy()
    frame["_score"] = col.to_numpy()
    frame["_pos"] = np.arange(len(frame))
    sort = ([order] if order is not None else []) + ["_pos"]
    if order is not None:
        frame[order] = wide[order]
    ordered = frame.dropna(subset=["_score"]).sort_values(sort, kind="stable")
    first = ordered.groupby(by, sort=False, dropna=False)["_score"].transform("first")
    change = pd.Series(np.nan, index=frame["_pos"].to_numpy())
    change.loc[ordered["_pos"].to_numpy()] = (ordered["_score"] - first).to_numpy()
    change = change.to_numpy()
    known = ~np.isnan(change)
    result[f"{rc.applies_to}_change"] = change
    with np.errstate(invalid="ignore"):
        result["flag_reliable_improvement"] = pd.arrays.BooleanArray((change >= rc.value) & known, ~known)
        result["flag_reliable_deterioration"] = pd.arrays.BooleanArray((change <= -rc.value) & known, ~known)


_CHUNK = 1 << 13  # rows per block: temporaries stay in cache and are reused


def _weights(ins: Instrument, names: list[str], numbers: list[int], scale):
    """Item x score membership, and the keying ``a + b * x`` of each item."""
    pos = {n: j for j, n in enumerate(numbers)}
    member = np.zeros((len(pos), len(names)))
    for s_idx, s in enumerate(names):
        for n in ins.items_of(s):
            member[pos[n], s_idx] = 1.0
    rev = np.array([ins.item(n).reversed for n in numbers])
    a = np.where(rev, scale.midpoint_sum, 0.0)
    b = np.where(rev, -1.0, 1.0)
    return member, a, b


def _score_matrix(values, member, a, b, method, item_thresholds):
    """Keyed sums (or means), answered counts and any-item threshold hits, block by block.

    With ``m`` the answered mask, the keyed sum of a score is
    ``sum_j m_j (a_j + b_j x_j) = X0 @ (b W) + sum_j a_j W_j - (1 - m) @ (a W)``,
    two small matrix products per block (``X0`` is ``x`` with missing set to 0).
    """
    n = len(values)
    n_scores = member.shape[1]
    bw = b[:, None] * member
    aw = a[:, None] * member
    a_const = aw.sum(axis=0)
    k = member.sum(axis=0)
    miss_w = np.hstack([aw, member])
    scores = np.empty((n, n_scores))
    counts = np.empty((n, n_scores))
    hits = {t.id: (np.zeros(n, bool), np.zeros(n, bool)) for t in item_thresholds}

    def block(lo: int, hi: int) -> None:
        x = values[lo:hi]
        miss = np.isnan(x)
        for t in item_thresholds:
            with np.errstate(invalid="ignore"):
                hits[t.id][0][lo:hi] = OPERATORS[t.operator](x, t.value).any(axis=1)
            hits[t.id][1][lo:hi] = ~miss.all(axis=1)
        sums = np.where(miss, 0.0, x) @ bw
        sums += a_const
        cnt = np.empty_like(sums)
        cnt[:] = k
        rows = np.flatnonzero(miss.any(axis=1))
        if len(rows):  # missing cells are rare: correct only the rows that have some
            m = miss[rows].astype(np.float64) @ miss_w
            sums[rows] -= m[:, :n_scores]
            cnt[rows] -= m[:, n_scores:]
        if method == "sum":
            with np.errstate(invalid="ignore", divide="ignore"):
                prorated = sums[rows] / cnt[rows] * k
            sums[rows] = np.where(cnt[rows] == k, sums[rows], prorated)
            scores[lo:hi] = sums
        else:
            with np.errstate(invalid="ignore", divide="ignore"):
                scores[lo:hi] = sums / cnt
        counts[lo:hi] = cnt

    for_blocks(n, _CHUNK, block)
    return scores, counts, hits


def _flag(t, col, hit_known) -> pd.Series:
    """Nullable boolean flag: true/false where its score (or some item) is known, <NA> elsewhere."""
    if hit_known is not None:
        hit, known = hit_known
    else:
        known = ~np.isnan(col)
        with np.errstate(invalid="ignore"):
            hit = OPERATORS[t.operator](col, t.value)
    return pd.arrays.BooleanArray(hit & known, ~known)
