"""Omega from the joint model (semTools::compRelSEM) and the reliability table's use of it (issue 10, item 5).

R: tests/reference/cfa/make_reference.R, section ``omega``:
``compRelSEM(cfa(HS, data = HolzingerSwineford1939, std.lv = TRUE), return.total = TRUE)`` and, for the
subscale alone, ``compRelSEM(cfa("visual =~ x1 + x2 + x3", ..., std.lv = TRUE))``. Tolerance 1e-5 (omega is a
ratio of fitted quantities; lavaan's estimates are within ~1e-6).
"""

from __future__ import annotations

import pytest

from toolkit import reliability
from toolkit.factor.cfa import CFA, composite_reliability

from ._compare import load_ref
from .conftest import HS_MODEL

REF = load_ref("holzinger_swineford_omega.json")
KEYS = {"visual": ["x1", "x2", "x3"], "textual": ["x4", "x5", "x6"], "speed": ["x7", "x8", "x9"]}


def test_comprelsem_on_the_joint_model(hs):
    out = composite_reliability(CFA(HS_MODEL, std_lv=True).fit(hs)).set_index("factor")
    for k, v in REF["omega"].items():
        assert out.loc[k, "omega"] == pytest.approx(v, abs=1e-5)
    assert out.loc["total", "kind"] == "total" and out.loc["total", "n_items"] == 9


def test_reliability_table_reports_the_joint_omega(hs):
    """HS visual: .6120 in the joint model (what R reports), .6326 when the subscale is fitted alone."""
    rel = reliability(hs[[f"x{i}" for i in range(1, 10)]], keys=KEYS, n_boot=0)
    assert rel.table.loc["visual", "omega_cfa"] == pytest.approx(REF["omega"]["visual"], abs=1e-5)
    assert rel.table.loc["visual", "omega_cfa_alone"] == pytest.approx(REF["one_factor"]["visual"], abs=1e-5)
    assert rel.table.loc["total", "omega_cfa"] == pytest.approx(REF["omega"]["total"], abs=1e-5)
    assert any(".6120 joint" in n for n in rel.notes)


def test_higher_order_and_bifactor_omegas(hs):
    so = CFA(HS_MODEL + "\n g =~ visual + textual + speed", std_lv=True).fit(hs)
    out = composite_reliability(so, higher=["g"]).set_index("factor")
    assert out.loc["g", "kind"] == "higher-order" and 0 < out.loc["g", "omega"] < out.loc["total", "omega"]
    with pytest.raises(Exception, match="not factors"):
        composite_reliability(so, higher=["h"])
