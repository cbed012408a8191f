"""Turning user input into a numeric item matrix plus a scale map.

Two routes reach the statistics:

* an instrument: ``toolkit.scoring.item_frame`` returns the item columns (reverse-keyed items already
  reversed) and ``instrument.keys`` gives subscale -> item numbers;
* a plain DataFrame of items plus a ``keys`` mapping in psych's style, ``{"agree": ["-A1", "A2", ...]}``,
  where a leading ``-`` marks a reverse-keyed item (reversed as ``min + max - x``).

The public functions check their arguments (:mod:`toolkit._checks`) before calling :func:`prepare`; nothing
here re-checks them. :func:`note_and_warn` is how every statistic of the package reports a problem: the
message goes into the result's notes and is raised as a :class:`~toolkit.exceptions.ReliabilityWarning`
pointing at the user's line.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._checks import check_response_scale, numeric_frame, warn
from ..exceptions import InvalidParameterError, ItemMappingError, ReliabilityWarning

__all__ = ["ScaleData", "prepare", "parse_keys", "pick_scale", "note_and_warn"]

_FIX_CELLS = ("Recode them to numbers or blanks (missing), or analyse through an instrument with "
              "on_invalid='missing'.")


def note_and_warn(notes: list | None, message: str, category=None) -> None:
    """Keep ``message`` in ``notes`` (when given) and warn with it at the user's line."""
    if notes is not None and message not in notes:
        notes.append(message)
    warn(message, category or ReliabilityWarning)


def parse_keys(keys, columns, *, caller: str) -> tuple[dict[str, list[str]], set[str]]:
    """Split psych-style keys into ``{scale: [columns]}`` and the set of reverse-keyed columns.

    ``keys`` may be a mapping (scale -> list of column names, ``-name`` for reversed items) or a single
    list (one scale called ``"scale"``). ``None`` means one scale of all columns.
    """
    columns = [str(c) for c in (columns.tolist() if hasattr(columns, "tolist") else columns)]  # not label by label
    if keys is None:
        return {"scale": list(columns)}, set()
    if isinstance(keys, str) or not isinstance(keys, (Mapping, Sequence)):
        raise InvalidParameterError(
            f"The 'keys' parameter of {caller}() must be a mapping {{scale: [items]}} or a list of item columns; "
            f"got {keys!r} (a {type(keys).__name__}).")
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
        raise InvalidParameterError(
            f"The 'keys' parameter of {caller}(): item(s) {', '.join(both)} are reverse-keyed in one scale and not "
            "in another; an item is keyed one way in this analysis. Analyse those scales in separate calls.")
    if unknown:
        raise ItemMappingError(f"keys name items that are not columns of the data: {', '.join(unknown)}. "
                               f"Columns are: {', '.join(columns[:40])}{' ...' if len(columns) > 40 else ''}. "
                               "Fix the names in 'keys' (a leading '-' marks a reverse-keyed item).")
    return scales, reversed_


@dataclass
class ScaleData:
    """Item matrix (floats, keyed) with the scales to analyse.

    ``frame`` (DataFrame, caller's index, keyed items), ``scales`` ({name: [columns]}, the total included when
    asked), ``reversed`` (set of columns), ``labels`` ({column: item label}), ``scale_points`` (array of
    admissible values or None), ``source`` (text for titles and notes), ``lo``/``hi`` (the response range
    used to reverse items; None when nothing is reversed and no range was given), ``metric`` (the
    instrument's score metric).
    """

    frame: pd.DataFrame
    scales: dict
    reversed: set
    labels: dict
    scale_points: np.ndarray | None
    source: str
    lo: float | None = None
    hi: float | None = None
    metric: str = "mean"


