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


def test_scalar_invariance_uses_each_groups_scale_and_means(reference, data):
    """Equal thresholds: the later group's omegas use its scale factors (loadings delta lambda on the standardized
    responses) and its thresholds delta (tau - mu). The first group is semTools' to 1e-6; semTools places the
    later group's thresholds at delta tau, leaving out its latent response means (a FIXME in its omegaCat), and
    with that one term removed ours are semTools' to 1e-6 there too."""
    fit = CFA(THREE, ordered=ITEMS, group_equal=["loadings", "thresholds"]).fit(data, group="school")
    ours = composite_reliability(fit)
    model = fit._problem.model
    for imp in fit._implieds:  # semTools' thresholds: delta * tau
        imp.tau = imp.tau + imp.delta[model.th_var] * imp.mu[model.th_var]
    semtools_way = composite_reliability(fit)
    first, later = fit.groups_
    for group, values in reference["school_scalar"].items():
        got = ours[ours["group"] == group].set_index("factor")["omega"]
        same = semtools_way[semtools_way["group"] == group].set_index("factor")["omega"]
        for name, value in values.items():
            assert same[name] == pytest.approx(value, abs=1e-6), (group, name)
            if group == first:
                assert got[name] == pytest.approx(value, abs=1e-6), (group, name)
            else:  # the latent means (about -0.1 to 0.5 SD) move the later group's omegas by up to 0.003
                assert got[name] == pytest.approx(value, abs=5e-3) and got[name] != pytest.approx(value, abs=1e-5)


def test_higher_order_is_refused_for_ordinal_items(data):
    fit = CFA(THREE + "\n g =~ visual + textual + speed", ordered=ITEMS).fit(data)
    with pytest.raises(InvalidParameterError, match="'higher' parameter .* ordinal"):
        composite_reliability(fit, higher=["g"])
