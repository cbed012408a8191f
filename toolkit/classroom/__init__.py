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

from .base import Exercise
from .feedback import Feedback
from .registry import exercise, list_exercises, student_data
from .release import student_version, write_notebooks
from .simulation import simulate_scale

__all__ = ["exercise", "student_data", "list_exercises", "Exercise", "Feedback", "simulate_scale",
           "student_version", "write_notebooks"]
