"""The clinic report: this period's clients, their scores and flags, who needs attention, every bad cell.

One page for the clinic's weekly routine. The export is scored by :func:`toolkit.score` (every instrument
given, e.g. the SRS and the ORS of the same sessions), with the flags of the instruments' definitions
(thresholds, and reliable deterioration where the instrument publishes a reliable change), the
session-to-session alerts of :func:`toolkit.sessions.session_alerts` (a fall from the previous session, no
reliable improvement by session *k*) and the Jacobson-Truax categories of
:func:`toolkit.sessions.clinical_change`. A client needs attention when an attention flag is raised at their
last administration in the period; each such client gets a progress chart of every instrument's score over
their sessions, with the cut-offs drawn and the flagged sessions marked. Bad cells are listed one by one
(row, client, column, value, reason) and scored as missing.

Extension point
---------------
The page is built by the functions in :data:`SECTIONS`, in order; each takes the :class:`ClinicContext` and
adds one section. A new kind of flag needs no section: a boolean ``flag_<id>`` column in ``ctx.scores`` with
its label in the instrument's ``flags`` is counted, charted and listed as a reason like the others.
"""

from __future__ import annotations

import math
import os
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .._checks import check_bool, check_choice, warn
from ..exceptions import AllianceWarning, DataValidationError, InvalidCellsWarning, InvalidParameterError
from .document import Document, Report, render

__all__ = ["clinic_report", "ClinicReport", "ClinicContext", "SECTIONS"]

CALLER = "clinic_report"
_ORDER = "_alliance_order_"
_RC_IMPROVE, _RC_WORSE = "reliable_improvement", "reliable_deterioration"


@dataclass(kw_only=True, repr=False, eq=False)
class ClinicReport(Report):
    """A clinic report (see :func:`clinic_report`).

    Attributes
    ----------
    html : str
        The report: one self-contained HTML page.
    table : DataFrame
        One row per client seen in the period: ``client``, ``administrations`` (in the period),
        ``last_session``, ``last_date`` (with a date column), then per instrument ``<id>`` (its main score at
        the client's last administration in the period), ``<id>_change`` (since the client's first score, for
        instruments with a reliable change) and ``<id>_category`` (Jacobson-Truax, where defined), then
        ``attention`` (bool) and ``reasons`` (the attention flags raised there, by label).
    attention : DataFrame
        The rows of ``table`` whose ``attention`` is true.
    scores : DataFrame
        One row per administration and instrument up to the end of the period: ``row`` (the input's row),
        ``client``, ``session``, ``date``, ``instrument``, ``score``, ``n_invalid``, ``in_period``, and one
        nullable boolean ``flag_<id>`` column per flag.
    bad_cells : DataFrame
        Every bad cell found (``instrument``, ``row``, the id columns, ``column``, ``value``, ``reason``).
    counts : DataFrame
        Per instrument and flag: administrations flagged in the period, and clients flagged at their last.
    sections : tuple of str
        Section titles.

    Examples
    --------
    >>> import toolkit
    >>> export = toolkit.load_sample("srs_ors_sessions")
    >>> rep = toolkit.clinic_report(export[export["client_id"] == "CA007"], ["srs", "ors"])
    >>> rep.scores.groupby("instrument").size().to_dict(), rep.attention["client"].tolist()
    ({'ors': 19, 'srs': 19}, ['CA007'])
    """

    attention: pd.DataFrame = field(default_factory=pd.DataFrame)
    scores: pd.DataFrame = field(default_factory=pd.DataFrame)
    bad_cells: pd.DataFrame = field(default_factory=pd.DataFrame)
    counts: pd.DataFrame = field(default_factory=pd.DataFrame)


@dataclass
class _Scored:
    """One instrument's scores, as the report uses them."""

    instrument: object
    main: str  # the score shown (the total, or the first subscale)
    frame: pd.DataFrame  # toolkit.score output (history up to the end of the period)
    flags: dict  # flag id -> label
    references: list  # (value, label) of thresholds on the main score
    score_range: tuple  # (lo, hi) of the main score
    has_change: bool
    status: set = field(default_factory=set)  # flags that say where a client is, not that something went wrong
    categories: pd.DataFrame | None = None  # Jacobson-Truax category per client (toolkit.sessions.clinical_change)


@dataclass
class ClinicContext:
    """What the section builders share."""

    doc: Document
    client: str
    session: str | None
    date: str | None
    period_label: str
    scored: dict  # instrument id -> _Scored
    scores: pd.DataFrame  # long: one row per administration and instrument
    roster: pd.DataFrame
    bad_cells: pd.DataFrame
    attention_flags: dict  # instrument id -> set of flag ids that call for attention
    reasons: dict = field(default_factory=dict)  # client -> list of reasons (filled by the sections)
    charts: bool = True
    counts: pd.DataFrame = field(default_factory=pd.DataFrame)


