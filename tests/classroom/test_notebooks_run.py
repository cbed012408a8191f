"""Every classroom notebook runs from top to bottom: the teacher version with every check passing, the student
version (generated) with every check saying "not yet" and a hint, and the word "correct" nowhere.

Executed copies go to ``test-artifacts/notebooks/classroom/{teacher,student}/``.
"""

from __future__ import annotations

import json

import nbformat
import pytest

from toolkit.classroom.registry import EXERCISES
from toolkit.classroom.release import student_version, teacher_notebooks

from ..test_notebooks import _execute, venv_kernel  # noqa: F401  (venv_kernel is a fixture)

TEACHER = teacher_notebooks()
NAMES = [p.name for p in TEACHER]
BY_NOTEBOOK = {spec.notebook: spec for spec in EXERCISES.values()}


def _texts(cell) -> list[str]:
    """Every text a cell's outputs show: streams, plain text and HTML, and tracebacks."""
    out = []
    for o in cell.get("outputs", []):
        if o["output_type"] == "stream":
            out.append(o["text"])
        elif o["output_type"] == "error":
            out.append("\n".join(o["traceback"]))
        else:
            out += [str(v) for k, v in o.get("data", {}).items() if k.startswith("text/")]
    return out


def _checks(nb) -> list[tuple[str, str]]:
    """(step, plain-text output) of every check cell."""
    found = []
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade") and cell.cell_type == "code":
            plain = [o["data"]["text/plain"] for o in cell.outputs if "text/plain" in o.get("data", {})]
            found.append((meta["grade_id"].removesuffix("_check"), plain[0] if plain else ""))
    return found


def _save(nb, artifacts_dir, version: str, name: str) -> None:
    out = artifacts_dir / "notebooks" / "classroom" / version
    out.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, out / name)


@pytest.mark.parametrize("path", TEACHER, ids=NAMES)
def test_classroom_notebooks_are_committed_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    dirty = [i for i, c in enumerate(nb.cells)
             if c.cell_type == "code" and (c.get("outputs") or c.get("execution_count") is not None)]
    assert not dirty, f"{path.name}: cells {dirty} have outputs; clear them before committing"


@pytest.mark.slow
@pytest.mark.parametrize("path", TEACHER, ids=NAMES)
def test_teacher_version_runs_and_every_check_passes(path, venv_kernel, artifacts_dir):  # noqa: F811
    nb = nbformat.read(path, as_version=4)
    _execute(nb, venv_kernel, path.parent)
    _save(nb, artifacts_dir, "teacher", path.name)
    checks = _checks(nb)
    assert [step for step, _ in checks] == [s.name for s in BY_NOTEBOOK[path.name].steps]
    failing = [text for _, text in checks if not text.startswith("\u2713") or ": correct (" not in text]
    assert not failing, f"{path.name}: the teacher's solutions do not pass: {failing}"


@pytest.mark.slow
@pytest.mark.parametrize("path", TEACHER, ids=NAMES)
def test_student_version_runs_and_every_check_says_not_yet_with_a_hint(path, venv_kernel, artifacts_dir):  # noqa: F811
    nb = nbformat.from_dict(student_version(json.loads(path.read_text(encoding="utf-8")), name=path.name))
    _execute(nb, venv_kernel, path.parent)  # raises CellExecutionError naming the cell if anything fails
    _save(nb, artifacts_dir, "student", path.name)
    shown = [t for cell in nb.cells for t in _texts(cell)]
    assert not [t for t in shown if "correct" in t.lower()], f"{path.name}: a student version prints 'correct'"
    assert not [c for c in nb.cells for o in c.get("outputs", []) if o["output_type"] == "error"]
    checks = _checks(nb)
    assert [step for step, _ in checks] == [s.name for s in BY_NOTEBOOK[path.name].steps]
    for step, text in checks:
        assert text.startswith("\u2717") and "not yet. No answer yet. Hint: " in text, (step, text)
        assert text.split("Hint: ", 1)[1] == BY_NOTEBOOK[path.name].step(step).hint
