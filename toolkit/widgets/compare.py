"""Client and therapist side by side for one dyad, against the whole sample: an ipywidgets view.

The numbers come from :mod:`toolkit.dyadic` (pairing, per-dyad discrepancies, item table, Bland-Altman);
this module only wires choosers to them and draws the figures.
"""

from __future__ import annotations

import html
import warnings
from collections.abc import Mapping, Sequence

import ipywidgets as W
import pandas as pd

from ..exceptions import AgreementWarning
from ._common import ErrorArea, figure_png, new_axes, table_html

__all__ = ["compare_raters", "RaterComparison"]

_FIGSIZE = (4.8, 3.6)
_ITEM_COLUMNS = ["item", "label", "subscale", "reversed", "client", "therapist", "diff"]


def compare_raters(
    client: pd.DataFrame | None = None,
    therapist: pd.DataFrame | None = None,
    *,
    instrument_client=None,
    instrument_therapist=None,
    on: Sequence[str] = ("dyad_id", "session"),
    paired=None,
    dyad=None,
    session=None,
    subscale: str | None = None,
    highlight: int = 3,
    **pair_options,
) -> "RaterComparison":
    """Compare the client's and the therapist's view of one dyad with the whole sample, interactively.

    Choose a dyad (type in the search box to filter the list), a session, the
    subscale and, when several comparisons are given, the instrument pair. Every
    choice updates four views: the dyad's client and therapist subscale profile side
    by side (with the discrepancy flags of :func:`toolkit.dyadic.dyad_discrepancies`),
    the item-level table with the largest discrepancies highlighted (when the two
    forms share items), the sample's client-vs-therapist scatter of the subscale
    with the dyad marked and the identity line, and the Bland-Altman plot.

    Parameters
    ----------
    client, therapist : DataFrame, optional
        Client and therapist administrations, paired with
        :func:`toolkit.dyadic.pair_raters` (``instrument_client``,
        ``instrument_therapist``, ``on`` and ``pair_options`` are passed on).
    instrument_client, instrument_therapist : str or Instrument
        Instruments of the two sides (the therapist's defaults to the client's).
    on : sequence of str
        Id columns of one administration: the dyad first, then (optionally) the session.
    paired : PairedRatings or mapping of label -> PairedRatings, optional
        Pairs made already; a mapping adds an *instrument* chooser (e.g. WAI-36 and
        WAI-SR vs WAI-S). With ``client``, those pairs come first.
    dyad, session, subscale : optional
        What to show first (default: the first dyad, its first session, ``total``).
    highlight : int
        How many of the largest item discrepancies to highlight.
    **pair_options
        Further keywords of :func:`toolkit.dyadic.pair_raters` (``metric``, ``form_client``, ...), used with
        ``client`` and ``therapist``.

    Returns
    -------
    RaterComparison
        Displays itself in a notebook. For scripts and tests: ``.state`` (the current
        choice), ``.table_`` (item table shown), ``.profile_``, ``.figure_data_``
        (DataFrames behind each figure), ``.dyad``/``.session``/``.subscale``/
        ``.comparison`` (the choosers) and ``.errors`` (the error area).

    Examples
    --------
    >>> import toolkit
    >>> from toolkit.widgets import compare_raters
    >>> wai = toolkit.load_sample("wai36_client_therapist")
    >>> view = compare_raters(wai[wai["rater"] == "client"], wai[wai["rater"] == "therapist"],
    ...                       instrument_client="wai36", dyad="B002", subscale="bond")
    >>> view.state["dyad"], view.state["subscale"], int(view.figure_data_["scatter"]["marked"].sum())
    ('B002', 'bond', 1)
    >>> view.dyad.value = "B003"
    >>> view.state["dyad"], view.table_["item"].iloc[0] != ""
    ('B003', True)
    """
    from ..dyadic import PairedRatings, pair_raters
    from ..exceptions import InvalidParameterError

    comparisons: dict[str, object] = {}
    if client is not None:
        if therapist is None or instrument_client is None:
            raise InvalidParameterError("compare_raters(client, therapist, instrument_client=...) needs both frames "
                                        "and the client's instrument; or pass paired=pair_raters(...)")
        with warnings.catch_warnings():  # unmatched administrations are listed in the view, not warned twice
            from ..exceptions import AllianceWarning

            warnings.simplefilter("ignore", AllianceWarning)
            pairs = pair_raters(client, therapist, instrument_client=instrument_client,
                                instrument_therapist=instrument_therapist, on=on, **pair_options)
        comparisons[_label(pairs)] = pairs
    if paired is not None:
        comparisons.update(paired if isinstance(paired, Mapping) else {_label(paired): paired})
    if not comparisons:
        raise InvalidParameterError("nothing to compare: pass client= and therapist= frames, or "
                                    "paired=pair_raters(...)")
    wrong = {k: type(v).__name__ for k, v in comparisons.items() if not isinstance(v, PairedRatings)}
    if wrong:
        raise InvalidParameterError(f"The 'paired' parameter of compare_raters() must hold the PairedRatings of "
                                    f"pair_raters(); got {wrong}.")
    return RaterComparison(comparisons, dyad=dyad, session=session, subscale=subscale, highlight=highlight)


