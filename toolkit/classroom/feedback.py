"""Right or wrong, with a hint, never the answer: :class:`Feedback` and the comparison of answers.

A check compares a student's answer with the value computed from the student's own data, within the step's
stated tolerance. When the answer is wrong, the hint names the concept or the step to look at again; when
the answer is what a typical mistake gives (correlations instead of covariances, an item not reversed, ...),
the hint names that mistake. No message ever contains the expected value.

An empty answer (``None``, ``...``, an empty string or list) is "not yet", with the step's hint.

Under nbgrader's autograder or validator (``NBGRADER_EXECUTION`` set to ``autograde`` or ``validate``), a
wrong answer raises ``AssertionError`` with the same message, so a check cell marked as an nbgrader test
cell scores its points only when the answer is right.
"""

from __future__ import annotations

import numbers
import os
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._results import escape

__all__ = ["Feedback", "WrongShape", "is_empty", "normalise", "matches", "grading_mode", "KINDS"]

#: What a step asks for.
KINDS = ("number", "integer", "vector", "matrix", "choice", "items", "groups")

_EMPTY_TYPES = (type(None), type(Ellipsis), type(NotImplemented))


def grading_mode() -> bool:
    """Whether nbgrader is autograding or validating this notebook (its ``NBGRADER_EXECUTION`` variable)."""
    return os.environ.get("NBGRADER_EXECUTION", "").strip().lower() in ("autograde", "validate")


@dataclass(frozen=True)
class Feedback:
    """What a check says: right or not yet, and a hint that never gives the answer away.

    It is true when the answer is right, so ``assert ex.check(...)`` works in a test cell.

    Attributes
    ----------
    exercise : str
        The exercise's name.
    step : str
        The step that was checked.
    student_id : str
        The student id the data set was made for.
    passed : bool
        Whether the answer is right within ``tolerance``.
    message : str
        One sentence on the answer ("No answer yet.", "Close, but not within the tolerance.", ...).
    hint : str
        The concept or step to look at again ("" when the answer is right).
    tolerance : str
        How close the answer had to be ("exact", "within 1e-06", ...).

    See Also
    --------
    toolkit.classroom.Exercise.check : Returns it.

    Examples
    --------
    >>> from toolkit import classroom
    >>> ex = classroom.exercise("icc_vs_r", "123456")
    >>> fb = ex.check("r", None)
    >>> bool(fb), fb.message
    (False, 'No answer yet.')
    """

    exercise: str
    step: str
    student_id: str
    passed: bool
    message: str
    hint: str = ""
    tolerance: str = ""

    def __bool__(self) -> bool:
        return self.passed

    @property
    def text(self) -> str:
        """The feedback as one line of text.

        A tick or a cross, the exercise, step and student id, then "correct (tolerance)" or "not yet", what was
        wrong with the answer, and the hint. The notebook shows the same as HTML (escaped).

        See Also
        --------
        toolkit.classroom.Exercise.check : Returns the feedback.

        Examples
        --------
        >>> from toolkit import classroom
        >>> classroom.exercise("icc_vs_r", "1").check("r", None).text[:40]
        '✗ icc_vs_r · r (student 1): not yet. No '
        """
        where = f"{self.exercise} \u00b7 {self.step} (student {self.student_id})"
        if self.passed:
            return f"\u2713 {where}: correct ({self.tolerance})."
        hint = f" Hint: {self.hint}" if self.hint else ""
        return f"\u2717 {where}: not yet. {self.message}{hint}"

    def __repr__(self) -> str:
        return self.text

    def _repr_html_(self) -> str:
        where = (f"<b>{escape(self.exercise)} \u00b7 {escape(self.step)}</b> "
                 f"<span class=\"alliance-feedback-id\">(student {escape(self.student_id)})</span>")
        if self.passed:
            return (f'<div class="alliance-feedback alliance-feedback-pass" style="border-left:4px solid #2e7d32;'
                    f'padding:4px 10px">\u2713 {where}: correct ({escape(self.tolerance)}).</div>')
        hint = (f'<br><span class="alliance-feedback-hint">Hint: {escape(self.hint)}</span>' if self.hint else "")
        return (f'<div class="alliance-feedback alliance-feedback-fail" style="border-left:4px solid #c62828;'
                f'padding:4px 10px">\u2717 {where}: not yet. {escape(self.message)}{hint}</div>')


