"""Behaviour at the edges (issue 3, item 5): each case warns or raises with a message that says why."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from toolkit.exceptions import DataValidationError, InvalidParameterError, ItemMappingError, ReliabilityWarning
from toolkit.reliability_stats import cronbach_alpha, item_analysis, reliability

from ._refs import quiet, wai36


def _items(n=60, k=4, seed=0, loading=0.7):
    rng = np.random.default_rng(seed)
    f = rng.normal(size=(n, 1))
    x = f * loading + rng.normal(scale=0.6, size=(n, k))
    return pd.DataFrame(np.clip(np.round(x * 1.2 + 3), 1, 5), columns=[f"i{j + 1}" for j in range(k)])


def test_one_item_subscale_reports_nan_with_reason():
    df = _items(k=5)
    with pytest.warns(ReliabilityWarning, match=r"scale 'A' has 1 usable item\(s\): alpha and every other "
                      "internal-consistency statistic need at least two items"):
        res = reliability(df, keys={"A": ["i1"], "B": ["i2", "i3", "i4", "i5"]}, n_boot=0, omega=False)
    assert np.isnan(res.table.loc["A", "alpha"])
    assert res.table.loc["A", "n_items"] == 1
    assert res.table.loc["B", "alpha"] > 0.5
    assert any("has 1 usable item" in n for n in res.notes)


def test_one_item_subscale_omega_cfa_not_identified():
    df = _items(k=5)
    with pytest.warns(ReliabilityWarning, match="has 1 usable item"):
        res = reliability(df, keys={"A": ["i1"], "B": ["i2", "i3", "i4", "i5"]}, n_boot=0)
    assert np.isnan(res.table.loc["A", "omega_cfa"])
    assert res.omega_cfa.loc["A", "model"] == "not identified with fewer than 3 items"
    assert res.table.loc["B", "omega_cfa"] > 0


def test_constant_item_is_left_out_with_warning():
    """psych::alpha deletes items without variance with a warning; so do we, and say so."""
    df = _items()
    df["i5"] = 3.0
    with pytest.warns(ReliabilityWarning, match=r"item\(s\) 'i5' have the same answer from everyone \(no "
                      r"variance\) and were left out"):
        res = cronbach_alpha(df)
    assert res.total.loc[0, "n_items"] == 4
    assert "i5" not in res.item_stats.index
    assert cronbach_alpha(df.drop(columns="i5")).alpha == pytest.approx(res.alpha, abs=1e-12)


def test_constant_item_in_item_analysis_is_flagged():
    df = _items()
    df["i5"] = 3.0
    with pytest.warns(ReliabilityWarning, match="no variance"):
        res = item_analysis(df, keys={"s": list(df.columns)})
    assert "no variance" in res.table.loc[("s", "i5"), "flags"]
    assert np.isnan(res.table.loc[("s", "i5"), "r_drop"])


def test_all_missing_column_raises_naming_it():
    df = _items()
    df["i3"] = np.nan
    with pytest.raises(DataValidationError, match=r"scale 'scale': column\(s\) 'i3' have no responses in any of "
                       r"the 60 rows.*Drop them") as err:
        cronbach_alpha(df)
    assert err.value.report["column"].tolist() == ["i3"]


def test_fewer_respondents_than_items_warns():
    df = _items(n=5, k=8, seed=2)
    with pytest.warns(ReliabilityWarning, match=r"only 5 respondents for 8 items, so the item correlation matrix "
                      "is singular"):
        res = cronbach_alpha(df)
    assert np.isfinite(res.alpha)
    assert res.alpha_drop["alpha_se"].isna().all()  # psych leaves it out too


def test_negative_alpha_is_reported_with_reason():
    rng = np.random.default_rng(4)
    a = rng.normal(size=200)
    df = pd.DataFrame({"x": a + rng.normal(scale=0.3, size=200), "y": -a + rng.normal(scale=0.3, size=200),
                       "z": rng.normal(size=200)})
    with pytest.warns(ReliabilityWarning) as rec:
        res = cronbach_alpha(df)
    assert res.alpha < 0  # reported, not clipped
    messages = [str(w.message) for w in rec]
    assert any(m.startswith(f"scale 'scale': alpha = {res.alpha:.4f} is negative because the average inter-item "
                            "covariance is negative") for m in messages)
    assert any("reverse-keyed" in m for m in messages)


def test_undeclared_reverse_keyed_items_are_named():
    """WAI-36 task items 7, 11, 15, 31, 33 are reverse-keyed: analysed unreversed, they are named."""
    x = wai36("client")
    task = [f"wai36_{n:02d}" for n in (2, 4, 7, 11, 13, 15, 16, 18, 24, 31, 33, 35)]
    with pytest.warns(ReliabilityWarning) as rec:
        res = cronbach_alpha(x, keys=task)
    msgs = [str(w.message) for w in rec]
    msg = next(m for m in msgs if "look reverse-keyed but are not declared so" in m)
    assert re.search(r"wai36_07 \(r.drop = -0\.\d\d\)", msg)
    assert res.alpha < 0 and any("is negative because the average inter-item covariance is negative" in m
                                 for m in msgs)
    for n in (7, 11, 15, 31, 33):
        assert f"wai36_{n:02d}" in msg
    for n in (2, 4, 13):
        assert f"wai36_{n:02d} " not in msg


def test_declared_reverse_keys_silence_the_warning():
    x = wai36("client")
    task = [("-" if n in (7, 11, 15, 31, 33) else "") + f"wai36_{n:02d}"
            for n in (2, 4, 7, 11, 13, 15, 16, 18, 24, 31, 33, 35)]
    res = cronbach_alpha(x, keys=task, response_scale=(1, 7))  # no warning (warnings are errors in this suite)
    assert res.alpha > 0.9


def test_unknown_key_names_raise():
    with pytest.raises(ItemMappingError, match=r"keys name items that are not columns of the data: 'q9' "
                       r"\(scale 'scale'\)"):
        cronbach_alpha(_items(), keys=["i1", "q9"])


def test_non_numeric_cells_are_all_reported():
    df = _items().astype(object)
    df.loc[3, "i2"] = "often"
    df.loc[7, "i4"] = "n/a?"
    with pytest.raises(DataValidationError, match=r"The 'data' argument of cronbach_alpha\(\) has 2 cell\(s\) that "
                       r"are not usable numbers: row 3, column 'i2': 'often' \(not a number\); "
                       r"row 7, column 'i4': 'n/a\?' \(not a number\)") as err:
        cronbach_alpha(df)
    assert len(err.value.report) == 2


def test_nullable_and_mixed_numeric_columns_give_the_float_numbers():
    """Nullable integers (<NA> is missing), ints beside floats and a bool column: the same alpha as the floats,
    and a bool column is named as not a number."""
    df = _items()
    df.loc[[2, 5], "i3"] = np.nan
    nullable = df.astype("Int64")
    mixed = df.astype({"i1": "int64"})  # (i1 has no missing cell)
    assert mixed.dtypes.tolist() == ["int64", "float64", "float64", "float64"]
    expected = cronbach_alpha(df)
    for other in (nullable, mixed):
        got = cronbach_alpha(other)
        assert got.alpha == pytest.approx(expected.alpha, abs=1e-15)
        pd.testing.assert_frame_equal(got.item_stats, expected.item_stats)
    with pytest.raises(DataValidationError, match=r"column 'i2': True \(not a number\)"):
        cronbach_alpha(df.assign(i2=df["i2"] > 2))


def test_bad_missing_choice_lists_allowed_values():
    with pytest.raises(InvalidParameterError, match=r"The 'missing' parameter of cronbach_alpha\(\) must be one of "
                       r"'pairwise', 'listwise'; got 'mean'"):
        cronbach_alpha(_items(), missing="mean")


def test_caller_frame_is_not_mutated():
    df = _items()
    df.index = [f"r{i}" for i in range(len(df))]
    before = df.copy()
    quiet(cronbach_alpha, df, keys=["-i1", "i2", "i3"])
    quiet(item_analysis, df, keys={"s": ["-i1", "i2", "i3", "i4"]})
    pd.testing.assert_frame_equal(df, before)


def test_bad_ci_and_n_boot_are_refused():
    with pytest.raises(InvalidParameterError, match=r"The 'ci' parameter of cronbach_alpha\(\) must be a confidence "
                       r"level between 0 and 1, such as 0.95 \(for 95% pass 0.95\); got 95"):
        cronbach_alpha(_items(), ci=95)
    with pytest.raises(InvalidParameterError, match=r"The 'n_boot' parameter of reliability\(\) must be a whole "
                       r"number >= 0 \(bootstrap resamples; 0 for none\); got -5"):
        reliability(_items(), keys={"a": ["i1", "i2", "i3"]}, n_boot=-5)


def test_item_keyed_both_ways_is_refused():
    with pytest.raises(InvalidParameterError, match=r"The 'keys' parameter of reliability\(\): item\(s\) i1 are "
                       "reverse-keyed in one scale and not in another"):
        reliability(_items(), keys={"a": ["-i1", "i2"], "b": ["i1", "i3"]})


def test_rows_without_answers_are_counted_out_and_said():
    """A respondent who answered none of a scale's items carries no information: left out of n, with a note."""
    df = _items()
    df.loc[[4, 9], :] = np.nan
    res = cronbach_alpha(df)
    assert res.total.loc[0, "n"] == 58
    assert "scale 'scale': 2 row(s) answered none of its items and were left out, so n = 58" in " ".join(res.notes)
    assert res.alpha == pytest.approx(cronbach_alpha(df.drop(index=[4, 9])).alpha, abs=1e-12)


