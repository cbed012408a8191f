"""Shared data of the CFA tests: the lavaan data sets stored beside the reference values."""

from __future__ import annotations

import pytest

from ._compare import load_ref, read_csv

HS_MODEL = """visual  =~ x1 + x2 + x3
textual =~ x4 + x5 + x6
speed   =~ x7 + x8 + x9"""


@pytest.fixture(scope="session")
def hs():
    return read_csv("holzinger_swineford_1939.csv")


@pytest.fixture(scope="session")
def hs_missing():
    return read_csv("holzinger_swineford_1939_missing.csv")


@pytest.fixture(scope="session")
def hs_ref():
    return load_ref("holzinger_swineford.json")
