"""What a student and a teacher see: classroom notebooks, run with a hostile student id, opened in Chromium.

Two notebooks (one with a figure), teacher and student versions, are executed with
``STUDENT_ID = <hostile markup>``, rendered to HTML by nbconvert (as a course page or nbgrader's feedback would
show them) and opened in Debian's headless Chromium with every network request blocked. The page must open no
dialog, run no script and create no element from the id (it is shown as text), show no error output, and show
one feedback per step: all "correct" in the teacher version, all "not yet" with a hint in the student version.
Screenshots go to ``test-artifacts/screenshots/``.
"""

from __future__ import annotations

import json

import pytest

from toolkit.classroom.registry import EXERCISES
from toolkit.classroom.release import student_version, teacher_notebooks

from ..test_notebooks import _execute, venv_kernel  # noqa: F401  (venv_kernel is a fixture)
from ._pages import collect_dialogs

HOSTILE = '<img src=x onerror="window.__pwned=1;alert(1)"><script>window.__pwned=2</script>'
NOTEBOOKS = ["01_reverse_scoring.ipynb", "07_icc_vs_r.ipynb"]
BY_NOTEBOOK = {spec.notebook: spec for spec in EXERCISES.values()}


def _rendered(name: str, version: str, kernel: str, tmp_path) -> tuple[str, object]:
    """The notebook with the hostile id, executed, as nbconvert's HTML (and the executed notebook)."""
    import nbformat
    from nbconvert import HTMLExporter

    (path,) = [p for p in teacher_notebooks() if p.name == name]
    nb = json.loads(path.read_text(encoding="utf-8"))
    if version == "student":
        nb = student_version(nb, name=name)
    nb = nbformat.reads(json.dumps(nb), as_version=4)  # sources joined into text
    (setup,) = [c for c in nb.cells if "STUDENT_ID = " in c.source and c.cell_type == "code"]
    line = next(x for x in setup.source.splitlines() if x.startswith("STUDENT_ID = "))
    setup.source = setup.source.replace(line, f"STUDENT_ID = {HOSTILE!r}")
    _execute(nb, kernel, path.parent)
    html, _ = HTMLExporter().from_notebook_node(nb)
    return html, nb


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("version", ["teacher", "student"])
@pytest.mark.parametrize("name", NOTEBOOKS)
def test_classroom_notebook_in_chromium(name, version, chromium, venv_kernel, tmp_path, screenshots):  # noqa: F811
    html, nb = _rendered(name, version, venv_kernel, tmp_path)
    assert not [o for c in nb.cells for o in c.get("outputs", []) if o["output_type"] == "error"]
    page_file = tmp_path / f"{version}_{name}.html"
    page_file.write_text(html, encoding="utf-8")

    page = chromium.new_page(viewport={"width": 1100, "height": 900})
    dialogs = collect_dialogs(page)
    requests: list[str] = []

    def offline(route):
        requests.append(route.request.url)
        route.abort()

    page.route("http*://**/*", offline)  # the page must work offline; nbconvert's CDN scripts stay unloaded
    try:
        page.goto(page_file.as_uri(), wait_until="load")
        page.wait_for_timeout(300)  # onerror handlers run after the load event
        pwned = page.evaluate("() => window.__pwned === undefined ? null : window.__pwned")
        injected = page.evaluate("() => document.querySelectorAll('img[src=\"x\"], [onerror*=\"__pwned\"]').length"
                                 " + [...document.scripts].filter(s => s.textContent.includes('__pwned')).length")
        feedback = page.locator(".alliance-feedback")
        n_pass = page.locator(".alliance-feedback-pass").count()
        n_fail = page.locator(".alliance-feedback-fail").count()
        texts = feedback.all_inner_texts()
        body = page.inner_text("body")
        errors = page.locator("[data-mime-type='application/vnd.jupyter.stderr']").all_inner_texts()
        images = page.evaluate("() => [...document.images].filter(i => i.src.startsWith('data:image/png')"
                               " && i.naturalWidth > 100).length")
        stem = name.removesuffix(".ipynb")
        page.screenshot(path=str(screenshots / f"classroom_{stem}_{version}.png"), full_page=True)
        cell = feedback.nth(1).locator("xpath=ancestor::div[contains(@class, 'jp-Cell')][1]")
        cell.screenshot(path=str(screenshots / f"classroom_{stem}_{version}_check.png"))
    finally:
        page.close()

    assert not dialogs and pwned is None and injected == 0, (dialogs, pwned, injected)
    assert HOSTILE.split(">")[0] in body  # the id is shown, as text
    steps = [s.name for s in BY_NOTEBOOK[name].steps]
    assert len(texts) == len(steps)
    if version == "teacher":
        assert n_pass == len(steps) and n_fail == 0 and all("correct" in t for t in texts)
    else:
        assert n_fail == len(steps) and n_pass == 0
        assert all("not yet" in t and "Hint:" in t for t in texts)
        assert "correct" not in body.lower()
    assert not [e for e in errors if "Traceback" in e or "Error" in e], errors
    if name == "07_icc_vs_r.ipynb":
        assert images >= 1, "the scatter plot is not shown"


@pytest.mark.browser
@pytest.mark.slow
def test_what_a_student_sees_when_checking(chromium, venv_kernel, tmp_path, screenshots, repo_root):  # noqa: F811
    """Three answers to one step (none, a typical mistake, the right one): the README's screenshot."""
    import nbformat
    from nbconvert import HTMLExporter

    cells = [
        'from toolkit import classroom\nex = classroom.exercise("alpha_by_hand", "2026001")',
        'ex.check("alpha", ...)',
        "C = ex.data.cov().to_numpy()\nk = len(C)\nex.check(\"alpha\", 1 - C.trace() / C.sum())",
        'ex.check("alpha", k / (k - 1) * (1 - C.trace() / C.sum()))',
    ]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    _execute(nb, venv_kernel, repo_root)
    html, _ = HTMLExporter(template_name="classic").from_notebook_node(nb)
    page_file = tmp_path / "checks.html"
    page_file.write_text(html, encoding="utf-8")
    page = chromium.new_page(viewport={"width": 1000, "height": 600})
    page.route("http*://**/*", lambda route: route.abort())
    try:
        page.goto(page_file.as_uri(), wait_until="load")
        texts = page.locator(".alliance-feedback").all_inner_texts()
        page.locator("#notebook-container").screenshot(path=str(screenshots / "classroom_checks.png"))
    finally:
        page.close()
    assert len(texts) == 3
    assert "No answer yet" in texts[0] and "Did you multiply by k / (k - 1)?" in texts[1] and "correct" in texts[2]
