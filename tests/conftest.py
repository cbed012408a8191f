"""Fixtures shared by the test modules (keep this file small)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]

try:  # property tests: the same examples on every CI run (a found case is then kept with @example)
    from hypothesis import settings

    settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
    if os.environ.get("CI"):
        settings.load_profile("ci")
except ImportError:  # hypothesis is in the test extra
    pass


@pytest.fixture(scope="session")
def repo_root() -> Path:
    """The repository checkout the tests run from."""
    return REPO_ROOT


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    """``test-artifacts/`` (git-ignored): where tests leave screenshots and files for a person to look at."""
    path = REPO_ROOT / "test-artifacts"
    path.mkdir(exist_ok=True)
    return path


@pytest.fixture(autouse=True)
def _close_figures():
    """Close the pyplot figures a test opened (when pyplot is in use at all): a worker runs many test files, and
    figures left open pile up past matplotlib's limit of 20."""
    yield
    import sys

    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")


@pytest.fixture(autouse=True)
def _numpy_scoring(request, monkeypatch):
    """``score()`` takes its numpy route unless a test asks for the compiled loop (the ``compiled_scoring``
    fixture of ``tests/scoring/test_whole_scores.py``, which checks that both routes give the same frames): the
    route of a call then never depends on what an earlier test in the same worker happened to load."""
    if "compiled_scoring" not in request.fixturenames:
        from toolkit import _compiled

        monkeypatch.setattr(_compiled.WHOLE_SCORES, "ready", lambda: None)
        monkeypatch.setattr(_compiled.WHOLE_SCORES, "start", lambda: None)