class WrongShape(Exception):
    """The answer is not of the kind the step asks for (the message says what was expected)."""


def is_empty(answer) -> bool:
    """``None``, ``...``, ``NotImplemented``, blank text and empty containers are no answer."""
    if isinstance(answer, _EMPTY_TYPES):
        return True
    if isinstance(answer, str):
        return not answer.strip()
    if isinstance(answer, (pd.DataFrame, pd.Series, pd.Index, np.ndarray)):
        return answer.size == 0
    if isinstance(answer, (list, tuple, set, frozenset, dict)):
        return len(answer) == 0
    return False


def _kind_of(answer) -> str:
    return type(answer).__name__


def _a(answer) -> str:
    """"a list", "an int": the answer's type with its article."""
    name = _kind_of(answer)
    return ("an " if name[:1].lower() in "aeiou" else "a ") + name


def _number(answer, what: str = "a number") -> float:
    if isinstance(answer, (bool, np.bool_)):
        raise WrongShape(f"Expected {what}; got {answer!r}, a truth value.")
    if isinstance(answer, (numbers.Real, np.integer, np.floating)):
        return float(answer)
    if isinstance(answer, (np.ndarray, pd.Series, pd.DataFrame, list, tuple)):
        arr = np.asarray(answer, dtype=object).ravel()
        if arr.size == 1:
            return _number(arr[0], what)
        raise WrongShape(f"Expected {what}; got {arr.size} values ({_a(answer)}).")
    if isinstance(answer, str):
        raise WrongShape(f"Expected {what}; got text. Give the number itself, not in quotes.")
    raise WrongShape(f"Expected {what}; got an object of type {_kind_of(answer)}. Take the number out of it (for "
                     "a result object, one of its fields).")


def _vector(answer, labels: pd.Index) -> np.ndarray:
    if isinstance(answer, dict):
        answer = pd.Series(answer)
    if isinstance(answer, pd.DataFrame):
        if answer.shape[1] != 1:
            raise WrongShape(f"Expected one value per {labels.name or 'entry'} ({len(labels)} values); got a table "
                             f"with {answer.shape[1]} columns.")
        answer = answer.iloc[:, 0]
    if isinstance(answer, pd.Series) and len(answer) == len(labels) and set(answer.index) == set(labels):
        answer = answer.loc[labels]
    try:
        arr = np.asarray(answer, dtype=float)
    except (TypeError, ValueError):
        raise WrongShape(f"Expected numbers, one per {labels.name or 'entry'}; got {_a(answer)} that does "
                         "not convert to numbers.") from None
    if arr.ndim == 2 and 1 in arr.shape:
        arr = arr.ravel()
    if arr.ndim != 1 or arr.size != len(labels):
        raise WrongShape(f"Expected one value per {labels.name or 'entry'} ({len(labels)} values); got "
                         f"{'a table of shape ' + str(arr.shape) if arr.ndim > 1 else str(arr.size) + ' values'}.")
    return arr


def _matrix(answer, rows: pd.Index, cols: pd.Index) -> np.ndarray:
    if isinstance(answer, pd.DataFrame) and set(answer.index) == set(rows) and set(answer.columns) == set(cols) \
            and answer.shape == (len(rows), len(cols)):
        answer = answer.loc[rows, cols]
    try:
        arr = np.asarray(answer, dtype=float)
    except (TypeError, ValueError):
        raise WrongShape(f"Expected a table of numbers; got {_a(answer)} that does not convert to "
                         "numbers.") from None
    if arr.shape != (len(rows), len(cols)):
        raise WrongShape(f"Expected a table of {len(rows)} rows and {len(cols)} columns; got shape {arr.shape}.")
    return arr


