"""Every public name of toolkit.reliability_stats has a numpydoc docstring that numpydoc's validation accepts,
and every statistic ends its Notes with one ``R equivalent:`` paragraph and cites its paper (issue 8)."""

from __future__ import annotations

import dataclasses
import inspect

import pytest

import toolkit.reliability_stats as package

numpydoc_validate = pytest.importorskip("numpydoc.validate")
docscrape = pytest.importorskip("numpydoc.docscrape")

#: result classes document their (dataclass) fields under Attributes, which the contract test checks; numpydoc
#: would want them under Parameters too
IGNORED_FOR_RESULTS = {"PR01"}


def _public_names() -> list[tuple[str, bool]]:
    """(dotted name, is a result class) of every public name and public method or property."""
    names = []
    for name in package.__all__:
        obj = getattr(package, name)
        names.append((f"{obj.__module__}.{obj.__qualname__}", inspect.isclass(obj) and dataclasses.is_dataclass(obj)))
        if inspect.isclass(obj):
            for member, value in vars(obj).items():
                if not member.startswith("_") and (inspect.isfunction(value) or isinstance(value, property)):
                    names.append((f"{obj.__module__}.{obj.__qualname__}.{member}", False))
    return names


@pytest.mark.parametrize("name,is_result", _public_names(), ids=[n for n, _ in _public_names()])
def test_numpydoc_validation_passes(name, is_result):
    result = numpydoc_validate.validate(name)
    ignored = IGNORED_FOR_RESULTS if is_result else set()
    errors = [f"{code}: {message}" for code, message in result["errors"] if code not in ignored]
    assert not errors, f"{name}:\n" + "\n".join(errors)


FUNCTIONS = [getattr(package, n) for n in package.__all__ if inspect.isfunction(inspect.unwrap(getattr(package, n)))]


@pytest.mark.parametrize("func", FUNCTIONS, ids=lambda f: f.__name__)
def test_statistics_state_formula_r_equivalent_and_paper(func):
    doc = docscrape.FunctionDoc(func)
    notes = "\n".join(doc["Notes"]).strip()
    last = notes.split("\n\n")[-1]
    assert last.startswith("R equivalent: "), f"{func.__name__}: Notes must end with 'R equivalent: ...'"
    assert "``" in last or last.startswith("R equivalent: none")
    assert doc["References"], f"{func.__name__}: no References"
    assert doc["Examples"], f"{func.__name__}: no Examples"
