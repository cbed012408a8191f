"""Scores on a scale with a resolution are exact at that resolution (issue 9, item 4).

The ORS and SRS lines are measured to 0.1. In floating point ``2.3 + 2.2 + 2.2 + 2.2`` is not 8.9, so a
change of exactly +5.0 computed as 4.999999999999998 was not flagged, a total of exactly 25.0 was "below
25", and the CLI wrote 35.599999999999994. Every expectation here is computed with exact fractions.
"""

from __future__ import annotations

import io
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit import score, validate_responses

# four lines of 0-10 measured to 0.1, as the tenths 0..100
TENTHS = st.lists(st.integers(0, 100), min_size=4, max_size=4)


def _frame(ins: str, rows: list[list[int]], **ids) -> pd.DataFrame:
    """Lines given in tenths, written as a person types them ("2.3"), then read as floats."""
    data = {f"{ins}_{k:02d}": [float(f"{r[k - 1] / 10:.1f}") for r in rows] for k in range(1, 5)}
    return pd.DataFrame({**ids, **data})


def _exact_total(r: list[int]) -> Fraction:
    return sum(Fraction(t, 10) for t in r)


def test_the_reported_ors_change_of_exactly_five_is_flagged():
    df = _frame("ors", [[23, 22, 22, 22], [36, 35, 35, 33]], client_id=["a", "a"], session=[1, 2])
    assert (3.6 + 3.5 + 3.5 + 3.3) - (2.3 + 2.2 + 2.2 + 2.2) < 5  # the float noise this is about
    out = score(df, "ors", change_by="client_id", change_order="session")
    assert out["total"].tolist() == [8.9, 13.9]
    assert out["total_change"].tolist()[1] == 5.0
    assert bool(out["flag_reliable_improvement"].iloc[1]) is True


def test_cut_offs_at_exactly_the_threshold():
    ors = score(_frame("ors", [[63, 62, 62, 63], [63, 62, 62, 62]]), "ors")  # 25.0 and 24.9
    assert ors["total"].tolist() == [25.0, 24.9]
    assert ors["flag_clinical_range"].tolist() == [False, True]  # "below 25"
    srs = score(_frame("srs", [[91, 90, 90, 89], [91, 90, 90, 88]]), "srs")  # 36.0 and 35.9
    assert srs["total"].tolist() == [36.0, 35.9]
    assert srs["flag_low_total"].tolist() == [False, True]  # "below 36"


@settings(max_examples=150, deadline=None)
@given(st.lists(TENTHS, min_size=1, max_size=8))
def test_totals_and_flags_equal_the_exact_values(rows):
    out = score(_frame("srs", rows), "srs")
    for k, r in enumerate(rows):
        exact = _exact_total(r)
        assert out["total"].iloc[k] == float(exact)  # the float nearest the exact total, never noise
        assert bool(out["flag_low_total"].iloc[k]) == (exact < 36)
        assert bool(out["flag_low_line"].iloc[k]) == any(t < 90 for t in r)
        assert len(repr(float(out["total"].iloc[k])).split(".")[1]) == 1  # 35.6, never 35.599999999999994


@settings(max_examples=150, deadline=None)
@given(TENTHS, TENTHS)
def test_reliable_change_equals_the_exact_change(first, second):
    df = _frame("ors", [first, second], client_id=["x", "x"], session=["1", "2"])
    out = score(df, "ors", change_by="client_id", change_order="session")
    change = _exact_total(second) - _exact_total(first)
    assert out["total_change"].iloc[1] == float(change)
    assert bool(out["flag_reliable_improvement"].iloc[1]) == (change >= 5)
    assert bool(out["flag_reliable_deterioration"].iloc[1]) == (change <= -5)
    assert bool(out["flag_clinical_range"].iloc[1]) == (_exact_total(second) < 25)


