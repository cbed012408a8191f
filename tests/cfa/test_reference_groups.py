"""Two-group invariance of HolzingerSwineford1939 by school against lavaan 0.6-14 and lavTestLRT.

R: tests/reference/cfa/make_reference.R, section 2 (``cfa(HS, data, group = "school", group.equal = ...)``).
Tolerances: estimates and SEs 1e-4; fit measures and chi-square differences 1e-3 relative.
"""

from __future__ import annotations

import numpy as np
import pytest

from toolkit.factor.cfa import CFA
from toolkit.factor.cfa.comparison import compare_models

from ._compare import compare_columns, compare_fit, load_ref
from .conftest import HS_MODEL

REF = load_ref("holzinger_swineford_groups.json")
STEPS = {"configural": None, "metric": ["loadings"], "scalar": ["loadings", "intercepts"],
         "strict": ["loadings", "intercepts", "residuals"]}


@pytest.fixture(scope="module")
def steps(hs):
    return {k: CFA(HS_MODEL, group_equal=ge).fit(hs, group="school") for k, ge in STEPS.items()}


@pytest.mark.parametrize("step", STEPS)
def test_invariance_steps(steps, step):
    """R: cfa(HS, data, group = "school", group.equal = <step>)."""
    fit, ref = steps[step], REF["fits"][step]
    assert fit.groups_ == ["Pasteur", "Grant-White"]  # lavaan's order: first appearance in the data
    compare_columns(fit.estimates_, ref["estimates"], {"est": "est", "se": "se"}, atol=1e-4,
                    group_labels=fit.groups_)
    compare_fit(fit.fit_measures_, ref["fit"])
    compare_columns(fit.standardized_, ref["standardized"], {"std_all": "est.std", "se": "se"}, atol=1e-4,
                    group_labels=fit.groups_)
    mi = fit.modification_indices()
    compare_columns(mi, ref["mi"], {"mi": "mi"}, atol=1e-6, rtol=1e-3, group_labels=fit.groups_)
    compare_columns(mi, ref["mi"], {"epc": "epc", "sepc_all": "sepc.all"}, atol=1e-4, group_labels=fit.groups_)


def test_lavtestlrt(steps):
    """R: lavTestLRT(configural, metric, scalar, strict)."""
    t = compare_models(*steps.values(), names=list(STEPS))
    ref = REF["lrt"]
    np.testing.assert_allclose(t["df"], ref["Df"])
    np.testing.assert_allclose(t["chisq"], ref["Chisq"], rtol=1e-3)
    np.testing.assert_allclose(t["chisq_diff"].iloc[1:], ref["Chisq_diff"][1:], rtol=1e-3)
    np.testing.assert_allclose(t["p"].iloc[1:], ref["p"][1:], rtol=1e-3)
    np.testing.assert_allclose(t["aic"], ref["AIC"], rtol=1e-6)


def test_mlr_invariance_and_scaled_differences(hs):
    """R: the same steps with estimator = "MLR"; lavTestLRT(...) uses Satorra-Bentler (2001)."""
    fits = {k: CFA(HS_MODEL, group_equal=ge, estimator="MLR").fit(hs, group="school") for k, ge in STEPS.items()}
    for k, fit in fits.items():
        ref = REF["mlr_fits"][k]
        compare_columns(fit.estimates_, ref["estimates"], {"est": "est", "se": "se"}, atol=1e-4,
                        group_labels=fit.groups_)
        compare_fit(fit.fit_measures_, ref["fit"])
    t = compare_models(*fits.values(), names=list(STEPS))
    np.testing.assert_allclose(t["chisq_diff"].iloc[1:], REF["mlr_lrt"]["Chisq_diff"][1:], rtol=1e-3)
    np.testing.assert_allclose(t["p"].iloc[1:], REF["mlr_lrt"]["p"][1:], rtol=1e-3)


def test_partial_invariance(hs):
    """R: group.equal = c("loadings", "intercepts"), group.partial = c("x3~1", "x7~1")."""
    fit = CFA(HS_MODEL, group_equal=["loadings", "intercepts"], group_partial=["x3 ~ 1", "x7~1"]).fit(
        hs, group="school")
    compare_columns(fit.estimates_, REF["partial"]["estimates"], {"est": "est", "se": "se"}, atol=1e-4,
                    group_labels=fit.groups_)
    compare_fit(fit.fit_measures_, REF["partial"]["fit"])


@pytest.mark.parametrize("step", ["configural", "metric", "scalar"])
def test_std_lv_identification_across_groups(hs, step):
    """R: std.lv = TRUE: lavaan frees factor variances (metric) and means (scalar) in the second group."""
    fit = CFA(HS_MODEL, group_equal=STEPS[step], std_lv=True).fit(hs, group="school")
    ref = REF["std_lv_fits"][step]
    compare_columns(fit.estimates_, ref["estimates"], {"est": "est", "se": "se"}, atol=1e-4,
                    group_labels=fit.groups_)
    compare_fit(fit.fit_measures_, ref["fit"])
