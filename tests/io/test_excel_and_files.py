"""Excel workbooks, and the errors for files that cannot be read."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from toolkit import read_responses
from toolkit.exceptions import UnreadableFileError


def test_excel_round_trip(tmp_path, codes_frame):
    data = codes_frame.copy()
    data.loc[3, "wai_sr_05"] = np.nan
    data["wai_sr_07"] = data["wai_sr_07"].astype(object)
    data.loc[5, "wai_sr_07"] = "n/a?"
    path = tmp_path / "export.xlsx"
    with pd.ExcelWriter(path) as xl:
        pd.DataFrame({"note": ["cover sheet"]}).to_excel(xl, sheet_name="about", index=False)
        data.to_excel(xl, sheet_name="responses", index=False)

    df = read_responses(path, sheet="responses")

    assert df.attrs["format"] == "excel" and df.attrs["sheet"] == "responses"
    assert df.index.tolist() == list(range(2, len(data) + 2)) and df.index.name == "line"  # the sheet's rows
    assert list(df.columns) == list(data.columns)
    assert df["client_id"].tolist() == data["client_id"].tolist()
    assert df["wai_sr_07"].tolist()[5] == "n/a?"  # kept as read, for the scoring engine to report
    assert pd.isna(df.loc[5, "wai_sr_05"])
    assert read_responses(path, sheet=1).equals(df)
    assert read_responses(path)["note"].tolist() == ["cover sheet"]  # default: first sheet


def test_excel_keeps_empty_rows_in_the_middle(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    for row in (["id", "q1"], [1, 3], [None, None], [3, "x"]):
        ws.append(row)
    wb.save(tmp_path / "gaps.xlsx")
    df = read_responses(tmp_path / "gaps.xlsx")
    assert len(df) == 3 and df.loc[3].isna().all() and df.loc[4, "q1"] == "x"


def test_missing_sheet(tmp_path):
    pd.DataFrame({"a": [1]}).to_excel(tmp_path / "one.xlsx", sheet_name="data", index=False)
    with pytest.raises(UnreadableFileError) as err:
        read_responses(tmp_path / "one.xlsx", sheet="responses")
    assert "one.xlsx: no sheet 'responses'; the workbook has sheets ['data']" in str(err.value)
    with pytest.raises(UnreadableFileError, match=r"no sheet 3; the workbook has sheets \['data'\]"):
        read_responses(tmp_path / "one.xlsx", sheet=3)


def test_sheet_only_for_excel(tmp_path):
    (tmp_path / "a.csv").write_text("a\n1\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"sheet='x' applies to Excel workbooks only; a\.csv is delimited text"):
        read_responses(tmp_path / "a.csv", sheet="x")


def test_damaged_workbook(tmp_path):
    (tmp_path / "broken.xlsx").write_text("not a zip", encoding="utf-8")
    with pytest.raises(UnreadableFileError) as err:
        read_responses(tmp_path / "broken.xlsx")
    assert "broken.xlsx: not a readable .xlsx workbook (BadZipFile" in str(err.value)
    assert "save it again as .xlsx, or export it as CSV" in str(err.value)


@pytest.mark.parametrize(
    ("name", "hint"),
    [
        ("old.xls", "save it as .xlsx (Excel: File > Save As > Excel Workbook) or as CSV"),
        ("data.json", "convert it to CSV"),
        ("data.parquet", "export it as CSV, .xlsx, SPSS .sav or Stata .dta"),
        ("noext", "export it as CSV"),
    ],
)
def test_unknown_suffix_names_the_fix(tmp_path, name, hint):
    (tmp_path / name).write_text("x", encoding="utf-8")
    with pytest.raises(UnreadableFileError) as err:
        read_responses(tmp_path / name)
    msg = str(err.value)
    assert f"{tmp_path / name}: cannot read files ending in" in msg
    assert ".csv, .dta, .por, .sav, .tab, .tsv, .txt, .xlsm, .xlsx, .zsav" in msg
    assert hint in msg


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"no file '.*nothere\.csv': check the path"):
        read_responses(tmp_path / "nothere.csv")
    (tmp_path / "folder.csv").mkdir()
    with pytest.raises(UnreadableFileError, match=r"folder\.csv is a folder, not a file"):
        read_responses(tmp_path / "folder.csv")


def test_index_col_and_unknown_index_col(tmp_path, codes_frame):
    codes_frame.to_excel(tmp_path / "x.xlsx", index=False)
    df = read_responses(tmp_path / "x.xlsx", index_col="client_id")
    assert df.index.tolist() == codes_frame["client_id"].tolist()
    with pytest.raises(KeyError, match=r"index_col \['nope'\] not in x\.xlsx; its columns are \['client_id'"):
        read_responses(tmp_path / "x.xlsx", index_col="nope")
