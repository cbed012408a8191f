"""The exercises by name: :func:`exercise`, :func:`student_data`, :func:`list_exercises`."""

from __future__ import annotations

import pandas as pd

from .base import Exercise, ExerciseSpec
from .exercises import (alpha_and_omega, alpha_by_hand, icc_vs_r, item_deletion, reading_a_cfa, reading_an_efa,
                        reverse_scoring, test_length)

__all__ = ["EXERCISES", "exercise", "student_data", "list_exercises"]

#: name -> declaration, in the order of the notebooks in ``notebooks/classroom/``
EXERCISES: dict[str, ExerciseSpec] = {m.SPEC.name: m.SPEC for m in (
    reverse_scoring, alpha_by_hand, item_deletion, test_length, alpha_and_omega, reading_an_efa, icc_vs_r,
    reading_a_cfa)}


def _spec(name, caller: str) -> ExerciseSpec:
    from .._checks import check_choice

    return EXERCISES[check_choice(name, list(EXERCISES), param="name" if caller == "exercise" else "exercise",
                                  caller=caller, hint="list_exercises() describes them.")]


def exercise(name: str, student_id, *, course: str = "") -> Exercise:
    """One student's copy of an exercise: their own data set, what they are told, and the checks.

    Each student gets a data set of their own, drawn from their student number with known true parameters, so
    that answers cannot be copied from a neighbour; the checks compare an answer with the value computed from
    that student's data and hint at the concept or step when it is not right, never showing the answer.

    Parameters
    ----------
    name : str
        The exercise (see :func:`list_exercises`), e.g. ``"alpha_by_hand"``.
    student_id : str or int
        The student's number or id. The same id gives the same data set on every machine and with every numpy
        version; other ids give other data sets. Spaces around it and the case of letters do not matter.
    course : str, optional
        A label of the course or year (e.g. ``"PSY301-2026"``): the same student gets other data sets in
        another course, so last year's answers do not fit this year's data.

    Returns
    -------
    Exercise
        ``.data`` (the student's data set), ``.given`` (what they are told), ``.steps``, ``.check(step, answer)``.

    Raises
    ------
    toolkit.exceptions.InvalidParameterError
        An unknown exercise name, or an empty or non-text student id.

    See Also
    --------
    student_data : The data set alone.

    Notes
    -----
    Data sets are drawn from the sample simulator's item model (:func:`toolkit.samples.model.draw_items`) with
    known true parameters, from random numbers fixed by (exercise, course, student id) alone; see
    :mod:`toolkit.classroom.randomness` for why they are the same on every machine. Every check compares
    the answer with a value computed from the student's own data (with ``toolkit.cronbach_alpha``,
    ``toolkit.icc``, ``toolkit.EFA``, ``toolkit.cfa`` or a closed formula), within the step's stated tolerance.

    R equivalent: none (the statistics each check uses name theirs: ``psych::alpha``, ``psych::ICC``,
    ``psych::fa``, ``lavaan::cfa``).

    Examples
    --------
    >>> from toolkit import classroom
    >>> ex = classroom.exercise("alpha_by_hand", "2026001")
    >>> list(ex.steps.index)
    ['covariance', 'alpha', 'standardized_alpha']
    >>> ex.check("alpha", 0.5).passed
    False
    >>> classroom.exercise("alpha_by_hand", "2026002").data.equals(ex.data)
    False
    """
    return Exercise(_spec(name, "exercise"), student_id, course=course)


def student_data(student_id, exercise: str, *, course: str = "") -> pd.DataFrame:
    """The data set of one student for one exercise (a new copy on every call).

    For teachers who want a student's data outside the exercise (to grade a written report, to prepare a
    worked example) and for students working outside Python (export it with ``to_csv``).

    Parameters
    ----------
    student_id : str or int
        The student's number or id (see :func:`exercise`).
    exercise : str
        The exercise (see :func:`list_exercises`).
    course : str, optional
        A label of the course or year (see :func:`exercise`).

    Returns
    -------
    DataFrame
        One row per respondent (or rated recording), labelled with text ids.

    See Also
    --------
    exercise : The data set with what the student is told and the checks.

    Notes
    -----
    Deterministic across machines and numpy versions (see :mod:`toolkit.classroom.randomness`).

    R equivalent: none.

    Examples
    --------
    >>> from toolkit.classroom import student_data
    >>> a = student_data("2026001", "icc_vs_r")
    >>> list(a.columns), a.index.name
    (['rater_a', 'rater_b'], 'recording')
    >>> bool(a.equals(student_data(" 2026001 ", "icc_vs_r")))
    True
    """
    return Exercise(_spec(exercise, "student_data"), student_id, course=course).original


def list_exercises() -> pd.DataFrame:
    """The exercises: name, title, notebook, what they practise, and their steps.

    One row per exercise, in the order of the notebooks in ``notebooks/classroom/``.

    Returns
    -------
    DataFrame
        Indexed by ``exercise`` with ``title``, ``notebook`` (in ``notebooks/classroom/``), ``summary`` and
        ``steps`` (the step names, comma-separated).

    See Also
    --------
    exercise : One student's copy of an exercise.

    Notes
    -----
    R equivalent: none.

    Examples
    --------
    >>> from toolkit.classroom import list_exercises
    >>> list_exercises().loc["icc_vs_r", "notebook"]
    '07_icc_vs_r.ipynb'
    """
    rows = [{"exercise": s.name, "title": s.title, "notebook": s.notebook, "summary": s.summary,
             "steps": ", ".join(st.name for st in s.steps)} for s in EXERCISES.values()]
    return pd.DataFrame(rows).set_index("exercise")
