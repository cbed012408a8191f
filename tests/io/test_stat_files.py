"""SPSS (.sav, .zsav, .por) and Stata (.dta) files, and their value labels."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyreadstat
import pytest

from toolkit import read_responses
from toolkit.exceptions import UnreadableFileError, ValueLabelWarning


def _write(df, path, labels=None, **kw):
    if path.suffix == ".dta":
        pyreadstat.write_dta(df, path, variable_value_labels=labels, **kw)
    elif path.suffix == ".por":
        pyreadstat.write_por(df, path)  # the portable format carries no value labels here
    else:
        pyreadstat.write_sav(df, path, variable_value_labels=labels, compress=path.suffix == ".zsav", **kw)


@pytest.mark.parametrize("suffix", [".sav", ".zsav", ".dta", ".por"])
def test_round_trip_without_instrument(tmp_path, codes_frame, value_labels, suffix):
    path = tmp_path / f"export{suffix}"
    if suffix == ".por":  # the portable format has names of at most 8 characters, upper-cased
        codes_frame = codes_frame.rename(columns=lambda c: c.replace("wai_sr", "waisr").replace("client_id", "client"))
    _write(codes_frame, path, value_labels)

    df = read_responses(path)

    expected = codes_frame.copy()
    if suffix == ".por":
        expected.columns = [c.upper() for c in expected.columns]
    assert list(df.columns) == list(expected.columns)
    assert df.index.tolist() == list(range(1, len(expected) + 1)) and df.index.name == "case"  # as SPSS numbers cases
    for column in expected.columns:  # codes are kept when no instrument is given
        assert df[column].tolist() == expected[column].tolist(), column
    if suffix != ".por":
        assert df.attrs["value_labels"]["gender"] == {1: "female", 2: "male", 3: "diverse"}


@pytest.mark.parametrize("suffix", [".sav", ".zsav", ".dta"])
def test_anchor_codes_become_response_values(tmp_path, codes_frame, value_labels, wai_cols, suffix):
    """Codes 0..4 labelled Seldom..Always are the WAI-SR's 1..5; gender keeps its codes."""
    path = tmp_path / f"export{suffix}"
    _write(codes_frame, path, value_labels)

    df = read_responses(path, "wai-sr")

    assert df[wai_cols].to_numpy().tolist() == (codes_frame[wai_cols] + 1).to_numpy().tolist()
    assert df["gender"].tolist() == ["1", "2", "3", "1", "2", "3", "1", "2"]  # not an item: text, codes as stored
    assert df["client_id"].tolist() == codes_frame["client_id"].tolist()
    report = pd.DataFrame(df.attrs["label_report"])
    assert set(report.loc[report["column"].isin(wai_cols), "status"]) == {"converted"}
    assert set(report.loc[report["column"] == "gender", "status"]) == {"kept"}
    first = report[report["column"] == "wai_sr_01"].set_index("code")
    assert first["value"].to_dict() == {0: 1.0, 1: 2.0, 2: 3.0, 3: 4.0, 4: 5.0}
    assert first["label"].to_dict()[4] == "Always"
    assert first["n"].sum() == codes_frame["wai_sr_01"].notna().sum()


def test_converted_file_scores_like_the_anchor_values(tmp_path, codes_frame, value_labels, wai_cols):
    from toolkit import score

    path = tmp_path / "export.sav"
    _write(codes_frame, path, value_labels)
    direct = codes_frame.copy()
    direct[wai_cols] = direct[wai_cols] + 1
    direct.index = pd.RangeIndex(1, len(direct) + 1, name="case")

    got = score(read_responses(path, "wai-sr"), "wai-sr", id_cols=["client_id"])

    pd.testing.assert_frame_equal(got, score(direct, "wai-sr", id_cols=["client_id"]))
    assert got["total"].between(12, 60).all()


