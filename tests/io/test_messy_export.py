"""The shipped ``messy_export`` sample, read from its CSV and from Excel/SPSS/Stata copies of it."""

from __future__ import annotations

import pandas as pd
import pyreadstat
import pytest

from toolkit import load_sample, read_responses, score
from toolkit.exceptions import DataValidationError
from toolkit.samples import sample_path


@pytest.fixture(scope="module")
def bad_cells() -> pd.DataFrame:
    return load_sample("messy_export_bad_cells")


def _invalid(bad_cells, where="line"):
    invalid = bad_cells[bad_cells["kind"] == "invalid"]
    return sorted(zip(invalid[where], invalid["column"], invalid["value"].astype(str)))


def test_every_row_kept_in_order(bad_cells):
    raw = load_sample("messy_export")
    df = read_responses(sample_path("messy_export"), "wai-sr")
    assert len(df) == len(raw) == 41
    assert df.index.tolist() == list(range(2, 43)) and df.index.name == "line"  # the file's lines
    assert df["Client ID"].tolist() == raw["Client ID"].tolist()  # the repeated submission is kept too
    # load_sample numbers rows from 0, the file's lines from 1 with the header on line 1
    assert (bad_cells["line"] == bad_cells["row"] + 2).all()
    for _, cell in bad_cells[bad_cells["kind"] == "invalid"].iterrows():
        assert str(df.loc[cell["line"], cell["column"]]) == str(cell["value"])


def test_scoring_names_every_invalid_cell(bad_cells):
    df = read_responses(sample_path("messy_export"), "wai-sr")
    with pytest.raises(DataValidationError) as err:
        score(df, "wai-sr", id_cols=["Client ID"])
    report = err.value.report
    got = sorted(zip(report["line"], report["column"], report["value"].astype(str)))
    assert got == _invalid(bad_cells)
    assert report["Client ID"].tolist() == [f"CA{r - 1:03d}" for r in report["line"]]


@pytest.mark.parametrize("suffix", [".xlsx", ".sav", ".dta"])
def test_messy_copies_read_the_same(tmp_path, bad_cells, suffix):
    raw = load_sample("messy_export")
    path = tmp_path / f"messy{suffix}"
    if suffix == ".xlsx":
        raw.to_excel(path, index=False)
    else:
        renamed = raw.rename(columns={"Client ID": "client_id", "Timestamp": "timestamp"})
        (pyreadstat.write_sav if suffix == ".sav" else pyreadstat.write_dta)(renamed.astype(object).fillna(""), path)
    df = read_responses(path, "wai-sr")
    first, where = (2, "line") if suffix == ".xlsx" else (1, "case")  # sheet rows; SPSS/Stata case numbers
    assert len(df) == 41 and df.index.tolist() == list(range(first, first + 41)) and df.index.name == where
    with pytest.raises(DataValidationError) as err:
        score(df, "wai-sr", on_invalid="raise")
    report = err.value.report
    got = sorted(zip(report[where], report["column"], report["value"].astype(str)))
    expected = _invalid(bad_cells)
    assert got == (expected if where == "line" else [(line - 1, c, v) for line, c, v in expected])
