"""CSV/TSV exports: delimiter sniffing, byte-order marks, encodings, rows kept as read."""

from __future__ import annotations

import pandas as pd
import pytest

from toolkit import read_responses
from toolkit.exceptions import FileContentWarning, ItemMappingError, UnreadableFileError
from toolkit.io import sniff_delimiter


def _frame(wai_cols):
    rows = [["A", *["4"] * 12], ["B", *["5"] * 11, "x"], ["C", *["3"] * 12]]
    return ["client_id", *wai_cols], rows


@pytest.mark.parametrize(
    ("suffix", "delim", "encoding", "bom"),
    [
        (".csv", ",", "utf-8", b""),
        (".csv", ";", "utf-8", b"\xef\xbb\xbf"),
        (".tsv", "\t", "utf-8", b""),
        (".txt", "|", "utf-8", b""),
        (".csv", "\t", "utf-16-le", b"\xff\xfe"),  # Excel's "Unicode text"
        (".csv", ",", "cp1252", b""),
    ],
)
def test_round_trip(tmp_path, wai_cols, suffix, delim, encoding, bom):
    header, rows = _frame(wai_cols)
    header[0] = "client_id" if encoding != "cp1252" else "clïent_id"
    text = "\r\n".join(delim.join(r) for r in [header, *rows]) + "\r\n"
    path = tmp_path / f"export{suffix}"
    path.write_bytes(bom + text.encode(encoding))

    df = read_responses(path)

    assert list(df.columns) == header  # BOM not glued to the first name
    assert df.index.tolist() == [2, 3, 4] and df.index.name == "line"  # the file's lines (1 is the header)
    assert df.attrs["delimiter"] == delim
    assert df.attrs["format"] == "csv" and df.attrs["source"] == str(path)
    assert df[header[0]].tolist() == ["A", "B", "C"]
    # item cells kept as read: the column with "x" is text, the others numbers
    assert df["wai_sr_12"].tolist() == ["4", "x", "3"]
    assert df["wai_sr_01"].tolist() == [4, 5, 3]


def test_keeps_rows_and_order(tmp_path, wai_cols):
    lines = ["id," + ",".join(wai_cols)]
    lines += [f"{k}," + ",".join(str((k + j) % 5 + 1) for j in range(12)) for k in (9, 3, 7)]
    lines.insert(2, "," * 12)  # an empty record is a row
    lines.insert(3, "")  # a blank line is not
    (tmp_path / "r.csv").write_text("\n".join(lines) + "\n\n", encoding="utf-8")

    df = read_responses(tmp_path / "r.csv")

    assert len(df) == 4
    assert df.index.tolist() == [2, 3, 5, 6]  # line 4 is blank
    ids = df["id"].tolist()  # ids are text
    assert ids[0] == "9" and pd.isna(ids[1]) and ids[2:] == ["3", "7"]
    assert df.loc[3, wai_cols].isna().all()


def test_decimal_comma_of_semicolon_files(tmp_path):
    text = "client;srs_01;srs_02;srs_03;srs_04\nA;7,5;9,1;8;10\nB;6,2;5;4,4;3,9\n"
    (tmp_path / "srs.csv").write_text(text, encoding="utf-8")

    df = read_responses(tmp_path / "srs.csv", "srs")

    assert df.attrs["decimal"] == ","
    assert df["srs_01"].tolist() == [7.5, 6.2]


def test_reader_options_pass_through(tmp_path):
    (tmp_path / "n.csv").write_text("id,q1\n1,-9\n2,3\n", encoding="utf-8")
    df = read_responses(tmp_path / "n.csv", na_values=[-9], index_col="id")
    assert df.index.tolist() == ["1", "2"]  # an id is text
    assert df["q1"].isna().tolist() == [True, False]


def test_sniffer_respects_quotes():
    assert sniff_delimiter('name,note\n"Doe; J",ok\n"Roe; K",fine\n') == ","
    assert sniff_delimiter("a\tb\tc\n1\t2\t3\n") == "\t"
    assert sniff_delimiter("single\n1\n2\n", default=";") == ";"


