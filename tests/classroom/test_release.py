"""The student version: generated from the teacher notebooks with nbgrader's conventions; no solution survives.

Also checks that the teacher notebooks carry nbgrader cell metadata that nbgrader (schema version 3) would
accept, written out here from its published schema so that nbgrader is not needed to run the tests.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from toolkit import classroom
from toolkit.classroom.registry import EXERCISES
from toolkit.classroom.release import CODE_STUB, TEACHER_TAG, TEXT_STUB, student_version, teacher_notebooks
from toolkit.cli import main as alliance
from toolkit.exceptions import FileExistsRefusal, InvalidParameterError, NotebookMarkupError

TEACHER = teacher_notebooks()
NAMES = [p.name for p in TEACHER]
BY_NOTEBOOK = {spec.notebook: spec for spec in EXERCISES.values()}


def _nb(*cells) -> dict:
    return {"cells": list(cells), "metadata": {"kernelspec": {"name": "python3"}}, "nbformat": 4, "nbformat_minor": 5}


def _code(source, **metadata) -> dict:
    return {"cell_type": "code", "metadata": metadata, "source": source, "outputs": [{"output_type": "stream",
            "name": "stdout", "text": "42"}], "execution_count": 7}


def _md(source, **metadata) -> dict:
    return {"cell_type": "markdown", "metadata": metadata, "source": source}


def _src(cell) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def _load(path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


# ----------------------------------------------------------------------------------- the transformation
def test_solution_regions_become_an_indented_stub_and_the_rest_stays():
    src = "x = ...   # answer\nfor i in range(3):\n    ### BEGIN SOLUTION\n    x = i * 2\n    ### END SOLUTION\nx"
    out = student_version(_nb(_code(src)))
    assert _src(out["cells"][0]) == f"x = ...   # answer\nfor i in range(3):\n    {CODE_STUB}\nx"


def test_text_cells_get_nbgrader_s_text_stub_and_hidden_tests_disappear():
    nb = _nb(_md("Explain.\n### BEGIN SOLUTION\nBecause.\n### END SOLUTION"),
             _code("assert True\n### BEGIN HIDDEN TESTS\nassert secret == 1\n### END HIDDEN TESTS\nprint(1)"))
    out = student_version(nb)
    assert _src(out["cells"][0]) == f"Explain.\n{TEXT_STUB}"
    assert _src(out["cells"][1]) == "assert True\nprint(1)"


def test_a_solution_cell_without_markers_is_replaced_whole():
    meta = {"nbgrader": {"solution": True, "grade": False, "locked": False, "schema_version": 3, "grade_id": "a"}}
    out = student_version(_nb(_code("answer = 42", **meta), _md("All of it.", **meta)))
    assert [_src(c) for c in out["cells"]] == [CODE_STUB, TEXT_STUB]


def test_teacher_cells_go_outputs_are_cleared_locked_cells_are_read_only_and_the_input_is_unchanged():
    locked = {"nbgrader": {"locked": True, "grade": True, "solution": False, "points": 1, "grade_id": "c",
                           "schema_version": 3}}
    nb = _nb(_md("Answer: 42", tags=[TEACHER_TAG, "other"]), _code("ex.check('a', a)", **locked), _code("1 + 1"))
    before = json.dumps(nb, sort_keys=True)
    out = student_version(nb)
    assert json.dumps(nb, sort_keys=True) == before
    assert len(out["cells"]) == 2
    assert all(c["outputs"] == [] and c["execution_count"] is None for c in out["cells"])
    assert out["cells"][0]["metadata"]["editable"] is False and out["cells"][0]["metadata"]["deletable"] is False
    assert "editable" not in out["cells"][1]["metadata"]
    assert out["metadata"] == nb["metadata"]


@pytest.mark.parametrize(("source", "match"), [
    ("### BEGIN SOLUTION\nx = 1", r"demo, cell 0: a solution region is not closed"),
    ("x = 1\n### END SOLUTION", r"demo, cell 0, line 2: 'END SOLUTION' without its 'BEGIN SOLUTION' line"),
    ("### BEGIN SOLUTION\n### BEGIN HIDDEN TESTS\n", r"line 2: 'BEGIN HIDDEN TESTS' inside an open solution region"),
    ("### BEGIN HIDDEN TESTS\n### END SOLUTION\n", r"line 2: 'END SOLUTION' without"),
])
def test_markers_that_do_not_pair_up_are_named_with_cell_and_line(source, match):
    with pytest.raises(NotebookMarkupError, match=match):
        student_version(_nb(_code(source)), name="demo")


# ----------------------------------------------------------------------------------- the teacher notebooks
NBGRADER_KEYS = {"schema_version", "grade", "locked", "solution", "task", "grade_id", "points", "checksum",
                 "cell_type"}


def _nbgrader_problems(nb: dict) -> list[str]:
    """nbgrader's v3 cell-metadata schema and its validator's rules, written out."""
    problems, ids = [], set()
    for i, cell in enumerate(nb["cells"]):
        meta = cell["metadata"].get("nbgrader")
        if meta is None:
            continue
        where = f"cell {i}"
        if not {"schema_version", "grade", "locked", "solution"} <= set(meta):
            problems.append(f"{where}: missing required keys")
        if set(meta) - NBGRADER_KEYS:
            problems.append(f"{where}: keys nbgrader does not allow: {set(meta) - NBGRADER_KEYS}")
        if meta.get("schema_version") != 3:
            problems.append(f"{where}: schema_version must be 3")
        for key in ("grade", "locked", "solution", "task"):
            if key in meta and not isinstance(meta[key], bool):
                problems.append(f"{where}: {key} must be a boolean")
        if meta.get("grade") or meta.get("solution") or meta.get("locked"):
            gid = meta.get("grade_id", "")
            if not gid or not re.fullmatch(r"[a-zA-Z0-9_\-]*", gid):
                problems.append(f"{where}: bad grade_id {gid!r}")
            if gid in ids:
                problems.append(f"{where}: duplicate grade_id {gid!r}")
            ids.add(gid)
        if meta.get("grade") and not (isinstance(meta.get("points"), (int, float)) and meta["points"] >= 0):
            problems.append(f"{where}: a graded cell needs points >= 0")
        if cell["cell_type"] == "markdown" and meta.get("grade") != meta.get("solution") and not meta.get("task"):
            problems.append(f"{where}: a markdown cell must be both grade and solution, or neither")
    return problems


@pytest.mark.parametrize("path", TEACHER, ids=NAMES)
def test_teacher_notebooks_follow_nbgrader_s_conventions(path):
    nb = _load(path)
    assert not _nbgrader_problems(nb)
    spec = BY_NOTEBOOK[path.name]
    checks, answers = [], []
    for cell in nb["cells"]:
        src, meta = _src(cell), cell["metadata"].get("nbgrader", {})
        if "BEGIN SOLUTION" in src:
            assert meta.get("solution") is True and meta.get("grade") is False, src[:60]
            assert src.count("BEGIN SOLUTION") == src.count("END SOLUTION") == 1
        if meta.get("solution"):
            answers.append(src)
            first = src.splitlines()[0]
            # the answer variable exists before the solution, so a student version runs without error
            assert re.fullmatch(r"[A-Za-z_0-9]+ = \.\.\.\s+# .+", first) or first.startswith("# "), first
        if meta.get("grade"):
            m = re.fullmatch(r'ex\.check\("([a-z_]+)", ([A-Za-z_0-9]+)\)', src)
            assert m and meta["locked"] and meta["points"] == 1 and meta["grade_id"] == f"{m[1]}_check", src
            checks.append(m[1])
    assert checks == [s.name for s in spec.steps], "one check cell per step, in the order of the steps"
    teacher_cells = [c for c in nb["cells"] if TEACHER_TAG in c["metadata"].get("tags", [])]
    assert len(teacher_cells) >= 2 and all(c["cell_type"] == "markdown" for c in teacher_cells)
    assert f'classroom.exercise("{spec.name}", STUDENT_ID)' in "".join(_src(c) for c in nb["cells"])


def _solution_lines(nb: dict) -> list[str]:
    out = []
    for cell in nb["cells"]:
        inside = False
        for line in _src(cell).splitlines():
            if "BEGIN SOLUTION" in line:
                inside = True
            elif "END SOLUTION" in line:
                inside = False
            elif inside and line.strip() and not line.strip().isidentifier():  # a bare name only shows a value
                out.append(line.strip())
    return out


@pytest.mark.parametrize("path", TEACHER, ids=NAMES)
def test_student_versions_contain_no_solution_and_no_teacher_note(path):
    teacher = _load(path)
    student = student_version(teacher, name=path.name)
    text = "\n".join(_src(c) for c in student["cells"])
    assert "SOLUTION" not in text and "HIDDEN TESTS" not in text and "Teacher notes" not in text
    leaked = [line for line in _solution_lines(teacher) if line in text]
    assert not leaked, f"solution lines in the student version: {leaked}"
    notes = [_src(c) for c in teacher["cells"] if TEACHER_TAG in c["metadata"].get("tags", [])]
    for note in notes:
        for sentence in re.split(r"(?<=[.:])\s", note):
            if len(sentence) > 40:
                assert sentence not in text
    assert text.count(CODE_STUB) == len([c for c in teacher["cells"] if "BEGIN SOLUTION" in _src(c)])
    assert not _nbgrader_problems(student)
    assert len(student["cells"]) == len(teacher["cells"]) - len(notes)


# ----------------------------------------------------------------------------------- writing them
def test_write_notebooks_writes_every_student_version_and_refuses_to_overwrite(tmp_path):
    written = classroom.write_notebooks(tmp_path / "out")
    assert [p.name for p in written] == NAMES
    for p in written:
        nb = _load(p)
        assert "BEGIN SOLUTION" not in p.read_text() and nb["nbformat"] == 4
    (tmp_path / "out" / NAMES[0]).write_text("my edits")
    n = len(NAMES)
    with pytest.raises(FileExistsRefusal, match=rf"refusing to overwrite {n} existing notebook\(s\).*{NAMES[0]}"):
        classroom.write_notebooks(tmp_path / "out")
    assert (tmp_path / "out" / NAMES[0]).read_text() == "my edits"
    classroom.write_notebooks(tmp_path / "out", overwrite=True)
    assert "my edits" not in (tmp_path / "out" / NAMES[0]).read_text()


def test_nothing_is_written_when_any_notebook_exists(tmp_path):
    (tmp_path / NAMES[-1]).write_text("mine")
    with pytest.raises(FileExistsRefusal):
        classroom.write_notebooks(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == [NAMES[-1]]


def test_teacher_copies_are_the_teacher_notebooks_byte_for_byte(tmp_path):
    for p in classroom.write_notebooks(tmp_path, teacher=True):
        assert p.read_bytes() == (TEACHER[0].parent / p.name).read_bytes()


def test_student_versions_are_valid_notebooks(tmp_path):
    nbformat = pytest.importorskip("nbformat")
    for p in classroom.write_notebooks(tmp_path):
        nbformat.validate(nbformat.read(p, as_version=4))


def test_bad_folders_are_named(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(FileExistsRefusal, match="is a file"):
        classroom.write_notebooks(tmp_path / "file")
    with pytest.raises(InvalidParameterError, match="not a folder"):
        classroom.write_notebooks(tmp_path / "out", source=tmp_path / "missing")


def test_alliance_classroom_commands(tmp_path, capsys):
    assert alliance(["classroom", "student-notebooks", str(tmp_path / "s")]) == 0
    assert capsys.readouterr().out.splitlines() == [str(tmp_path / "s" / n) for n in NAMES]
    assert alliance(["classroom", "student-notebooks", str(tmp_path / "s")]) == 1
    assert f"refusing to overwrite {len(NAMES)} existing notebook(s)" in capsys.readouterr().err
    assert alliance(["classroom", "student-notebooks", str(tmp_path / "s"), "--force"]) == 0
    assert alliance(["classroom", "teacher-notebooks", str(tmp_path / "t")]) == 0
    assert "BEGIN SOLUTION" in (tmp_path / "t" / NAMES[0]).read_text()
    with pytest.raises(SystemExit):
        alliance(["classroom"])


def test_python_m_release_runs_from_anywhere(tmp_path, repo_root):
    env = {"PYTHONPATH": str(repo_root), "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-m", "toolkit.classroom.release", "student-notebooks", "out"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == NAMES
    again = subprocess.run([sys.executable, "-m", "toolkit.classroom.release", "student-notebooks", "out"],
                           cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert again.returncode == 1 and again.stderr.startswith("error: refusing to overwrite")
