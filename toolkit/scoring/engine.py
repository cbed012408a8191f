"""One scoring engine for every instrument definition.

``score(data, "wai-sr")`` finds the item columns, checks every cell against the
response scale, reverses reverse-keyed items, applies the missing-data rule,
scores every subscale and the total, and raises the instrument's threshold
flags. It returns one row per input row, in the input's order and with the
input's index; the caller's DataFrame is never changed.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Mapping, Sequence
from typing import Literal

import numpy as np
import pandas as pd

from .._checks import check_choice, check_metric, renamed_parameter
from .._results import column_labels
from .._checks import warn as _warn
from ..exceptions import DataValidationError, DuplicateRowsWarning, InvalidCellsWarning, UnmatchedColumnsWarning
from ..instrument import Instrument, load_instrument
from .cells import bad_cell_report, check_cells, numbering, read_cells, whole_number_scale
from ._blocks import blas_for_rows, block_rows, for_blocks
from .columns import default_column, match_item_columns, unmatched_item_like
from .exact import data_unit, pomp, scale_unit, score_grid, snap
from .layout import long_to_wide
from .partitioned import is_dask_collection
from .whole import Plan, whole_scores
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
    r"subject|form|date|time|timestamp|wave|visit|occasion|group|site|"
    r"pseudonym|pseudo|mrn|code|name|nr|no|num|number|key|record|case|responseid|response_id|"  # more ids
    r"sitzung|datum|zeit|klient|klientin|patientin|fall|kennung|nummer|termin|therapeut|therapeutin|"  # German
    r"proband|probandin|teilnehmer|teilnehmerin|welle|gruppe|standort|"
    r"seance|séance|sesion|sesión|fecha|cliente|paciente|terapeuta)(_|$)"  # French, Spanish
)


#: Id words that name a person or an administration (not a group, a site or a rater).
_PERSON_WORDS = re.compile(
    r"(^|_)(id|ids|dyad|client|patient|participant|respondent|subject|pseudonym|pseudo|mrn|code|name|nr|no|num|"
    r"number|record|case|responseid|response_id|klient|klientin|patientin|fall|kennung|nummer|proband|probandin|"
    r"teilnehmer|teilnehmerin|cliente|paciente)(_|$)"
)


def detect_id_columns(columns: Sequence, item_columns: Sequence = ()) -> list:
    """Columns whose names say they identify an administration (``client_id``, ``session``, ``rater`` ...)."""
    items = set(item_columns)
    return [
        c for c in columns
        if c not in items and _ID_WORDS.search(re.sub(r"[^a-z0-9]+", "_", str(c).lower()).strip("_"))
    ]


_PLANS: dict = {}  # what a definition and a set of column names decide, for the next call with the same ones
_PLANS_SIZE = 64


def _cached(key: tuple, ins: Instrument, build):
    """``build()`` for this instrument, remembered under ``key`` (a small first-in first-out cache; calls whose
    arguments cannot be hashed are not kept).

    The entry keeps the instrument and is found only for that very object (definitions are immutable)."""
    key = (id(ins), *key)
    try:
        hit = _PLANS.get(key)
    except TypeError:
        return build()
    if hit is None or hit[0] is not ins:
        hit = (ins, build())
        if len(_PLANS) >= _PLANS_SIZE:
            _PLANS.pop(next(iter(_PLANS)))
        _PLANS[key] = hit
    return hit[1]


def _frozen(value):
    """A hashable stand-in for a call's ``items``/``id_cols`` argument (unhashable ones stay as they are)."""
    if isinstance(value, Mapping):
        return ("map", tuple(value.items()))
    if isinstance(value, (list, tuple)):
        return ("seq", tuple(value))
    return value


def _column_names(columns) -> tuple:
    """The column labels as a tuple (``tolist`` first: pandas' text indexes give them up faster in one go)."""
    return tuple(columns.tolist() if hasattr(columns, "tolist") else columns)


def _column_plan(columns, ins, items, pattern, id_cols, names: tuple | None = None):
    """(mapping, unmatched item-like columns, id columns, the item columns' positions) for these names
    (``names``: :func:`_column_names` of ``columns``, when the caller has it)."""

    def build():
        mapping = match_item_columns(columns, ins, items=items, pattern=pattern)
        extra = unmatched_item_like(columns, mapping)
        if id_cols is None:
            ids = detect_id_columns(columns, list(mapping.values()))
        else:
            ids = [id_cols] if isinstance(id_cols, (str, int)) else list(id_cols)
            absent = [c for c in ids if c not in columns]
            if absent:
                raise KeyError(f"id_cols {absent} are not columns of the data; columns are {list(columns)}")
        positions = pd.Index(columns).get_indexer_for(list(mapping.values()))
        return mapping, extra, ids, positions

    names = _column_names(columns) if names is None else names
    return _cached(("columns", names, _frozen(items), pattern, _frozen(id_cols)), ins, build)


