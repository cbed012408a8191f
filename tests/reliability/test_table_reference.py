"""The one-call reliability() table and item_analysis() against psych / semTools values."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from toolkit.reliability_stats import item_analysis, omega_cfa, reliability

from ._refs import BFI_KEYS, bfi, quiet, ref, wai36, wai_sr

TOL = 1e-6
TOL_ITER = 1e-4

# what each table column is in the stored R output (alpha_ref)
TABLE_FROM_ALPHA = {"alpha": ("total", "raw_alpha"), "std_alpha": ("total", "std.alpha"),
                    "lambda6": ("total", "G6(smc)"), "average_r": ("total", "average_r"), "sn": ("total", "S/N"),
                    "ase": ("total", "ase"), "median_r": ("total", "median_r"), "feldt_low": ("feldt", "lower"),
                    "feldt_high": ("feldt", "upper"), "lambda2": ("split", "lambda2")}


def _check_table(table, R, missing, metric_factor):
    for scale in R[missing]:
        Rs = R[missing][scale]
        row = table.loc[scale]
        for col, (part, key) in TABLE_FROM_ALPHA.items():
            assert row[col] == pytest.approx(Rs[part][key], abs=TOL), (scale, col)
        k = row["n_items"] if metric_factor == "sum" else 1
        assert row["mean"] == pytest.approx(Rs["total"]["mean"] * k, abs=TOL)
        assert row["sd"] == pytest.approx(Rs["total"]["sd"] * k, abs=TOL)
        assert row["sem"] == pytest.approx(Rs["total"]["sd"] * k * np.sqrt(1 - Rs["total"]["raw_alpha"]), abs=TOL)
        if Rs["split"]["exact"]:
            for col, key in {"max_split": "maxrb", "min_split": "minrb", "mean_split": "meanr",
                             "sb_odd_even": "sb_odd_even"}.items():
                assert row[col] == pytest.approx(Rs["split"][key], abs=TOL), (scale, col)
        assert row["missing"] == missing


def _check_omegas(table, R, ordinal=False):
    cfa = R["cfa"]
    joint = cfa["total_correlated"]["per_factor"]
    for scale in R["keys"]:
        # compRelSEM on the joint model (what R reports); a one-factor CFA of the subscale alone beside it
        assert table.loc[scale, "omega_cfa"] == pytest.approx(joint[scale], abs=TOL_ITER), scale
        assert table.loc[scale, "omega_cfa_alone"] == pytest.approx(cfa[scale]["omega"], abs=TOL_ITER), scale
    assert table.loc["total", "omega_cfa"] == pytest.approx(cfa["total_correlated"]["omega"], abs=TOL_ITER)
    assert table.loc["total", "omega_cfa_1f"] == pytest.approx(cfa["total_one_factor"]["omega"], abs=TOL_ITER)
    assert table.loc["total", "omega_h"] == pytest.approx(R["omega"]["omega_h"], abs=TOL_ITER)
    assert table.loc["total", "omega_t"] == pytest.approx(R["omega"]["omega_t"], abs=TOL_ITER)
    if ordinal:
        for scale, value in R["ordinal"]["alpha"].items():
            assert table.loc[scale, "ordinal_alpha"] == pytest.approx(value, abs=TOL), scale
        assert table.loc["total", "ordinal_omega_h"] == pytest.approx(R["ordinal"]["omega_h"], abs=TOL_ITER)
        for scale, value in R["ordinal"]["omega_t_1f"].items():
            assert table.loc[scale, "ordinal_omega_t"] == pytest.approx(value, abs=TOL_ITER), scale
        assert table.loc["total", "ordinal_omega_t"] == pytest.approx(R["ordinal"]["omega_t"], abs=TOL_ITER)


@pytest.mark.parametrize("rater", ["client", "therapist"])
def test_wai36_table_from_instrument(rater):
    """R (x = client or therapist rows, reversed items 8 - x):
    psych::alpha(x[, items]); psych::splitHalf(x[, items], check.keys = FALSE);
    psych::omega(x, nfactors = 3); psych::omega(x, nfactors = 3, poly = TRUE);
    psych::alpha(psych::polychoric(x[, items])$rho); psych::omega(x[, items], nfactors = 1, poly = TRUE);
    semTools::compRelSEM(lavaan::cfa("task =~ ...", x, std.lv = TRUE)) per subscale and
    semTools::compRelSEM(lavaan::cfa(<3 correlated factors>, x, std.lv = TRUE), return.total = TRUE)."""
    res = reliability(wai36(rater), "wai36", form=rater, n_boot=0, ordinal=True)
    R = ref(f"wai36_{rater}")
    _check_table(res.table, R, "pairwise", "sum")
    _check_omegas(res.table, R, ordinal=True)
    assert list(res.table.index) == ["task", "bond", "goal", "total"]
    assert any("missing data: pairwise" in n for n in res.notes)


def test_wai_sr_table_listwise_from_instrument():
    """R: psych::alpha(na.omit(x[, items])) and psych::splitHalf(na.omit(x[, items])) per WAI-SR subscale and
    total; CFA omegas as semTools::compRelSEM (lavaan listwise), psych::omega(x, nfactors = 3)."""
    R = ref("wai_sr_sessions")
    res = reliability(wai_sr(), "wai-sr", n_boot=0, missing="listwise")
    _check_table(res.table, R, "listwise", "sum")
    for scale in R["keys"]:
        assert res.table.loc[scale, "omega_cfa"] == pytest.approx(R["cfa"]["total_correlated"]["per_factor"][scale],
                                                                  abs=TOL_ITER)
        assert res.table.loc[scale, "omega_cfa_alone"] == pytest.approx(R["cfa"][scale]["omega"], abs=TOL_ITER)
    assert any("missing data: listwise" in n for n in res.notes)
    assert any("joint model" in n for n in res.notes)


def test_wai_sr_table_pairwise_matches_omega():
    """R: psych::alpha(x[, items]) (pairwise); psych::omega(x, nfactors = 3) (pairwise correlations)."""
    R = ref("wai_sr_sessions")
    res = reliability(wai_sr(), "wai-sr", n_boot=0, ordinal=True)
    _check_table(res.table, R, "pairwise", "sum")
    _check_omegas(res.table, R, ordinal=True)


def test_bfi_table_from_keys():
    """R: psych::alpha(bfi[, items], keys = ...) per scale (and all 25 keyed items as 'total');
    psych::omega(bfi_keyed, nfactors = 5); psych::omega(bfi_keyed, nfactors = 5, poly = TRUE);
    semTools::compRelSEM(lavaan::cfa(<one factor per scale>, bfi_keyed, std.lv = TRUE), return.total = TRUE)."""
    res, msgs = quiet(reliability, bfi(), keys=BFI_KEYS, n_boot=0, ordinal=True, response_scale=(1, 6))
    R = ref("bfi")
    _check_table(res.table, R, "pairwise", "mean")
    _check_omegas(res.table, R, ordinal=True)
    assert any("N4" in m and "reverse-keyed" in m for m in msgs)  # Neuroticism runs against the 'total'


def test_bfi_omega_cfa_function():
    """R: semTools::compRelSEM(lavaan::cfa("agree =~ A1 + ...", bfi_keyed, std.lv = TRUE)) for each scale; the
    one-factor model of all 25 items; and the 5 correlated factors with return.total = TRUE."""
    out = omega_cfa(bfi(), keys=BFI_KEYS, response_scale=(1, 6))
    cfa = ref("bfi")["cfa"]
    for name, row in out.iterrows():
        assert row["omega"] == pytest.approx(cfa[name]["omega"], abs=TOL_ITER), name
        assert row["converged"]
        if name in BFI_KEYS:
            assert row["n"] == cfa[name]["n"]


@pytest.mark.parametrize("name", ["bfi", "wai36_client"])
def test_item_analysis_matches_psych(name):
    """R: psych::alpha(x[, items])$item.stats (r.cor, r.drop, raw.r, std.r, mean, sd), $alpha.drop$raw_alpha
    and $response.freq for each subscale."""
    if name == "bfi":
        res = item_analysis(bfi(), keys=BFI_KEYS, response_scale=(1, 6))
    else:
        res = item_analysis(wai36("client"), "wai36", form="client")
    R = ref(name)["pairwise"]
    t = res.table
    for scale, Rs in R.items():
        if scale == "total":
            continue
        sub = t.loc[scale]
        assert list(sub.index) == Rs["items"]
        for ours, theirs in {"r_cor": "r.cor", "r_drop": "r.drop", "raw_r": "raw.r", "std_r": "std.r",
                             "mean": "mean", "sd": "sd", "n": "n"}.items():
            np.testing.assert_allclose(sub[ours].to_numpy(float), Rs["item_stats"][theirs], atol=TOL)
        np.testing.assert_allclose(sub["alpha_if_deleted"].to_numpy(float), Rs["alpha_drop"]["raw_alpha"], atol=TOL)
        np.testing.assert_allclose(sub["alpha_change"].to_numpy(float),
                                   np.array(Rs["alpha_drop"]["raw_alpha"]) - Rs["total"]["raw_alpha"], atol=TOL)
        np.testing.assert_allclose(sub["missing"].to_numpy(float), Rs["response_freq"]["miss"], atol=TOL)
    assert "total" not in t.index.get_level_values("scale")


def test_item_analysis_frequencies_are_as_answered():
    """psych::alpha's $response.freq counts responses before reversal; floor/ceiling likewise.
    R: psych::response.frequencies(bfi[, "A1"]) -> share of 1s is the share of 6s after keying."""
    res = item_analysis(bfi(), keys=BFI_KEYS, response_scale=(1, 6))
    row = res.table.loc[("agree", "A1")]
    raw = bfi()["A1"].dropna()
    assert row["reversed"]
    assert row["p_1"] == pytest.approx((raw == 1).mean(), abs=1e-12)
    assert row["floor"] == pytest.approx((raw == 1).mean(), abs=1e-12)
    assert row["ceiling"] == pytest.approx((raw == 6).mean(), abs=1e-12)
    assert row["mean"] == pytest.approx((7 - raw).mean(), abs=1e-12)  # statistics on keyed scores
    assert set(res.table.columns) >= {"p_1", "p_6", "flags", "label", "alpha_if_deleted"}


def test_item_analysis_include_total_and_flags():
    """Items analysed within the total too; 'alpha rises' flags agree with alpha_change > 0."""
    res, _ = quiet(item_analysis, bfi(), keys=BFI_KEYS, response_scale=(1, 6), include_total=True)
    t = res.table
    assert len(t.loc["total"]) == 25
    rises = t["alpha_change"] > 0
    assert (t["flags"].str.contains("alpha rises") == rises).all()
    assert not res.flagged().empty


def test_table_index_and_types():
    """Rows are the subscales then 'total'; numbers unrounded (floats), counts ints."""
    res = reliability(wai_sr(), "wai-sr", n_boot=50)
    t = res.table
    assert list(t.index) == ["task", "bond", "goal", "total"]
    assert t["n_items"].tolist() == [4, 4, 4, 12]
    assert isinstance(res.summary(), pd.DataFrame)
    assert t.loc["total", "alpha"] != round(t.loc["total", "alpha"], 3)
    assert (t["boot_low"] < t["alpha"]).all() and (t["alpha"] < t["boot_high"]).all()
