"""One estimator base for every fitted model (EFA, APIM, ResponseSurface, CFA, mixed models).

scikit-learn's contract without needing scikit-learn installed:

* ``__init__`` only stores its parameters, unchanged, under their own names; it validates nothing;
* the parameters are read from ``__init__``'s signature (:meth:`Estimator._get_param_names`), so
  ``get_params``/``set_params`` never go out of date, and scikit-learn's ``clone``, ``check_is_fitted``,
  ``Pipeline`` and ``GridSearchCV`` work when scikit-learn is installed;
* ``fit(...)`` validates (through :mod:`toolkit._checks`), computes, sets attributes ending in ``_`` and
  returns ``self``;
* asking for a result before ``fit`` raises the one :class:`~toolkit.exceptions.NotFittedError`.

And the result contract of :mod:`toolkit._results`: a fitted estimator builds its :class:`Result` in
:meth:`Estimator._make_result`; ``summary()``, ``to_frame()``, ``notes_``, ``title`` and the (escaped) HTML
display come from it. Before ``fit`` the display shows the parameters, as scikit-learn's does.
"""

from __future__ import annotations

import inspect
from typing import ClassVar

from ._results import Result, escape
from .exceptions import InvalidParameterError, NotFittedError

__all__ = ["Estimator", "check_fitted"]


class Estimator:
    """Base of the toolkit's fitted models.

    Subclasses declare their parameters as keyword arguments of ``__init__`` (stored unchanged), implement
    ``fit`` (returning ``self``), name one fitted attribute in ``_fitted_attr`` and build their result in
    ``_make_result``.
    """

    #: what the model is, for titles and messages
    title: ClassVar[str] = ""
    #: a fitted attribute whose presence means "fitted" (None: any public attribute ending in "_", as
    #: scikit-learn's check_is_fitted decides)
    _fitted_attr: ClassVar[str | None] = None

    # -- parameters ---------------------------------------------------------------------------------
    @classmethod
    def _get_param_names(cls) -> list[str]:
        init = cls.__init__
        if init is object.__init__:
            return []
        sig = inspect.signature(init)
        names = []
        for p in sig.parameters.values():
            if p.name == "self":
                continue
            if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
                raise TypeError(f"{cls.__name__}.__init__ must list its parameters explicitly (no *args/**kwargs)")
            names.append(p.name)
        return sorted(names)

    def get_params(self, deep: bool = True) -> dict:
        """The parameters given to ``__init__`` (nested estimators' as ``name__param`` when ``deep``)."""
        out = {}
        for name in self._get_param_names():
            value = getattr(self, name)
            if deep and hasattr(value, "get_params") and not isinstance(value, type):
                out.update((f"{name}__{k}", v) for k, v in value.get_params().items())
            out[name] = value
        return out

    def set_params(self, **params):
        """Set parameters (``name__param`` for nested estimators); returns ``self``. Unknown names raise."""
        valid = self._get_param_names()
        nested: dict[str, dict] = {}
        for key, value in params.items():
            name, _, sub = key.partition("__")
            if name not in valid:
                raise InvalidParameterError(
                    f"{type(self).__name__} has no parameter {name!r}; its parameters are {', '.join(valid)}.")
            if sub:
                nested.setdefault(name, {})[sub] = value
            else:
                setattr(self, name, value)
        for name, sub_params in nested.items():
            getattr(self, name).set_params(**sub_params)
        return self

    # -- fitted state -------------------------------------------------------------------------------
    def __sklearn_is_fitted__(self) -> bool:
        if self._fitted_attr is not None:
            return self._fitted_attr in self.__dict__
        return any(k.endswith("_") and not k.startswith("_") for k in self.__dict__)

    def __sklearn_tags__(self):  # only called by scikit-learn, so it is importable here
        from sklearn.utils import Tags, TargetTags

        return Tags(estimator_type=None, target_tags=TargetTags(required=False), requires_fit=True)

    def _check_fitted(self, what: str = "this") -> None:
        if not self.__sklearn_is_fitted__():
            raise NotFittedError(f"This {type(self).__name__} is not fitted yet: call .fit(data) before "
                                 f"using {what}.")

    # -- the result contract ------------------------------------------------------------------------
    def _make_result(self) -> Result:
        """Build the Result of the fitted model (subclasses implement this)."""
        raise NotImplementedError

    @property
    def result_(self) -> Result:
        """The fitted model's :class:`~toolkit._results.Result` (built once, on first use)."""
        self._check_fitted("result_")
        # rebuilt after a new fit: the cache remembers which fitted state it was built from
        token = tuple(id(v) for k, v in sorted(self.__dict__.items()) if k.endswith("_") and not k.startswith("_"))
        cached = self.__dict__.get("_result_cache")
        if cached is None or cached[0] != token:
            cached = (token, self._make_result())
            self.__dict__["_result_cache"] = cached
        return cached[1]

    @property
    def notes_(self) -> list:
        """What a reader must know about the fit (see :mod:`toolkit._results`)."""
        self._check_fitted("notes_")
        return self.result_.notes

    def summary(self):
        """The main table of the fit (unrounded)."""
        self._check_fitted("summary()")
        return self.result_.summary()

    def to_frame(self):
        """One tidy DataFrame of the fit, for export."""
        self._check_fitted("to_frame()")
        return self.result_.to_frame()

    # -- display ------------------------------------------------------------------------------------
    def _param_repr(self) -> str:
        try:
            defaults = {p.name: p.default for p in inspect.signature(type(self).__init__).parameters.values()}
        except (TypeError, ValueError):  # pragma: no cover
            defaults = {}
        shown = []
        for name in self._get_param_names():
            value = getattr(self, name, None)
            default = defaults.get(name, inspect.Parameter.empty)
            try:
                same = value is default or (type(value) is type(default) and value == default)
            except Exception:  # arrays, frames: always shown
                same = False
            if not same:
                shown.append(f"{name}={value!r}")
        return f"{type(self).__name__}({', '.join(shown)})"

    def __repr__(self) -> str:
        if self.__sklearn_is_fitted__():
            return repr(self.result_)
        return self._param_repr()

    def _repr_html_(self) -> str:
        if self.__sklearn_is_fitted__():
            return self.result_._repr_html_()
        return f"<pre>{escape(self._param_repr())} (not fitted)</pre>"

    def __getstate__(self):
        state = dict(self.__dict__)
        state.pop("_result_cache", None)  # rebuilt on demand
        return state


def check_fitted(estimator, what: str = "this") -> None:
    """Raise :class:`~toolkit.exceptions.NotFittedError` unless ``estimator`` has been fitted."""
    estimator._check_fitted(what)