class _Prepared:
    """Item values of a wide frame, checked (now, or when :meth:`check` is called) and keyed."""

    def __init__(self, data, ins, items, pattern, id_cols, scale, missing_codes, copy: bool = True,
                 check: bool = True):
        self.names = _column_names(data.columns)  # the frame's column labels, read once
        mapping, extra, ids, positions = _column_plan(data.columns, ins, items, pattern, id_cols, self.names)
        self.mapping = dict(mapping)
        self.columns = list(self.mapping.values())
        self.numbers = list(self.mapping.keys())
        if extra:
            _warn(f"columns {[str(c) for c in extra]} look like item columns but {ins.id} has only "
                  f"{ins.n_items} items; they are not scored (rename them, or check the instrument)",
                  UnmatchedColumnsWarning)
        self.id_cols = list(ids)
        self.scale = scale
        # without copy, values may be a read-only view of the frame's cells
        self.values, self._not_numbers = read_cells(data, self.columns, scale, missing_codes=missing_codes,
                                                    positions=positions, copy=copy)
        if check:
            self.check()

    def check(self) -> None:
        """Find the bad cells. ``whole``: every answer is missing or a whole number on the scale (the data's
        unit is 1)."""
        self.bad_rows, self.bad_cols, self.reasons, self.whole = check_cells(self.values, self.scale,
                                                                             self._not_numbers)

    @property
    def may_be_whole(self) -> bool:
        """Numbers on a whole-number scale (answers that a one-pass check may show to be all whole)."""
        return self._not_numbers is None and whole_number_scale(self.scale)

    def found_whole(self) -> None:
        """Record what a one-pass check showed: every cell is missing or a whole number on the scale."""
        self.bad_rows = self.bad_cols = np.zeros(0, dtype=np.int64)
        self.reasons, self.whole = [], True

    def report(self, data) -> pd.DataFrame:
        return bad_cell_report(data, self.columns, self.numbers, self.bad_rows, self.bad_cols, self.reasons,
                               self.id_cols)


def _as_frame(data) -> pd.DataFrame:
    if isinstance(data, pd.DataFrame):
        return data
    raise TypeError(
        f"data must be a pandas DataFrame (got {type(data).__name__}); read a file with toolkit.read_responses(path)"
    )