def test_labels_matched_loosely_and_whatever_the_codes(tmp_path, codes_frame, wai_cols):
    """Labels differ in case, spacing and a written code; the codes run 10, 20, ... and backwards."""
    data = codes_frame.copy()
    backwards = {40: "  seldom", 30: "1 = SOMETIMES", 20: "Fairly  often ", 10: "(4) very often", 0: "always"}
    data[wai_cols] = 40 - 10 * data[wai_cols]
    labels = {c: backwards for c in wai_cols}
    pyreadstat.write_sav(data, tmp_path / "odd.sav", variable_value_labels=labels)

    df = read_responses(tmp_path / "odd.sav", "wai-sr")

    assert df[wai_cols].to_numpy().tolist() == (codes_frame[wai_cols] + 1).to_numpy().tolist()


def test_end_point_labels_place_the_other_codes(tmp_path, codes_frame, wai_cols):
    labels = {c: {0: "Seldom", 4: "Always"} for c in wai_cols}
    pyreadstat.write_sav(codes_frame, tmp_path / "ends.sav", variable_value_labels=labels)

    df = read_responses(tmp_path / "ends.sav", "wai-sr")

    assert df[wai_cols].to_numpy().tolist() == (codes_frame[wai_cols] + 1).to_numpy().tolist()
    report = pd.DataFrame(df.attrs["label_report"])
    assert {"converted", "converted (fitted)"} == set(report["status"])


def test_label_matching_no_anchor_is_left_and_reported(tmp_path, codes_frame, wai_cols):
    data = codes_frame.copy()
    data.loc[2, "wai_sr_03"] = 9
    data.loc[4, "wai_sr_04"] = 3  # a valid code, not the problem
    labels = {c: {0: "Seldom", 1: "Sometimes", 2: "Fairly often", 3: "Very often", 4: "Always", 9: "Don't know"}
              for c in wai_cols}
    pyreadstat.write_sav(data, tmp_path / "dk.sav", variable_value_labels=labels)

    with pytest.warns(ValueLabelWarning) as record:
        df = read_responses(tmp_path / "dk.sav", "wai-sr")

    msg = str(record[0].message)
    assert msg.startswith("1 code in an anchor-labelled column matches no response anchor of wai-sr "
                          "(1 = Seldom, 2 = Sometimes, 3 = Fairly often, 4 = Very often, 5 = Always)")
    assert "column 'wai_sr_03': code 9 labelled \"Don't know\" (1 cell)" in msg
    assert "recode them (e.g. to missing)" in msg
    assert df.loc[3, "wai_sr_03"] == 9  # left alone: the scoring engine reports it
    report = pd.DataFrame(df.attrs["label_report"])
    row = report[(report["column"] == "wai_sr_03") & (report["code"] == 9)].iloc[0]
    assert (row["label"], row["value"], row["n"], row["status"]) == ("Don't know", 9, 1, "no anchor")


def test_left_code_that_is_also_a_valid_value_is_flagged(tmp_path, codes_frame, wai_cols):
    data = codes_frame.copy()
    data.loc[0, "wai_sr_01"] = 5
    labels = {c: {**{k: v for k, v in enumerate(["Seldom", "Sometimes", "Fairly often", "Very often", "Always"])},
                  5: "No answer"} for c in wai_cols}
    pyreadstat.write_sav(data, tmp_path / "na5.sav", variable_value_labels=labels)
    with pytest.warns(ValueLabelWarning, match=r"caution: 5 is also a valid response value and would be scored as one"):
        read_responses(tmp_path / "na5.sav", "wai-sr")


def test_declared_missing_codes_are_missing(tmp_path, codes_frame, wai_cols):
    data = codes_frame.copy()
    data.loc[1, "wai_sr_02"] = 99
    labels = {c: {0: "Seldom", 1: "Sometimes", 2: "Fairly often", 3: "Very often", 4: "Always", 99: "refused"}
              for c in wai_cols}
    pyreadstat.write_sav(data, tmp_path / "miss.sav", variable_value_labels=labels,
                         missing_ranges={c: [99] for c in wai_cols})

    df = read_responses(tmp_path / "miss.sav", "wai-sr")  # no warning: 99 is declared missing

    assert pd.isna(df.loc[2, "wai_sr_02"])
    report = pd.DataFrame(df.attrs["label_report"])
    assert set(report.loc[report["code"] == 99, "status"]) == {"declared missing"}


