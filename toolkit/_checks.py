"""One vocabulary, checked in one place.

Every public function checks its arguments with these helpers, at its boundary and nowhere else, so that a
word means one thing across the toolkit and a message always names the caller's own parameter:

========================  ===============================================================================
``ci``                    a confidence level in (0, 1), e.g. 0.95 (never "alpha = 1 - level")
``method``                an algorithm (``"minres"``, ``"ml"``, ``"REML"``, ...)
``metric``                the score metric: ``"sum"``, ``"mean"`` or ``"pomp"`` (percent of maximum possible)
``response_scale``        the response scale: a ``(min, max)`` pair or an instrument's ``ResponseScale``
``form``                  which form of an instrument (client, therapist, observer, ...)
``keys``                  psych-style keys ``{subscale: ["item", "-reversed_item", ...]}``
``n_boot``, ``n_iter``    whole numbers of resamples / iterations
``seed``                  an int, ``None`` or a ``numpy.random.Generator``
========================  ===============================================================================

Messages follow scikit-learn's pattern, built from the parameter's name so that they cannot name the wrong
one: "The 'ci' parameter of reliability() must be a confidence level between 0 and 1, such as 0.95; got 95."

Every statistic over items takes ``(data, instrument=None, *, keys=None, form=None, ...)``:
:func:`instrument_or_keys` turns the second positional argument into one of the two and says what to do
when a keys mapping or list arrives where the instrument is expected.

Old spellings keep working for one release through :func:`renamed_parameter`, which warns with a
``DeprecationWarning`` naming the new one.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import inspect
import numbers
import os
import sys
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence

from .exceptions import DataValidationError, InvalidParameterError

__all__ = [
    "METRICS",
    "MISSING",
    "check_ci",
    "check_count",
    "check_number",
    "check_choice",
    "check_metric",
    "check_missing",
    "check_seed",
    "check_response_scale",
    "check_bool",
    "instrument_or_keys",
    "numeric_frame",
    "renamed_parameter",
    "warn",
    "collected_warnings",
]

METRICS = ("sum", "mean", "pomp")
MISSING = ("pairwise", "listwise")

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))


def _where(caller: str | None) -> str:
    return f" of {caller}()" if caller else ""


def _got(value) -> str:
    return f"got {value!r}" + ("" if value is None or isinstance(value, (str, bool, int, float)) else
                               f" (a {type(value).__name__})")


def check_ci(ci, *, param: str = "ci", caller: str | None = None) -> float:
    """A confidence level strictly between 0 and 1; returned as a float."""
    if isinstance(ci, bool) or not isinstance(ci, numbers.Real) or not 0 < float(ci) < 1:
        hint = ""
        if isinstance(ci, numbers.Real) and not isinstance(ci, bool) and 1 < float(ci) < 100:
            hint = f" (for {ci}% pass {float(ci) / 100:g})"
        raise InvalidParameterError(
            f"The {param!r} parameter{_where(caller)} must be a confidence level between 0 and 1, such as 0.95"
            f"{hint}; {_got(ci)}.")
    return float(ci)


def check_count(value, *, param: str, caller: str | None = None, minimum: int = 0, what: str = "") -> int:
    """A whole number >= ``minimum`` (bools refused); returned as an int."""
    import numpy as np

    ok = not isinstance(value, bool) and isinstance(value, (numbers.Integral, np.integer))
    if not ok and isinstance(value, float) and value.is_integer():
        ok = True
    if not ok or int(value) < minimum:
        what = f" ({what})" if what else ""
        raise InvalidParameterError(
            f"The {param!r} parameter{_where(caller)} must be a whole number >= {minimum}{what}; {_got(value)}.")
    return int(value)


def check_number(value, *, param: str, caller: str | None = None, low=None, high=None,
                 low_open: bool = False, high_open: bool = False, what: str = "") -> float:
    """A finite real number within the given bounds; returned as a float."""
    import math

    ok = not isinstance(value, bool) and isinstance(value, numbers.Real) and math.isfinite(float(value))
    if ok and low is not None:
        ok = float(value) > low if low_open else float(value) >= low
    if ok and high is not None:
        ok = float(value) < high if high_open else float(value) <= high
    if not ok:
        bounds = []
        if low is not None:
            bounds.append(f"{'>' if low_open else '>='} {low}")
        if high is not None:
            bounds.append(f"{'<' if high_open else '<='} {high}")
        rng = f" {' and '.join(bounds)}" if bounds else ""
        what = f" ({what})" if what else ""
        raise InvalidParameterError(
            f"The {param!r} parameter{_where(caller)} must be a finite number{rng}{what}; {_got(value)}.")
    return float(value)


def check_choice(value, choices: Iterable, *, param: str, caller: str | None = None, hint: str = "",
                 case: bool = True):
    """One of ``choices``; with ``case=False`` strings match ignoring case and the canonical spelling is
    returned."""
    choices = tuple(choices)
    if not case and isinstance(value, str):
        for c in choices:
            if isinstance(c, str) and c.lower() == value.lower():
                return c
    if isinstance(value, (str, numbers.Number, type(None))) and value in choices:
        return value
    listed = ", ".join(repr(c) for c in choices)
    raise InvalidParameterError(
        f"The {param!r} parameter{_where(caller)} must be one of {listed}; {_got(value)}."
        + (f" {hint}" if hint else ""))


def check_metric(metric, *, param: str = "metric", caller: str | None = None, allow_none: bool = True):
    """``"sum"``, ``"mean"`` or ``"pomp"`` (``None`` when allowed: the instrument's own)."""
    if metric is None and allow_none:
        return None
    return check_choice(metric, METRICS, param=param, caller=caller, case=False,
                        hint="'sum' adds the item scores, 'mean' averages them, 'pomp' is the percent of the "
                             "maximum possible score (0-100).")


def check_missing(missing, *, param: str = "missing", caller: str | None = None) -> str:
    """``"pairwise"`` or ``"listwise"``."""
    return check_choice(missing, MISSING, param=param, caller=caller,
                        hint="'pairwise' (psych's default) uses every row answering both items of a pair; "
                             "'listwise' keeps only rows that answered every item.")


def check_bool(value, *, param: str, caller: str | None = None) -> bool:
    """A real boolean (``True``/``False``; numpy booleans accepted), never a string such as 'yes'."""
    import numpy as np

    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    raise InvalidParameterError(f"The {param!r} parameter{_where(caller)} must be True or False; {_got(value)}.")


def check_response_scale(value, *, param: str = "response_scale", caller: str | None = None):
    """``None`` or a response scale: a ``(min, max)`` pair, a mapping with ``min`` and ``max`` or an
    instrument's ``ResponseScale``; returned as a ``(min, max)`` pair of floats (``None`` unchanged)."""
    import math

    import numpy as np

    if value is None:
        return None
    if isinstance(value, Mapping):
        pair = (value.get("min"), value.get("max"))
    elif hasattr(value, "min") and hasattr(value, "max") and not isinstance(value, (str, bytes)) and \
            not callable(value.min):
        pair = (value.min, value.max)
    elif isinstance(value, (Sequence, np.ndarray)) and not isinstance(value, (str, bytes)) and len(value) == 2:
        pair = tuple(value)
    else:
        pair = None
    ok = pair is not None and all(not isinstance(v, bool) and isinstance(v, numbers.Real) and
                                  math.isfinite(float(v)) for v in pair) and float(pair[0]) < float(pair[1])
    if not ok:
        raise InvalidParameterError(
            f"The {param!r} parameter{_where(caller)} must be the response scale as a (min, max) pair of numbers "
            f"with min < max, such as (1, 7), or an instrument's ResponseScale; {_got(value)}.")
    return float(pair[0]), float(pair[1])


def check_seed(seed, *, param: str = "seed", caller: str | None = None):
    """``None``, a whole number >= 0, or a ``numpy.random.Generator``; returned unchanged."""
    import numpy as np

    if seed is None or isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, (numbers.Integral, np.integer)) and not isinstance(seed, bool) and seed >= 0:
        return seed
    raise InvalidParameterError(
        f"The {param!r} parameter{_where(caller)} must be None, a whole number >= 0 or a "
        f"numpy.random.Generator; {_got(seed)}.")


