"""Public docstrings pass numpydoc's validation, and statistics end their Notes with the R equivalent.

One table (``AREAS``) says what each package's public names are held to: the numpydoc codes checked (``ALL``:
every code numpydoc reports), whether their public methods and properties are checked too, and which of its
functions are statistics. A statistic's Notes end with one ``R equivalent:`` paragraph (a call in double
backticks, or ``none (...)`` saying why there is none), and it has Examples (and, where the area asks, the
paper under References). Results (dataclasses) document their fields under Attributes, which is checked here
instead of numpydoc's PR01.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect

import pytest

validate = pytest.importorskip("numpydoc.validate", reason="numpydoc is in the test extras").validate
from numpydoc.docscrape import FunctionDoc, NumpyDocString  # noqa: E402

#: what every docstring must get right: a summary, every parameter documented with a type and in order,
#: Returns, Examples, See Also entries that end properly
CORE = frozenset({"GL08", "SS01", "PR01", "PR02", "PR03", "PR04", "RT01", "EX01", "SA02", "SA04"})
ALL = None


@dataclasses.dataclass(frozen=True)
class Area:
    codes: frozenset | None  # None: every numpydoc code
    methods: bool = False  # public methods and properties of public classes too
    statistics: tuple | str = ()  # names of statistics, or "functions": every public function
    references: bool = False  # statistics cite their paper
    needs: str | None = None  # an optional dependency the package imports


AREAS = {
    "toolkit.reliability_stats": Area(ALL, methods=True, statistics="functions", references=True),
    "toolkit.classroom": Area(ALL, methods=True),
    "toolkit.sessions": Area(CORE, statistics="functions"),
    "toolkit.dyadic": Area(CORE, references=True, statistics=(
        "pearson_r", "concordance", "paired_t", "d_z", "bland_altman", "weighted_kappa", "item_kappa", "agreement",
        "reliable_difference", "dyad_discrepancies", "pair_raters", "APIM", "ResponseSurface")),
    "toolkit.dyadic.plots": Area(CORE),
    "toolkit.dyadic.registry": Area(CORE),
    "toolkit.reports": Area(CORE),
    "toolkit.widgets": Area(CORE, needs="ipywidgets"),
}

#: methods checked on their own (no Examples asked of them)
METHODS = ["toolkit.dyadic.interdependence.APIM.fit", "toolkit.dyadic.rsa.ResponseSurface.fit",
           "toolkit.dyadic.rsa.ResponseSurface.predict", "toolkit.dyadic.rsa.ResponseSurface.grid",
           "toolkit.dyadic.pairing.PairedRatings.dyad", "toolkit.dyadic.pairing.PairedRatings.sessions",
           "toolkit.instrument.model.Instrument.form_for"]


def _package(name: str):
    area = AREAS[name]
    if area.needs:
        pytest.importorskip(area.needs, reason=f"{area.needs} is in the lab extras: run `make test`")
    return importlib.import_module(name)


def _is_result(obj) -> bool:
    return inspect.isclass(obj) and dataclasses.is_dataclass(obj)


def _names() -> list:
    """(package, dotted path) of every public name (and public method or property where the area asks)."""
    out = []
    for package, area in AREAS.items():
        try:
            mod = importlib.import_module(package)
        except ImportError:  # an optional dependency: the test of that package is skipped below
            out.append((package, f"{package}.*"))
            continue
        for name in mod.__all__:
            obj = getattr(mod, name)
            if not getattr(obj, "__module__", "").startswith("toolkit"):
                continue
            path = f"{obj.__module__}.{obj.__qualname__}"
            out.append((package, path))
            if area.methods and inspect.isclass(obj):
                out += [(package, f"{path}.{member}") for member, value in vars(obj).items()
                        if not member.startswith("_") and (inspect.isfunction(value) or isinstance(value, property))]
    return list(dict.fromkeys(out))


def _resolve(path: str):
    module, _, rest = path.partition(".")
    obj = importlib.import_module(module)
    for part in rest.split("."):
        obj = getattr(obj, part)
    return obj


def _attributes(cls) -> set:
    names = set()
    for klass in cls.__mro__:
        if klass.__doc__ and klass.__module__.startswith("toolkit"):
            for entry in NumpyDocString(inspect.cleandoc(klass.__doc__))["Attributes"]:
                names.update(n.strip() for n in entry.name.split(","))
    return names


NAMES = _names()


@pytest.mark.parametrize("package,path", NAMES, ids=[p for _, p in NAMES])
def test_numpydoc_validation(package, path):
    area = AREAS[package]
    _package(package)
    obj = _resolve(path)
    errors = [(c, m) for c, m in validate(path)["errors"] if area.codes is None or c in area.codes]
    if _is_result(obj):
        errors = [(c, m) for c, m in errors if c != "PR01"]  # fields are documented under Attributes
        undocumented = {f.name for f in dataclasses.fields(obj)} - _attributes(obj)
        assert not undocumented, f"{path}: fields not under Attributes: {sorted(undocumented)}"
    assert not errors, f"{path}: {errors}"


def _statistics() -> list:
    out = []
    for package, area in AREAS.items():
        if not area.statistics:
            continue
        mod = importlib.import_module(package)
        names = area.statistics if area.statistics != "functions" else [
            n for n in mod.__all__ if inspect.isfunction(inspect.unwrap(getattr(mod, n)))]
        out += [(package, n) for n in names]
    return out


@pytest.mark.parametrize("package,name", _statistics(), ids=lambda v: v)
def test_statistics_state_the_r_equivalent_and_show_an_example(package, name):
    area = AREAS[package]
    obj = getattr(_package(package), name)
    doc = FunctionDoc(obj) if not inspect.isclass(obj) else NumpyDocString(inspect.cleandoc(obj.__doc__))
    last = "\n".join(doc["Notes"]).strip().split("\n\n")[-1].replace("\n", " ")
    assert last.startswith("R equivalent: "), f"{name}: Notes must end with 'R equivalent: ...'; got {last!r}"
    assert last.startswith("R equivalent: ``") or last.startswith("R equivalent: none"), last
    assert doc["Examples"], f"{name}: no Examples"
    if area.references:
        assert doc["References"], f"{name} cites no paper"


@pytest.mark.parametrize("path", METHODS)
def test_methods_of_the_models_and_pairs_are_documented(path):
    assert callable(_resolve(path))
    errors = [(c, m) for c, m in validate(path)["errors"] if c in CORE - {"EX01"}]
    assert not errors, f"{path}: {errors}"
