"""Every public name of toolkit.dyadic has a numpydoc docstring that numpydoc's validation accepts; every
statistic ends its Notes with the R equivalent (the same words everywhere) and cites its paper."""

from __future__ import annotations

import dataclasses
import importlib
import inspect

import pytest

validate = pytest.importorskip("numpydoc.validate", reason="numpydoc is in the test extras").validate
from numpydoc.docscrape import NumpyDocString  # noqa: E402

MODULES = ["toolkit.dyadic", "toolkit.dyadic.plots", "toolkit.dyadic.registry"]
#: what every docstring must get right (numpydoc's codes): a summary, every parameter documented with a type
#: and in order, Returns, Examples, See Also entries that end properly
REQUIRED = {"GL08", "SS01", "PR01", "PR02", "PR03", "PR04", "RT01", "EX01", "SA02", "SA04"}
#: statistics: Notes end with "R equivalent: ..." and References name the paper
STATISTICS = ["pearson_r", "concordance", "paired_t", "d_z", "bland_altman", "weighted_kappa", "item_kappa",
              "agreement", "reliable_difference", "dyad_discrepancies", "pair_raters", "APIM", "ResponseSurface"]


def _public():
    for module in MODULES:
        mod = importlib.import_module(module)
        for name in mod.__all__:
            obj = getattr(mod, name)
            if getattr(obj, "__module__", "").startswith("toolkit"):
                yield f"{obj.__module__}.{obj.__qualname__}", obj


PUBLIC = dict(_public())


def _is_result(obj) -> bool:
    return inspect.isclass(obj) and dataclasses.is_dataclass(obj)


def _attributes(cls) -> set:
    names = set()
    for klass in cls.__mro__:
        if klass.__doc__ and klass.__module__.startswith("toolkit"):
            for entry in NumpyDocString(inspect.cleandoc(klass.__doc__))["Attributes"]:
                names.update(n.strip() for n in entry.name.split(","))
    return names


@pytest.mark.parametrize("path", sorted(PUBLIC))
def test_numpydoc_validation(path):
    obj = PUBLIC[path]
    errors = [(code, message) for code, message in validate(path)["errors"] if code in REQUIRED]
    if _is_result(obj):
        # a result's fields are documented as Attributes (numpydoc would look for them under Parameters)
        errors = [(c, m) for c, m in errors if c != "PR01"]
        undocumented = {f.name for f in dataclasses.fields(obj)} - _attributes(obj)
        assert not undocumented, f"{path}: fields not under Attributes: {sorted(undocumented)}"
    assert not errors, f"{path}: {errors}"


@pytest.mark.parametrize("name", STATISTICS)
def test_statistics_name_their_r_equivalent_and_paper(name):
    import toolkit.dyadic as dyadic

    doc = NumpyDocString(inspect.cleandoc(getattr(dyadic, name).__doc__))
    paragraphs = "\n".join(doc["Notes"]).strip().split("\n\n")
    last = paragraphs[-1].replace("\n", " ")
    assert last.startswith("R equivalent: "), f"{name}: Notes must end with 'R equivalent: ...'; got {last!r}"
    assert last.startswith("R equivalent: ``") or last.startswith("R equivalent: none ("), last
    assert doc["References"], f"{name} cites no paper"


def test_methods_of_the_models_and_pairs_are_documented():
    from toolkit.dyadic import APIM, PairedRatings, ResponseSurface

    paths = ["toolkit.dyadic.interdependence.APIM.fit", "toolkit.dyadic.rsa.ResponseSurface.fit",
             "toolkit.dyadic.rsa.ResponseSurface.predict", "toolkit.dyadic.rsa.ResponseSurface.grid",
             "toolkit.dyadic.pairing.PairedRatings.dyad", "toolkit.dyadic.pairing.PairedRatings.sessions",
             "toolkit.instrument.model.Instrument.form_for"]
    assert APIM.fit and ResponseSurface.grid and PairedRatings.dyad
    for path in paths:
        errors = [(c, m) for c, m in validate(path)["errors"] if c in REQUIRED - {"EX01"}]
        assert not errors, f"{path}: {errors}"
