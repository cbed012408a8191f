"""Every error and warning of the scoring engine, message asserted."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from toolkit import score, validate_responses
from toolkit.exceptions import (
    DataValidationError,
    InvalidCellsWarning,
    ItemMappingError,
    KeyConfidenceWarning,
    UnmatchedColumnsWarning,
    UnverifiedKeyError,
)
from toolkit.scoring import item_frame, match_item_columns


def wai_sr(n=3, value=3, prefix="wai_sr_", index=None):
    df = pd.DataFrame({f"{prefix}{k:02d}": [value] * n for k in range(1, 13)}, index=index)
    return df


def messy():
    df = wai_sr(4, index=["p1", "p2", "p3", "p4"]).astype(object)
    df.insert(0, "client_id", ["c1", "c2", "c3", "c4"])
    df.loc["p1", "wai_sr_02"] = "five"
    df.loc["p2", "wai_sr_05"] = 7
    df.loc["p2", "wai_sr_06"] = 0
    df.loc["p3", "wai_sr_07"] = 2.5
    df.loc["p4", "wai_sr_08"] = " 4 "  # whitespace around a good value is fine
    df.loc["p4", "wai_sr_09"] = "Very often"  # an anchor label is its value
    df.loc["p4", "wai_sr_10"] = "n/a"  # a missing token
    return df


def test_every_bad_cell_is_reported_at_once_with_row_id_column_value_reason():
    with pytest.raises(DataValidationError) as err:
        score(messy(), "wai-sr")
    rep = err.value.report
    assert list(rep.columns) == ["row", "client_id", "column", "item", "value", "reason"]
    assert rep[["row", "client_id", "column", "value"]].values.tolist() == [
        ["p1", "c1", "wai_sr_02", "five"],
        ["p2", "c2", "wai_sr_05", 7],
        ["p2", "c2", "wai_sr_06", 0],
        ["p3", "c3", "wai_sr_07", 2.5],
    ]
    assert rep["reason"].tolist() == [
        "not a number (expected one of 1, 2, 3, 4, 5)",
        "out of range (expected one of 1, 2, 3, 4, 5)",
        "out of range (expected one of 1, 2, 3, 4, 5)",
        "not on the scale's step (expected one of 1, 2, 3, 4, 5)",
    ]
    msg = str(err.value)
    assert msg.startswith("4 bad cells in 3 of 4 rows for wai-sr (row = the row's label in the data's index):")
    assert "p1" in msg and "five" in msg and "pass on_invalid='missing'" in msg


def test_validate_responses_returns_the_same_report_without_raising():
    rep = validate_responses(messy(), "wai-sr")
    assert len(rep) == 4 and set(rep["row"]) == {"p1", "p2", "p3"}
    assert validate_responses(wai_sr(), "wai-sr").empty


def test_on_invalid_missing_scores_bad_cells_as_missing_and_counts_them():
    df = messy()
    before = df.copy()
    with pytest.warns(InvalidCellsWarning, match="4 bad cells in 3 rows were scored as missing"):
        out = score(df, "wai-sr", on_invalid="missing")
    pd.testing.assert_frame_equal(df, before)  # caller's frame untouched
    assert out["n_invalid"].tolist() == [1, 2, 1, 0]
    assert out.loc["p2", "goal_n"] == 3 and out.loc["p2", "bond_n"] == 3
    assert out.loc["p4", "bond"] == 3 + 3 + 3 + 4  # "Very often" -> 4, " 4 " -> 4 (goal)
    assert out.loc["p4", "task_n"] == 3 and out.loc["p4", "task_prorated"]  # "n/a" is missing
    assert len(out.attrs["invalid_cells"]) == 4


def test_numeric_frames_are_read_in_place_and_never_written():
    """A frame of floats is scored from a read-only view of its cells; bad cells scored as missing and missing
    codes are set in a copy, so the caller's frame and the array under it keep every value."""
    arr = np.full((4, 12), 3.0)
    arr[0, 0], arr[1, 1], arr[2, 2] = np.nan, 9.0, -99.0  # missing, out of range, a missing code
    df = pd.DataFrame(arr, columns=[f"wai_sr_{k:02d}" for k in range(1, 13)], copy=False)
    before, kept = df.copy(), arr.copy()
    with pytest.warns(InvalidCellsWarning, match="2 bad cells in 2 rows"):
        out = score(df, "wai-sr", on_invalid="missing")
    assert out["n_invalid"].tolist() == [0, 1, 1, 0] and out["total_n"].tolist() == [11, 11, 11, 12]
    out = score(df.drop(index=1), "wai-sr", missing_codes=[-99])
    assert out["total_n"].tolist() == [11, 11, 12]
    pd.testing.assert_frame_equal(df, before)
    np.testing.assert_array_equal(arr, kept)
    assert score(df.iloc[[3]], "wai-sr")["total"].tolist() == [36.0]


def test_many_bad_cells_are_summarised_in_the_message_and_all_kept_in_the_report():
    df = wai_sr(10, value=9)
    with pytest.raises(DataValidationError) as err:
        score(df, "wai-sr")
    assert len(err.value.report) == 120
    assert "... and 70 more (see err.report)" in str(err.value)


