"""An exercise for one student: their own data, what they are told, and checks that hint: :class:`Exercise`.

An exercise is declared once (:class:`ExerciseSpec`: how to build a data set from a random stream, and the
steps a student answers, each a :class:`Step`). :func:`toolkit.classroom.exercise` makes a student's copy from
their id: the same id always gives the same data set, on every machine; other ids give other data sets.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import pandas as pd

from .._results import escape
from .feedback import (Feedback, WrongShape, describe_tolerance, grading_mode, has_nan, is_close, is_empty, matches,
                       normalise)
from .randomness import StableRandom, derive_seed

__all__ = ["Step", "ExerciseSpec", "Built", "Exercise"]

_STREAM = "toolkit.classroom"


@dataclass(frozen=True)
class Step:
    """One question of an exercise.

    Attributes
    ----------
    name : str
        What the student passes to ``ex.check(name, answer)``.
    asks : str
        What the answer is, in words (shown in ``ex.steps``).
    kind : str
        ``number``, ``integer``, ``vector`` (one value per row or item), ``matrix``, ``choice`` (one of
        ``options``), ``items`` (a set of names) or ``groups`` (a partition of names).
    expected : callable
        ``expected(ex)``: the right answer, computed from the student's own data.
    hint : str
        Names the concept or step to look at again; never the answer.
    tolerance : float
        Absolute tolerance for numbers (0: exact).
    mistakes : callable, optional
        ``mistakes(ex)``: pairs (what a typical mistake gives, the hint that names that mistake).
    options : tuple of str or callable, optional
        The allowed answers of ``choice``, ``items`` and ``groups`` steps (or ``options(ex)``).
    """

    name: str
    asks: str
    kind: str
    expected: Callable[[Exercise], Any]
    hint: str
    tolerance: float = 0.0
    mistakes: Callable[[Exercise], Iterable[tuple[Any, str]]] | None = None
    options: tuple | Callable | None = None


@dataclass
class Built:
    """What an exercise's builder returns: the data set, what the student is told, the true parameters."""

    data: pd.DataFrame
    given: dict
    truth: dict = field(default_factory=dict)


@dataclass(frozen=True)
class ExerciseSpec:
    """The declaration of an exercise: its name, notebook, data builder and steps."""

    name: str
    title: str
    notebook: str
    summary: str
    build: Callable[[StableRandom], Built]
    steps: tuple[Step, ...]

    def step(self, name: str) -> Step:
        for s in self.steps:
            if s.name == name:
                return s
        from .._checks import check_choice

        check_choice(name, [s.name for s in self.steps], param="step", caller=f"{self.name}.check")
        raise AssertionError("unreachable")  # pragma: no cover


