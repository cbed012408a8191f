"""The clinic dashboard: drop in the export, see every bad cell, the scores, flags and clients needing
attention, download the report. No code: ``make dashboard`` serves ``notebooks/dashboard/clinic.ipynb`` as an
app with Voila.

The widget is thin: :func:`toolkit.read_responses` reads the file, :func:`toolkit.reports.clinic_report`
scores it and builds the report, and the widget shows the report's own tables (escaped) and offers its page
for download. Errors of any step are shown in the widget, named as the toolkit names them.
"""

from __future__ import annotations

import base64
import html
import os
import re
import tempfile
import warnings
from pathlib import Path

import ipywidgets as W

from ._common import ErrorArea, table_html

__all__ = ["clinic_dashboard", "ClinicDashboard", "detect_instruments", "parse_period"]

ACCEPT = ".csv,.tsv,.tab,.txt,.xlsx,.xlsm,.sav,.zsav,.por,.dta"
NONE = "(none)"


def detect_instruments(columns) -> list[str]:
    """Shipped instruments whose every item column is present under its own name (``srs_01``..``srs_04``).

    Exports with generic names (``Q1``..``Q12``) fit several instruments; then none is guessed and the user
    picks.

    Examples
    --------
    >>> detect_instruments(["client_id", "session"] + [f"srs_{k:02d}" for k in range(1, 5)])
    ['srs']
    """
    from ..instrument import list_instruments, load_instrument
    from ..scoring import default_column

    cols = {str(c) for c in columns}
    found = []
    for iid in list_instruments().index:
        ins = load_instrument(iid)
        if all(default_column(ins, it.number) in cols for it in ins.items):
            found.append(iid)
    return found


def parse_period(text: str, *, has_date: bool):
    """The dashboard's period box: empty (every administration), a calendar period (``2025-01``), or
    ``START to END`` (dates with a date column, session numbers without).

    Examples
    --------
    >>> parse_period("", has_date=True), parse_period("2025-01", has_date=True)
    (None, '2025-01')
    >>> parse_period("3 to 5", has_date=False)
    (3.0, 5.0)
    """
    from ..exceptions import InvalidParameterError

    text = (text or "").strip()
    if not text:
        return None
    parts = re.split(r"(?:^|\s)to(?:\s|$)", text, maxsplit=1)
    if len(parts) == 2:
        a, b = (p.strip() or None for p in parts)
        if has_date:
            return a, b
        try:
            return tuple(None if v is None else float(v) for v in (a, b))
        except ValueError:
            raise InvalidParameterError(f"The period {text!r} needs session numbers without a date column, such as "
                                        "'3 to 5'; or choose the date column.") from None
    return text


def _guess(columns, words) -> str:
    """The first column whose name contains the first of ``words`` that any name contains."""
    for w in words:
        for c in columns:
            if w in str(c).lower().replace(" ", "_"):
                return c
    return NONE


_HEADINGS = {"client": "Client", "administrations": "In period", "last_session": "Last session",
             "last_date": "Last date", "attention": "Attention", "reasons": "Reasons"}


def _readable(frame, shorts: dict):
    """The report's table with headings for people (``ors`` -> ``ORS score``); the values unchanged.
    ``shorts``: instrument id -> short name."""
    names = dict(_HEADINGS)
    for iid, short in shorts.items():
        names[iid] = f"{short} score"
        names[f"{iid}_change"] = f"{short} change"
    out = frame.rename(columns=names)
    if "Attention" in out:
        out["Attention"] = out["Attention"].map({True: "yes", False: ""})
    return out