def test_missing_codes():
    df = wai_sr(2)
    df.loc[0, "wai_sr_01"] = -99
    with pytest.raises(DataValidationError, match="out of range"):
        score(df, "wai-sr")
    out = score(df, "wai-sr", missing_codes=[-99])
    assert out.loc[0, "task_n"] == 3


def test_decimal_comma_is_read_for_visual_analogue_lines():
    df = pd.DataFrame({f"srs_{k:02d}": ["9,5"] for k in range(1, 5)})
    assert score(df, "srs").loc[0, "total"] == 38.0


def test_unverified_form_needs_consent_and_warns():
    df = pd.DataFrame({f"wai36_{k:02d}": [4] for k in range(1, 37)})
    with pytest.raises(UnverifiedKeyError) as err:
        score(df, "wai36", form="observer")
    assert "wai36 form 'observer' has confidence R" in str(err.value)
    assert "pass allow_unverified=True" in str(err.value)
    with pytest.warns(KeyConfidenceWarning, match="scoring wai36 form 'observer' with a key of confidence R"):
        out = score(df, "wai36", form="observer", allow_unverified=True)
    assert out.loc[0, "total"] == 144


def test_instrument_without_verified_scale():
    df = pd.DataFrame({f"rdfs_{k:02d}": [2] for k in range(1, 7)})
    with pytest.raises(UnverifiedKeyError, match=r"rdfs ships no verified response scale .* pass response_scale="):
        score(df, "rdfs")
    assert score(df, "rdfs", response_scale={"min": 0, "max": 4}).loc[0, "total"] == 2.0
    with pytest.raises(Exception,
                       match=r"response_scale=\{'min': 5, 'max': 4\} is not valid: min \(5\) must be smaller"):
        score(df, "rdfs", response_scale={"min": 5, "max": 4})


def test_item_columns_not_found():
    df = pd.DataFrame({"a": [1], "b": [2]})
    with pytest.raises(ItemMappingError,
                       match=r"no item columns of wai-sr \(12 items\) found among the columns \['a', 'b'\]"):
        score(df, "wai-sr")


def test_some_item_columns_missing():
    df = wai_sr().drop(columns=["wai_sr_04", "wai_sr_05", "wai_sr_06", "wai_sr_11"])
    with pytest.raises(ItemMappingError) as err:
        score(df, "wai-sr")
    assert "found columns for items 1-3, 7-10, 12 of wai-sr" in str(err.value)
    assert "but none for items 4-6, 11" in str(err.value)


def test_two_columns_for_one_item():
    df = wai_sr()
    df["WAI-SR 3"] = 3
    with pytest.raises(ItemMappingError,
                       match=r"several columns name the same item of wai-sr: item 3: \['wai_sr_03', 'WAI-SR 3'\]"):
        score(df, "wai-sr")


def test_pattern_and_mapping_errors():
    df = wai_sr(prefix="Q")
    with pytest.raises(ItemMappingError, match="pattern 'Q' has no item number"):
        score(df, "wai-sr", pattern="Q")
    with pytest.raises(ItemMappingError, match=r"pattern 'X\{n\}' found no column for items \[1, 2"):
        score(df, "wai-sr", pattern="X{n}")
    with pytest.raises(ItemMappingError, match=r"items \[2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12\] have no column"):
        score(df, "wai-sr", items={1: "Q01"})
    with pytest.raises(ItemMappingError, match=r"column 'Q01' is mapped to items 1 and 2"):
        score(df, "wai-sr", items={n: ("Q01" if n == 2 else f"Q{n:02d}") for n in range(1, 13)})


@pytest.mark.parametrize(
    "columns, pattern",
    [
        ([f"WAI_{n}" for n in range(1, 13)], None),
        ([f"wai_sr_{n:02d}" for n in range(1, 13)], None),
        ([f"WAISR{n}" for n in range(1, 13)], None),
        ([f"Q{n}" for n in range(1, 13)], None),
        ([f"item_{n}" for n in range(1, 13)], None),
        ([str(n) for n in range(1, 13)], None),
        ([f"alliance.{n:03d}" for n in range(1, 13)], "alliance.{n:03d}"),
        ([f"w{n}x" for n in range(1, 13)], r"w(?P<n>\d+)x"),
    ],
)
def test_item_columns_are_found_in_many_namings(columns, pattern):
    mapping = match_item_columns(["id", *columns], "wai-sr", pattern=pattern)
    assert list(mapping.values()) == columns


def test_extra_item_like_columns_warn():
    df = wai_sr(prefix="Q")
    df["Q13"] = 1
    with pytest.warns(UnmatchedColumnsWarning,
                      match=r"columns \['Q13'\] look like item columns but wai-sr has only 12 items"):
        score(df, "wai-sr")


def test_long_layout_duplicates_are_an_error_not_averaged():
    long = pd.DataFrame({"id": ["a"] * 13, "item": [*range(1, 13), 5], "value": [3] * 12 + [4]})
    with pytest.raises(DataValidationError) as err:
        score(long, "wai-sr", layout="long", id_cols="id")
    assert "2 rows answer an item twice in the same administration" in str(err.value)
    assert "answers are never averaged" in str(err.value)
    assert err.value.report["row"].tolist() == [4, 12]