class Exercise:
    """One student's copy of an exercise: their data set, what they are told, and the checks.

    Made by :func:`toolkit.classroom.exercise`; the same student id (and course) always gives the same data.

    Parameters
    ----------
    spec : ExerciseSpec
        The exercise's declaration (from ``toolkit.classroom.registry.EXERCISES``).
    student_id : str or int
        The student's number or id.
    course : str, optional
        A label of the course or year.

    Attributes
    ----------
    name : str
        The exercise's name (see :func:`toolkit.classroom.list_exercises`).
    title : str
        Its title.
    student_id : str
        The id as given (the data set is seeded from it with spaces removed and letters case-folded).
    course : str
        Optional course label: the same student gets other data sets in another course.
    data : DataFrame
        The student's data set (their own copy: changing it does not change what the checks expect).
    given : mapping
        What the student is told (item names, the response scale, reverse-keyed items, targets, ...).
    seed : int
        A seed of the student's own, for simulations they run themselves (e.g. ``simulate_scale``).
    truth : dict
        The true parameters the data were drawn with. For teachers: reading it spoils some answers.

    See Also
    --------
    toolkit.classroom.exercise : Makes one.
    toolkit.classroom.Feedback : What ``check`` returns.

    Examples
    --------
    >>> from toolkit import classroom
    >>> ex = classroom.exercise("reverse_scoring", "123456")
    >>> ex.data.shape[0], ex.given["response_scale"][0]
    (40, 1)
    >>> ex.check("total", None).passed
    False
    """

    def __init__(self, spec: ExerciseSpec, student_id, *, course: str = ""):
        from .randomness import normalise_id

        key = normalise_id(student_id, caller="exercise")
        if not isinstance(course, str):
            from ..exceptions import InvalidParameterError

            raise InvalidParameterError(f"The 'course' parameter of exercise() must be text, such as 'PSY301-2026'; "
                                        f"got {course!r}.")
        self._spec = spec
        self.name, self.title = spec.name, spec.title
        self.student_id = student_id if isinstance(student_id, str) else str(student_id)
        self.course = course
        built = spec.build(StableRandom(_STREAM, spec.name, course.strip().casefold(), key))
        self._frame = built.data
        self.data = built.data.copy()
        self.given = MappingProxyType(dict(built.given))
        self.truth = built.truth
        self.seed = derive_seed(_STREAM, "seed", spec.name, course.strip().casefold(), key)
        self._cache: dict[str, Any] = {}

    # -- what the checks compute from ---------------------------------------------------------------
    @property
    def original(self) -> pd.DataFrame:
        """A fresh copy of the data set as it was made (whatever was done to ``data``).

        The checks compute what they expect from it, so a student who changes ``ex.data`` in place (reversing
        items, dropping a column) does not change the expected answers.

        See Also
        --------
        toolkit.classroom.student_data : The same copy, without making an exercise.

        Examples
        --------
        >>> from toolkit import classroom
        >>> ex = classroom.exercise("icc_vs_r", "1")
        >>> ex.data["rater_a"] = 0
        >>> bool(ex.original["rater_a"].eq(0).any())
        False
        """
        return self._frame.copy()

    def _expected(self, step: Step):
        return self._memo(("expected", step.name), lambda: step.expected(self))

    def _memo(self, key, compute: Callable[[], Any]):
        """``compute()`` once per exercise object (what the checks need is computed once, from ``original``).

        The toolkit's warnings inside it are the check's business, not the student's: they are not shown.
        """
        if key not in self._cache:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                self._cache[key] = compute()
        return self._cache[key]

    def _options(self, step: Step):
        if step.options is None:
            return None
        return tuple(step.options(self) if callable(step.options) else step.options)

    # -- the student's side ---------------------------------------------------------------------------
    @property
    def steps(self) -> pd.DataFrame:
        """The steps: what each asks for and how close an answer must be.

        One row per step, in the order of the notebook, with ``asks`` (what the answer is, and the options of
        a multiple-choice step) and ``tolerance`` ("exact" or "within ±1e-06", absolute).

        See Also
        --------
        check : Checks an answer to one step.

        Examples
        --------
        >>> from toolkit import classroom
        >>> classroom.exercise("alpha_by_hand", "1").steps.loc["alpha", "tolerance"]
        'within ±1e-06'
        """
        rows = []
        for s in self._spec.steps:
            options = self._options(s)
            asks = s.asks + (f" One of: {', '.join(map(str, options))}." if s.kind == "choice" and options else "")
            rows.append({"step": s.name, "asks": asks, "tolerance": describe_tolerance(s.kind, s.tolerance)})
        return pd.DataFrame(rows).set_index("step")

    def check(self, step: str, answer) -> Feedback:
        """Say whether ``answer`` to ``step`` is right, with a hint when it is not (never the answer).

        The expected value is computed from the student's own data (``original``) and compared within the
        step's tolerance. A wrong answer gets a hint naming the concept or step; when it is what a typical
        mistake gives, the hint names that mistake. An empty answer (``None``, ``...``) is "not yet".

        Parameters
        ----------
        step : str
            One of the exercise's steps (``ex.steps``).
        answer : object
            The student's answer: a number, a list or Series, a table, a word, a list of names.

        Returns
        -------
        Feedback
            Right or "not yet", with a hint; true when right. Under nbgrader's autograder a wrong answer
            raises ``AssertionError`` with the same text instead.

        See Also
        --------
        steps : What each step asks for.

        Examples
        --------
        >>> from toolkit import classroom
        >>> ex = classroom.exercise("icc_vs_r", "1")
        >>> ex.check("r", ...).message
        'No answer yet.'
        >>> ex.check("r", ex.data["rater_a"].corr(ex.data["rater_b"])).passed
        True
        """
        s = self._spec.step(step)
        tol = describe_tolerance(s.kind, s.tolerance)
        fb = self._judge(s, answer, tol)
        if grading_mode() and not fb.passed:
            raise AssertionError(fb.text)
        return fb

    def _judge(self, s: Step, answer, tol: str) -> Feedback:
        def say(passed: bool, message: str = "", hint: str = "") -> Feedback:
            return Feedback(self.name, s.name, self.student_id, passed, message, hint if not passed else "", tol)

        if is_empty(answer):
            return say(False, "No answer yet.", s.hint)
        expected = self._expected(s)
        options = self._options(s)
        try:
            got = normalise(s.kind, answer, expected)
        except WrongShape as err:
            return say(False, str(err), s.hint)
        if s.kind in ("number", "vector", "matrix") and has_nan(got):
            return say(False, "Your answer holds NaN (not a number) or infinity: a missing or undefined value "
                              "got into the computation.", s.hint)
        if options is not None:
            allowed = {str(o).casefold() for o in options}
            names = {got} if s.kind == "choice" else (set(got) if s.kind == "items" else set().union(*got) if got
                                                        else set())
            unknown = {str(n).casefold() for n in names} - allowed
            if unknown:
                what = "one of the options" if s.kind == "choice" else "names from the list"
                listed = ", ".join(map(str, options))
                return say(False, f"Expected {what} ({listed}); your answer has something else.", s.hint)
            if s.kind == "choice":
                pass
            elif s.kind == "items":
                got = frozenset(str(n).casefold() for n in got)
                expected = frozenset(str(n).casefold() for n in expected)
            else:
                got = frozenset(frozenset(str(n).casefold() for n in g) for g in got)
                expected = [{str(n).casefold() for n in g} for g in expected]
        if matches(s.kind, got, expected, s.tolerance):
            return say(True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            mistakes = list(s.mistakes(self)) if s.mistakes else []
        for value, hint in mistakes:
            try:
                wrong = normalise(s.kind, value, expected)
            except WrongShape:  # pragma: no cover - a mistake of the wrong shape is the spec's error
                continue
            if matches(s.kind, got, wrong, s.tolerance):
                return say(False, "Not the value asked for.", hint)
        if is_close(s.kind, got, expected, s.tolerance):
            return say(False, f"Close, but not {tol}: keep full precision (do not round), and check the last "
                              "step.", s.hint)
        return say(False, "Not the value asked for.", s.hint)

    # -- display --------------------------------------------------------------------------------------
    def _given_lines(self) -> list[tuple[str, str]]:
        out = []
        for k, v in self.given.items():
            if isinstance(v, dict):  # e.g. a scoring key: subscale -> items
                v = "; ".join(f"{name}: " + (", ".join(map(str, x)) if isinstance(x, (list, tuple)) else str(x))
                              for name, x in v.items())
            elif isinstance(v, (list, tuple)):
                v = ", ".join(map(str, v)) if k != "response_scale" else f"{v[0]} to {v[1]}"
            out.append((k, str(v)))
        return out

    def __repr__(self) -> str:
        lines = [f"{self.title} ({self.name}), student {self.student_id}"
                 + (f", course {self.course}" if self.course else ""),
                 f"data: {self.data.shape[0]} rows x {self.data.shape[1]} columns"]
        lines += [f"{k}: {v}" for k, v in self._given_lines()]
        lines += ["steps:"] + [f"  {name}: {row.asks} ({row.tolerance})" for name, row in self.steps.iterrows()]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        who = f"student {escape(self.student_id)}" + (f", course {escape(self.course)}" if self.course else "")
        left = ' style="text-align:left;vertical-align:top"'
        given = "".join(f"<tr><th{left}>{escape(k)}</th><td{left}>{escape(v)}</td></tr>"
                        for k, v in self._given_lines())
        steps = "".join(f"<tr><td{left}><code>{escape(name)}</code></td><td{left}>{escape(row.asks)}</td>"
                        f'<td style="text-align:left;white-space:nowrap">{escape(row.tolerance)}</td></tr>'
                        for name, row in self.steps.iterrows())
        return (f'<div class="alliance-exercise"><h4>{escape(self.title)} <small>({escape(self.name)}, {who})'
                f"</small></h4><p>Your data set: {self.data.shape[0]} rows \u00d7 {self.data.shape[1]} columns "
                f"(<code>ex.data</code>).</p><table class=\"alliance-values\">{given}</table>"
                f"<p><b>Steps</b> (<code>ex.check(step, answer)</code>):</p>"
                f'<table class="alliance-steps"><tr><th{left}>step</th><th{left}>asks for</th>'
                f"<th{left}>tolerance</th></tr>{steps}</table></div>")
