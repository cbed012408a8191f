"""Sudden gains and sudden losses by the three criteria of Tang & DeRubeis (1999), as the R package
suddengains (Wiedemann, Thew, Stott & Ehlers 2020) applies them, on every series at once."""

from __future__ import annotations

import numbers

import numpy as np
import pandas as pd

from .._checks import check_bool, check_ci, check_number, warn
from ..exceptions import InvalidParameterError, SessionWarning
from ._panel import build_panel
from .episodes import Episodes
from .partitioned import by_client
from .ruptures import _EPS, _rc_value
from .series import _value_column

__all__ = ["sudden_gains", "sudden_losses"]

#: Later scores checked for a reversal start this many sessions after the post-change session (suddengains).
_REVERSAL_FROM = 2


@by_client
def sudden_gains(data, instrument=None, *, cutoff, percent: float | None = 0.25, t_test: bool = True,
                 ci: float = 0.95, adjust: bool = True, critical_value: float | None = None,
                 higher_is_better: bool = True, value: str | None = None, client: str = "client_id",
                 session: str = "session", rater: str | None = None) -> Episodes:
    """Sudden gains: a large, lasting improvement between two consecutive sessions (Tang & DeRubeis 1999).

    Parameters
    ----------
    data : DataFrame
        Long layout, one row per session: ``client`` (and ``rater``), ``session`` and the score ``value``.
    instrument : str or Instrument, optional
        Needed for ``cutoff="instrument"``.
    cutoff : float, None or "instrument"
        Criterion 1: the improvement is at least this many score points (a positive number for gains and for
        losses alike; suddengains writes a negative cut-off for losses). ``None`` skips the criterion;
        ``"instrument"`` uses the instrument's declared reliable change. Required: there is no default.
    percent : float or None, default 0.25
        Criterion 2: the improvement is at least this share of the pre-gain score. ``None`` skips it.
    t_test : bool, default True
        Criterion 3: the mean of the (up to) three scores before the gain and of the three after differ by
        more than ``critical value x pooled SD``.
    ci : float, default 0.95
        Confidence level of criterion 3's two-sided critical t value (suddengains' ``sg_crit3_alpha = 1 - ci``).
    adjust : bool, default True
        Critical value from t with ``n_pre + n_post - 2`` df (2.776, 3.182, 4.303 when 0, 1 or 2 of the six
        scores are missing, at ``ci=0.95``); ``False`` uses ``critical_value`` for every interval.
    critical_value : float, optional
        The critical value when ``adjust=False`` (default: t with 4 df, 2.776 at ``ci=0.95``).
    higher_is_better : bool, default True
        Direction of improvement: True for alliance and ORS scores; False for symptom scales such as the BDI,
        where a gain is a drop (suddengains' convention).
    value, client, session, rater : str
        Columns.

    Returns
    -------
    Episodes
        ``table``: one row per gain with ``session`` (post-gain), ``from_session`` (pre-gain), ``score``
        (post-gain), ``level`` (pre-gain score), ``depth`` (the improvement), then ``crit1``, ``crit2``,
        ``crit3``, ``n_pre``, ``n_post``, ``critical_value``, ``mean_pre``, ``mean_post``, ``sd_pre``, ``sd_post``,
        ``t_ratio``
        (mean difference / pooled SD) and ``reversed``; ``examined``: every between-session interval with the
        three criteria (``<NA>`` where one could not be applied).

    Notes
    -----
    The interval from session *n* to *n + 1* (pre-gain score :math:`x_n`, post-gain :math:`x_{n+1}`, improvement
    :math:`g = x_{n+1} - x_n`, or :math:`x_n - x_{n+1}` when lower is better) is a sudden gain when every applied
    criterion holds:

    1. :math:`g \\ge` ``cutoff``;
    2. :math:`g \\ge` ``percent`` :math:`\\times x_n`;
    3. with the available scores among :math:`x_{n-2}, x_{n-1}, x_n` (pre) and :math:`x_{n+1}, x_{n+2},
       x_{n+3}` (post), at least two on each side, the improvement of the means exceeds
       :math:`t_{(1 + ci)/2,\\, n_{pre} + n_{post} - 2}\\, \\sqrt{((n_{pre} - 1) s^2_{pre} + (n_{post} - 1)
       s^2_{post}) / (n_{pre} + n_{post} - 2)}`.

    An interval is undecided (``<NA>``) when the pre- or post-gain score is missing or fewer than two scores
    are on either side; as in suddengains a criterion that cannot be applied makes the interval undecided
    even when another criterion fails. The first and the last interval of the session range are never
    examined (criterion 3 needs two scores on each side), exactly as suddengains'
    ``identify_sg(identify_sg_1to2 = FALSE)``. A gain is *reversed* (Tang & DeRubeis) when a later score, from
    the second session after the post-gain session on (suddengains' choice), gives back more than half of
    it. Missed sessions are gaps: never filled in, they shrink the windows and raise the critical value.

    R equivalent: ``suddengains::identify_sg(data, id_var_name, sg_var_list, sg_crit1_cutoff = cutoff,
    sg_crit2_pct = percent, sg_crit3 = t_test, sg_crit3_alpha = 1 - ci)`` on wide data (lower is better).

    References
    ----------
    Tang, T. Z., & DeRubeis, R. J. (1999). Sudden gains and critical sessions in cognitive-behavioral therapy for
    depression. Journal of Consulting and Clinical Psychology, 67(6), 894-904.

    Lutz, W., Ehrlich, T., Rubel, J., et al. (2013). The ups and downs of psychotherapy: Sudden gains and sudden
    losses identified with session reports. Psychotherapy Research, 23(1), 14-24.

    Wiedemann, M., Thew, G. R., Stott, R., & Ehlers, A. (2020). suddengains: An R package to identify sudden
    gains in longitudinal data. PLOS ONE, 15(3), e0230276.

    Examples
    --------
    >>> import pandas as pd
    >>> from toolkit.sessions import sudden_gains
    >>> d = pd.DataFrame({"client_id": "a", "session": range(1, 7), "bdi": [28, 19, 23, 11, 12, 13]})
    >>> g = sudden_gains(d, cutoff=7, higher_is_better=False)
    >>> g.table[["client_id", "from_session", "session", "depth", "critical_value"]]
      client_id  from_session  session  depth  critical_value
    0         a             3        4   12.0        2.776445
    """
    return _sudden(data, instrument, "gain", cutoff=cutoff, percent=percent, t_test=t_test, ci=ci, adjust=adjust,
                   critical_value=critical_value, higher_is_better=higher_is_better, value=value, client=client,
                   session=session, rater=rater, window=None)


