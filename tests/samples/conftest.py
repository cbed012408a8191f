"""Shared fixtures of the sample-data tests: the shipped tables, loaded once."""

from __future__ import annotations

import pytest

from toolkit.samples import list_samples, load_sample, load_truth


@pytest.fixture(scope="session")
def shipped():
    """Every shipped sample, by name."""
    return {name: load_sample(name) for name in list_samples().index}


@pytest.fixture(scope="session")
def truth():
    return load_truth()
