"""The classroom kit: exercises with a data set per student and checks that hint without giving answers.

* :func:`exercise` -- a student's copy of an exercise: ``ex.data`` (their own data set, from their student
  number), ``ex.given`` (what they are told), ``ex.steps`` and ``ex.check(step, answer)``, which says right or
  "not yet" with a hint naming the concept or step, never the answer;
* :func:`student_data` -- the data set alone; :func:`list_exercises` -- what there is;
* :func:`simulate_scale` -- draw a one-factor scale with chosen loadings (reproducible from a seed);
* :func:`student_version`, :func:`write_notebooks` -- the student version of the teacher notebooks in
  ``notebooks/classroom/`` (nbgrader's solution markers; ``alliance classroom student-notebooks OUTDIR``).

Data sets are the same on every machine and numpy version (:mod:`toolkit.classroom.randomness`).

>>> from toolkit import classroom
>>> ex = classroom.exercise("reverse_scoring", "2026001")
>>> ex.check("total", ...).text.startswith("\\u2717 reverse_scoring")
True
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

# public name -> module (imported on first use, so that `alliance --help` stays quick)
_EXPORTS = {
    "exercise": "registry", "student_data": "registry", "list_exercises": "registry",
    "Exercise": "base", "Feedback": "feedback", "simulate_scale": "simulation",
    "student_version": "release", "write_notebooks": "release",
}

__all__ = ["exercise", "student_data", "list_exercises", "Exercise", "Feedback", "simulate_scale",
           "student_version", "write_notebooks"]


def __getattr__(name: str):
    if name in _EXPORTS:
        value = getattr(importlib.import_module(f"{__name__}.{_EXPORTS[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(__all__) | {"randomness", "feedback", "base", "registry", "simulation", "release", "exercises"})


if TYPE_CHECKING:  # pragma: no cover
    from .base import Exercise  # noqa: F401
    from .feedback import Feedback  # noqa: F401
    from .registry import exercise, list_exercises, student_data  # noqa: F401
    from .release import student_version, write_notebooks  # noqa: F401
    from .simulation import simulate_scale  # noqa: F401
