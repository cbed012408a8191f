"""Session alerts, clinical change and session rules on a Dask DataFrame (shuffled once by client, each
partition on its own) equal the in-memory results, on a 2-worker cluster."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

from toolkit.exceptions import InvalidParameterError, SessionWarning
from toolkit.sessions import (
    clinical_change,
    collect,
    drop_below_running_mean,
    session_alerts,
    session_scores,
    sudden_losses,
)

dd = pytest.importorskip("dask.dataframe")


def _same(got: pd.DataFrame, expected: pd.DataFrame, keys, **kw) -> None:
    """Equal after ordering both by the ids (a partitioned result is ordered by client, not first appearance)."""
    order = [k for k in keys if k in expected.columns]
    expected = expected.sort_values(order, kind="stable").reset_index(drop=True)
    text = lambda f: f.astype({c: object for c in f.columns if pd.api.types.is_string_dtype(f[c])})
    pd.testing.assert_frame_equal(text(got), text(expected), check_dtype=False, **kw)
    assert len(got) == len(expected)


@pytest.fixture(scope="module")
def srs_ors(study):
    df = study["srs_ors_sessions"]
    return df[df["client_id"].isin(df["client_id"].unique()[:3000])].reset_index(drop=True)


def test_alerts_equal_in_memory(client, srs_ors):
    ddf = dd.from_pandas(srs_ors, npartitions=6)
    lazy = session_alerts(ddf, "srs")
    assert isinstance(lazy.latest, dd.DataFrame) and isinstance(lazy.by_session, dd.DataFrame)
    expected = session_alerts(srs_ors, "srs")
    got = collect(lazy)
    for name in ("table", "by_session", "latest"):
        _same(getattr(got, name), getattr(expected, name), ["client_id", "session"])
    assert len(got.table) > 1000
    assert got.title == expected.title
    assert set(expected.notes) <= set(got.notes)
    # a table written without collecting: the same rows
    latest = lazy.latest.compute()
    _same(latest.sort_values("client_id").reset_index(drop=True), expected.latest, ["client_id"])


def test_alerts_of_an_instrument_with_reliable_change(client, srs_ors):
    ddf = dd.from_pandas(srs_ors, npartitions=5)
    expected = session_alerts(srs_ors, "ors")
    got = collect(session_alerts(ddf, "ors"))
    _same(got.table, expected.table, ["client_id", "session"])
    assert "reliable_deterioration" in set(got.table["alert"].astype(str))


def test_clinical_change_equals_in_memory_and_warns_once(client, srs_ors):
    ors = session_scores(srs_ors, "ors")
    with pytest.warns(SessionWarning) as before:
        expected = clinical_change(ors, "ors")
    lazy = clinical_change(dd.from_pandas(ors, npartitions=4), "ors")
    with pytest.warns(SessionWarning) as caught:
        got = collect(lazy)
    assert len(caught) == len(before) == 1
    # the same clients named (the in-memory warning lists them in order of appearance, collect() sorted)
    assert str(caught[0].message).split(":")[0] == str(before[0].message).split(":")[0]
    _same(got.table, expected.table, ["client_id"])
    pd.testing.assert_frame_equal(got.counts, expected.counts)


@pytest.mark.parametrize("sd", ["person", "stricter"])
def test_ruptures_equal_in_memory(client, srs_ors, sd):
    srs = session_scores(srs_ors, "srs")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SessionWarning)
        expected = drop_below_running_mean(srs, "srs", sd=sd)
        got = collect(drop_below_running_mean(dd.from_pandas(srs, npartitions=4), "srs", sd=sd))
    # the pooled SD is summed partition by partition: equal to the last bits of a double
    for name in ("table", "per_client", "examined"):
        _same(getattr(got, name), getattr(expected, name), ["client_id", "session"], rtol=1e-12)
    assert len(got.table) == len(expected.table) > 0
    assert got.title == expected.title


def test_sudden_losses_equal_in_memory(client, srs_ors):
    ors = session_scores(srs_ors, "ors")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SessionWarning)
        expected = sudden_losses(ors, "ors", cutoff=5)
        got = collect(sudden_losses(dd.from_pandas(ors, npartitions=3), "ors", cutoff=5))
    _same(got.table, expected.table, ["client_id", "session"])


def test_errors_name_the_parameter(srs_ors):
    ddf = dd.from_pandas(srs_ors.iloc[:50], npartitions=1)
    with pytest.raises(InvalidParameterError, match="'client' parameter"):
        session_alerts(ddf, "srs", client="patient")
    with pytest.raises(InvalidParameterError, match="already in memory"):
        collect(session_alerts(srs_ors.iloc[:50], "srs"))
