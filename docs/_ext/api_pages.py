"""Write the API reference: one page per public name of ``toolkit`` and of its subpackages.

The list is ``toolkit.__all__`` plus each public subpackage's ``__all__`` so that a name cannot be public
and undocumented; the test suite checks that every public name appears in the built reference.
"""

from __future__ import annotations

import importlib
import inspect
from pathlib import Path

#: subpackages whose ``__all__`` is part of the reference, with a one-line description
SECTIONS = {
    "toolkit": "Top level: the functions most users call",
    "toolkit.instrument": "Instruments as data",
    "toolkit.scoring": "Scoring",
    "toolkit.io": "Reading exports",
    "toolkit.io.stream": "Scoring files larger than memory, chunk by chunk",
    "toolkit.samples": "Simulated sample data",
    "toolkit.reliability_stats": "Reliability and item analysis",
    "toolkit.factor": "Correlations, EFA, dimensionality",
    "toolkit.factor.cfa": "Confirmatory factor analysis engine",
    "toolkit.validity": "Factor structure of an instrument: CFA families and invariance",
    "toolkit.dyadic": "Client and therapist: pairing, agreement, dyadic models",
    "toolkit.sessions": "Session by session: trajectories, ruptures, alerts, mixed models",
    "toolkit.planning": "Planning a study by simulation: power and precision by sample size",
    "toolkit.reports": "Reports",
    "toolkit.widgets": "Notebook widgets",
    "toolkit.classroom": "Classroom kit: exercises with a data set per student, checks that hint",
    "toolkit.exceptions": "Errors and warnings",
}


def public_names() -> dict[str, list[str]]:
    """Module -> its public names (modules that do not exist yet are skipped)."""
    out = {}
    for mod in SECTIONS:
        try:
            m = importlib.import_module(mod)
        except ImportError:
            continue
        names = [n for n in getattr(m, "__all__", []) if not n.startswith("_") and n != "__version__"]
        out[mod] = sorted(n for n in names if not inspect.ismodule(getattr(m, n, None)))
    return out


def _page(mod: str, name: str) -> str:
    obj = getattr(importlib.import_module(mod), name)
    full = f"{mod}.{name}"
    title = f"{full}\n{'=' * len(full)}\n\n.. currentmodule:: {mod}\n\n"
    if inspect.isclass(obj):
        if issubclass(obj, BaseException):
            return title + f".. autoexception:: {name}\n"
        # members inherited from pydantic's BaseModel are pydantic's, not ours
        return title + f".. autoclass:: {name}\n   :members:\n   :inherited-members: BaseModel\n"
    if callable(obj):
        return title + f".. autofunction:: {name}\n"
    return title + f".. autodata:: {name}\n   :no-value:\n"


def canonical_pages() -> tuple[dict[str, list[str]], dict[int, str]]:
    """Each public object documented once, under the deepest section that exports it.

    Returns (module -> names documented there, id(object) -> "module.name" of its page).
    """
    names = public_names()
    home: dict[int, str] = {}
    pages: dict[str, list[str]] = {}
    for mod in sorted(names, key=lambda m: -m.count(".")):  # deepest first
        m = importlib.import_module(mod)
        for name in names[mod]:
            obj = getattr(m, name)
            if id(obj) in home:
                continue
            home[id(obj)] = f"{mod}.{name}"
            pages.setdefault(mod, []).append(name)
    return pages, home


def write_pages(app) -> None:
    out = Path(app.srcdir) / "api"
    out.mkdir(exist_ok=True)
    pages, home = canonical_pages()
    names = public_names()
    index = ["API reference", "=" * 13, "",
             "Every public name, grouped by package. Each page is the function's or class's docstring: "
             "parameters, returns, the formula, the paper and the R equivalent.", ""]
    top = importlib.import_module("toolkit")
    index += [SECTIONS["toolkit"], "-" * len(SECTIONS["toolkit"]), "",
              "``import toolkit`` gives these names directly (each documented in its package below):", ""]
    for name in names.get("toolkit", []):
        target = home[id(getattr(top, name))]
        index.append(f"- :py:obj:`toolkit.{name} <{target}>`")
    index.append("")
    for mod in SECTIONS:
        if mod == "toolkit" or not pages.get(mod):
            continue
        index += [SECTIONS[mod], "-" * len(SECTIONS[mod]), "", f"``{mod}``", "", ".. toctree::",
                  "   :maxdepth: 1", ""]
        for name in sorted(pages[mod]):
            slug = f"{mod}.{name}"
            _write_if_changed(out / f"{slug}.rst", _page(mod, name))
            index.append(f"   {slug}")
        index.append("")
    _write_if_changed(out / "index.rst", "\n".join(index))


def _write_if_changed(path: Path, text: str) -> None:
    if not path.exists() or path.read_text() != text:
        path.write_text(text)


def setup(app):
    app.connect("builder-inited", write_pages)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
