"""Every notebook under notebooks/ runs top to bottom without an error, and is committed without outputs.

The kernel is this interpreter (the venv's python with ipykernel), registered as ``python3``
in a temporary Jupyter path, and imports the toolkit from this checkout. Executed copies are
written to ``test-artifacts/notebooks/`` for a person to look at.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))


@pytest.fixture
def venv_kernel(tmp_path, monkeypatch, repo_root) -> str:
    """Register this interpreter as kernel ``python3`` ahead of any user or system kernelspec."""
    pytest.importorskip("ipykernel", reason="ipykernel is in the test extras: run `make test`")
    spec_dir = tmp_path / "jupyter" / "kernels" / "python3"
    spec_dir.mkdir(parents=True)
    spec = {
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (alliance-toolkit venv)",
        "language": "python",
    }
    (spec_dir / "kernel.json").write_text(json.dumps(spec))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(tmp_path / "runtime"))
    monkeypatch.setenv("PYTHONPATH", str(repo_root))
    return "python3"


def _execute(nb, kernel_name: str, cwd: Path):
    client = NotebookClient(nb, kernel_name=kernel_name, timeout=180, resources={"metadata": {"path": str(cwd)}})
    return client.execute()


def test_there_are_notebooks():
    assert NOTEBOOKS, "notebooks/ has no .ipynb file"


@pytest.mark.slow
def test_kernel_is_this_environment(venv_kernel, tmp_path):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("import sys; print(sys.executable)")])
    _execute(nb, venv_kernel, tmp_path)
    assert nb.cells[0].outputs[0]["text"].strip() == sys.executable


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_runs_without_error(path, venv_kernel, artifacts_dir):
    nb = nbformat.read(path, as_version=4)
    _execute(nb, venv_kernel, path.parent)  # raises CellExecutionError naming the failing cell
    out = artifacts_dir / "notebooks"
    out.mkdir(exist_ok=True)
    nbformat.write(nb, out / path.name)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_is_committed_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    dirty = [
        i for i, cell in enumerate(nb.cells)
        if cell.cell_type == "code" and (cell.get("outputs") or cell.get("execution_count") is not None)
    ]
    assert not dirty, f"{path.name}: cells {dirty} have outputs; clear them before committing"
