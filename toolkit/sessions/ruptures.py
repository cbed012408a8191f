"""Rupture-and-repair detection: a drop below the client's running mean, and whether the score comes back.

Computed on the whole panel of series at once (:mod:`toolkit.sessions._panel`): no loop over clients.
"""

from __future__ import annotations

import numbers

import numpy as np
import pandas as pd

from .._checks import check_count, check_number, warn
from ..exceptions import InvalidParameterError, SessionWarning
from ._panel import build_panel
from .episodes import Episodes
from .partitioned import by_client
from .series import _value_column

__all__ = ["drop_below_running_mean", "pooled_within_sd"]

#: Scores are compared with this slack, so that ties on a 0.1 scale count as ties despite float sums.
_EPS = 1e-9
SD_CHOICES = ("person", "sample", "stricter")


def pooled_within_sd(values: np.ndarray) -> float:
    """Pooled within-series SD of a panel: ``sqrt(sum_i sum_t (y_it - mean_i)^2 / sum_i (n_i - 1))``.

    Parameters
    ----------
    values : ndarray, shape (series, sessions)
        Scores with ``NaN`` gaps; series with fewer than two scores add nothing.

    Returns
    -------
    float
        The pooled SD (``NaN`` when no series has two scores).

    Notes
    -----
    The residual SD of a one-way model with a mean per client: the within-client variability of the sample.

    R equivalent: ``sigma(lm(y ~ factor(client)))``.

    Examples
    --------
    >>> import numpy as np
    >>> round(pooled_within_sd(np.array([[1.0, 3.0, np.nan], [4.0, 4.0, 7.0]])), 6)  # (2 + 6) / (1 + 2)
    1.632993
    """
    ok = ~np.isnan(values)
    n = ok.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(ok, values, 0.0).sum(axis=1) / n
    ss = np.where(ok, values - mean[:, None], 0.0) ** 2
    use = n >= 2
    df = (n[use] - 1).sum()
    return float(np.sqrt(ss[use].sum() / df)) if df > 0 else float("nan")


def _rc_value(reliable_change, instrument, caller):
    if reliable_change is None:
        return None
    if isinstance(reliable_change, str):
        if reliable_change != "instrument":
            raise InvalidParameterError(f"The 'reliable_change' parameter of {caller}() must be None, a number of "
                                        f"score points or 'instrument'; got {reliable_change!r}.")
        from ..instrument import load_instrument

        if instrument is None:
            raise InvalidParameterError(f"{caller}(reliable_change='instrument') needs the instrument: pass it as the "
                                        "second argument.")
        ins = load_instrument(instrument)
        if ins.reliable_change is None:
            raise InvalidParameterError(
                f"{ins.id} declares no reliable change, so reliable_change='instrument' has no value; pass the "
                "number of score points, e.g. from toolkit.reliable_change(..., reliability=...).attrs['min_change'].")
        return float(ins.reliable_change.value)
    return check_number(reliable_change, param="reliable_change", caller=caller, low=0, low_open=True,
                        what="score points")


