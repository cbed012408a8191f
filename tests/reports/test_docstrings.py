"""Every public name of toolkit.reports (and the dashboard of toolkit.widgets) has a numpydoc docstring that
numpydoc's validation accepts."""

from __future__ import annotations

import pytest

validate = pytest.importorskip("numpydoc.validate", reason="numpydoc is in the test extras").validate

import toolkit.reports as reports  # noqa: E402
from toolkit._results import Result  # noqa: E402

REQUIRED = {"GL08", "SS01", "PR01", "PR02", "PR03", "PR04", "RT01", "EX01", "SA02", "SA04"}
NAMES = [f"toolkit.reports.{n}" for n in reports.__all__] + \
    ["toolkit.widgets.clinic_dashboard", "toolkit.widgets.ClinicDashboard"]


@pytest.mark.parametrize("name", NAMES)
def test_numpydoc_validation(name):
    import importlib

    module, attr = name.rsplit(".", 1)
    obj = getattr(importlib.import_module(module), attr)
    required = REQUIRED
    if isinstance(obj, type) and issubclass(obj, Result):
        required = REQUIRED - {"PR01"}  # a result's fields are documented as Attributes, as every Result's
    errors = [(c, m) for c, m in validate(f"{obj.__module__}.{obj.__qualname__}")["errors"] if c in required]
    assert not errors, f"{name}: {errors}"
