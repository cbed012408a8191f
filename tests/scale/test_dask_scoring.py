"""toolkit.score on a Dask DataFrame equals in-memory scoring row for row (200k rows, on a 2-worker cluster)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import toolkit
from toolkit.exceptions import DataValidationError, InvalidParameterError

dd = pytest.importorskip("dask.dataframe")

IDS = ["dyad_id", "client_id", "therapist_id", "session", "rater"]


def _as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Ids compared as text whatever the string dtype (Dask stores text as pyarrow strings)."""
    return frame.astype({c: object for c in frame.columns if pd.api.types.is_string_dtype(frame[c])})


@pytest.mark.filterwarnings("ignore:Sending large graph")
def test_lazy_scores_equal_in_memory_row_for_row(client, wai_sr_200k):
    ddf = dd.from_pandas(wai_sr_200k, npartitions=8)
    lazy = toolkit.score(ddf, "wai-sr")
    assert isinstance(lazy, dd.DataFrame)
    expected = toolkit.score(wai_sr_200k, "wai-sr")
    # the declared meta is what every partition returns
    assert list(lazy.columns) == list(expected.columns)
    got = lazy.compute()
    assert got.dtypes.drop(IDS).equals(expected.dtypes.drop(IDS))
    pd.testing.assert_frame_equal(_as_text(got), _as_text(expected), check_dtype=False)
    scores = [c for c in expected.columns if c not in IDS]
    pd.testing.assert_frame_equal(got[scores], expected[scores])  # exact, dtypes included
    # against in-memory scoring of the very frame Dask holds: identical, dtypes of the ids included
    pd.testing.assert_frame_equal(got, toolkit.score(ddf.compute(), "wai-sr"))
    assert expected["total_prorated"].any()  # the sample has blank items: prorating is exercised


def test_from_parquet_one_definition_load_per_run(client, wai_sr_200k, tmp_path, monkeypatch):
    wai_sr_200k.iloc[:50_000].to_parquet(tmp_path / "x.parquet", row_group_size=10_000)
    ddf = dd.read_parquet(tmp_path / "x.parquet", split_row_groups=True)
    assert ddf.npartitions > 1
    import toolkit.instrument.loader as loader

    calls = []
    real = loader.load_instrument
    monkeypatch.setattr(loader, "load_instrument", lambda *a, **k: calls.append(a) or real(*a, **k))
    lazy = toolkit.score(ddf, "wai-sr", id_cols=["client_id", "session"])
    got = lazy.compute()
    expected = toolkit.score(wai_sr_200k.iloc[:50_000], "wai-sr", id_cols=["client_id", "session"])
    # a Parquet file without a stored index: each partition numbers its rows from 0 (Dask's default)
    pd.testing.assert_frame_equal(_as_text(got).reset_index(drop=True), _as_text(expected), check_dtype=False)
    assert len(calls) <= 1  # the definition is loaded when the graph is built, not per partition or row


def test_bad_cells_raise_at_compute_naming_partition_rows_and_ids(client, wai_sr_200k):
    df = wai_sr_200k.iloc[:20_000].copy()
    df["wai_sr_03"] = df["wai_sr_03"].astype(object)
    df.loc[17, "wai_sr_03"] = "often"
    df.loc[15_001, "wai_sr_07"] = 9.0
    ddf = dd.from_pandas(df, npartitions=4)
    lazy = toolkit.score(ddf, "wai-sr")  # nothing read yet: no error
    with pytest.raises(DataValidationError, match=r"partition \d") as err:
        lazy.compute()
    rows = set(err.value.report["row"])
    assert rows <= {17, 15_001} and rows
    assert {"client_id", "column", "value", "reason"} <= set(err.value.report.columns)
    # every bad cell of every partition, lazily
    report = toolkit.validate_responses(ddf, "wai-sr").compute().sort_values("row")
    assert report["row"].tolist() == [17, 15_001]
    assert report["column"].tolist() == ["wai_sr_03", "wai_sr_07"]
    assert report["partition"].tolist() == [0, 3]
    assert report["client_id"].tolist() == df.loc[[17, 15_001], "client_id"].tolist()


