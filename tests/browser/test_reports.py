"""The reports as a person sees them: opened in headless Chromium from the file written.

Hostile ids, labels and titles must show as text and run nothing. The page's content security policy would
block an injected script anyway, so the escaping itself is tested with the policy bypassed; a second pass with
the policy on checks that it blocks nothing the report needs. Screenshots go to ``test-artifacts/screenshots/``.
"""

from __future__ import annotations

import pytest

import toolkit
from toolkit.reports import clinic_report, validation_report

from ..reports.conftest import HOSTILE
from ._pages import collect_errors, image_loaded
from .conftest import TRAPS, tour_screenshot

pytestmark = pytest.mark.browser


def _open(chromium, path, *, bypass_csp: bool):
    context = chromium.new_context(viewport={"width": 1100, "height": 900}, bypass_csp=bypass_csp)
    context.add_init_script(TRAPS)
    page = context.new_page()
    seen = {"errors": collect_errors(page), "console": [], "requests": []}
    page.on("console", lambda msg: seen["console"].append(f"{msg.type}: {msg.text}"))

    def route(r):
        if not r.request.url.startswith("file://"):
            seen["requests"].append(r.request.url)
            return r.abort()
        return r.continue_()

    page.route("**/*", route)
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    return context, page, seen


def _nothing_ran(page, seen) -> None:
    assert page.evaluate("() => window.__pwned") is None, "injected markup ran"
    assert page.evaluate("() => window.__dialogs") == []
    assert page.locator("script").count() == 0
    assert not seen["errors"], seen["errors"]
    assert not seen["requests"], f"the page asked for outside resources: {seen['requests']}"


@pytest.fixture(scope="module")
def hostile_clinic(tmp_path_factory):
    import yaml

    from toolkit._paths import instruments_dir

    folder = tmp_path_factory.mktemp("clinic")
    spec = yaml.safe_load((instruments_dir() / "srs.yaml").read_text(encoding="utf-8"))
    spec["name"], spec["short_name"] = HOSTILE["script"], HOSTILE["amp"]
    for item in spec["items"]:
        item["label"] = HOSTILE["img"][:60]
    for t in spec["thresholds"]:
        t["label"] = HOSTILE["svg"]
    (folder / "srs.yaml").write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    export = toolkit.load_sample("srs_ors_sessions")
    export = export[export["client_id"].isin([f"CA{k:03d}" for k in range(1, 9)])].copy()
    names = {"CA001": HOSTILE["script"], "CA002": HOSTILE["img"], "CA003": HOSTILE["svg"]}
    export["client_id"] = export["client_id"].replace(names)
    export = export.astype({"ors_02": object})
    export.loc[export.index[3], "ors_02"] = HOSTILE["img"]  # a bad cell whose value is markup
    rep = clinic_report(export, [folder / "srs.yaml", "ors"], title=HOSTILE["script"], clinic=HOSTILE["amp"])
    return rep, rep.save(folder / "clinic.html")


def test_clinic_report_in_chromium(chromium, hostile_clinic, screenshots):
    rep, path = hostile_clinic
    context, page, seen = _open(chromium, path, bypass_csp=True)
    try:
        _nothing_ran(page, seen)
        assert page.locator("table.gt_table").count() == 5  # flags, change categories, attention, roster, bad cells
        charts = page.locator("svg.progress-chart")
        assert charts.count() == len(rep.attention) > 0
        box = charts.first.bounding_box()
        assert box["width"] > 300 and box["height"] > 150
        assert page.locator("svg.progress-chart polyline").count() > 0
        # the hostile strings are shown as text
        assert page.locator("h1").inner_text() == HOSTILE["script"]
        assert page.get_by_text(HOSTILE["img"], exact=True).count() >= 1  # a client id and the bad cell's value
        page.screenshot(path=str(screenshots / "report_clinic.png"), full_page=False)
        page.locator("#s2").scroll_into_view_if_needed()
        page.locator("figure.client-chart").first.screenshot(path=str(screenshots / "report_clinic_chart.png"))
        page.emulate_media(media="print")
        page.screenshot(path=str(screenshots / "report_clinic_print.png"))
        assert page.locator("nav.contents").is_hidden()  # the print stylesheet applies
    finally:
        context.close()
    # with the page's own policy: nothing it needs is blocked
    context, page, seen = _open(chromium, path, bypass_csp=False)
    try:
        _nothing_ran(page, seen)
        assert not [m for m in seen["console"] if "Content Security Policy" in m], seen["console"]
    finally:
        context.close()


def test_validation_report_in_chromium(chromium, tmp_path, screenshots, repo_root):
    sessions = toolkit.load_sample("wai_sr_sessions")
    rep = validation_report(sessions[sessions["session"] == 3], "wai-sr", n_boot=200, n_iter=10, seed=1)
    path = rep.save(tmp_path / "validation.html")
    context, page, seen = _open(chromium, path, bypass_csp=False)
    try:
        _nothing_ran(page, seen)
        assert page.locator("table.gt_table").count() == 9  # and the CFA fit, nested tests, omegas and loadings
        assert page.get_by_text("Fit of the Confirmatory Models").count() == 1
        img = page.locator("figure.apa-figure img")
        assert img.count() == 1
        assert image_loaded(page, "figure.apa-figure img", min_width=200)
        assert not [m for m in seen["console"] if "Content Security Policy" in m], seen["console"]
        page.screenshot(path=str(screenshots / "report_validation.png"), full_page=True)
        page.locator("#table-2-block").scroll_into_view_if_needed()
        shot = page.screenshot(clip={"x": 40, "y": 0, "width": 1020, "height": 760})
        (screenshots / "report_validation_tables.png").write_bytes(shot)
        tour_screenshot(shot, "researchers-validation-report", repo_root)
    finally:
        context.close()


def test_a_report_prints_to_pdf(chromium, hostile_clinic, tmp_path):
    rep, _ = hostile_clinic
    out = rep.save(tmp_path / "clinic.pdf")
    data = out.read_bytes()
    assert data.startswith(b"%PDF") and len(data) > 20_000
