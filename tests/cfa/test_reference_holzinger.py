"""One-group CFA of HolzingerSwineford1939 against lavaan 0.6-14 (ML, std.lv, MLR, FIML).

R: tests/reference/cfa/make_reference.R, section 1 (``cfa(HS, data = HolzingerSwineford1939, ...)``).
Tolerances: estimates, standard errors and standardized solutions 1e-4 absolute; every ``fitMeasures`` line
1e-3 relative; modification indices 1e-3 relative (they are chi-square statistics) and EPCs 1e-4.
"""

from __future__ import annotations

import numpy as np
import pytest

from toolkit.factor.cfa import CFA

from ._compare import compare_columns, compare_fit
from .conftest import HS_MODEL

CASES = {"ml": {}, "ml_std_lv": {"std_lv": True}, "mlr": {"estimator": "MLR"}, "fiml": {"missing": "fiml"}}


@pytest.fixture(scope="module")
def fits(hs, hs_missing):
    return {k: CFA(HS_MODEL, **kw).fit(hs_missing if k == "fiml" else hs) for k, kw in CASES.items()}


@pytest.mark.parametrize("case", CASES)
def test_estimates_and_standard_errors(fits, hs_ref, case):
    """R: parameterEstimates(cfa(HS, ...)); see hs_ref[case]["call"]."""
    n = compare_columns(fits[case].estimates_, hs_ref[case]["estimates"], {"est": "est", "se": "se"}, atol=1e-4)
    assert n == (36 if case == "fiml" else 24)
    ours = fits[case].estimates_
    ref = {(r["lhs"], r["op"], r["rhs"]): r for r in hs_ref[case]["estimates"]}
    free = ours["se"] > 0
    for r in ours.loc[free].itertuples():
        rr = ref[(r.lhs, r.op, r.rhs)]
        assert r.z == pytest.approx(rr["z"], rel=1e-3)
        assert r.ci_low == pytest.approx(rr["ci.lower"], abs=1e-4)
        assert r.ci_high == pytest.approx(rr["ci.upper"], abs=1e-4)


@pytest.mark.parametrize("case", CASES)
def test_every_fit_measure(fits, hs_ref, case):
    """R: fitMeasures(fit) -- every line lavaan prints for the estimator (the robust FIML ones too)."""
    compare_fit(fits[case].fit_measures_, hs_ref[case]["fit"], rtol=1e-3)
    assert list(fits[case].fit_measures_.index) == hs_ref[case]["fit_names"]


@pytest.mark.parametrize("case", CASES)
def test_standardized_solution(fits, hs_ref, case):
    """R: standardizedSolution(fit) (std.all with delta-method se), type = "std.lv" and "std.nox"."""
    std = fits[case].standardized_
    compare_columns(std, hs_ref[case]["standardized"], {"std_all": "est.std", "se": "se"}, atol=1e-4)
    np.testing.assert_allclose(std["std_lv"], hs_ref[case]["std_lv"], atol=1e-4)
    np.testing.assert_allclose(std["std_nox"], hs_ref[case]["std_nox"], atol=1e-4)


@pytest.mark.parametrize("case", CASES)
def test_r_squared_and_residual_correlations(fits, hs_ref, case):
    """R: lavInspect(fit, "r2"); lavResiduals(fit, type = "cor.bollen")$cov."""
    r2 = fits[case].r2_.iloc[:, 0]
    for k, v in hs_ref[case]["r2"].items():
        assert r2[k] == pytest.approx(v, abs=1e-4)
    res = fits[case].residuals("cor")[None]["cov"]
    names = hs_ref[case]["resid_names"]
    np.testing.assert_allclose(res.loc[names, names].to_numpy(), hs_ref[case]["resid_cor"], atol=1e-4)


@pytest.mark.parametrize("case", CASES)
def test_modification_indices(fits, hs_ref, case):
    """R: modindices(fit)."""
    mi = fits[case].modification_indices()
    assert len(mi) == len(hs_ref[case]["mi"])
    compare_columns(mi, hs_ref[case]["mi"], {"mi": "mi"}, atol=1e-6, rtol=1e-3)
    compare_columns(mi, hs_ref[case]["mi"], {"epc": "epc", "sepc_lv": "sepc.lv", "sepc_all": "sepc.all",
                                             "sepc_nox": "sepc.nox"}, atol=1e-4)
    top = fits[case].modification_indices(sort=True).iloc[0]
    assert (top["lhs"], top["op"], top["rhs"]) == ("visual", "=~", "x9")


def test_fiml_saturated_moments(fits, hs_ref):
    """R: lavInspect(fit, "h1") -- the EM estimates of the saturated model."""
    st = fits["fiml"]._stats[0]
    np.testing.assert_allclose(st.cov, hs_ref["fiml"]["h1_cov"], atol=1e-4)
    np.testing.assert_allclose(st.mean, hs_ref["fiml"]["h1_mean"], atol=1e-4)