@settings(max_examples=100, deadline=None)
@given(TENTHS)
def test_means_and_pomp_are_exact_too(r):
    exact = _exact_total(r)
    df = _frame("ors", [r])
    assert score(df, "ors", metric="mean")["total"].iloc[0] == float(exact / 4)
    assert score(df, "ors", metric="pomp")["total"].iloc[0] == float(exact / 40 * 100)
    # thresholds are judged on the instrument's own metric (the sum), whatever is shown
    flagged = score(df, "ors", metric="mean")["flag_clinical_range"].iloc[0]
    assert bool(flagged) == (exact < 25)


def test_session_order_given_as_text_is_numeric():
    df = _frame("ors", [[50, 50, 50, 50], [60, 60, 60, 60]], client_id=["a"] * 2, session=["10", "9"])
    out = score(df, "ors", change_by="client_id", change_order="session")
    assert out["total_change"].tolist() == [-4.0, 0.0]  # from session "9", which comes before "10"


def test_answers_recorded_finer_than_the_resolution_are_exact_at_theirs():
    """Some services record lines to 0.01: their totals are exact too (and nothing is refused or rounded)."""
    df = pd.DataFrame({"client_id": ["a", "a"], "session": [1, 2], "ors_01": [5.05, 6.27], "ors_02": [5.0, 6.26],
                       "ors_03": [5.1, 6.2], "ors_04": [4.82, 6.3]})
    assert validate_responses(df, "ors").empty
    out = score(df, "ors", change_by="client_id", change_order="session")
    assert out["total"].tolist() == [19.97, 25.03]
    assert out["total_change"].tolist()[1] == 5.06
    one_third = df.assign(ors_01=[5 + 1 / 3, 6.27])  # no decimal resolution: scored as computed
    assert score(one_third, "ors")["total"].iloc[0] == pytest.approx(5 + 1 / 3 + 5.0 + 5.1 + 4.82, abs=1e-12)


def test_integer_scales_are_unchanged():
    rng = np.random.default_rng(5)
    df = pd.DataFrame(rng.integers(1, 6, size=(50, 12)), columns=[f"wai_sr_{k:02d}" for k in range(1, 13)])
    df = df.astype(float)
    df.iloc[::7, 3] = np.nan
    out = score(df, "wai-sr")
    keyed = df.to_numpy()
    task = [0, 1, 9, 11]
    mean = np.nanmean(keyed[:, task], axis=1)
    np.testing.assert_allclose(out["task"], mean * 4, rtol=0, atol=1e-12)


def test_grid_helpers():
    from toolkit import load_instrument
    from toolkit.scoring.exact import scale_unit, score_grid, snap

    scale = load_instrument("srs").scale_for()
    assert scale_unit(scale) == 10
    grid = score_grid(10, 4, 40)
    assert grid == 10 * 12 * 4
    assert snap(np.array([35.599999999999994, np.nan]), grid)[0] == 35.6
    assert score_grid(None, 4, 40) is None and score_grid(1, 36, 252) is None  # too fine to be exact: left alone


def test_cli_writes_the_exact_value(tmp_path, capsys):
    from toolkit.cli import main

    path = tmp_path / "srs.csv"
    path.write_text("client_id,srs_01,srs_02,srs_03,srs_04\nA,8.0,8.0,9.9,9.7\nB,9.1,8.8,9.0,8.7\n", encoding="utf-8")
    assert 8.0 + 8.0 + 9.9 + 9.7 != 35.6 and np.array([9.1, 8.8, 9.0, 8.7]).sum() != 35.6  # the noise this is about
    assert main(["score", str(path), "-i", "srs"]) == 0
    out = capsys.readouterr().out
    assert "35.599999999999994" not in out and "35.6000" not in out
    got = pd.read_csv(io.StringIO(out), index_col="line", dtype=str)
    assert got["total"].tolist() == ["35.6", "35.6"] and got["flag_low_total"].tolist() == ["True", "True"]