def _names(answer) -> list[str]:
    if isinstance(answer, str):
        return [answer.strip()]
    if isinstance(answer, (pd.Series, pd.DataFrame)) or not hasattr(answer, "__iter__"):
        raise WrongShape(f"Expected a list of names; got {_a(answer)}.")
    out = []
    for a in answer:
        if not isinstance(a, str):
            raise WrongShape(f"Expected names as text, like 'q3'; got {a!r}.")
        out.append(a.strip())
    return out


def normalise(kind: str, answer, expected):
    """The answer in the form of ``expected`` (or :class:`WrongShape` saying what was expected)."""
    if kind == "number":
        return _number(answer)
    if kind == "integer":
        x = _number(answer, "a whole number")
        if not x.is_integer():
            raise WrongShape("Expected a whole number; got a number with decimals.")
        return int(x)
    if kind == "vector":
        return _vector(answer, expected.index)
    if kind == "matrix":
        return _matrix(answer, expected.index, expected.columns)
    if kind == "choice":
        if not isinstance(answer, str):
            raise WrongShape(f"Expected one of the options as text; got {_a(answer)}.")
        return answer.strip().casefold()
    if kind == "items":
        return frozenset(_names(answer))
    if kind == "groups":
        if isinstance(answer, dict):
            answer = list(answer.values())
        if isinstance(answer, str) or not hasattr(answer, "__iter__"):
            raise WrongShape(f"Expected a list of groups, each a list of item names; got {_a(answer)}.")
        groups = [frozenset(_names(g)) for g in answer]
        return frozenset(g for g in groups if g)
    raise ValueError(f"unknown kind {kind!r}; one of {KINDS}")


def _slack(expected, tolerance: float) -> float:
    scale = float(np.max(np.abs(expected))) if np.size(expected) else 0.0
    return tolerance + 1e-12 * max(1.0, scale)


def matches(kind: str, answer, expected, tolerance: float = 0.0) -> bool:
    """Whether a normalised answer equals ``expected`` (numbers within ``tolerance``, absolute)."""
    if kind in ("number", "vector", "matrix"):
        a = np.asarray(answer, dtype=float)
        e = np.asarray(expected, dtype=float)
        if a.shape != e.shape or not np.all(np.isfinite(a)):
            return False
        return bool(np.all(np.abs(a - e) <= _slack(e, tolerance)))
    if kind == "integer":
        return int(answer) == int(expected)
    if kind == "choice":
        return answer == str(expected).casefold()
    if kind == "items":
        return answer == frozenset(expected)
    if kind == "groups":
        return answer == frozenset(frozenset(g) for g in expected)
    raise ValueError(f"unknown kind {kind!r}; one of {KINDS}")


def is_close(kind: str, answer, expected, tolerance: float) -> bool:
    """A number or table within 1% of the expected one, but not within the tolerance (rounded too early?)."""
    if kind not in ("number", "vector", "matrix"):
        return False
    a, e = np.asarray(answer, dtype=float), np.asarray(expected, dtype=float)
    if a.shape != e.shape or not np.all(np.isfinite(a)):
        return False
    return bool(np.all(np.abs(a - e) <= 0.01 * np.abs(e) + 10 * _slack(e, tolerance)))


def describe_tolerance(kind: str, tolerance: float) -> str:
    """The tolerance in words, as the notebook states it."""
    if kind in ("number", "vector", "matrix") and tolerance > 0:
        return f"within \u00b1{tolerance:g}"
    return "exact"


def has_nan(answer) -> bool:
    """Whether a normalised numeric answer holds NaN or infinity."""
    try:
        return not bool(np.all(np.isfinite(np.asarray(answer, dtype=float))))
    except (TypeError, ValueError):
        return False


