"""The clinic dashboard as a clinic uses it: Voila serves the notebook, Chromium uploads an export, the tables
appear, the report downloads; hostile ids show as text and run nothing; nothing is fetched from outside.

One Voila server for the test module (``_servers.py``), on a free loopback port with a random token, serving
a copy of ``notebooks/dashboard/clinic.ipynb``. Screenshots go to ``test-artifacts/screenshots/``.
"""

from __future__ import annotations

import os
import re
import shutil
import sys

import pytest

import toolkit

from ..reports.conftest import HOSTILE, hostile_markers
from ._pages import collect_errors
from ._servers import jupyter_server
from .conftest import TRAPS, _missing, tour_screenshot

pytestmark = [pytest.mark.browser, pytest.mark.slow]

#: generous (ms): a cold kernel imports pandas and the toolkit on a busy machine
WAIT = 120_000


@pytest.fixture(scope="module")
def voila(tmp_path_factory, repo_root):
    if shutil.which("voila", path=os.path.dirname(sys.executable)) is None:
        _missing("voila is not installed (the test extra in pyproject.toml)")
    notebook = repo_root / "notebooks" / "dashboard" / "clinic.ipynb"
    with jupyter_server("voila", tmp_path_factory.mktemp("voila"), repo_root, notebook) as server:
        yield server


def _choose(page, path) -> None:
    """Click the upload button and pick the file in the browser's file chooser, as a person does."""
    with page.expect_file_chooser() as chooser:
        page.locator("button.alliance-upload").click()
    chooser.value.set_files(str(path))


def test_upload_see_the_tables_download_the_report(voila, chromium, tmp_path, screenshots, repo_root):
    export = toolkit.load_sample("srs_ors_sessions")
    export = export[export["client_id"].isin([f"CA{k:03d}" for k in range(1, 13)])].copy().astype({"srs_02": object})
    export.loc[export.index[4], "srs_02"] = "nine"  # a bad cell
    good = tmp_path / "week.csv"
    export.to_csv(good, index=False)
    hostile = export.astype({"ors_03": object})
    hostile["client_id"] = hostile["client_id"].replace({"CA001": HOSTILE["script"], "CA002": HOSTILE["img"],
                                                         "CA003": HOSTILE["svg"]})
    hostile.loc[hostile.index[7], "ors_03"] = HOSTILE["img"]
    bad = tmp_path / "hostile.csv"
    hostile.to_csv(bad, index=False)

    context = chromium.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    context.add_init_script(TRAPS)
    page = context.new_page()
    page.set_default_timeout(WAIT)
    errors, outside = collect_errors(page), []
    base = voila.url

    def route(r):
        if r.request.url.startswith(("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:")):
            return r.continue_()
        outside.append(r.request.url)
        return r.abort()

    context.route("**/*", route)
    try:
        page.goto(f"{base}/?token={voila.token}")
        page.locator(".alliance-dashboard").wait_for(state="visible")
        _choose(page, good)
        page.locator(".alliance-attention table").wait_for(state="visible")
        status = page.locator(".alliance-status").inner_text()
        assert "week.csv" in status and "12 client(s) in the period" in status, status
        assert "1 bad cell(s)" in status
        assert page.locator(".alliance-attention table tbody tr").count() >= 1
        page.get_by_role("tab", name="Bad cells (1)").click()
        bad_table = page.locator(".alliance-bad-cells table")
        bad_table.wait_for(state="visible")
        assert "nine" in bad_table.inner_text() and "srs_02" in bad_table.inner_text()
        page.get_by_role("tab", name=re.compile(r"^Attention \(")).click()
        page.wait_for_timeout(300)
        shot = page.screenshot(clip={"x": 0, "y": 0, "width": 1280, "height": 680})
        (screenshots / "dashboard.png").write_bytes(shot)
        tour_screenshot(shot, "clinics-dashboard", repo_root)
        with page.expect_download() as info:
            page.locator("a.alliance-download-link").click()
        saved = tmp_path / "downloaded.html"
        info.value.save_as(saved)
        html = saved.read_text(encoding="utf-8")
        assert info.value.suggested_filename == "clinic-report.html"
        assert "<title>Clinic Report: ORS, SRS</title>" in html and "CA004" in html

        # a hostile export: every id is text, nothing runs
        _choose(page, bad)
        # the status names the file when it is read, and the counts once the report is built
        page.wait_for_function("() => { const t = document.querySelector('.alliance-status').innerText;"
                               " return t.includes('hostile.csv') && t.includes('in the period'); }")
        page.wait_for_timeout(500)
        assert page.evaluate("() => window.__pwned") is None
        assert page.evaluate("() => window.__dialogs") == []
        page.get_by_role("tab", name=re.compile("^All clients")).click()
        page.locator(".alliance-roster table").wait_for(state="visible")
        roster = page.locator(".alliance-roster").inner_text()
        assert all(HOSTILE[k] in roster for k in ("script", "img", "svg"))  # shown as text
        for cls in ("alliance-attention", "alliance-roster", "alliance-bad-cells"):
            inner = page.locator(f".{cls}").inner_html()
            assert hostile_markers(inner) == [], inner[:500]
        page.screenshot(path=str(screenshots / "dashboard_hostile.png"))
        with page.expect_download() as info:
            page.locator("a.alliance-download-link").click()
        info.value.save_as(tmp_path / "hostile.html")
        assert hostile_markers((tmp_path / "hostile.html").read_text(encoding="utf-8")) == []
        assert page.locator(".alliance-error").inner_text() == ""
        assert not errors, errors
        assert not outside, f"the dashboard asked for outside resources: {outside}"
    finally:
        context.close()
