"""Response files for the command-line tests (written into tmp_path)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

WAI_SR = [f"wai_sr_{k:02d}" for k in range(1, 13)]


@pytest.fixture
def responses() -> pd.DataFrame:
    rng = np.random.default_rng(11)
    df = pd.DataFrame(rng.integers(1, 6, size=(6, 12)), columns=WAI_SR)
    df.insert(0, "client_id", [f"C{k}" for k in range(1, 7)])
    df.insert(1, "therapist", ["T1", "T1", "T2", "T2", "T3", "T3"])
    return df


@pytest.fixture
def good_csv(tmp_path, responses):
    path = tmp_path / "wai.csv"
    responses.to_csv(path, index=False)
    return path


@pytest.fixture
def bad_csv(tmp_path, responses):
    data = responses.astype(object)
    data.loc[1, "wai_sr_03"] = "x"
    data.loc[4, "wai_sr_07"] = 9
    data.loc[5, "wai_sr_12"] = 2.5
    path = tmp_path / "bad.csv"
    data.to_csv(path, index=False)
    return path