# ------------------------------------------------------------------------------------------ input
def _frames(data, instruments, caller) -> list:
    """[(Instrument, DataFrame, already_scored)] from a frame, a file or a mapping {instrument: frame}."""
    from ..instrument import load_instrument

    if isinstance(data, Mapping):
        if instruments is not None:
            raise InvalidParameterError(f"{caller}(): with data as a mapping {{instrument: frame}} the instruments "
                                        "are its keys; leave 'instruments' out.")
        out = []
        for key, frame in data.items():
            ins = load_instrument(key)
            if not isinstance(frame, pd.DataFrame):
                raise InvalidParameterError(f"The 'data' parameter of {caller}(): the value for {key!r} must be a "
                                            f"DataFrame of responses or of scores; got a {type(frame).__name__}.")
            scored = "n_invalid" in frame.columns and all(s in frame.columns for s in ins.score_names)
            out.append((ins, frame, scored))
        if not out:
            raise InvalidParameterError(f"The 'data' parameter of {caller}() is an empty mapping; give "
                                        "{instrument: frame}.")
        return out
    if instruments is None:
        raise InvalidParameterError(f"{caller}() needs the instrument(s) of the export, e.g. "
                                    f"{caller}(data, ['srs', 'ors']).")
    if isinstance(instruments, (str, os.PathLike)) or type(instruments).__name__ == "Instrument":
        instruments = [instruments]
    if not isinstance(instruments, Sequence) or not len(instruments):
        raise InvalidParameterError(f"The 'instruments' parameter of {caller}() must be an instrument id such as "
                                    f"'srs' or a list of them; got {instruments!r}.")
    loaded = [load_instrument(i) for i in instruments]
    ids = [i.id for i in loaded]
    if len(set(ids)) != len(ids):
        raise InvalidParameterError(f"The 'instruments' parameter of {caller}() names an instrument twice: {ids}.")
    if isinstance(data, (str, os.PathLike)):
        from ..io import read_responses

        data = read_responses(data, loaded[0] if len(loaded) == 1 else None)
    if not isinstance(data, pd.DataFrame):
        raise InvalidParameterError(f"The 'data' parameter of {caller}() must be a DataFrame of responses (one row "
                                    f"per administration), a file, or {{instrument: frame}}; got a "
                                    f"{type(data).__name__}.")
    return [(ins, data, False) for ins in loaded]


def _check_columns(frame: pd.DataFrame, cols: dict, caller: str) -> None:
    for param, col in cols.items():
        if col is not None and col not in frame.columns:
            shown = ", ".join(repr(str(c)) for c in list(frame.columns)[:25])
            raise InvalidParameterError(
                f"The {param!r} parameter of {caller}() names the column {col!r}, which the data do not have; its "
                f"columns are {shown}{' ...' if frame.shape[1] > 25 else ''}. Pass {param}='<your column>'.")


def _bad(rows, frame, client, column, values, reason) -> pd.DataFrame:
    return pd.DataFrame({"row": list(rows), client: frame.loc[rows, client].astype(str).tolist() if client in
                         frame.columns else "", "column": column, "value": list(values), "reason": reason})


def _order_values(frame: pd.DataFrame, client: str, session, date, caller) -> tuple[pd.Series, pd.Series | None]:
    """The session number (or, without one, the date) of every row; the parsed dates. Bad cells all named."""
    problems = []
    ids = frame[client]
    blank_ids = ids.isna() | ids.astype(str).str.strip().eq("")
    if blank_ids.any():
        rows = frame.index[blank_ids.to_numpy()]
        problems.append(_bad(rows, frame, client, client, frame.loc[rows, client], "no client id"))
    dates = None
    if date is not None:
        raw = frame[date]
        if pd.api.types.is_datetime64_any_dtype(raw):
            dates = pd.Series(raw, index=frame.index)
        else:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # pandas' "could not infer format": the bad cells are named below
                dates = pd.to_datetime(raw.astype("string"), errors="coerce", format="mixed")
        bad = dates.isna()
        if bad.any():
            rows = frame.index[bad.to_numpy()]
            problems.append(_bad(rows, frame, client, date, raw[bad],
                                 "not a date (expected e.g. 2025-01-31 or 2025-01-31 14:05)"))
    if session is not None:
        raw = frame[session]
        num = pd.to_numeric(raw, errors="coerce")
        bad = num.isna()
        if bad.any():
            rows = frame.index[bad.to_numpy()]
            problems.append(_bad(rows, frame, client, session, raw[bad], "not a session number"))
        order = num.astype(float)
    else:
        order = dates
    if problems:
        report = pd.concat(problems, ignore_index=True)
        listing = "; ".join(f"row {r.row!r}, column {r.column!r}: {r.value!r} ({r.reason})"
                            for r in report.head(10).itertuples())
        raise DataValidationError(
            f"{caller}(): {len(report)} cell(s) of the id columns cannot be used to place an administration: "
            f"{listing}{' ...' if len(report) > 10 else ''}. Fix them in the export (every row needs its client, "
            "and its session number or date); all are in err.report.", report=report)
    return order, dates