def instrument_or_keys(instrument, keys, *, caller: str):
    """Sort out the second positional argument of a statistic over items.

    Returns ``(instrument, keys)``. A string or an ``Instrument`` is an instrument; a mapping or a list of
    item names passed where the instrument goes is taken as ``keys`` with a ``DeprecationWarning`` (that
    was the old signature of :func:`cronbach_alpha` and :func:`split_half`). Both at once is an error.
    """
    if instrument is not None and not isinstance(instrument, (str, os.PathLike)) and \
            not type(instrument).__name__ == "Instrument":
        if isinstance(instrument, (Mapping, Sequence)):
            if keys is not None:
                raise InvalidParameterError(
                    f"{caller}() got keys twice: as its second argument and as keys=. Pass keys= only.")
            warn(f"{caller}(data, keys) with keys as the second argument is deprecated: the second argument "
                 f"is the instrument. Write {caller}(data, keys=...). This spelling goes in version 0.3.",
                 DeprecationWarning)
            return None, instrument
        raise InvalidParameterError(
            f"The 'instrument' parameter of {caller}() must be an instrument id such as 'wai-sr', a path to a "
            f"definition file or an Instrument; {_got(instrument)}. For your own item columns pass "
            f"keys={{'scale': ['item1', '-item2', ...]}} instead.")
    if instrument is not None and keys is not None:
        raise InvalidParameterError(
            f"{caller}() takes either an instrument or keys=, not both: the instrument's own key decides which "
            "items belong to which subscale and which are reversed.")
    if isinstance(keys, str):
        raise InvalidParameterError(
            f"The 'keys' parameter of {caller}() must be a mapping {{scale: [items]}} or a list of item "
            f"columns; got the string {keys!r}. If {keys!r} is an instrument, pass it as the second argument: "
            f"{caller}(data, {keys!r}).")
    return instrument, keys


