"""Exports as clinics and survey tools really write them (issue 9): every file is built here by the test.

Ids with leading zeros, a title row above the header, Excel formulas without a saved value, Qualtrics'
two extra header rows, truncated rows, repeated headers, empty files. Nothing is changed, lost or
renumbered without a word.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from toolkit import read_responses, score, validate_responses
from toolkit.exceptions import DataValidationError, FileContentWarning, ItemMappingError, UnreadableFileError

WAI = [f"wai_sr_{k:02d}" for k in range(1, 13)]
#: ids a number type would change: 123, 42, 1000.0, 1.2345678901234567e+19, 7
IDS = ["00123", "0042", "1e3", "12345678901234567890", "007"]


def answers(n: int, seed: int = 3) -> np.ndarray:
    return np.random.default_rng(seed).integers(1, 6, size=(n, 12))


# ------------------------------------------------------------------ item 1: ids are text
def _id_csv(tmp_path):
    x = answers(len(IDS))
    lines = ["client_id,Pseudonym,MRN,age," + ",".join(WAI)]
    for k, i in enumerate(IDS):
        lines.append(f"{i},{i},{i},0{30 + k}," + ",".join(map(str, x[k])))
    path = tmp_path / "ids.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path, x


def test_ids_are_read_as_text_exactly_as_written(tmp_path):
    path, x = _id_csv(tmp_path)
    df = read_responses(path, "wai-sr")
    for column in ("client_id", "Pseudonym", "MRN", "age"):  # every non-item column: text, as written
        assert df[column].tolist() == (IDS if column != "age" else ["030", "031", "032", "033", "034"]), column
    assert df[WAI].to_numpy().tolist() == x.tolist()  # items are numbers
    out = score(df, "wai-sr", keep="all")
    assert out["client_id"].tolist() == IDS and out["MRN"].tolist() == IDS
    written = out.to_csv(index=False)
    for i in IDS:
        assert f"\n{i},{i},{i}," in written  # written back byte for byte


def test_ids_are_text_without_an_instrument_too(tmp_path):
    path, _ = _id_csv(tmp_path)
    df = read_responses(path)
    assert df["client_id"].tolist() == IDS and df["Pseudonym"].tolist() == IDS and df["MRN"].tolist() == IDS
    assert df["age"].tolist() == ["030", "031", "032", "033", "034"]  # a leading zero: not a plain number
    assert df["wai_sr_01"].dtype.kind == "i"  # plain numbers stay numbers


def test_ids_from_excel_and_spss_keep_their_text(tmp_path):
    import pyreadstat

    x = answers(len(IDS))
    frame = pd.DataFrame(x, columns=WAI)
    frame.insert(0, "client_id", IDS)
    frame.insert(1, "site", [101.0, 102.0, 101.0, 103.0, 102.0])  # a numeric id in SPSS: no ".0" in text
    frame.to_excel(tmp_path / "ids.xlsx", index=False)
    pyreadstat.write_sav(frame, tmp_path / "ids.sav",
                         variable_value_labels={c: dict(enumerate(["Seldom", "Sometimes", "Fairly often",
                                                                   "Very often", "Always"], start=1)) for c in WAI})
    for name in ("ids.xlsx", "ids.sav"):
        df = read_responses(tmp_path / name, "wai-sr")
        assert df["client_id"].tolist() == IDS, name
        assert df["site"].tolist() == ["101", "102", "101", "103", "102"], name
        assert df[WAI].to_numpy().tolist() == x.tolist(), name


# ------------------------------------------------------------------ item 6: exports as they come
def _title_workbook(path, x, *, formula_at=None):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Export"
    ws.append(["WAI-SR, clinic A, January 2025"])  # a title row
    ws.append([])
    ws.append(["Klient-Nr.", "Datum", *WAI])
    for k, row in enumerate(x):
        ws.append([f"00{k + 1}", f"2025-01-{k + 10:02d}", *map(int, row)])
    if formula_at is not None:  # written by a program that does not calculate formulas: no saved value
        ws[formula_at] = "=2+2"
    wb.save(path)


def test_title_row_above_the_header_is_found_and_reported(tmp_path):
    x = answers(4)
    _title_workbook(tmp_path / "title.xlsx", x)
    with pytest.warns(FileContentWarning, match=r"title\.xlsx: the header \(column names\) is on line 3; the 1 "
                      r"non-empty line above it is not data and was not read \(line 1: 'WAI-SR, clinic A, "
                      r"January 2025'\)\. Pass header_row=3"):
        df = read_responses(tmp_path / "title.xlsx", "wai-sr")
    assert list(df.columns) == ["Klient-Nr.", "Datum", *WAI]
    assert df.index.tolist() == [4, 5, 6, 7] and df.index.name == "line"  # the sheet's rows
    assert df["Klient-Nr."].tolist() == ["001", "002", "003", "004"]
    assert df.attrs["header_line"] == 3
    same = read_responses(tmp_path / "title.xlsx", "wai-sr", header_row=3)  # said explicitly: no warning
    pd.testing.assert_frame_equal(same, df)


def test_title_row_in_a_csv_and_without_an_instrument(tmp_path):
    x = answers(3)
    text = "Export of 2025-01-31;;;\n\nid;" + ";".join(WAI) + "\n" + "\n".join(
        f"{k};" + ";".join(map(str, r)) for k, r in enumerate(x, start=1)) + "\n"
    (tmp_path / "t.csv").write_text(text, encoding="utf-8")
    with pytest.warns(FileContentWarning, match=r"the header \(column names\) is on line 3"):
        df = read_responses(tmp_path / "t.csv")
    assert df.attrs["delimiter"] == ";" and df.index.tolist() == [4, 5, 6]
    assert df[WAI].to_numpy().tolist() == x.tolist()


def test_header_row_that_is_not_a_row_is_refused(tmp_path):
    (tmp_path / "a.csv").write_text("id,q1\n\n1,2\n", encoding="utf-8")
    with pytest.raises(UnreadableFileError, match=r"header_row=2 is not the first line of a row .* rows start on "
                       r"lines \[1, 3\]"):
        read_responses(tmp_path / "a.csv", header_row=2)
    with pytest.raises(ValueError, match=r"The 'header_row' parameter of read_responses\(\) must be a whole number "
                       r">= 1"):
        read_responses(tmp_path / "a.csv", header_row=0)


def _qualtrics_csv(path, x):
    meta = ["StartDate", "EndDate", "Status", "Progress", "Finished", "RecordedDate", "ResponseId"]
    items = [f"Q1_{k}" for k in range(1, 13)]
    header = meta + items + ["Q2"]
    texts = ["Start Date", "End Date", "Response Type", "Progress", "Finished", "Recorded Date", "Response ID"] + [
        f"How do you see your therapy? - statement {k}" for k in range(1, 13)] + ["Anything else?"]
    imports = [json.dumps({"ImportId": i}) for i in ("startDate", "endDate", "status", "progress", "finished",
                                                       "recordedDate", "_recordId")]
    imports += [json.dumps({"ImportId": f"QID1_{k}"}) for k in range(1, 13)] + [json.dumps({"ImportId": "QID2_TEXT"})]
    rows = [header, texts, imports]
    for k, r in enumerate(x):
        rows.append(["2025-01-06 10:00:00", "2025-01-06 10:04:00", "IP Address", "100", "True",
                     "2025-01-06 10:04:01", f"R_{k:03d}xYz", *map(str, r), "ok, thanks"])
    pd.DataFrame(rows).to_csv(path, header=False, index=False)


def test_qualtrics_export_is_recognised_and_the_pattern_named(tmp_path):
    x = answers(5)
    path = tmp_path / "qualtrics.csv"
    _qualtrics_csv(path, x)
    df = read_responses(path)
    assert len(df) == 5 and df.index.tolist() == [4, 5, 6, 7, 8]  # lines 2-3 are no answers
    assert "a Qualtrics export: lines 2 and 3" in df.attrs["notes"][0]
    assert df["ResponseId"].tolist() == [f"R_{k:03d}xYz" for k in range(5)]
    with pytest.raises(ItemMappingError, match=r"the columns 'Q1_1' \.\. 'Q1_12' look like its items .*pass "
                       r"pattern='Q1_\{n\}' if they are"):
        score(df, "wai-sr")
    out = score(read_responses(path, "wai-sr", pattern="Q1_{n}"), "wai-sr", pattern="Q1_{n}", keep="all")
    assert out["total"].tolist() == x.sum(axis=1).tolist()  # no bad cells from the two header rows
    assert out["ResponseId"].tolist() == [f"R_{k:03d}xYz" for k in range(5)]


# ------------------------------------------------------------------ item 7: answers never lost without a word
def test_formula_cells_without_a_saved_value_are_reported(tmp_path):
    x = answers(4)
    _title_workbook(tmp_path / "f.xlsx", x, formula_at="D6")  # row 6, column D = wai_sr_02 of the third client
    with pytest.warns(FileContentWarning) as caught:
        df = read_responses(tmp_path / "f.xlsx", "wai-sr", header_row=3)
    messages = [str(w.message) for w in caught]
    assert any("1 formula cell has no saved value and is read as blank (missing): D6 (column 'wai_sr_02')" in m
               and "open it in Excel or LibreOffice and save it" in m for m in messages), messages
    assert pd.isna(df.loc[6, "wai_sr_02"])


def test_truncated_rows_are_reported_with_their_lines(tmp_path):
    x = answers(3)
    lines = ["id," + ",".join(WAI)] + [f"{k}," + ",".join(map(str, r)) for k, r in enumerate(x, start=1)]
    lines[2] = ",".join(lines[2].split(",")[:6])  # the second client's row, cut after item 5
    (tmp_path / "cut.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.warns(FileContentWarning, match=r"cut\.csv: 1 row has fewer fields than the header's 13: line 3 "
                      r"\(6 of 13\)"):
        df = read_responses(tmp_path / "cut.csv", "wai-sr")
    assert df.loc[3, WAI[5:]].isna().all()


def test_repeated_item_header_is_refused_not_ignored(tmp_path):
    x = answers(2)
    header = ["id", *WAI[:5], "wai_sr_03", *WAI[5:]]
    rows = [[str(k), *map(str, r[:5]), "1", *map(str, r[5:])] for k, r in enumerate(x)]
    (tmp_path / "rep.csv").write_text("\n".join(",".join(r) for r in [header, *rows]) + "\n", encoding="utf-8")
    with pytest.raises(ItemMappingError, match=r"'wai_sr_03' \(columns 4, 7\)"):
        read_responses(tmp_path / "rep.csv", "wai-sr")


def test_same_administration_with_different_answers_is_warned_about(tmp_path):
    from toolkit.exceptions import DuplicateRowsWarning

    x = answers(3)
    lines = ["client_id,session," + ",".join(WAI)]
    lines += [f"A,1,{','.join(map(str, x[0]))}", f"B,1,{','.join(map(str, x[1]))}", f"A,1,{','.join(map(str, x[2]))}"]
    (tmp_path / "dup.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    df = read_responses(tmp_path / "dup.csv", "wai-sr")
    with pytest.warns(DuplicateRowsWarning, match=r"1 administration \(same \['client_id', 'session'\]\) appears "
                      r"more than once with different answers: lines 2, 4"):
        out = score(df, "wai-sr")
    assert len(out) == 3


# ------------------------------------------------------------------ item 9: empty files
@pytest.mark.parametrize(("content", "what"), [(b"", "0 bytes"), (b"\n\n  \r\n", "only blank lines")])
def test_empty_files_say_they_are_empty(tmp_path, content, what):
    (tmp_path / "e.csv").write_bytes(content)
    with pytest.raises(UnreadableFileError, match=rf"e\.csv: the file is empty \({what}\): there is no header"):
        read_responses(tmp_path / "e.csv", "wai-sr")


def test_empty_sheet_and_header_only_files(tmp_path):
    import openpyxl

    openpyxl.Workbook().save(tmp_path / "e.xlsx")
    with pytest.raises(UnreadableFileError, match=r"e\.xlsx: sheet 0 is empty"):
        read_responses(tmp_path / "e.xlsx")
    (tmp_path / "h.csv").write_text("id," + ",".join(WAI) + "\n", encoding="utf-8")
    with pytest.warns(FileContentWarning, match=r"h\.csv has a header but no data rows: there is nothing to score"):
        df = read_responses(tmp_path / "h.csv", "wai-sr")
    assert df.empty and list(df.columns) == ["id", *WAI]


# ------------------------------------------------------------------ item 11: one row numbering
def test_bad_cells_are_named_by_the_line_of_the_file(tmp_path):
    x = answers(4).astype(object)
    x[2, 4] = "seven"
    text = "# exported 2025\nid," + ",".join(WAI) + "\n" + "\n".join(
        f"c{k}," + ",".join(map(str, r)) for k, r in enumerate(x)) + "\n"
    (tmp_path / "b.csv").write_text(text.replace("# exported 2025\n", "exported 2025\n\n"), encoding="utf-8")
    with pytest.warns(FileContentWarning):
        df = read_responses(tmp_path / "b.csv", "wai-sr")
    report = validate_responses(df, "wai-sr")
    assert report.columns[0] == "line" and report["line"].tolist() == [6]  # title, blank, header, c0, c1, c2
    assert (tmp_path / "b.csv").read_text().splitlines()[5].startswith("c2,")
    with pytest.raises(DataValidationError) as err:
        score(df, "wai-sr")
    assert str(err.value).startswith("1 bad cell in 1 of 4 rows for wai-sr (line = the line of b.csv):")


def test_data_built_in_code_say_which_numbering_they_use():
    df = pd.DataFrame(answers(3), columns=WAI).astype(object)
    df.loc[1, "wai_sr_02"] = 9
    with pytest.raises(DataValidationError) as err:
        score(df, "wai-sr")
    assert "(row = the row's label in the data's index, counting from 0)" in str(err.value)
    assert validate_responses(df, "wai-sr")["row"].tolist() == [1]


def test_load_sample_and_read_responses_name_the_same_cell_consistently():
    """load_sample counts rows from 0 and says so; read_responses names the file's line: both agree with the
    sample's own list of bad cells (row and line)."""
    from toolkit import load_sample
    from toolkit.samples import sample_path

    bad = load_sample("messy_export_bad_cells")
    invalid = bad[bad["kind"] == "invalid"]
    with pytest.raises(DataValidationError) as err:
        score(load_sample("messy_export"), "wai-sr")
    assert "(row = the row's label in the data's index, counting from 0)" in str(err.value)
    assert sorted(err.value.report["row"]) == sorted(invalid["row"])
    with pytest.raises(DataValidationError) as err:
        score(read_responses(sample_path("messy_export"), "wai-sr"), "wai-sr")
    assert "(line = the line of messy_export.csv)" in str(err.value)
    assert sorted(err.value.report["line"]) == sorted(invalid["line"])