def _period(period, *, date, session, caller):
    """(start, end, label) on the axis rows are placed on: dates when there is a date column, else sessions."""
    if period is None:
        return None, None, "all administrations in the data"
    if isinstance(period, (str, pd.Period)):
        if date is None:
            raise InvalidParameterError(f"The 'period' parameter of {caller}() is a calendar period ({period!r}), "
                                        "which needs the date column: pass date='<column of dates>'.")
        try:
            p = period if isinstance(period, pd.Period) else pd.Period(period)
        except (ValueError, TypeError):
            raise InvalidParameterError(
                f"The 'period' parameter of {caller}() must be a calendar period such as '2025-01' (a month), "
                f"'2025-01-06' (a day) or '2025Q1', or a (start, end) pair; got {period!r}.") from None
        return p.start_time, p.end_time, f"{p}"
    if isinstance(period, Sequence) and len(period) == 2:
        start, end = period
        if date is not None:
            try:
                start = None if start is None else pd.Timestamp(start)
                end = None if end is None else pd.Timestamp(end)
            except (ValueError, TypeError):
                raise InvalidParameterError(f"The 'period' parameter of {caller}() must be a (start, end) pair of "
                                            f"dates such as ('2025-01-06', '2025-01-12'); got {period!r}.") from None
            if end is not None and end == end.normalize():
                end = end + pd.Timedelta(days=1) - pd.Timedelta(microseconds=1)  # a day given: all of it
            label = f"{'' if start is None else start.date()} to {'' if end is None else end.date()}"
        else:
            ok = all(v is None or (isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool))
                     for v in (start, end))
            if not ok:
                raise InvalidParameterError(
                    f"The 'period' parameter of {caller}() without a date column is a (first, last) pair of session "
                    f"numbers, such as (5, 8); got {period!r}. For dates pass date='<column of dates>'.")
            label = f"sessions {'' if start is None else f'{start:g}'} to {'' if end is None else f'{end:g}'}"
        if start is not None and end is not None and start > end:
            raise InvalidParameterError(f"The 'period' parameter of {caller}() starts after it ends: {period!r}.")
        return start, end, label.strip()
    raise InvalidParameterError(f"The 'period' parameter of {caller}() must be None (every administration), a "
                                f"calendar period such as '2025-01', or a (start, end) pair; got {period!r}.")


def _score_range(ins, form, main: str, method: str) -> tuple[float, float]:
    scale = ins.scale_for(form)
    k = len(ins.items_of(main))
    if scale is None:
        return (math.nan, math.nan)
    if method == "mean":
        return float(scale.min), float(scale.max)
    return float(scale.min) * k, float(scale.max) * k


def _score_one(ins, frame, scored_already, *, form, ids, client, order, thresholds, on_invalid, notes, caller):
    """toolkit.score on one instrument (history up to the end of the period); its bad cells listed."""
    from ..scoring import score, validate_responses
    from ..scoring.rules import resolve_thresholds

    main = "total" if "total" in ins.score_names else ins.score_names[0]
    bad = pd.DataFrame()
    if scored_already:
        out = frame.copy()
        if "n_invalid" in out and out["n_invalid"].sum():
            notes.append(f"{ins.id}: the scores given count {int(out['n_invalid'].sum())} bad cell(s) scored as "
                         "missing; the cells themselves are listed only when the report scores the responses.")
    else:
        work = frame.copy()
        work[_ORDER] = order.loc[frame.index].to_numpy()
        rc = ins.reliable_change is not None
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            bad = validate_responses(frame, ins, form=form, id_cols=ids)
            out = score(work, ins, form=form, id_cols=ids, on_invalid=on_invalid, thresholds=thresholds,
                        change_by=client if rc else None, change_order=_ORDER if rc else None)
        for w in caught:
            if issubclass(w.category, InvalidCellsWarning):
                continue  # the bad cells are a section of the report
            notes.append(f"{ins.id}: {w.message}")
            if issubclass(w.category, AllianceWarning):
                warn(f"{ins.id}: {w.message}", w.category)
        if len(bad):
            bad.insert(0, "instrument", ins.id)
    active = {t.id: t for t in resolve_thresholds(ins, thresholds)}
    flags = {t.id: t.label for t in active.values() if f"flag_{t.id}" in out}
    references = [(float(t.value), f"cut-off {t.operator} {t.value:g}") for t in active.values()
                  if t.applies_to == main and t.operator in ("<", "<=", ">", ">=")]
    has_change = ins.reliable_change is not None and f"flag_{_RC_WORSE}" in out
    if has_change:
        v = ins.reliable_change.value
        flags[_RC_WORSE] = f"Reliable deterioration since the first session ({v:g} points)"
        flags[_RC_IMPROVE] = f"Reliable improvement since the first session ({v:g} points)"
    status = {t.id for t in active.values() if getattr(t, "clinical_cutoff", False)}
    return _Scored(ins, main, out, flags, references, _score_range(ins, form, main, ins.scoring.method),
                   has_change, status), bad


#: session alerts of toolkit.sessions that compare a session with earlier ones (the thresholds and the reliable
#: deterioration are already flags of toolkit.score)
_SERIES_ALERTS = ("worse_than_previous", "no_reliable_change_by")


