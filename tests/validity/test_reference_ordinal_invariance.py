"""invariance(estimator="WLSMV") against lavaan 0.6-14: configural, metric and scalar steps of ordinal items.

R: tests/reference/cfa/ordinal/make_reference.R, section 6 (hs_wlsmv_invariance.json):
``cfa(hs_model, data = hs_cut4, ordered = TRUE, estimator = "WLSMV", group = "school", std.lv = TRUE,
group.equal = ...)`` per step and ``lavTestLRT(configural, metric, scalar)`` (scaled-shifted differences,
Satorra 2000). Tolerances: chi-squares, differences and p values 1e-4 relative; factor means and SEs 1e-4.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from toolkit.exceptions import InvalidParameterError
from toolkit.validity import invariance

ORD = Path(__file__).resolve().parents[1] / "reference" / "cfa" / "ordinal"
KEYS = {"visual": ["x1", "x2", "x3"], "textual": ["x4", "x5", "x6"], "speed": ["x7", "x8", "x9"]}


@pytest.fixture(scope="module")
def fitted():
    data = pd.read_csv(ORD / "hs_cut4.csv")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return invariance(data, keys=KEYS, group="school", estimator="WLSMV")


def test_steps_and_scaled_differences_match_lavaan(fitted):
    ref = json.loads((ORD / "hs_wlsmv_invariance.json").read_text())
    t = fitted.table
    assert list(t.index) == ["configural", "metric", "scalar"]  # no strict step for ordinal items
    assert t["df"].tolist() == ref["lrt"]["df"]
    np.testing.assert_allclose(t["chisq"], ref["lrt"]["chisq"], rtol=1e-4)
    np.testing.assert_allclose(t["chisq_diff"].iloc[1:], ref["lrt"]["chisq_diff"][1:], rtol=1e-4)
    assert t["df_diff"].iloc[1:].tolist() == ref["lrt"]["df_diff"][1:]
    np.testing.assert_allclose(t["p_diff"].iloc[1:], ref["lrt"]["p"][1:], rtol=1e-4)
    for step, fm in ref["fit"].items():
        ours = fitted.fits[step].fit_measures_
        for k, v in fm.items():
            assert ours[k] == pytest.approx(v, rel=1e-4), (step, k)


def test_latent_means_of_the_scalar_step_match_lavaan(fitted):
    ref = pd.DataFrame(json.loads((ORD / "hs_wlsmv_invariance.json").read_text())["means"]).query("group == 2")
    lm = fitted.latent_means.set_index("factor").loc[ref["lhs"]]
    np.testing.assert_allclose(lm["mean"], ref["est"], atol=1e-4)
    np.testing.assert_allclose(lm["se"], ref["se"], atol=1e-4)


def test_strict_is_refused_for_ordinal_items_with_the_reason():
    data = pd.read_csv(ORD / "hs_cut4.csv")
    with pytest.raises(InvalidParameterError, match="no strict step"):
        invariance(data, keys=KEYS, group="school", estimator="WLSMV", steps=("configural", "strict"))


def test_two_raters_of_ordinal_items_match_lavaan():
    """rater_invariance(estimator="WLSMV"): one model per step, the scalar step holding thresholds equal with
    the therapist's scale factors and factor means free; lavaan 0.6-14 on the same syntax (make_reference.R,
    section 7). Estimates and SEs 1e-4; chi-squares, differences and p values 1e-4 relative."""
    from toolkit.validity import rater_invariance

    ref = json.loads((ORD / "paired_ordinal_invariance.json").read_text())
    long = pd.read_csv(ORD / "paired_ordinal.csv")
    inv = rater_invariance(long, keys={"A": ["a1", "a2", "a3"], "B": ["b1", "b2", "b3"]}, rater="who", on="dyad",
                           estimator="WLSMV")
    t = inv.table
    assert list(t.index) == ["configural", "metric", "scalar"] and t["df"].tolist() == ref["lrt"]["df"]
    np.testing.assert_allclose(t["chisq"], ref["lrt"]["chisq"], rtol=1e-4)
    np.testing.assert_allclose(t["chisq_diff"].iloc[1:], ref["lrt"]["chisq_diff"][1:], rtol=1e-4)
    np.testing.assert_allclose(t["p_diff"].iloc[1:], ref["lrt"]["p"][1:], rtol=1e-4)
    for step, fm in ref["fit"].items():
        for k, v in fm.items():
            assert inv.fits[step].fit_measures_[k] == pytest.approx(v, rel=1e-4), (step, k)
    est = inv.fits["scalar"].estimates_.merge(pd.DataFrame(ref["scalar"]), on=["lhs", "op", "rhs"],
                                              suffixes=("", "_r"))
    assert len(est) == len(ref["scalar"]["lhs"])  # the therapist's scale factors, factor means and variances
    np.testing.assert_allclose(est["est"], est["est_r"], atol=1e-4)
    np.testing.assert_allclose(est["se"], est["se_r"], atol=1e-4)
    means = inv.latent_means.set_index("factor")["mean"]
    assert means["A"] == pytest.approx(est.query("lhs == 'A_therapist' and op == '~1'")["est_r"].item(), abs=1e-4)
    with pytest.raises(InvalidParameterError, match="no strict step"):
        rater_invariance(long, keys={"A": ["a1", "a2", "a3"]}, rater="who", on="dyad", estimator="WLSMV",
                         steps=("configural", "strict"))


def test_two_raters_need_the_same_answers_for_equal_thresholds():
    from toolkit.validity import rater_invariance

    long = pd.read_csv(ORD / "paired_ordinal.csv")
    long.loc[(long["who"] == "therapist") & (long["a1"] == 1), "a1"] = 2  # the therapist never answers 1
    keys = {"A": ["a1", "a2", "a3"]}
    with pytest.raises(InvalidParameterError, match=r"a1 \(client: 1, 2, 3, 4, 5; therapist: 2, 3, 4, 5\)"):
        rater_invariance(long, keys=keys, rater="who", on="dyad", estimator="WLSMV")
    inv = rater_invariance(long, keys=keys, rater="who", on="dyad", estimator="WLSMV", steps=("configural", "metric"))
    assert list(inv.table.index) == ["configural", "metric"]
