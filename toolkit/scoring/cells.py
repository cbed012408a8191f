"""Turn raw response cells into numbers and name every bad one.

A cell is *missing* when it is empty (NaN, None, blank text or one of the usual
missing tokens such as ``NA``), or equals one of the caller's ``missing_codes``.
A cell is *bad* when it is not a number (and not one of the scale's anchor
labels), lies outside the scale's range, or is not on the scale's step.
Bad cells are never guessed at: they are reported, all at once.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..instrument.model import ResponseScale
from ._blocks import for_blocks

__all__ = ["NA_TOKENS", "read_cells", "check_cells", "whole_number_scale", "REASON_NAN", "REASON_RANGE", "REASON_STEP",
           "numbering"]

#: Text read as a missing cell (compared after stripping and lower-casing), as pandas.read_csv does.
NA_TOKENS = frozenset(
    ["", "na", "n/a", "nan", "null", "none", "-nan", "#n/a", "<na>", "missing", "."]
)
REASON_NAN = "not a number"
REASON_RANGE = "out of range"
REASON_STEP = "not on the scale's step"

_CHUNK = 1 << 17  # cells per pass (1 MB of float64): few passes, each chunk still cached for the next


def numbering(frame: pd.DataFrame) -> tuple[str, str]:
    """How the rows of ``frame`` are numbered in reports: the column name and a sentence saying what it is.

    Data read by :func:`toolkit.read_responses` are indexed by the file's line (``line``; for a workbook,
    the sheet's row) or the case number of an SPSS/Stata file (``case``); other data by their index
    labels (``row``), which count from 0 for a DataFrame built in code or loaded with ``load_sample``.
    """
    name = frame.index.name
    attrs = frame.attrs if isinstance(getattr(frame, "attrs", None), dict) else {}
    source = attrs.get("source")
    of = f" of {str(source).replace(chr(92), '/').rsplit('/', 1)[-1]}" if source else " of the file"
    if name == "line":
        if attrs.get("format") == "excel":
            return "line", f"line = the row of the sheet{of}"
        return "line", f"line = the line{of}"
    if name == "case":
        return "case", f"case = the case number{of}"
    first = ""
    if isinstance(frame.index, pd.RangeIndex) and frame.index.start == 0 and frame.index.step == 1:
        first = ", counting from 0"
    return "row", f"row = the row's label in the data's index{first}"


def _scale_text(scale: ResponseScale) -> str:
    if scale.type == "continuous":
        return f"a number from {scale.min:g} to {scale.max:g}"
    pts = scale.points
    shown = ", ".join(f"{p:g}" for p in pts) if len(pts) <= 11 else f"{pts[0]:g}, {pts[1]:g}, ..., {pts[-1]:g}"
    return f"one of {shown}"


def _parse_text(values: np.ndarray, scale: ResponseScale, missing_codes: set[float]):
    """Parse an object column: returns floats and a boolean mask of 'not a number' cells."""
    anchors = {str(label).strip().casefold(): float(v) for v, label in scale.anchors.items()}
    out = np.full(len(values), np.nan)
    nan_bad = np.zeros(len(values), dtype=bool)
    for k, v in enumerate(values):
        if v is None or v is pd.NA or v is pd.NaT:
            continue
        if isinstance(v, (bool, np.bool_)):
            nan_bad[k] = True
            continue
        if isinstance(v, (int, float, np.integer, np.floating)):
            out[k] = float(v)
            continue
        text = str(v).strip()
        low = text.casefold()
        if low in NA_TOKENS:
            continue
        try:
            out[k] = float(text.replace(",", ".") if text.count(",") == 1 and "." not in text else text)
        except ValueError:
            if low in anchors:
                out[k] = anchors[low]
            else:
                nan_bad[k] = True
    return out, nan_bad


def _whole_numbers_within(values: np.ndarray, lo: float, hi: float) -> bool:
    """Whether every cell is missing or a whole number from ``lo`` to ``hi`` (about four passes over the data,
    in chunks taken in memory order; when it holds, no cell of an integer-step scale is bad)."""
    flat = values.ravel(order="K")  # a view of a contiguous array: cells in the order they are stored
    below = np.empty(min(flat.size, _CHUNK))
    fraction = np.empty(below.size, dtype=bool)
    for start in range(0, flat.size, _CHUNK):
        x = flat[start:start + _CHUNK]
        # fmin/fmax skip missing cells (a chunk of missing cells only gives NaN, which fails no test)
        if np.fmin.reduce(x) < lo or np.fmax.reduce(x) > hi:
            return False
        # x > floor(x) exactly where x has a fraction; a missing cell compares false
        m = x.size
        np.greater(x, np.floor(x, out=below[:m]), out=fraction[:m])
        if fraction[:m].any():
            return False
    return True


def read_cells(
    frame: pd.DataFrame,
    columns: Sequence,
    scale: ResponseScale,
    *,
    missing_codes: Sequence[float] = (),
    positions: np.ndarray | None = None,
    copy: bool = True,
):
    """``frame[columns]`` as floats, and where its text cells are not numbers (checked against the scale by
    :func:`check_cells`).

    ``positions`` (optional) are the columns' positions in ``frame`` when the caller already knows them.
    ``copy=False`` lets ``values`` be a read-only view of the frame's cells where they are already floats (for a
    caller that only reads them).

    Returns
    -------
    values : ndarray, shape (n_rows, n_columns)
        Floats; missing cells (and ``missing_codes``) are NaN, text that is no number is NaN. A new array
        (with ``copy=False``, possibly a read-only view): the caller's frame is not touched.
    not_numbers : ndarray of bool, or None
        The cells that are text and no number (nor an anchor label of the scale); None when every column is
        numeric.
    """
    n, m = len(frame), len(columns)
    codes = {float(c) for c in missing_codes}
    if positions is None:
        positions = frame.columns.get_indexer_for(list(columns))
    positions = np.asarray(positions)
    if positions.size == frame.shape[1] and (positions == np.arange(positions.size)).all():
        sub = frame  # the frame holds just the item columns, in order: nothing to select
    else:
        sub = frame.take(positions, axis=1)
    numeric = all(t.kind in "iufc" if isinstance(t, np.dtype) else
                  pd.api.types.is_numeric_dtype(t) and not pd.api.types.is_bool_dtype(t) for t in sub.dtypes)
    nan_bad = None
    if numeric:
        values = sub.to_numpy(dtype=np.float64, na_value=np.nan, copy=copy or bool(codes))
    else:
        values = np.empty((n, m), dtype=np.float64)
        nan_bad = np.zeros((n, m), dtype=bool)
        for j in range(m):
            s = sub.iloc[:, j]
            if pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype):
                values[:, j] = s.to_numpy(dtype=np.float64, na_value=np.nan)
            else:
                values[:, j], nan_bad[:, j] = _parse_text(s.to_numpy(dtype=object), scale, codes)
    if codes:
        values[np.isin(values, list(codes))] = np.nan
    return values, nan_bad


def whole_number_scale(scale: ResponseScale) -> bool:
    """Whether every answer on ``scale`` is a whole number (points one apart from a whole ``min``)."""
    return scale.type == "ordinal" and scale.effective_step == 1 and float(scale.min).is_integer()


def check_cells(values: np.ndarray, scale: ResponseScale, not_numbers: np.ndarray | None = None):
    """The bad cells of ``values`` (from :func:`read_cells`) on ``scale``, all of them.

    Returns
    -------
    bad_rows, bad_cols : ndarray of int
        Positions of the bad cells, in row-major order.
    reasons : list of str
        The reason for each bad cell, aligned with ``bad_rows`` (not a number, out of range, not on the
        scale's step, with what was expected).
    whole : bool
        Every cell is missing or a whole number on the scale (found by the quick check of the usual case;
        False means "not shown", not "not whole").
    """
    n, m = values.shape
    nan_bad = not_numbers
    lo, hi = scale.min, scale.max
    step = scale.effective_step if scale.type == "ordinal" else None  # a resolution is how lines are measured
    off_kind = np.int8(2)

    def check(a: int, b: int):
        block = values[a:b]
        with np.errstate(invalid="ignore"):
            kind = ((block < lo) | (block > hi)).view(np.int8)  # 1: out of range
            if step is not None:
                if step == 1 and float(lo).is_integer():
                    off = np.rint(block) != block
                else:  # a decimal step such as 0.1 has no exact float: allow for the noise of parsing it
                    k = (block - lo) / step
                    off = np.abs(np.rint(k) - k) > 1e-9
                off &= ~np.isnan(block)
                if off.any():
                    kind = np.where(off & (kind == 0), off_kind, kind)  # 2: off step
        if nan_bad is not None:
            kind = np.where(nan_bad[a:b], np.int8(3), kind)  # 3: not a number
        if not kind.any():
            return None
        r, c = np.nonzero(kind)
        return r + a, c, kind[r, c]

    clean = nan_bad is None and whole_number_scale(scale) and _whole_numbers_within(values, lo, hi)  # the usual case
    found = [] if clean else [f for f in for_blocks(n, max(64, _CHUNK // max(1, m)), check) if f is not None]
    if not found:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, [], bool(clean)
    bad_rows = np.concatenate([f[0] for f in found]).astype(np.int64)
    bad_cols = np.concatenate([f[1] for f in found]).astype(np.int64)
    kinds = np.concatenate([f[2] for f in found])
    expected = _scale_text(scale)
    label = {1: REASON_RANGE, 2: REASON_STEP, 3: REASON_NAN}
    reasons = [f"{label[int(t)]} (expected {expected})" for t in kinds]
    return bad_rows, bad_cols, reasons, False


def bad_cell_report(
    frame: pd.DataFrame,
    columns: Sequence,
    items: Sequence[int],
    bad_rows: np.ndarray,
    bad_cols: np.ndarray,
    reasons: Sequence[str],
    id_cols: Sequence = (),
) -> pd.DataFrame:
    """One row per bad cell: row label (``line``/``case``/``row``, see :func:`numbering`), id columns,
    column, item, raw value, reason."""
    keys = list(zip(bad_rows.tolist(), bad_cols.tolist()))
    where = numbering(frame)[0]
    id_cols = [c for c in id_cols if c != where]
    rows = {
        where: [frame.index[i] for i, _ in keys],
        **{c: [frame[c].iloc[i] for i, _ in keys] for c in id_cols},
        "column": [columns[j] for _, j in keys],
        "item": [int(items[j]) for _, j in keys],
        "value": [frame[columns[j]].iloc[i] for i, j in keys],
        "reason": list(reasons),
    }
    return pd.DataFrame(rows, columns=[where, *id_cols, "column", "item", "value", "reason"]).astype(
        {"value": object}
    )
