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
