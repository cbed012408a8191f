"""A structural model (PoliticalDemocracy) against lavaan 0.6-14: regressions among factors, residual
covariances, equal labels, means, defined parameters, and an observed covariate under fixed.x.

R: tests/reference/cfa/make_reference.R, section 3.
Tolerances: estimates 1e-4 absolute or relative (lavaan's nlminb stops at a gradient of 3e-6 on this
model: its y2~~y4 is 1.2e-4 away from the optimum, where our fmin is lower); SEs 1e-4; fit 1e-3 relative.
"""

from __future__ import annotations

import numpy as np
import pytest

from toolkit.factor.cfa import CFA

from ._compare import compare_columns, compare_fit, load_ref, read_csv

REF = load_ref("political_democracy.json")


@pytest.fixture(scope="module")
def data():
    return read_csv("political_democracy.csv")


@pytest.mark.parametrize("est", ["ml", "mlr"])
def test_structural_model(data, est):
    """R: sem(PD, data = PoliticalDemocracy, meanstructure = TRUE[, estimator = "MLR"])."""
    fit = CFA(REF["model"], meanstructure=True, estimator=est.upper()).fit(data)
    ref = REF[est]
    compare_columns(fit.estimates_, ref["estimates"], {"est": "est", "se": "se"}, atol=1e-4, rtol=1e-4)
    compare_fit(fit.fit_measures_, ref["fit"])
    compare_columns(fit.standardized_, ref["standardized"], {"std_all": "est.std", "se": "se"}, atol=1e-4)
    defined = fit.estimates_.set_index("lhs").loc[["indirect", "total"]]
    assert (defined["op"] == ":=").all()
    b = fit.estimates_.set_index("label")["est"]
    assert defined.loc["indirect", "est"] == pytest.approx(b["b1"] * b["b3"], rel=1e-12)
    # equal labels hold exactly
    e = fit.estimates_
    assert e.loc[(e.lhs == "dem60") & (e.rhs == "y2"), "est"].item() == e.loc[(e.lhs == "dem65") &
                                                                              (e.rhs == "y6"), "est"].item()
    assert fit.fit_measures_["npar"] == 39 - 0 if est == "ml" else True


def test_observed_covariate_fixed_x():
    """R: sem('ind60 =~ x1 + x2 + x3; y1 ~ ind60 + x3b; y5 ~ y1', data = pd2): the covariate's variance is
    the sample's (fixed.x), the likelihoods are conditional on it, GFI leaves its moments out."""
    data = read_csv("political_democracy_covariate.csv")
    fit = CFA(REF["covariate_model"]).fit(data)
    ref = REF["covariate"]
    compare_columns(fit.estimates_, ref["estimates"], {"est": "est", "se": "se"}, atol=1e-4)
    compare_fit(fit.fit_measures_, ref["fit"])
    compare_columns(fit.standardized_, ref["standardized"], {"std_all": "est.std", "se": "se"}, atol=1e-4)
    np.testing.assert_allclose(fit.standardized_["std_nox"], ref["std_nox"], atol=1e-4)
    row = fit.estimates_.query("lhs == 'x3b' and op == '~~'")
    assert row["se"].item() == 0 and row["est"].item() == pytest.approx(data["x3b"].var(ddof=0))
