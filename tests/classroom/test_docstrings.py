"""Every public name of toolkit.classroom has a numpydoc docstring that numpydoc's validation accepts."""

from __future__ import annotations

import dataclasses
import inspect

import pytest

import toolkit.classroom as package

numpydoc_validate = pytest.importorskip("numpydoc.validate")

#: dataclasses document their fields under Attributes; numpydoc would want them under Parameters too
IGNORED_FOR_DATACLASSES = {"PR01"}


def _public_names() -> list[tuple[str, bool]]:
    names = []
    for name in package.__all__:
        obj = getattr(package, name)
        names.append((f"{obj.__module__}.{obj.__qualname__}", inspect.isclass(obj) and dataclasses.is_dataclass(obj)))
        if inspect.isclass(obj):
            for member, value in vars(obj).items():
                if not member.startswith("_") and (inspect.isfunction(value) or isinstance(value, property)):
                    names.append((f"{obj.__module__}.{obj.__qualname__}.{member}", False))
    return names


@pytest.mark.parametrize("name,is_dataclass", _public_names(), ids=[n for n, _ in _public_names()])
def test_numpydoc_validation_passes(name, is_dataclass):
    result = numpydoc_validate.validate(name)
    ignored = IGNORED_FOR_DATACLASSES if is_dataclass else set()
    errors = [f"{code}: {message}" for code, message in result["errors"] if code not in ignored]
    assert not errors, f"{name}:\n" + "\n".join(errors)
