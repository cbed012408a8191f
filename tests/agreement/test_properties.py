"""Properties that hold for any data: CCC is bounded by |r| and equals r without location or scale shift;
Bland-Altman and the paired t test agree; swapping the raters flips the signs."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit.dyadic import bland_altman, concordance, d_z, paired_t, pearson_r, weighted_kappa

# generated data include flat profiles and perfect agreement, where a statistic is undefined (warned about,
# tested in test_statistics); the properties below are about the defined values
pytestmark = pytest.mark.filterwarnings("ignore::toolkit.exceptions.AgreementWarning")

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
    assert abs(c.estimate) <= abs(r.estimate) + 1e-12
    assert concordance(y, x).estimate == pytest.approx(c.estimate, abs=1e-12)
    # a standardised copy: same mean and variance -> CCC = r
    z = (y - y.mean()) / y.std() * x.std() + x.mean()
    assert concordance(x, z).estimate == pytest.approx(r.estimate, abs=1e-9)


@settings(max_examples=40, deadline=None)
@given(pairs)
def test_bland_altman_t_and_d_z_are_consistent(xy):
    x, y = np.array(xy[0], float), np.array(xy[1], float)
    ba, t = bland_altman(x, y), paired_t(x, y)
    assert ba.bias == pytest.approx(t.estimate) and ba.bias_ci_low == pytest.approx(t.ci_low)
    back = bland_altman(y, x)
    assert back.loa_low == pytest.approx(-ba.loa_high) and back.loa_high == pytest.approx(-ba.loa_low)
    if t.sd_diff > 0:
        d = d_z(x, y)
        assert d.ci_low <= d.estimate <= d.ci_high
        assert d_z(y, x).ci_low == pytest.approx(-d.ci_high, abs=1e-7)


@settings(max_examples=40, deadline=None)
@given(pairs)
def test_kappa_of_identical_ratings_is_one(xy):
    x = np.array(xy[0], float)
    if len(set(x)) > 1:
        for w in (None, "linear", "quadratic"):
            k = weighted_kappa(x, x, weights=w)
            assert k.estimate == pytest.approx(1.0) and k.ci_high == 1.0 and -1 <= k.ci_low <= 1


@settings(max_examples=40, deadline=None)
@given(pairs)
def test_kappa_se_is_symmetric_in_the_raters(xy):
    """Swapping the raters transposes the table: kappa and its Fleiss-Cohen-Everitt SE stay the same."""
    x, y = np.array(xy[0], float), np.array(xy[1], float)
    for w in (None, "linear", "quadratic"):
        k, back = weighted_kappa(x, y, weights=w), weighted_kappa(y, x, weights=w)
        if np.isfinite(k.estimate):
            assert back.estimate == pytest.approx(k.estimate, abs=1e-12)
            assert back.se == pytest.approx(k.se, abs=1e-12)