def _session_extras(s: _Scored, hist: pd.DataFrame, *, form, client, session, thresholds, on_invalid, notes):
    """The session-to-session alerts and the clinical-change categories of ``toolkit.sessions`` for one
    instrument: (alert flags by (client, session), their labels); the categories are kept on ``s``."""
    from ..exceptions import AllianceError
    from ..sessions import clinical_change, session_alerts

    ins = s.instrument
    flags = pd.DataFrame()
    labels: dict = {}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            if any(a.kind in _SERIES_ALERTS for a in ins.session_alerts):
                al = session_alerts(hist, ins, form=form, client=client, session=session, thresholds=thresholds,
                                    on_invalid=on_invalid)
                kinds = al.rules.set_index("alert")["kind"]
                wanted = [a for a in kinds.index if kinds[a] in _SERIES_ALERTS]
                labels = {a: str(al.rules.set_index("alert").loc[a, "label"]) for a in wanted}
                flags = al.by_session[[client, session, *wanted]].copy()
            if s.has_change and s.status:
                frame = s.frame[[client, session, s.main]]
                s.categories = clinical_change(frame, ins, value=s.main, client=client, session=session).table
        except AllianceError as exc:
            notes.append(f"{ins.id}: the session alerts and change categories of toolkit.sessions were not "
                         f"computed: {exc}")
    for w in caught:
        if not issubclass(w.category, InvalidCellsWarning):  # the bad cells are a section of their own
            notes.append(f"{ins.id}: {w.message}")
    return flags, labels


# ------------------------------------------------------------------------------------------ sections
def summary_section(ctx: ClinicContext) -> None:
    """The period, how many clients and administrations, who needs attention, the flags raised."""
    sec = ctx.doc.section("This Period")
    roster = ctx.roster
    n_att = int(roster["attention"].sum()) if len(roster) else 0
    n_adm = int(roster["administrations"].sum()) if len(roster) else 0
    text = (f"Period: {ctx.period_label}. {len(roster)} client(s) had {n_adm} administration(s) in the period; "
            f"{n_att} need(s) attention (an attention flag at their last administration in the period).")
    if len(ctx.bad_cells):
        text += (f" The export has {len(ctx.bad_cells)} bad cell(s), listed at the end and scored as missing.")
    else:
        text += " The export has no bad cells."
    sec.paragraph(text)
    rows = []
    for iid, s in ctx.scored.items():
        frame = ctx.scores[ctx.scores["instrument"] == iid]
        in_frame = frame[frame["in_period"]]
        for fid, label in s.flags.items():
            col = f"flag_{fid}"
            if col not in frame:
                continue
            flagged = in_frame[col].fillna(False).astype(bool)
            at_last = roster[f"{iid}_flag_ids"].apply(lambda ids, fid=fid: fid in ids).sum() if len(roster) else 0
            rows.append({"instrument": s.instrument.short_name or iid, "flag": label,
                         "attention": "yes" if fid in ctx.attention_flags.get(iid, set()) else "no",
                         "administrations": int(flagged.sum()), "clients": int(at_last)})
    counts = pd.DataFrame(rows, columns=["instrument", "flag", "attention", "administrations", "clients"])
    cats = []
    for iid, s in ctx.scored.items():
        col = f"{iid}_category"
        if col in roster:
            for c in ("recovered", "improved", "unchanged", "deteriorated"):
                cats.append({"instrument": s.instrument.short_name or iid, "category": c,
                             "clients": int((roster[col] == c).sum())})
    ctx.counts = counts
    if len(counts):
        sec.table(counts, title="Flags Raised in the Period", group="instrument",
                  labels={"flag": "Flag", "attention": "Calls for attention", "administrations": "Administrations",
                          "clients": "Clients at their last"},
                  formats={"administrations": "int", "clients": "int"},
                  note="Flags come from the instruments' definitions (thresholds, session-to-session alerts and, "
                       "where published, the reliable change). Administrations: flagged in the period; clients: "
                       "flagged at their last administration in the period. A clinical cut-off says where a client "
                       "is, not that something went wrong: by default it does not call for attention.")
    if cats:
        sec.table(pd.DataFrame(cats), title="Clinical Change since the First Session", group="instrument",
                  labels={"category": "Category", "clients": "Clients"}, formats={"clients": "int"},
                  note="Jacobson and Truax's categories from each client's first and last score up to the end of "
                       "the period (toolkit.sessions.clinical_change): recovered (reliable improvement from the "
                       "clinical range to outside it), improved, unchanged, deteriorated. Clients with one score "
                       "have no category.")


