"""The documentation site builds offline with zero warnings, and every public name is in its API reference.

The notebooks are not executed here (``ALLIANCE_DOCS_EXECUTE=off``; ``make docs`` executes them): the
notebook tests run them, and executing them twice would double the suite's time.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    pytest.importorskip("sphinx", reason="the docs extra is part of the test extra")
    out = tmp_path_factory.mktemp("html")
    env = {**os.environ, "ALLIANCE_DOCS_EXECUTE": "off"}
    # -j auto: reading and writing the pages in parallel takes the build from 48 s to 38 s on two cores
    run = subprocess.run([sys.executable, "-m", "sphinx", "-j", "auto", "-b", "html", "-W", "--keep-going", "-q",
                          "-d", str(out / ".doctrees"), str(ROOT / "docs"), str(out)],
                         capture_output=True, text=True, env=env, timeout=900)
    assert run.returncode == 0, "the docs build warned or failed:\n" + run.stderr[-6000:]
    return out


def test_docs_build_without_warnings(site):
    assert (site / "index.html").exists()
    assert (site / "api" / "index.html").exists()
    assert (site / "instruments" / "wai-sr.html").exists()
    assert (site / "gallery" / "index.html").exists()


def test_every_public_name_is_in_the_api_reference(site):
    import importlib

    from sphinx.util.inventory import InventoryFile

    sys.path.insert(0, str(ROOT / "docs" / "_ext"))
    try:
        from api_pages import canonical_pages, public_names
    finally:
        sys.path.pop(0)
    with open(site / "objects.inv", "rb") as f:
        inv = InventoryFile.load(f, "", lambda base, uri: uri)
    documented = {name for objects in inv.values() for name in objects}
    _, home = canonical_pages()
    missing = [f"{mod}.{name}" for mod, names in public_names().items() for name in names
               if home[id(getattr(importlib.import_module(mod), name))] not in documented]
    assert not missing, f"public names without an API page: {missing}"
    assert len(documented) > 100


def test_instrument_catalogue_escapes_definition_text():
    """A definition's text is data: hostile names and labels come out escaped, never as markup."""
    import toolkit

    sys.path.insert(0, str(ROOT / "docs" / "_ext"))
    try:
        from instrument_catalogue import instrument_html
    finally:
        sys.path.pop(0)
    hostile = "<img src=x onerror=alert(1)>"
    ins = toolkit.load_instrument("wai-sr")
    items = tuple(it.model_copy(update={"label": hostile}) for it in ins.items)
    bad = ins.model_copy(update={"description": hostile, "items": items, "licence": hostile})
    page = instrument_html(bad)
    assert hostile not in page
    assert page.count("&lt;img src=x onerror=alert(1)&gt;") == 12 + 2
