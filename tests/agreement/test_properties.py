"""Properties that hold for any data: CCC is bounded by |r| and equals r without location or scale shift;
Bland-Altman and the paired t test agree; swapping the raters flips the signs."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit.dyadic import bland_altman, concordance, d_z, paired_t, pearson_r, weighted_kappa

pairs = st.integers(min_value=6, max_value=60).flatmap(
    lambda n: st.tuples(st.lists(st.integers(1, 7), min_size=n, max_size=n),
                        st.lists(st.integers(1, 7), min_size=n, max_size=n)))


@settings(max_examples=40, deadline=None)
@given(pairs)
def test_ccc_bounded_by_r_and_swaps(xy):
    x, y = np.array(xy[0], float), np.array(xy[1], float)
    if x.std() == 0 or y.std() == 0:
        return
    c, r = concordance(x, y), pearson_r(x, y)
    assert abs(c["ccc"]) <= abs(r["r"]) + 1e-12
    assert concordance(y, x)["ccc"] == pytest.approx(c["ccc"], abs=1e-12)
    # a standardised copy: same mean and variance -> CCC = r
    z = (y - y.mean()) / y.std() * x.std() + x.mean()
    assert concordance(x, z)["ccc"] == pytest.approx(r["r"], abs=1e-9)


@settings(max_examples=40, deadline=None)
@given(pairs)
def test_bland_altman_t_and_d_z_are_consistent(xy):
    x, y = np.array(xy[0], float), np.array(xy[1], float)
    ba, t = bland_altman(x, y), paired_t(x, y)
    assert ba["bias"] == pytest.approx(t["mean_diff"]) and ba["bias_ci_low"] == pytest.approx(t["ci_low"])
    back = bland_altman(y, x)
    assert back["loa_low"] == pytest.approx(-ba["loa_high"]) and back["loa_high"] == pytest.approx(-ba["loa_low"])
    if t["sd_diff"] > 0:
        d = d_z(x, y)
        assert d["ci_low"] <= d["d_z"] <= d["ci_high"]
        assert d_z(y, x)["ci_low"] == pytest.approx(-d["ci_high"], abs=1e-7)


@settings(max_examples=40, deadline=None)
@given(pairs)
def test_kappa_of_identical_ratings_is_one(xy):
    x = np.array(xy[0], float)
    if len(set(x)) > 1:
        for w in (None, "linear", "quadratic"):
            assert weighted_kappa(x, x, weights=w) == pytest.approx(1.0)
