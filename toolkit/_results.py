"""One result contract for every analysis.

Every analysis returns a :class:`Result` (or, for fitted models, an estimator whose ``summary()``,
``to_frame()`` and HTML come from one; see :mod:`toolkit._estimator`). A result is a dataclass whose fields
are declared and documented one by one in the subclass's docstring (``Attributes`` section), plus:

``title``
    One line saying what was computed on what ("Reliability (instrument wai-sr)").
``notes``
    What a reader must know to interpret the numbers: missing-data handling, which R function is mirrored
    and where our default differs from R's, what was left out and why. Every warning the analysis raised
    is also a note.
``summary()``
    The main table (a copy; numbers never rounded).
``to_frame()``
    One tidy DataFrame of the result, for export (default: the main table).
``tables``
    Every table-valued field, by name (main table first).
``__repr__`` / ``_repr_html_``
    The tables rounded to ``digits`` *for display only*, then the notes; in HTML every string (titles, item
    and column names, ids, labels, notes) is escaped, so nothing user-supplied executes in a notebook.

A table that costs more to build than the statistics behind it, and that most callers never read, may be handed
to its field as a :class:`Deferred` (declared with :func:`deferred_table`): it is built on first read and kept.

A plain DataFrame is returned only where the table is the whole answer, and then never with ``.attrs``
metadata. A trailing underscore marks attributes of fitted estimators only, never result fields.

Old spellings are served for one release, with a ``DeprecationWarning`` naming the new one: a subclass maps
old attribute names to its fields in ``_renamed`` (``{"omega_h_": "omega_h"}``), and a function that used to
return its main table itself names itself in ``_was_table`` (``"kmo()"``), so that the table's own
attributes and indexing (``kmo(x).loc[...]``) keep working on the result.
"""

from __future__ import annotations

import dataclasses
import functools
import html
import math
import numbers
from dataclasses import dataclass, field
from typing import ClassVar

__all__ = ["Result", "Estimate", "FormerDict", "FormerFrame", "Deferred", "deferred_table", "html_table", "html_notes",
           "escape", "column_labels"]


def escape(text) -> str:
    """HTML-escape any value's text (quotes too)."""
    return html.escape(str(text), quote=True)


def html_table(frame, *, digits: int = 3, caption: str | None = None) -> str:
    """A DataFrame (or Series) as escaped HTML, numbers rounded for display only."""
    import pandas as pd

    if isinstance(frame, pd.Series):
        frame = frame.to_frame()
    shown = frame.round(digits) if digits is not None else frame
    out = shown.to_html(na_rep="\u2013", escape=True, border=0, classes="alliance-result")
    if caption:
        out = f"<p><b>{escape(caption)}</b></p>\n" + out
    return out


def html_notes(notes) -> str:
    """Notes as an escaped HTML list ("" when there are none)."""
    if not notes:
        return ""
    return "<ul>" + "".join(f"<li>{escape(n)}</li>" for n in notes) + "</ul>"


def _deprecated(message: str) -> None:
    from ._checks import warn

    warn(message, DeprecationWarning)


def _is_table(value) -> bool:
    import pandas as pd

    return isinstance(value, (pd.DataFrame, pd.Series))


class Deferred:
    """A table built when it is first read: ``func(*args)``, called once.

    An analysis hands one to a field declared with :func:`deferred_table` when building the table costs more
    than the statistics behind it and most callers never read it (psych::alpha's item tables on a call that
    wants alpha). ``func`` is a module-level function and ``args`` are the numbers it builds from, so a result
    pickles and copies with its tables unbuilt or built alike. The arguments must not change after the call
    that made them: they are the analysis's own arrays, never the caller's.
    """

    __slots__ = ("func", "args")

    def __init__(self, func, *args):
        self.func, self.args = func, args

    def __call__(self):
        return self.func(*self.args)


class deferred_table:
    """A result field that may be given as a :class:`Deferred` and is built on first read (then kept).

    Declare it as the field's default, ``item_stats: pd.DataFrame = deferred_table()``; the field stays
    required and reads as the built table, so ``tables``, ``summary()``, display, pickling and
    ``dataclasses.replace`` see a DataFrame as for any other field.
    """

    def __set_name__(self, owner, name):
        self.name = name

    def __get__(self, obj, owner=None):
        if obj is None:  # class access: the dataclass then knows the field has no default
            raise AttributeError(self.name)
        try:
            value = obj.__dict__[self.name]
        except KeyError:
            raise AttributeError(self.name) from None
        if isinstance(value, Deferred):
            value = obj.__dict__[self.name] = value()
        return value

    def __set__(self, obj, value):
        obj.__dict__[self.name] = value


