"""Every public name of toolkit.widgets has a numpydoc docstring that numpydoc's validation accepts."""

from __future__ import annotations

import pytest

pytest.importorskip("ipywidgets", reason="ipywidgets is in the lab extras: run `make test`")
validate = pytest.importorskip("numpydoc.validate", reason="numpydoc is in the test extras").validate

import toolkit.widgets as widgets  # noqa: E402

REQUIRED = {"GL08", "SS01", "PR01", "PR02", "PR03", "PR04", "RT01", "EX01", "SA02", "SA04"}


@pytest.mark.parametrize("name", widgets.__all__)
def test_numpydoc_validation(name):
    obj = getattr(widgets, name)
    errors = [(c, m) for c, m in validate(f"{obj.__module__}.{obj.__qualname__}")["errors"] if c in REQUIRED]
    assert not errors, f"{name}: {errors}"
