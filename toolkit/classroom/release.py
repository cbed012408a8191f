"""The student version of the teacher notebooks, following nbgrader's conventions.

The teacher notebooks in ``notebooks/classroom/`` hold the solutions and teaching notes. The student version
is generated from them:

* cells tagged ``teacher`` (teaching notes, discussion answers) are removed;
* in every cell, the lines from ``### BEGIN SOLUTION`` to ``### END SOLUTION`` become ``# YOUR CODE HERE``
  (``YOUR ANSWER HERE`` in a text cell), indented like the marker; lines from ``### BEGIN HIDDEN TESTS`` to
  ``### END HIDDEN TESTS`` are removed;
* a cell marked as a solution in its ``nbgrader`` metadata but without markers is replaced as a whole;
* outputs and execution counts are cleared; cells locked in their ``nbgrader`` metadata (the checks) are made
  read-only (``editable: false``, ``deletable: false``), as nbgrader's ``LockCells`` does.

These are nbgrader's markers and cell metadata (``nbgrader`` with ``schema_version`` 3: solution cells
``solution: true``, check cells ``grade: true``, ``locked: true``), so a teacher who uses nbgrader can take the
teacher notebooks as its source notebooks unchanged (the classroom page of the documentation gives the
``nbgrader_config.py`` lines that also drop the ``teacher`` cells). nbgrader is not needed here.

Unlike nbgrader's default stub, ``# YOUR CODE HERE`` raises nothing: the answer variable is set to ``...``
before the solution region, so a student version runs from top to bottom and every check says "not yet" with
a hint until it is answered.

From a terminal::

    alliance classroom student-notebooks OUTDIR      # or: python -m toolkit.classroom.release student-notebooks OUTDIR
    alliance classroom teacher-notebooks OUTDIR      # a copy of the teacher versions (solutions and notes)
"""

from __future__ import annotations

import argparse
import copy
import json
import sys
from pathlib import Path

__all__ = ["student_version", "write_notebooks", "teacher_notebooks", "main",
           "BEGIN_SOLUTION", "END_SOLUTION", "TEACHER_TAG", "CODE_STUB", "TEXT_STUB"]

BEGIN_SOLUTION, END_SOLUTION = "BEGIN SOLUTION", "END SOLUTION"
BEGIN_HIDDEN, END_HIDDEN = "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"
#: cells with this tag hold teaching notes and are removed from the student version
TEACHER_TAG = "teacher"
CODE_STUB = "# YOUR CODE HERE"
TEXT_STUB = "YOUR ANSWER HERE"


def _source(cell) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def _replace_regions(text: str, stub: str, where: str) -> tuple[str, bool]:
    from ..exceptions import NotebookMarkupError

    out, replaced, region = [], False, None
    for number, line in enumerate(text.splitlines(keepends=True), start=1):
        for begin, end, kind in ((BEGIN_SOLUTION, END_SOLUTION, "solution"), (BEGIN_HIDDEN, END_HIDDEN, "hidden")):
            if begin in line:
                if region is not None:
                    raise NotebookMarkupError(f"{where}, line {number}: '{begin}' inside an open {region} region; "
                                              f"close the first region with its END line.")
                region = kind
                if kind == "solution":
                    indent = line[: len(line) - len(line.lstrip())]
                    out.append(indent + stub + ("\n" if line.endswith("\n") else ""))
                    replaced = True
                break
            if end in line:
                if region != kind:
                    raise NotebookMarkupError(f"{where}, line {number}: '{end}' without its '{begin}' line.")
                region = None
                break
        else:
            if region is None:
                out.append(line)
    if region is not None:
        raise NotebookMarkupError(f"{where}: a {region} region is not closed; add its '### END ...' line.")
    return "".join(out).rstrip("\n"), replaced


def student_version(notebook: dict, *, name: str = "notebook") -> dict:
    """The student version of a teacher notebook (a new notebook; the teacher's is not changed).

    Teacher cells go, solution regions become stubs, hidden tests go, outputs are cleared and the check cells
    are made read-only (see the module docstring for the rules, which are nbgrader's).

    Parameters
    ----------
    notebook : dict
        A notebook in nbformat 4 JSON form (``json.load`` of an ``.ipynb`` file; an ``nbformat`` node works).
    name : str
        The notebook's name, used in error messages.

    Returns
    -------
    dict
        The notebook without teacher cells, solution regions replaced by stubs, hidden tests removed, outputs
        cleared.

    Raises
    ------
    toolkit.exceptions.NotebookMarkupError
        A solution or hidden-tests region that is not closed, closed twice, or nested; the message names the
        notebook, cell and line.

    See Also
    --------
    write_notebooks : Write the student versions of all the classroom notebooks.

    Notes
    -----
    nbgrader's ``ClearSolutions`` and ``ClearHiddenTests`` do the same with their default delimiters; its
    default code stub also adds ``raise NotImplementedError()``, which this one leaves out so that the student
    version runs from top to bottom.

    R equivalent: none.

    Examples
    --------
    >>> nb = {"cells": [{"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": 3,
    ...                  "source": "x = ...\\n### BEGIN SOLUTION\\nx = 42\\n### END SOLUTION"},
    ...                 {"cell_type": "markdown", "metadata": {"tags": ["teacher"]}, "source": "Answer: 42"}],
    ...       "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    >>> out = student_version(nb)
    >>> len(out["cells"]), out["cells"][0]["source"], out["cells"][0]["execution_count"]
    (1, 'x = ...\\n# YOUR CODE HERE', None)
    """
    out = copy.deepcopy(dict(notebook))
    cells = []
    for index, cell in enumerate(out.get("cells", [])):
        if TEACHER_TAG in cell.get("metadata", {}).get("tags", []):
            continue
        code = cell.get("cell_type") == "code"
        stub = CODE_STUB if code else TEXT_STUB
        text, replaced = _replace_regions(_source(cell), stub, f"{name}, cell {index}")
        if not replaced and cell.get("metadata", {}).get("nbgrader", {}).get("solution"):
            text = stub
        cell["source"] = text
        if code:
            cell["outputs"] = []
            cell["execution_count"] = None
        if cell.get("metadata", {}).get("nbgrader", {}).get("locked"):
            cell["metadata"].update(deletable=False, editable=False)  # as nbgrader's LockCells
        cells.append(cell)
    out["cells"] = cells
    return out


