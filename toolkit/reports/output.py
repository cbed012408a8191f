"""Writing reports: the HTML page, or a PDF printed by Chromium when one is installed.

Nothing is overwritten unless asked (``overwrite=True``; ``--force`` on the command line), and a file is
written through a temporary file in the same folder, so a failure never leaves half a report behind.

PDF: Chromium's print-to-PDF, driven by the Python package playwright (in the test extra). The browser is
Debian's ``chromium`` (``/usr/bin/chromium``), the one named by ``ALLIANCE_CHROMIUM``, or playwright's own
when ``playwright install chromium`` was run. The page is printed with scripts disabled and every request
refused, so the PDF shows exactly what the HTML holds. Without a browser the PDF is not written and
:class:`~toolkit.exceptions.ConverterNotFoundError` says what to install; the HTML prints from any browser.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from ..exceptions import ConverterNotFoundError, FileExistsRefusal, InvalidParameterError

__all__ = ["write_report", "write_html", "write_pdf", "find_chromium", "SUFFIXES"]

SUFFIXES = (".html", ".htm", ".pdf")


def _target(path, overwrite: bool, caller: str, suffixes=SUFFIXES) -> Path:
    try:
        path = Path(os.fspath(path)).expanduser()
    except TypeError:
        raise InvalidParameterError(f"The 'path' parameter of {caller}() must be a file name such as "
                                    f"'report.html'; got {path!r}.") from None
    if path.is_dir():
        raise InvalidParameterError(f"The 'path' parameter of {caller}() names the folder {str(path)!r}; give a "
                                    f"file name such as {str(path / ('report' + suffixes[0]))!r}.")
    if path.suffix.lower() not in suffixes:
        raise InvalidParameterError(
            f"The 'path' parameter of {caller}() must end in {', '.join(suffixes)} (the suffix decides the "
            f"format); got {str(path)!r}.")
    if path.exists() and not overwrite:
        raise FileExistsRefusal(f"refusing to overwrite the existing file {str(path)!r}; pass overwrite=True "
                                "(--force on the command line) to replace it, or choose another name")
    if not path.parent.is_dir():
        raise FileNotFoundError(f"cannot write {str(path)!r}: the folder {str(path.parent)!r} does not exist")
    return path


def _atomic(path: Path, write) -> Path:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=path.suffix, dir=path.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        # mkstemp makes the file private (0600): give it the mode a new file gets here, or the one it replaces
        if path.exists():
            mode = path.stat().st_mode & 0o777
        else:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def write_html(html: str, path, *, overwrite: bool = False, caller: str = "write_html") -> Path:
    """Write the page to ``path`` (``.html``/``.htm``), UTF-8; refuse to replace a file unless ``overwrite``."""
    target = _target(path, overwrite, caller, (".html", ".htm"))
    return _atomic(target, lambda p: p.write_text(html, encoding="utf-8"))


def find_chromium() -> str | None:
    """The Chromium executable used for PDF: ``$ALLIANCE_CHROMIUM``, Debian's, or ``None`` (then playwright's
    own browser is tried, if it was installed)."""
    env = os.environ.get("ALLIANCE_CHROMIUM")
    if env:
        return env if Path(env).exists() else None
    for name in ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"):
        if Path(name).exists():
            return name
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


_HOW = ("install the Python package playwright (pip install playwright) and a Chromium (on Debian: apt-get "
        "install chromium; elsewhere: python -m playwright install chromium); or open the HTML report in any "
        "browser and print it to PDF")


def write_pdf(html: str, path, *, overwrite: bool = False, caller: str = "write_pdf") -> Path:
    """Print the page to ``path`` (``.pdf``, A4, backgrounds kept) with headless Chromium.

    Raises
    ------
    ConverterNotFoundError
        playwright or Chromium is not installed (the message says how to install them).
    """
    target = _target(path, overwrite, caller, (".pdf",))
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise ConverterNotFoundError(f"cannot write the PDF {str(target)!r}: the Python package playwright is not "
                                     f"installed. To make PDFs, {_HOW}.") from None
    executable = find_chromium()

    def write(tmp: Path) -> None:
        with sync_playwright() as pw:
            try:
                browser = pw.chromium.launch(executable_path=executable, headless=True,
                                             args=["--no-sandbox", "--disable-gpu", "--no-first-run"])
            except PlaywrightError as exc:
                raise ConverterNotFoundError(
                    f"cannot write the PDF {str(target)!r}: no Chromium could be started "
                    f"({str(exc).splitlines()[0]}). To make PDFs, {_HOW}.") from None
            try:
                page = browser.new_context(java_script_enabled=False, offline=True).new_page()
                page.route("**/*", lambda route: route.abort())
                page.set_content(html, wait_until="load")
                page.pdf(path=str(tmp), format="A4", print_background=True, prefer_css_page_size=True)
            finally:
                browser.close()

    return _atomic(target, lambda tmp: _in_thread(write, tmp))


def _in_thread(func, *args) -> None:
    """Run ``func`` in a thread of its own: playwright's synchronous API refuses to run where an asyncio loop is
    running (a Jupyter kernel, an async application), and a new thread has none."""
    import threading

    failure: list[BaseException] = []

    def run():
        try:
            func(*args)
        except BaseException as exc:  # noqa: BLE001 - raised again in the caller's thread
            failure.append(exc)

    thread = threading.Thread(target=run, name="alliance-pdf")
    thread.start()
    thread.join()
    if failure:
        raise failure[0]


def write_report(html: str, path, *, overwrite: bool = False, caller: str = "save") -> Path:
    """Write the page as HTML or PDF, as the suffix of ``path`` says."""
    target = _target(path, overwrite, caller)
    if target.suffix.lower() == ".pdf":
        return write_pdf(html, target, overwrite=overwrite, caller=caller)
    return write_html(html, target, overwrite=overwrite, caller=caller)
