"""Value-label conversion and the column report, without files."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from toolkit import load_instrument, read_responses
from toolkit.exceptions import ItemMappingError, UnmatchedColumnsWarning
from toolkit.io import anchor_map, column_report, convert_value_labels, looks_like_item_column
from toolkit.io.labels import normalise_label


@pytest.fixture
def scale():
    return load_instrument("wai-sr").scale_for("client")


def test_convert_does_not_touch_the_input(codes_frame, value_labels, scale):
    before = codes_frame.copy()
    out, report = convert_value_labels(codes_frame, value_labels, scale)
    pd.testing.assert_frame_equal(codes_frame, before)
    assert out.index.equals(codes_frame.index) and list(out.columns) == list(codes_frame.columns)
    assert list(report.columns) == ["column", "code", "label", "value", "n", "status"]
    assert (out["wai_sr_01"] - codes_frame["wai_sr_01"]).eq(1).all()


def test_non_anchor_columns_keep_codes_even_with_one_anchor_word(scale):
    df = pd.DataFrame({"freq": [1.0, 2.0, 3.0], "site": [1.0, 1.0, 2.0]})
    labels = {"freq": {1: "never", 2: "Sometimes", 3: "weekly"},  # one anchor word is not the anchors
              "site": {1: "Berlin", 2: "Zurich"}}
    out, report = convert_value_labels(df, labels, scale)
    pd.testing.assert_frame_equal(out, df)
    assert set(report["status"]) == {"kept"}


def test_text_codes(scale):
    df = pd.DataFrame({"q1": ["a", "e", None, "c"]})
    labels = {"q1": dict(zip("abcde", ["Seldom", "Sometimes", "Fairly often", "Very often", "Always"]))}
    out, _ = convert_value_labels(df, labels, scale)
    assert out["q1"].tolist()[:2] == [1.0, 5.0] and pd.isna(out["q1"].iloc[2]) and out["q1"].iloc[3] == 3.0


def test_no_scale_means_no_conversion(codes_frame, value_labels):
    out, report = convert_value_labels(codes_frame, value_labels, None)
    pd.testing.assert_frame_equal(out, codes_frame)
    assert set(report["status"]) == {"kept"}


def test_anchor_helpers():
    assert normalise_label("  Very\tOFTEN ") == "very often"
    assert normalise_label("3: Fairly often") == "fairly often"
    assert normalise_label("7") == "7"  # a bare number stays itself
    assert anchor_map({1: "A", 2: "b "}, {10: "a", 20: "B"}) == {1: 10.0, 2: 20.0}


@pytest.mark.parametrize(
    ("name", "expected"),
    [("Q13", True), ("q_13", True), ("item 7", True), ("wai_sr_14", True), ("WAI-SR 3r", True),
     ("session_2", False), ("age", False), ("T1", False), ("client_id", False), ("v3", False)],
)
def test_item_like_names(name, expected):
    assert looks_like_item_column(name, prefixes={"waisr", "wai"}) is expected


def test_column_report(wai_cols):
    columns = ["client_id", *wai_cols, "Q13", "wai_sr_14", "session_2", "age"]
    report = column_report(columns, "wai-sr")
    assert list(report.columns) == ["column", "item", "status"]
    assert report["column"].tolist() == columns  # the data's order
    by = report.set_index("column")
    assert by.loc["wai_sr_07", "item"] == 7 and by.loc["wai_sr_07", "status"] == "matched"
    assert by.loc[["Q13", "wai_sr_14"], "status"].tolist() == ["unmatched", "unmatched"]
    assert by.loc[["client_id", "session_2", "age"], "status"].tolist() == ["other"] * 3
    assert by.loc[["Q13", "age"], "item"].isna().all()


def test_column_report_with_pattern_and_items():
    columns = ["id", *[f"F{n}" for n in range(1, 13)], "F13"]
    report = column_report(columns, "wai-sr", pattern="F{n}")
    assert report.set_index("column").loc["F12", "item"] == 12
    assert report.set_index("column").loc["F13", "status"] == "unmatched"  # prefix learnt from the matches
    items = {n: f"F{n}" for n in range(1, 13)}
    assert column_report(columns, "wai-sr", items=items).equals(report)


def test_column_report_strict_and_lenient(wai_cols):
    columns = ["id", *wai_cols[:11]]
    with pytest.raises(ItemMappingError, match=r"none for items 12"):
        column_report(columns, "wai-sr")
    report = column_report(columns, "wai-sr", strict=False)
    assert set(report["status"]) == {"unmatched", "other"}
    assert "none for items 12" in report.attrs["mapping_error"]


def test_unknown_form():
    with pytest.raises(KeyError, match=r"wai-sr has no form 'therapist'; its forms are \['client'\]"):
        column_report(["a"], "wai-sr", form="therapist")


def test_read_warns_about_unmatched_columns(tmp_path, codes_frame, wai_cols):
    data = codes_frame.copy()
    data["Q13"] = 1
    data["wai_sr_14"] = 2
    data[wai_cols] += 1
    data.to_csv(tmp_path / "extra.csv", index=False)

    with pytest.warns(UnmatchedColumnsWarning) as record:
        df = read_responses(tmp_path / "extra.csv", "wai-sr")

    msg = str(record[0].message)
    assert msg.startswith("2 columns look like item columns but match no item of wai-sr: 'Q13', 'wai_sr_14' "
                          "(12 columns matched items).")
    assert "items={item_number: 'column'} or pattern='Q{n}'" in msg
    report = pd.DataFrame(df.attrs["column_report"])
    assert report.loc[report["status"] == "unmatched", "column"].tolist() == ["Q13", "wai_sr_14"]


def test_read_warns_when_items_cannot_be_matched(tmp_path, codes_frame, wai_cols):
    codes_frame.drop(columns=["wai_sr_12"]).to_csv(tmp_path / "short.csv", index=False)
    with pytest.warns(UnmatchedColumnsWarning) as record:
        df = read_responses(tmp_path / "short.csv", "wai-sr")
    msg = str(record[0].message)
    assert msg.startswith("the columns could not be matched to the items of wai-sr: ")
    assert "none for items 12" in msg and "Item-like columns: 'wai_sr_01'" in msg
    assert len(df) == len(codes_frame)  # the data still comes back


def test_clean_file_reads_without_warnings(tmp_path, codes_frame, wai_cols):
    data = codes_frame.copy()
    data[wai_cols] += 1
    data.to_csv(tmp_path / "clean.csv", index=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        df = read_responses(tmp_path / "clean.csv", "wai-sr")
    assert np.array_equal(df[wai_cols].to_numpy(), data[wai_cols].to_numpy())


def test_read_with_unknown_form(tmp_path, codes_frame):
    codes_frame.to_csv(tmp_path / "a.csv", index=False)
    with pytest.raises(KeyError, match=r"wai-sr has no form 'observer'; its forms are \['client'\]"):
        read_responses(tmp_path / "a.csv", "wai-sr", form="observer")