def test_long_layout_unknown_items_and_columns():
    long = pd.DataFrame({"id": ["a"], "item": [13], "value": [3]})
    with pytest.raises(ItemMappingError, match=r"'item' holds item numbers \[13\] that wai-sr does not have"):
        score(long, "wai-sr", layout="long", id_cols="id")
    with pytest.raises(KeyError, match="long layout needs columns 'question' and 'value'"):
        score(long, "wai-sr", layout="long", item_col="question")


@pytest.mark.parametrize(
    "kwargs, exc, message",
    [
        ({"metric": "median"}, ValueError,
         "The 'metric' parameter of score() must be one of 'sum', 'mean', 'pomp'; got 'median'."),
        ({"on_invalid": "ignore"}, ValueError,
         "The 'on_invalid' parameter of score() must be one of 'raise', 'missing'; got 'ignore'."),
        ({"layout": "tall"}, ValueError,
         "The 'layout' parameter of score() must be one of 'wide', 'long'; got 'tall'."),
        ({"max_missing": -1}, ValueError, "The 'max_missing' parameter of score() must be a whole number >= 0"),
        ({"max_missing": {"bnd": 1}}, KeyError, "max_missing names ['bnd'], which wai-sr does not score"),
        ({"thresholds": {"low": 3}}, KeyError, "wai-sr has no thresholds ['low']; its thresholds are none"),
        ({"id_cols": ["who"]}, KeyError, "id_cols ['who'] are not columns of the data"),
        ({"keep": ["nope"]}, KeyError, "keep names ['nope'], which are not columns of the data"),
    ],
)
def test_bad_arguments(kwargs, exc, message):
    with pytest.raises(exc) as err:
        score(wai_sr(), "wai-sr", **kwargs)
    assert message in str(err.value)


def test_bad_threshold_override():
    df = pd.DataFrame({f"srs_{k:02d}": [9] for k in range(1, 5)})
    with pytest.raises(ValueError, match=r"thresholds\['low_total'\] = 'below 36' is not understood"):
        score(df, "srs", thresholds={"low_total": "below 36"})


def test_data_must_be_a_dataframe():
    with pytest.raises(TypeError,
                       match="data must be a pandas DataFrame \\(got list\\); read a file with toolkit.read_responses"):
        score([[1, 2]], "wai-sr")


def test_item_frame_raises_or_masks():
    with pytest.raises(DataValidationError):
        item_frame(messy(), "wai-sr")
    with pytest.warns(InvalidCellsWarning):
        frame = item_frame(messy(), "wai-sr", on_invalid="missing")
    assert np.isnan(frame.loc["p1", "wai_sr_02"]) and list(frame.index) == ["p1", "p2", "p3", "p4"]


def test_exact_duplicate_rows_are_scored_and_named():
    from toolkit.exceptions import DuplicateRowsWarning

    df = wai_sr(3, index=["a", "b", "c"])
    df.insert(0, "client_id", ["c1", "c2", "c2"])
    with pytest.warns(DuplicateRowsWarning,
                      match=r"1 row repeats an earlier row exactly \(same \['client_id'\] and answers\): row c\."):
        out = score(df, "wai-sr")
    assert len(out) == 3  # never dropped
    df.loc["c", "wai_sr_01"] = 4  # same id, different answers: which is right cannot be told (issue 9, item 7)
    with pytest.warns(DuplicateRowsWarning, match=r"1 administration \(same \['client_id'\]\) appears more than "
                      r"once with different answers: rows b, c\. All are scored"):
        assert len(score(df, "wai-sr")) == 3


def test_reliable_change_on_the_ors():
    df = pd.DataFrame({
        "client_id": ["x", "x", "x", "y", "y"],
        "session": [2, 1, 3, 1, 2],
        **{f"ors_{k:02d}": v for k, v in zip(range(1, 5), zip(*[
            [5, 5, 5, 5],      # x session 2: 20
            [4, 4, 4, 4],      # x session 1: 16 (baseline)
            [3, 3, 3, 3.5],    # x session 3: 12.5
            [6, 6, 6, 6],      # y session 1: 24
            [6, 6, 6, 6.9],    # y session 2: 24.9
        ]))},
    })
    out = score(df, "ors", change_by="client_id", change_order="session")
    assert out["total_change"].tolist() == pytest.approx([4, 0, -3.5, 0, 0.9])
    assert out["flag_reliable_improvement"].tolist() == [False, False, False, False, False]
    df.loc[0, "ors_01"] = 6  # x session 2: 21 -> change 5 = reliable
    out = score(df, "ors", change_by="client_id", change_order="session")
    assert out.loc[0, "flag_reliable_improvement"] and not out.loc[2, "flag_reliable_deterioration"]
    with pytest.raises(ValueError, match="wai-sr has no published reliable-change value"):
        score(wai_sr(), "wai-sr", change_by="client_id")
    with pytest.raises(KeyError, match=r"change_by/change_order name \['who'\]"):
        score(df, "ors", change_by="who")
