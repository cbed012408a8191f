"""estimator="WLSMV" through the CFA engine (syntax in, lavaan's numbers out) against lavaan 0.6-14.

R: tests/reference/cfa/ordinal/make_reference.R (the ordinal route's script), e.g.
``cfa(hs_model, data = hs_cut4, ordered = TRUE, estimator = "WLSMV"[, group = "school",
group.equal = "loadings"])``. The ordinal statistics and the DWLS fit are tested in tests/cfa_ordinal; here
the engine's implied statistics and Jacobian (lavaan's delta parameterization) are checked end to end.
Tolerances: estimates and SEs 1e-4; every fit measure 1e-3 relative (lavaan's NA lines, SRMR-Mplus, are left
out by the ordinal route, which says so in the notes).
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from toolkit.exceptions import InvalidParameterError
from toolkit.factor.cfa import CFA

from ._compare import compare_fit

ORD = Path(__file__).resolve().parents[1] / "reference" / "cfa" / "ordinal"
HS = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
WAI = ("task =~ wai_sr_01 + wai_sr_02 + wai_sr_10 + wai_sr_12\nbond =~ wai_sr_03 + wai_sr_05 + wai_sr_07 + "
       "wai_sr_09\ngoal =~ wai_sr_04 + wai_sr_06 + wai_sr_08 + wai_sr_11")
CASES = {"hs_wlsmv": ("hs_cut4.csv", HS, None, None),
         "hs_wlsmv_school": ("hs_cut4.csv", HS, "school", None),
         "hs_wlsmv_school_loadings": ("hs_cut4.csv", HS, "school", ["loadings"]),
         "hs_wlsmv_school_scalar": ("hs_cut4.csv", HS, "school", ["loadings", "thresholds"]),
         "hs_mixed_wlsmv_school_scalar": ("hs_mixed.csv", HS, "school", ["loadings", "thresholds"]),
         "wai_sr_wlsmv": ("wai_sr_session1.csv", WAI, None, None)}


@pytest.mark.parametrize("name", CASES)
def test_wlsmv_through_the_engine(name):
    file, model, group, equal = CASES[name]
    ref = json.loads((ORD / f"{name}.json").read_text())
    data = pd.read_csv(ORD / file, dtype={"dyad_id": str})
    items = [c for c in data.columns if c.startswith(("x", "wai_sr_"))]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the listwise warning of the WAI sample
        fit = CFA(model, estimator="WLSMV", ordered=items, group_equal=equal).fit(data, group=group)
    pe = pd.DataFrame(ref["pe"])
    if "group" not in pe:
        pe["group"] = 1
    ours = fit.estimates_.copy()
    ours["group"] = [fit.groups_.index(g) + 1 for g in ours["group"]] if group else 1
    m = ours.merge(pe, on=["lhs", "op", "rhs", "group"], suffixes=("", "_r"))
    assert len(m) == len(pe) == len(ours)  # the scale factors (~*~) too: fixed at 1, free with equal thresholds
    np.testing.assert_allclose(m["est"], m["est_r"], atol=1e-4)
    np.testing.assert_allclose(m["se"], m["se_r"].fillna(0), atol=1e-4)
    lavaan_fit = {k: v for k, v in ref["fit"].items()  # NA in lavaan: left out here too
                  if k not in ("srmr_mplus", "srmr_mplus_nomean") and v is not None}
    compare_fit(fit.fit_measures_, lavaan_fit, rtol=1e-3)
    assert fit.estimator_ == "WLSMV"
    assert fit.test_["chisq_scaled"] == pytest.approx(ref["fit"]["chisq.scaled"], rel=1e-3)


def test_ordinal_residual_variances_are_computed_not_free():
    data = pd.read_csv(ORD / "hs_cut4.csv")
    fit = CFA(HS, estimator="WLSMV", ordered=[f"x{i}" for i in range(1, 10)]).fit(data)
    rv = fit.estimates_.query("op == '~~' and lhs == rhs and lhs.str.startswith('x')")
    assert (rv["se"] == 0).all()
    lam = fit.estimates_.query("op == '=~'")
    std = fit.standardized_.set_index(["lhs", "op", "rhs"])["std_all"]
    for r in rv.itertuples():
        f = lam.loc[lam.rhs == r.lhs, "lhs"].item()
        assert r.est == pytest.approx(1 - std[(f, "=~", r.lhs)] ** 2, abs=1e-10)


def test_wlsmv_scope_is_stated():
    data = pd.read_csv(ORD / "hs_cut4.csv")
    with pytest.raises(InvalidParameterError, match="every indicator ordered"):
        CFA(HS, estimator="WLSMV", ordered=["x1", "x2", "x3"]).fit(data)


@pytest.mark.parametrize("name", ["hs_wlsmv_school_scalar", "hs_mixed_wlsmv_school_scalar"])
def test_scalar_invariance_of_ordinal_items(name):
    """Equal thresholds: the later group's scale factors (binary items' too, as lavaan 0.6-14) and factor means
    are free, its residual variances are 1/delta^2 - lambda^2 psi, and std.all is lavaan's (1e-4)."""
    file, model, group, equal = CASES[name]
    ref = json.loads((ORD / f"{name}.json").read_text())
    fit = CFA(model, estimator="WLSMV", ordered=[f"x{i}" for i in range(1, 10)],
              group_equal=equal).fit(pd.read_csv(ORD / file), group=group)
    est = fit.estimates_
    second = est["group"] == fit.groups_[1]
    scale = est[second & (est["op"] == "~*~")]
    assert (scale["se"] > 0).all() and len(scale) == 9
    assert (est.loc[~second & (est["op"] == "~*~"), "est"] == 1).all()
    assert (est.loc[second & (est["op"] == "~1") & est["lhs"].isin(["visual", "textual", "speed"]), "se"] > 0).all()
    std = pd.DataFrame(ref["std"])
    ours = fit.standardized_.copy()
    ours["group"] = [fit.groups_.index(g) + 1 for g in ours["group"]]
    m = ours.merge(std, on=["lhs", "op", "rhs", "group"])
    assert len(m) == len(std)
    np.testing.assert_allclose(m["std_all"], m["est_std"], atol=1e-4)
    # what is fitted in each group: correlations D Sigma D and thresholds delta (tau - mu), as lavInspect(fit,
    # "implied"); the residual correlations follow
    for g, key in enumerate(fit.groups_):
        imp = fit.implied_[key]
        np.testing.assert_allclose(imp["cov"].to_numpy(), ref["groups"][g]["implied_cor"], atol=1e-4)
        np.testing.assert_allclose(imp["th"].to_numpy(), ref["groups"][g]["implied_th"], atol=1e-4)
        np.testing.assert_allclose(np.diag(imp["cov"].to_numpy()), 1.0, atol=1e-12)
        resid = fit.residuals("cor")[key]["cov"].to_numpy()
        np.testing.assert_allclose(resid, np.asarray(ref["groups"][g]["cor"]) - imp["cov"].to_numpy(), atol=1e-6)
    # lavaan 0.6-14 ties intercepts and thresholds of ordinal items: either name gives the scalar model
    same = CFA(model, estimator="WLSMV", ordered=[f"x{i}" for i in range(1, 10)],
               group_equal=["loadings", "intercepts"]).fit(pd.read_csv(ORD / file), group=group)
    assert same.test_["df"] == fit.test_["df"] == ref["fit"]["df"]
    assert same.test_["chisq"] == pytest.approx(fit.test_["chisq"], rel=1e-9)


