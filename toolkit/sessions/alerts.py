"""Feedback alerts from an instrument's own thresholds, clinical change categories, and the caseload view.

Nothing here knows an instrument by name: the cut-offs (``thresholds``), the reliable change
(``reliable_change``), the clinical cut-off (a threshold with ``clinical_cutoff: true``) and the
session-to-session alerts (``session_alerts``) all come from the definition file, so any instrument that
declares them gets the same alerts.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .._checks import check_bool, check_number, warn
from .._results import Result
from ..exceptions import InvalidParameterError, SessionWarning
from ._panel import build_panel
from .partitioned import by_client
from .series import _value_column

__all__ = ["session_alerts", "Alerts", "clinical_change", "ClinicalChange", "caseload_summary", "Caseload"]

_EPS = 1e-9
CATEGORIES = ("recovered", "improved", "unchanged", "deteriorated")


def _higher_is_better(instrument) -> bool:
    """Direction of improvement from a definition: its clinical cut-off's clinical side (``<``: low scores are
    clinical, so higher is better); True when it declares none (as the scoring engine's reliable-change flags).

    >>> _higher_is_better("ors")
    True
    """
    from ..instrument import load_instrument

    ins = load_instrument(instrument)
    for t in ins.thresholds:
        if t.clinical_cutoff:
            return t.operator in ("<", "<=")
    return True


@dataclass(kw_only=True, repr=False, eq=False)
class Alerts(Result):
    """Session alerts (see :func:`session_alerts`).

    Attributes
    ----------
    table : DataFrame
        One row per alert raised: the ids, ``session``, ``alert`` (its id), ``label``, ``score`` (the score that
        raised it), ``reference`` (the cut-off, the previous or the first score), ``meaning``; ``alert``,
        ``label`` and ``meaning`` are categorical (a code per row, so a large caseload stays small).
    by_session : DataFrame
        One row per recorded session: the ids, the scores used, and one nullable boolean column per alert
        (``<NA>`` where it cannot be judged: no score, no earlier score, a session before the rule applies).
    latest : DataFrame
        One row per client (and rater): ``last_session`` (the last recorded session), ``alerts`` (the labels
        raised there, ``"; "``-joined), ``n_alerts``, ``score`` (the score there) and ``raised`` (the alert ids,
        comma-joined).
    rules : DataFrame
        The alert rules applied: ``alert``, ``label``, ``kind`` (``threshold``, ``clinical_cutoff`` (a status:
        the score is in the clinical range), ``worse_than_previous``, ``no_reliable_change_by``,
        ``reliable_change``), ``applies_to``, ``value``, ``source``, ``confidence``.
    instrument : str
        Instrument id.
    client, rater, session : str
        The id columns of the data.

    title : str
        What was computed on what.
    notes : list of str
        The rule or model and its parameters, missed sessions and short series, and every warning raised.

    Examples
    --------
    >>> import pandas as pd
    >>> from toolkit.sessions import session_alerts
    >>> d = pd.DataFrame({"client_id": "a", "session": [1, 2], "srs_01": [9.5, 7.0], "srs_02": 9.5,
    ...                   "srs_03": 9.5, "srs_04": 9.5})
    >>> session_alerts(d, "srs").latest[["client_id", "n_alerts"]].values.tolist()
    [['a', 3]]
    """

    table: pd.DataFrame
    by_session: pd.DataFrame = field(default_factory=pd.DataFrame)
    latest: pd.DataFrame = field(default_factory=pd.DataFrame)
    rules: pd.DataFrame = field(default_factory=pd.DataFrame)
    instrument: str = ""
    client: str = "client_id"
    rater: str = ""
    session: str = "session"

    def _display_tables(self) -> dict:
        return {"table": self.table, "latest": self.latest, "rules": self.rules}


@by_client
def session_alerts(data, instrument, *, form=None, client: str = "client_id", session: str = "session",
                   rater: str | None = None, thresholds=None, **score_options) -> Alerts:
    """Per-session feedback alerts from the instrument's definition.

    Parameters
    ----------
    data : DataFrame
        Item responses, one row per administration, with the ``client`` and ``session`` columns (scored with
        :func:`toolkit.score`, so every bad cell is reported as there). A Dask DataFrame is shuffled once by
        client and each partition alerted on its own: the tables come back lazy (:mod:`toolkit.sessions.partitioned`,
        :func:`toolkit.sessions.collect`).
    instrument : str or Instrument
        The instrument: ``"srs"``, ``"ors"``, or any definition with thresholds.
    form : str, optional
        Rater form.
    client, session, rater : str
        Id columns (``rater`` optional: a separate series per rater).
    thresholds : mapping, optional
        Override cut-offs as in :func:`toolkit.score` (``{"low_total": "<= 36"}``, ``{"low_line": False}``).
    **score_options
        Passed to :func:`toolkit.score` (``on_invalid``, ``max_missing``, ``items`` ...).

    Returns
    -------
    Alerts
        ``table`` (alerts raised), ``by_session``, ``latest`` (this week's alerts per client), ``rules``.

    Notes
    -----
    Rules, each only when the definition declares what it needs:

    * every ``threshold``: the score (or, for ``any_item``, any single item) meets the cut-off;
    * ``session_alerts`` of kind ``worse_than_previous``: the score is worse than the client's previous
      recorded score by more than ``value`` points (a missed session in between is skipped: the comparison is
      with the last score there is, named in ``reference``);
    * ``reliable_deterioration`` (instruments with ``reliable_change``): the score is worse than the client's
      first recorded score by at least the reliable change;
    * ``session_alerts`` of kind ``no_reliable_change_by``: at session ``value`` or later, the score has not
      yet improved on the first by the reliable change.

    Improvement is upward unless the instrument's clinical cut-off says low scores are the healthy side
    (the clinical cut-off's side). Comparisons to within 1e-9 (0.1-scale sums).

    R equivalent: none (feedback systems compute these in their own software).

    References
    ----------
    Duncan, B. L. (2012). The Partners for Change Outcome Management System (PCOMS): The Heart and Soul of
    Change Project. Canadian Psychology, 53(2), 93-104.

    Examples
    --------
    >>> import pandas as pd
    >>> from toolkit.sessions import session_alerts
    >>> d = pd.DataFrame({"client_id": "a", "session": [1, 2, 3], "srs_01": [9.5, 9.0, 7.0],
    ...                   "srs_02": [9.5, 9.5, 9.5], "srs_03": [9.5, 9.5, 9.5], "srs_04": [9.5, 9.5, 9.5]})
    >>> al = session_alerts(d, "srs")
    >>> al.table[["session", "alert", "score", "reference"]]
       session                alert  score  reference
    0        3            low_total   35.5       36.0
    1        3             low_line   35.5        9.0
    2        3  lower_than_previous   35.5       37.5
    >>> al.latest[["client_id", "last_session", "n_alerts"]].values.tolist()
    [['a', 3, 3]]
    """
    from ..instrument import load_instrument
    from ..scoring import score as score_items

    caller = "session_alerts"
    ins = load_instrument(instrument)
    ids = [client] + ([rater] if rater is not None else []) + [session]
    if not isinstance(data, pd.DataFrame):
        raise InvalidParameterError(f"The 'data' parameter of {caller}() must be a pandas DataFrame of item "
                                    f"responses; got a {type(data).__name__}.")
    for param, col in (("client", client), ("session", session), ("rater", rater)):
        if col is not None and col not in data.columns:
            raise InvalidParameterError(f"The {param!r} parameter of {caller}() names the column {col!r}, which the "
                                        f"data do not have; its columns are {list(data.columns)[:20]}.")
    from ..exceptions import DataValidationError
    from ..scoring.rules import resolve_thresholds

    try:  # scored without carrying the ids (fast); a bad cell is reported again with them, named
        scored = score_items(data, ins, form=form, id_cols=[], thresholds=thresholds, **score_options)
    except DataValidationError:
        score_items(data, ins, form=form, id_cols=ids, thresholds=thresholds, **score_options)
        raise
    active = resolve_thresholds(ins, thresholds)
    main = "total" if "total" in ins.score_names else ins.score_names[0]
    panel = build_panel(data, value=main, client=client, session=session, rater=rater, caller=caller,
                        values=scored[main].to_numpy(dtype=float))
    has = panel.row >= 0
    shape = panel.values.shape

    def place(col, dtype=float, fill=np.nan):
        out = np.full(shape, fill, dtype=dtype)
        out[has] = np.asarray(col)[panel.row[has]]
        return out

    scores = {}
    for name in {t.applies_to for t in active if t.applies_to != "any_item"} | \
            {a.applies_to for a in ins.session_alerts} | \
            ({ins.reliable_change.applies_to} if ins.reliable_change else set()) | {main}:
        scores[name] = panel.values if name == main else place(scored[name].to_numpy(dtype=float))
    up = 1.0 if _higher_is_better(ins) else -1.0
    alerts: list[tuple] = []  # (id, label, kind, applies_to, value, source, confidence, raised, known, score, ref)
    sessions = np.broadcast_to(panel.sessions, shape)

    for t in active:
        flag = scored[f"flag_{t.id}"]
        missing = flag.isna().to_numpy()
        known = place(~missing, bool, False)
        raised = place(flag.to_numpy(dtype=bool, na_value=False), bool, False)
        sc = scores[main] if t.applies_to == "any_item" else scores[t.applies_to]
        alerts.append((t.id, t.label, "clinical_cutoff" if t.clinical_cutoff else "threshold", t.applies_to,
                       t.value, t.source, t.confidence, raised, known, sc, np.full(shape, t.value), t.meaning))

    def previous_and_first(y):
        ok = ~np.isnan(y)
        cols = np.arange(shape[1])
        last_ok = np.maximum.accumulate(np.where(ok, cols[None, :], -1), axis=1)
        prev = np.hstack([np.full((shape[0], 1), -1), last_ok[:, :-1]]) if shape[1] else last_ok
        first = np.where(ok.any(axis=1), ok.argmax(axis=1), -1)
        return ok, prev, first

    for a in ins.session_alerts:
        y = scores[a.applies_to]
        ok, prev, first = previous_and_first(y)
        if a.kind == "worse_than_previous":
            ref = np.take_along_axis(y, np.maximum(prev, 0), axis=1)
            known = ok & (prev >= 0)
            with np.errstate(invalid="ignore"):
                raised = known & (up * (ref - y) - a.value > _EPS)
        else:  # no_reliable_change_by
            rc = ins.reliable_change.value
            base = y[np.arange(shape[0]), np.maximum(first, 0)][:, None]
            gain = np.where(ok, up * (y - base), -np.inf)
            best = np.maximum.accumulate(gain, axis=1)
            known = ok & (first[:, None] >= 0) & (sessions >= a.value)
            raised = known & (best - rc < -_EPS)
            ref = np.broadcast_to(base, shape)
        alerts.append((a.id, a.label, a.kind, a.applies_to, a.value, a.source, a.confidence, raised, known, y,
                       ref, a.meaning))
    if ins.reliable_change is not None:
        rc = ins.reliable_change
        y = scores[rc.applies_to]
        ok, prev, first = previous_and_first(y)
        base = y[np.arange(shape[0]), np.maximum(first, 0)][:, None]
        known = ok & (np.arange(shape[1])[None, :] > first[:, None]) & (first[:, None] >= 0)
        with np.errstate(invalid="ignore"):
            raised = known & (up * (y - base) + rc.value <= _EPS)
        alerts.append(("reliable_deterioration", f"Reliable deterioration since the first session "
                       f"({rc.value:g} points)", "reliable_change", rc.applies_to, rc.value, rc.source, "V2",
                       raised, known, y, np.broadcast_to(base, shape),
                       "Worse than at the start by more than measurement error; review the plan with the client."))

    rows = panel.recorded
    ri, rj = np.nonzero(rows)
    cols = {name: arr for name, arr in scores.items()}
    for a in alerts:
        cols[a[0]] = pd.arrays.BooleanArray(a[7][ri, rj], ~a[8][ri, rj])
    by_session = panel.frame(ri, rj, **cols)
    # every alert raised, alert by alert (np.nonzero gives series then session order: no sort needed)
    hits = [np.nonzero(a[7]) for a in alerts]
    if alerts:
        i = np.concatenate([h[0] for h in hits])
        j = np.concatenate([h[1] for h in hits])
        which = np.repeat(np.arange(len(alerts)), [len(h[0]) for h in hits])
        def coded(k):  # a categorical: one code per row instead of millions of repeated strings
            cats = list(dict.fromkeys(a[k] for a in alerts))
            return pd.Categorical.from_codes(np.array([cats.index(a[k]) for a in alerts])[which], categories=cats)

        table = panel.frame(i, j, alert=coded(0), label=coded(1),
                            score=np.concatenate([a[9][h] for a, h in zip(alerts, hits)]),
                            reference=np.concatenate([np.broadcast_to(a[10], shape)[h]
                                                      for a, h in zip(alerts, hits)]),
                            meaning=coded(11))
    else:
        table = pd.DataFrame(columns=panel.key_columns + [session, "alert", "label", "score", "reference", "meaning"])
    rules = pd.DataFrame([{"alert": a[0], "label": a[1], "kind": a[2], "applies_to": a[3], "value": a[4],
                           "source": a[5], "confidence": a[6]} for a in alerts])

    # this week: each series' last recorded session
    cols = np.arange(shape[1])
    last = np.where(panel.recorded.any(axis=1),
                    shape[1] - 1 - panel.recorded[:, ::-1].argmax(axis=1), -1) if shape[1] else np.full(shape[0], -1)
    latest = panel.keys.copy()
    latest["last_session"] = panel.sessions[np.maximum(last, 0)] if shape[1] else []
    at_last = np.stack([a[7][np.arange(shape[0]), np.maximum(last, 0)] for a in alerts], axis=1) \
        if alerts else np.zeros((shape[0], 0), bool)
    # the same few combinations of alerts recur: text made once per combination
    combo = (at_last.astype(np.int64) << np.arange(at_last.shape[1])).sum(axis=1)
    uniq, inv = np.unique(combo, return_inverse=True)
    bits = [[k for k in range(len(alerts)) if (u >> k) & 1] for u in uniq]
    latest["alerts"] = np.array(["; ".join(alerts[k][1] for k in b) for b in bits], dtype=object)[inv]
    latest["n_alerts"] = at_last.sum(axis=1)
    latest["raised"] = np.array([",".join(alerts[k][0] for k in b) for b in bits], dtype=object)[inv]
    latest["score"] = scores[main][np.arange(shape[0]), np.maximum(last, 0)]
    del cols

    notes = [f"Alerts of {ins.id} from its definition: " + ", ".join(rules["alert"]) + "."]
    if any(a[6] == "R" for a in alerts):
        notes.append("Alerts with confidence R come from recalled guidance, not checked against a manual: "
                     + ", ".join(a[0] for a in alerts if a[6] == "R") + ".")
    missing = panel.recorded & np.isnan(panel.values)
    if missing.any():
        notes.append(f"{int(missing.sum())} recorded sessions have no {main} score: their alerts are <NA>, and "
                     "session-to-session alerts compare with the last score there is.")
    title = f"Session alerts ({ins.id}): {len(table)} raised over {int(rows.sum())} sessions"
    return Alerts(title=title, notes=notes, table=table, by_session=by_session, latest=latest, rules=rules,
                  instrument=ins.id, client=client, rater=rater or "", session=session)


@dataclass(kw_only=True, repr=False, eq=False)
class ClinicalChange(Result):
    """Jacobson-Truax clinical change per client (see :func:`clinical_change`).

    Attributes
    ----------
    table : DataFrame
        One row per client (and rater): ``first_session``, ``last_session``, ``first``, ``last``, ``change``
        (improvement: positive is better), ``reliable`` (``"improvement"``, ``"deterioration"`` or ``"none"``),
        ``clinical_at_start``, ``clinical_at_end``, ``category`` (recovered, improved, unchanged,
        deteriorated; ``""`` with fewer than two scores).
    counts : DataFrame
        ``category``, ``clients``, ``share`` (of the clients with a category).
    cutoff, reliable_change : float
        The clinical cut-off and the reliable change used.
    client : str
        The client id column.

    title : str
        What was computed on what.
    notes : list of str
        The rule or model and its parameters, missed sessions and short series, and every warning raised.

    Examples
    --------
    >>> import pandas as pd
    >>> from toolkit.sessions import clinical_change
    >>> d = pd.DataFrame({"client_id": "a", "session": [1, 6], "ors": [18.0, 27.0]})
    >>> clinical_change(d, "ors").table["category"].tolist()
    ['recovered']
    """

    table: pd.DataFrame
    counts: pd.DataFrame = field(default_factory=pd.DataFrame)
    cutoff: float = float("nan")
    reliable_change: float = float("nan")
    client: str = "client_id"


@by_client
def clinical_change(data, instrument=None, *, cutoff: float | None = None, reliable_change: float | None = None,
                    higher_is_better: bool | None = None, value: str | None = None, client: str = "client_id",
                    session: str = "session", rater: str | None = None) -> ClinicalChange:
    """Recovered, improved, unchanged or deteriorated: Jacobson & Truax's categories from the first and the last
    score of each client.

    Parameters
    ----------
    data : DataFrame
        Long layout scores (e.g. from :func:`session_scores`); a Dask DataFrame is run per partition of clients
        (:mod:`toolkit.sessions.partitioned`).
    instrument : str or Instrument, optional
        Gives the clinical cut-off (its threshold with ``clinical_cutoff: true``), the reliable change and the
        direction, for any instrument that declares them (ORS: 25 and 5).
    cutoff, reliable_change : float, optional
        Override (or supply, without an instrument) the cut-off and the reliable change in score points.
    higher_is_better : bool, optional
        Direction; default from the instrument (True without one).
    value, client, session, rater : str
        Columns.

    Returns
    -------
    ClinicalChange

    Warns
    -----
    SessionWarning
        Clients with fewer than two scores get no category; the warning names them.

    Notes
    -----
    With improvement :math:`g = \\pm(x_{last} - x_{first})` and reliable change :math:`RC`: *recovered* when
    :math:`g \\ge RC` and the first score is in the clinical range and the last is not; *improved* when
    :math:`g \\ge RC` otherwise; *deteriorated* when :math:`g \\le -RC`; *unchanged* otherwise (comparisons to
    within 1e-9). First and last are the first and last *scored* sessions: missing sessions are skipped, never
    filled in.

    R equivalent: none in psych; by hand from ``(last - first)`` and the cut-off.

    References
    ----------
    Jacobson, N. S., & Truax, P. (1991). Clinical significance: A statistical approach to defining meaningful
    change in psychotherapy research. Journal of Consulting and Clinical Psychology, 59(1), 12-19.

    Examples
    --------
    >>> import pandas as pd
    >>> from toolkit.sessions import clinical_change
    >>> d = pd.DataFrame({"client_id": ["a", "a", "b", "b", "c", "c", "d", "d"], "session": [1, 5] * 4,
    ...                   "ors": [18.0, 27.0, 18.0, 24.0, 26.0, 20.0, 20.0, 22.0]})
    >>> clinical_change(d, "ors").table[["client_id", "change", "category"]]
      client_id  change      category
    0         a     9.0     recovered
    1         b     6.0      improved
    2         c    -6.0  deteriorated
    3         d     2.0     unchanged
    """
    from ..instrument import load_instrument

    caller = "clinical_change"
    ins = load_instrument(instrument) if instrument is not None else None
    if higher_is_better is None:
        higher_is_better = _higher_is_better(ins) if ins is not None else True
    higher_is_better = check_bool(higher_is_better, param="higher_is_better", caller=caller)
    if cutoff is None:
        clin = [t for t in (ins.thresholds if ins else ()) if t.clinical_cutoff]
        if not clin:
            raise InvalidParameterError(
                f"{caller}() needs the clinical cut-off: pass cutoff=<score>, or an instrument whose definition "
                f"marks a threshold clinical_cutoff: true{f' ({ins.id} marks none)' if ins else ''}.")
        cutoff, c_op = clin[0].value, clin[0].operator
    else:
        c_op = "<" if higher_is_better else ">"
    cutoff = check_number(cutoff, param="cutoff", caller=caller)
    if reliable_change is None:
        if ins is None or ins.reliable_change is None:
            raise InvalidParameterError(
                f"{caller}() needs the reliable change: pass reliable_change=<score points>, or an instrument that "
                f"declares it{f' ({ins.id} does not)' if ins else ''}.")
        reliable_change = ins.reliable_change.value
    reliable_change = check_number(reliable_change, param="reliable_change", caller=caller, low=0, low_open=True)
    value = _value_column(data, value, [client, session, rater], caller)
    panel = build_panel(data, value=value, client=client, session=session, rater=rater, caller=caller)
    y = panel.values
    first_col, last_col = panel.span()
    rows = np.arange(len(y))
    ok = first_col >= 0
    first = np.where(ok, y[rows, np.maximum(first_col, 0)], np.nan)
    last = np.where(ok, y[rows, np.maximum(last_col, 0)], np.nan)
    n = (~np.isnan(y)).sum(axis=1)
    up = 1.0 if higher_is_better else -1.0
    change = up * (last - first)

    def clinical(x):
        ops = {"<": np.less, "<=": np.less_equal, ">": np.greater, ">=": np.greater_equal}
        return ops[c_op](x, cutoff)

    improved = change - reliable_change >= -_EPS
    worse = change + reliable_change <= _EPS
    start, end = clinical(first), clinical(last)
    category = np.where(worse, "deteriorated", np.where(improved & start & ~end, "recovered",
                                                         np.where(improved, "improved", "unchanged")))
    assessable = n >= 2
    category = np.where(assessable, category, "")
    table = panel.keys.copy()
    table["n_scores"] = n
    table["first_session"] = np.where(ok, panel.sessions[np.maximum(first_col, 0)], -1)
    table["last_session"] = np.where(ok, panel.sessions[np.maximum(last_col, 0)], -1)
    table["first"], table["last"], table["change"] = first, last, np.where(assessable, change, np.nan)
    table["reliable"] = np.where(~assessable, "", np.where(improved, "improvement",
                                                           np.where(worse, "deterioration", "none")))
    table["clinical_at_start"] = start & ok
    table["clinical_at_end"] = end & ok
    table["category"] = category
    counts = pd.DataFrame({"category": list(CATEGORIES),
                           "clients": [int((category == c).sum()) for c in CATEGORIES]})
    counts["share"] = counts["clients"] / max(int(assessable.sum()), 1)
    notes = [f"Clinical range: score {c_op} {cutoff:g}; reliable change {reliable_change:g} points; "
             f"{'higher' if higher_is_better else 'lower'} scores are better. First and last scored sessions."]
    if not assessable.all():
        msg = (f"{int((~assessable).sum())} clients have fewer than two scores and no category: "
               f"{panel.describe_keys(np.flatnonzero(~assessable))}.")
        notes.append(msg)
        warn(msg, SessionWarning)
    title = f"Clinical change ({ins.id if ins else value}): " + ", ".join(
        f"{c} {k}" for c, k in zip(counts["category"], counts["clients"]))
    return ClinicalChange(title=title, notes=notes, table=table, counts=counts, cutoff=float(cutoff),
                          reliable_change=float(reliable_change), client=client)


@dataclass(kw_only=True, repr=False, eq=False)
class Caseload(Result):
    """A clinic's clients by need (see :func:`caseload_summary`).

    Attributes
    ----------
    table : DataFrame
        One row per client, most in need first: ``client``, ``last_session``, ``alerts`` (every label raised at
        each instrument's last session, prefixed by the instrument), ``n_alerts`` (those that count for
        attention), ``category`` (clinical change, when given), ``needs_attention``, ``reason``.
    counts : DataFrame
        ``category`` and ``clients``: the clinical-change categories and "needs attention".
    client : str
        The client id column.

    title : str
        What was computed on what.
    notes : list of str
        The rule or model and its parameters, missed sessions and short series, and every warning raised.

    Examples
    --------
    >>> import pandas as pd
    >>> from toolkit.sessions import caseload_summary, session_alerts
    >>> d = pd.DataFrame({"client_id": ["a", "b"], "session": 1, "srs_01": [9.5, 7.0], "srs_02": 9.5,
    ...                   "srs_03": 9.5, "srs_04": 9.5})
    >>> caseload_summary(session_alerts(d, "srs")).table["client_id"].tolist()
    ['b', 'a']
    """

    table: pd.DataFrame
    counts: pd.DataFrame = field(default_factory=pd.DataFrame)
    client: str = "client_id"

    def plot(self, **kwargs):
        """Bar chart of :attr:`counts` (:func:`toolkit.sessions.plots.plot_caseload`)."""
        from .plots import plot_caseload

        return plot_caseload(self, **kwargs)


def caseload_summary(*alerts, change: ClinicalChange | None = None, attention="actions") -> Caseload:
    """Which clients need attention this week, and how many are in each clinical-change category.

    Parameters
    ----------
    *alerts : Alerts
        One :func:`session_alerts` result per instrument (e.g. SRS and ORS), on the same client ids.
    change : ClinicalChange, optional
        :func:`clinical_change` of the outcome; deteriorated clients need attention.
    attention : "actions", "all" or list of str
        Which alerts at a client's last session make it need attention: ``"actions"`` (default) every alert
        except a clinical cut-off, which says where the client is (in treatment for being in the clinical
        range) rather than that something went wrong; ``"all"``; or a list of alert ids.

    Returns
    -------
    Caseload
        ``table`` sorted by need (deteriorated first, then the number of alerts at the client's last session,
        then the client id) and ``counts``.

    Notes
    -----
    A client needs attention when an alert that counts (``attention``) was raised at its last recorded session
    of an instrument, or its clinical change is *deteriorated*.

    R equivalent: none.

    Examples
    --------
    >>> import pandas as pd
    >>> from toolkit.sessions import caseload_summary, session_alerts
    >>> d = pd.DataFrame({"client_id": ["a", "a", "b", "b"], "session": [1, 2, 1, 2],
    ...                   "srs_01": [9.5, 7.0, 9.5, 9.6], "srs_02": 9.5, "srs_03": 9.5, "srs_04": 9.5})
    >>> caseload_summary(session_alerts(d, "srs")).table[["client_id", "n_alerts", "needs_attention"]]
      client_id  n_alerts  needs_attention
    0         a         3             True
    1         b         0            False
    """
    if not alerts:
        raise InvalidParameterError("caseload_summary() needs at least one session_alerts() result.")
    for a in alerts:
        if not isinstance(a, Alerts):
            raise InvalidParameterError(f"caseload_summary() takes session_alerts() results (and change=); got a "
                                        f"{type(a).__name__}.")
    client = alerts[0].client
    if not (attention in ("actions", "all") or (isinstance(attention, (list, tuple))
                                                and all(isinstance(x, str) for x in attention))):
        raise InvalidParameterError(f"The 'attention' parameter of caseload_summary() must be 'actions', 'all' or a "
                                    f"list of alert ids; got {attention!r}.")
    frames = []
    for a in alerts:
        lt = a.latest.rename(columns={a.client: client})
        if attention == "all":
            counted = set(a.rules["alert"])
        elif attention == "actions":
            counted = set(a.rules.loc[a.rules["kind"] != "clinical_cutoff", "alert"])
        else:
            counted = set(attention)
        raised = lt["raised"].str.split(",")
        n_att = raised.map(lambda ids, counted=counted: sum(1 for x in ids if x in counted))
        lt = lt.assign(alerts=np.where(lt["alerts"] != "", a.instrument + ": " + lt["alerts"].astype(str), ""),
                       n_alerts=n_att)
        frames.append(lt[[client, "last_session", "alerts", "n_alerts"]])
    both = pd.concat(frames, ignore_index=True)
    both["_order"] = np.arange(len(both))
    table = both.groupby(client, sort=False).agg(
        last_session=("last_session", "max"), n_alerts=("n_alerts", "sum"),
        alerts=("alerts", lambda s: " | ".join(x for x in s if x)), _order=("_order", "min")).reset_index()
    if change is not None:
        if not isinstance(change, ClinicalChange):
            raise InvalidParameterError(f"The 'change' parameter of caseload_summary() must be a clinical_change() "
                                        f"result; got a {type(change).__name__}.")
        cat = change.table.rename(columns={change.client: client}).drop_duplicates(client).set_index(client)
        table["category"] = table[client].map(cat["category"]).fillna("")
    else:
        table["category"] = ""
    deteriorated = (table["category"] == "deteriorated").to_numpy()  # before sorting: positions match
    table["needs_attention"] = (table["n_alerts"] > 0).to_numpy() | deteriorated
    table["reason"] = np.where(deteriorated, np.where(table["n_alerts"] > 0, "deteriorated; alerts", "deteriorated"),
                               np.where(table["n_alerts"] > 0, "alerts this session", ""))
    table = table.sort_values(["needs_attention", "n_alerts", "_order"], ascending=[False, False, True],
                              kind="stable")
    det = table["category"] == "deteriorated"
    table = pd.concat([table[det], table[~det]]).drop(columns="_order").reset_index(drop=True)
    cats = list(CATEGORIES) if change is not None else []
    counts = pd.DataFrame({"category": cats + ["needs attention"],
                           "clients": [int((table["category"] == c).sum()) for c in cats]
                           + [int(table["needs_attention"].sum())]})
    notes = ["Needs attention: an alert at the client's last session of an instrument ("
             + ("every alert" if attention == "all" else "every alert but a clinical cut-off"
                if attention == "actions" else ", ".join(attention)) + "), or deteriorated.",
             "Instruments: " + ", ".join(a.instrument for a in alerts) + "."]
    title = f"Caseload: {len(table)} clients, {int(table['needs_attention'].sum())} need attention"
    return Caseload(title=title, notes=notes, table=table, counts=counts, client=client)
