"""Shared by the browser tests of the reports and the dashboard: one headless Chromium per test module.

Chromium is Debian's (``/usr/bin/chromium``), driven by playwright; without either the tests skip on a
developer's machine and fail on CI (``CI=true``), as in ``test_lab_compare.py``.

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
    # in the same thread (test_lab_compare.py starts its own)
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