def test_failed_bootstrap_resamples_are_counted_and_noted():
    """Resamples whose total variance is 0 give no alpha: they are counted, noted and left out."""
    import warnings

    import pandas as pd

    import toolkit

    d = pd.DataFrame({"a": [1, 1, 2, 1], "b": [1, 1, 2, 2], "c": [1, 2, 2, 1]})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # n < items warnings are tested elsewhere
        r = toolkit.cronbach_alpha(d, n_boot=200, seed=1)
    failed = int(r.tables["total"]["boot_failed"].iloc[0])
    assert 0 < failed < 200
    assert f"{failed} of 200 bootstrap resamples gave no alpha" in " ".join(r.notes)


def test_columns_that_are_not_text_are_analysed_under_their_text_names():
    """A frame from a numpy array has integer column labels (0, 1, ...): keys name them as text or as numbers,
    the caller's frame keeps its labels, and two labels with the same text are refused by name."""
    named = _items(300, 5, seed=3)
    named["i3"] = 6 - named["i3"]  # a reverse-keyed item
    data = named.set_axis(range(5), axis=1)
    plain = cronbach_alpha(data, keys=[0, 1, 3, 4])
    assert plain.to_frame()["alpha"].iloc[0] == pytest.approx(
        cronbach_alpha(named, keys=["i1", "i2", "i4", "i5"]).to_frame()["alpha"].iloc[0], abs=1e-15)
    keyed = cronbach_alpha(data, keys=[0, 1, "-2", 3], response_scale=(1, 5))
    by_name = cronbach_alpha(named, keys=["i1", "i2", "-i3", "i4"], response_scale=(1, 5))
    assert keyed.to_frame()["alpha"].iloc[0] == pytest.approx(by_name.to_frame()["alpha"].iloc[0], abs=1e-15)
    assert list(data.columns) == [0, 1, 2, 3, 4]
    clash = data.set_axis([0, "0", 1, 2, 3], axis=1)
    with pytest.raises(InvalidParameterError, match="'0' occur more than once"):
        cronbach_alpha(clash, keys=["0", "1"])
