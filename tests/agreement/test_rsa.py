"""Response surface analysis against a hand-built polynomial regression (numpy lstsq) and R's lm().

R (tests/reference/agreement/make_reference.R):
    m <- lm(ors_next ~ x + y + I(x^2) + I(x * y) + I(y^2), data = r)   # x, y centred at 50
    a = C %*% coef(m), se = sqrt(diag(C %*% vcov(m) %*% t(C)))
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from toolkit.dyadic import ResponseSurface, response_surface
from toolkit.exceptions import DataValidationError, InvalidParameterError, NotFittedError

from ._data import build_rsa_sample, ref, stored


# The stored samples include incomplete dyads on purpose; the warning that names the rows left
# out is asserted in test_rows_left_out_are_named, and ignored in the other tests of this module.
pytestmark = pytest.mark.filterwarnings("ignore::toolkit.exceptions.IncompleteRowsWarning")

def test_hand_worked_polynomial():
    rng = np.random.default_rng(5)
    n = 150
    x, y = rng.normal(4, 1, n), rng.normal(4, 1, n)
    z = 1 + 0.5 * x + 0.2 * y - 0.3 * (x - y) ** 2 + rng.normal(0, 0.7, n)
    data = pd.DataFrame({"x": x, "y": y, "z": z})
    rs = ResponseSurface("z", "x", "y", center=4).fit(data)
    X, Y = x - 4, y - 4
    D = np.column_stack([np.ones(n), X, Y, X**2, X * Y, Y**2])
    b, *_ = np.linalg.lstsq(D, z, rcond=None)
    e = z - D @ b
    V = e @ e / (n - 6) * np.linalg.inv(D.T @ D)
    np.testing.assert_allclose(rs.coef_.to_numpy(), b, atol=1e-10)
    np.testing.assert_allclose(rs.cov_.to_numpy(), V, atol=1e-12)
    a = {"a1": b[1] + b[2], "a2": b[3] + b[4] + b[5], "a3": b[1] - b[2], "a4": b[3] - b[4] + b[5],
         "a5": b[3] - b[5]}
    c4 = np.array([0, 0, 0, 1, -1, 1])
    for k, v in a.items():
        assert rs.surface_.loc[k, "estimate"] == pytest.approx(v, abs=1e-10)
    se4 = np.sqrt(c4 @ V @ c4)
    assert rs.surface_.loc["a4", "se"] == pytest.approx(se4, abs=1e-12)
    assert rs.surface_.loc["a4", "p"] == pytest.approx(2 * stats.t.sf(abs(a["a4"] / se4), n - 6), abs=1e-12)
    b1, b2, b3, b4, b5 = b[1:]
    x0 = (b2 * b4 - 2 * b1 * b5) / (4 * b3 * b5 - b4**2)
    assert rs.stationary_["X0"] == pytest.approx(x0, abs=1e-10)
    p11 = (b5 - b3 + np.sqrt((b3 - b5) ** 2 + b4**2)) / b4
    assert rs.stationary_["p11"] == pytest.approx(p11, abs=1e-10)
    # the simulated incongruence curvature (-0.3 * 4 = -1.2 on a4) is found
    assert rs.surface_.loc["a4", "ci_low"] < -1.2 < rs.surface_.loc["a4", "ci_high"]
    # by hand: X = 5 - 4 = 1, Y = 3 - 4 = -1 -> (1, X, Y, X^2, XY, Y^2) = (1, 1, -1, 1, -1, 1)
    assert rs.predict([5.0], [3.0])[0] == pytest.approx(b @ [1, 1, -1, 1, -1, 1], abs=1e-12)
    g = rs.grid(5)
    assert g.shape == (25, 3) and g["z"].iloc[12] == pytest.approx(b[0])


def test_matches_r_lm_on_the_sample():
    R = ref("rsa")
    pd.testing.assert_frame_equal(build_rsa_sample(), stored("rsa_sample"), check_exact=False, atol=1e-8)
    rs = response_surface(stored("rsa_sample"), "ors_next", "client", "therapist", center=50)
    np.testing.assert_allclose(rs.coef_.to_numpy(), R["b"], atol=1e-8)
    np.testing.assert_allclose(np.sqrt(np.diag(rs.cov_)), R["se"], atol=1e-8)
    np.testing.assert_allclose(rs.surface_["estimate"].to_numpy(), R["a"], atol=1e-8)
    np.testing.assert_allclose(rs.surface_["se"].to_numpy(), R["a_se"], atol=1e-8)
    assert (rs.sigma_, rs.r2_, rs.adj_r2_, rs.f_, rs.df_resid_, rs.n_) == pytest.approx(
        (R["sigma"], R["r2"], R["adj_r2"], R["f"], R["df"], R["n"]), abs=1e-8)
    assert rs.summary().index.tolist() == ["b0", "b1", "b2", "b3", "b4", "b5", "a1", "a2", "a3", "a4", "a5"]
    assert rs.result_.r2 == rs.r2_ and rs.result_.stationary.equals(rs.stationary_)


def test_pooled_centre_and_errors():
    d = stored("rsa_sample")
    rs = ResponseSurface("ors_next", "client", "therapist", center="pooled").fit(d)
    ok = d.dropna()
    assert rs.center_ == pytest.approx(np.concatenate([ok["client"], ok["therapist"]]).mean())
    # centring changes b but not the fit
    raw = ResponseSurface("ors_next", "client", "therapist").fit(d)
    assert rs.r2_ == pytest.approx(raw.r2_, abs=1e-10)
    with pytest.raises(InvalidParameterError, match=r"The 'center' parameter of ResponseSurface\(\) must be None, a "
                                                    r"number or 'pooled'; got 'mid'"):
        ResponseSurface("ors_next", "client", "therapist", center="mid").fit(d)
    with pytest.raises(InvalidParameterError, match=r"column\(s\) \['outcome'\] not in the data"):
        ResponseSurface().fit(d)
    with pytest.raises(DataValidationError, match=r"the polynomial needs more than 6 complete cases"):
        ResponseSurface("ors_next", "client", "therapist").fit(d.head(5))
    bad = d.astype({"client": object})
    bad.loc[1, "client"] = "n/a?"
    with pytest.raises(DataValidationError, match=r"The 'data' argument of ResponseSurface.fit\(\) has 1 cell\(s\) "
                                                  r"that are not usable numbers: row 1, column 'client': 'n/a\?'"):
        ResponseSurface("ors_next", "client", "therapist").fit(bad)
    with pytest.raises(NotFittedError, match=r"not fitted yet"):
        ResponseSurface().summary()
    with pytest.raises(NotFittedError, match=r"before using predict\(\)"):
        ResponseSurface().predict([1], [2])
    html = raw._repr_html_()
    assert "<table" in html and "R2 = " in html and "<th>r2</th>" in html
    assert "not fitted" in ResponseSurface()._repr_html_()
    assert repr(ResponseSurface()) == "ResponseSurface()"


def test_rows_left_out_are_named():
    from toolkit.exceptions import IncompleteRowsWarning

    d = stored("rsa_sample").copy()
    d.loc[d.index[:2], "client"] = np.nan
    with pytest.warns(IncompleteRowsWarning, match=r"rows with a missing value left out of the response surface: "
                                                   r"rows \['"):
        rs = ResponseSurface("ors_next", "client", "therapist").fit(d)
    assert "rows with a missing value left out" in rs.notes_[0]
