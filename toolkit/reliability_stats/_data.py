"""Turning user input into a numeric item matrix plus a scale map.

Two routes reach the statistics:

* an instrument: ``toolkit.scoring.item_frame`` returns the item columns (reverse-keyed items already
  reversed) and ``instrument.keys`` gives subscale -> item numbers;
* a plain DataFrame of items plus a ``keys`` mapping in psych's style, ``{"agree": ["-A1", "A2", ...]}``,
  where a leading ``-`` marks a reverse-keyed item (reversed as ``min + max - x``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from ..exceptions import DataValidationError, ItemMappingError

__all__ = ["MISSING_CHOICES", "ScaleData", "prepare", "parse_keys", "check_missing", "check_options"]

MISSING_CHOICES = ("pairwise", "listwise")


def check_options(ci: float = 0.95, n_boot: int = 0) -> None:
    if not (isinstance(ci, (int, float)) and 0 < ci < 1):
        raise ValueError(f"'ci' must be a confidence level between 0 and 1, e.g. 0.95 (got {ci!r})")
    if isinstance(n_boot, bool) or not isinstance(n_boot, (int, np.integer)) or n_boot < 0:
        raise ValueError(f"'n_boot' must be a whole number of bootstrap resamples >= 0, e.g. 1000 (got {n_boot!r})")


def check_missing(missing: str) -> str:
    if missing not in MISSING_CHOICES:
        raise ValueError(f"'missing' must be one of {MISSING_CHOICES} (got {missing!r}); 'pairwise' is psych's "
                         "default (each covariance from the rows answering both items), 'listwise' keeps only "
                         "rows that answered every item of the scale")
    return missing


def parse_keys(keys, columns) -> tuple[dict[str, list[str]], set[str]]:
    """Split psych-style keys into ``{scale: [columns]}`` and the set of reverse-keyed columns.

    ``keys`` may be a mapping (scale -> list of column names, ``-name`` for reversed items) or a single
    list (one scale called ``"scale"``). ``None`` means one scale of all columns.
    """
    columns = [str(c) for c in columns]
    if keys is None:
        return {"scale": list(columns)}, set()
    if isinstance(keys, str) or not isinstance(keys, (Mapping, Sequence)):
        raise TypeError(f"'keys' must be a mapping {{scale: [items]}} or a list of item names (got {keys!r} "
                        f"that is a {type(keys).__name__})")
    if not isinstance(keys, Mapping):
        keys = {"scale": list(keys)}
    scales: dict[str, list[str]] = {}
    reversed_: set[str] = set()
    unknown = []
    for scale, items in keys.items():
        if isinstance(items, str):
            items = [items]
        cols = []
        for item in items:
            name = str(item)
            neg = name.startswith("-")
            if neg:
                name = name[1:]
            if name not in columns:
                unknown.append(f"{item!r} (scale {scale!r})")
                continue
            if neg:
                reversed_.add(name)
            cols.append(name)
        scales[str(scale)] = cols
    plain = {str(i) for items in keys.values() for i in ([items] if isinstance(items, str) else items)
             if not str(i).startswith("-")}
    both = sorted(reversed_ & plain)
    if both:
        raise ValueError(f"item(s) {', '.join(both)} are reverse-keyed in one scale and not in another; an item is "
                         "keyed one way in this analysis. Analyse those scales in separate calls.")
    if unknown:
        raise ItemMappingError(f"keys name items that are not columns of the data: {', '.join(unknown)}. "
                               f"Columns are: {', '.join(columns[:40])}{' ...' if len(columns) > 40 else ''}. "
                               "Fix the names in 'keys' (a leading '-' marks a reverse-keyed item).")
    return scales, reversed_


class ScaleData:
    """Item matrix (floats, keyed) with the scales to analyse.

    Attributes: ``frame`` (DataFrame, caller's index, keyed items), ``scales`` ({name: [columns]}, the
    total included when asked), ``reversed`` (set of columns),
    ``labels`` ({column: item label}), ``scale_points`` (array of admissible values or None),
    ``source`` (text for notes).
    """

    def __init__(self, frame, scales, reversed_, labels, scale_points, source, lo=None, hi=None, metric="mean"):
        self.lo, self.hi, self.metric = lo, hi, metric
        self.frame = frame
        self.scales = scales
        self.reversed = reversed_
        self.labels = labels
        self.scale_points = scale_points
        self.source = source


_FIX_CELLS = "Recode them to numbers or blanks (missing), or use an instrument with on_invalid='missing'."


def _numeric(frame: pd.DataFrame, fix: str = _FIX_CELLS) -> pd.DataFrame:
    """Float copy of ``frame``; every cell that is not a number is named at once in a DataValidationError."""
    if all(pd.api.types.is_numeric_dtype(t) and not pd.api.types.is_bool_dtype(t) for t in frame.dtypes):
        return pd.DataFrame(frame.to_numpy(dtype=float, na_value=np.nan, copy=True), index=frame.index,
                            columns=frame.columns, copy=False)  # numbers only: one conversion, no per-column work
    bad = []
    out = {}
    for col in frame.columns:
        s = frame[col]
        if pd.api.types.is_bool_dtype(s) or not (pd.api.types.is_numeric_dtype(s)):
            conv = pd.to_numeric(s, errors="coerce")
            mask = conv.isna() & s.notna()
            for idx in s.index[mask.to_numpy()]:
                bad.append({"row": idx, "column": col, "value": s[idx], "reason": "not a number"})
            out[col] = conv.astype(float)
        else:
            out[col] = s.astype(float)
    if bad:
        report = pd.DataFrame(bad)
        lines = "; ".join(f"row {b['row']!r}, column {b['column']!r}: {b['value']!r}" for b in bad[:10])
        raise DataValidationError(
            f"{len(bad)} cell(s) are not numbers: {lines}{' ...' if len(bad) > 10 else ''}. {fix}", report=report)
    return pd.DataFrame(out, index=frame.index)


def prepare(data, instrument=None, *, keys=None, form=None, items=None, pattern=None, on_invalid="raise",
            total=True, scale=None) -> ScaleData:
    """Build :class:`ScaleData` from an instrument or a keys mapping (see module docstring)."""
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"'data' must be a pandas DataFrame with one row per respondent (got "
                        f"{type(data).__name__})")
    if instrument is not None:
        if keys is not None:
            raise ValueError("give either an instrument or 'keys', not both: the instrument's own key decides "
                             "which items belong to which subscale and which are reversed")
        from ..instrument import load_instrument
        from ..scoring import default_column, item_frame
        from ..scoring.rules import resolve_scale

        inst = load_instrument(instrument) if isinstance(instrument, str) else instrument
        frame = item_frame(data, inst, form=form, items=items, pattern=pattern, reverse=True,
                           on_invalid=on_invalid).astype(float)
        col = {it.number: default_column(inst, it.number) for it in inst.items}
        scales = {str(s): [col[n] for n in nums] for s, nums in inst.keys.items() if len(nums)}
        if not scales or total:
            scales["total"] = [col[it.number] for it in inst.items]  # item_frame returns every item or raises
        labels = {col[it.number]: (it.label or "") for it in inst.items}
        reversed_ = {col[n] for n in inst.reversed_items}
        rs = resolve_scale(inst, form, None)  # the scale item_frame reversed the items with
        points = None
        if getattr(rs, "type", "ordinal") == "ordinal":
            try:
                points = np.asarray(list(rs.points), dtype=float)
            except Exception:  # pragma: no cover - defensive: scale without enumerable points
                points = None
        lo, hi = getattr(rs, "min", None), getattr(rs, "max", None)
        metric = getattr(getattr(inst, "scoring", None), "method", "sum") or "sum"
        return ScaleData(frame, scales, reversed_, labels, points, f"instrument {inst.id}",
                         lo=lo, hi=hi, metric=metric)

    scales, reversed_ = parse_keys(keys, data.columns)
    used = list(dict.fromkeys(c for cols in scales.values() for c in cols))
    frame = _numeric(data[used])
    if scale is not None:
        lo, hi = float(scale[0]), float(scale[1])
    else:  # psych: min + max of the items analysed
        vals = frame.to_numpy()
        lo, hi = (np.nanmin(vals), np.nanmax(vals)) if np.isfinite(vals).any() else (np.nan, np.nan)
    if reversed_:
        for c in reversed_:
            frame[c] = lo + hi - frame[c]
    if total and len(scales) > 1:
        scales["total"] = used
    return ScaleData(frame, scales, reversed_, {c: "" for c in used}, None, "keys", lo=lo, hi=hi)
