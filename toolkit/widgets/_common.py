"""Plumbing shared by the widgets: an error area that shows callback errors, figures as PNG."""

from __future__ import annotations

import functools
import html
import io
import traceback

import ipywidgets as W

__all__ = ["ErrorArea", "figure_png", "table_html"]


class ErrorArea:
    """Shows the exception of a failed callback inside the widget, instead of losing it.

    ipywidgets runs ``observe`` and ``on_click`` callbacks in the kernel, where an
    exception ends up in the browser's console or the kernel log at best. Every
    callback of the toolkit's widgets goes through :meth:`guard`: the error's type and
    message are shown in red (with the traceback folded underneath), kept in
    :attr:`errors`, and cleared by the next callback that succeeds.
    """

    def __init__(self):
        self.widget = W.HTML(value="", layout=W.Layout(display="none"))
        self.widget.add_class("alliance-error")
        self.errors: list[BaseException] = []
        #: The error shown now as plain text (``"Type while doing: message"``), ``""`` when none.
        self.message = ""

    @property
    def text(self) -> str:
        """What the area shows now (HTML), ``""`` when there is no error."""
        return self.widget.value

    def show(self, exc: BaseException, where: str = "") -> None:
        self.errors.append(exc)
        tb = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        place = f" while {where}" if where else ""
        self.message = f"{type(exc).__name__}{place}: {exc}"
        self.widget.value = (
            '<div style="color:#b00020;border:1px solid #b00020;padding:4px 8px;border-radius:4px">'
            f"<b>{html.escape(type(exc).__name__)}</b>{html.escape(place)}: {html.escape(str(exc))}"
            f"<details><summary>traceback</summary><pre style='font-size:11px'>{html.escape(tb)}</pre></details>"
            "</div>"
        )
        self.widget.layout.display = None

    def clear(self) -> None:
        self.message = ""
        self.widget.value = ""
        self.widget.layout.display = "none"

    def guard(self, fn, where: str = ""):
        """Wrap a callback so that an exception is shown in the widget (and the area cleared on success)."""

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            try:
                result = fn(*args, **kwargs)
            except Exception as exc:  # noqa: BLE001 - shown to the user, kept in .errors
                self.show(exc, where)
                return None
            self.clear()
            return result

        return wrapper


def new_axes(figsize, rows: int = 1, **subplots):
    """Axes of a new figure built without pyplot (nothing registered with a backend, nothing to close):
    one Axes, or an array of ``rows`` stacked ones, for the plot functions' ``ax=``."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize, layout="constrained")
    if rows == 1 and not subplots:
        return fig.add_subplot()
    return fig.subplots(rows, 1, squeeze=False, **subplots)[:, 0]


def figure_png(fig, dpi: int = 90) -> bytes:
    """Render a matplotlib figure to PNG bytes (and close it if pyplot manages it)."""
    buf = io.BytesIO()
    try:
        fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight")
    finally:
        import sys

        if "matplotlib.pyplot" in sys.modules:
            sys.modules["matplotlib.pyplot"].close(fig)
    return buf.getvalue()


def table_html(frame, *, highlight=None, classes: str = "alliance-table", float_format: str = "{:.1f}") -> str:
    """A small HTML table; rows whose position is in ``highlight`` are shaded (display only).

    Whole numbers are shown without decimals, others with ``float_format``; the frame is not changed.
    """
    highlight = set(highlight or ())
    head = "".join(f"<th style='padding:2px 6px'>{html.escape(str(c))}</th>" for c in frame.columns)
    rows = []
    for k, (_, row) in enumerate(frame.iterrows()):
        style = "background:#ffe3b3;font-weight:bold" if k in highlight else ""
        cells = []
        for value in row:
            number = isinstance(value, (int, float)) and not isinstance(value, bool)
            if isinstance(value, float):
                text = "" if value != value else (f"{value:.0f}" if value == int(value) else float_format.format(value))
            else:
                text = "" if value is None else str(value)
            align = "right" if number else "left"
            cells.append(f"<td style='padding:2px 6px;text-align:{align}'>{html.escape(text)}</td>")
        rows.append(f"<tr style='{style};line-height:1.3'>{''.join(cells)}</tr>")
    return (
        f"<table class='{classes}' style='border-collapse:collapse;font-size:11px;white-space:nowrap'>"
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )
