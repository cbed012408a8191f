"""ruff runs in the tests: the whole repository (package, tests, benchmarks, notebooks) passes the rules
in pyproject.toml's [tool.ruff] (pyflakes, pycodestyle, bugbear)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest


def _ruff() -> list[str]:
    exe = Path(sys.executable).with_name("ruff")
    if exe.exists():
        return [str(exe)]
    found = shutil.which("ruff")
    if found is None:
        pytest.fail("ruff is not installed: it is in the test extra (pip install -e '.[test]')")
    return [found]


def test_ruff_passes_on_the_repository(repo_root):
    run = subprocess.run([*_ruff(), "check", "--no-cache", "--output-format", "concise", "."], cwd=repo_root,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, f"ruff found problems (fix them, or `ruff check --fix`):\n{run.stdout}{run.stderr}"
