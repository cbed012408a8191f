"""Packages that share their name with their one-call function.

``toolkit.reliability`` is both a package (``toolkit.reliability.icc`` ...) and
the function ``reliability(data, instrument)``; likewise ``toolkit.agreement``.
Importing a subpackage sets it as an attribute of ``toolkit``, which would hide
the function of the same name, so such a package is made callable: calling it
calls the function. Both spellings then work whichever is touched first.
"""

from __future__ import annotations

import functools
import sys
import types
from collections.abc import Callable

__all__ = ["make_callable"]


def make_callable(module_name: str, func: Callable) -> types.ModuleType:
    """Make the module ``module_name`` call ``func`` when called; return the module."""

    class _CallableModule(types.ModuleType):
        @functools.wraps(func)
        def __call__(self, *args, **kwargs):
            return func(*args, **kwargs)

    module = sys.modules[module_name]
    module.__class__ = _CallableModule
    return module
