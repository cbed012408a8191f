"""One client's sessions: both raters' alliance, the session rating with its cut-offs, the outcome, ruptures and
repairs, and the client's alert list: an ipywidgets view.

The numbers come from :mod:`toolkit.sessions` (trajectories, rules, alerts); this module wires a client chooser
to :func:`toolkit.sessions.plots.plot_timeline` and to the tables.
"""

from __future__ import annotations

import html

import ipywidgets as W
import pandas as pd

from ._common import ErrorArea, figure_png, new_axes, table_html

__all__ = ["session_timeline", "SessionTimeline"]

_ALERT_COLUMNS = ["session", "instrument", "label", "score", "reference"]
_EPISODE_COLUMNS = ["panel", "rule", "session", "depth", "repaired", "repair_session", "sessions_to_repair"]


def session_timeline(panels, *, episodes=None, alerts=None, client=None) -> "SessionTimeline":
    """A client's session-by-session view, with a chooser over the clients.

    Parameters
    ----------
    panels : Trajectories or dict of str to Trajectories
        The series to draw, one panel each (e.g. ``{"Alliance (POMP)": client and therapist WAI,
        "Session rating (SRS)": ..., "Outcome (ORS)": ...}``); a Trajectories with a rater column draws one line
        per rater; an instrument's cut-offs are shaded.
    episodes : Episodes, list or dict of str to Episodes, optional
        Rule results (ruptures, sudden losses) marked on the panel named by the key (the first when not a dict).
    alerts : Alerts or list of Alerts, optional
        :func:`toolkit.sessions.session_alerts` results: the client's alerts are listed, latest first.
    client : str, optional
        The client shown first (default the first of the first panel).

    Returns
    -------
    SessionTimeline
        Displays itself in a notebook. For scripts and tests: ``.state``, ``.alerts_`` and ``.episodes_`` (the
        tables shown), ``.figure_data_`` (the rows drawn), ``.client`` and ``.search`` (the choosers),
        ``.errors``; ``.show(client)`` picks a client.

    Examples
    --------
    >>> import pandas as pd
    >>> from toolkit.sessions import drop_below_running_mean, trajectories
    >>> from toolkit.widgets import session_timeline
    >>> srs = pd.DataFrame({"client_id": ["a"] * 6 + ["b"] * 3, "session": [1, 2, 3, 4, 5, 6, 1, 2, 3],
    ...                     "srs": [38, 38.5, 37.5, 30, 38, 38, 36, 37, 38]})
    >>> view = session_timeline(trajectories(srs, "srs"), episodes=drop_below_running_mean(srs, k=2))
    >>> view.state["client"], view.state["n_episodes"]
    ('a', 1)
    >>> view.client.value = "b"
    >>> view.state["client"], view.state["n_episodes"]
    ('b', 0)
    """
    return SessionTimeline(panels, episodes=episodes, alerts=alerts, client=client)