def test_scaled_shifted_chisq_differences():
    """R: lavTestLRT(three factors, one factor) and lavTestLRT(configural, equal loadings) of WLSMV fits
    (method satorra.2000, scaled.shifted); make_reference.R section wlsmv_lrt. Tolerance 1e-3 relative."""
    from toolkit.factor.cfa import compare_models

    ref = json.loads((Path(__file__).resolve().parents[1] / "reference" / "cfa" / "wlsmv_lrt.json").read_text())
    data = pd.read_csv(ORD / "hs_cut4.csv")
    items = [f"x{i}" for i in range(1, 10)]
    three = CFA(HS, estimator="WLSMV", ordered=items).fit(data)
    one = CFA("g =~ " + " + ".join(items), estimator="WLSMV", ordered=items).fit(data)
    t = compare_models(three, one)
    assert t["chisq_diff"].iloc[1] == pytest.approx(ref["one_vs_three"]["Chisq_diff"][1], rel=1e-3)
    assert t["p"].iloc[1] == pytest.approx(ref["one_vs_three"]["p"][1], rel=1e-3)
    g0 = CFA(HS, estimator="WLSMV", ordered=items).fit(data, group="school")
    g1 = CFA(HS, estimator="WLSMV", ordered=items, group_equal=["loadings"]).fit(data, group="school")
    t = compare_models(g0, g1)
    assert t["chisq_diff"].iloc[1] == pytest.approx(ref["loadings"]["Chisq_diff"][1], rel=1e-3)
    assert t["df_diff"].iloc[1] == 6
