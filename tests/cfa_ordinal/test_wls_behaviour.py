"""fit_wls: the engine interface (constraints, groups, saturated models), what it refuses, and its result."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from toolkit.exceptions import FactorConvergenceWarning, InvalidParameterError
from toolkit.factor.cfa.ordinal import ordinal_statistics
from toolkit.factor.cfa.wls import WLSFit, fit_wls

from ._model import DeltaCFA
from ._refs import HS, case_data, fit_case


def one_factor(n=900, loadings=(.8, .7, .6, .5), seed=3, cuts=(-1.0, 0.0, 1.0)):
    rng = np.random.default_rng(seed)
    lam = np.array(loadings)
    z = rng.normal(size=(n, 1)) * lam + rng.normal(size=(n, len(lam))) * np.sqrt(1 - lam ** 2)
    d = pd.DataFrame(np.digitize(z, cuts) + 1, columns=[f"y{j + 1}" for j in range(len(lam))])
    return ordinal_statistics(d).samples[0]


def model_for(smp, equal=False):
    """One factor, loadings free (factor variance 1): implied rho_ij = l_i l_j; thresholds free."""
    nth, (ia, ib) = smp.n_thresholds, smp.pairs
    p = smp.n_items

    def implied(t):
        lam = t[nth:]
        return [np.concatenate([t[:nth], lam[ia] * lam[ib]])]

    def jacobian(t):
        lam = t[nth:]
        d = np.zeros((len(smp.wls_obs), nth + p))
        d[:nth, :nth] = np.eye(nth)
        rows = nth + np.arange(len(ia))
        d[rows, nth + ia] = lam[ib]
        d[rows, nth + ib] = lam[ia]
        return [d]

    start = np.concatenate([smp.thresholds, np.full(p, 0.5)])
    h = None
    if equal:
        h = np.zeros((p - 1, nth + p))
        for j in range(p - 1):
            h[j, nth + j], h[j, nth + j + 1] = 1.0, -1.0
    return implied, jacobian, start, h


def test_recovers_a_one_factor_model():
    smp = one_factor(n=4000, seed=1)
    implied, jacobian, start, _ = model_for(smp)
    fit = fit_wls(smp, implied, jacobian, start)
    lam = fit.estimates[smp.n_thresholds:]
    np.testing.assert_allclose(lam, [.8, .7, .6, .5], atol=0.04)
    assert fit.converged and fit.fit_measures["df"] == 2
    assert fit.fit_measures["cfi.robust"] > 0.99


def test_equality_constraints_hold_exactly_and_count_in_df():
    smp = one_factor()
    implied, jacobian, start, h = model_for(smp, equal=True)
    free = fit_wls(smp, implied, jacobian, start)
    tied = fit_wls(smp, implied, jacobian, start, constraints=h)
    lam = tied.estimates[smp.n_thresholds:]
    assert np.ptp(lam) < 1e-12
    assert tied.fit_measures["df"] == free.fit_measures["df"] + 3
    assert tied.fit_measures["npar"] == free.fit_measures["npar"] - 3
    assert tied.fit_measures["chisq"] > free.fit_measures["chisq"]
    # tied parameters share one standard error; the null space is orthogonal to the constraints
    se = tied.se[smp.n_thresholds:]
    assert np.ptp(se) < 1e-12
    np.testing.assert_allclose(h @ tied.null_space, 0, atol=1e-12)


def test_nonzero_constraint_rhs():
    smp = one_factor()
    implied, jacobian, start, _ = model_for(smp)
    h = np.zeros((1, len(start)))
    h[0, smp.n_thresholds] = 1.0
    fit = fit_wls(smp, implied, jacobian, start, constraints=h, constraint_rhs=[0.75])
    assert fit.estimates[smp.n_thresholds] == pytest.approx(0.75, abs=1e-12)
    assert fit.se[smp.n_thresholds] < 1e-8


def test_saturated_model_reports_only_defined_measures():
    smp = one_factor(loadings=(.8, .7, .6))
    implied, jacobian, start, _ = model_for(smp)
    fit = fit_wls(smp, implied, jacobian, start)
    fm = fit.fit_measures
    assert fm["df"] == 0 and fm["chisq"] == pytest.approx(0, abs=1e-15)
    assert np.isfinite(fm.to_numpy()).all()
    assert "pvalue" not in fm and "rmsea.pvalue" not in fm
    assert any("saturated, df = 0" in n for n in fit.notes)


def test_uls_has_no_standard_p_value():
    _, _, fit = fit_case("hs_ulsmv")
    assert "pvalue" not in fit.fit_measures and "pvalue.scaled" in fit.fit_measures
    assert np.isnan(fit.tests.loc["standard", "pvalue"])
    assert any("no chi-square reference distribution" in n for n in fit.notes)


def test_non_convergence_warns():
    smp = one_factor()
    implied, jacobian, start, _ = model_for(smp)
    with pytest.warns(FactorConvergenceWarning, match="did not converge in 1 Gauss-Newton"):
        fit = fit_wls(smp, implied, jacobian, start * 0.1 + 0.01, max_iter=1)
    assert not fit.converged
    assert any("did not converge" in n for n in fit.notes)


def test_standard_test_only():
    smp = one_factor()
    implied, jacobian, start, _ = model_for(smp)
    fit = fit_wls(smp, implied, jacobian, start, test="standard")
    assert list(fit.tests.index) == ["standard"]
    assert not any(k.endswith((".scaled", ".robust")) for k in fit.fit_measures.index)


def test_multigroup_matches_separate_fits_without_constraints():
    """Configural model: each group's estimates are its own fit's; the test adds up over groups."""
    st, model, fit = fit_case("hs_wlsmv_school")
    for g, s in enumerate(st.samples):
        single = DeltaCFA([s], HS)
        own = fit_wls(s, single.implied, single.jacobian, single.start())
        sl = slice(model.offsets[g], model.offsets[g + 1])
        np.testing.assert_allclose(fit.estimates[sl], own.estimates, atol=1e-7)
    assert fit.tests.loc["standard", "stat"] == pytest.approx(
        sum(fit_wls(s, DeltaCFA([s], HS).implied, DeltaCFA([s], HS).jacobian, DeltaCFA([s], HS).start()
                    ).tests.loc["standard", "stat"] for s in st.samples), rel=1e-7)


@pytest.mark.parametrize("kwargs, match", [
    ({"estimator": "ML"}, "'estimator' parameter of fit_wls"),
    ({"test": "satorra.bentler"}, "'test' parameter of fit_wls"),
    ({"ci": 95}, "'ci' parameter of fit_wls.* pass 0.95"),
    ({"constraints": np.ones((1, 3))}, "'constraints' parameter of fit_wls\\(\\) must have one column per free"),
    ({"names": ["a"]}, "'names' parameter of fit_wls\\(\\) has 1 names for"),
])
def test_parameter_messages(kwargs, match):
    smp = one_factor()
    implied, jacobian, start, _ = model_for(smp)
    with pytest.raises(InvalidParameterError, match=match):
        fit_wls(smp, implied, jacobian, start, **kwargs)


def test_interface_errors_name_the_problem():
    smp = one_factor()
    implied, jacobian, start, _ = model_for(smp)
    with pytest.raises(InvalidParameterError, match="needs wls_obs, gamma, weight and n_obs .* no 'gamma'"):
        fit_wls(type("S", (), {"wls_obs": smp.wls_obs})(), implied, jacobian, start)
    with pytest.raises(InvalidParameterError, match="implied\\(theta\\) returned 2 group"):
        fit_wls(smp, lambda t: implied(t) * 2, jacobian, start)
    with pytest.raises(InvalidParameterError, match="samples' parameter of fit_wls\\(\\) is empty"):
        fit_wls([], implied, jacobian, start)


def test_result_contract():
    smp = one_factor()
    implied, jacobian, start, _ = model_for(smp)
    names = [f"<i>{n}</i>" for n in smp.threshold_names] + [f"l{j}" for j in range(4)]
    fit = fit_wls(smp, implied, jacobian, start, names=names)
    assert isinstance(fit, WLSFit)
    tab = fit.summary()
    assert list(tab.columns) == ["name", "est", "se", "z", "pvalue", "ci_lower", "ci_upper"]
    tab.loc[0, "est"] = 99.0
    assert fit.parameters.loc[0, "est"] != 99.0  # summary() is a copy
    html = fit._repr_html_()
    assert "<i>y1|t1</i>" not in html and "&lt;i&gt;y1|t1&lt;/i&gt;" in html
    assert "DWLS fit (1 group, N = 900)" in repr(fit)
    assert set(fit.tables) >= {"parameters", "fit_measures", "tests", "residuals"}
    np.testing.assert_allclose(fit.residuals["residual"], smp.wls_obs - fit.implied[0])


def test_listwise_case_data_order():
    """Items reach ordinal_statistics in the model's order (lavaan orders observed variables so)."""
    assert list(case_data("wai_sr_wlsmv").columns[:4]) == ["wai_sr_01", "wai_sr_02", "wai_sr_10", "wai_sr_12"]


def test_constrained_thresholds_leave_out_robust_indices():
    """lavaan 0.6-14 gives NA robust CFI/RMSEA when thresholds are constrained (its catML refit fails):
    e.g. group.equal = c("loadings", "thresholds"). They are left out, with a note."""
    st, _, _ = fit_case("hs_wlsmv_school")
    model = DeltaCFA(st.samples, HS, equal_loadings=True, equal_thresholds=True)
    fit = fit_wls(st.samples, model.implied, model.jacobian, model.start(), constraints=model.constraints)
    assert fit.fit_measures["df"] == 48 + 6 + 27
    assert not any(k.endswith(".robust") for k in fit.fit_measures.index)
    assert "cfi.scaled" in fit.fit_measures
    assert any("thresholds are constrained" in n for n in fit.notes)
