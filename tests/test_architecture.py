"""The layers of ARCHITECTURE.md hold: import-linter's contracts in pyproject.toml are kept."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _tool(name: str) -> str:
    exe = Path(sys.executable).parent / name
    found = str(exe) if exe.exists() else shutil.which(name)
    if not found:
        pytest.fail(f"{name} is not installed: it comes with the test extra (pip install -e '.[test]')")
    return found


def test_import_layers_are_kept():
    """lint-imports (import-linter) checks the layer and forbidden-import contracts of pyproject.toml."""
    out = subprocess.run([_tool("lint-imports"), "--no-cache"], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout[-4000:] + out.stderr[-2000:]
    assert "broken" in out.stdout and " 0 broken" in out.stdout


def test_a_forbidden_import_would_be_caught(tmp_path):
    """The contract can fail: a copy of the package where factor imports scoring breaks it."""
    pkg = tmp_path / "toolkit"
    shutil.copytree(ROOT / "toolkit", pkg, ignore=shutil.ignore_patterns("__pycache__", "_shipped"))
    (pkg / "factor" / "_bad.py").write_text("from ..scoring import score  # noqa: F401\n")
    shutil.copyfile(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    out = subprocess.run([_tool("lint-imports"), "--no-cache"], cwd=tmp_path, capture_output=True, text=True,
                         env={"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin"})
    assert out.returncode != 0
    assert "toolkit.factor._bad -> toolkit.scoring" in out.stdout


def test_numba_has_one_home():
    """ARCHITECTURE.md, Speed: compiled code is optional and lives in toolkit/_compiled.py only."""
    import re

    home = ROOT / "toolkit" / "_compiled.py"
    users = [p.relative_to(ROOT).as_posix() for p in (ROOT / "toolkit").rglob("*.py")
             if re.search(r"^\s*(import numba|from numba)", p.read_text(encoding="utf-8"), re.M)]
    assert users == [home.relative_to(ROOT).as_posix()], users