class SessionTimeline:
    """The view built by :func:`session_timeline` (see there).

    Parameters
    ----------
    panels : Trajectories or dict of str to Trajectories
        The series, one panel each.
    episodes : Episodes, list or dict of str to Episodes, optional
        Rule results marked on their panel.
    alerts : Alerts or list of Alerts, optional
        The alerts listed for the client.
    client : str, optional
        The client shown first.

    Examples
    --------
    >>> import pandas as pd
    >>> from toolkit.sessions import trajectories
    >>> from toolkit.widgets import SessionTimeline
    >>> d = pd.DataFrame({"client_id": "a", "session": [1, 2, 3], "srs": [38.0, 33.0, 39.0]})
    >>> SessionTimeline(trajectories(d, "srs")).state["client"]
    'a'
    """

    def __init__(self, panels, *, episodes=None, alerts=None, client=None):
        from ..sessions.alerts import Alerts
        from ..sessions.plots import _episodes_by_panel, timeline_panels

        self.panels = timeline_panels(panels)
        self.episodes = _episodes_by_panel(episodes, self.panels)
        self.alerts = [] if alerts is None else [alerts] if isinstance(alerts, Alerts) else list(alerts)
        self.errors = ErrorArea()
        self.state: dict = {}
        self.alerts_ = pd.DataFrame(columns=_ALERT_COLUMNS)
        self.episodes_ = pd.DataFrame(columns=_EPISODE_COLUMNS)
        self.figure_data_ = pd.DataFrame()
        self._quiet = False

        self.search = W.Text(description="Find client", placeholder="part of an id", layout=W.Layout(width="240px"))
        self.client = W.Dropdown(description="Client", layout=W.Layout(width="220px"))
        self.client.add_class("alliance-timeline-client")
        for w in (self.search, self.client):
            w.style.description_width = "80px"
        self.summary = W.HTML()
        self.image = W.Image(format="png", layout=W.Layout(max_width="760px"))
        self.image.add_class("alliance-timeline-plot")
        self.alert_view = W.HTML(layout=W.Layout(max_height="260px", overflow="auto"))
        self.alert_view.add_class("alliance-alert-list")
        self.episode_view = W.HTML()
        self.episode_view.add_class("alliance-episode-list")

        g = self.errors.guard
        self.client.observe(g(self._on_client, "switching client"), names="value")
        self.search.observe(g(self._on_search, "filtering clients"), names="value")
        self.widget = W.VBox([
            W.HBox([self.search, self.client]), self.errors.widget, self.summary, self.image,
            W.HTML("<b>Alerts of this client</b> (latest first)"), self.alert_view,
            W.HTML("<b>Ruptures and other episodes</b>"), self.episode_view,
        ])
        self.widget.add_class("alliance-timeline")
        clients = self._clients()
        if client is not None and str(client) not in clients:
            raise KeyError(f"client {client!r} has no scores in the timeline's panels; clients are e.g. {clients[:8]}")
        self._quiet = True
        try:
            self.client.options = clients
            self.client.value = str(client) if client is not None else clients[0]
        finally:
            self._quiet = False
        self._draw()

    # ------------------------------------------------------------------ data
    def _clients(self) -> list:
        seen: dict = {}
        for traj in self.panels.values():
            for c in traj.table[traj.client].astype(str):
                seen.setdefault(c, None)
        return list(seen)

    def show(self, client) -> None:
        """Show ``client`` (used by the caseload view); a KeyError names known ids."""
        client = str(client)
        if client not in self._clients():
            raise KeyError(f"client {client!r} has no scores in the timeline's panels")
        if self.search.value and client not in self.client.options:
            self.search.value = ""
        self.client.value = client

    # -------------------------------------------------------------- callbacks
    def _on_client(self, change) -> None:
        if not self._quiet and change["new"] is not None:
            self._draw()

    def _on_search(self, change) -> None:
        text = str(change["new"]).strip().lower()
        clients = [c for c in self._clients() if text in c.lower()] if text else self._clients()
        if not clients:
            self.summary.value = f"<i>No client id contains {html.escape(text)!r}.</i>"
            return
        current = self.client.value
        self._quiet = True
        try:
            self.client.options = clients
            self.client.value = current if current in clients else clients[0]
        finally:
            self._quiet = False
        if self.client.value != self.state.get("client"):
            self._draw()

    # ------------------------------------------------------------------ views
    def _draw(self) -> None:
        from ..sessions.plots import plot_timeline, timeline_data

        client = self.client.value
        n = len(self.panels)
        axes = plot_timeline(self.panels, client, episodes=self.episodes,
                             ax=new_axes((7.5, 2.5 * n + 0.4), rows=n, sharex=True))
        self.figure_data_ = timeline_data(self.panels, client)
        self.image.value = figure_png(axes[0].figure)
        self.alerts_ = self._client_alerts(client)
        self.episodes_ = self._client_episodes(client)
        self.alert_view.value = (table_html(self.alerts_) if len(self.alerts_)
                                 else "<i>No alert for this client.</i>")
        shown = self.episodes_.assign(repaired=self.episodes_["repaired"].map(
            lambda v: "unknown" if pd.isna(v) else "yes" if v else "no")) if len(self.episodes_) else self.episodes_
        self.episode_view.value = table_html(shown) if len(shown) else "<i>No episode found for this client.</i>"
        self._show_summary(client)
        self.state = {"client": client, "n_alerts": len(self.alerts_), "n_episodes": len(self.episodes_),
                      "panels": list(self.panels)}

    def _client_alerts(self, client) -> pd.DataFrame:
        parts = []
        for a in self.alerts:
            t = a.table
            mine = t[t[a.client].astype(str) == client]
            if len(mine):
                parts.append(mine.assign(instrument=a.instrument).rename(columns={a.session: "session"}))
        if not parts:
            return pd.DataFrame(columns=_ALERT_COLUMNS)
        out = pd.concat(parts, ignore_index=True)[_ALERT_COLUMNS]
        return out.sort_values("session", ascending=False, kind="stable").reset_index(drop=True)

    def _client_episodes(self, client) -> pd.DataFrame:
        parts = []
        for title, eps in self.episodes.items():
            for ep in (eps if isinstance(eps, (list, tuple)) else [eps]):
                mine = ep.table[ep.table[ep.client].astype(str) == client]
                if len(mine):
                    parts.append(mine.assign(panel=title))
        if not parts:
            return pd.DataFrame(columns=_EPISODE_COLUMNS)
        return pd.concat(parts, ignore_index=True)[_EPISODE_COLUMNS]

    def _show_summary(self, client) -> None:
        bits = []
        for title, traj in self.panels.items():
            row = traj.table[traj.table[traj.client].astype(str) == client]
            for _, r in row.iterrows():
                who = f" ({r[traj.rater]})" if traj.rater else ""
                gaps = f"; no score at session {r['gaps']}" if r["gaps"] else ""
                bits.append(f"{title}{who}: {int(r['n_scores'])} scores, first {r['first']:.1f}, last {r['last']:.1f}"
                            f"{gaps}")
        self.summary.value = (f"<div style='font-size:12px'><b>Client {html.escape(client)}</b><br>"
                              + "<br>".join(html.escape(b) for b in bits) + "</div>")

    # --------------------------------------------------------------- display
    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)

    def __repr__(self) -> str:
        return f"<SessionTimeline {self.state}>"