@by_client
def sudden_losses(data, instrument=None, *, cutoff, percent: float | None = 0.25, t_test: bool = True,
                  ci: float = 0.95, adjust: bool = True, critical_value: float | None = None,
                  higher_is_better: bool = True, window: int = 3, value: str | None = None,
                  client: str = "client_id", session: str = "session", rater: str | None = None) -> Episodes:
    """Sudden losses: a large, lasting worsening between two consecutive sessions, and whether it is repaired.

    The mirror of :func:`sudden_gains` (Lutz et al. 2013): every criterion with the worsening in place of the
    improvement; parameters as there, plus ``window``.

    Parameters
    ----------
    data : DataFrame
        Long layout, one row per session.
    instrument : str or Instrument, optional
        Needed for ``cutoff="instrument"``.
    cutoff : float, None or "instrument"
        Criterion 1: the worsening is at least this many score points (a positive number). Required.
    percent : float or None, default 0.25
        Criterion 2: the worsening is at least this share of the pre-loss score.
    t_test : bool, default True
        Criterion 3, as for gains.
    ci : float, default 0.95
        Level of criterion 3's critical value.
    adjust : bool, default True
        Critical value by the scores available (see :func:`sudden_gains`).
    critical_value : float, optional
        The critical value when ``adjust=False``.
    higher_is_better : bool, default True
        Direction of improvement (a loss is a fall when True).
    window : int, default 3
        A loss is repaired when a score within ``window`` sessions after the loss is back at (or beyond) the
        pre-loss score.
    value, client, session, rater : str
        Columns.

    Returns
    -------
    Episodes
        As :func:`sudden_gains`; ``repaired``, ``repair_session`` and ``sessions_to_repair`` filled in.

    Notes
    -----
    Criterion 2 is the mirror of the gain's: the worsening is at least ``percent`` of the pre-loss score.
    suddengains 0.7.2's ``identify_sl`` writes it as ``pre - post <= percent * pre``, which every loss meets,
    so with suddengains criterion 2 never excludes a loss; here it can (a loss smaller than ``percent`` of the
    pre-loss score is not a sudden loss). Its documented examples and tests give the same losses either way.

    R equivalent: ``suddengains::identify_sl(data, id_var_name, sg_var_list, sg_crit1_cutoff = -cutoff, ...)``
    (criterion 2 differs as said).

    Examples
    --------
    >>> import pandas as pd
    >>> from toolkit.sessions import sudden_losses
    >>> d = pd.DataFrame({"client_id": "a", "session": range(1, 9),
    ...                   "srs": [38, 38.5, 38, 27, 28, 27.5, 38.5, 39]})
    >>> lo = sudden_losses(d, cutoff=5)
    >>> lo.table[["session", "depth", "repaired", "repair_session", "sessions_to_repair"]]
       session  depth  repaired  repair_session  sessions_to_repair
    0        4   11.0      True               7                   3
    """
    return _sudden(data, instrument, "loss", cutoff=cutoff, percent=percent, t_test=t_test, ci=ci, adjust=adjust,
                   critical_value=critical_value, higher_is_better=higher_is_better, value=value, client=client,
                   session=session, rater=rater, window=window)


