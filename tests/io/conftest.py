"""Builders of export files for the reader tests (all written into tmp_path)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

WAI_SR_COLUMNS = [f"wai_sr_{k:02d}" for k in range(1, 13)]
#: Anchors of the WAI-SR, stored as codes 0..4 the way many SPSS files do.
CODES_0_4 = {0: "Seldom", 1: "Sometimes", 2: "Fairly often", 3: "Very often", 4: "Always"}


def wai_sr_codes(n: int = 8, seed: int = 7) -> pd.DataFrame:
    """A WAI-SR export coded 0..4, with an id, a labelled gender column and an age."""
    rng = np.random.default_rng(seed)
    df = pd.DataFrame(rng.integers(0, 5, size=(n, 12)).astype(float), columns=WAI_SR_COLUMNS)
    df.insert(0, "client_id", [f"C{k:03d}" for k in range(1, n + 1)])
    df["gender"] = np.resize([1.0, 2.0, 3.0], n)
    df["age"] = np.linspace(20, 60, n).round()
    return df


@pytest.fixture
def codes_frame() -> pd.DataFrame:
    return wai_sr_codes()


@pytest.fixture
def value_labels() -> dict:
    labels = {c: dict(CODES_0_4) for c in WAI_SR_COLUMNS}
    labels["gender"] = {1: "female", 2: "male", 3: "diverse"}
    return labels


@pytest.fixture
def wai_cols() -> list[str]:
    return list(WAI_SR_COLUMNS)
