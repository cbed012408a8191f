"""Modification indices of WLSMV fits against lavaan 0.6-14's ``modindices()``.

R: tests/reference/cfa/ordinal/modindices.R (HolzingerSwineford1939 cut into 4 categories, three factors;
one group, by school, by school with equal loadings). Tolerances: MI 1e-4 absolute (an iterative fit: the
DWLS estimates agree with lavaan's to about 1e-6, and MIs here reach 27), EPCs and standardized EPCs 2e-5.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from toolkit.factor.cfa import CFA

from ._refs import REF_DIR

ITEMS = [f"x{i}" for i in range(1, 10)]
MODEL = "visual =~ x1 + x2 + x3\n textual =~ x4 + x5 + x6\n speed =~ x7 + x8 + x9"
CASES = {"one": ({}, None), "school": ({}, "school"), "school_loadings": ({"group_equal": ["loadings"]}, "school")}


@pytest.fixture(scope="module")
def reference():
    return json.loads((REF_DIR / "modindices_wlsmv.json").read_text())


@pytest.mark.parametrize("case", list(CASES))
def test_modification_indices_match_lavaan(reference, case):
    options, group = CASES[case]
    data = pd.read_csv(REF_DIR / "hs_cut4.csv")
    fit = CFA(MODEL, ordered=ITEMS, **options).fit(data, group=group)
    ours = fit.modification_indices(sort=False)
    R = pd.DataFrame(reference[case])
    keys = ["lhs", "op", "rhs"]
    if group is not None:
        R["group"] = [reference["groups"][g - 1] for g in R["group"]]
        keys.append("group")
    # with equal loadings, lavaan also lists the groups' scale factors (~*~, fixed at 1): so do we
    assert (R["op"] == "~*~").any() == (case == "school_loadings")
    both = R.merge(ours, on=keys, how="outer", suffixes=("_r", ""), indicator=True)
    assert (both["_merge"] == "both").all(), both.loc[both["_merge"] != "both", keys + ["_merge"]]
    assert len(ours) == len(R) and set(ours["op"]) == {"=~", "~~"} | ({"~*~"} if case == "school_loadings" else set())
    np.testing.assert_allclose(both["mi"], both["mi_r"], atol=1e-4, rtol=0)
    np.testing.assert_allclose(both["epc"], both["epc_r"], atol=2e-5, rtol=0)
    for col in ("sepc.lv", "sepc.all", "sepc.nox"):
        np.testing.assert_allclose(both[col.replace(".", "_")], both[col], atol=2e-5, rtol=0)
    # the largest: x9 loading on visual, lavaan's top line (MI 26.7) in the one-group model
    if case == "one":
        top = fit.modification_indices(sort=True).iloc[0]
        assert (top["lhs"], top["op"], top["rhs"]) == ("visual", "=~", "x9")