def numeric_frame(frame, *, param: str = "data", caller: str | None = None, fix: str | None = None,
                  allow_inf: bool = False):
    """Float copy of a DataFrame; every cell that is not a number (or is infinite) named at once.

    The one converter of the toolkit: raises :class:`~toolkit.exceptions.DataValidationError` whose
    ``report`` has one row per bad cell (``row`` = the index label, ``column``, ``value``, ``reason``) and
    whose message lists the first ten. Missing values (NaN, None, pandas NA) stay missing. The caller's
    frame is never modified.
    """
    import numpy as np
    import pandas as pd

    dtypes = list(frame.dtypes)
    if all(isinstance(t, np.dtype) and t.kind in "iuf" for t in dtypes):  # numpy numbers (the usual case)
        arr = frame.to_numpy(dtype=float, copy=True)  # one copy, no per-column work
    elif all(pd.api.types.is_numeric_dtype(t) and not pd.api.types.is_bool_dtype(t) for t in dtypes):
        arr = frame.to_numpy(dtype=float, na_value=np.nan, copy=True)  # nullable numbers: <NA> becomes NaN
    else:
        arr = None
    if arr is not None and (allow_inf or not np.isinf(arr).any()):
        return pd.DataFrame(arr, index=frame.index, columns=frame.columns, copy=False)
    values = {}
    bad_rows, bad_cols, bad_vals, reasons = [], [], [], []
    for j, col in enumerate(frame.columns):
        s = frame.iloc[:, j]
        if pd.api.types.is_bool_dtype(s) or not pd.api.types.is_numeric_dtype(s):
            conv = pd.to_numeric(s.astype(object).where(s.notna(), np.nan), errors="coerce")
            mask = (conv.isna() & s.notna()).to_numpy()
            if pd.api.types.is_bool_dtype(s):
                mask = s.notna().to_numpy()
            for i in np.flatnonzero(mask):
                bad_rows.append(_plain(frame.index[i]))
                bad_cols.append(col)
                bad_vals.append(_plain(s.iloc[i]))
                reasons.append("not a number")
            arr = conv.to_numpy(dtype=float, na_value=np.nan)
        else:
            arr = s.to_numpy(dtype=float, na_value=np.nan)
        if not allow_inf:
            for i in np.flatnonzero(np.isinf(arr)):
                bad_rows.append(_plain(frame.index[i]))
                bad_cols.append(col)
                bad_vals.append(float(arr[i]))
                reasons.append("infinite")
        values[j] = arr
    if bad_rows:
        report = pd.DataFrame({"row": bad_rows, "column": bad_cols, "value": bad_vals, "reason": reasons})
        listing = "; ".join(f"row {r!r}, column {c!r}: {v!r} ({why})"
                            for r, c, v, why in zip(bad_rows[:10], bad_cols[:10], bad_vals[:10], reasons[:10]))
        more = f" (and {len(bad_rows) - 10} more; all in err.report)" if len(bad_rows) > 10 else ""
        fix = fix or "Recode them as numbers, or blank them to mark a missing answer."
        raise DataValidationError(
            f"The {param!r} argument{_where(caller)} has {len(bad_rows)} cell(s) that are not usable numbers: "
            f"{listing}{more}. {fix}", report=report)
    out = pd.DataFrame(np.column_stack([values[j] for j in range(frame.shape[1])]) if frame.shape[1] else
                       np.empty((len(frame), 0)), index=frame.index, columns=frame.columns)
    return out