def _classroom_dir() -> Path:
    from .._paths import classroom_dir

    return classroom_dir()


def teacher_notebooks(source=None) -> list[Path]:
    """The teacher notebooks (``notebooks/classroom/*.ipynb``, or those in ``source``), in order."""
    folder = Path(source) if source is not None else _classroom_dir()
    if not folder.is_dir():
        from ..exceptions import InvalidParameterError

        raise InvalidParameterError(f"The 'source' parameter of write_notebooks() must be a folder of teacher "
                                    f"notebooks; {str(folder)!r} is not a folder.")
    return sorted(p for p in folder.glob("*.ipynb") if not p.name.startswith("."))


def _dumps(nb: dict) -> str:
    """nbformat's own layout: one-space indent, sorted keys, sources as lists of lines."""
    nb = copy.deepcopy(nb)
    for cell in nb.get("cells", []):
        src = cell.get("source", "")
        if isinstance(src, str):
            cell["source"] = src.splitlines(keepends=True)
    return json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def write_notebooks(outdir, *, teacher: bool = False, source=None, overwrite: bool = False) -> list[Path]:
    """Write the student versions (or copies of the teacher versions) of the classroom notebooks.

    Every notebook is converted first and written only if none of the targets exists (or ``overwrite``), so
    a folder is never left half-written and a student's edited notebook is never replaced unasked.

    Parameters
    ----------
    outdir : str or Path
        Folder to write into (created if missing).
    teacher : bool, default False
        Write the teacher versions (solutions and notes) instead of the student versions.
    source : str or Path, optional
        Folder of teacher notebooks (default: the shipped ``notebooks/classroom/``).
    overwrite : bool, default False
        Replace notebooks that exist in ``outdir``. Without it, nothing is written when any exists.

    Returns
    -------
    list of Path
        The notebooks written.

    Raises
    ------
    toolkit.exceptions.FileExistsRefusal
        Some of the notebooks exist in ``outdir`` and ``overwrite`` is False (all are named; none is written).
    toolkit.exceptions.NotebookMarkupError
        A teacher notebook's solution markers do not pair up.

    See Also
    --------
    student_version : The transformation of one notebook.

    Notes
    -----
    R equivalent: none.

    Examples
    --------
    >>> import tempfile
    >>> from toolkit.classroom import write_notebooks
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     [p.name for p in write_notebooks(tmp)][:2]
    ['01_reverse_scoring.ipynb', '02_alpha_by_hand.ipynb']
    """
    from ..exceptions import FileExistsRefusal

    sources = teacher_notebooks(source)
    out = Path(outdir)
    if out.exists() and not out.is_dir():
        raise FileExistsRefusal(f"{str(out)!r} is a file; give a folder to write the notebooks into.")
    targets = [out / p.name for p in sources]
    existing = [t for t in targets if t.exists()]
    if existing and not overwrite:
        raise FileExistsRefusal(f"refusing to overwrite {len(existing)} existing notebook(s) in {str(out)!r}: "
                                f"{', '.join(t.name for t in existing)}; pass overwrite=True (--force) to replace "
                                f"them, or choose another folder.")
    texts = []
    for p in sources:  # every notebook is converted before anything is written
        nb = json.loads(p.read_text(encoding="utf-8"))
        texts.append(p.read_text(encoding="utf-8") if teacher else _dumps(student_version(nb, name=p.name)))
    out.mkdir(parents=True, exist_ok=True)
    for target, text in zip(targets, texts):
        target.write_text(text, encoding="utf-8")
    return targets


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``student-notebooks`` / ``teacher-notebooks`` subcommands (shared with ``alliance classroom``)."""
    sub = parser.add_subparsers(dest="classroom_command", metavar="WHAT", required=True)
    for cmd, helptext in (("student-notebooks", "write the student versions (no solutions, no teacher notes)"),
                          ("teacher-notebooks", "write copies of the teacher versions (solutions and notes)")):
        p = sub.add_parser(cmd, help=helptext, description=helptext.capitalize() + " of the classroom notebooks.")
        p.add_argument("outdir", metavar="OUTDIR", help="folder to write into (created if missing)")
        p.add_argument("--source", metavar="DIR", help="folder of teacher notebooks (default: the shipped ones)")
        p.add_argument("--force", action="store_true", help="replace notebooks that exist in OUTDIR")


def run(args) -> int:
    """Carry out a parsed ``student-notebooks`` / ``teacher-notebooks`` command; print what was written."""
    written = write_notebooks(args.outdir, teacher=args.classroom_command == "teacher-notebooks",
                              source=args.source, overwrite=args.force)
    for path in written:
        sys.stdout.write(f"{path}\n")
    return 0


def main(argv: list[str] | None = None) -> int:
    """``python -m toolkit.classroom.release student-notebooks OUTDIR``: errors as messages, exit code 1."""
    parser = argparse.ArgumentParser(prog="python -m toolkit.classroom.release",
                                     description="Write the classroom notebooks for students or teachers.")
    add_arguments(parser)
    args = parser.parse_args(argv)
    from ..exceptions import AllianceError

    try:
        return run(args)
    except (AllianceError, OSError) as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
