"""Shared by the browser tests: one headless Chromium per test module, and a page of it for JupyterLab.

Chromium is Debian's (``/usr/bin/chromium``; ``make test`` installs it: ``DEB_PACKAGES`` in the Makefile),
driven by playwright, which never downloads a browser here. Without either the tests skip on a developer's
machine and fail on CI (``CI=true``), where the set-up installs both. The servers the tests open pages of are
started by ``_servers.py``; what the tests do in a page is in ``_pages.py``.

``ALLIANCE_README_SCREENSHOTS=1`` also writes the README tour's screenshots (small palette PNGs) to
``docs/images/``; otherwise the tests write only to ``test-artifacts/``.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
#: Generous waits (ms) in JupyterLab: a cold kernel imports pandas, scipy and matplotlib on a busy 2-core machine.
LAB_WAIT = 90_000

#: script that records what would show that injected markup ran
TRAPS = """
window.__dialogs = [];
for (const name of ['alert', 'confirm', 'prompt']) {
  window[name] = (m) => { window.__dialogs.push(String(m)); };
}
"""


def _missing(what: str) -> None:
    message = f"{what}; `make test` installs it (see DEB_PACKAGES and the test extra in pyproject.toml)"
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"CI set-up is broken: {message}")
    pytest.skip(message)


@pytest.fixture(scope="module")
def chromium():
    # one per module, closed at its end: playwright's sync API refuses to start while another instance runs
    # in the same thread, so every browser test takes its browser from here (and a worker of pytest-xdist, or
    # a run without it, goes through several modules in one thread)
    if not CHROMIUM.exists():
        _missing(f"{CHROMIUM} is not installed (Debian package 'chromium')")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("the Python package 'playwright' is not installed")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def browser_page(chromium):
    """A large page of the module's Chromium with JupyterLab's generous waits, closed after the test."""
    page = chromium.new_page(viewport={"width": 1500, "height": 1500})
    page.set_default_timeout(LAB_WAIT)
    try:
        yield page
    finally:
        page.close()


@pytest.fixture(scope="session")
def screenshots(artifacts_dir) -> Path:
    path = artifacts_dir / "screenshots"
    path.mkdir(exist_ok=True)
    return path


def tour_screenshot(png: bytes, name: str, repo_root: Path, *, colours: int = 48) -> Path | None:
    """Write a README tour screenshot (palette PNG, a few tens of kB) when ALLIANCE_README_SCREENSHOTS=1."""
    if os.environ.get("ALLIANCE_README_SCREENSHOTS") != "1":
        return None
    from PIL import Image

    img = Image.open(io.BytesIO(png)).convert("RGB")
    small = img.quantize(colors=colours, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    out = repo_root / "docs" / "images" / f"{name}.png"
    out.parent.mkdir(parents=True, exist_ok=True)
    small.save(out, optimize=True)
    return out
