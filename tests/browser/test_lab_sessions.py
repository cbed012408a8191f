"""What a person sees: the caseload view and a client's session timeline in JupyterLab, in headless Chromium.

A temporary notebook (built here, so that the test does not depend on a teaching notebook's cells) loads the
shipped samples, builds the caseload and the timeline with the package's functions and displays
``caseload_view``. The test picks another client in the caseload list and checks that the timeline's plot,
alert list and heading changed to that client; then it types into the timeline's own client search.
Screenshots go to ``test-artifacts/screenshots/``. JupyterLab (``_servers.py``) and Chromium (``conftest.py``)
as in ``test_lab_compare.py``.
"""

from __future__ import annotations

import pytest

from ._pages import collect_errors, image_bytes, run_all_cells, wait_for_image
from ._servers import jupyter_server

NOTEBOOK = "sessions_caseload.ipynb"
CELLS = [
    "import warnings\n"
    "import pandas as pd\n"
    "import toolkit\n"
    "from toolkit.sessions import (caseload_summary, clinical_change, drop_below_running_mean, session_alerts,\n"
    "                              session_scores, trajectories)\n"
    "from toolkit.widgets import caseload_view\n"
    "warnings.simplefilter('ignore', toolkit.exceptions.SessionWarning)",
    "so = toolkit.load_sample('srs_ors_sessions')\n"
    "wai = pd.concat([\n"
    "    session_scores(toolkit.load_sample('wai_sr_sessions'), 'wai-sr', client='dyad_id', rater='rater',\n"
    "                   metric='pomp', name='alliance'),\n"
    "    session_scores(toolkit.load_sample('wai_s_therapist_sessions'), 'wai-s', form='therapist',\n"
    "                   client='dyad_id', rater='rater', metric='pomp', name='alliance')], ignore_index=True)\n"
    "srs = session_scores(so, 'srs', client='dyad_id')\n"
    "ors = session_scores(so, 'ors', client='dyad_id')\n"
    "panels = {'Alliance (WAI, POMP)': trajectories(wai, client='dyad_id', rater='rater', value='alliance'),\n"
    "          'Session rating (SRS)': trajectories(srs, 'srs', client='dyad_id'),\n"
    "          'Outcome (ORS)': trajectories(ors, 'ors', client='dyad_id')}\n"
    "ruptures = drop_below_running_mean(wai[wai['rater'] == 'client'], k=1.5, client='dyad_id', value='alliance')\n"
    "alerts = [session_alerts(so, 'srs', client='dyad_id'), session_alerts(so, 'ors', client='dyad_id')]\n"
    "summary = caseload_summary(*alerts, change=clinical_change(ors, 'ors', client='dyad_id'))",
    "view = caseload_view(summary, panels, episodes={'Alliance (WAI, POMP)': ruptures}, alerts=alerts)\nview",
]


@pytest.fixture
def lab(tmp_path, repo_root):
    """JupyterLab on a free loopback port, token-protected, serving the generated notebook."""
    import nbformat

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in CELLS])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, tmp_path / NOTEBOOK)
    with jupyter_server("lab", tmp_path, repo_root, tmp_path / NOTEBOOK) as server:
        yield server


@pytest.mark.browser
@pytest.mark.slow
def test_picking_a_client_in_the_caseload_opens_its_timeline(lab, browser_page, screenshots):
    page = browser_page
    errors = collect_errors(page)
    run_all_cells(page, lab, NOTEBOOK)

    view = page.locator(".alliance-caseload")
    view.wait_for(state="visible")
    wait_for_image(page, "img.alliance-timeline-plot")
    listing = page.locator(".alliance-caseload-list select")
    options = listing.locator("option")
    assert options.count() == 250
    first_id = options.nth(0).get_attribute("value") or options.nth(0).inner_text().split()[0]
    timeline_client = page.locator(".alliance-timeline-client select")
    page.wait_for_function("(id) => document.querySelector('.alliance-timeline-client select').value === id",
                           arg=first_id.split()[0])
    view.evaluate("e => e.scrollIntoView({block: 'start'})")
    before_src = page.locator("img.alliance-timeline-plot").get_attribute("src")
    before_png = image_bytes(page, "img.alliance-timeline-plot")
    before_alerts = page.locator(".alliance-alert-list").inner_text()
    view.screenshot(path=str(screenshots / "05_caseload_first.png"))

    label = options.nth(30).inner_text()
    target = label.split()[0]
    listing.select_option(label=label)  # a click on the 31st client of the list
    page.wait_for_function("(id) => document.querySelector('.alliance-timeline-client select').value === id",
                           arg=target)
    page.wait_for_function("(old) => document.querySelector('img.alliance-timeline-plot').src !== old", arg=before_src)
    wait_for_image(page, "img.alliance-timeline-plot")
    page.locator(".alliance-timeline").get_by_text(f"Client {target}").first.wait_for(state="visible")
    after_png = image_bytes(page, "img.alliance-timeline-plot")
    view.screenshot(path=str(screenshots / "05_caseload_picked.png"))
    assert after_png != before_png, "the timeline plot did not change with the client"
    assert timeline_client.input_value() == target
    assert page.locator(".alliance-alert-list").inner_text() != before_alerts or target == first_id

    # the timeline's own search narrows its chooser
    search = page.locator(".alliance-timeline input[type='text']").first
    search.fill("A01")
    page.wait_for_function("() => document.querySelectorAll('.alliance-timeline-client select option').length == 10")
    error_areas = page.locator(".alliance-caseload .alliance-error")  # the caseload's and the timeline's
    assert error_areas.count() == 2
    assert not any(error_areas.nth(k).is_visible() for k in range(2))
    assert page.locator("[data-mime-type='application/vnd.jupyter.error']").count() == 0
    page.screenshot(path=str(screenshots / "05_caseload_page.png"), full_page=True)
    assert not errors, f"JavaScript errors in the page: {errors}"
