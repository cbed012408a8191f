"""Session-by-session scores and their trajectories: :func:`session_scores`, :func:`trajectories`."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .._checks import check_choice, warn
from .._results import Result
from ..exceptions import InvalidParameterError, SessionWarning
from ._panel import build_panel

__all__ = ["session_scores", "trajectories", "Trajectories"]


def session_scores(data, instrument, *, form=None, score: str = "total", client: str = "client_id",
                   session: str = "session", rater: str | None = None, metric: str = "sum", name: str | None = None,
                   keep=None, **score_options) -> pd.DataFrame:
    """Score item responses and return one score per client (and rater) and session, in long layout.

    Parameters
    ----------
    data : DataFrame
        Item responses, one row per administration (as :func:`toolkit.score` reads them).
    instrument : str or Instrument
        The instrument (``"srs"``, ``"ors"``, ``"wai-sr"``, ...).
    form : str, optional
        Rater form (``"client"``, ``"therapist"``); default the instrument's first.
    score : str
        Which score: ``"total"`` or a subscale id.
    client, session, rater : str
        Id columns carried into the result (``rater`` optional).
    metric : {"sum", "mean", "pomp"}
        The instrument's sum, the item mean, or POMP (percent of the maximum possible, 0-100), which puts
        instruments with different scales (a client's WAI-SR and a therapist's WAI-S) on one axis.
    name : str, optional
        Name of the score column; default the instrument id with ``-`` as ``_`` (``"wai_sr"``), plus
        ``_<score>`` for a subscale.
    keep : list of str, optional
        Further columns to carry (e.g. a date column).
    **score_options
        Passed to :func:`toolkit.score` (``on_invalid``, ``max_missing``, ``items``, ...).

    Returns
    -------
    DataFrame
        The id columns, ``keep`` and the score, one row per input row, in input order. A row whose score is
        missing (too many blank items) keeps ``NaN``: the session happened, the score is unknown.

    Notes
    -----
    POMP of a score with ``k`` items on a scale ``[a, b]`` is ``100 (mean - a) / (b - a)`` of the item mean
    (Cohen, Cohen, Aiken & West 1999).

    R equivalent: none (``psych::scoreItems`` then a reshape by hand).

    References
    ----------
    Cohen, P., Cohen, J., Aiken, L. S., & West, S. G. (1999). The problem of units and the circumstance for
    POMP. Multivariate Behavioral Research, 34(3), 315-346.

    Examples
    --------
    >>> import toolkit
    >>> from toolkit.sessions import session_scores
    >>> srs = session_scores(toolkit.load_sample("srs_ors_sessions"), "srs")
    >>> list(srs.columns), float(srs["srs"].iloc[0])
    (['client_id', 'session', 'srs'], 40.0)
    """
    from ..instrument import load_instrument
    from ..scoring import score as score_items

    caller = "session_scores"
    metric = check_choice(metric, ("sum", "mean", "pomp"), param="metric", caller=caller, case=False)
    ins = load_instrument(instrument)
    if score not in ins.score_names:
        raise InvalidParameterError(f"The 'score' parameter of {caller}() must be one of {ins.score_names} "
                                    f"for {ins.id}; got {score!r}.")
    ids = [c for c in (client, rater, session) if c is not None]
    extra = [] if keep is None else ([keep] if isinstance(keep, str) else list(keep))
    for c in ids + extra:
        if c not in data.columns:
            raise InvalidParameterError(f"{caller}(): the data have no column {c!r}; columns are "
                                        f"{list(data.columns)[:20]}.")
    method = "sum" if metric == "sum" else "mean"
    scored = score_items(data, ins, form=form, id_cols=ids, metric=method, keep=extra or None, **score_options)
    values = scored[score].to_numpy(dtype=float)
    if metric == "pomp":
        scale = ins.scale_for(form)
        values = 100.0 * (values - scale.min) / (scale.max - scale.min)
    col = name or (ins.id.replace("-", "_") + ("" if score == "total" else f"_{score}"))
    out = scored[ids + extra].copy()
    out[col] = values
    return out


@dataclass(kw_only=True, repr=False, eq=False)
class Trajectories(Result):
    """Per-series summaries of session scores (see :func:`trajectories`).

    Attributes
    ----------
    table : DataFrame
        One row per series: the ids, ``n_scores``, ``first_session``, ``last_session``, ``n_gaps`` (sessions
        between the first and the last without a score), ``gaps`` (their numbers, as text), ``first``,
        ``last``, ``change`` (last - first), ``level`` (mean), ``slope`` (least-squares change per session,
        or per week with a date ``time``), ``sd`` (SD of the scores, n - 1), ``min``, ``max``.
    scores : DataFrame
        One row per session between each series' first and last score: the ids, the session, the score
        (``NaN`` in a gap), ``gap`` (no score there) and ``recorded`` (a row for the session exists).
    value : str
        The score column summarised.
    instrument : str
        Instrument id, when given (its thresholds shade the plots).
    client, rater, session : str
        The id columns of the data (``rater`` empty when there is none).

    title : str
        What was computed on what.
    notes : list of str
        The rule or model and its parameters, missed sessions and short series, and every warning raised.

    Examples
    --------
    >>> import pandas as pd
    >>> from toolkit.sessions import trajectories
    >>> d = pd.DataFrame({"client_id": "a", "session": [1, 2, 3], "srs": [30.0, 34.0, 38.0]})
    >>> trajectories(d, "srs").table[["client_id", "slope"]].values.tolist()
    [['a', 4.0]]
    """

    table: pd.DataFrame
    scores: pd.DataFrame = field(default_factory=pd.DataFrame)
    value: str = ""
    instrument: str = ""
    client: str = "client_id"
    rater: str = ""
    session: str = "session"

    def plot(self, client=None, **kwargs):
        """One client's series (:func:`~toolkit.sessions.plot_trajectory`), or all (``client=None``:
        :func:`~toolkit.sessions.plot_trajectories`)."""
        from .plots import plot_trajectories, plot_trajectory

        if client is None:
            return plot_trajectories(self, **kwargs)
        return plot_trajectory(self, client, **kwargs)


def trajectories(data, instrument=None, *, value: str | None = None, client: str = "client_id",
                 session: str = "session", rater: str | None = None, time: str | None = None) -> Trajectories:
    """Level, slope, variability and change of each client's (and rater's) session scores.

    Parameters
    ----------
    data : DataFrame
        Long layout, one row per session: ``client`` (and ``rater``), ``session`` and the score ``value``
        (e.g. from :func:`session_scores`).
    instrument : str or Instrument, optional
        The instrument the scores come from; its thresholds shade :meth:`Trajectories.plot`.
    value : str, optional
        The score column; default the only column that is not an id (an error names the candidates).
    client, session, rater : str
        Id columns: client, session number (whole numbers), and optionally the rater.
    time : str, optional
        Column of dates (or numbers) for the slope's time axis: the slope is then per week for dates. By
        default the session number.

    Returns
    -------
    Trajectories
        ``table`` (one row per series) and ``scores`` (the series, gaps included).

    Warns
    -----
    SessionWarning
        Series with fewer than two scores: their slope and SD are ``NaN`` (named in the warning and notes).

    Notes
    -----
    Over the scored sessions :math:`t_k` of a series with scores :math:`y_k` (:math:`k = 1..n`):
    level :math:`\\bar y`, SD :math:`\\sqrt{\\sum (y_k - \\bar y)^2 / (n - 1)}`, slope
    :math:`\\sum (t_k - \\bar t)(y_k - \\bar y) / \\sum (t_k - \\bar t)^2`, change :math:`y_n - y_1`.
    Sessions without a score are gaps: they count in ``n_gaps`` and break the plotted line; nothing is
    interpolated.

    R equivalent: none as one function; per client ``coef(lm(y ~ session))[2]``, ``sd(y)``, ``mean(y)``.

    Examples
    --------
    >>> import pandas as pd
    >>> from toolkit.sessions import trajectories
    >>> d = pd.DataFrame({"client_id": ["a", "a", "a", "b", "b"], "session": [1, 2, 4, 1, 2],
    ...                   "srs": [30.0, 34.0, 38.0, 39.0, 37.0]})
    >>> t = trajectories(d, "srs")
    >>> t.table[["client_id", "n_scores", "gaps", "change", "slope", "sd"]]
      client_id  n_scores gaps  change     slope   sd
    0         a         3    3     8.0  2.571429  4.0
    1         b         2        -2.0 -2.000000  1.414214
    """
    from ..instrument import load_instrument

    caller = "trajectories"
    value = _value_column(data, value, [client, session, rater, time], caller)
    panel = build_panel(data, value=value, client=client, session=session, rater=rater, caller=caller)
    ins = load_instrument(instrument) if instrument is not None else None
    y = panel.values
    ok = panel.scored
    if time is None:
        t = np.broadcast_to(panel.sessions.astype(float), y.shape)
        per = "session"
    else:
        t, per = _time_axis(data, time, panel, caller)
    n = ok.sum(axis=1)
    first_col, last_col = panel.span()
    rows = np.arange(panel.n_series)
    has = first_col >= 0
    first = np.where(has, y[rows, np.maximum(first_col, 0)], np.nan)
    last = np.where(has, y[rows, np.maximum(last_col, 0)], np.nan)
    y0 = np.where(ok, y, 0.0)
    t0 = np.where(ok, t, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        level = y0.sum(axis=1) / n
        dev = np.where(ok, y - level[:, None], 0.0)
        sd = np.sqrt((dev**2).sum(axis=1) / (n - 1))
        tbar = t0.sum(axis=1) / n
        tdev = np.where(ok, t - tbar[:, None], 0.0)
        sxx = (tdev**2).sum(axis=1)
        slope = (tdev * dev).sum(axis=1) / sxx
    short = n < 2
    sd[short] = np.nan
    slope[short | (sxx == 0)] = np.nan
    gaps = panel.gaps()
    gap_text = [", ".join(str(s) for s in panel.sessions[np.flatnonzero(g)]) for g in gaps] \
        if gaps.any() else [""] * panel.n_series
    table = panel.keys.copy()
    table["n_scores"] = n
    table["first_session"] = np.where(has, panel.sessions[np.maximum(first_col, 0)], -1)
    table["last_session"] = np.where(has, panel.sessions[np.maximum(last_col, 0)], -1)
    table["n_gaps"] = gaps.sum(axis=1)
    table["gaps"] = gap_text
    table["first"] = first
    table["last"] = last
    table["change"] = last - first
    table["level"] = level
    table["slope"] = slope
    table["sd"] = sd
    with np.errstate(all="ignore"):
        table["min"] = np.where(has, np.where(ok, y, np.inf).min(axis=1), np.nan)
        table["max"] = np.where(has, np.where(ok, y, -np.inf).max(axis=1), np.nan)
    cols = np.arange(y.shape[1])[None, :]
    span = (cols >= first_col[:, None]) & (cols <= last_col[:, None])
    scores = panel.long(span, **{value: y, "gap": gaps, "recorded": panel.recorded})

    notes = [f"Slope per {per}; SD with n - 1; change = last score - first score."]
    who = "client" + (" and rater" if rater else "")
    if gaps.any():
        k = int((gaps.sum(axis=1) > 0).sum())
        notes.append(f"{k} of {panel.n_series} series have sessions without a score between their first and last "
                     f"({int(gaps.sum())} gaps in all, listed in table['gaps']): kept as gaps, never interpolated.")
    if short.any():
        msg = (f"{int(short.sum())} series have fewer than two scores, so their slope and SD are NaN "
               f"({who}: {panel.describe_keys(np.flatnonzero(short))}).")
        notes.append(msg)
        warn(msg, SessionWarning)
    missing_rows = panel.recorded & ~ok
    if missing_rows.any():
        notes.append(f"{int(missing_rows.sum())} recorded sessions have no score (blank or unscorable answers); "
                     "they are gaps.")
    title = f"Trajectories of {value}" + (f" ({ins.id})" if ins is not None else "")
    return Trajectories(title=title, notes=notes, table=table, scores=scores, value=value,
                        instrument=ins.id if ins is not None else "", client=client, rater=rater or "",
                        session=session)


def _value_column(data, value, ids, caller):
    if value is not None:
        return value
    if not isinstance(data, pd.DataFrame):
        raise InvalidParameterError(f"The 'data' parameter of {caller}() must be a pandas DataFrame; got a "
                                    f"{type(data).__name__}.")
    candidates = [c for c in data.columns if c not in set(i for i in ids if i is not None)]
    numeric = [c for c in candidates if pd.api.types.is_numeric_dtype(data[c])]
    if len(numeric) == 1:
        return numeric[0]
    raise InvalidParameterError(
        f"{caller}() needs value='<score column>': the data have {len(numeric)} numeric columns besides the ids "
        f"({numeric[:10]}).")


def _time_axis(data, time, panel, caller):
    if time not in data.columns:
        raise InvalidParameterError(f"The 'time' parameter of {caller}() names the column {time!r}, which the "
                                    "data do not have.")
    col = data[time]
    if pd.api.types.is_datetime64_any_dtype(col) or col.dtype == object:
        stamp = pd.to_datetime(col, errors="coerce")
        if stamp.isna().any() and col.dtype == object and not col.isna().equals(stamp.isna()):
            bad = col[stamp.isna() & col.notna()]
            raise InvalidParameterError(f"The {time!r} column of {caller}()'s data has values that are not "
                                        f"dates, e.g. {bad.iloc[0]!r} (row {bad.index[0]!r}).")
        raw = (stamp - stamp.min()).dt.total_seconds().to_numpy() / (7 * 86400.0)
        per = "week"
    else:
        raw = pd.to_numeric(col, errors="coerce").to_numpy(dtype=float)
        per = f"unit of {time!r}"
    t = np.full(panel.values.shape, np.nan)
    has = panel.row >= 0
    t[has] = raw[panel.row[has]]
    return t, per
