"""composite_reliability() of WLSMV fits: Green & Yang's (2009) omega of ordinal items, against semTools.

R: tests/reference/cfa/ordinal/omega_ordinal.R (semTools 0.5-6's reliability() "omega3", the omega with the
observed polychoric correlations, which is compRelSEM's default; the two agree on the one-factor model).
Tolerance 1e-6: the omegas rest on DWLS estimates that agree with lavaan's to about 1e-6.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest

from toolkit.exceptions import InvalidParameterError
from toolkit.factor.cfa import CFA, composite_reliability

from ._refs import REF_DIR

ITEMS = [f"x{i}" for i in range(1, 10)]
THREE = "visual =~ x1 + x2 + x3\n textual =~ x4 + x5 + x6\n speed =~ x7 + x8 + x9"


@pytest.fixture(scope="module")
def reference():
    return json.loads((REF_DIR / "omega_ordinal.json").read_text())


@pytest.fixture(scope="module")
def data():
    return pd.read_csv(REF_DIR / "hs_cut4.csv")


def test_three_factors_and_total(reference, data):
    out = composite_reliability(CFA(THREE, ordered=ITEMS).fit(data)).set_index("factor")
    for name, value in reference["three"].items():
        assert out.loc[name, "omega"] == pytest.approx(value, abs=1e-6), name
    assert out.loc["total", "kind"] == "total" and out.loc["total", "n_items"] == 9


def test_one_factor_equals_comprelsem(reference, data):
    out = composite_reliability(CFA("visual =~ x1 + x2 + x3", ordered=ITEMS[:3]).fit(data))
    assert out["omega"].iloc[0] == pytest.approx(reference["one_compRelSEM"], abs=1e-6)


def test_groups(reference, data):
    out = composite_reliability(CFA(THREE, ordered=ITEMS).fit(data, group="school"))
    for group, values in reference["school"].items():
        got = out[out["group"] == group].set_index("factor")["omega"]
        for name, value in values.items():
            assert got[name] == pytest.approx(value, abs=1e-6), (group, name)


def test_higher_order_is_refused_for_ordinal_items(data):
    fit = CFA(THREE + "\n g =~ visual + textual + speed", ordered=ITEMS).fit(data)
    with pytest.raises(InvalidParameterError, match="'higher' parameter .* ordinal"):
        composite_reliability(fit, higher=["g"])