@by_client
def drop_below_running_mean(data, instrument=None, *, k: float = 2.0, sd="person", min_prior: int = 2,
                            window: int = 3, reliable_change=None, value: str | None = None,
                            client: str = "client_id", session: str = "session",
                            rater: str | None = None, sample_sd: float | None = None) -> Episodes:
    """Ruptures: a score at least ``k`` SDs below the mean of the client's earlier scores; repairs: a return to
    that mean within ``window`` sessions.

    Parameters
    ----------
    data : DataFrame
        Long layout, one row per session: ``client`` (and ``rater``), ``session`` and the score ``value``; a Dask
        DataFrame is run per partition of clients (:mod:`toolkit.sessions.partitioned`).
    instrument : str or Instrument, optional
        Needed for ``reliable_change="instrument"``; named in the title.
    k : float, default 2
        Depth of a drop in SDs. 1 and 2 are the values used in the literature; 2 finds fewer, deeper drops.
    sd : {"person", "sample", "stricter"} or float, default "person"
        The SD the depth is measured in: ``"person"``, the SD of the client's own scores (the whole series,
        n - 1); ``"sample"``, the pooled within-client SD of all series (:func:`pooled_within_sd`);
        ``"stricter"``, the larger of the two for each client (a client who always rates near the top has a
        tiny own SD: the sample's then protects against flagging every small dip); or a number.
    min_prior : int, default 2
        Earlier scores needed before a session can be judged (the first sessions cannot be).
    window : int, default 3
        Sessions after the drop within which a score at or above the pre-drop mean counts as the repair.
    reliable_change : None, float or "instrument"
        Also require the drop to be at least this many score points (``"instrument"``: the instrument's
        declared reliable change, e.g. ORS 5).
    value, client, session, rater : str
        Columns (``value`` defaults to the only numeric column that is not an id).
    sample_sd : float, optional
        The sample's pooled within-client SD for ``sd="sample"`` and ``"stricter"``, when ``data`` is a part of
        the sample (default: :func:`pooled_within_sd` of ``data``). Given a Dask DataFrame, the function computes
        it over all partitions first and passes it to each.

    Returns
    -------
    Episodes
        ``table`` (one row per rupture), ``per_client`` counts, ``examined`` (every scored session with its
        running mean, SD, depth and whether it was judged).

    Warns
    -----
    SessionWarning
        When some series could not be judged at any session (too few scores), naming them.

    Notes
    -----
    For client *i* with scores :math:`y_{it}` at the scored sessions, the running mean before session *t* is
    :math:`L_{it} = \\text{mean}\\{y_{is}: s < t\\}` over at least ``min_prior`` earlier scores. Session *t* is a
    drop when :math:`L_{it} - y_{it} > 0` and :math:`L_{it} - y_{it} \\ge k\\,SD_i` (and
    :math:`\\ge RC` with a reliable-change criterion), comparisons to within 1e-9. Consecutive scored
    sessions that are drops are one episode, dated at its first session; it is repaired at the first session
    :math:`t + d` (:math:`1 \\le d \\le` ``window``) with :math:`y \\ge L_{it}`. ``repaired`` is missing
    (``<NA>``) when the client's last score comes before :math:`t +` ``window`` without a repair: the outcome is
    unknown. A missed session is not a score: it does not enter the mean, cannot be a drop, and cannot show a
    repair (the window still counts it). A near-constant series (scores at the ceiling) has a tiny person SD,
    so with ``sd="person"`` a small dip is many SDs deep: use ``"stricter"`` for data with ceilings (SRS).

    R equivalent: none (written by hand per study).

    References
    ----------
    Eubanks, C. F., Muran, J. C., & Safran, J. D. (2018). Alliance rupture repair: A meta-analysis.
    Psychotherapy, 55(4), 508-519.

    Examples
    --------
    >>> import pandas as pd
    >>> from toolkit.sessions import drop_below_running_mean
    >>> d = pd.DataFrame({"client_id": "a", "session": range(1, 7), "srs": [38, 38.5, 37.5, 30, 38, 38]})
    >>> ep = drop_below_running_mean(d, k=2)
    >>> ep.table[["client_id", "session", "level", "depth", "repaired", "sessions_to_repair"]]
      client_id  session  level  depth  repaired  sessions_to_repair
    0         a        4   38.0    8.0      True                   1
    """
    caller = "drop_below_running_mean"
    k = check_number(k, param="k", caller=caller, low=0, low_open=True, what="SDs")
    min_prior = check_count(min_prior, param="min_prior", caller=caller, minimum=1)
    window = check_count(window, param="window", caller=caller, minimum=1, what="sessions")
    if isinstance(sd, str):
        if sd not in SD_CHOICES:
            raise InvalidParameterError(f"The 'sd' parameter of {caller}() must be one of 'person', 'sample', "
                                        f"'stricter' or a positive number; got {sd!r}.")
    elif isinstance(sd, bool) or not isinstance(sd, numbers.Real):
        raise InvalidParameterError(f"The 'sd' parameter of {caller}() must be one of 'person', 'sample', "
                                    f"'stricter' or a positive number; got {sd!r}.")
    else:
        sd = check_number(sd, param="sd", caller=caller, low=0, low_open=True)
    rc = _rc_value(reliable_change, instrument, caller)
    value = _value_column(data, value, [client, session, rater], caller)
    panel = build_panel(data, value=value, client=client, session=session, rater=rater, caller=caller)

    y = panel.values
    ok = ~np.isnan(y)
    y0 = np.where(ok, y, 0.0)
    cs = np.cumsum(y0, axis=1)
    cn = np.cumsum(ok, axis=1)
    prev_n = cn - ok
    with np.errstate(invalid="ignore", divide="ignore"):
        level = (cs - y0) / prev_n
        n = cn[:, -1] if y.shape[1] else np.zeros(len(y), int)
        mean = cs[:, -1] / n if y.shape[1] else np.full(len(y), np.nan)
        ss = (np.where(ok, y - mean[:, None], 0.0) ** 2).sum(axis=1)
        person = np.sqrt(ss / (n - 1))
    person[n < 2] = np.nan
    sample = pooled_within_sd(y) if sample_sd is None else \
        check_number(sample_sd, param="sample_sd", caller=caller, low=0, low_open=True)
    if isinstance(sd, float):
        used = np.full(len(y), sd)
    elif sd == "person":
        used = person
    elif sd == "sample":
        used = np.full(len(y), sample)
    else:
        used = np.fmax(person, sample)
    depth = level - y
    judged = ok & (prev_n >= min_prior) & np.isfinite(used)[:, None]
    with np.errstate(invalid="ignore", divide="ignore"):
        flag = judged & (depth > _EPS) & (depth - k * used[:, None] >= -_EPS)
        if rc is not None:
            flag &= depth - rc >= -_EPS
        depth_sd = depth / used[:, None]

    # episodes: runs of consecutive scored sessions that are drops
    cols = np.arange(y.shape[1])
    last_ok = np.maximum.accumulate(np.where(ok, cols[None, :], -1), axis=1)
    prev_idx = np.hstack([np.full((len(y), 1), -1), last_ok[:, :-1]]) if y.shape[1] else last_ok
    prev_flag = np.take_along_axis(flag, np.maximum(prev_idx, 0), axis=1) & (prev_idx >= 0)
    start = flag & ~prev_flag
    ei, et = np.nonzero(start)
    ref = level[ei, et]
    rep_d = np.zeros(len(ei), dtype=np.int64)
    for d in range(1, window + 1):
        col = et + d
        inside = col < y.shape[1]
        c = np.minimum(col, y.shape[1] - 1)
        hit = inside & (rep_d == 0) & ok[ei, c] & (y[ei, c] - ref >= -_EPS)
        rep_d[hit] = d
    first_col, last_col = panel.span()
    repaired_known = (rep_d > 0) | (last_col[ei] >= et + window)
    repaired = pd.array(np.where(repaired_known, rep_d > 0, False), dtype="boolean")
    repaired[~repaired_known] = pd.NA
    rep_col = et + rep_d
    has_rep = rep_d > 0

    params = (f"k={k:g}, sd={sd if isinstance(sd, str) else format(sd, 'g')}, min_prior={min_prior}, "
              f"window={window}, reliable_change={'None' if rc is None else format(rc, 'g')}")
    rule = "drop_below_running_mean"
    table = panel.keys.iloc[ei].reset_index(drop=True)
    table["rule"] = rule
    table["session"] = panel.sessions[et]
    table["from_session"] = np.where(prev_idx[ei, et] >= 0, panel.sessions[np.maximum(prev_idx[ei, et], 0)], -1)
    table["score"] = y[ei, et]
    table["level"] = ref
    table["depth"] = depth[ei, et]
    table["depth_sd"] = depth_sd[ei, et]
    table["repaired"] = repaired
    table["repair_session"] = pd.array(np.where(has_rep, panel.sessions[np.minimum(rep_col, y.shape[1] - 1)], 0),
                                       dtype="Int64")
    table.loc[~has_rep, "repair_session"] = pd.NA
    table["repair_score"] = np.where(has_rep, y[ei, np.minimum(rep_col, y.shape[1] - 1)], np.nan)
    table["sessions_to_repair"] = pd.array(np.where(has_rep, rep_d, 0), dtype="Int64")
    table.loc[~has_rep, "sessions_to_repair"] = pd.NA
    table["parameters"] = params
    table["sd"] = used[ei]
    table["sessions_below"] = _run_lengths(flag, ok, ei, et)

    per_client = panel.keys.copy()
    per_client["n_scores"] = ok.sum(axis=1)
    per_client["n_examined"] = judged.sum(axis=1)
    per_client["n_episodes"] = np.bincount(ei, minlength=len(y))
    rep_bool = repaired.to_numpy(dtype=float, na_value=np.nan)
    per_client["n_repaired"] = np.bincount(ei, weights=(rep_bool == 1), minlength=len(y)).astype(int)
    per_client["n_not_repaired"] = np.bincount(ei, weights=(rep_bool == 0), minlength=len(y)).astype(int)
    per_client["n_unknown"] = np.bincount(ei, weights=np.isnan(rep_bool), minlength=len(y)).astype(int)
    per_client["sd"] = used

    why = np.zeros(y.shape, dtype=np.int8)
    why[ok & (prev_n < min_prior)] = 1
    why[ok & (prev_n >= min_prior) & ~np.isfinite(used)[:, None]] = 2
    examined = panel.long(ok, score=y, level=level, sd=np.broadcast_to(used[:, None], y.shape), depth=depth,
                          depth_sd=depth_sd, examined=judged, drop=flag, episode_start=start)
    examined["reason"] = pd.Categorical.from_codes(why[ok], categories=["", "first sessions", "series too short"])

    notes = [f"Rule {rule}({params}); SD from {_sd_text(sd, sample)}.",
             "Missed sessions are not scores: they do not enter the running mean and cannot be drops or repairs; "
             "nothing is interpolated."]
    never = (judged.sum(axis=1) == 0) & (ok.sum(axis=1) > 0)
    if never.any():
        msg = (f"{int(never.sum())} series could not be judged at any session (fewer than {min_prior + 1} scores"
               f"{' or no SD' if sd != 'sample' else ''}): {panel.describe_keys(np.flatnonzero(never))}.")
        notes.append(msg)
        warn(msg, SessionWarning)
    if not isinstance(sd, float) and sd == "person":
        flat = np.flatnonzero((person < sample / 10) & judged.any(axis=1))
        if len(flat):
            notes.append(f"{len(flat)} series have an SD below a tenth of the sample's pooled within-client SD "
                         f"(near-constant scores, e.g. at the ceiling), so small dips count as drops for them: "
                         f"{panel.describe_keys(flat)}. sd='stricter' measures them in the sample's SD.")
    n_unknown = int(np.isnan(rep_bool).sum()) if len(rep_bool) else 0
    if n_unknown:
        notes.append(f"{n_unknown} episodes end the series before the {window}-session window closed: repaired "
                     "is unknown (<NA>).")
    what = f"{value}" + (f" ({instrument if isinstance(instrument, str) else instrument.id})" if instrument else "")
    title = f"Drops of at least {k:g} SD below the running mean: {what}, {len(ei)} episodes"
    return Episodes(title=title, notes=notes, table=table, per_client=per_client, examined=examined, rule=rule,
                    parameters=params, client=client, rater=rater or "")


def _sd_text(sd, sample):
    if isinstance(sd, float):
        return f"a fixed value ({sd:g})"
    return {"person": "each client's own scores",
            "sample": f"the pooled within-client SD of the sample ({sample:.4g})",
            "stricter": f"the larger of the client's own and the sample's pooled within-client SD ({sample:.4g})"}[sd]


def _run_lengths(flag, ok, ei, et):
    """Number of consecutive scored drop sessions from each start (ignoring missed sessions in between)."""
    out = np.ones(len(ei), dtype=np.int64)
    alive = np.ones(len(ei), dtype=bool)
    for d in range(1, flag.shape[1]):
        col = et + d
        inside = col < flag.shape[1]
        c = np.minimum(col, flag.shape[1] - 1)
        scored = inside & ok[ei, c]
        cont = alive & scored & flag[ei, c]
        stop = alive & scored & ~flag[ei, c]
        out += cont
        alive &= ~stop & inside
        if not alive.any():
            break
    return out
