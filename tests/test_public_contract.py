"""The one-voice contract over every public name at once (the areas' own contract tests go deeper).

* every public function and class pickles by reference and shows its real signature (no wrapper hides
  ``data`` or the keyword-only parameters);
* every estimator of the package (every subclass of the one base) is default-constructible, clones with
  scikit-learn's ``clone``, is unfitted for ``check_is_fitted`` and raises the one ``NotFittedError`` when a
  result is asked for before ``fit``;
* every result class is a documented dataclass of the one result contract.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import pickle
import pkgutil
import warnings

import pytest

import toolkit
from toolkit._estimator import Estimator
from toolkit._results import Result
from toolkit.exceptions import NotFittedError


def _public():
    for name in toolkit.__all__:
        if name in ("exceptions", "__version__"):
            continue
        yield name, getattr(toolkit, name)


def _subclasses(base):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for info in pkgutil.walk_packages(toolkit.__path__, "toolkit."):
            try:
                importlib.import_module(info.name)
            except ImportError:  # an optional extra that is not installed
                continue
    seen, todo = set(), [base]
    while todo:
        for sub in todo.pop().__subclasses__():
            if sub not in seen and sub.__module__.startswith("toolkit."):
                seen.add(sub)
                todo.append(sub)
    return sorted(seen, key=lambda c: f"{c.__module__}.{c.__qualname__}")


@pytest.mark.parametrize(("name", "obj"), list(_public()), ids=[n for n, _ in _public()])
def test_public_names_pickle_and_show_their_real_signature(name, obj):
    assert not inspect.ismodule(obj) or name == "validity", f"{name} is a module where a function is expected"
    if inspect.ismodule(obj):
        return
    assert pickle.loads(pickle.dumps(obj)) is obj
    assert obj.__module__.startswith("toolkit.") and "wrapper" not in obj.__qualname__
    if inspect.isfunction(obj):
        shown = inspect.signature(obj)
        assert shown == inspect.signature(inspect.unwrap(obj)), f"{name} shows a wrapper's signature"
        passed_on = [p.name for p in shown.parameters.values() if p.kind is p.VAR_KEYWORD]
        doc = inspect.getdoc(obj) or ""
        assert all(f"**{k}" in doc for k in passed_on), \
            f"{name} takes **{passed_on[0]} without saying in its docstring where they go"


ESTIMATORS = _subclasses(Estimator)
#: the parameters an estimator cannot do without (a CFA needs its model)
REQUIRED = {"CFA": {"model": "f =~ x1 + x2 + x3"}}


def test_the_estimators_are_found():
    names = {c.__name__ for c in ESTIMATORS}
    assert {"EFA", "APIM", "ResponseSurface"} <= names, names


@pytest.mark.parametrize("cls", ESTIMATORS, ids=lambda c: c.__name__)
def test_every_estimator_clones_and_is_unfitted_before_fit(cls):
    base = pytest.importorskip("sklearn.base")
    validation = pytest.importorskip("sklearn.utils.validation")
    from sklearn.exceptions import NotFittedError as SkNotFitted

    est = cls(**REQUIRED.get(cls.__name__, {}))
    twin = base.clone(est)
    assert type(twin) is cls and twin.get_params() == est.get_params()
    assert pickle.loads(pickle.dumps(est)).get_params() == est.get_params()
    with pytest.raises(SkNotFitted):
        validation.check_is_fitted(est)
    with pytest.raises(NotFittedError):
        est.summary()


RESULTS = [c for c in _subclasses(Result) if not c.__name__.startswith("_")]


@pytest.mark.parametrize("cls", RESULTS, ids=lambda c: f"{c.__module__.rsplit('.', 1)[-1]}.{c.__name__}")
def test_every_result_is_a_documented_dataclass(cls):
    assert dataclasses.is_dataclass(cls)
    assert (inspect.getdoc(cls) or "").strip(), f"{cls.__name__} has no docstring"
    doc = "\n".join(inspect.getdoc(c) or "" for c in cls.__mro__ if c is not object)  # inherited fields too
    own = [f.name for f in dataclasses.fields(cls) if f.name not in {g.name for g in dataclasses.fields(Result)}
           and not f.name.startswith("_")]
    undocumented = [f for f in own if f not in doc]
    assert not undocumented, f"{cls.__name__} does not document its fields {undocumented}"