def attention_section(ctx: ClinicContext) -> None:
    """The clients needing attention: why, and one progress chart each."""
    from .charts import Panel, Series, progress_chart

    sec = ctx.doc.section("Clients Needing Attention")
    att = ctx.roster[ctx.roster["attention"]]
    if not len(att):
        sec.paragraph("No client needs attention in this period.")
        return
    sec.paragraph(f"{len(att)} client(s) raised an attention flag at their last administration in the period. "
                  "Each chart shows the client's scores over their sessions up to the end of the period; the "
                  "dashed lines are the instruments' cut-offs, red points the sessions with an attention flag, and "
                  "the shaded band the period.")
    cols = ["client", "last_session" if ctx.session else "last_date", "reasons"]
    sec.table(att[cols], title="Clients Needing Attention",
              labels={"client": "Client", "last_session": "Last session", "last_date": "Last date",
                      "reasons": "Reasons"},
              formats={"last_session": _session_fmt, "last_date": _date_fmt},
              note="Reasons: the attention flags raised at the client's last administration in the period (their "
                   "scores are in the table of all clients and in the charts below).")
    if not ctx.charts:
        return
    x_name = "Session" if ctx.session else "Administration (by date)"
    series = _client_series(ctx, set(att["client"]))
    for row in att.itertuples(index=False):
        cid = row.client
        panels, xs_all, shade = [], [], None
        for iid, s in ctx.scored.items():
            h = series.get((cid, iid))
            if h is None:
                continue
            x, y, flagged, inside = h
            xs_all += x.tolist()
            lo, hi = s.score_range
            if not (np.isfinite(lo) and np.isfinite(hi)):
                ok = y[~np.isnan(y)]
                lo, hi = (float(ok.min()), float(ok.max())) if len(ok) else (0.0, 1.0)
            short = s.instrument.short_name or iid
            panels.append(Panel(title=f"{short} {s.main}", y_min=lo, y_max=hi,
                                series=[Series(label=short, x=x.tolist(), y=y.tolist(), flagged=flagged.tolist())],
                                references=s.references))
            if inside.any():
                lo_x, hi_x = float(x[inside].min()), float(x[inside].max())
                shade = (lo_x, hi_x) if shade is None else (min(shade[0], lo_x), max(shade[1], hi_x))
        if not panels:
            continue
        svg = progress_chart(panels, x_values=xs_all, x_label=x_name, title=f"Scores of client {cid}", shade=shade,
                             uid=f"chart{ctx.doc.n_figures + 1}")
        sec.figure(title=f"Client {cid}", svg=svg, note=str(row.reasons), css_class="client-chart")


def _client_series(ctx: ClinicContext, clients: set) -> dict:
    """(client, instrument) -> (x, score, attention-flagged, in period) arrays, ordered by x; one pass."""
    sc = ctx.scores
    sc = sc[sc["client"].isin(clients)].sort_values(["client", "instrument", "x"], kind="stable")
    if not len(sc):
        return {}
    flagged = np.zeros(len(sc), dtype=bool)
    inst = sc["instrument"].to_numpy()
    for iid, fids in ctx.attention_flags.items():
        cols = [f"flag_{f}" for f in fids if f"flag_{f}" in sc]
        if cols:
            hit = sc[cols].fillna(False).to_numpy(dtype=bool).any(axis=1)
            flagged |= hit & (inst == iid)
    x = sc["x"].to_numpy(dtype=float)
    y = sc["score"].to_numpy(dtype=float)
    inside = sc["in_period"].to_numpy(dtype=bool)
    keys = list(zip(sc["client"].to_numpy(), inst))
    starts = [0] + [i for i in range(1, len(keys)) if keys[i] != keys[i - 1]] + [len(keys)]
    return {keys[a]: (x[a:b], y[a:b], flagged[a:b], inside[a:b]) for a, b in zip(starts[:-1], starts[1:])}


def roster_section(ctx: ClinicContext) -> None:
    """Every client of the period: last scores, change, flags."""
    sec = ctx.doc.section("All Clients This Period")
    r = ctx.roster
    if not len(r):
        sec.paragraph("No administration falls in the period.")
        return
    cols = ["client", "administrations"] + (["last_session"] if ctx.session else []) + \
        (["last_date"] if ctx.date else [])
    labels = {"client": "Client", "administrations": "In period", "last_session": "Last session",
              "last_date": "Last date", "attention": "Attention", "flags": "Flags at last"}
    formats = {"administrations": "int", "last_session": _session_fmt, "last_date": _date_fmt,
               "attention": lambda v: "yes" if v else ""}
    for iid, s in ctx.scored.items():
        short = s.instrument.short_name or iid
        cols.append(iid)
        labels[iid] = f"{short} {s.main}"
        formats[iid] = ("number", 1)
        if s.has_change:
            cols.append(f"{iid}_change")
            labels[f"{iid}_change"] = f"{short} change"
            formats[f"{iid}_change"] = ("number", 1)
        if f"{iid}_category" in r:
            cols.append(f"{iid}_category")
            labels[f"{iid}_category"] = f"{short} category"
    shown = r[cols + ["attention"]].copy()
    shown["flags"] = r["all_flags"]
    sec.table(shown, title="Clients Seen in the Period", labels=labels, formats=formats,
              align={"attention": "center"},
              note="Scores at each client's last administration in the period; "
                   + ("change: since the client's first score (positive is a rise); "
                      if any(s.has_change for s in ctx.scored.values()) else "")
                   + "flags: every flag raised at that administration.")