def _plain(value):
    """A numpy scalar as the Python value it holds, so that messages read ``True`` and ``3``, not ``np.True_``."""
    import numpy as np

    return value.item() if isinstance(value, np.generic) else value


def renamed_parameter(old: str, new: str, *, version: str = "0.3", transform: Callable | None = None):
    """Decorator: accept the keyword ``old`` for one release, as ``new``, with a ``DeprecationWarning``.

    ``transform`` converts the old value to the new meaning (e.g. ``alpha=0.1`` -> ``ci=0.9``). Passing
    both is a ``TypeError`` naming both.
    """

    def decorate(func):
        name = func.__qualname__.replace(".__init__", "")

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            if old in kwargs:
                if new in kwargs:
                    raise TypeError(f"{name}() got both {old!r} (deprecated) and {new!r}; pass {new!r} only.")
                value = kwargs.pop(old)
                converted = transform(value) if transform else value
                shown = f"{new}={converted!r}" if transform else f"{new}="
                warn(f"{name}(): the parameter {old!r} is deprecated and goes in version {version}; use "
                     f"{shown} instead" + (f" ({old}={value!r} means {new}={converted!r})" if transform else "")
                     + ".", DeprecationWarning)
                kwargs[new] = converted
            return func(*args, **kwargs)

        wrapper.__signature__ = inspect.signature(func)
        return wrapper

    return decorate


#: where warn() puts warnings inside collected_warnings() (per thread and task: a context variable)
_COLLECTED: contextvars.ContextVar = contextvars.ContextVar("toolkit_collected_warnings", default=None)


@contextlib.contextmanager
def collected_warnings():
    """Collect the warnings :func:`warn` issues in this thread (or task) as ``(category, message)`` pairs instead
    of issuing them.

    For work that runs on many threads at once (Dask tasks): ``warnings.catch_warnings`` changes the filters of
    the whole process and is not safe there, while this only touches a context variable. The caller issues what
    was collected, once, where the user sees it (every such warning is also in the result's notes).

    >>> with collected_warnings() as got:
    ...     warn("a series is too short", UserWarning)
    >>> got
    [(<class 'UserWarning'>, 'a series is too short')]
    """
    token = _COLLECTED.set([])
    try:
        yield _COLLECTED.get()
    finally:
        _COLLECTED.reset(token)


def warn(message: str, category: type[Warning] = UserWarning) -> None:
    """``warnings.warn`` pointing at the first frame outside the toolkit (the user's own line).

    Hand-counted ``stacklevel`` values go wrong as soon as a call path changes; this finds the level. Inside
    :func:`collected_warnings` the warning is collected instead.
    """
    sink = _COLLECTED.get()
    if sink is not None:
        sink.append((category, message))
        return
    frame = sys._getframe(1)
    level = 2  # 1 would be this function itself
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(_PACKAGE_DIR + os.sep):
        frame = frame.f_back
        level += 1
    warnings.warn(message, category, stacklevel=level)
