"""``alliance score big.parquet -o scored/``: chunk by chunk into a Parquet dataset, equal to in-memory scoring;
the bad-cell report is a CSV file naming file lines; nothing is overwritten without --force."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import toolkit
from toolkit.cli import main
from toolkit.io.stream import record_lines, score_file

pytest.importorskip("pyarrow")


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


def _text(frame):
    return frame.astype({c: object for c in frame.columns if pd.api.types.is_string_dtype(frame[c])})


def test_parquet_to_dataset_equals_in_memory(capsys, tmp_path, wai_sr_200k):
    df = wai_sr_200k.iloc[:60_000].reset_index(drop=True)
    df.to_parquet(tmp_path / "big.parquet", row_group_size=7_000)
    code, _, err = run(capsys, "score", tmp_path / "big.parquet", "-i", "wai-sr", "-o", tmp_path / "scored",
                       "--chunk-rows", 25_000)
    assert code == 0, err
    parts = sorted(p.name for p in (tmp_path / "scored").iterdir())
    assert parts == ["part-00000.parquet", "part-00001.parquet", "part-00002.parquet"]
    got = pd.read_parquet(tmp_path / "scored")
    expected = toolkit.score(df, "wai-sr")
    expected.index = pd.RangeIndex(1, len(df) + 1, name="row")  # rows numbered from 1 across chunks
    pd.testing.assert_frame_equal(_text(got.set_index("row")), _text(expected), check_dtype=False)
    assert got["row"].tolist() == list(range(1, 60_001))
    # again: refused without --force, the output untouched
    before = (tmp_path / "scored" / "part-00000.parquet").stat().st_mtime_ns
    code, _, err = run(capsys, "score", tmp_path / "big.parquet", "-i", "wai-sr", "-o", tmp_path / "scored")
    assert code == 1 and "refusing to overwrite" in err and "--force" in err
    assert (tmp_path / "scored" / "part-00000.parquet").stat().st_mtime_ns == before
    code, _, err = run(capsys, "score", tmp_path / "big.parquet", "-i", "wai-sr", "-o", tmp_path / "scored",
                       "--force")
    assert code == 0
    assert len(list((tmp_path / "scored").iterdir())) == 1  # the old parts replaced, not mixed in


@pytest.fixture
def messy_csv(tmp_path):
    """A CSV whose rows are not one line each: a quoted note spanning two lines, a blank line, and bad cells."""
    rng = np.random.default_rng(5)
    head = "client_id,note," + ",".join(f"wai_sr_{k:02d}" for k in range(1, 13))
    lines = [head]
    for r in range(1, 1201):
        vals = [str(v) for v in rng.integers(1, 6, 12)]
        note = '"first line\nsecond line"' if r == 3 else "ok"
        if r == 5:
            vals[2] = "often"
        if r == 1100:
            vals[6] = "9"
        lines.append(f"00{r},{note}," + ",".join(vals))
        if r == 10:
            lines.append("")
    path = tmp_path / "messy.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_bad_cell_report_names_file_lines(capsys, tmp_path, messy_csv):
    out = tmp_path / "scored"
    code, _, err = run(capsys, "score", messy_csv, "-i", "wai-sr", "-o", out, "--chunk-rows", 500)
    assert code == 1
    assert not out.exists()  # on_invalid raise: no scores written
    report = pd.read_csv(tmp_path / "scored_bad_cells.csv", dtype={"client_id": str})
    # row 5 is on line 7 (header, and row 3 spans two lines); row 1100 after the blank line too: line 1103
    assert report[["row", "line", "client_id", "column"]].values.tolist() == [
        [5, 7, "005", "wai_sr_03"], [1100, 1103, "001100", "wai_sr_07"]]
    lines = messy_csv.read_text().split("\n")
    assert lines[7 - 1].startswith("005,") and lines[1103 - 1].startswith("001100,")
    assert "2 bad cells" in err and "scored_bad_cells.csv" in err


def test_missing_writes_scores_and_the_report(capsys, tmp_path, messy_csv):
    code, _, err = run(capsys, "score", messy_csv, "-i", "wai-sr", "-o", tmp_path / "scored", "--on-invalid",
                       "missing", "--chunk-rows", 500, "--bad-cells", tmp_path / "cells.csv")
    assert code == 0, err
    got = pd.read_parquet(tmp_path / "scored")
    data = toolkit.read_responses(messy_csv, dtype={"client_id": str})
    with pytest.warns(toolkit.exceptions.InvalidCellsWarning):
        expected = toolkit.score(data, "wai-sr", on_invalid="missing", keep="all")  # the command's --keep all
    expected.attrs = {}
    assert data.index.name == "line"  # in memory rows are named by file line; streamed by row number (and line)
    expected.index = pd.RangeIndex(1, len(expected) + 1, name="row")
    pd.testing.assert_frame_equal(_text(got.set_index("row")), _text(expected), check_dtype=False)
    assert got["note"].iloc[2] == "first line\nsecond line"
    assert got["client_id"].iloc[0] == "001"  # ids as text
    assert pd.read_csv(tmp_path / "cells.csv")["line"].tolist() == [7, 1103]
    assert "2 bad cells" in err


def test_record_lines_breakpoints(tmp_path):
    p = tmp_path / "x.csv"
    p.write_bytes(b'id,v\r\n1,"a\r\nb"\r\n2,"c""d"\r\n\r\n3,e')
    rows, offsets, n = record_lines(p, block=4)  # blocks that cut fields, quotes and line ends
    assert n == 3
    assert rows.tolist() == [1, 2, 3] and offsets.tolist() == [0, 1, 2]


def test_score_file_to_csv_and_refusals(tmp_path, wai_sr_200k):
    df = wai_sr_200k.iloc[:1000]
    df.to_parquet(tmp_path / "x.parquet")
    done = score_file(tmp_path / "x.parquet", tmp_path / "out.csv", "wai-sr", chunk_rows=300)
    assert done.n_rows == 1000 and list(done.table["rows"]) == [300, 300, 300, 100]
    got = pd.read_csv(tmp_path / "out.csv")
    assert got["total"].tolist() == pytest.approx(toolkit.score(df, "wai-sr")["total"].tolist(), nan_ok=True)
    with pytest.raises(toolkit.exceptions.FileExistsRefusal):
        score_file(tmp_path / "x.parquet", tmp_path / "out.csv", "wai-sr")
    with pytest.raises(toolkit.exceptions.InvalidParameterError, match="is the input"):
        score_file(tmp_path / "x.parquet", tmp_path / "x.parquet", "wai-sr", force=True)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary files left


def test_text_columns_as_written_and_the_options_of_main_score(capsys, tmp_path):
    """Ids and carried columns stay text exactly as written (``007``, ``NA``, ``1e3``); --metric, --keep as in
    memory; what needs a person's rows together, or a title row above the header, is refused with the fix."""
    items = ",".join(f"wai_sr_{k:02d}" for k in range(1, 13))
    rows = ["007,NA,1e3," + ",".join(["4"] * 12), "NA,x,+1," + ",".join(["5"] * 11 + ["NA"]),
            "0012,,2," + ",".join(["3"] * 12)]
    src = tmp_path / "ids.csv"
    src.write_text(f"client_id,site_code,note,{items}\n" + "\n".join(rows) + "\n")
    code, _, err = run(capsys, "score", src, "-i", "wai-sr", "-o", tmp_path / "scored", "--metric", "pomp")
    assert code == 0, err
    got = pd.read_parquet(tmp_path / "scored")
    assert got["client_id"].tolist() == ["007", "NA", "0012"]
    assert got["site_code"].tolist()[:2] == ["NA", "x"] and pd.isna(got["site_code"].iloc[2])
    assert got["note"].tolist() == ["1e3", "+1", "2"]
    data = toolkit.read_responses(src, "wai-sr")
    expected = toolkit.score(data, "wai-sr", metric="pomp", keep="all")
    assert got["total"].tolist() == expected["total"].tolist()  # exact: the same engine, the same grid
    assert got["total_n"].tolist() == [12, 11, 12]
    code, _, err = run(capsys, "score", src, "-i", "wai-sr", "-o", tmp_path / "again", "--change-by", "client_id")
    assert code == 1 and "--change-by" in err and "clinical_change" in err
    titled = tmp_path / "titled.csv"
    titled.write_text("WAI-SR export, clinic A\n" + src.read_text())
    code, _, err = run(capsys, "score", titled, "-i", "wai-sr", "-o", tmp_path / "t")
    assert code == 1 and "above the header" in err and not (tmp_path / "t").exists()


def test_a_rater_scored_on_another_form_is_refused_chunk_by_chunk(tmp_path):
    items = ",".join(f"wai_sr_{k:02d}" for k in range(1, 13))
    body = "\n".join(f"c{r},{'therapist' if r == 7 else 'client'}," + ",".join(["4"] * 12) for r in range(10))
    (tmp_path / "r.csv").write_text(f"client_id,rater,{items}\n{body}\n")
    with pytest.raises(toolkit.exceptions.DataValidationError, match="therapist") as err:
        score_file(tmp_path / "r.csv", tmp_path / "scored", "wai-sr", chunk_rows=4)
    assert err.value.report["row"].tolist() == [8]  # row 8 of the file (its line 9)
    assert not (tmp_path / "scored").exists()
