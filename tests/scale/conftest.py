"""A Dask LocalCluster started by the tests themselves (2 workers; threads, so that it starts in a second on a
2-core machine), and the 200k-row WAI-SR sample from the simulator."""

from __future__ import annotations

import pytest

pytest.importorskip("dask.dataframe", reason="the scale extra (dask[dataframe], distributed, pyarrow)")
pytest.importorskip("distributed")
pytest.importorskip("pyarrow")

N_ROWS = 200_000


@pytest.fixture(scope="module")
def client():
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as cluster, \
            Client(cluster) as c:
        yield c


@pytest.fixture(scope="session")
def study():
    from toolkit.samples import simulate

    return simulate(n_dyads=18_500, n_validation_dyads=10, n_messy=32, seed=13)


@pytest.fixture(scope="session")
def wai_sr_200k(study):
    """200,000 WAI-SR administrations (client ids, sessions, about 1% blank items)."""
    df = study["wai_sr_sessions"]
    assert len(df) >= N_ROWS
    return df.iloc[:N_ROWS].copy()
