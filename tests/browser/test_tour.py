"""The classrooms screenshot of the README tour: notebook 02's checked exercises, as a student sees them.

The notebook is executed with one exercise answered (the check says **correct**) and one left empty (the check
says **not yet**), rendered to HTML by nbconvert and shown in Chromium (outside requests refused). The
screenshot goes to ``test-artifacts/screenshots/``, and to ``docs/_static/tour/`` with
``ALLIANCE_README_SCREENSHOTS=1``.
"""

from __future__ import annotations

import pytest

from .conftest import tour_screenshot

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ANSWER = ("C = task_items.cov().to_numpy(); k = C.shape[0]\n"
          "my_alpha = k / (k - 1) * (1 - np.trace(C) / C.sum())")


def test_classroom_exercises_screenshot(chromium, repo_root, tmp_path, screenshots):
    import nbformat
    from nbclient import NotebookClient
    from nbconvert import HTMLExporter

    nb = nbformat.read(repo_root / "notebooks" / "02_reliability.ipynb", as_version=4)
    start = next(i for i, c in enumerate(nb.cells) if c.cell_type == "markdown" and "Exercises" in c.source)
    first = next(i for i, c in enumerate(nb.cells) if i > start and "my_alpha = None" in c.source)
    nb.cells[first].source = nb.cells[first].source.replace(
        "my_alpha = None     # your code here, e.g. C = task_items.cov().to_numpy(); k = ...", ANSWER)
    assert ANSWER in nb.cells[first].source
    solutions = next(i for i, c in enumerate(nb.cells) if c.cell_type == "markdown" and c.source.startswith("## Sol"))
    nb.cells = nb.cells[:solutions]  # the student's view: no solutions run
    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    printed = "".join(o.get("text", "") for c in nb.cells[start:] if c.cell_type == "code" for o in c.outputs)
    assert "Exercise 1: correct" in printed and "Exercise 2: not yet" in printed, printed
    body, _ = HTMLExporter(template_name="lab").from_notebook_node(nb)
    page_file = tmp_path / "02.html"
    page_file.write_text(body, encoding="utf-8")

    context = chromium.new_context(viewport={"width": 1000, "height": 760})
    page = context.new_page()
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file://") else r.abort())
    try:
        page.goto(page_file.as_uri())
        page.evaluate("() => { const h = [...document.querySelectorAll('h2, h3')].find("
                      "e => e.textContent.startsWith('Exercise 1')); window.scrollTo(0, h.offsetTop - 10); }")
        shot = page.screenshot()
        (screenshots / "tour_classroom_exercises.png").write_bytes(shot)
        tour_screenshot(shot, "classrooms", repo_root)
    finally:
        context.close()
