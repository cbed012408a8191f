"""Every public name of toolkit.sessions has a numpydoc docstring numpydoc's validation accepts (the codes the
widgets are held to), and every analysis function ends its Notes with an ``R equivalent:`` paragraph and has
Examples."""

from __future__ import annotations

import dataclasses
import inspect

import pytest

import toolkit.sessions as package

validate = pytest.importorskip("numpydoc.validate", reason="numpydoc is in the test extras").validate
docscrape = pytest.importorskip("numpydoc.docscrape")

REQUIRED = {"GL08", "SS01", "PR01", "PR02", "PR03", "PR04", "RT01", "EX01", "SA02", "SA04"}


@pytest.mark.parametrize("name", package.__all__)
def test_numpydoc_validation(name):
    obj = getattr(package, name)
    ignored = {"PR01"} if inspect.isclass(obj) and dataclasses.is_dataclass(obj) else set()  # fields: Attributes
    errors = [(c, m) for c, m in validate(f"{obj.__module__}.{obj.__qualname__}")["errors"]
              if c in REQUIRED - ignored]
    assert not errors, f"{name}: {errors}"


FUNCTIONS = [n for n in package.__all__ if inspect.isfunction(getattr(package, n))]


@pytest.mark.parametrize("name", FUNCTIONS)
def test_functions_state_the_r_equivalent_and_show_an_example(name):
    doc = docscrape.FunctionDoc(getattr(package, name))
    last = "\n".join(doc["Notes"]).strip().split("\n\n")[-1]
    assert last.startswith("R equivalent: "), f"{name}: Notes must end with 'R equivalent: ...'"
    assert doc["Examples"], f"{name}: no Examples"
