"""APIM against nlme::gls on the sample dyads (stored values, 1e-4), and its contract.

R (tests/reference/agreement/make_reference.R):
    gls(outcome ~ 0 + rater + rater:alliance + rater:partner, data = a, method = "REML",
        correlation = corCompSymm(form = ~ 1 | dyad_id), weights = varIdent(form = ~ 1 | rater),
        na.action = na.omit)
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from toolkit.dyadic import APIM, apim
from toolkit.exceptions import DataValidationError, InvalidParameterError, NotFittedError

from ._data import build_apim_sample, ref, stored

TOL = 1e-4
# R's term order -> ours
R_ORDER = [("client", "intercept"), ("therapist", "intercept"), ("client", "actor"), ("therapist", "actor"),
           ("client", "partner"), ("therapist", "partner")]


# The stored samples include incomplete dyads on purpose; the warning that names the rows left
# out is asserted in test_rows_left_out_are_named, and ignored in the other tests of this module.
pytestmark = pytest.mark.filterwarnings("ignore::toolkit.exceptions.IncompleteRowsWarning")

def test_sample_data_are_reproducible():
    pd.testing.assert_frame_equal(build_apim_sample().reset_index(drop=True), stored("apim_sample"),
                                  check_exact=False, atol=1e-8)


@pytest.mark.parametrize("method", ["REML", "ML"])
def test_matches_nlme_gls(method):
    R = ref("apim")[method]
    m = APIM("outcome", "alliance", method=method).fit(stored("apim_sample"))
    t = m.summary().loc[R_ORDER]
    for ours, theirs in (("estimate", "estimate"), ("se", "se"), ("t", "t"), ("p", "p")):
        np.testing.assert_allclose(t[ours].to_numpy(), R[theirs], atol=TOL, rtol=0, err_msg=ours)
    assert m.variance_.loc["sigma_client", "value"] == pytest.approx(R["sigma"]["client"], abs=TOL)
    assert m.variance_.loc["sigma_therapist", "value"] == pytest.approx(R["sigma"]["therapist"], abs=TOL)
    assert m.variance_.loc["rho", "value"] == pytest.approx(R["rho"], abs=TOL)
    assert m.loglik_ == pytest.approx(R["loglik"], abs=TOL)
    assert m.n_obs_ == R["n_obs"] and m.df_resid_ == R["n_obs"] - 6
    assert m.converged_
    assert m.n_dyads_ == 170 and "left out" in m.notes_[-1]
    assert m.result_.loglik == m.loglik_ and m.result_.n_dyads == 170


def test_complete_dyads_reduce_to_ols_per_role():
    """With every dyad complete both roles share the regressors (1, x_client, x_therapist): GLS = OLS per role
    and REML's residual covariance is E'E / (n - 3)."""
    rng = np.random.default_rng(11)
    n = 120
    x = rng.normal(size=(n, 2))
    y = x @ np.array([[0.5, 0.1], [0.2, 0.4]]) + rng.multivariate_normal([0, 0], [[1, 0.4], [0.4, 2]], n)
    data = pd.DataFrame({"dyad_id": np.repeat(np.arange(n), 2), "rater": ["client", "therapist"] * n,
                         "alliance": x.ravel(), "outcome": y.ravel()})
    m = apim(data, "outcome", "alliance")
    D = np.column_stack([np.ones(n), x])
    B, *_ = np.linalg.lstsq(D, y, rcond=None)
    E = y - D @ B
    S = E.T @ E / (n - 3)
    est = m.coef_
    assert est[("client", "actor")] == pytest.approx(B[1, 0], abs=1e-8)
    assert est[("client", "partner")] == pytest.approx(B[2, 0], abs=1e-8)
    assert est[("therapist", "actor")] == pytest.approx(B[2, 1], abs=1e-8)
    assert est[("therapist", "partner")] == pytest.approx(B[1, 1], abs=1e-8)
    assert m.variance_.loc["variance_therapist", "value"] == pytest.approx(S[1, 1], rel=1e-6)
    assert m.variance_.loc["rho", "value"] == pytest.approx(S[0, 1] / np.sqrt(S[0, 0] * S[1, 1]), abs=1e-6)
    cov = np.kron(S, np.linalg.inv(D.T @ D))  # Var(vec B) for the client block first
    assert m.summary().loc[("client", "actor"), "se"] == pytest.approx(np.sqrt(cov[1, 1]), rel=1e-6)
    assert m.k_["client"] == pytest.approx(B[2, 0] / B[1, 0])
    # centring moves only the intercepts
    c = APIM("outcome", "alliance", center="grand").fit(data)
    assert c.coef_[("client", "actor")] == pytest.approx(est[("client", "actor")], abs=1e-8)
    assert c.coef_[("client", "intercept")] != pytest.approx(est[("client", "intercept")], abs=1e-6)


def test_errors_name_the_fix():
    data = stored("apim_sample")
    with pytest.raises(InvalidParameterError, match=r"column\(s\) \['ors'\] not in the data of APIM.fit\(\).*set "
                                                    r"outcome=, actor=, dyad= and role="):
        APIM("ors", "alliance").fit(data)
    bad = data.copy()
    bad.loc[0, "rater"] = "observer"
    with pytest.raises(DataValidationError, match=r"column 'rater' holds \['observer'\] in 1 rows; expected only "
                                                  r"\['client', 'therapist'\]"):
        APIM().fit(bad)
    with pytest.raises(DataValidationError, match=r"2 rows repeat a dyad x role pair \(first: \[\['A001', "
                                                  r"'client'\]\]\)"):
        APIM().fit(pd.concat([data.iloc[[0]], data]))
    text = data.astype({"outcome": object})
    text.loc[2, "outcome"] = "high"
    with pytest.raises(DataValidationError, match=r"The 'data' argument of APIM.fit\(\) has 1 cell\(s\) that are "
                                                  r"not usable numbers: row 2, column 'outcome': 'high'") as err:
        APIM().fit(text)
    assert err.value.report[["row", "column"]].values.tolist() == [[2, "outcome"]]
    with pytest.raises(InvalidParameterError, match=r"The 'method' parameter of APIM\(\) must be one of 'REML', "
                                                    r"'ML'; got 'OLS'"):
        APIM(method="OLS").fit(data)
    with pytest.raises(InvalidParameterError, match=r"The 'center' parameter of APIM\(\) must be one of None, "
                                                    r"'grand', 'role'; got 'mean'"):
        APIM(center="mean").fit(data)
    with pytest.raises(InvalidParameterError, match=r"The 'ci' parameter of APIM\(\) must be a confidence level"):
        APIM(ci=95).fit(data)
    with pytest.raises(DataValidationError, match=r"the APIM needs members of both roles"):
        APIM().fit(data[data["rater"] == "client"])
    with pytest.raises(NotFittedError, match=r"This APIM is not fitted yet: call \.fit\(data\) before using "
                                             r"summary\(\)"):
        APIM().summary()
    with pytest.raises(InvalidParameterError, match=r"The 'data' parameter of APIM.fit\(\) must be a person-level "
                                                    r"DataFrame; got a ndarray"):
        APIM().fit(np.zeros((3, 3)))


def test_sklearn_contract_and_display():
    m = APIM("outcome", "alliance", method="ML")
    assert repr(m) == "APIM(method='ML')" and "not fitted" in m._repr_html_()
    assert m.fit(stored("apim_sample")) is m
    assert m.method == "ML"  # parameters untouched by fit
    html = m._repr_html_()
    assert "<table" in html and "actor" in html and "rho" in html
    assert m.summary().columns.tolist() == ["estimate", "se", "t", "df", "p", "ci_low", "ci_high"]
    pd.testing.assert_frame_equal(m.to_frame(), m.summary())
    assert m.get_params()["method"] == "ML" and m.set_params(ci=0.9) is m and m.ci == 0.9


def test_rows_left_out_are_named():
    from toolkit.exceptions import IncompleteRowsWarning

    data = stored("apim_sample")
    with pytest.warns(IncompleteRowsWarning, match=r"\d+ members left out of the APIM because the outcome, the "
                                                   r"predictor or the partner's predictor is missing: rows \['"):
        m = APIM("outcome", "alliance").fit(data)
    assert any("members left out" in note for note in m.notes_)


def test_convergence_does_not_depend_on_the_scale_of_the_data():
    """A fit stopped by float precision at the optimum is converged (estimates equivariant under rescaling)."""
    data = stored("apim_sample").dropna(subset=["outcome", "alliance"])
    m = APIM("outcome", "alliance").fit(data)
    for factor in (0.05, 20.0):
        scaled = data.assign(outcome=data["outcome"] * factor, alliance=data["alliance"] * factor)
        ms = APIM("outcome", "alliance").fit(scaled)
        assert ms.converged_
        intercepts = [i for i in m.coef_.index if i[1] == "intercept"]
        slopes = [i for i in m.coef_.index if i[1] != "intercept"]
        np.testing.assert_allclose(ms.coef_[intercepts], m.coef_[intercepts] * factor, rtol=1e-5)
        np.testing.assert_allclose(ms.coef_[slopes], m.coef_[slopes], rtol=1e-5, atol=1e-7)