def _windows(y: np.ndarray, offsets: range) -> np.ndarray:
    """Stack of y shifted by each offset (NaN outside): out[k, i, p] = y[i, p + offsets[k]]."""
    n, s = y.shape
    out = np.full((len(offsets), n, s), np.nan)
    for k, off in enumerate(offsets):
        lo, hi = max(0, -off), min(s, s - off)
        if hi > lo:
            out[k, :, lo:hi] = y[:, lo + off:hi + off]
    return out


def _mean_var(w: np.ndarray):
    ok = ~np.isnan(w)
    n = ok.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(ok, w, 0.0).sum(axis=0) / n
        var = (np.where(ok, w - mean, 0.0) ** 2).sum(axis=0) / (n - 1)
    return n, mean, var


def _sudden(data, instrument, kind, *, cutoff, percent, t_test, ci, adjust, critical_value, higher_is_better,
            value, client, session, rater, window):
    from scipy import stats

    caller = "sudden_gains" if kind == "gain" else "sudden_losses"
    if cutoff is None:
        c1 = None
    elif isinstance(cutoff, str):
        c1 = _rc_value(cutoff, instrument, caller)
    elif isinstance(cutoff, bool) or not isinstance(cutoff, numbers.Real):
        raise InvalidParameterError(f"The 'cutoff' parameter of {caller}() must be a number of score points >= 0, "
                                    f"None or 'instrument'; got {cutoff!r}.")
    else:
        c1 = check_number(cutoff, param="cutoff", caller=caller, low=0, what="score points; a loss is a positive "
                          "worsening here" if kind == "loss" else "score points")
    c2 = None if percent is None else check_number(percent, param="percent", caller=caller, low=0, high=1,
                                                   low_open=True, what="a share, e.g. 0.25")
    t_test = check_bool(t_test, param="t_test", caller=caller)
    adjust = check_bool(adjust, param="adjust", caller=caller)
    higher_is_better = check_bool(higher_is_better, param="higher_is_better", caller=caller)
    ci = check_ci(ci, caller=caller)
    if critical_value is not None:
        critical_value = check_number(critical_value, param="critical_value", caller=caller, low=0, low_open=True)
    if c1 is None and c2 is None and not t_test:
        raise InvalidParameterError(f"{caller}() needs at least one criterion: cutoff=, percent= or t_test=True.")
    if window is not None:
        from .._checks import check_count

        window = check_count(window, param="window", caller=caller, minimum=1, what="sessions")
    value = _value_column(data, value, [client, session, rater], caller)
    panel = build_panel(data, value=value, client=client, session=session, rater=rater, caller=caller)
    y = panel.values
    n_series, width = y.shape
    sign = 1.0 if higher_is_better else -1.0
    if kind == "loss":
        sign = -sign  # "better" for a loss is the worsening
    p_cols = np.arange(1, width - 2) if width >= 4 else np.arange(0)  # pre-change columns examined

    pre = y[:, p_cols]
    post = y[:, p_cols + 1]
    change = sign * (post - pre)
    nan_pair = np.isnan(pre) | np.isnan(post)
    crit1 = np.where(nan_pair, np.nan, (change - c1 >= -_EPS)) if c1 is not None else None
    crit2 = np.where(nan_pair, np.nan, (change - c2 * pre >= -_EPS)) if c2 is not None else None
    pw = _windows(y, range(-2, 1))[:, :, p_cols]
    qw = _windows(y, range(1, 4))[:, :, p_cols]
    n_pre, m_pre, v_pre = _mean_var(pw)
    n_post, m_post, v_post = _mean_var(qw)
    enough = (n_pre >= 2) & (n_post >= 2)
    df = n_pre + n_post - 2
    fixed = None if adjust else (critical_value if critical_value is not None else float(stats.t.ppf((1 + ci) / 2, 4)))
    with np.errstate(invalid="ignore", divide="ignore"):
        pooled = np.sqrt(((n_pre - 1) * v_pre + (n_post - 1) * v_post) / df)
        if adjust:
            crit_val = np.where(enough, stats.t.ppf((1 + ci) / 2, np.maximum(df, 1)), np.nan)
        else:
            crit_val = np.where(enough, fixed, np.nan)
        diff = sign * (m_post - m_pre)
        crit3 = np.where(enough, diff > crit_val * pooled, np.nan) if t_test else None
        t_ratio = np.where(enough, diff / pooled, np.nan)
    applied = [c for c in (crit1, crit2, crit3) if c is not None]
    undecided = np.zeros(pre.shape, dtype=bool)
    met = np.ones(pre.shape, dtype=bool)
    for c in applied:
        undecided |= np.isnan(c)
        met &= c == 1
    found = met & ~undecided

    # reversal (suddengains): a later score, from the 2nd session after the post-change one, gives back > half
    # the most-reversed later score: suffix minimum (sign +1: reversal is a fall) or maximum, NaN ignored
    if width:
        suffix = (np.fmin if sign > 0 else np.fmax).accumulate(y[:, ::-1], axis=1)[:, ::-1]
        start = p_cols + 1 + _REVERSAL_FROM
        later = np.where(start < width, suffix[:, np.minimum(start, width - 1)], np.nan)
    else:
        later = np.empty(pre.shape)
    half = post - sign * np.abs(change) / 2  # give back more than half of the change
    with np.errstate(invalid="ignore"):
        reversed_ = (sign * (later - half) < 0) & ~np.isnan(later)

    fi, fp = np.nonzero(found)
    cols = p_cols[fp]
    rule = "sudden_gains" if kind == "gain" else "sudden_losses"
    params = (f"cutoff={'None' if c1 is None else format(c1, 'g')}, percent={'None' if c2 is None else format(c2, 'g')}"
              f", t_test={t_test}, ci={ci:g}, adjust={adjust}"
              + ("" if adjust else f", critical_value={fixed:g}")
              + f", higher_is_better={higher_is_better}" + (f", window={window}" if window is not None else ""))
    table = panel.keys.iloc[fi].reset_index(drop=True)
    table["rule"] = rule
    table["session"] = panel.sessions[cols + 1]
    table["from_session"] = panel.sessions[cols]
    table["score"] = post[fi, fp]
    table["level"] = pre[fi, fp]
    table["depth"] = change[fi, fp]
    table["depth_sd"] = np.nan
    rep = _repairs(y, fi, cols, sign, window)
    table["repaired"], table["repair_session"], table["repair_score"], table["sessions_to_repair"] = (
        rep[0], _int_or_na(np.where(rep[1] >= 0, panel.sessions[np.maximum(rep[1], 0)], -1), rep[1] >= 0),
        np.where(rep[1] >= 0, y[fi, np.maximum(rep[1], 0)], np.nan), _int_or_na(rep[1] - cols - 1, rep[1] >= 0))
    table["parameters"] = params
    for name, arr in (("crit1", crit1), ("crit2", crit2), ("crit3", crit3)):
        table[name] = _bool_or_na(arr[fi, fp]) if arr is not None else pd.array([pd.NA] * len(fi), dtype="boolean")
    table["n_pre"] = n_pre[fi, fp]
    table["n_post"] = n_post[fi, fp]
    table["critical_value"] = crit_val[fi, fp]
    table["mean_pre"] = m_pre[fi, fp]
    table["mean_post"] = m_post[fi, fp]
    table["sd_pre"] = np.sqrt(v_pre[fi, fp])
    table["sd_post"] = np.sqrt(v_post[fi, fp])
    table["t_ratio"] = t_ratio[fi, fp]
    table["reversed"] = reversed_[fi, fp]

    ii, pp = np.meshgrid(np.arange(n_series), np.arange(len(p_cols)), indexing="ij")
    ii, pp = ii.ravel(), pp.ravel()
    examined = panel.keys.iloc[ii].reset_index(drop=True)
    examined["session"] = panel.sessions[p_cols[pp] + 1]
    examined["from_session"] = panel.sessions[p_cols[pp]]
    examined["pre"] = pre[ii, pp]
    examined["post"] = post[ii, pp]
    examined["change"] = change[ii, pp]
    for name, arr in (("crit1", crit1), ("crit2", crit2), ("crit3", crit3)):
        if arr is not None:
            examined[name] = _bool_or_na(arr[ii, pp])
    examined["n_pre"] = n_pre[ii, pp]
    examined["n_post"] = n_post[ii, pp]
    examined["critical_value"] = crit_val[ii, pp]
    examined["examined"] = ~undecided[ii, pp]
    decided = _bool_or_na(np.where(undecided, np.nan, found)[ii, pp])
    examined["sudden_gain" if kind == "gain" else "sudden_loss"] = decided
    reason = np.full(len(ii), "", dtype=object)
    reason[~enough[ii, pp]] = "fewer than two scores before or after"
    reason[nan_pair[ii, pp]] = "no score at one of the two sessions"
    examined["reason"] = reason

    per_client = panel.keys.copy()
    per_client["n_scores"] = (~np.isnan(y)).sum(axis=1)
    per_client["n_examined"] = (~undecided).sum(axis=1)
    per_client["n_episodes"] = np.bincount(fi, minlength=n_series)
    rep_f = rep[0].to_numpy(dtype=float, na_value=np.nan)
    per_client["n_repaired"] = np.bincount(fi, weights=rep_f == 1, minlength=n_series).astype(int)
    per_client["n_not_repaired"] = np.bincount(fi, weights=rep_f == 0, minlength=n_series).astype(int)
    per_client["n_unknown"] = np.bincount(fi, weights=np.isnan(rep_f), minlength=n_series).astype(int)
    per_client["n_reversed"] = np.bincount(fi, weights=reversed_[fi, fp], minlength=n_series).astype(int)

    direction = "higher" if higher_is_better else "lower"
    notes = [f"Rule {rule}({params}): {direction} scores are better.",
             "Criteria as suddengains applies them; an interval is undecided (<NA>) when a criterion cannot be "
             "applied (a missing pre- or post-change score, or fewer than two scores on either side).",
             f"{int((~undecided).sum())} of {undecided.size} between-session intervals could be examined."]
    if kind == "gain":
        notes.append("repaired is <NA>: repair applies to losses; see 'reversed'.")
    if width < 4:
        msg = (f"The sessions run from {panel.sessions.min() if width else '-'} to "
               f"{panel.sessions.max() if width else '-'}: at least four sessions are needed to examine any interval.")
        notes.append(msg)
        warn(msg, SessionWarning)
    what = "gains" if kind == "gain" else "losses"
    title = f"Sudden {what} in {value}: {len(fi)} found"
    return Episodes(title=title, notes=notes, table=table, per_client=per_client, examined=examined, rule=rule,
                    parameters=params, client=client, rater=rater or "")


