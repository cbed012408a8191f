"""The table of agreement statistics: each registers itself, :func:`~toolkit.agreement` loops over them.

A statistic of two paired score vectors becomes a column group of :func:`~toolkit.agreement` by one
decorator::

    @statistic("ccc", columns={"ccc": "estimate", "ccc_ci_low": "ci_low", "ccc_ci_high": "ci_high"})
    def concordance(x, y, *, ci=0.95) -> Estimate: ...

The function takes the two rating vectors (pairs complete, as floats) and any of the keyword options of
:func:`~toolkit.agreement` it names in its signature (``ci``, ``icc_type``, ``multiplier``); it returns a
result whose attributes ``columns`` maps to the table's columns. Columns appear in registration order.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from ..exceptions import InvalidParameterError

__all__ = ["statistic", "registered_statistics", "RegisteredStatistic"]


@dataclass(frozen=True)
class RegisteredStatistic:
    """One agreement statistic as :func:`~toolkit.agreement` calls it.

    Attributes
    ----------
    name : str
        The statistic's name (the key of the registry).
    func : callable
        ``func(x, y, **options)``: two paired float arrays in, a result out.
    columns : dict
        Column of the agreement table -> attribute of the function's result, in table order.
    options : tuple of str
        The keyword options of :func:`~toolkit.agreement` the function takes.

    Examples
    --------
    >>> from toolkit.dyadic.registry import registry
    >>> stat = registry()[0]
    >>> stat.name, stat.options
    ('r', ('ci',))
    >>> stat.row([1.0, 2, 3, 4, 5], [2.0, 1, 4, 3, 5], {"ci": 0.95})["r"]
    0.8
    """

    name: str
    func: Callable
    columns: dict
    options: tuple

    def row(self, x, y, options: Mapping) -> dict:
        """The statistic's columns for one subscale."""
        result = self.func(x, y, **{k: v for k, v in options.items() if k in self.options})
        return {col: getattr(result, attr) for col, attr in self.columns.items()}


_REGISTRY: dict[str, RegisteredStatistic] = {}


def statistic(name: str, *, columns: Mapping[str, str]):
    """Register a function of two paired rating vectors as an agreement statistic.

    Parameters
    ----------
    name : str
        A short name, unique in the registry.
    columns : mapping of str to str
        Each column the statistic adds to the agreement table, mapped to the attribute of the function's
        result that fills it (e.g. ``{"r": "estimate", "r_ci_low": "ci_low"}``).

    Returns
    -------
    callable
        A decorator that registers the function and returns it unchanged.

    Raises
    ------
    InvalidParameterError
        When the name is taken or a column is already filled by another statistic.

    See Also
    --------
    registered_statistics : The registry as a table.

    Examples
    --------
    >>> from toolkit.dyadic.registry import registered_statistics
    >>> registered_statistics().loc["ccc", "columns"]
    'ccc, ccc_ci_low, ccc_ci_high'
    """
    columns = dict(columns)

    def register(func):
        if name in _REGISTRY and _REGISTRY[name].func is not func:
            raise InvalidParameterError(f"an agreement statistic named {name!r} is already registered "
                                        f"({_REGISTRY[name].func.__qualname__}); choose another name.")
        taken = {c: s.name for s in _REGISTRY.values() if s.name != name for c in s.columns}
        clash = {c: taken[c] for c in columns if c in taken}
        if clash:
            raise InvalidParameterError(f"the columns {clash} of statistic {name!r} are filled by other "
                                        "statistics already; give them other names.")
        params = inspect.signature(func).parameters
        options = tuple(p for p in params if params[p].kind is inspect.Parameter.KEYWORD_ONLY)
        _REGISTRY[name] = RegisteredStatistic(name, func, columns, options)
        return func

    return register


def registered_statistics():
    """Every registered agreement statistic: its function, the columns it adds and the options it takes.

    Returns
    -------
    DataFrame
        Indexed by ``name``: ``function``, ``columns`` and ``options`` (comma-separated).

    Examples
    --------
    >>> from toolkit.dyadic.registry import registered_statistics
    >>> registered_statistics().index.tolist()
    ['r', 'icc', 'ccc', 'mean_diff', 'd_z', 'd_av', 'bland_altman']
    """
    import pandas as pd

    from . import statistics  # noqa: F401  (registers the shipped statistics)

    rows = [{"name": s.name, "function": s.func.__name__, "columns": ", ".join(s.columns),
             "options": ", ".join(s.options)} for s in _REGISTRY.values()]
    return pd.DataFrame(rows).set_index("name")


def registry() -> list[RegisteredStatistic]:
    """The registered statistics in registration order (used by :func:`~toolkit.agreement`)."""
    from . import statistics  # noqa: F401

    return list(_REGISTRY.values())
