"""Nothing user-supplied executes where a notebook shows it (issue 9, item 3).

Every public object with an HTML display (instrument, analysis results, fitted estimators, DataFrames a
function returns, the HTML inside the widgets) is built from hostile strings (``<img src=x
onerror=alert(1)>``, ``<script>alert(1)</script>``, ``"><svg onload=alert(1)>``) as instrument name, item
labels, subscale names, ids, column names and cell values (``tests/browser/hostile.py``), and its HTML is
rendered in a real Chromium page, which must open no dialog and hold no element the strings would create.

The objects are found generically: every name of ``toolkit.__all__`` must have an entry in the fixture
registry, and every class of the toolkit with an HTML display must be among the objects built, so that a
new result or estimator cannot slip past. A quick textual check (no payload appears unescaped) runs
without a browser.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import warnings

import pytest

import toolkit

from ._pages import collect_dialogs, collect_errors
from .hostile import (ABSTRACT_DISPLAYS, FIXTURES, KNOWN_UNESCAPED, PAYLOADS, VARIANTS, Hostile, has_display,
                      html_of)

BUILDERS = {name: b for name, b in FIXTURES.items() if callable(b)} | VARIANTS
PARAMS = [pytest.param(name, marks=pytest.mark.xfail(strict=True, reason=KNOWN_UNESCAPED[name]))
          if name in KNOWN_UNESCAPED else name for name in BUILDERS]


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict:
    """name -> the objects its builder gives (warnings the hostile data raise are expected here)."""
    h = Hostile(tmp_path_factory.mktemp("hostile"))
    out = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name, builder in BUILDERS.items():
            objects = builder(h)
            # a fitted estimator shows its Result: that Result is shown on its own too
            objects += [o.result_ for o in objects if getattr(o, "result_", None) is not None and _fitted(o)]
            out[name] = objects
    return out


def _fitted(estimator) -> bool:
    try:
        return bool(estimator.__sklearn_is_fitted__()) if hasattr(estimator, "__sklearn_is_fitted__") else True
    except Exception:  # noqa: BLE001 - an unfitted estimator may refuse in many ways
        return False


def _classes_with_display() -> set[type]:
    """Every class defined in the toolkit that has an HTML display of its own or inherited."""
    found = set()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for info in pkgutil.walk_packages(toolkit.__path__, "toolkit."):
            if info.name.rsplit(".", 1)[-1].startswith("__"):
                continue
            module = importlib.import_module(info.name)
            for _, cls in inspect.getmembers(module, inspect.isclass):
                if cls.__module__ == module.__name__ and hasattr(cls, "_repr_html_"):
                    found.add(cls)
    return found


def test_every_public_name_has_a_hostile_fixture():
    missing = sorted(set(toolkit.__all__) - set(FIXTURES))
    stale = sorted(set(FIXTURES) - set(toolkit.__all__))
    assert not missing, f"public names without an entry in tests/browser/hostile.py FIXTURES: {missing}"
    assert not stale, f"FIXTURES names that are no longer public: {stale}"
    assert set(KNOWN_UNESCAPED) <= set(BUILDERS)


@pytest.mark.slow
def test_every_class_with_an_html_display_is_rendered(built):
    types = {type(o) for objects in built.values() for o in objects}
    missing = sorted(f"{c.__module__}.{c.__qualname__}" for c in _classes_with_display()
                     if c not in types and f"{c.__module__}.{c.__qualname__}" not in ABSTRACT_DISPLAYS)
    assert not missing, ("classes with an HTML display that no hostile fixture builds; add one to "
                         f"tests/browser/hostile.py: {missing}")
    shapeless = [f"{n}: {type(o).__name__}" for n, objects in built.items() for o in objects if not has_display(o)]
    assert not shapeless, f"fixtures that build objects without an HTML display: {shapeless}"


@pytest.mark.slow
@pytest.mark.parametrize("name", PARAMS)
def test_no_payload_is_left_unescaped(built, name):
    for obj in built[name]:
        html = html_of(obj)
        raw = [p for p in PAYLOADS if p in html]
        assert not raw, f"{name} ({type(obj).__name__}) writes {raw} into its HTML unescaped"


PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>hostile</title></head>
<body><main id="rendered">{body}</main></body></html>"""


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("name", PARAMS)
def test_nothing_runs_in_chromium(built, chromium, name):
    page = chromium.new_page()
    dialogs, errors = collect_dialogs(page), collect_errors(page)
    try:
        body = "\n<hr>\n".join(f'<section data-type="{type(o).__name__}">{html_of(o)}</section>'
                               for o in built[name])
        page.set_content(PAGE.format(body=body), wait_until="load")
        page.wait_for_timeout(300)  # onerror and onload handlers run after the load event
        created = page.evaluate("() => document.querySelectorAll('#rendered script, #rendered img, "
                                "#rendered svg, #rendered [onerror], #rendered [onload]').length")
        text = page.inner_text("#rendered")
        # a report shows its page in a sandboxed frame (no script can run there): its text counts as rendered;
        # that no payload became markup inside it is checked by tests/browser/test_reports.py
        text += "".join(frame.inner_text("body") for frame in page.frames if frame is not page.main_frame)
    finally:
        page.close()
    assert not dialogs, f"{name}: a hostile string ran as code in Chromium: {dialogs}"
    assert created == 0, f"{name}: hostile strings became {created} elements of the page"
    assert not errors, f"{name}: JavaScript errors: {errors}"
    assert text.strip(), f"{name}: nothing was rendered"
