"""Predictors for session-level models: lagged scores and the within/between split at each client's mean."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._checks import check_choice, check_count
from ..exceptions import InvalidParameterError
from ._panel import build_panel

__all__ = ["add_lags", "person_mean_center"]


def _columns(columns, data, caller):
    cols = [columns] if isinstance(columns, str) else list(columns)
    missing = [c for c in cols if c not in data.columns]
    if missing or not cols:
        raise InvalidParameterError(f"The 'columns' parameter of {caller}() must name columns of the data; "
                                    f"{missing or 'none given'} are not among {list(data.columns)[:20]}.")
    return cols


def add_lags(data, columns, *, lags=1, client: str = "client_id", session: str = "session",
             rater: str | None = None, by: str = "session") -> pd.DataFrame:
    """A copy of ``data`` with each column's value at an earlier session of the same client: ``<column>_lag<k>``.

    Parameters
    ----------
    data : DataFrame
        Long layout, one row per client (and rater) and session.
    columns : str or list of str
        Columns to lag (e.g. this session's alliance, to predict next session's outcome).
    lags : int or list of int, default 1
        How many sessions back.
    client, session, rater : str
        Id columns.
    by : {"session", "recorded"}
        ``"session"`` (default): the value at session ``s - k`` exactly, missing when that session has no
        value (a missed session stays a gap); ``"recorded"``: the ``k``-th earlier recorded value, whatever
        its session number (say so when you report it: the lag then spans missed sessions).

    Returns
    -------
    DataFrame
        ``data`` (a copy, rows and order unchanged) with the lag columns added.

    Notes
    -----
    :math:`x^{(k)}_{is} = x_{i,s-k}` (``by="session"``).

    R equivalent: ``dplyr::lag`` after completing the sessions with ``tidyr::complete``, or a merge on
    ``session + k`` (as the reference script does).

    Examples
    --------
    >>> import pandas as pd
    >>> from toolkit.sessions import add_lags
    >>> d = pd.DataFrame({"client_id": "a", "session": [1, 2, 4], "srs": [30.0, 34.0, 38.0]})
    >>> add_lags(d, "srs")["srs_lag1"].tolist()
    [nan, 30.0, nan]
    >>> add_lags(d, "srs", by="recorded")["srs_lag1"].tolist()
    [nan, 30.0, 34.0]
    """
    caller = "add_lags"
    cols = _columns(columns, data, caller)
    lag_list = [lags] if not isinstance(lags, (list, tuple)) else list(lags)
    lag_list = [check_count(k, param="lags", caller=caller, minimum=1) for k in lag_list]
    by = check_choice(by, ("session", "recorded"), param="by", caller=caller)
    out = data.copy()
    for col in cols:
        panel = build_panel(data, value=col, client=client, session=session, rater=rater, caller=caller)
        y = panel.values
        has = panel.row >= 0
        for k in lag_list:
            if by == "session":
                lagged = np.full(y.shape, np.nan)
                if k < y.shape[1]:
                    lagged[:, k:] = y[:, :-k]
            else:
                # the k-th value before this session among the series' recorded values
                ok = ~np.isnan(y)
                pos = np.cumsum(ok, axis=1) - ok - k + 1  # 1-based rank of the lagged value
                order = np.argsort(~ok, axis=1, kind="stable")  # recorded columns first, in session order
                vals = np.take_along_axis(y, order, axis=1)
                valid = pos >= 1
                lagged = np.full(y.shape, np.nan)
                lagged[valid] = np.take_along_axis(vals, np.maximum(pos - 1, 0), axis=1)[valid]
            name = f"{col}_lag{k}"
            new = np.full(len(data), np.nan)
            new[panel.row[has]] = lagged[has]
            out[name] = new
    return out


def person_mean_center(data, columns, *, client: str = "client_id", rater: str | None = None,
                       between: str = "mean", suffixes=("_within", "_between")) -> pd.DataFrame:
    """A copy of ``data`` with each column split into a within-client and a between-client part.

    Parameters
    ----------
    data : DataFrame
        Long layout; center the rows that enter the model (drop incomplete rows first), so that the means are
        those of the analysed sessions.
    columns : str or list of str
        Columns to split (e.g. ``"srs_lag1"``).
    client, rater : str
        The client id (and rater): the means are per client (and rater).
    between : {"mean", "grand"}
        ``"mean"``: the between part is the client's mean; ``"grand"``: the client's mean minus the mean of the
        client means (the slopes are the same; the intercept is then at an average client).
    suffixes : (str, str)
        Names of the new columns: ``<column><suffixes[0]>`` (within) and ``<column><suffixes[1]>`` (between).

    Returns
    -------
    DataFrame
        A copy with the two columns added per column. A row whose value is missing gets missing parts; the
        client's mean is over its non-missing values.

    Notes
    -----
    :math:`x^B_i = \\bar x_i`, :math:`x^W_{is} = x_{is} - \\bar x_i`: in a model with both, the coefficient of
    :math:`x^W` is the within-person effect (does a client do better in weeks when their alliance is higher
    than usual?) and that of :math:`x^B` the between-person effect (do clients with a better alliance do
    better?), separated as Curran & Bauer (2011) and Falkenström et al. (2013) describe.

    R equivalent: ``x_between <- ave(x, client); x_within <- x - x_between``.

    References
    ----------
    Curran, P. J., & Bauer, D. J. (2011). The disaggregation of within-person and between-person effects in
    longitudinal models of change. Annual Review of Psychology, 62, 583-619.

    Falkenström, F., Granström, F., & Holmqvist, R. (2013). Therapeutic alliance predicts symptomatic
    improvement session by session. Journal of Counseling Psychology, 60(3), 317-328.

    Examples
    --------
    >>> import pandas as pd
    >>> from toolkit.sessions import person_mean_center
    >>> d = pd.DataFrame({"client_id": ["a", "a", "b", "b"], "srs": [30.0, 34.0, 38.0, 40.0]})
    >>> person_mean_center(d, "srs")[["srs_within", "srs_between"]].values.tolist()
    [[-2.0, 32.0], [2.0, 32.0], [-1.0, 39.0], [1.0, 39.0]]
    """
    caller = "person_mean_center"
    cols = _columns(columns, data, caller)
    between = check_choice(between, ("mean", "grand"), param="between", caller=caller)
    keys = [client] + ([rater] if rater is not None else [])
    for param, col in (("client", client), ("rater", rater)):
        if col is not None and col not in data.columns:
            raise InvalidParameterError(f"The {param!r} parameter of {caller}() names the column {col!r}, which the "
                                        f"data do not have.")
    if not (isinstance(suffixes, (list, tuple)) and len(suffixes) == 2 and all(isinstance(s, str) for s in suffixes)
            and suffixes[0] != suffixes[1]):
        raise InvalidParameterError(f"The 'suffixes' parameter of {caller}() must be two different strings; got "
                                    f"{suffixes!r}.")
    out = data.copy()
    groups = [data[k] for k in keys]
    from .._checks import numeric_frame

    values = numeric_frame(data[cols], param="data", caller=caller)
    for col in cols:
        x = values[col]
        mean = x.groupby(groups, sort=False, dropna=False).transform("mean")
        b = mean - (mean.groupby(groups, sort=False).first().mean() if between == "grand" else 0.0)
        out[col + suffixes[0]] = (x - mean).to_numpy()
        out[col + suffixes[1]] = b.to_numpy()
    return out