def bad_cells_section(ctx: ClinicContext) -> None:
    """Every bad cell of the export (scored as missing)."""
    sec = ctx.doc.section("Bad Cells")
    bad = ctx.bad_cells
    if not len(bad):
        sec.paragraph("Every cell of the items is a valid answer.")
        return
    sec.paragraph(f"{len(bad)} cell(s) are not valid answers; they were scored as missing (a score is prorated or "
                  "left missing as the instrument's missing-data rule says). Fix them in the export and run the "
                  "report again.")
    cols = [c for c in ["instrument", "row", ctx.client, "column", "value", "reason"] if c in bad.columns]
    shown = bad[cols].copy()
    shown["value"] = shown["value"].map(lambda v: "(blank)" if v is None or (isinstance(v, float) and
                                                                           math.isnan(v)) else str(v))
    sec.table(shown, title="Bad Cells", labels={"instrument": "Instrument", "row": "Row", ctx.client: "Client",
                                                 "column": "Column", "value": "Value", "reason": "Reason"},
              formats={"row": "text"}, note="Row: the row of the export (1 = the first data row of a file).")


def _session_fmt(v) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "\u2013"
    return f"{v:g}" if isinstance(v, (float, np.floating)) else str(v)


def _date_fmt(v) -> str:
    if v is None or v is pd.NaT or (isinstance(v, float) and math.isnan(v)):
        return "\u2013"
    ts = pd.Timestamp(v)
    return str(ts.date()) if ts == ts.normalize() else ts.strftime("%Y-%m-%d %H:%M")


#: The sections of the page, in order (see the module docstring: the alerts and change categories of
#: ``toolkit.sessions`` are added here when that package exists).
SECTIONS: list = [summary_section, attention_section, roster_section, bad_cells_section]


