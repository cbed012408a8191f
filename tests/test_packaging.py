"""The installed wheel, not only the checkout, carries the instruments and the sample data.

Builds the wheel with hatchling from this environment, installs it with ``--no-deps`` into a
throw-away venv that sees this environment's packages through a ``.pth`` file (nothing is
downloaded), and uses it from a directory outside the repository.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

# Run by the wheel's python, from outside the repository; prints what the test checks.
_PROBE = r"""
import json, sys
import toolkit
instruments = toolkit.list_instruments()
samples = toolkit.list_samples()
data = toolkit.load_sample("wai_sr_sessions")
scores = toolkit.score(data, "wai-sr")
print(json.dumps({
    "file": toolkit.__file__,
    "prefix": sys.prefix,
    "instruments": sorted(instruments.index),
    "samples": sorted(samples.index if hasattr(samples, "index") else samples),
    "rows": len(data),
    "scored_rows": len(scores),
    "total_range": [float(scores["total"].min()), float(scores["total"].max())],
}))
"""


def _run(args, **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run(args, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=120, **kwargs)
    assert result.returncode == 0, f"{args} failed:\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def wheel(tmp_path_factory, repo_root) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
          "--wheel-dir", str(out), str(repo_root)])
    (path,) = out.glob("alliance_toolkit-*.whl")
    return path


@pytest.fixture(scope="module")
def wheel_venv(tmp_path_factory, wheel) -> Path:
    """A fresh venv with only the wheel installed; dependencies come from this environment."""
    venv = tmp_path_factory.mktemp("venv")
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)])
    python = venv / "bin" / "python"
    site = _run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]).stdout.strip()
    ours = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    Path(site, "_host_site_packages.pth").write_text("\n".join(sorted(ours)) + "\n")
    _run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index", str(wheel)])
    return venv


def _clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV"}}
    env["PYTHONNOUSERSITE"] = "1"
    return env


def test_wheel_contains_every_instrument_and_sample_file(wheel, repo_root):
    names = set(zipfile.ZipFile(wheel).namelist())
    for folder in ("instruments", "data-samples"):
        shipped = {
            f"toolkit/_shipped/{folder}/{p.relative_to(repo_root / folder).as_posix()}"
            for p in (repo_root / folder).rglob("*")
            if p.is_file() and "__pycache__" not in p.parts
        }
        assert shipped, f"{folder}/ is empty"
        assert shipped <= names, f"missing from the wheel: {sorted(shipped - names)}"
    assert "toolkit/__init__.py" in names
    assert not any(n.startswith(("tests/", "notebooks/", "benchmarks/")) for n in names)


def test_installed_wheel_loads_and_scores_outside_the_repo(wheel_venv, repo_root, tmp_path):
    python = wheel_venv / "bin" / "python"
    probe = json.loads(_run([str(python), "-c", _PROBE], cwd=tmp_path, env=_clean_env()).stdout)

    assert Path(probe["file"]).resolve().is_relative_to(wheel_venv.resolve())
    expected_ids = {"wai36", "wai-s", "wai-sr", "haq2", "srs", "ors", "rdfs"}
    assert expected_ids <= set(probe["instruments"])
    assert {"wai_sr_sessions", "messy_export"} <= set(probe["samples"])
    assert probe["rows"] > 0 and probe["scored_rows"] == probe["rows"]
    low, high = probe["total_range"]
    assert 12 <= low <= high <= 60  # WAI-SR total: 12 items on 1-5


def test_installed_console_script_scores_a_shipped_file(wheel_venv, tmp_path):
    """``alliance score FILE --instrument wai-sr -o out.csv`` on the sample CSV inside the installed package."""
    python, alliance = wheel_venv / "bin" / "python", wheel_venv / "bin" / "alliance"
    assert alliance.exists()
    env = _clean_env()
    code = "from toolkit.samples import sample_path; print(sample_path('wai_sr_sessions'))"
    sample = Path(_run([str(python), "-c", code], cwd=tmp_path, env=env).stdout.strip())
    assert sample.resolve().is_relative_to(wheel_venv.resolve())
    _run([str(alliance), "--help"], cwd=tmp_path, env=env)
    _run([str(alliance), "score", str(sample), "--instrument", "wai-sr", "-o", "out.csv"], cwd=tmp_path, env=env)
    lines = (tmp_path / "out.csv").read_text().splitlines()
    assert len(lines) == len(sample.read_text().splitlines())  # header + one row per input row
    assert "total" in lines[0].split(",")


def test_installed_wheel_writes_the_classroom_notebooks(wheel_venv, tmp_path, repo_root):
    """The teacher notebooks travel in the wheel: ``alliance classroom student-notebooks`` works after pip install."""
    alliance = wheel_venv / "bin" / "alliance"
    env = _clean_env()
    _run([str(alliance), "classroom", "student-notebooks", "students"], cwd=tmp_path, env=env)
    _run([str(alliance), "classroom", "teacher-notebooks", "teacher"], cwd=tmp_path, env=env)
    shipped = sorted(p.name for p in (repo_root / "notebooks" / "classroom").glob("*.ipynb"))
    assert shipped and sorted(p.name for p in (tmp_path / "students").iterdir()) == shipped
    assert all("BEGIN SOLUTION" not in p.read_text() for p in (tmp_path / "students").iterdir())
    assert all("BEGIN SOLUTION" in p.read_text() for p in (tmp_path / "teacher").iterdir())