def test_missing_scores_bad_cells_as_missing_like_in_memory(client, wai_sr_200k):
    df = wai_sr_200k.iloc[:20_000].copy()
    df["wai_sr_03"] = df["wai_sr_03"].astype(object)
    df.loc[[17, 18], "wai_sr_03"] = "often"
    df.loc[15_001, "wai_sr_07"] = 9.0
    ddf = dd.from_pandas(df, npartitions=4)
    got = toolkit.score(ddf, "wai-sr", on_invalid="missing").compute()
    with pytest.warns(toolkit.exceptions.InvalidCellsWarning):
        expected = toolkit.score(df, "wai-sr", on_invalid="missing")
    assert len(expected.attrs.pop("invalid_cells")) == 3  # a lazy frame carries no such table
    pd.testing.assert_frame_equal(_as_text(got), _as_text(expected), check_dtype=False)
    assert got.loc[[17, 18, 15_001], "n_invalid"].tolist() == [1, 1, 1]


def test_refuses_what_needs_rows_together():
    ddf = dd.from_pandas(pd.DataFrame({"client_id": ["a"], "session": [1],
                                       **{f"ors_{k:02d}": [5.0] for k in range(1, 5)}}), npartitions=1)
    with pytest.raises(InvalidParameterError, match="change_by"):
        toolkit.score(ddf, "ors", change_by="client_id", change_order="session")
    with pytest.raises(InvalidParameterError, match="wide data"):
        toolkit.score(ddf, "ors", layout="long")


def test_meta_of_an_instrument_with_flags():
    df = pd.DataFrame({"client_id": ["a", "b"], "session": [1, 2], "srs_01": [9.5, 2.0], "srs_02": [9.5, 9.0],
                       "srs_03": [9.5, np.nan], "srs_04": [9.5, 9.5]})
    lazy = toolkit.score(dd.from_pandas(df, npartitions=2), "srs")
    expected = toolkit.score(df, "srs")
    assert lazy._meta.dtypes.drop("client_id").equals(expected.dtypes.drop("client_id"))
    pd.testing.assert_frame_equal(_as_text(lazy.compute(scheduler="sync")), _as_text(expected), check_dtype=False)


def test_main_rules_part_by_part(client, wai_sr_200k):
    """metric= as in memory (exact at the scale's resolution); rows of a rater scored on another form refused
    at compute, named by their index label, as in memory."""
    df = wai_sr_200k.iloc[:3_000]
    ddf = dd.from_pandas(df, npartitions=3)
    got = toolkit.score(ddf, "wai-sr", metric="pomp").compute()
    pd.testing.assert_frame_equal(_as_text(got), _as_text(toolkit.score(df, "wai-sr", metric="pomp")),
                                  check_dtype=False)
    odd = df.copy()
    odd["rater"] = odd["rater"].astype(object)
    odd.loc[2_500, "rater"] = "therapist"
    with pytest.raises(DataValidationError, match="therapist") as err:
        toolkit.score(dd.from_pandas(odd, npartitions=3), "wai-sr").compute()
    assert err.value.report["row"].tolist() == [2_500]


def test_a_large_part_is_scored_in_pieces_with_the_same_result(wai_sr_200k, monkeypatch):
    """A part longer than PIECE_ROWS is scored piece by piece (bounded temporaries): the same scores, bad cells
    counted in the right rows and reported with the part's own index labels and ids."""
    import toolkit.scoring.partitioned as partitioned

    df = wai_sr_200k.iloc[:5_000].copy()
    df.index = pd.RangeIndex(100, 5_100)  # a partition's labels, not positions
    df["wai_sr_03"] = df["wai_sr_03"].astype(object)
    df.loc[[117, 2_345], "wai_sr_03"] = "often"
    df.loc[4_999, "wai_sr_07"] = 9.0
    scorer = partitioned.PartScorer(df.iloc[:0], "wai-sr", on_invalid="missing")
    whole, whole_bad = scorer.score_part(df)
    monkeypatch.setattr(partitioned, "PIECE_ROWS", 999)  # six pieces, the last one short
    pieces, pieces_bad = scorer.score_part(df)
    pd.testing.assert_frame_equal(pieces, whole)
    pd.testing.assert_frame_equal(pieces_bad, whole_bad)
    assert pieces_bad["row"].tolist() == [117, 2_345, 4_999]
    assert pieces.loc[[117, 2_345, 4_999], "n_invalid"].tolist() == [1, 1, 1]
    assert pieces_bad["client_id"].tolist() == df.loc[[117, 2_345, 4_999], "client_id"].tolist()
