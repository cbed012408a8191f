"""A clinic's caseload sorted by need; picking a client opens its session timeline: an ipywidgets view.

The ordering and the counts come from :func:`toolkit.sessions.caseload_summary`; the timeline is
:class:`toolkit.widgets.timeline.SessionTimeline`.
"""

from __future__ import annotations

import html

import ipywidgets as W

from ._common import ErrorArea, figure_png, new_axes
from .timeline import SessionTimeline

__all__ = ["caseload_view", "CaseloadView"]


def caseload_view(summary, panels=None, *, timeline: SessionTimeline | None = None, episodes=None, alerts=None,
                  only_attention: bool = False) -> "CaseloadView":
    """The clinic's clients, most in need first; choosing one shows its timeline underneath.

    Parameters
    ----------
    summary : Caseload
        :func:`toolkit.sessions.caseload_summary`.
    panels : Trajectories or dict of str to Trajectories, optional
        The series of the timeline, as in :func:`toolkit.widgets.session_timeline` (or pass ``timeline=``).
    timeline : SessionTimeline, optional
        A timeline built already (then ``panels``, ``episodes`` and ``alerts`` are not needed).
    episodes : Episodes, list or dict of str to Episodes, optional
        Rule results marked on the timeline.
    alerts : Alerts or list of Alerts, optional
        The alerts listed for each client.
    only_attention : bool
        List only the clients who need attention (a checkbox in the view).

    Returns
    -------
    CaseloadView
        Displays itself in a notebook. For scripts and tests: ``.clients`` (the list chooser), ``.only`` (the
        checkbox), ``.timeline`` (the embedded :class:`SessionTimeline`), ``.state``, ``.errors``.

    Examples
    --------
    >>> import pandas as pd
    >>> from toolkit.sessions import caseload_summary, session_alerts, session_scores, trajectories
    >>> from toolkit.widgets import caseload_view
    >>> d = pd.DataFrame({"client_id": ["a", "a", "b", "b"], "session": [1, 2, 1, 2],
    ...                   "srs_01": [9.5, 9.6, 9.5, 7.0], "srs_02": 9.5, "srs_03": 9.5, "srs_04": 9.5})
    >>> alerts = session_alerts(d, "srs")
    >>> view = caseload_view(caseload_summary(alerts), trajectories(session_scores(d, "srs"), "srs"), alerts=alerts)
    >>> view.clients.value, view.timeline.state["client"]
    ('b', 'b')
    >>> view.clients.value = "a"
    >>> view.timeline.state["client"]
    'a'
    """
    if timeline is None:
        if panels is None:
            raise ValueError("caseload_view() needs the series to draw: pass panels= (trajectories) or timeline=")
        timeline = SessionTimeline(panels, episodes=episodes, alerts=alerts)
    return CaseloadView(summary, timeline, only_attention=only_attention)


class CaseloadView:
    """The view built by :func:`caseload_view` (see there).

    Parameters
    ----------
    summary : Caseload
        :func:`toolkit.sessions.caseload_summary`.
    timeline : SessionTimeline
        The timeline a chosen client opens in.
    only_attention : bool
        List only the clients who need attention.

    Examples
    --------
    >>> import pandas as pd
    >>> from toolkit.sessions import caseload_summary, session_alerts, session_scores, trajectories
    >>> from toolkit.widgets import CaseloadView, SessionTimeline
    >>> d = pd.DataFrame({"client_id": ["a", "a", "b", "b"], "session": [1, 2, 1, 2],
    ...                   "srs_01": [9.5, 9.6, 9.5, 7.0], "srs_02": 9.5, "srs_03": 9.5, "srs_04": 9.5})
    >>> alerts = session_alerts(d, "srs")
    >>> timeline = SessionTimeline(trajectories(session_scores(d, "srs"), "srs"), alerts=alerts)
    >>> CaseloadView(caseload_summary(alerts), timeline).state["client"]
    'b'
    """

    def __init__(self, summary, timeline: SessionTimeline, *, only_attention: bool = False):
        from ..sessions.alerts import Caseload

        if not isinstance(summary, Caseload):
            raise TypeError(f"caseload_view() needs the result of caseload_summary(); got a {type(summary).__name__}")
        self.summary = summary
        self.timeline = timeline
        self.errors = ErrorArea()
        self.state: dict = {}
        self._quiet = False
        self.only = W.Checkbox(value=bool(only_attention), description="only clients who need attention",
                               indent=False)
        self.clients = W.Select(rows=14, layout=W.Layout(width="520px"))
        self.clients.add_class("alliance-caseload-list")
        self.counts = W.Image(format="png", layout=W.Layout(max_width="420px"))
        self.counts.add_class("alliance-caseload-counts")
        self.heading = W.HTML()
        g = self.errors.guard
        self.only.observe(g(self._on_only, "filtering clients"), names="value")
        self.clients.observe(g(self._on_pick, "opening a client"), names="value")
        self.widget = W.VBox([
            self.heading, self.errors.widget,
            W.HBox([W.VBox([self.only, self.clients]), self.counts]),
            W.HTML("<hr style='margin:4px 0'>"), timeline.widget,
        ])
        self.widget.add_class("alliance-caseload")
        self.counts.value = figure_png(summary.plot(ax=new_axes((5.5, 3.2))).figure)
        self.heading.value = (f"<b>{html.escape(summary.title)}</b><br><span style='font-size:11px'>"
                              + html.escape(" ".join(summary.notes)) + "</span>")
        self._fill()

    def _rows(self):
        t = self.summary.table
        if self.only.value:
            t = t[t["needs_attention"]]
        client = self.summary.client
        out = []
        for _, r in t.iterrows():
            need = r["reason"] or "no alert"
            cat = f" - {r['category']}" if r["category"] else ""
            out.append((f"{r[client]}  -  {need}{cat}  (session {r['last_session']}, {r['n_alerts']} alert(s))",
                        str(r[client])))
        return out

    def _fill(self) -> None:
        rows = self._rows()
        self._quiet = True
        try:
            self.clients.options = rows
            self.clients.value = rows[0][1] if rows else None
        finally:
            self._quiet = False
        if rows:
            self._open(rows[0][1])

    def _on_only(self, _change) -> None:
        self._fill()

    def _on_pick(self, change) -> None:
        if not self._quiet and change["new"] is not None:
            self._open(change["new"])

    def _open(self, client) -> None:
        self.timeline.show(client)
        self.state = {"client": client, "listed": len(self.clients.options), "only_attention": bool(self.only.value)}

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)

    def __repr__(self) -> str:
        return f"<CaseloadView {self.state}>"