@dataclass(kw_only=True, repr=False, eq=False)
class Result:
    """Base of every result: declared fields, ``title``, ``notes``, ``summary()``, ``to_frame()``.

    Subclasses are dataclasses that declare their fields (tables as DataFrames, single numbers as floats)
    and set ``main`` to the name of the field :meth:`summary` returns.

    Attributes
    ----------
    title : str
        What was computed on what.
    notes : list of str
        What a reader must know to interpret the numbers (see the module docstring).
    """

    title: str = ""
    notes: list = field(default_factory=list)

    #: name of the field that summary() returns
    main: ClassVar[str] = "table"
    #: decimals shown by __repr__ and _repr_html_ (the numbers themselves are never rounded)
    digits: ClassVar[int] = 3
    #: old attribute names served for one release, old -> new (reading one warns, naming the new)
    _renamed: ClassVar[dict] = {}
    #: "kmo()" when the function used to return the main table itself: the table's attributes and
    #: indexing are served on the result for one release (with a DeprecationWarning)
    _was_table: ClassVar[str] = ""

    # -- the contract -------------------------------------------------------------------------------
    @property
    def tables(self) -> dict:
        """Every table-valued field by name, the main table first."""
        out = {}
        if _is_table(getattr(self, self.main, None)):
            out[self.main] = getattr(self, self.main)
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if f.name not in out and _is_table(value):
                out[f.name] = value
        return out

    @property
    def values(self) -> dict:
        """Every single-number or short-text field by name (shown under the tables)."""
        out = {}
        for f in dataclasses.fields(self):
            if f.name in ("title", "notes"):
                continue
            value = getattr(self, f.name)
            if isinstance(value, (numbers.Number, str)):
                out[f.name] = value
        return out

    def summary(self):
        """The main table (a copy; numbers unrounded)."""
        import pandas as pd

        value = getattr(self, self.main)
        if isinstance(value, pd.Series):
            return value.to_frame()
        return value.copy()

    def to_frame(self):
        """One tidy DataFrame of the result, for export (default: :meth:`summary`)."""
        return self.summary()

    # -- display --------------------------------------------------------------------------------------
    def _display_tables(self) -> dict:
        """Tables as shown (a hook: e.g. a wide table transposed); numbers still unrounded here."""
        return self.tables

    def _display_values(self) -> dict:
        return self.values

    def __repr__(self) -> str:
        lines = [self.title or type(self).__name__, ""]
        for name, df in self._display_tables().items():
            lines += [f"{name}:", df.round(self.digits).to_string(), ""]
        values = self._display_values()
        if values:
            lines += [f"{k}: {round(v, self.digits) if isinstance(v, float) else v}" for k, v in values.items()]
            lines.append("")
        lines += [f"note: {n}" for n in self.notes]
        return "\n".join(lines).rstrip() + "\n"

    def _repr_html_(self) -> str:
        parts = [f"<h4>{escape(self.title or type(self).__name__)}</h4>"]
        for name, df in self._display_tables().items():
            parts.append(html_table(df, digits=self.digits, caption=name))
        values = self._display_values()
        if values:
            rows = "".join(f"<tr><th>{escape(k)}</th><td>{escape(round(v, self.digits) if isinstance(v, float) else v)}"
                           "</td></tr>" for k, v in values.items())
            parts.append(f"<table class=\"alliance-values\">{rows}</table>")
        parts.append(html_notes(self.notes))
        return "\n".join(p for p in parts if p)

    # -- old spellings, for one release ---------------------------------------------------------------
    def __getattr__(self, name):
        # only reached when normal lookup fails (never for declared fields, properties or methods)
        cls = type(self)
        if name.startswith("__") or name in ("_renamed", "_was_table", "main"):
            raise AttributeError(name)
        new = cls._renamed.get(name)
        if new is not None:
            _deprecated(f"{cls.__name__}.{name} is deprecated and goes in version 0.3; use .{new} (result fields "
                        f"carry no trailing underscore, which marks fitted estimators).")
            return getattr(self, new)
        if cls._was_table and not name.startswith("_"):
            table = self._former_table()
            if hasattr(table, name):
                _deprecated(f"{cls._was_table} returns a {cls.__name__} result now, not its table; "
                            f".{name} on it is deprecated and goes in version 0.3: use .{cls.main}.{name}.")
                return getattr(table, name)
        raise AttributeError(f"{cls.__name__!r} object has no attribute {name!r}")

    def __getitem__(self, key):
        cls = type(self)
        if not cls._was_table:
            raise TypeError(f"{cls.__name__!r} object is not subscriptable; its fields are attributes "
                            f"({', '.join(f.name for f in dataclasses.fields(self))}).")
        _deprecated(f"{cls._was_table} returns a {cls.__name__} result now, not its table; indexing it is "
                    f"deprecated and goes in version 0.3: use .{cls.main}[...].")
        return self._former_table()[key]

    def _former_table(self):
        try:
            return object.__getattribute__(self, type(self).main)
        except AttributeError:  # pragma: no cover - half-built object (e.g. during unpickling)
            return None

    def __getstate__(self):
        # pickled and copied with every deferred table built: a pickle never depends on a function's home
        return {k: v() if isinstance(v, Deferred) else v for k, v in self.__dict__.items()}

    # -- small conveniences ---------------------------------------------------------------------------
    def add_note(self, note: str) -> None:
        """Append a note once (notes are de-duplicated, order kept)."""
        if note not in self.notes:
            self.notes.append(note)