# ------------------------------------------------------------------------------------------ the report
def clinic_report(data, instruments=None, *, client="client_id", session="session", date=None, period=None,
                  form=None, thresholds=None, attention=None, on_invalid="missing", charts=True, title=None,
                  clinic=None, path=None, overwrite=False) -> ClinicReport:
    """A clinic's report for a period: clients, scores, flags, who needs attention (with a chart), bad cells.

    Parameters
    ----------
    data : DataFrame, path or mapping
        The export: item responses, one row per administration (several instruments may share a row, like
        the SRS and ORS of a session); or its file (read by :func:`toolkit.read_responses`); or a mapping
        ``{instrument: frame}`` whose frames are responses or the output of :func:`toolkit.score` (with the
        id columns).
    instruments : str or list, optional
        The instrument(s) in the export (``"srs"``, ``["srs", "ors"]``); with a mapping, its keys.
    client : str
        The column naming the client (ids are text).
    session : str or None
        The column of session numbers (the charts' x axis); ``None`` when there is none (then the date
        orders a client's administrations).
    date : str, optional
        A column of dates: needed for a calendar ``period``.
    period : None, str or (start, end)
        ``None``: every administration. A calendar period (``"2025-01"``, ``"2025-01-06"``, ``"2025Q1"``) or a
        ``(start, end)`` pair of dates (inclusive, either may be ``None``), on the ``date`` column; without a
        date column, a ``(first, last)`` pair of session numbers. Administrations after the period are left
        out; earlier ones are the clients' history (first score, charts).
    form : str, optional
        The form of the instruments (default their first).
    thresholds : mapping, optional
        Override cut-offs as in :func:`toolkit.score` (``{"low_total": "<= 36"}``, ``{"low_line": False}``).
    attention : iterable of str, optional
        The flag ids that call for attention (``"low_total"``, ``"reliable_deterioration"``, ...). Default:
        every threshold, session alert and reliable deterioration, except reliable improvement and clinical
        cut-offs (``clinical_cutoff: true`` in the definition, e.g. the ORS clinical range), which say where a
        client is rather than that something went wrong (as :func:`toolkit.sessions.caseload_summary`).
    on_invalid : {"missing", "raise"}
        Bad cells are listed in the report and scored as missing (default), or raise
        :class:`~toolkit.exceptions.DataValidationError` listing them.
    charts : bool
        Draw a progress chart for every client needing attention.
    title, clinic : str, optional
        The report's title; the clinic's name (shown under it).
    path : str or Path, optional
        Also write the report there (``.html``; ``.pdf`` when Chromium is installed).
    overwrite : bool
        Replace an existing file at ``path`` (default: refuse).

    Returns
    -------
    ClinicReport
        ``.html`` (the page), ``.save(path)``, and the tables it shows: ``table`` (one row per client seen in
        the period), ``attention``, ``scores``, ``bad_cells``, ``counts``.

    Raises
    ------
    DataValidationError
        Rows that cannot be placed (no client id; a session that is not a number; a date that is not a date),
        all named; with ``on_invalid="raise"`` also bad item cells.
    InvalidParameterError
        A column that is not in the data, a period that cannot be read, an unknown attention flag.

    Notes
    -----
    The scores and flags are :func:`toolkit.score`'s: thresholds from the definitions, and for instruments that
    publish a reliable change (ORS: 5 points) the change since the client's first score, with
    ``flag_reliable_deterioration`` when it falls by at least that much. With a session column and item
    responses, the definitions' session alerts of kinds ``worse_than_previous`` and ``no_reliable_change_by``
    (:func:`toolkit.sessions.session_alerts`) are flags too, and instruments with a clinical cut-off and a
    reliable change get Jacobson and Truax's category per client (:func:`toolkit.sessions.clinical_change`,
    ``<id>_category`` in ``table``). No row, id or column of the input is changed or dropped: every
    administration up to the end of the period is in ``scores``.

    R equivalent: none (feedback systems compute these in their own software).

    References
    ----------
    Duncan, B. L. (2012). The Partners for Change Outcome Management System (PCOMS): The Heart and Soul of
    Change Project. Canadian Psychology, 53(2), 93-104.

    Examples
    --------
    >>> import toolkit
    >>> from toolkit.reports import clinic_report
    >>> export = toolkit.load_sample("srs_ors_sessions")
    >>> export = export[export["client_id"].isin(["CA001", "CA002", "CA003"])]
    >>> rep = clinic_report(export, ["srs", "ors"])
    >>> rep.table[["client", "last_session", "srs", "ors", "attention"]]
      client  last_session   srs   ors  attention
    0  CA003             6  38.1  16.9       True
    1  CA001            16  39.9  33.8      False
    2  CA002             9  40.0  25.4      False
    >>> rep.attention.loc[0, "reasons"]
    'SRS: Any SRS line below 9'
    >>> rep.save("week.html")  # doctest: +SKIP
    """
    caller = CALLER
    charts = check_bool(charts, param="charts", caller=caller)
    on_invalid = check_choice(on_invalid, ("missing", "raise"), param="on_invalid", caller=caller)
    frames = _frames(data, instruments, caller)
    if session is None and date is None:
        raise InvalidParameterError(f"{caller}() needs the session column or the date column to order each client's "
                                    "administrations: pass session='<column>' or date='<column>'.")
    start, end, period_label = _period(period, date=date, session=session, caller=caller)
    notes: list = []
    scored: dict = {}
    bad_parts = []
    long_parts = []
    for ins, frame, already in frames:
        _check_columns(frame, {"client": client, "session": session, "date": date}, caller)
        order, dates = _order_values(frame, client, session, date, caller)
        axis = dates if date is not None else order  # the period is on dates when there are dates
        keep = pd.Series(True, index=frame.index)
        in_period = pd.Series(True, index=frame.index)
        if end is not None:
            keep &= (axis <= end).to_numpy()
        if start is not None:
            in_period &= (axis >= start).to_numpy()
        in_period &= keep
        hist = frame[keep.to_numpy()]
        ids = [c for c in (client, session, date) if c is not None]
        s, bad = _score_one(ins, hist, already, form=form, ids=ids, client=client, order=order, thresholds=thresholds,
                            on_invalid=on_invalid, notes=notes, caller=caller)
        scored[ins.id] = s
        if len(bad):
            bad_parts.append(bad)
        out = s.frame
        part = pd.DataFrame({"row": hist.index, "client": hist[client].astype(str).to_numpy(),
                             "session": order.loc[hist.index].to_numpy() if session is not None else np.nan,
                             "date": dates.loc[hist.index].to_numpy() if dates is not None else pd.NaT,
                             "instrument": ins.id, "score": out[s.main].to_numpy(dtype=float),
                             "change": out[f"{ins.reliable_change.applies_to}_change"].to_numpy(dtype=float)
                             if s.has_change else np.nan,
                             "n_invalid": out["n_invalid"].to_numpy() if "n_invalid" in out else 0,
                             "in_period": in_period.loc[hist.index].to_numpy()})
        for fid in s.flags:
            part[f"flag_{fid}"] = out[f"flag_{fid}"].to_numpy()
        if not already and session is not None:
            extra, labels = _session_extras(s, hist, form=form, client=client, session=session,
                                            thresholds=thresholds, on_invalid=on_invalid, notes=notes)
            if len(extra):
                key = pd.MultiIndex.from_arrays([extra[client].astype(str), extra[session].astype(float)])
                at = pd.MultiIndex.from_arrays([part["client"], part["session"].astype(float)])
                for aid, label in labels.items():
                    part[f"flag_{aid}"] = pd.Series(extra[aid].to_numpy(), index=key).reindex(at).to_numpy()
                    s.flags[aid] = label
        part["_pos"] = np.arange(len(part))
        long_parts.append(part)
    scores = pd.concat(long_parts, ignore_index=True)
    for c in [c for c in scores.columns if c.startswith("flag_")]:
        scores[c] = scores[c].astype("boolean")
    # x: the session number, or the administration's rank by date within the client
    if session is not None:
        scores["x"] = scores["session"]
        whole = scores["session"].to_numpy(dtype=float)
        if np.all(whole == np.round(whole)):
            scores["session"] = scores["session"].astype("Int64")  # session numbers shown as given
    else:
        scores["x"] = scores.groupby(["client", "instrument"])["date"].rank(method="first")
    attention_flags = _attention(attention, scored, caller)
    roster = _roster(scores, scored, attention_flags, session=session, date=date)
    bad_cells = pd.concat(bad_parts, ignore_index=True) if bad_parts else pd.DataFrame(
        columns=["instrument", "row", client, "column", "value", "reason"])

    names = ", ".join(s.instrument.short_name or iid for iid, s in scored.items())
    doc = Document(title=str(title) if title is not None else f"Clinic Report: {names}",
                   subtitle=str(clinic) if clinic is not None else "")
    doc.facts = [("Period", period_label), ("Clients", str(len(roster))),
                 ("Need attention", str(int(roster["attention"].sum()) if len(roster) else 0)),
                 ("Bad cells", str(len(bad_cells)))]
    ctx = ClinicContext(doc=doc, client=client, session=session, date=date, period_label=period_label,
                        scored=scored, scores=scores.drop(columns=["_pos"]), roster=roster, bad_cells=bad_cells,
                        attention_flags=attention_flags, charts=charts)
    for build in SECTIONS:
        build(ctx)
    for n in notes:
        doc.note(n)
    for iid, s in scored.items():
        conf = s.instrument.confidence_for(form).level
        doc.note(f"{iid}: scored with the definition's key (confidence {conf}); flags: "
                 + (", ".join(s.flags) or "none") + ".")
    html = render(doc)
    table = roster.drop(columns=[c for c in roster.columns if c.endswith("_flag_ids")] + ["all_flags"])
    report = ClinicReport(title=doc.title, notes=list(doc.notes), html=html, table=table,
                          attention=table[table["attention"]].reset_index(drop=True),
                          scores=ctx.scores.drop(columns=["x"]),
                          bad_cells=bad_cells, counts=ctx.counts, sections=tuple(s.title for s in doc.sections))
    if path is not None:
        report.save(path, overwrite=overwrite)
    return report


