"""Comparison of fitted models with stored lavaan output (the tolerances are the tests')."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

REF = Path(__file__).resolve().parents[1] / "reference" / "cfa"


def load_ref(name: str):
    return json.loads((REF / name).read_text())


def read_csv(name: str) -> pd.DataFrame:
    return pd.read_csv(REF / name)


def _key(lhs, op, rhs, group=None):
    if op == "~~" and str(rhs) < str(lhs):
        lhs, rhs = rhs, lhs
    return (str(lhs), op, "" if rhs is None else str(rhs), group)


def _ours_index(frame, group_labels=None):
    out = {}
    for i, r in frame.reset_index(drop=True).iterrows():
        g = None
        if "group" in frame.columns and group_labels is not None:
            g = group_labels.index(r["group"]) + 1 if r["group"] in group_labels else None
        out[_key(r["lhs"], r["op"], r["rhs"], g)] = i
    return out


def match(ours: pd.DataFrame, ref_rows: list, group_labels=None):
    """Pairs (our row, reference row) for every reference row; fails when a reference row has no match."""
    idx = _ours_index(ours, group_labels)
    pairs = []
    missing = []
    for r in ref_rows:
        if r["op"] in ("==",):
            continue
        g = r.get("group") if group_labels is not None else None
        k = _key(r["lhs"], r["op"], r.get("rhs", ""), g)
        if k not in idx:
            missing.append(k)
            continue
        pairs.append((ours.iloc[idx[k]], r))
    assert not missing, f"reference rows without a match: {missing[:10]}"
    return pairs


def _num(v):
    return np.nan if v is None else float(v)


def compare_columns(ours, ref_rows, columns: dict, *, atol: float, group_labels=None, rtol: float = 0.0):
    """``columns``: our column -> reference column. NaN/None must agree."""
    pairs = match(ours, ref_rows, group_labels)
    for ocol, rcol in columns.items():
        a = np.array([_num(o[ocol]) for o, _ in pairs])
        b = np.array([_num(r.get(rcol)) for _, r in pairs])
        if rcol == "se":  # lavaan reports se 0 for fixed parameters
            b = np.where(np.isnan(b), 0.0, b)
        both = ~np.isnan(b)
        bad = both & ~np.isclose(a, b, atol=atol, rtol=rtol)
        if bad.any():
            rows = [(tuple(pairs[i][0][["lhs", "op", "rhs"]]), a[i], b[i]) for i in np.flatnonzero(bad)[:8]]
            raise AssertionError(f"{ocol} differs from lavaan's {rcol} beyond {atol}: {rows}")
    return len(pairs)


def compare_fit(ours: pd.Series, ref: dict, *, rtol: float = 1e-3, atol: float = 1e-6, skip=()):
    bad, absent = [], []
    for k, v in ref.items():
        if k in skip:
            continue
        if k not in ours.index:
            absent.append(k)
            continue
        a, b = float(ours[k]), _num(v)
        if np.isnan(b):
            if not np.isnan(a):
                bad.append((k, a, b))
            continue
        if not np.isclose(a, b, rtol=rtol, atol=atol):
            bad.append((k, a, b))
    assert not absent, f"fit measures lavaan reports that we do not: {absent}"
    assert not bad, f"fit measures that differ from lavaan's (rtol {rtol}): {bad}"
