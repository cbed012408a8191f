"""psych::alpha and psych::splitHalf on every stored data set, every scale, pairwise and listwise (1e-6)."""

from __future__ import annotations

import numpy as np
import pytest

from toolkit.exceptions import ReliabilityWarning
from toolkit.reliability_stats import cronbach_alpha, split_half

from ._refs import DROP_MAP, ITEM_MAP, TOTAL_MAP, keyed_frame, quiet, ref

DATASETS = ["bfi", "pingouin_cronbach_alpha", "pingouin_cronbach_wide_missing", "wai36_client", "wai36_therapist",
            "wai_sr_sessions"]
CASES = [(d, s, m) for d in DATASETS for s in ref(d)["pairwise"] for m in ("pairwise", "listwise")]
TOL = 1e-6


def _scale_items(name, scale):
    data, keys, rng = keyed_frame(name)
    if scale == "total":  # R's total lists the items sorted by name
        items = sorted((c for cols in keys.values() for c in cols), key=lambda c: c.lstrip("-"))
    else:
        items = keys[scale]
    return data, items, rng


@pytest.mark.parametrize("name,scale,missing", CASES, ids=[f"{d}-{s}-{m}" for d, s, m in CASES])
def test_alpha_matches_psych(name, scale, missing):
    """R: psych::alpha(x[, items])  (pairwise)  /  psych::alpha(na.omit(x[, items]))  (listwise),
    items keyed in R as min + max - x; compared: $total, $feldt, $alpha.drop, $item.stats, $response.freq."""
    data, items, rng = _scale_items(name, scale)
    R = ref(name)[missing][scale]
    res, _ = quiet(cronbach_alpha, data, keys=items, missing=missing, response_scale=rng)
    total = res.total.iloc[0]
    for r_name, ours in TOTAL_MAP.items():
        assert total[ours] == pytest.approx(R["total"][r_name], abs=TOL, nan_ok=True), r_name
    assert total["feldt_low"] == pytest.approx(R["feldt"]["lower"], abs=TOL)
    assert total["feldt_high"] == pytest.approx(R["feldt"]["upper"], abs=TOL)
    assert list(res.item_stats.index) == R["items"]
    for r_name, ours in ITEM_MAP.items():
        np.testing.assert_allclose(res.item_stats[ours].to_numpy(float), np.array(R["item_stats"][r_name], float),
                                   atol=TOL, err_msg=r_name)
    for r_name, ours in DROP_MAP.items():
        if r_name not in R["alpha_drop"]:  # psych leaves out 'alpha se' when n <= number of items
            assert res.alpha_drop[ours].isna().all()
            continue
        np.testing.assert_allclose(res.alpha_drop[ours].to_numpy(float),
                                   np.array([np.nan if v is None else v for v in R["alpha_drop"][r_name]], float),
                                   atol=TOL, err_msg=r_name)
    for col, values in R["response_freq"].items():
        np.testing.assert_allclose(res.response_freq[col].to_numpy(float), np.array(values, float), atol=TOL,
                                   err_msg=col)
    if missing == "listwise":
        assert total["n"] == R["n_complete"]


def test_pingouin_published_alphas():
    """R: psych::alpha(x)$total$raw_alpha = .591719 (cronbach_alpha), .732661 pairwise and .801695 listwise
    (cronbach_wide_missing), the values pingouin's documentation shows."""
    data, items, _ = _scale_items("pingouin_cronbach_alpha", "scale")
    with pytest.warns(ReliabilityWarning, match=r"Q5 \(r.drop = -0.11\), Q6 \(r.drop = -0.16\) correlate "
                      "negatively with the rest of the scale: they look reverse-keyed but are not declared"):
        assert cronbach_alpha(data).alpha == pytest.approx(0.591719, abs=1e-6)
    data, items, _ = _scale_items("pingouin_cronbach_wide_missing", "scale")
    assert quiet(cronbach_alpha, data)[0].alpha == pytest.approx(0.732661, abs=1e-6)
    assert quiet(cronbach_alpha, data, missing="listwise")[0].alpha == pytest.approx(0.801695, abs=1e-6)


SPLIT_CASES = [(d, s, m) for d, s, m in CASES if ref(d)[m][s]["split"]["exact"]]


@pytest.mark.parametrize("name,scale,missing", SPLIT_CASES, ids=[f"{d}-{s}-{m}" for d, s, m in SPLIT_CASES])
def test_split_half_matches_psych(name, scale, missing):
    """R: psych::splitHalf(x[, items], check.keys = FALSE) (x or na.omit(x)): maxrb, minrb, meanr, lambda2,
    lambda6, alpha, av.r, med.r; and the odd-even Spearman-Brown from cov2cor(cov(x, use = "pairwise"))."""
    data, items, rng = _scale_items(name, scale)
    R = ref(name)[missing][scale]["split"]
    out = split_half(data, keys=items, missing=missing, response_scale=rng).iloc[0]
    pairs = {"max_split": "maxrb", "min_split": "minrb", "mean_split": "meanr", "lambda2": "lambda2",
             "lambda6": "lambda6", "alpha": "alpha", "average_r": "av.r", "median_r": "med.r",
             "sb_odd_even": "sb_odd_even"}
    for ours, theirs in pairs.items():
        assert out[ours] == pytest.approx(R[theirs], abs=TOL), ours
    assert bool(out["splits_exact"])


def test_split_half_sampled_for_many_items():
    """R: psych::splitHalf(x) draws 10,000 random splits when there are more (36 items): ours are seeded,
    reproducible, and the exact statistics (lambda2/6, alpha) still match R."""
    data, items, rng = _scale_items("wai36_client", "total")
    R = ref("wai36_client")["pairwise"]["total"]["split"]
    a = split_half(data, keys=items, response_scale=rng, seed=1).iloc[0]
    b = split_half(data, keys=items, response_scale=rng, seed=1).iloc[0]
    assert not a["splits_exact"]
    assert a["max_split"] == b["max_split"] and a["min_split"] == b["min_split"]
    for ours, theirs in {"lambda2": "lambda2", "lambda6": "lambda6", "alpha": "alpha"}.items():
        assert a[ours] == pytest.approx(R[theirs], abs=TOL)
    assert a["min_split"] <= a["mean_split"] <= a["max_split"]
    assert a["mean_split"] == pytest.approx(R["meanr"], abs=2e-3)  # a mean over 10,000 random splits
