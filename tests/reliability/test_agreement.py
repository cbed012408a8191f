"""ICC (six Shrout-Fleiss forms), reliable change and test-retest."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from toolkit.exceptions import DataValidationError, InvalidParameterError
from toolkit.reliability_stats import change, icc, reliable_change

from ._refs import pingouin_icc, ref

TOL = 1e-6


def test_icc_matches_psych_and_pingouin():
    """R: psych::ICC(wide, lmer = FALSE) on pingouin's icc data (8 wines x 4 judges); pingouin documents
    ICC1 .727521 ... ICC3k .915159."""
    R = ref("pingouin_icc")["results"]
    t = icc(pingouin_icc(), targets="Wine", raters="Judge", ratings="Scores").table
    assert t.index.tolist() == R["type"]
    for ours, theirs in {"icc": "ICC", "F": "F", "df1": "df1", "df2": "df2", "p": "p", "ci_low": "lower bound",
                         "ci_high": "upper bound"}.items():
        np.testing.assert_allclose(t[ours].to_numpy(float), np.array(R[theirs], float), atol=TOL, err_msg=ours)
    assert t.loc["ICC1", "icc"] == pytest.approx(0.727521, abs=1e-6)
    assert t.loc["ICC3k", "icc"] == pytest.approx(0.915159, abs=1e-6)


def test_icc_wide_equals_long():
    d = pingouin_icc()
    wide = d.pivot(index="Wine", columns="Judge", values="Scores")
    a = icc(wide).table
    b = icc(d, "Wine", "Judge", "Scores").table
    pd.testing.assert_frame_equal(a, b)


def test_icc_shrout_fleiss_table_4():
    """Shrout & Fleiss (1979) Table 2 data; their Table 4: .17, .29, .71, .44, .62, .91."""
    wide = pd.DataFrame({"A": [9, 6, 8, 7, 10, 6], "B": [2, 1, 4, 1, 5, 2],
                         "C": [5, 3, 6, 2, 6, 4], "D": [8, 2, 8, 6, 9, 7]})
    assert icc(wide).table["icc"].round(2).tolist() == [0.17, 0.29, 0.71, 0.44, 0.62, 0.91]


def test_icc_duplicate_pairs_raise_instead_of_averaging():
    d = pd.concat([pingouin_icc(), pd.DataFrame({"Wine": [1], "Judge": ["A"], "Scores": [5]})], ignore_index=True)
    with pytest.raises(DataValidationError, match=r"2 rows repeat a target x rater pair: \(1, 'A'\)\. Each rater "
                       "must rate each target once") as err:
        icc(d, "Wine", "Judge", "Scores")
    assert len(err.value.report) == 2


def test_icc_drops_incomplete_targets_and_says_so():
    d = pingouin_icc()
    d = d[~((d["Wine"] == 2) & (d["Judge"] == "B"))]
    res = icc(d, "Wine", "Judge", "Scores")
    assert "1 target(s) with a missing rating were dropped (listwise)" in res.notes
    assert "7 targets x 4 raters" in res.notes[0]


def test_icc_long_needs_all_three_columns():
    with pytest.raises(ValueError, match=r"long data need all of targets=, raters= and ratings= \(missing: ratings\)"):
        icc(pingouin_icc(), "Wine", "Judge")


def test_reliable_change_jacobson_truax():
    """By hand: SEM = 5 sqrt(1 - .8) = 2.2361, S_diff = sqrt(2) SEM = 3.1623, RCI = change / S_diff."""
    pre = pd.Series([20.0, 25.0, 30.0, np.nan], index=["a", "b", "c", "d"])
    post = [30.0, 24.0, 20.0, 10.0]
    out = reliable_change(pre, post, reliability=0.8, sd=5)
    s_diff = np.sqrt(2 * (5 * np.sqrt(0.2)) ** 2)
    np.testing.assert_allclose(out["rci"].to_numpy()[:3], np.array([10, -1, -10]) / s_diff, atol=1e-12)
    assert out["category"].tolist() == ["improved", "no reliable change", "deteriorated", ""]
    assert out.table.index.tolist() == ["a", "b", "c", "d"]
    assert out.min_change == pytest.approx(1.959964 * s_diff, abs=1e-5)
    assert out.s_diff == pytest.approx(s_diff, abs=1e-12)
    worse = reliable_change(pre, post, reliability=0.8, sd=5, higher_is_better=False)
    assert worse["category"].tolist()[:3] == ["deteriorated", "no reliable change", "improved"]


def test_reliable_change_default_sd_and_bad_reliability():
    pre = pd.Series([10.0, 14.0, 18.0, 22.0])
    out = reliable_change(pre, pre + 1, reliability=0.9)
    assert out.sd == pytest.approx(pre.std(ddof=1))
    with pytest.raises(InvalidParameterError, match=r"The 'reliability' parameter of reliable_change\(\) must be a "
                       r"finite number >= 0 and < 1 \(a negative or undefined reliability cannot give a standard "
                       r"error of measurement.*\); got -0.2"):
        reliable_change(pre, pre, reliability=-0.2)


def test_test_retest_matches_scipy_and_icc():
    """R: cor.test(t1, t2)$estimate / $conf.int; psych::ICC(cbind(t1, t2), lmer = FALSE) ICC2, ICC3."""
    from scipy.stats import pearsonr

    rng = np.random.default_rng(5)
    t1 = rng.normal(50, 10, 40)
    t2 = t1 * 0.8 + rng.normal(12, 5, 40)
    out = change.retest_reliability(t1, t2)
    pr = pearsonr(t1, t2)
    lo, hi = pr.confidence_interval(0.95)
    assert out.loc["pearson_r", "estimate"] == pytest.approx(pr.statistic, abs=1e-12)
    assert (out.loc["pearson_r", "ci_low"], out.loc["pearson_r", "ci_high"]) == pytest.approx((lo, hi), abs=1e-9)
    t = icc(pd.DataFrame({"a": t1, "b": t2})).table
    assert out.loc["icc_agreement", "estimate"] == pytest.approx(t.loc["ICC2", "icc"])
    assert out.loc["icc_consistency", "estimate"] == pytest.approx(t.loc["ICC3", "icc"])


def test_reliable_change_takes_reliability_from_the_table():
    """The instrument's own reliability: alpha of the WAI-SR total from reliability() feeds the RCI."""
    from toolkit.reliability_stats import reliability

    from ._refs import wai_sr

    table = reliability(wai_sr(), "wai-sr", n_boot=0, omega=False)
    pre = pd.Series([40.0, 45.0, 50.0])
    out = reliable_change(pre, [48.0, 45.0, 41.0], reliability=table, sd=8.0)
    assert out.reliability == table.table.loc["total", "alpha"]
    out2 = reliable_change(pre, [48.0, 45.0, 41.0], reliability=table.table, subscale="bond", sd=8.0)
    assert out2.reliability == table.table.loc["bond", "alpha"]
    assert "alpha of 'bond' from the reliability table" in out2.notes[0]
    with pytest.raises(InvalidParameterError, match="The 'subscale' parameter of reliable_change\\(\\) must be a row "
                       "of the reliability table, one of 'task', 'bond', 'goal', 'total'; got 'nope'"):
        reliable_change(pre, pre, reliability=table, subscale="nope")