class FormerDict:
    """Mixin for a result that until 0.2 was returned as a dict: ``result[key]`` still reads the old keys
    for one release, with a ``DeprecationWarning`` naming the attribute to use."""

    #: old dict key -> field name
    _former_keys: ClassVar[dict] = {}
    #: the function that returns this result, named in the deprecation message
    _returned_by: ClassVar[str] = ""

    def __getitem__(self, key):
        if key in self._former_keys:
            from ._checks import warn

            new = self._former_keys[key]
            caller = self._returned_by or type(self).__name__
            warn(f"{caller}(...)[{key!r}] is deprecated: {caller}() returns a {type(self).__name__} now, not a "
                 f"dict; write .{new} instead. The dict spelling goes in version 0.3.", DeprecationWarning)
            return getattr(self, new)
        raise KeyError(f"{type(self).__name__} has no entry {key!r}; read its numbers as attributes "
                       f"({', '.join(self._former_keys.values())}).")


@dataclass(kw_only=True, repr=False, eq=False)
class Estimate(FormerDict, Result):
    """One statistic with its uncertainty: the result of a single estimate (a correlation, a kappa, a mean
    difference, a model parameter).

    Subclasses add the statistic's own numbers as further fields (a test statistic and its df, a bias
    correction factor, ...); :meth:`summary` shows every number field in one row.

    Attributes
    ----------
    statistic : str
        What is estimated (``"r"``, ``"kappa"``, ``"ICC2"``); the row label of :meth:`summary`.
    estimate : float
        The estimate (NaN when the statistic is undefined for the data; the notes say why).
    se : float or None
        Its standard error; ``None`` where the method gives none (e.g. an interval that is not estimate
        -/+ z se).
    ci_low, ci_high : float or None
        Limits of the ``ci`` confidence interval (``None`` where the method gives no interval).
    ci : float
        The confidence level of the interval (0.95).
    n : int
        Observations used (pairs with a missing value left out).
    p : float or None
        Two-sided p value of the statistic's usual test; ``None`` where no test is reported.
    """

    statistic: str = ""
    estimate: float = math.nan
    se: float | None = None
    ci_low: float | None = math.nan
    ci_high: float | None = math.nan
    ci: float = 0.95
    n: int = 0
    p: float | None = None

    main: ClassVar[str] = "estimate"

    def _number_fields(self) -> dict:
        out = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if f.name in ("ci",) or value is None or isinstance(value, (str, bool)):
                continue
            if isinstance(value, numbers.Number):
                out[f.name] = value
        return out

    def summary(self):
        """One row (labelled by ``statistic``): every number of the result that applies, unrounded."""
        import pandas as pd

        return pd.DataFrame([self._number_fields()], index=pd.Index([self.statistic], name="statistic"))

    @property
    def tables(self) -> dict:
        return {"estimate": self.summary()}

    def _display_values(self) -> dict:
        return {k: v for k, v in self.values.items()
                if k not in self._number_fields() and k not in ("statistic",) and k != "ci"}


class FormerFrame:
    """Mixin for a result that until 0.2 was returned as a bare DataFrame (with metadata in ``.attrs``).

    For one release, DataFrame attributes and ``[...]`` still work on it, forwarded to the main table, and
    ``.attrs`` returns the old metadata; each with a ``DeprecationWarning`` naming the new spelling. Put it
    before :class:`Result` in the bases and name the old ``.attrs`` keys in ``_former_attrs``.
    """

    #: old ``.attrs`` key -> field name (or a function of the result giving the old value)
    _former_attrs: ClassVar[dict] = {}
    #: the function that returns this result, named in the deprecation message
    _returned_by: ClassVar[str] = ""

    def _former(self, spelling: str, new: str) -> None:
        from ._checks import warn

        caller = self._returned_by or type(self).__name__
        warn(f"{caller}(...){spelling} is deprecated: {caller}() returns a {type(self).__name__} now, not a "
             f"DataFrame; write {new} instead. The DataFrame spelling goes in version 0.3.", DeprecationWarning)

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        import pandas as pd

        if name == "attrs":
            self._former(".attrs", ", ".join(f".{k}" for k in self._former_attrs) or ".notes")
            return {k: v(self) if callable(v) else getattr(self, v) for k, v in self._former_attrs.items()}
        if hasattr(pd.DataFrame, name):
            self._former(f".{name}", f".{self.main}.{name}")
            return getattr(getattr(self, self.main), name)
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def __getitem__(self, key):
        self._former(f"[{key!r}]", f".{self.main}[{key!r}]")
        return getattr(self, self.main)[key]


def column_labels(names: tuple):
    """A new column ``Index`` of ``names`` (a tuple of hashable labels), built from a cached one: building an
    Index from strings costs more than many a statistic's arithmetic (pandas 3's text indexes), and result
    tables repeat a few layouts. The view is the caller's own (its name can be set freely; an Index's values
    cannot be changed in place)."""
    return _labels(names).view()


@functools.lru_cache(maxsize=256)
def _labels(names: tuple):
    import pandas as pd

    return pd.Index(list(names))