def _label(pairs) -> str:
    if not hasattr(pairs, "scales"):
        return type(pairs).__name__
    s = pairs.scales
    c, t = s.loc["client"], s.loc["therapist"]
    if c["instrument"] == t["instrument"]:
        return f"{c['instrument']}: client vs therapist"
    return f"{c['instrument']} (client) vs {t['instrument']} (therapist)"


class RaterComparison:
    """The view built by :func:`compare_raters` (see there for what it shows).

    Parameters
    ----------
    comparisons : mapping of str to PairedRatings
        The instrument pairs to choose from, by label.
    dyad, session, subscale : optional
        What to show first.
    highlight : int
        How many of the largest item discrepancies to highlight.

    Examples
    --------
    >>> import toolkit
    >>> from toolkit.widgets import RaterComparison
    >>> pairs = toolkit.pair_raters(toolkit.load_sample("wai36_client_therapist"), instrument_client="wai36")
    >>> RaterComparison({"WAI-36": pairs}, dyad="B005").state["dyad"]
    'B005'
    """

    def __init__(self, comparisons: Mapping[str, object], *, dyad=None, session=None, subscale=None, highlight=3):
        self.comparisons = dict(comparisons)
        self.highlight = int(highlight)
        self.errors = ErrorArea()
        self._discrepancies: dict[str, object] = {}
        self._unavailable: dict[str, str] = {}
        self._quiet = False
        self.table_ = pd.DataFrame()
        self.profile_ = pd.DataFrame()
        self.figure_data_: dict[str, pd.DataFrame] = {}
        self.state: dict[str, object] = {}

        first = next(iter(self.comparisons))
        self.comparison = W.Dropdown(options=list(self.comparisons), value=first, description="Instrument",
                                     layout=W.Layout(width="480px", display=None if len(self.comparisons) > 1
                                                     else "none"))
        self.search = W.Text(description="Find dyad", placeholder="part of an id",
                             layout=W.Layout(width="230px"), continuous_update=True)
        self.dyad = W.Dropdown(description="Dyad", layout=W.Layout(width="210px"))
        self.dyad.add_class("alliance-dyad")
        self.session = W.Dropdown(description="Session", layout=W.Layout(width="180px"))
        self.subscale = W.ToggleButtons(style={"button_width": "70px"})
        for w in (self.dyad, self.session, self.comparison, self.search):
            w.style.description_width = "80px"

        self.summary = W.HTML()
        self.images = {k: W.Image(format="png", layout=W.Layout(max_width="460px")) for k in
                       ("profile", "scatter", "bland_altman")}
        for k, img in self.images.items():
            img.add_class(f"alliance-{k.replace('_', '-')}")
        self.table_view = W.HTML(layout=W.Layout(max_height="330px", overflow="auto", width="490px"))
        self.table_view.add_class("alliance-item-table")
        self.notes = W.HTML()

        g = self.errors.guard
        self.comparison.observe(g(self._on_comparison, "switching instrument"), names="value")
        self.search.observe(g(self._on_search, "filtering dyads"), names="value")
        self.dyad.observe(g(self._on_dyad, "switching dyad"), names="value")
        self.session.observe(g(self._on_view, "switching session"), names="value")
        self.subscale.observe(g(self._on_view, "switching subscale"), names="value")

        controls = W.VBox([
            W.HBox([self.comparison]),
            W.HBox([self.search, self.dyad, self.session]),
            W.HBox([W.HTML("<b>Subscale</b>&nbsp;"), self.subscale]),
        ])
        grid = W.GridBox(
            [W.VBox([W.HTML("<b>This dyad: client and therapist</b>"), self.images["profile"]]),
             W.VBox([W.HTML("<b>Items, largest discrepancies first</b>"), self.table_view]),
             W.VBox([W.HTML("<b>Whole sample: client vs therapist</b>"), self.images["scatter"]]),
             W.VBox([W.HTML("<b>Whole sample: Bland-Altman</b>"), self.images["bland_altman"]])],
            layout=W.Layout(grid_template_columns="repeat(2, 500px)", grid_gap="6px"),
        )
        self.widget = W.VBox([controls, self.errors.widget, self.summary, grid, self.notes])
        self.widget.add_class("alliance-compare")
        self._load(dyad=dyad, session=session, subscale=subscale)  # a bad argument raises here, at the call

    # ------------------------------------------------------------------ data
    @property
    def pairs(self):
        """The PairedRatings of the chosen instrument pair."""
        return self.comparisons[self.comparison.value]

    def _has_session(self) -> bool:
        return len(self.pairs.on) > 1

    def _dyads(self) -> list:
        first = self.pairs.on[0]
        return list(dict.fromkeys(self.pairs.wide[first].tolist()))

    def _sessions(self, dyad) -> list:
        if not self._has_session():
            return []
        wide = self.pairs.wide
        first, second = self.pairs.on[:2]
        return sorted(wide.loc[wide[first] == dyad, second].unique().tolist())

    def discrepancies(self):
        """:func:`toolkit.dyadic.dyad_discrepancies` of the chosen pairs (computed once per instrument pair);
        ``None`` when the flags cannot be computed (:attr:`unavailable` says why).

        Returns
        -------
        Discrepancies or None
            The per-dyad differences and flags of the chosen instrument pair.
        """
        from ..dyadic.dyads import dyad_discrepancies

        key = self.comparison.value
        if key not in self._discrepancies:
            try:
                self._discrepancies[key] = dyad_discrepancies(self.pairs)
            except ValueError as exc:  # e.g. no reliability for the default thresholds
                self._discrepancies[key] = None
                self._unavailable[key] = f"no discrepancy flags: {exc}"
        return self._discrepancies[key]

    @property
    def unavailable(self) -> str:
        """Why the discrepancy flags of the chosen pairs are missing (``""`` when they are there)."""
        self.discrepancies()
        return self._unavailable.get(self.comparison.value, "")

    # -------------------------------------------------------------- callbacks
    def _load(self, dyad=None, session=None, subscale=None) -> None:
        """Fill the choosers for the chosen instrument pair, then draw."""
        self._quiet = True
        try:
            pairs = self.pairs
            subs = pairs.subscales
            self.subscale.options = subs
            self.subscale.value = subscale if subscale is not None else ("total" if "total" in subs else subs[0])
            self.search.value = ""
            dyads = self._dyads()
            if dyad is not None and dyad not in dyads:
                raise KeyError(f"dyad {dyad!r} has no client-therapist pair in {self.comparison.value}; "
                               f"{len(dyads)} dyads are paired, e.g. {dyads[:5]}")
            self.dyad.options = dyads
            self.dyad.value = dyad if dyad is not None else dyads[0]
            self._fill_sessions(session)
        finally:
            self._quiet = False
        self._draw()

    def _fill_sessions(self, session=None) -> None:
        sessions = self._sessions(self.dyad.value)
        self.session.layout.display = None if self._has_session() else "none"
        old = self.session.value if session is None else session
        self.session.options = sessions
        if sessions:
            if session is not None and session not in sessions:
                raise KeyError(f"dyad {self.dyad.value!r} has no paired session {session!r}; paired: {sessions}")
            self.session.value = old if old in sessions else sessions[0]

    def _on_comparison(self, _change) -> None:
        self._load()

    def _on_search(self, change) -> None:
        if self._quiet:
            return
        text = str(change["new"]).strip().lower()
        dyads = [d for d in self._dyads() if text in str(d).lower()] if text else self._dyads()
        if not dyads:
            self.summary.value = f"<i>No paired dyad id contains {html.escape(text)!r}.</i>"
            self.state["dyad"] = None  # the summary no longer describes the dyad: redraw on the next match
            return
        current = self.dyad.value
        self._quiet = True
        try:
            self.dyad.options = dyads
            self.dyad.value = current if current in dyads else dyads[0]
            self._fill_sessions()
        finally:
            self._quiet = False
        if self.dyad.value != current or self.state.get("dyad") != current:  # redraw only when the dyad changed
            self._draw()

    def _on_dyad(self, _change) -> None:
        if self._quiet or self.dyad.value is None:
            return
        self._quiet = True
        try:
            self._fill_sessions()
        finally:
            self._quiet = False
        self._draw()

    def _on_view(self, _change) -> None:
        if not self._quiet:
            self._draw()

    # ------------------------------------------------------------------ views
    def _draw(self) -> None:
        from ..dyadic import dyad_items
        from ..dyadic.plots import (bland_altman_data, plot_bland_altman, plot_profile, plot_scatter, profile_data,
                                    scatter_data)

        pairs, dyad, sub = self.pairs, self.dyad.value, self.subscale.value
        session = self.session.value if self._has_session() else None
        first = pairs.on[0]
        self.state = {"comparison": self.comparison.value, "dyad": dyad, "session": session, "subscale": sub,
                      "metric": pairs.metric}

        # the dyad's profile, with the reliable-difference flags of dyad_discrepancies
        fig_profile = plot_profile(pairs, dyad, session, ax=new_axes(_FIGSIZE)).figure
        profile = profile_data(pairs, dyad, session)
        disc = self.discrepancies()
        table = disc.table if disc is not None else pd.DataFrame(columns=pairs.on)
        mine = table.loc[table[first].astype(str) == str(dyad)]
        if session is not None:
            mine = mine.loc[mine[pairs.on[1]] == session]
        thresholds = disc.thresholds.to_dict() if disc is not None else {}
        profile["threshold"] = [thresholds.get(s, float("nan")) for s in profile["subscale"]]
        profile["flag"] = [bool(mine[f"flag_{s}"].iloc[0]) if len(mine) and f"flag_{s}" in mine else False
                           for s in profile["subscale"]]
        _mark_flags(fig_profile, profile)
        self.profile_ = profile

        # the whole sample (every paired session), for the chosen subscale; the dyad's session marked
        fig_scatter = plot_scatter(pairs, sub, dyad, session, ax=new_axes(_FIGSIZE)).figure
        scatter = scatter_data(pairs, sub, dyad, session)
        fig_ba = plot_bland_altman(pairs, sub, dyad, session, ax=new_axes(_FIGSIZE)).figure
        with warnings.catch_warnings():  # undefined lines (fewer than 2 pairs): the plot leaves them out too
            warnings.simplefilter("ignore", AgreementWarning)
            ba = bland_altman_data(pairs, sub, dyad, session)
        limits = ba.limits
        ba_lines = limits.lines.reset_index().rename(columns={"estimate": "value"})[
            ["line", "value", "ci_low", "ci_high"]]

        # items
        item_note = ""
        try:
            items = dyad_items(pairs, dyad, session)
        except ValueError as exc:  # the forms share no item: say so in the view
            items, item_note = pd.DataFrame(), str(exc)
        if len(items):
            c_ins = pairs.instruments["client"]  # the caller's own definition too: never reloaded by id
            items = items.assign(label=[c_ins.item(int(n)).label for n in items["client_item"]],
                                 reversed=[c_ins.item(int(n)).reversed for n in items["client_item"]])
            if sub != "total":
                items = items.loc[items["subscale"] == sub]
            table = items[_ITEM_COLUMNS].reset_index(drop=True)
        else:
            table = pd.DataFrame(columns=_ITEM_COLUMNS)
        self.table_ = table
        self.figure_data_ = {"profile": profile, "scatter": scatter, "bland_altman": ba.points,
                             "bland_altman_lines": ba_lines, "items": table}

        # render
        self.images["profile"].value = figure_png(fig_profile)
        self.images["scatter"].value = figure_png(fig_scatter)
        self.images["bland_altman"].value = figure_png(fig_ba)
        self._show_table(table, item_note, sub)
        self._show_summary(mine, scatter, limits, dyad, session, sub)
        self.notes.value = "<div style='font-size:11px;color:#555'>" + "<br>".join(
            html.escape(n) for n in pairs.notes) + "</div>"

    def _show_table(self, table: pd.DataFrame, note: str, sub: str) -> None:
        if note:
            self.table_view.value = f"<p><i>{html.escape(note)}.</i></p>"
            return
        if table.empty:
            self.table_view.value = f"<p><i>No shared item of subscale {html.escape(sub)} was answered by both.</i></p>"
            return
        ranked = table["diff"].abs()
        top = [k for k in range(len(table)) if k < self.highlight and ranked.iloc[k] > 0]
        shown = table.copy()
        shown["reversed"] = ["yes" if r else "" for r in shown["reversed"]]
        shown = shown.rename(columns={"reversed": "rev.", "subscale": "scale"})
        self.table_view.value = table_html(shown, highlight=top) + (
            f"<div style='font-size:11px'>Highlighted: the {len(top)} largest differences (client - therapist, "
            "keyed answers: reverse-keyed items are reversed, so higher is always a stronger alliance).</div>")

    def _show_summary(self, mine, scatter, limits, dyad, session, sub) -> None:
        where = f"dyad {dyad}" + (f", session {session}" if session is not None else "")
        flagged = str(mine["flagged"].iloc[0]) if len(mine) and "flagged" in mine else ""
        unavailable = self.unavailable
        from ..dyadic import pearson_r
        from ..exceptions import AgreementWarning

        with warnings.catch_warnings():  # too few pairs: the summary shows r = nan
            warnings.simplefilter("ignore", AgreementWarning)
            r = pearson_r(scatter["x"].to_numpy(), scatter["y"].to_numpy()).estimate
        self.summary.value = (
            f"<div style='font-size:13px'><b>{html.escape(where)}</b>: "
            f"{html.escape(flagged or unavailable or 'no subscale differs beyond its reliable difference')}."
            f"<br>Whole sample, {html.escape(sub)} ({len(scatter)} pairs): r = {r:.2f}; client - therapist: "
            f"bias {limits.bias:.2f}, limits of agreement {limits.loa_low:.2f} to {limits.loa_high:.2f}."
            "</div>"
        )

    # --------------------------------------------------------------- display
    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)

    def __repr__(self) -> str:
        return f"<RaterComparison {self.state}>"


# ------------------------------------------------------------------ helpers
def _mark_flags(fig, profile: pd.DataFrame) -> None:
    """Star the subscales of the profile figure whose client-therapist difference passes its threshold."""
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_xticklabels()]
    flagged = False
    for k, name in enumerate(labels):
        row = profile.loc[profile["subscale"] == name]
        if len(row) and bool(row["flag"].iloc[0]):
            height = float(row[["client", "therapist"]].max(axis=1).iloc[0])
            ax.annotate("*", (k, height), ha="center", va="bottom", fontsize=16, color="#b00020")
            flagged = True
    drawn = profile.loc[profile["subscale"].isin(labels), ["client", "therapist"]]
    if len(drawn):
        ax.set_ylim(top=max(ax.get_ylim()[1], float(drawn.max().max()) * 1.15))
    if flagged:
        ax.set_title(ax.get_title() + "  (* beyond reliable difference)", fontsize=9)