def test_undecodable_text_names_the_fix(tmp_path):
    (tmp_path / "bad.csv").write_bytes("id,q1\nä,1\n".encode("cp1252"))
    with pytest.raises(UnreadableFileError,
                       match=r"bad\.csv: cannot decode the text as 'utf-8'.*pass the file's encoding"):
        read_responses(tmp_path / "bad.csv", encoding="utf-8")
    (tmp_path / "worse.csv").write_bytes(b"id,q1\n\x81\xff,1\n")  # 0x81 is neither UTF-8 nor Windows-1252
    with pytest.raises(UnreadableFileError) as err:
        read_responses(tmp_path / "worse.csv")
    assert "worse.csv: cannot decode the text as UTF-8 or Windows-1252" in str(err.value)
    assert "pass the file's encoding, e.g. encoding='latin-1' or encoding='utf-16'" in str(err.value)
    assert read_responses(tmp_path / "worse.csv", encoding="latin-1")["q1"].tolist() == [1]


def test_explicit_utf8_still_drops_the_bom(tmp_path):
    (tmp_path / "bom.csv").write_bytes(b"\xef\xbb\xbfid,q1\n1,2\n")
    assert list(read_responses(tmp_path / "bom.csv", encoding="utf-8").columns) == ["id", "q1"]


def test_rows_wider_than_the_header_are_refused(tmp_path):
    """pandas would make the surplus fields an index, or drop them: the values would be lost."""
    (tmp_path / "ragged.csv").write_text("id,q1,q2\n1,2,3\n2,3,4,5,6\n\n3,4\n4,1,2,9\n", encoding="utf-8")
    with pytest.raises(UnreadableFileError) as err:
        read_responses(tmp_path / "ragged.csv")
    assert str(err.value) == (
        f"{tmp_path / 'ragged.csv'}: 2 rows with more fields than the header's 3 (delimiter ','): "
        "line 3 has 5; line 6 has 4. Their extra values would be lost: add the missing header "
        "names, quote fields that contain the delimiter, or pass sep=... if the delimiter is wrong."
    )


def test_short_rows_and_trailing_empty_fields_are_kept(tmp_path):
    (tmp_path / "short.csv").write_text("id,q1,q2\n1,2,3,\n2\n3,4,5,,\n", encoding="utf-8")
    with pytest.warns(FileContentWarning, match=r"short\.csv: 1 row has fewer fields than the header's 3: line 3 "
                      r"\(1 of 3\)\. The missing fields at the end of that row are read as blank"):
        df = read_responses(tmp_path / "short.csv")
    assert list(df.columns) == ["id", "q1", "q2"] and df["id"].tolist() == ["1", "2", "3"]
    assert df["q2"].tolist()[0] == 3 and df.loc[3, ["q1", "q2"]].isna().all()


def test_malformed_quotes_are_reported(tmp_path):
    (tmp_path / "q.csv").write_text('id,q1\n1,"2\n', encoding="utf-8")
    with pytest.raises(UnreadableFileError, match=r"q\.csv: cannot read it as delimited text \(delimiter ','\)"):
        read_responses(tmp_path / "q.csv")


def test_empty_file(tmp_path):
    (tmp_path / "empty.csv").write_text("", encoding="utf-8")
    with pytest.raises(UnreadableFileError, match=r"empty\.csv: the file is empty \(0 bytes\)"):
        read_responses(tmp_path / "empty.csv")


def test_repeated_headers_are_reported(tmp_path, wai_cols):
    """A repeated item column is two answers to one item: refused. Another repeated name is warned about."""
    header = ["id", *wai_cols, "wai_sr_03"]
    (tmp_path / "dup.csv").write_text(",".join(header) + "\n" + ",".join(["1"] * 14) + "\n", encoding="utf-8")
    with pytest.raises(ItemMappingError, match=r"dup\.csv: item column names appear more than once in the header: "
                       r"'wai_sr_03' \(columns 4, 14\)\. Each holds an answer to the same item"):
        read_responses(tmp_path / "dup.csv", "wai-sr")
    with pytest.warns(FileContentWarning, match=r"the column name 'wai_sr_03' appears 2 times in the header "
                      r"\(columns 4, 14\); the later one is read as 'wai_sr_03\.1'"):
        df = read_responses(tmp_path / "dup.csv")  # without an instrument nothing says it is an item
    assert list(df.columns)[-1] == "wai_sr_03.1"
