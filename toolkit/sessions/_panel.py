"""Session series as one dense panel: a row per series (client, or client and rater), a column per session.

Every function of :mod:`toolkit.sessions` reads its data through :func:`build_panel`, so they check the same
things the same way (the columns exist, session numbers are whole numbers, scores are numbers, no session of a
series appears twice) and see missing sessions the same way: a session number between a series' first and last
session without a score is a gap, kept as ``NaN`` in the panel and never filled in. The panel spans the
sessions ``min .. max`` of the whole data set, so ``values[:, j]`` is session ``sessions[j]`` for every series
and rules work on whole columns at once (no loop over clients).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._checks import numeric_frame
from ..exceptions import DataValidationError, InvalidParameterError

__all__ = ["Panel", "build_panel", "MAX_CELLS"]

#: Largest panel (series x sessions) built; beyond it session numbers are probably not session counts.
MAX_CELLS = 200_000_000


@dataclass
class Panel:
    """Scores of every series by session (see the module docstring).

    Attributes
    ----------
    keys : DataFrame
        One row per series, in order of first appearance: the client column (and the rater column).
    sessions : ndarray of int
        Session number of each column (every number from the smallest to the largest in the data).
    values : ndarray of float, shape (n_series, n_sessions)
        The score, ``NaN`` where the series has no score at that session.
    recorded : ndarray of bool, same shape
        A row for that series and session exists in the data (its score may still be missing).
    row : ndarray of int, same shape
        Position of that row in the data (-1 where there is none), to name rows in messages.
    client, rater, session, value : str
        The column names used.
    """

    keys: pd.DataFrame
    sessions: np.ndarray
    values: np.ndarray
    recorded: np.ndarray
    row: np.ndarray
    client: str
    rater: str | None
    session: str
    value: str

    @property
    def key_columns(self) -> list[str]:
        return [self.client] + ([self.rater] if self.rater is not None else [])

    @property
    def n_series(self) -> int:
        return self.values.shape[0]

    @property
    def scored(self) -> np.ndarray:
        """A score exists (not NaN)."""
        return ~np.isnan(self.values)

    def span(self) -> tuple[np.ndarray, np.ndarray]:
        """Column of the first and of the last score of each series (-1 for a series without any score)."""
        ok = self.scored
        any_ = ok.any(axis=1)
        first = np.where(any_, ok.argmax(axis=1), -1)
        last = np.where(any_, ok.shape[1] - 1 - ok[:, ::-1].argmax(axis=1), -1)
        return first, last

    def gaps(self) -> np.ndarray:
        """True for a session between a series' first and last score that has no score."""
        first, last = self.span()
        cols = np.arange(self.values.shape[1])[None, :]
        return (cols > first[:, None]) & (cols < last[:, None]) & ~self.scored

    def long(self, mask: np.ndarray, **columns) -> pd.DataFrame:
        """A long table of the cells where ``mask`` is true: keys, session, then ``columns`` (arrays like values)."""
        i, j = np.nonzero(mask)
        # 2-D columns through the boolean mask (same row-major order as np.nonzero, and faster than [i, j])
        cols = {k: (np.asarray(v)[mask] if np.ndim(v) == 2 and np.shape(v) == mask.shape else v)
                for k, v in columns.items()}
        return self.frame(i, j, **cols)

    def frame(self, i: np.ndarray, j: np.ndarray | None = None, **columns) -> pd.DataFrame:
        """Rows for series ``i`` (and session columns ``j``): keys (their dtype kept), session, then ``columns``
        (2-D arrays are read at ``[i, j]``; anything else is taken as one value per row, or broadcast)."""
        data = {c: self.keys[c].take(i).reset_index(drop=True) for c in self.key_columns}
        if j is not None:
            data[self.session] = self.sessions[j]
        for name, arr in columns.items():
            data[name] = arr[i, j] if isinstance(arr, np.ndarray) and arr.ndim == 2 else arr
        return pd.DataFrame(data, copy=False)

    def describe_keys(self, idx, limit: int = 8) -> str:
        """Readable ids of the series at positions ``idx`` (``'A001'`` or ``'A001/client'``), at most ``limit``."""
        idx = list(idx)
        shown = []
        for k in idx[:limit]:
            row = self.keys.iloc[k]
            shown.append("/".join(str(row[c]) for c in self.key_columns))
        more = f" and {len(idx) - limit} more" if len(idx) > limit else ""
        return ", ".join(shown) + more


