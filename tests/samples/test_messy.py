"""The messy export holds exactly the listed bad cells, untouched."""

from __future__ import annotations

import pandas as pd
import pytest

import toolkit
from toolkit._paths import samples_dir

ITEMS = [f"Q{k}" for k in range(1, 13)]


@pytest.fixture(scope="module")
def messy(shipped):
    return shipped["messy_export"]


@pytest.fixture(scope="module")
def bad(shipped):
    return shipped["messy_export_bad_cells"]


def test_layout(messy):
    assert list(messy.columns) == ["Client ID", "Timestamp"] + ITEMS
    assert len(messy) == 41
    # every cell as text (or missing): pandas 3 gives a str dtype, pandas 2 object columns of str
    assert all(isinstance(v, str) or pd.isna(v) for c in messy.columns for v in messy[c])
    assert not any(pd.api.types.is_numeric_dtype(messy[c]) for c in messy.columns)


def test_every_listed_cell_is_there_untouched(messy, bad):
    cells = bad[bad["kind"] != "duplicate"]
    for r in cells.itertuples():
        got = messy.loc[r.row, r.column]
        if r.reason == "empty":
            assert pd.isna(got) and pd.isna(r.value)
        else:
            assert got == r.value, (r.row, r.column)
        assert messy.loc[r.row, "Client ID"] == r.client_id
    assert set(bad["reason"]) == {"not_a_number", "missing_token", "out_of_range", "off_step", "whitespace",
                                  "empty", "anchor_label", "duplicate_row"}
    assert {"  " in v for v in cells["value"].dropna()} == {False}


def test_every_other_cell_is_clean(messy, bad):
    listed = {(r.row, r.column) for r in bad.itertuples()}
    points = {f"{p:g}" for p in toolkit.load_instrument("wai-sr").scale_for("client").points}
    for row in range(len(messy)):
        for col in ITEMS:
            if (row, col) not in listed:
                assert messy.loc[row, col] in points, (row, col, messy.loc[row, col])


def test_duplicate_row(messy, bad):
    dup = bad[bad["kind"] == "duplicate"]
    assert len(dup) == 1
    row = int(dup["row"].iloc[0])
    assert dup["value"].iloc[0] == f"repeats row {row - 1}"
    pd.testing.assert_series_equal(messy.iloc[row], messy.iloc[row - 1], check_names=False)
    assert messy.duplicated().sum() == 1


def test_lines_point_into_the_file(bad):
    lines = (samples_dir() / "messy_export.csv").read_text(encoding="utf-8").split("\n")
    assert lines[0].startswith("Client ID,Timestamp,Q1")
    for r in bad.itertuples():
        fields = lines[r.line - 1].split(",")
        assert fields[0] == r.client_id
        if r.kind != "duplicate":
            assert fields[2 + r.item - 1] == ("" if pd.isna(r.value) else r.value)


def test_kinds_follow_the_instrument_scale(bad):
    wai = toolkit.load_instrument("wai-sr")
    scale = wai.scale_for("client")
    for r in bad.itertuples():
        if r.reason == "out_of_range":
            assert not scale.min <= float(r.value) <= scale.max
        elif r.reason == "off_step":
            assert scale.min < float(r.value) < scale.max and not scale.on_step(float(r.value))
        elif r.reason == "whitespace":
            assert r.value != r.value.strip() and r.value.strip() == r.recovered_value == r.true_value
        elif r.reason == "anchor_label":
            assert scale.anchors[float(r.recovered_value)] == r.value
        if r.kind == "invalid":
            assert pd.isna(r.recovered_value)


def test_validator_flags_exactly_the_invalid_cells(messy, bad):
    """The scoring engine's validator reports exactly the cells listed as kind 'invalid'."""
    report = toolkit.validate_responses(messy, "wai-sr", id_cols=["Client ID"])
    found = sorted(zip(report["row"], report["column"]))
    expected = sorted(zip(bad.query("kind == 'invalid'")["row"], bad.query("kind == 'invalid'")["column"]))
    assert found == expected