def _attention(attention, scored: dict, caller: str) -> dict:
    available = {iid: set(s.flags) for iid, s in scored.items()}
    if attention is None:
        return {iid: {f for f in flags if f != _RC_IMPROVE and f not in scored[iid].status}
                for iid, flags in available.items()}
    if isinstance(attention, str):
        attention = [attention]
    wanted = [str(a) for a in attention]
    every = set().union(*available.values()) if available else set()
    unknown = [a for a in wanted if a not in every]
    if unknown:
        raise InvalidParameterError(
            f"The 'attention' parameter of {caller}() names flag(s) {unknown} that the instruments do not raise; "
            f"their flags are {sorted(every)}.")
    return {iid: flags & set(wanted) for iid, flags in available.items()}


def _roster(scores: pd.DataFrame, scored: dict, attention_flags: dict, *, session, date) -> pd.DataFrame:
    """One row per client seen in the period, from each instrument's last administration in the period."""
    inside = scores[scores["in_period"]]
    if not len(inside):
        cols = ["client", "administrations", "last_session", "last_date", "attention", "reasons", "all_flags"]
        return pd.DataFrame(columns=cols).astype({"attention": bool})
    sort_cols = ["client", "instrument"] + (["session"] if session is not None else []) + \
        (["date"] if date is not None else []) + ["_pos"]
    ordered = inside.sort_values(sort_cols, kind="stable")
    last = ordered.groupby(["client", "instrument"], sort=False).tail(1).set_index(["client", "instrument"])
    clients = pd.Index(pd.unique(inside["client"]), name="client").sort_values()
    out = pd.DataFrame(index=clients)
    when = "session" if session is not None else "date"
    out["administrations"] = inside.groupby("client")[when].nunique().reindex(out.index).fillna(0).astype("int64")
    if session is not None:
        out["last_session"] = ordered.groupby("client")["session"].max()
    if date is not None:
        out["last_date"] = ordered.groupby("client")["date"].max()
    reasons = pd.Series([[] for _ in range(len(out))], index=out.index, dtype=object)
    all_flags = pd.Series([[] for _ in range(len(out))], index=out.index, dtype=object)
    for iid, s in scored.items():
        short = s.instrument.short_name or iid
        sub = last.xs(iid, level="instrument") if iid in last.index.get_level_values("instrument") else \
            last.iloc[:0].droplevel("instrument")
        out[iid] = sub["score"].reindex(out.index)
        if s.has_change:
            out[f"{iid}_change"] = sub["change"].reindex(out.index)
        ids_col = pd.Series([[] for _ in range(len(out))], index=out.index, dtype=object)
        for fid, label in s.flags.items():
            col = sub[f"flag_{fid}"].reindex(out.index)
            hit = col.fillna(False).astype(bool)
            for c in out.index[hit.to_numpy()]:
                ids_col[c].append(fid)
                all_flags[c].append(f"{short}: {label}")
                if fid in attention_flags.get(iid, set()):
                    reasons[c].append(f"{short}: {label}")
        out[f"{iid}_flag_ids"] = ids_col
        if s.categories is not None and len(s.categories):
            cat = s.categories
            by_client = pd.Series(cat["category"].to_numpy(), index=cat.iloc[:, 0].astype(str).to_numpy())
            out[f"{iid}_category"] = by_client[~by_client.index.duplicated()].reindex(out.index).fillna("")
    out["attention"] = reasons.map(bool).astype(bool)
    out["reasons"] = reasons.map("; ".join)
    out["all_flags"] = all_flags.map("; ".join)
    out = out.reset_index()
    # attention first, then by client id (as text)
    out = out.sort_values(["attention", "client"], ascending=[False, True], kind="stable").reset_index(drop=True)
    return out