def _require_columns(data: pd.DataFrame, columns: dict, caller: str) -> None:
    for param, col in columns.items():
        if col is None:
            continue
        if not isinstance(col, str):
            raise InvalidParameterError(f"The {param!r} parameter of {caller}() must be a column name (a string); "
                                        f"got {col!r}.")
        if col not in data.columns:
            listed = ", ".join(repr(c) for c in list(data.columns)[:20])
            raise InvalidParameterError(
                f"The {param!r} parameter of {caller}() names the column {col!r}, which the data do not have; "
                f"its columns are {listed}{' ...' if data.shape[1] > 20 else ''}. Pass {param}='<column>'.")


def build_panel(data, *, value: str, client: str, session: str, rater: str | None = None, caller: str,
                param: str = "data", values=None) -> Panel:
    """Check a long table of session scores and turn it into a :class:`Panel`.

    Raises
    ------
    InvalidParameterError
        ``data`` is not a DataFrame, or a named column is absent.
    DataValidationError
        Session numbers that are not whole numbers, scores that are not numbers, or a series with the same
        session twice: every bad cell is listed at once (``err.report``), named by row, id, column and value.
    """
    if not isinstance(data, pd.DataFrame):
        raise InvalidParameterError(f"The {param!r} parameter of {caller}() must be a pandas DataFrame in long "
                                    f"layout (one row per session); got a {type(data).__name__}.")
    _require_columns(data, {"value": None if values is not None else value, "client": client, "session": session,
                            "rater": rater}, caller)
    keys = [client] + ([rater] if rater is not None else [])
    n = len(data)
    problems = []

    sess_raw = data[session]
    sess_num = pd.to_numeric(sess_raw.astype(object).where(sess_raw.notna(), np.nan), errors="coerce") \
        if not pd.api.types.is_numeric_dtype(sess_raw) or pd.api.types.is_bool_dtype(sess_raw) else sess_raw
    if isinstance(sess_raw.dtype, np.dtype) and sess_raw.dtype.kind in "iu":  # whole numbers, none missing
        sess_arr = sess_raw.to_numpy()
        bad_sess = np.zeros(n, dtype=bool)
    else:
        sess_arr = np.asarray(sess_num, dtype=float)
        with np.errstate(invalid="ignore"):  # inf - inf: not finite, found by isfinite
            bad_sess = ~np.isfinite(sess_arr) | (np.rint(sess_arr) != sess_arr)
    if pd.api.types.is_bool_dtype(sess_raw):
        bad_sess[:] = True
    for pos in np.flatnonzero(bad_sess):
        problems.append((pos, session, sess_raw.iloc[pos],
                         "session is missing" if pd.isna(sess_raw.iloc[pos]) else "not a whole session number"))
    if values is not None:  # scores computed by the caller, one per row (already checked)
        vals = np.asarray(values, dtype=float)
    else:
        try:  # a RangeIndex copy, so that the report's rows are positions
            vals = numeric_frame(data[[value]].reset_index(drop=True), param=param, caller=caller)[value].to_numpy()
        except DataValidationError as err:
            problems += [(int(r.row), value, r.value, r.reason) for r in err.report.itertuples()]
            vals = None
    # a missing id differs from its neighbours, so it starts a run: looking at the run starts finds them all
    starts, missing = _run_starts(data, keys)
    for col in keys:
        at = np.flatnonzero(missing[col])
        problems += [(pos, col, data[col].iloc[pos], "id is missing") for pos in at]
    if problems:
        _raise(data, problems, keys, caller, param, session)

    s_idx, first_pos = _series_codes(data, keys, starts)
    key_frame = data[keys].iloc[first_pos].reset_index(drop=True)

    sess_int = sess_arr.astype(np.int64) if n else np.array([], dtype=np.int64)
    lo = int(sess_int.min()) if n else 1
    hi = int(sess_int.max()) if n else 0
    width = hi - lo + 1
    if len(key_frame) * width > MAX_CELLS:
        raise InvalidParameterError(
            f"The {session!r} column of {caller}()'s data runs from {lo} to {hi}; with {len(key_frame)} series "
            f"that is a panel of {len(key_frame) * width:,} cells. Session numbers must count sessions (1, 2, 3, "
            "...); renumber them, e.g. data.groupby(client)[date].rank(method='first').")
    col = sess_int - lo
    flat = s_idx * width + col
    dup_mask = (np.bincount(flat, minlength=len(key_frame) * width) > 1)[flat] if n else np.zeros(0, bool)
    if dup_mask.any():
        problems = [(pos, session, sess_raw.iloc[pos], "the same session appears twice for this "
                     + ("client and rater" if rater else "client")) for pos in np.flatnonzero(dup_mask)]
        _raise(data, problems, keys, caller, param, session,
               fix="Keep one row per session (e.g. data.drop_duplicates([...]) after checking which is right), "
                   "or pass rater='<column>' when two raters share a client.")
    values = np.full((len(key_frame), width), np.nan)
    recorded = np.zeros((len(key_frame), width), dtype=bool)
    row = np.full((len(key_frame), width), -1, dtype=np.int64)
    values.ravel()[flat] = vals  # ravel: a view of the new (contiguous) arrays, faster to index than .flat
    recorded.ravel()[flat] = True
    row.ravel()[flat] = np.arange(n)
    return Panel(keys=key_frame, sessions=np.arange(lo, hi + 1), values=values, recorded=recorded, row=row,
                 client=client, rater=rater, session=session, value=value)


