"""What the browser tests do in a page: collect its JavaScript errors and dialogs, open a notebook in
JupyterLab and run it, wait for an image, read an image's pixels."""

from __future__ import annotations

from ._servers import Server

#: true when the image is there, its address starts with the prefix, and it is loaded and wider than the width
_IMAGE_LOADED = ("([sel, prefix, width]) => { const i = document.querySelector(sel);"
                 " return !!i && i.src.startsWith(prefix) && i.complete && i.naturalWidth > width; }")


def collect_errors(page) -> list[str]:
    """The list the page's uncaught JavaScript errors are appended to from now on."""
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return errors


def collect_dialogs(page) -> list[str]:
    """The list the page's dialogs (alert, confirm, prompt) are appended to from now on; each is dismissed."""
    dialogs: list[str] = []

    def on_dialog(dialog):
        dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    page.on("dialog", on_dialog)
    return dialogs


def run_all_cells(page, lab: Server, notebook: str) -> None:
    """Open ``notebook`` in JupyterLab, wait for its kernel and run every cell (without waiting for them)."""
    page.goto(f"{lab.url}/lab/tree/{notebook}?token={lab.token}")
    page.wait_for_selector(".jp-Notebook .jp-Cell", state="attached")
    page.wait_for_function("() => window.jupyterapp && window.jupyterapp.shell.currentWidget"
                           " && window.jupyterapp.shell.currentWidget.sessionContext"
                           " && window.jupyterapp.shell.currentWidget.sessionContext.session"
                           " && window.jupyterapp.shell.currentWidget.sessionContext.session.kernel")
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")


def image_loaded(page, selector: str, *, src_prefix: str = "", min_width: int = 100) -> bool:
    """Whether the first image matching ``selector`` is shown: loaded, from ``src_prefix``, wider than
    ``min_width`` pixels."""
    return page.evaluate(_IMAGE_LOADED, [selector, src_prefix, min_width])


def wait_for_image(page, selector: str, *, src_prefix: str = "blob:", min_width: int = 100) -> None:
    """Wait until :func:`image_loaded` (a widget's image is a ``blob:`` address)."""
    page.wait_for_function(_IMAGE_LOADED, arg=[selector, src_prefix, min_width])


def image_bytes(page, selector: str) -> str:
    """The image's pixels as a data URL (drawn on a canvas), to compare what is shown, not just its address."""
    return page.evaluate(
        "(sel) => { const i = document.querySelector(sel); const c = document.createElement('canvas');"
        " c.width = i.naturalWidth; c.height = i.naturalHeight; c.getContext('2d').drawImage(i, 0, 0);"
        " return c.toDataURL('image/png'); }", selector)
