"""What a person sees: the caseload view and a client's session timeline in JupyterLab, in headless Chromium.

A temporary notebook (built here, so that the test does not depend on a teaching notebook's cells) loads the
shipped samples, builds the caseload and the timeline with the package's functions and displays
``caseload_view``. The test picks another client in the caseload list and checks that the timeline's plot,
alert list and heading changed to that client; then it types into the timeline's own client search.
Screenshots go to ``test-artifacts/screenshots/``. Chromium and playwright as in ``test_lab_compare.py``.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import time
import urllib.request

import pytest

from .test_lab_compare import WAIT, _free_port, _image_bytes, _write_settings, browser_page  # noqa: F401

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

    root = tmp_path / "notebooks"
    root.mkdir()
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in CELLS])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, root / NOTEBOOK)
    kernels = tmp_path / "jupyter" / "kernels" / "python3"
    kernels.mkdir(parents=True)
    (kernels / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (alliance-toolkit venv)", "language": "python"}))
    _write_settings(tmp_path / "lab-settings")
    env = dict(os.environ, JUPYTER_PATH=str(tmp_path / "jupyter"), JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"),
               JUPYTER_CONFIG_DIR=str(tmp_path / "config"), JUPYTERLAB_SETTINGS_DIR=str(tmp_path / "lab-settings"),
               JUPYTERLAB_WORKSPACES_DIR=str(tmp_path / "workspaces"), PYTHONPATH=str(repo_root),
               MPLBACKEND="Agg")
    port, token = _free_port(), secrets.token_hex(16)
    cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
           "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
           "--LabApp.expose_app_in_browser=True"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")
    log = (tmp_path / "lab.log").open("w")
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                log.flush()
                pytest.fail(f"JupyterLab did not start on port {port}:\n{(tmp_path / 'lab.log').read_text()[-3000:]}")
            time.sleep(0.3)
        yield {"url": url, "token": token}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


@pytest.mark.browser
@pytest.mark.slow
def test_picking_a_client_in_the_caseload_opens_its_timeline(lab, browser_page, artifacts_dir):  # noqa: F811
    page = browser_page
    shots = artifacts_dir / "screenshots"
    shots.mkdir(exist_ok=True)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    page.goto(f"{lab['url']}/lab/tree/{NOTEBOOK}?token={lab['token']}")
    page.wait_for_selector(".jp-Notebook .jp-Cell", state="attached")
    page.wait_for_function("() => window.jupyterapp && window.jupyterapp.shell.currentWidget"
                           " && window.jupyterapp.shell.currentWidget.sessionContext"
                           " && window.jupyterapp.shell.currentWidget.sessionContext.session"
                           " && window.jupyterapp.shell.currentWidget.sessionContext.session.kernel")
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")

    view = page.locator(".alliance-caseload")
    view.wait_for(state="visible")
    page.wait_for_function("() => { const i = document.querySelector('img.alliance-timeline-plot');"
                           " return i && i.src.startsWith('blob:') && i.complete && i.naturalWidth > 100; }")
    listing = page.locator(".alliance-caseload-list select")
    options = listing.locator("option")
    assert options.count() == 250
    first_id = options.nth(0).get_attribute("value") or options.nth(0).inner_text().split()[0]
    timeline_client = page.locator(".alliance-timeline-client select")
    page.wait_for_function("(id) => document.querySelector('.alliance-timeline-client select').value === id",
                           arg=first_id.split()[0])
    view.evaluate("e => e.scrollIntoView({block: 'start'})")
    before_src = page.locator("img.alliance-timeline-plot").get_attribute("src")
    before_png = _image_bytes(page, "img.alliance-timeline-plot")
    before_alerts = page.locator(".alliance-alert-list").inner_text()
    view.screenshot(path=str(shots / "05_caseload_first.png"))

    label = options.nth(30).inner_text()
    target = label.split()[0]
    listing.select_option(label=label)  # a click on the 31st client of the list
    page.wait_for_function("(id) => document.querySelector('.alliance-timeline-client select').value === id",
                           arg=target)
    page.wait_for_function("(old) => document.querySelector('img.alliance-timeline-plot').src !== old", arg=before_src)
    page.wait_for_function("() => { const i = document.querySelector('img.alliance-timeline-plot');"
                           " return i.complete && i.naturalWidth > 100; }")
    page.locator(".alliance-timeline").get_by_text(f"Client {target}").first.wait_for(state="visible")
    after_png = _image_bytes(page, "img.alliance-timeline-plot")
    view.screenshot(path=str(shots / "05_caseload_picked.png"))
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
    page.screenshot(path=str(shots / "05_caseload_page.png"), full_page=True)
    assert not errors, f"JavaScript errors in the page: {errors}"