class ClinicDashboard:
    """The dashboard's widgets and state (see :func:`clinic_dashboard`).

    Parameters
    ----------
    data : DataFrame, optional
        An export already read.
    instruments : str or list, optional
        Its instrument(s) (default: detected from the column names).
    filename : str
        The export's file name, shown in the status line.
    **options
        Passed to :func:`toolkit.reports.clinic_report`.

    Attributes
    ----------
    widget : ipywidgets.VBox
        What is displayed.
    data : DataFrame or None
        The export as read (never changed).
    report : ClinicReport or None
        The last report built.
    warnings : list of str
        The warnings of the last build (shown under the status line).

    Examples
    --------
    >>> import toolkit
    >>> export = toolkit.load_sample("srs_ors_sessions")
    >>> board = ClinicDashboard(export[export["client_id"] == "CA007"], ["srs", "ors"], filename="week.csv")
    >>> board.state["attention"], board.tabs.get_title(1)
    (1, 'Attention (1)')
    """

    def __init__(self, data=None, instruments=None, *, filename: str = "", **options):
        from ..instrument import list_instruments

        self.data = None
        self.report = None
        self.warnings: list[str] = []
        self.options = dict(options)
        self.filename = filename
        self.errors = ErrorArea()
        self.upload = W.FileUpload(accept=ACCEPT, multiple=False, description="Choose the export", icon="",
                                   layout=W.Layout(width="auto"))
        self.upload.add_class("alliance-upload")
        self.instruments = W.SelectMultiple(options=list(list_instruments().index), rows=4,
                                            description="Instruments")
        self.client = W.Dropdown(options=[NONE], description="Client")
        self.session = W.Dropdown(options=[NONE], description="Session")
        self.date = W.Dropdown(options=[NONE], description="Date")
        self.period = W.Text(placeholder="all, 2025-01, or 2025-01-06 to 2025-01-12", description="Period")
        self.run = W.Button(description="Update the report", button_style="primary")
        self.run.add_class("alliance-run")
        self.status = W.HTML()
        self.status.add_class("alliance-status")
        self.download = W.HTML()
        self.download.add_class("alliance-download")
        self.bad = W.HTML()
        self.bad.add_class("alliance-bad-cells")
        self.attention = W.HTML()
        self.attention.add_class("alliance-attention")
        self.roster = W.HTML()
        self.roster.add_class("alliance-roster")
        self.tabs = W.Tab(children=[self.bad, self.attention, self.roster])
        for k, title in enumerate(["Bad cells", "Attention", "All clients"]):
            self.tabs.set_title(k, title)
        settings = W.HBox([W.VBox([self.instruments]), W.VBox([self.client, self.session, self.date]),
                           W.VBox([self.period, self.run])])
        self.widget = W.VBox([W.HBox([self.upload, self.status]), settings, self.errors.widget, self.download,
                              self.tabs])
        self.widget.add_class("alliance-dashboard")
        self.upload.observe(self.errors.guard(self._on_upload, "reading the export"), names="value")
        self.run.on_click(self.errors.guard(lambda _b: self.build(), "making the report"))
        if data is not None:
            self.load(data, instruments)

    # --------------------------------------------------------------- steps
    def _on_upload(self, change) -> None:
        files = change["new"]
        if not files:
            return
        f = files[0]
        name = os.path.basename(str(f["name"])) or "export.csv"
        suffix = Path(name).suffix.lower()
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / f"export{suffix}"
            path.write_bytes(bytes(f["content"]))
            from ..io import read_responses

            data = read_responses(path)
        data.attrs.pop("source", None)  # the temporary path means nothing to the user
        self.filename = name
        self.load(data)

    def load(self, data, instruments=None) -> None:
        """Take an export (a DataFrame), guess the columns and instruments, and build the report."""
        self.data = data
        cols = list(data.columns)
        options = [NONE] + cols
        self.client.options = cols
        guess = _guess(cols, ("client", "patient", "participant", "id"))
        self.client.value = guess if guess != NONE else (cols[0] if cols else None)
        self.session.options = options
        self.session.value = _guess(cols, ("session", "visit", "wave"))
        self.date.options = options
        self.date.value = _guess(cols, ("date", "time", "when"))
        if instruments is None:
            instruments = detect_instruments(cols)
        elif isinstance(instruments, str):
            instruments = [instruments]
        self.instruments.value = tuple(instruments)
        where = f"<b>{html.escape(self.filename)}</b>: " if self.filename else ""
        self.status.value = f"{where}{len(data)} rows, {len(cols)} columns."
        if not instruments:
            self.status.value += " Choose the instrument(s) of the export, then press Update the report."
            return
        self.build()

    def build(self):
        """Score the export and build the report with the settings shown; fill the tables and the download."""
        from ..exceptions import InvalidParameterError
        from ..reports import clinic_report

        if self.data is None:
            raise InvalidParameterError("Choose the export file first.")
        if not self.instruments.value:
            raise InvalidParameterError("Choose the instrument(s) of the export.")
        session = None if self.session.value == NONE else self.session.value
        date = None if self.date.value == NONE else self.date.value
        period = parse_period(self.period.value, has_date=date is not None)
        self.download.value = ""
        with warnings.catch_warnings(record=True) as caught:  # shown in the dashboard (and noted in the report)
            warnings.simplefilter("always")
            rep = clinic_report(self.data, list(self.instruments.value), client=self.client.value, session=session,
                                date=date, period=period, **self.options)
        self.report = rep
        self.warnings = [str(w.message) for w in caught]
        n_att = len(rep.attention)
        self.status.value = (
            (f"<b>{html.escape(self.filename)}</b>: " if self.filename else "")
            + f"{len(self.data)} rows; {len(rep.table)} client(s) in the period, "
            f"<span class='alliance-n-attention'>{n_att}</span> need(s) attention, "
            f"<span class='alliance-n-bad'>{len(rep.bad_cells)}</span> bad cell(s).")
        if self.warnings:
            self.status.value += "<ul class='alliance-warnings' style='color:#8a5a00;margin:2px 0'>" + "".join(
                f"<li>{html.escape(m)}</li>" for m in self.warnings) + "</ul>"
        bad = rep.bad_cells
        self.bad.value = ("<p>Every cell of the items is a valid answer.</p>" if not len(bad) else
                          f"<p>{len(bad)} bad cell(s), scored as missing: fix them in the export.</p>"
                          + table_html(bad.astype(object)))
        from ..instrument import load_instrument

        shorts = {iid: (load_instrument(iid).short_name or iid) for iid in self.instruments.value}
        att = _readable(rep.attention.drop(columns=["attention"]), shorts)
        self.attention.value = ("<p>No client needs attention in this period.</p>" if not len(att) else
                                table_html(att, float_format="{:.1f}"))
        self.roster.value = table_html(_readable(rep.table.drop(columns=["reasons"]), shorts),
                                     float_format="{:.1f}")
        self.tabs.set_title(0, f"Bad cells ({len(bad)})")
        self.tabs.set_title(1, f"Attention ({n_att})")
        self.tabs.set_title(2, f"All clients ({len(rep.table)})")
        self.tabs.selected_index = 1 if n_att else 2
        payload = base64.b64encode(rep.html.encode("utf-8")).decode("ascii")
        self.download.value = (
            f'<a class="alliance-download-link" download="clinic-report.html" '
            f'href="data:text/html;charset=utf-8;base64,{payload}" '
            'style="display:inline-block;padding:6px 12px;background:#1f4e79;color:#fff;border-radius:4px;'
            'text-decoration:none">Download the report (HTML)</a>')
        return rep

    # --------------------------------------------------------------- display
    @property
    def state(self) -> dict:
        """What the dashboard shows now (for tests and scripts)."""
        return {"file": self.filename, "instruments": list(self.instruments.value), "client": self.client.value,
                "session": self.session.value, "date": self.date.value, "period": self.period.value,
                "clients": None if self.report is None else len(self.report.table),
                "attention": None if self.report is None else len(self.report.attention),
                "bad_cells": None if self.report is None else len(self.report.bad_cells),
                "warnings": list(self.warnings), "error": self.errors.message}

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)

    def __repr__(self) -> str:
        return f"<ClinicDashboard {self.state}>"


def clinic_dashboard(data=None, instruments=None, **options) -> ClinicDashboard:
    """The clinic dashboard: upload an export, see its bad cells, scores, flags and clients needing attention,
    download the report.

    Parameters
    ----------
    data : DataFrame, optional
        An export already read (the upload button reads one otherwise).
    instruments : str or list, optional
        Its instrument(s); by default those whose item columns are all present under their own names.
    **options
        Passed to :func:`toolkit.reports.clinic_report` (``thresholds``, ``attention``, ``charts``, ``clinic``,
        ``title`` ...).

    Returns
    -------
    ClinicDashboard
        Displayed as the last expression of a cell (or as an app by Voila: ``make dashboard``).

    Examples
    --------
    >>> import toolkit
    >>> from toolkit.widgets import clinic_dashboard
    >>> export = toolkit.load_sample("srs_ors_sessions")
    >>> board = clinic_dashboard(export[export["client_id"].isin(["CA001", "CA002"])])
    >>> board.state["instruments"], board.state["clients"]
    (['ors', 'srs'], 2)
    """
    return ClinicDashboard(data, instruments, **options)