def _run_starts(data: pd.DataFrame, keys: list) -> tuple[np.ndarray, dict]:
    """Positions where the ids differ from the row before (a missing id always does), and each id column's
    missing-value mask. The ids are compared in their own array type (for Arrow strings in Arrow, without
    turning every id into a Python object)."""
    n = len(data)
    change = np.zeros(n, dtype=bool)
    missing = {}
    if n:
        change[0] = True
    for col in keys:
        v = data[col].array
        missing[col] = np.asarray(pd.isna(v), dtype=bool)
        with np.errstate(invalid="ignore"):
            differs = v[1:] != v[:-1]
        if hasattr(differs, "to_numpy"):  # a masked result (pd.NA semantics): missing counts as differing
            differs = differs.to_numpy(dtype=bool, na_value=True)
        change[1:] |= np.asarray(differs, dtype=bool)
        change |= missing[col]
    return np.flatnonzero(change), missing


def _series_codes(data: pd.DataFrame, keys: list, starts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Code of each row's series (0, 1, ... in order of first appearance) and the position of each series' first
    row. Rows of a series that are together (the usual export, sorted by client) are coded from the runs of equal
    ids, without hashing every id; otherwise by factorising."""
    n = len(data)
    if n == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    if len(keys) == 1:
        unique_runs = pd.Index(data[keys[0]].array.take(starts)).is_unique
    else:
        unique_runs = not data[keys].iloc[starts].duplicated().any()
    if unique_runs:  # every series is one run
        codes = np.zeros(n, dtype=np.int64)
        codes[starts[1:]] = 1
        return np.cumsum(codes), starts
    codes = np.zeros(n, dtype=np.int64)
    for col in keys:
        c, _ = pd.factorize(data[col], sort=False)
        codes = codes * (c.max() + 1) + c
    series, first_pos = np.unique(codes, return_index=True)
    order = np.argsort(first_pos, kind="stable")
    rank = np.empty(len(series), dtype=np.int64)
    rank[order] = np.arange(len(series))
    return rank[np.searchsorted(series, codes)], np.sort(first_pos)


def _raise(data, problems, keys, caller, param, session, fix=None):
    problems = sorted(problems, key=lambda p: (p[0], p[1]))
    report = pd.DataFrame({
        "row": [data.index[p[0]] for p in problems],
        "id": ["/".join(str(data[k].iloc[p[0]]) for k in keys) for p in problems],
        "column": [p[1] for p in problems],
        "value": [p[2] for p in problems],
        "reason": [p[3] for p in problems],
    })
    listing = "; ".join(f"row {r.row!r} (id {r.id}), column {r.column!r}: {r.value!r} ({r.reason})"
                        for r in report.head(10).itertuples())
    more = f" (and {len(report) - 10} more; all in err.report)" if len(report) > 10 else ""
    fix = fix or (f"Session numbers must be whole numbers (1, 2, ...) in {session!r}; scores numbers or blank "
                  "(a blank score is a missed session, kept as a gap).")
    raise DataValidationError(
        f"The {param!r} argument of {caller}() has {len(report)} bad cell(s): {listing}{more}. {fix}", report=report)