def prepare(data, instrument=None, *, keys=None, form=None, items=None, pattern=None, on_invalid="raise",
            total=True, response_scale=None, caller: str) -> ScaleData:
    """Build :class:`ScaleData` from an instrument or a keys mapping (see module docstring)."""
    if not isinstance(data, pd.DataFrame):
        raise InvalidParameterError(f"The 'data' parameter of {caller}() must be a pandas DataFrame with one row "
                                    f"per respondent; got a {type(data).__name__}.")
    if instrument is not None:
        from ..instrument import load_instrument
        from ..scoring import default_column, item_frame
        from ..scoring.rules import resolve_scale

        if response_scale is not None and not isinstance(response_scale, Mapping) and \
                not hasattr(response_scale, "model_dump"):
            lo, hi = check_response_scale(response_scale, caller=caller)
            response_scale = {"min": lo, "max": hi}
        inst = load_instrument(instrument) if isinstance(instrument, str) else instrument
        frame = item_frame(data, inst, form=form, items=items, pattern=pattern, reverse=True,
                           on_invalid=on_invalid, response_scale=response_scale).astype(float)
        col = {it.number: default_column(inst, it.number) for it in inst.items}
        scales = {str(s): [col[n] for n in nums] for s, nums in inst.keys.items() if len(nums)}
        if not scales or total:
            scales["total"] = [col[it.number] for it in inst.items]  # item_frame returns every item or raises
        labels = {col[it.number]: (it.label or "") for it in inst.items}
        reversed_ = {col[n] for n in inst.reversed_items}
        rs = resolve_scale(inst, form, response_scale)  # the scale item_frame reversed the items with
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

    given = [name for name, value in (("form", form), ("items", items), ("pattern", pattern)) if value is not None]
    if on_invalid != "raise":
        given.append("on_invalid")
    if given:
        raise InvalidParameterError(
            f"{caller}(): {', '.join(repr(g) for g in given)} only appl{'ies' if len(given) == 1 else 'y'} with an "
            "instrument (which says which forms, columns and values are valid); with keys= name the columns in the "
            "keys and recode cells that are not numbers yourself (e.g. data.apply(pd.to_numeric, errors='coerce')).")
    scales, reversed_ = parse_keys(keys, data.columns, caller=caller)
    used = list(dict.fromkeys(c for cols in scales.values() for c in cols))
    labels = data.columns.tolist()
    names = [str(c) for c in labels]  # keys and results name columns as text; the data may not (0, 1, ...)
    seen: set[str] = set()
    clash = sorted({n for n in names if n in seen or seen.add(n)} & set(used))  # equal as text
    if clash:
        raise InvalidParameterError(
            f"The 'data' parameter of {caller}(): column name(s) {', '.join(map(repr, clash))} occur more than once "
            "(as text); give each column a distinct name (data.columns = [...]).")
    if names == used:
        frame = numeric_frame(data, param="data", caller=caller, fix=_FIX_CELLS)
    else:
        label = dict(zip(names, labels))
        frame = numeric_frame(data[[label[c] for c in used]], param="data", caller=caller, fix=_FIX_CELLS)
    if list(frame.columns) != used:  # labels that are not text (renaming costs more than comparing)
        frame.columns = used
    rng = check_response_scale(response_scale, caller=caller)
    lo = hi = None  # no item to reverse: no range is used
    if rng is not None:
        lo, hi = rng
    elif reversed_:  # psych: min + max of the items analysed
        vals = frame.to_numpy()
        lo, hi = (np.nanmin(vals), np.nanmax(vals)) if np.isfinite(vals).any() else (np.nan, np.nan)
    if reversed_:
        for c in reversed_:
            frame[c] = lo + hi - frame[c]
    if total and len(scales) > 1:
        scales["total"] = used
    return ScaleData(frame, scales, reversed_, {c: "" for c in used}, None, "keys", lo=lo, hi=hi)


def pick_scale(sd: ScaleData, subscale, *, caller: str) -> tuple[str, list[str]]:
    """The one scale a single statistic analyses: ``subscale`` when given, else the only one, else the total."""
    if subscale is not None:
        if not isinstance(subscale, str) or subscale not in sd.scales:
            raise InvalidParameterError(
                f"The 'subscale' parameter of {caller}() must be one of {', '.join(map(repr, sd.scales))}; "
                f"got {subscale!r}.")
        return subscale, sd.scales[subscale]
    if len(sd.scales) == 1:
        return next(iter(sd.scales.items()))
    return "total", sd.scales["total"]
