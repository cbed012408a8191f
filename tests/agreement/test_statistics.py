"""Agreement statistics against hand-worked values, R (psych::ICC, cor.test, t.test, epiR::epi.ccc),
sklearn's kappa, and the sample data's known effects.

R (tests/reference/agreement/make_reference.R):
    psych::ICC(d[, c("client", "therapist")], lmer = FALSE); cor.test(d$client, d$therapist)
    t.test(d$client, d$therapist, paired = TRUE); epiR::epi.ccc(d$client, d$therapist, ci = "z-transform")
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from toolkit.dyadic import (agreement, bland_altman, concordance, d_z, item_kappa, paired_t, pearson_r,
                               weighted_kappa)
from toolkit.exceptions import AgreementWarning
from toolkit.reliability_stats import icc

from ._data import ref, stored, study_a_pairs, study_b_pairs

TOL = 1e-6
REPO = Path(__file__).resolve().parents[2]


def test_lin_ccc_hand_worked():
    """x = 1..5, y = 2, 1, 4, 3, 5: means 3 and 3, variances (n) 2 and 2, covariance 1.6 -> rho_c = 3.2 / 4 = .8,
    r = .8, C_b = 1; with a shift y + 1: rho_c = 3.2 / (2 + 2 + 1) = .64, C_b = .8."""
    x, y = [1, 2, 3, 4, 5], [2, 1, 4, 3, 5]
    c = concordance(x, y)
    assert c["ccc"] == pytest.approx(0.8, abs=1e-12) and c["c_b"] == pytest.approx(1.0, abs=1e-12)
    c2 = concordance(x, np.array(y) + 1)
    assert c2["ccc"] == pytest.approx(0.64, abs=1e-12) and c2["c_b"] == pytest.approx(0.8, abs=1e-12)
    # interval by hand: u = (4 - 3) / sqrt(2) ... se^2 from Lin's formula, n - 2 = 3
    p, r, u, n = 0.64, 0.8, 1 / np.sqrt(2), 5
    var = ((1 - r**2) * p**2 / ((1 - p**2) * r**2) + 2 * p**3 * (1 - p) * u**2 / (r * (1 - p**2) ** 2)
           - p**4 * u**4 / (2 * r**2 * (1 - p**2) ** 2)) / (n - 2)
    h = 1.959963984540054 * np.sqrt(var)
    assert c2["ci_low"] == pytest.approx(np.tanh(np.arctanh(p) - h), abs=1e-12)
    assert c2["ci_high"] == pytest.approx(np.tanh(np.arctanh(p) + h), abs=1e-12)


def test_ccc_matches_epir():
    R = ref("icc_dyads")
    if "ccc" not in R:
        pytest.skip("epiR was not installed when the reference was made")
    d = stored("icc_dyads")
    c = concordance(d["client"], d["therapist"])
    assert c["ccc"] == pytest.approx(R["ccc"]["est"], abs=TOL)
    assert c["ci_low"] == pytest.approx(R["ccc"]["lower"], abs=TOL)
    assert c["ci_high"] == pytest.approx(R["ccc"]["upper"], abs=TOL)
    assert c["c_b"] == pytest.approx(R["ccc"]["C.b"], abs=TOL)


def test_bland_altman_hand_worked():
    """d = 2, 1, 1, 2: bias 1.5, s = sqrt(1/3) = .57735; n = 4, t_.975,3 = 3.182446.
    k = t: limits 1.5 -+ 3.182446 * .57735; bias CI 1.5 -+ 3.182446 * .57735 / 2;
    limit CI -+ 3.182446 * .57735 * sqrt(1/4 + k^2 / 6)."""
    ba = bland_altman([3, 4, 5, 6], [1, 3, 4, 4])
    s, q = np.sqrt(1 / 3), 3.182446305284263
    assert ba["bias"] == 1.5 and ba["sd_diff"] == pytest.approx(s, abs=1e-12)
    assert ba["k"] == pytest.approx(q, abs=1e-9)
    assert ba["loa_low"] == pytest.approx(1.5 - q * s, abs=1e-9)
    assert ba["loa_high"] == pytest.approx(1.5 + q * s, abs=1e-9)
    assert ba["bias_ci_low"] == pytest.approx(1.5 - q * s / 2, abs=1e-9)
    se_l = s * np.sqrt(1 / 4 + q * q / 6)
    assert ba["loa_high_ci_high"] == pytest.approx(1.5 + q * s + q * se_l, abs=1e-9)
    assert ba["loa_low_ci_low"] == pytest.approx(1.5 - q * s - q * se_l, abs=1e-9)
    normal = bland_altman([3, 4, 5, 6], [1, 3, 4, 4], multiplier="normal")
    assert normal["loa_high"] == pytest.approx(1.5 + 1.959963984540054 * s, abs=1e-12)
    assert bland_altman([3, 4, 5, 6], [1, 3, 4, 4], multiplier=2)["loa_low"] == pytest.approx(1.5 - 2 * s)
    with pytest.raises(ValueError, match=r"multiplier must be 't', 'normal' or a positive number \(got 'z'\)"):
        bland_altman([1, 2, 3], [1, 2, 2], multiplier="z")


def test_pearson_and_paired_t_match_r():
    d, R = stored("icc_dyads"), ref("icc_dyads")
    r = pearson_r(d["client"], d["therapist"])
    assert (r["r"], r["ci_low"], r["ci_high"], r["p"]) == pytest.approx(
        (R["cor"]["r"], R["cor"]["lower"], R["cor"]["upper"], R["cor"]["p"]), abs=TOL)
    t = paired_t(d["client"], d["therapist"])
    assert (t["t"], t["df"], t["p"], t["ci_low"], t["ci_high"], t["mean_diff"]) == pytest.approx(
        (R["t"]["t"], R["t"]["df"], R["t"]["p"], R["t"]["lower"], R["t"]["upper"], R["t"]["mean_diff"]), abs=TOL)


def test_d_z_and_its_noncentral_interval():
    """Limits from R's own noncentral t (base R, as MBESS::conf.limits.nct inverts it), d_z = t / sqrt(n):
        t <- 1.5 / (sqrt(1/3) / 2)
        f <- function(p) uniroot(function(ncp) pt(t, 3, ncp) - p, c(-50, 50), tol = 1e-12)$root
        f(.975) / 2; f(.025) / 2        # 0.3984886227 4.7798853943
    """
    x, y = [3, 4, 5, 6], [1, 3, 4, 4]
    d = d_z(x, y)
    assert d["d_z"] == pytest.approx(1.5 / np.sqrt(1 / 3), abs=1e-12)
    assert (d["ci_low"], d["ci_high"]) == pytest.approx((0.3984886227, 4.7798853943), abs=1e-6)
    t, n = d["d_z"] * 2, 4
    # the limits are the noncentralities that put the observed t at the 97.5th and 2.5th percentiles
    assert stats.nct.cdf(t, n - 1, d["ci_low"] * np.sqrt(n)) == pytest.approx(0.975, abs=1e-9)
    assert stats.nct.cdf(t, n - 1, d["ci_high"] * np.sqrt(n)) == pytest.approx(0.025, abs=1e-9)
    # large n: close to d -+ 1.96 sqrt(1/n + d^2 / (2n))
    rng = np.random.default_rng(3)
    a = rng.normal(0.3, 1, 4000)
    big = d_z(a, np.zeros_like(a))
    se = np.sqrt(1 / 4000 + big["d_z"] ** 2 / 8000)
    assert big["ci_low"] == pytest.approx(big["d_z"] - 1.96 * se, abs=2e-3)


def test_weighted_kappa_matches_sklearn():
    from sklearn.metrics import cohen_kappa_score

    rng = np.random.default_rng(7)
    for _ in range(5):
        a = rng.integers(1, 8, 60)
        b = np.clip(a + rng.integers(-2, 3, 60), 1, 7)
        for w in (None, "linear", "quadratic"):
            ours = weighted_kappa(a, b, weights=w, categories=np.arange(1, 8))
            assert ours == pytest.approx(cohen_kappa_score(a, b, weights=w, labels=np.arange(1, 8)), abs=1e-12)
    with pytest.raises(ValueError, match=r"answers \[9.0\] are not among the categories \[1.0, 2.0, 3.0\]; pass "
                                         r"categories= listing every scale point"):
        weighted_kappa([1, 2, 9], [1, 2, 3], categories=[1, 2, 3])
    with pytest.raises(ValueError, match=r"weights must be None, 'linear' or 'quadratic' \(got 'cubic'\)"):
        weighted_kappa([1, 2], [1, 2], weights="cubic")


def test_item_kappa_on_the_sample_matches_sklearn():
    from sklearn.metrics import cohen_kappa_score

    p = study_b_pairs()
    k = item_kappa(p)
    assert k.shape == (36, 6) and k.index[0] == "wai36_01"
    it = p.items_
    g = it[it["item"] == "wai36_17"].dropna(subset=["client", "therapist"])
    for col, w in (("kappa", None), ("kappa_linear", "linear"), ("kappa_quadratic", "quadratic")):
        assert k.loc["wai36_17", col] == pytest.approx(
            cohen_kappa_score(g["client"], g["therapist"], weights=w, labels=np.arange(1.0, 8.0)), abs=1e-12)
    assert k.loc["wai36_17", "n"] == len(g)
    with pytest.raises(ValueError, match=r"no item was answered by both raters on the same response scale"):
        item_kappa(study_a_pairs())
    with pytest.raises(TypeError, match=r"item_kappa needs the PairedRatings from pair_raters \(got DataFrame\)"):
        item_kappa(p.paired_)


def test_item_kappa_warns_when_undefined():
    """Everyone answers item 3 with 4: chance disagreement is 0, so kappa is undefined (0 / 0)."""
    import toolkit

    wai = toolkit.load_sample("wai36_client_therapist").assign(wai36_03=4.0)
    with pytest.warns(AgreementWarning, match=r"kappa is undefined \(NaN\) for items \['wai36_03'\]"):
        k = item_kappa(toolkit.pair_raters(wai, instrument_client="wai36"))
    assert k.loc["wai36_03", ["kappa", "kappa_linear", "kappa_quadratic"]].isna().all()
    assert k.drop(index="wai36_03")["kappa"].notna().all() and k.loc["wai36_03", "agree"] == 1.0


def test_icc_on_pingouin_data_and_psych_on_simulated_dyads():
    """pingouin's icc data (8 wines x 4 judges): ICC1 .727521 ... ICC3k .915159 (toolkit.icc);
    simulated dyads: psych::ICC(lmer = FALSE), every form, value and interval."""
    path = Path(importlib.util.find_spec("pingouin").origin).parent / "datasets" / "icc.csv"
    wines = pd.read_csv(path, encoding="utf-8-sig")
    t = icc(wines, targets="Wine", raters="Judge", ratings="Scores").table
    assert t.loc["ICC1", "icc"] == pytest.approx(0.727521, abs=1e-6)
    assert t.loc["ICC3k", "icc"] == pytest.approx(0.915159, abs=1e-6)
    d, R = stored("icc_dyads"), ref("icc_dyads")["icc"]
    t = icc(d[["client", "therapist"]]).table
    for ours, theirs in (("icc", "icc"), ("F", "F"), ("p", "p"), ("ci_low", "lower"), ("ci_high", "upper")):
        np.testing.assert_allclose(t[ours].to_numpy(float), R[theirs], atol=TOL, err_msg=ours)
    # agreement() reports psych's single-rater forms
    tidy = d.assign(subscale="total")
    for form in ("ICC1", "ICC2", "ICC3"):
        a = agreement(tidy, icc_type=form)
        i = R["type"].index(form)
        assert a.loc["total", "icc"] == pytest.approx(R["icc"][i], abs=TOL)
        assert a.loc["total", "icc_ci_low"] == pytest.approx(R["lower"][i], abs=TOL)
        assert a.loc["total", "icc_ci_high"] == pytest.approx(R["upper"][i], abs=TOL)


def test_agreement_table_is_the_single_statistics():
    d = stored("icc_dyads").assign(subscale="total")
    a = agreement(d)
    row = a.loc["total"]
    c = concordance(d["client"], d["therapist"])
    ba = bland_altman(d["client"], d["therapist"])
    dz = d_z(d["client"], d["therapist"])
    assert row["ccc"] == c["ccc"] and row["ccc_ci_low"] == c["ci_low"]
    assert row["ba_loa_high_ci_high"] == ba["loa_high_ci_high"] and row["ba_bias"] == ba["bias"]
    assert row["d_z_ci_high"] == dz["ci_high"]
    assert row["icc_type"] == "ICC2"
    assert list(a.columns[:4]) == ["n", "mean_client", "mean_therapist", "r"]
    assert "differences are client - therapist" in a.attrs["notes"][-1]


def test_sample_effects_are_recovered():
    """Study B (500 dyads, WAI-36 totals at session 3): the generator's targets r = .36 and d = .40
    (data-samples/true_parameters.json) hold within sampling error (~.04-.05). The shipped seed was selected
    to show them within .02 (data-samples/README.md), so this checks that agreement() measures them on the
    toolkit's scores, not the generator's calibration (tests/samples/test_effects.py does that)."""
    targets = json.loads((REPO / "data-samples" / "true_parameters.json").read_text())["targets"]
    a = agreement(study_b_pairs())
    assert a.loc["total", "r"] == pytest.approx(targets["client_therapist_r"]["value"], abs=0.05)
    assert a.loc["total", "d_av"] == pytest.approx(targets["client_minus_therapist_d"]["value"], abs=0.05)
    assert a.loc["total", "r_ci_low"] < 0.36 < a.loc["total", "r_ci_high"]
    assert (a["mean_diff"] > 0).all() and (a["p"] < 1e-6).all()  # clients rate higher on every subscale
    assert a.loc["total", "n"] == 499  # one client total is missing (too many blank items)


def test_repeated_sessions_are_noted_and_filterable():
    p = study_a_pairs()
    a = agreement(p)
    assert any("dyads contribute several sessions" in n for n in a.attrs["notes"])
    one = agreement(p, session=3)
    assert one.loc["total", "n"] == len(p.wide_[p.wide_["session"] == 3].dropna(subset=["client_total",
                                                                                          "therapist_total"]))
    assert not any("several sessions" in n for n in one.attrs["notes"])


def test_agreement_errors_and_warnings():
    p = study_b_pairs()
    with pytest.raises(ValueError, match=r"icc_type must be one of \['ICC1', 'ICC2', 'ICC3'\] \(got 'ICC2k'\)"):
        agreement(p, icc_type="ICC2k")
    with pytest.raises(ValueError, match=r"raters must name two different raters \(got \('client', 'client'\)\)"):
        agreement(p, raters=("client", "client"))
    with pytest.raises(KeyError, match=r"no column\(s\) \['observer'\].*raters=\('client', 'observer'\)"):
        agreement(p, raters=("client", "observer"))
    with pytest.raises(TypeError, match=r"'paired' must be a PairedRatings \(from pair_raters\) or a tidy "
                                        r"DataFrame.*\(got list\)"):
        agreement([1, 2])
    with pytest.raises(ValueError, match=r"no pairs at session 7"):
        agreement(p, session=7)
    with pytest.raises(ValueError, match=r"ci must be a confidence level between 0 and 1, e.g. 0.95 \(got 95\)"):
        agreement(p, ci=95)
    tiny = pd.DataFrame({"subscale": "total", "client": [1.0, 2, 3], "therapist": [1.0, 3, 2]})
    with pytest.warns(AgreementWarning, match=r"fewer than 4 complete pairs for total \(n = 3\)"):
        out = agreement(tiny)
    assert np.isnan(out.loc["total", "r_ci_low"])
    flat = pd.DataFrame({"subscale": "total", "client": [3.0] * 5, "therapist": [1.0, 2, 3, 4, 5]})
    with pytest.warns(AgreementWarning, match=r"undefined statistics are NaN: total: r, r_ci_low, r_ci_high, "
                                              r"r_p, ccc_ci_low, ccc_ci_high \(client scores do not vary\)"):
        out = agreement(flat)
    assert np.isnan(out.loc["total", "r"]) and out.loc["total", "ccc"] == 0.0