def _bool_or_na(arr):
    out = pd.array(np.where(np.isnan(arr), False, arr == 1), dtype="boolean")
    out[np.isnan(arr)] = pd.NA
    return out


def _int_or_na(arr, mask):
    out = pd.array(np.where(mask, arr, 0).astype(np.int64), dtype="Int64")
    out[~mask] = pd.NA
    return out


def _repairs(y, fi, cols, sign, window):
    """(repaired, column of the repair) for losses at pre-change columns ``cols``: back at the pre-loss score."""
    n = len(fi)
    if window is None:
        return pd.array([pd.NA] * n, dtype="boolean"), np.full(n, -1)
    width = y.shape[1]
    pre = y[fi, cols]
    found = np.full(n, -1)
    for d in range(1, window + 1):
        c = cols + 1 + d
        inside = c < width
        cc = np.minimum(c, width - 1)
        # sign is +1 when the loss is a rise (lower is better): repaired when back at or below the pre-loss score
        hit = inside & (found < 0) & ~np.isnan(y[fi, cc]) & (sign * (y[fi, cc] - pre) <= _EPS)
        found[hit] = c[hit]
    ok = ~np.isnan(y)
    last = np.where(ok.any(axis=1), width - 1 - ok[:, ::-1].argmax(axis=1), -1)
    known = (found >= 0) | (last[fi] >= cols + 1 + window)
    rep = pd.array(found >= 0, dtype="boolean")
    rep[~known] = pd.NA
    return rep, found