def test_unlabelled_code_outside_the_scale(tmp_path, codes_frame, wai_cols):
    data = codes_frame.copy()
    data.loc[0, "wai_sr_06"] = 7  # 0..4 + 1 puts 7 at 8: off the 1..5 scale, so it is left alone
    labels = {c: {0: "Seldom", 4: "Always"} for c in wai_cols}
    pyreadstat.write_sav(data, tmp_path / "seven.sav", variable_value_labels=labels)
    with pytest.warns(ValueLabelWarning, match=r"column 'wai_sr_06': code 7 \(1 cell\) has no label and cannot be "
                                               r"placed on the scale"):
        df = read_responses(tmp_path / "seven.sav", "wai-sr")
    assert df.loc[1, "wai_sr_06"] == 7


def test_instrument_without_anchors_keeps_codes(tmp_path, codes_frame, value_labels):
    """The SRS is a visual-analogue scale without anchors: labelled codes stay codes."""
    data = codes_frame.rename(columns={f"wai_sr_{k:02d}": f"srs_{k:02d}" for k in range(1, 5)})
    data = data.drop(columns=[f"wai_sr_{k:02d}" for k in range(5, 13)])
    labels = {f"srs_{k:02d}": value_labels["wai_sr_01"] for k in range(1, 5)}
    pyreadstat.write_sav(data, tmp_path / "srs.sav", variable_value_labels=labels)
    df = read_responses(tmp_path / "srs.sav", "srs")
    assert df["srs_01"].tolist() == data["srs_01"].tolist()


def test_portable_file_with_instrument(tmp_path, codes_frame, wai_cols):
    data = codes_frame.rename(columns=lambda c: c.replace("wai_sr", "waisr").replace("client_id", "client"))
    data[[c.replace("wai_sr", "waisr") for c in wai_cols]] += 1
    pyreadstat.write_por(data, tmp_path / "w.por")
    df = read_responses(tmp_path / "w.por", "wai-sr")
    report = pd.DataFrame(df.attrs["column_report"])
    assert report.loc[report["status"] == "matched", "column"].tolist() == [f"WAISR_{k:02d}" for k in range(1, 13)]
    assert report.loc[report["status"] == "other", "column"].tolist() == ["CLIENT", "GENDER", "AGE"]


def test_damaged_stat_files(tmp_path):
    for name, kind in [("bad.sav", "SPSS (.sav/.zsav)"), ("bad.dta", "Stata (.dta)"),
                       ("bad.por", "SPSS portable (.por)")]:
        (tmp_path / name).write_bytes(b"this is not a statistics file")
        with pytest.raises(UnreadableFileError) as err:
            read_responses(tmp_path / name)
        assert f"{tmp_path / name}: not a readable {kind} file" in str(err.value)
        assert "the suffix decides how it is read" in str(err.value)


def test_value_formats_are_refused(tmp_path, codes_frame):
    pyreadstat.write_sav(codes_frame, tmp_path / "a.sav")
    with pytest.raises(ValueError, match=r"apply_value_formats=True would replace codes by label texts"):
        read_responses(tmp_path / "a.sav", apply_value_formats=True)


def test_reader_options_reach_pyreadstat(tmp_path, codes_frame):
    pyreadstat.write_sav(codes_frame, tmp_path / "a.sav", column_labels={"age": "Age in years"})
    df = read_responses(tmp_path / "a.sav", usecols=["client_id", "age"])
    assert list(df.columns) == ["client_id", "age"]
    assert df.attrs["variable_labels"] == {"age": "Age in years"}
    assert np.array_equal(df["age"].to_numpy(), codes_frame["age"].to_numpy())
