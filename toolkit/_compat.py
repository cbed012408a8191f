"""Old spellings that keep working for one release, each with a DeprecationWarning naming the new one.

Module paths. Until 0.2 the packages ``toolkit.reliability_stats`` and ``toolkit.dyadic`` were called
``toolkit.reliability`` and ``toolkit.agreement``, the same names as the one-call functions
:func:`toolkit.reliability` and :func:`toolkit.agreement`; the packages were made callable to share the
name, which broke ``help()``, ``inspect.signature`` and pickling. Now each name is one thing: the
functions keep the names users call, and imports of the old module paths (``from toolkit.agreement import
pair_raters``, ``import toolkit.reliability.icc``) are served by :class:`_RenamedModuleFinder`, which hands
out a forwarding module and warns. :class:`_ToolkitModule` keeps such an import from replacing the
function ``toolkit.reliability`` with the forwarding module (Python's import system sets every imported
submodule as an attribute of its parent package).

Parameter names: :func:`renamed_parameter` (in :mod:`toolkit._checks`) is the one mechanism for those.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import sys
import types
import warnings

__all__ = ["install"]

#: old module path -> new module path (packages first; submodules that changed name listed on their own)
RENAMED_MODULES = {
    "toolkit.reliability": "toolkit.reliability_stats",
    "toolkit.agreement": "toolkit.dyadic",
    "toolkit.reliability.icc": "toolkit.reliability_stats.intraclass",
    "toolkit.agreement.apim": "toolkit.dyadic.interdependence",
}
#: names that are functions of ``toolkit`` and were once also package names
FUNCTION_NAMES = frozenset({"reliability", "agreement"})


def _new_name(fullname: str) -> str | None:
    if fullname in RENAMED_MODULES:
        return RENAMED_MODULES[fullname]
    for old in ("toolkit.reliability", "toolkit.agreement"):
        if fullname.startswith(old + "."):
            return RENAMED_MODULES[old] + fullname[len(old):]
    return None


class _Forwarding(types.ModuleType):
    """A module that forwards every attribute to the renamed module."""

    def __getattr__(self, name):
        target = importlib.import_module(self.__dict__["_target"])
        return getattr(target, name)

    def __dir__(self):
        return dir(importlib.import_module(self.__dict__["_target"]))


class _RenamedModuleLoader(importlib.abc.Loader):
    def __init__(self, new: str):
        self.new = new

    def create_module(self, spec):
        module = _Forwarding(spec.name)
        module._target = self.new
        module.__path__ = []  # a package, so that old submodule paths can be imported through it
        return module

    def exec_module(self, module):
        importlib.import_module(self.new)  # fail now, with the new name, if it does not exist


class _RenamedModuleFinder(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname, path=None, target=None):
        new = _new_name(fullname)
        if new is None:
            return None
        why = ""
        if fullname.count(".") == 1:
            why = f" (the name '{fullname}' now belongs to the function {fullname}(...) alone)"
        warnings.warn(f"'{fullname}' was renamed '{new}'{why}; import from '{new}'. The old path goes in "
                      "version 0.3.", DeprecationWarning, stacklevel=2)
        return importlib.machinery.ModuleSpec(fullname, _RenamedModuleLoader(new), is_package=True)


class _ToolkitModule(types.ModuleType):
    """``toolkit`` itself: an import of an old module path never replaces a function of the same name."""

    def __setattr__(self, name, value):
        if name in FUNCTION_NAMES and isinstance(value, _Forwarding):
            return
        super().__setattr__(name, value)


def install(package_name: str = "toolkit") -> None:
    """Serve the old module paths (idempotent)."""
    if not any(isinstance(f, _RenamedModuleFinder) for f in sys.meta_path):
        sys.meta_path.append(_RenamedModuleFinder())
    sys.modules[package_name].__class__ = _ToolkitModule
