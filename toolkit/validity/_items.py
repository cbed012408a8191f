"""The item data of an analysis: keyed item columns and the factor -> items map (instrument or keys)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd

from .._checks import instrument_or_keys, numeric_frame
from ..exceptions import InvalidParameterError, ItemMappingError

__all__ = ["ItemData", "item_data", "safe_name"]


@dataclass
class ItemData:
    """Keyed items (reverse-keyed ones reversed) and the structures to model."""

    frame: pd.DataFrame
    factors: dict                                   # subscale -> [columns]
    alternatives: dict = field(default_factory=dict)  # id -> (name, {factor: [columns]}, source)
    source: str = ""
    labels: dict = field(default_factory=dict)


def safe_name(text) -> str:
    """A lavaan-safe name (letters, digits, '.', '_'; starting with a letter)."""
    name = re.sub(r"[^A-Za-z0-9._]+", "_", str(text)).strip("_")
    if not name or not name[0].isalpha():
        name = "v" + name
    return name


def _distinct(name: str, taken: set) -> str:
    """``name``, or ``name2``, ``name3`` ... when it is taken; the result is added to ``taken``."""
    base, k = name, 2
    while name in taken:
        name, k = f"{base}{k}", k + 1
    taken.add(name)
    return name


def _safe_factors(factors: dict) -> dict:
    """The same map with factor names lavaan accepts (a name from keys may hold any text), kept distinct from
    each other and from every item name (a factor named like one of its items would be its own indicator)."""
    taken = {c for cols in factors.values() for c in cols}
    out = {}
    for name, cols in factors.items():
        new = name if re.match(r"^[A-Za-z][A-Za-z0-9._]*$", name) else safe_name(name)
        out[_distinct(new, taken)] = cols
    return out


def item_data(data, instrument=None, *, keys=None, form=None, response_scale=None, caller: str) -> ItemData:
    """Keyed items and factors from an instrument (its subscales and declared alternatives) or from keys."""
    if not isinstance(data, pd.DataFrame):
        raise InvalidParameterError(f"The 'data' parameter of {caller}() must be a pandas DataFrame with one row "
                                    f"per respondent; got a {type(data).__name__}.")
    instrument, keys = instrument_or_keys(instrument, keys, caller=caller)
    if instrument is not None:
        from ..instrument import load_instrument
        from ..scoring import default_column, item_frame

        ins = load_instrument(instrument)
        frame = item_frame(data, ins, form=form, reverse=True).astype(float)
        col = {it.number: default_column(ins, it.number) for it in ins.items}
        factors = {s: [col[n] for n in nums] for s, nums in ins.keys.items() if nums}
        if not factors:
            factors = {"total": [col[it.number] for it in ins.items]}
        alts = {}
        for alt in ins.factor_alternatives:
            fac = {f: [col[it.number] for it in ins.items if it.subscale in subs] for f, subs in alt.factors.items()}
            alts[alt.id] = (alt.name, _safe_factors(fac), alt.source)
        labels = {col[it.number]: it.label for it in ins.items}
        return ItemData(frame=frame, factors=_safe_factors(factors), alternatives=alts, source=f"instrument {ins.id}",
                        labels=labels)
    if keys is None:
        raise InvalidParameterError(f"{caller}() needs an instrument (e.g. 'wai-sr') or keys={{factor: [item "
                                    "columns]}} naming the items of each factor.")
    if not isinstance(keys, Mapping):
        if isinstance(keys, Sequence):
            keys = {"general": list(keys)}
        else:
            raise InvalidParameterError(f"The 'keys' parameter of {caller}() must be a mapping {{factor: [items]}}; "
                                        f"got a {type(keys).__name__}.")
    factors, reversed_, unknown = {}, set(), []
    for name, items in keys.items():
        items = [items] if isinstance(items, str) else list(items)
        cols = []
        for it in items:
            c = str(it)
            if c.startswith("-"):
                c = c[1:]
                reversed_.add(c)
            if c not in data.columns:
                unknown.append(c)
            cols.append(c)
        factors[str(name)] = cols
    if unknown:
        raise ItemMappingError(f"keys name items that are not columns of the data: {unknown}; columns are "
                               f"{[str(c) for c in data.columns][:30]}. Fix the names in 'keys' (a leading '-' "
                               "marks a reverse-keyed item).")
    used = list(dict.fromkeys(c for cols in factors.values() for c in cols))
    frame = numeric_frame(data[used], caller=caller)
    if reversed_:
        if response_scale is None:
            raise InvalidParameterError(f"keys of {caller}() mark reverse-keyed items {sorted(reversed_)}; pass "
                                        "response_scale=(min, max) so they can be reversed as min + max - x.")
        lo, hi = (float(response_scale.min), float(response_scale.max)) if hasattr(response_scale, "min") else \
            (float(response_scale[0]), float(response_scale[1]))
        for c in reversed_:
            frame[c] = lo + hi - frame[c]
    bad = [c for c in used if not re.match(r"^[A-Za-z.][A-Za-z0-9._]*$", c)]
    if bad:
        taken = {c for c in used if c not in bad}
        renamed = {c: _distinct(safe_name(c), taken) for c in bad}  # "a b" and "a_b" stay two items
        frame = frame.rename(columns=renamed)
        factors = {f: [renamed.get(c, c) for c in cols] for f, cols in factors.items()}
    return ItemData(frame=frame, factors=_safe_factors(factors), source="keys", labels={c: "" for c in frame.columns})