def test_icc_non_numeric_ratings_are_named_not_dropped():
    """A typo in a rating used to become a 'missing rating' and drop the target; now every bad cell is named."""
    d = pingouin_icc().astype({"Scores": object})
    d.loc[5, "Scores"] = "7,5"
    with pytest.raises(DataValidationError, match=r"The 'data' argument of icc\(\) has 1 cell\(s\) that are not "
                       r"usable numbers: row 5, column 'Scores': '7,5' \(not a number\)\. "
                       "Recode them to numbers") as err:
        icc(d, "Wine", "Judge", "Scores")
    assert err.value.report[["row", "column", "value"]].values.tolist() == [[5, "Scores", "7,5"]]
    wide = d.pivot(index="Wine", columns="Judge", values="Scores")
    with pytest.raises(DataValidationError, match=r"column 'A': '7,5'"):
        icc(wide)


def test_reliable_change_non_numeric_scores_are_named():
    pre = pd.Series([20.0, 25.0, 30.0], index=["a", "b", "c"])
    with pytest.raises(DataValidationError, match=r"row 'b', column 'post': 'n/a'"):
        reliable_change(pre, pd.Series([30, "n/a", 20], index=["a", "b", "c"]), reliability=0.8, sd=5)
    with pytest.raises(DataValidationError, match=r"row 1, column 'time2': 'x'"):
        change.retest_reliability([1, 2, 3, 4], [1, "x", 3, 4])