def _raise_bad(report: pd.DataFrame, ins: Instrument, n_rows: int, n_bad_rows: int, data=None) -> None:
    n_bad = len(report)
    shown = report.head(50).to_string(index=False)
    more = f"\n... and {n_bad - 50} more (see err.report)" if n_bad > 50 else ""
    where = f" ({numbering(data)[1]})" if data is not None else ""
    raise DataValidationError(
        f"{n_bad} bad cell{'s' if n_bad != 1 else ''} in {n_bad_rows} of {n_rows} rows for {ins.id}{where}:\n"
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
    else:
        check_choice(layout, ("wide", "long"), param="layout", caller="score",
                     hint="'wide' has one row per administration, 'long' one row per answer.")
    # scoring only reads the values; it checks them itself (in one pass with the sums where it can)
    prep = _Prepared(data, ins, items, pattern, id_cols, scale, missing_codes, copy=False, check=False)
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
        One row per bad cell: where it is, the id columns, ``column``, ``item``,
        ``value`` (as given) and ``reason`` (not a number, out of range, not on
        the scale's step, with what was expected).
        Empty when all is well. Where it is: ``line``, the line of the file
        (for a workbook, the sheet's row) when the data were read by
        :func:`toolkit.read_responses`; ``case`` for SPSS/Stata files; else
        ``row``, the row's label in the data's index (counting from 0 for a
        DataFrame built in code or loaded with :func:`toolkit.load_sample`).

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
    check_choice(on_invalid, ("raise", "missing"), param="on_invalid", caller="score",
                 hint="'raise' lists every bad cell in an error; 'missing' scores them as missing, with a warning.")
    values = prep.values
    if prep.reasons:
        if on_invalid == "raise":
            _raise_bad(prep.report(data), ins, len(data), len(np.unique(prep.bad_rows)), data)
        if not values.flags.writeable:  # a view of the frame's cells: change a copy
            values = prep.values = values.copy()
        values[prep.bad_rows, prep.bad_cols] = np.nan
        _warn(f"{len(prep.reasons)} bad cells in {len(np.unique(prep.bad_rows))} rows were scored as missing "
              f"(on_invalid='missing'); see each row's n_invalid, or validate_responses() for the list",
              InvalidCellsWarning)
    return values


@renamed_parameter("method", "metric")
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
    metric: Literal["sum", "mean", "pomp"] | None = None,
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
        It decides the response scale and the key's confidence. Rows whose
        ``rater`` (or ``form``) column names another rater are refused.
    items, pattern : optional
        How to find the item columns (see :func:`match_item_columns`); by default
        they are found by name (``wai_sr_01``, ``WAI_1``, ``Q1`` ...).
    id_cols : str or list, optional
        Columns to carry into the output and to name rows in error reports. By
        default, columns whose names say they are ids (``client_id``, ``session``,
        ``rater``, ``date``, ``MRN``, ``Pseudonym``, ``Sitzung`` ...). In long
        layout they identify an administration.
    metric : {"sum", "mean", "pomp"}, optional
        The metric of the scores: the sum of the (keyed) items, their mean, or
        POMP, the percent of the maximum possible score (0-100). Default the
        instrument's own (``scoring.method`` of its definition). Thresholds and
        reliable change are always judged on the instrument's own metric.
        (``method=`` is the old name, accepted until version 0.3.)
    on_invalid : {"raise", "missing"}
        ``"raise"`` (default) raises :class:`DataValidationError` listing every bad
        cell; ``"missing"`` scores those cells as missing, warns, and counts them
        per row in ``n_invalid``.
    max_missing : int or mapping, optional
        Override the missing-data rule: how many items of a (sub)scale may be
        missing before its score is missing (one number for all, or per score).
    thresholds : mapping, optional
        Override threshold values (``{"low_total": 36}``, ``{"low_total": "<= 36"}``)
        or switch one off (``{"low_line": False}``). Values are on the instrument's
        own metric and must lie within what its scores can be.
    missing_codes : sequence of float
        Codes that mean "missing" in the export (e.g. ``[-99, 999]``).
    response_scale : mapping, optional
        A scale for instruments that ship none (``{"min": 1, "max": 5}``).
    allow_unverified : bool
        Score a form whose key has confidence V1 or R (with a warning).
    keep : list or "all", optional
        Further input columns to carry into the output (wide layout); ``"all"``
        carries every column that is not an item column.
    change_by, change_order : str, optional
        For instruments with a published reliable-change value (ORS: 5 points):
        the column(s) naming a person and the column ordering their
        administrations (e.g. ``change_by="client_id", change_order="session"``;
        text that holds numbers is ordered as numbers).
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
        Bad cells, all listed, with ``err.report``; or rows of another rater's form.
    ItemMappingError
        Item columns not found.
    UnverifiedKeyError
        The form's key is not verified and ``allow_unverified`` is false, or the
        instrument ships no response scale and none was given.
    InvalidParameterError
        A threshold outside what the scores can be, an unknown metric.

    Warns
    -----
    DuplicateRowsWarning
        Rows repeat an earlier row's ids, with the same answers or with different ones.
    InvalidCellsWarning
        Bad cells scored as missing (``on_invalid='missing'``).

    Notes
    -----
    Reverse-keyed item ``x`` on a scale ``[min, max]`` is scored ``(min + max) - x``.
    A (sub)scale with ``k`` items of which ``a`` are answered is scored when
    ``k - a <= max_missing``: the mean of the answered (keyed) items for
    ``metric='mean'``, and ``mean * k`` for ``metric='sum'`` (prorating, also
    called person-mean imputation). POMP is ``100 * (mean - min) / (max - min)``
    with ``min`` and ``max`` the ends of the response scale, equivalently
    ``100 * (sum - k * min) / (k * (max - min))`` (Cohen, Cohen, Aiken & West, 1999).
    When the instrument's rule says the total
    requires every subscale (``missing.total_requires_subscales``), the total is
    built from the prorated subscale scores (their sum; for means, their
    item-weighted mean), so it always equals the sum of its subscales.

    Scores on a scale with a resolution (the ORS and SRS lines, measured to 0.1)
    are exact at that resolution: every score is a multiple of a known fraction
    (``1/q`` for sums of answers measured to ``1/q``, ``1/(q * lcm(1..k))`` for
    means and prorated sums of ``k`` items) and is rounded to it, so a total of
    exactly 36.0 is not "below 36", a change of exactly +5.0 is reliable change,
    and 35.6 is written ``35.6``. Answers recorded finer than the resolution (two
    decimals) are scored exactly at their own resolution.

    With the ``fast`` extra (numba), once a process has scored 100,000 rows in memory it checks and sums whole-number
    answers in one compiled pass (:mod:`toolkit.scoring.whole`); the scores are the same bit for bit.

    R equivalent: ``psych::scoreItems(keys, items, totals = TRUE, impute = "none")``
    (sums, complete data) or ``totals = FALSE`` (means); psych has no prorating
    rule with a limit, and no POMP.

    References
    ----------
    Cohen, P., Cohen, J., Aiken, L. S., & West, S. G. (1999). The problem of units and the circumstance for
    POMP. Multivariate Behavioral Research, 34(3), 315-346.

    Examples
    --------
    >>> import pandas as pd
    >>> from toolkit import score
    >>> df = pd.DataFrame({f"wai_sr_{n:02d}": [4, 5] for n in range(1, 13)}, index=["a", "b"])
    >>> score(df, "wai-sr")[["task", "bond", "goal", "total"]]
       task  bond  goal  total
    a  16.0  16.0  16.0   48.0
    b  20.0  20.0  20.0   60.0
    >>> score(df, "wai-sr", metric="pomp")["total"].tolist()
    [75.0, 100.0]
    """
    if is_dask_collection(data):  # lazily, partition by partition (toolkit.scoring.partitioned)
        from .partitioned import score_lazily

        return score_lazily(data, instrument, form=form, items=items, pattern=pattern, id_cols=id_cols,
                            layout=layout, metric=metric, on_invalid=on_invalid, max_missing=max_missing,
                            thresholds=thresholds, missing_codes=missing_codes, response_scale=response_scale,
                            allow_unverified=allow_unverified, keep=keep, change_by=change_by)
    data = _as_frame(data)
    ins = load_instrument(instrument)
    check_key_confidence(ins, form, allow_unverified)
    metric = check_metric(metric, caller="score") or ins.scoring.method
    own = ins.scoring.method
    if keep is not None and layout == "long":
        raise ValueError("keep= is for wide data; in long layout the id_cols are carried into the output")
    wide, scale, prep = _prepare_wide(
        data, ins, form=form, items=items, pattern=pattern, id_cols=id_cols, layout=layout,
        item_col=item_col, value_col=value_col, response_scale=response_scale, missing_codes=missing_codes,
    )
    _check_raters(wide, ins, form, prep.names)
    names = ins.score_names
    member, a, b = _weights(ins, names, prep.numbers, scale)
    summed = None  # (scores, counts) when one pass shows every cell to be whole and on the scale
    if prep.may_be_whole and not any(t.applies_to == "any_item" for t in ins.thresholds):
        plan = _cached(("whole", tuple(names), tuple(prep.numbers), float(scale.midpoint_sum)), ins,
                       lambda: Plan(member, a, b))  # remembered like the weights it is built from
        summed = whole_scores(prep.values, scale.min, scale.max, plan, mean=own != "sum")
    if summed is None:
        prep.check()
    else:
        prep.found_whole()
    values = _handle_bad(prep, wide, ins, on_invalid)
    limits = resolve_max_missing(ins, names, max_missing)
    active = resolve_thresholds(ins, thresholds, scale=scale)

    unit, measured = scale_unit(scale), (1 if prep.whole else data_unit(values))
    if summed is None:
        # BLAS on one thread: its threads would gain nothing on these products and keep spinning (a second core's
        # worth of CPU) after the call
        with blas_for_rows(len(values)):
            scores, counts, hits = _score_rows(values, member, a, b, own,
                                               [t for t in active if t.applies_to == "any_item"])
    else:
        scores, counts, hits = summed[0].T, summed[1].T, {}
    k = member.sum(axis=0)
    ok = (k - counts) <= np.array([limits[s] for s in names])
    ok &= counts > 0
    scores[~ok] = np.nan
    if "total" in names and ins.missing.total_requires_subscales and ins.subscales:
        # the total is built from the (prorated) subscale scores, so total = sum of subscales always;
        # it is missing when any subscale is missing or more than total_max_missing items are
        t, n_sub = names.index("total"), len(ins.subscales)
        sub_sums = scores[:, :n_sub] if own == "sum" else scores[:, :n_sub] * k[:n_sub]
        total = sub_sums.sum(axis=1)
        if own == "mean":
            total = total / k[:n_sub].sum()
        scores[:, t] = np.where(ok[:, t], total, np.nan)
    unit = math.lcm(unit, measured) if unit is not None and measured is not None else None
    grids = [score_grid(unit, int(k[j]), float(k[j]) * max(abs(scale.min), abs(scale.max))) for j in range(len(names))]
    if all(g is not None for g in grids):  # every score at once: snap()'s arithmetic, column by column
        with np.errstate(invalid="ignore"):
            g = np.array(grids, dtype=np.float64)
            np.divide(np.rint(np.multiply(scores, g, out=scores), out=scores), g, out=scores)
    else:
        for j in range(len(names)):
            scores[:, j] = snap(scores[:, j], grids[j])

    out: dict[str, object] = {}
    carry = list(prep.id_cols)
    if keep is not None:
        extra = [c for c in wide.columns if c not in prep.columns] if keep == "all" else list(keep)
        absent = [c for c in extra if c not in wide.columns]
        if absent:
            raise KeyError(f"keep names {absent}, which are not columns of the data")
        carry += [c for c in extra if c not in carry]
        if keep == "all":  # the input's order
            carry = [c for c in wide.columns if c in set(carry)]
    for c in carry:
        out[c] = wide[c].to_numpy(copy=True)
    counts_int = counts.astype(np.int64)
    prorated = (counts < k) & ~np.isnan(scores)
    for s_idx, s in enumerate(names):
        out[s] = _in_metric(scores[:, s_idx], own, metric, k[s_idx], scale, grids[s_idx])
        out[f"{s}_n"] = counts_int[:, s_idx]
        out[f"{s}_prorated"] = prorated[:, s_idx]
    out["n_invalid"] = np.bincount(prep.bad_rows, minlength=len(wide)).astype(np.int64)
    for t in active:
        out[f"flag_{t.id}"] = _flag(t, scores[:, names.index(t.applies_to)] if t.applies_to in names else None,
                                    hits.get(t.id))
    result = _frame(out, wide.index)
    for c in carry:
        if result[c].dtype != wide[c].dtype:
            result[c] = result[c].astype(wide[c].dtype)
    if change_by is not None:
        rc = ins.reliable_change
        if rc is None:
            raise ValueError(
                f"{ins.id} has no published reliable-change value, so change_by= cannot flag reliable change; "
                "use toolkit's reliable change index with a reliability estimate instead"
            )
        j = names.index(rc.applies_to)
        change = snap(_change_from_first(scores[:, j], wide, change_by, change_order), grids[j])
        known = ~np.isnan(change)
        result[f"{rc.applies_to}_change"] = _in_metric(change, own, metric, k[j], scale, grids[j], difference=True)
        with np.errstate(invalid="ignore"):
            result["flag_reliable_improvement"] = pd.arrays.BooleanArray((change >= rc.value) & known, ~known)
            result["flag_reliable_deterioration"] = pd.arrays.BooleanArray((change <= -rc.value) & known, ~known)
    if prep.reasons:
        result.attrs["invalid_cells"] = prep.report(wide)
    _warn_duplicates(wide, prep)
    return result


def _frame(columns: dict, index) -> pd.DataFrame:
    """``pd.DataFrame(columns, index=index)``, its column labels built once per layout instead of every call."""
    names = tuple(columns)
    try:
        labels = column_labels(names)
    except TypeError:  # a label that cannot be hashed: the plain way
        return pd.DataFrame(columns, index=index, copy=False)
    frame = pd.DataFrame(dict(enumerate(columns.values())), index=index, copy=False)
    frame.columns = labels
    return frame


def _in_metric(col: np.ndarray, own: str, metric: str, k: float, scale, grid, difference: bool = False):
    """Scores (or, with ``difference``, changes of scores) on the instrument's own metric, in ``metric``."""
    if metric == own:
        return col
    mean = col / k if own == "sum" else col
    if metric == "mean":
        return snap(mean, grid)
    if metric == "sum":
        return snap(mean * k, grid)
    if difference:  # a change in POMP points: the change of the mean over the scale's width
        return pomp(mean, 0.0, scale.max - scale.min, grid)
    return pomp(mean, scale.min, scale.max, grid)


_RATER_COLUMN = re.compile(r"[^a-z]*(rater|form|rater[^a-z]*form|informant)[^a-z]*")


@functools.lru_cache(maxsize=256)
def _rater_columns(names: tuple) -> tuple:
    """The columns named like a rater or form column (remembered per layout of column names)."""
    return tuple(c for c in names if _RATER_COLUMN.fullmatch(str(c).lower()))


def _check_raters(wide: pd.DataFrame, ins: Instrument, form: str | None, names: tuple | None = None) -> None:
    """Refuse rows whose ``rater`` (or ``form``) column says they were rated on a form scored differently.

    A therapist's answers scored with an instrument that has no therapist form (the WAI-SR), or with a form
    whose scale or key differs from the rater's own, would give numbers that look right and are not. Rows
    of a rater whose own form is scored exactly like the one used (WAI-36 client and therapist) pass.
    """
    columns = _rater_columns(_column_names(wide.columns) if names is None else names)
    if not columns:
        return
    scored = ins.form(form)

    def same(f) -> bool:
        return ins.scale_for(f.id) == ins.scale_for(scored.id) and \
            ins.confidence_for(f.id).level == ins.confidence_for(scored.id).level

    raters = {"client", "therapist", "observer"} | {f.rater for f in ins.forms}
    known = raters | {f.id for f in ins.forms}
    fine = {scored.id, scored.rater} | {f.id for f in ins.forms if same(f)} | {
        r for r in raters if any(f.rater == r for f in ins.forms) and all(same(f) for f in ins.forms if f.rater == r)}
    for column in columns:
        values = wide[column]
        codes, uniques = pd.factorize(values)  # few distinct values: look at those only
        names = np.array([str(u).strip().casefold() for u in uniques] + [""], dtype=object)
        text = pd.Series(names[codes], index=wide.index)  # code -1 (missing) -> ""
        other = text.isin(known - fine).to_numpy()
        if not other.any():
            continue
        found = pd.Series(values.to_numpy()[other]).value_counts(sort=False)
        listing = ", ".join(f"{n} rows {str(v)!r}" for v, n in found.items())
        rows = wide.index[other]
        where = numbering(wide)[0]
        shown = ", ".join(str(r) for r in rows[:10]) + (" ..." if len(rows) > 10 else "")
        hints = []
        for v in dict.fromkeys(text[other]):
            mine = [f for f in ins.forms if v in (f.id, f.rater)]
            if mine:
                hints.append(f"the {v!r} rows are scored with form={mine[0].id!r}, whose scale or key differs")
            else:
                others = _instruments_with_rater(v, ins)
                hints.append(f"{ins.id} has no {v} form (only {', '.join(repr(f.id) for f in ins.forms)}); "
                             + (f"{v} ratings are scored with {', '.join(others)}" if others
                                else f"{v} ratings need an instrument with a {v} form"))
        report = pd.DataFrame({where: rows, column: values.to_numpy()[other],
                               "reason": f"not rated on a form scored like {ins.id} {scored.id!r}"})
        raise DataValidationError(
            f"column {column!r} says {listing} ({where}s {shown}), but the data are scored with {ins.id}'s "
            f"{scored.id!r} form ({scored.rater}): {'; '.join(hints)}. Score each rater's rows with its own "
            f"instrument and form (select them, e.g. data[data[{column!r}] == {scored.rater!r}]), or pair client "
            "and therapist with pair_raters().",
            report=report,
        )


def _instruments_with_rater(rater: str, ins: Instrument) -> list[str]:
    """Shipped instruments of the same family (shared parent items) that a rater fills in, e.g.
    ``wai-s (form 'therapist')`` for the WAI-SR."""
    from ..instrument import list_instruments

    def family(i: Instrument) -> set:
        return {i.id} | {it.parent.instrument for it in i.items if it.parent is not None}

    out = []
    for ins_id in list_instruments().index:
        other = load_instrument(ins_id)
        if not family(other) & family(ins):
            continue
        for f in other.forms:
            if f.rater == rater:
                out.append(f"{ins_id} (form {f.id!r})")
                break
    return out


def _warn_duplicates(wide: pd.DataFrame, prep: _Prepared) -> None:
    """Rows that repeat an earlier row's ids are scored, and named in a warning: with the same answers (a double
    submission) and with different answers (which one is right cannot be told)."""
    if not prep.id_cols or len(wide) < 2:
        return
    same_ids = wide.duplicated(subset=prep.id_cols, keep=False).to_numpy()
    if not same_ids.any():
        return
    where = numbering(wide)[0]
    subset = wide.loc[same_ids, [*prep.id_cols, *prep.columns]]
    exact = subset.duplicated(keep="first").to_numpy()
    repeats = subset.index[exact]
    if len(repeats):
        shown = ", ".join(str(r) for r in repeats[:20])
        _warn(f"{len(repeats)} row{'s repeat' if len(repeats) != 1 else ' repeats'} an earlier row exactly (same "
              f"{prep.id_cols} and answers): {where}{'s' if len(repeats) != 1 else ''} {shown}"
              f"{' ...' if len(repeats) > 20 else ''}. They are scored like any row; drop them if they are "
              "double submissions (data.drop_duplicates()).", DuplicateRowsWarning)
    persons = [c for c in prep.id_cols
               if _PERSON_WORDS.search(re.sub(r"[^a-z0-9]+", "_", str(c).lower()).strip("_"))]
    if not persons:  # e.g. only a rater or group column: the same values say nothing about the same person
        return
    distinct = subset.loc[~exact]
    conflict = distinct.duplicated(subset=prep.id_cols, keep=False).to_numpy()
    if conflict.any():
        clash = distinct.loc[conflict]
        keys = list(prep.id_cols) if len(prep.id_cols) > 1 else prep.id_cols[0]
        groups = clash.groupby(keys, sort=False, dropna=False).groups
        shown = "; ".join(f"{where}s {', '.join(str(r) for r in labels)}" for labels in list(groups.values())[:10])
        _warn(f"{len(groups)} administration{'s' if len(groups) != 1 else ''} (same {prep.id_cols}) "
              f"{'appear' if len(groups) != 1 else 'appears'} more than once with different answers: {shown}"
              f"{' ...' if len(groups) > 10 else ''}. All are scored; which answers are right cannot be told: "
              "correct the ids (a session number, a date) or remove the wrong rows.", DuplicateRowsWarning)


def _sort_key(values: pd.Series) -> pd.Series:
    """Order of ``values``: text that holds numbers (``"2"``, ``"10"``) ordered as numbers."""
    if pd.api.types.is_numeric_dtype(values.dtype) or pd.api.types.is_datetime64_any_dtype(values.dtype):
        return values
    numbers = pd.to_numeric(values, errors="coerce")
    if numbers.notna().sum() == values.notna().sum():
        return numbers
    return values


def _change_from_first(col: np.ndarray, wide: pd.DataFrame, by, order) -> np.ndarray:
    """Change of a score from each person's first administration with a score (NaN where unknown)."""
    by = [by] if isinstance(by, str) else list(by)
    needed = by + ([order] if order is not None else [])
    absent = [c for c in needed if c not in wide.columns]
    if absent:
        raise KeyError(f"change_by/change_order name {absent}, which are not columns of the data")
    frame = wide[by].copy()
    frame["_score"] = col
    frame["_pos"] = np.arange(len(frame))
    sort = (["_order"] if order is not None else []) + ["_pos"]
    if order is not None:
        frame["_order"] = _sort_key(wide[order]).to_numpy()
    ordered = frame.dropna(subset=["_score"]).sort_values(sort, kind="stable")
    first = ordered.groupby(by, sort=False, dropna=False)["_score"].transform("first")
    change = pd.Series(np.nan, index=frame["_pos"].to_numpy())
    change.loc[ordered["_pos"].to_numpy()] = (ordered["_score"] - first).to_numpy()
    return change.to_numpy()


_ONE_PASS_ROWS = 100_000  # fewer rows: the product over all rows is one BLAS call (no temporaries to keep small)


def _weights(ins: Instrument, names: list[str], numbers: list[int], scale):
    """Item x score membership, and the keying ``a + b * x`` of each item (remembered per definition)."""
    return _cached(("weights", tuple(names), tuple(numbers), float(scale.midpoint_sum)), ins,
                   lambda: _build_weights(ins, names, numbers, scale))


def _build_weights(ins: Instrument, names: list[str], numbers: list[int], scale):
    keys = ins.keys  # a property that builds the map: once, not once per score
    items = {it.number: it for it in ins.items}
    pos = {n: j for j, n in enumerate(numbers)}
    member = np.zeros((len(pos), len(names)))
    for s_idx, s in enumerate(names):
        for n in (items if s == "total" else keys[s]):
            member[pos[n], s_idx] = 1.0
    rev = np.array([items[n].reversed for n in numbers])
    a = np.where(rev, scale.midpoint_sum, 0.0)
    b = np.where(rev, -1.0, 1.0)
    for arr in (member, a, b):
        arr.flags.writeable = False  # shared by every call with this definition
    return member, a, b


def _score_rows(values, member, a, b, method, item_thresholds):
    """Keyed sums (or means), answered counts and any-item threshold hits (``values`` is only read).

    With ``m`` the answered mask and ``X0`` the answers with missing cells set to 0, the keyed sum of a score is
    ``sum_j m_j (a_j + b_j x_j) = X0 @ (b W) + sum_j a_j W_j - (1 - m) @ (a W)``, and its answered count
    ``k - (1 - m) @ W``. One matrix product over all rows gives the complete rows; a missing (NaN) cell makes
    every product of its row NaN (NaN x 0 is NaN), which marks the rows to do again. Those rows are copied (in
    slices, so temporaries stay small), their missing cells set to 0, and the two corrections summed over the
    missing cells alone (a weighted ``bincount`` of their rows). Scores and counts are computed score by score
    (``(n_scores, n)`` in memory, returned as its ``(n, n_scores)`` transpose), so each score's column is
    contiguous for the steps after.
    """
    n, n_items = values.shape
    n_scores = member.shape[1]
    bw_t = np.ascontiguousarray((b[:, None] * member).T)
    aw = a[:, None] * member
    a_const = aw.sum(axis=0)[:, None]
    k = member.sum(axis=0)[:, None]
    scores = np.empty((n_scores, n))
    hits = {t.id: (np.zeros(n, bool), np.zeros(n, bool)) for t in item_thresholds}
    values_t = values.T  # items x rows (contiguous when the frame gave its columns as they are stored)

    def block(lo: int, hi: int) -> None:
        x = values[lo:hi]
        for t in item_thresholds:
            with np.errstate(invalid="ignore"):
                hits[t.id][0][lo:hi] = OPERATORS[t.operator](x, t.value).any(axis=1)
            hits[t.id][1][lo:hi] = ~np.isnan(x).all(axis=1)
        np.matmul(bw_t, values_t[:, lo:hi], out=scores[:, lo:hi])

    rows_per_block = block_rows(n_items)  # over 100,000 rows or with any-item thresholds
    for_blocks(n, max(n, 1) if n < _ONE_PASS_ROWS and not item_thresholds else rows_per_block, block)
    scores += a_const
    counts = np.repeat(k, n, axis=1)
    rows = np.flatnonzero(np.isnan(scores[0])) if n_scores else np.zeros(0, dtype=np.int64)
    for start in range(0, len(rows), rows_per_block):  # missing cells are rare: only the rows that have some
        r = rows[start:start + rows_per_block]
        x = values_t.take(r, axis=1)
        item, row = np.divmod(np.flatnonzero(np.isnan(x)), len(r))  # the missing cells (item-major)
        x[item, row] = 0.0
        sums = bw_t @ x
        sums += a_const
        key = (row + len(r) * np.arange(n_scores)[:, None]).ravel()  # (score, row) of each missing cell
        size = len(r) * n_scores
        sums -= np.bincount(key, weights=aw[item].T.ravel(), minlength=size).reshape(n_scores, len(r))
        cnt = k - np.bincount(key, weights=member[item].T.ravel(), minlength=size).reshape(n_scores, len(r))
        with np.errstate(invalid="ignore", divide="ignore"):  # prorated to k items where some are missing
            scores[:, r] = np.where(cnt == k, sums, sums / cnt * k)
        counts[:, r] = cnt
    if method != "sum":  # the mean of the k (answered or prorated) items
        scores /= k
    return scores.T, counts.T, hits


def _flag(t, col, hit_known) -> pd.Series:
    """Nullable boolean flag: true/false where its score (or some item) is known, <NA> elsewhere."""
    if hit_known is not None:
        hit, known = hit_known
    else:
        known = ~np.isnan(col)
        with np.errstate(invalid="ignore"):
            hit = OPERATORS[t.operator](col, t.value)
    return pd.arrays.BooleanArray(hit & known, ~known)
