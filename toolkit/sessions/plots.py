"""Figures of session series, and the numbers behind each.

As every plot of the toolkit, each ``plot_*`` function takes ``ax=`` and returns the matplotlib ``Axes`` it
drew on (:func:`plot_timeline`, several stacked panels, returns one per panel). Without ``ax`` a new pyplot
figure is made (a notebook shows it; save it with ``ax.figure.savefig(path)``); the widgets pass axes of a
figure built without pyplot. The numbers drawn come from :func:`trajectory_data`, :func:`mean_trajectory`,
``Caseload.counts`` and :func:`timeline_data`. Missing sessions break the lines and are marked on the session
axis; nothing is interpolated.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..exceptions import InvalidParameterError

__all__ = ["plot_trajectory", "plot_trajectories", "trajectory_data", "mean_trajectory", "plot_caseload",
           "plot_timeline", "timeline_panels", "timeline_data"]

_COLOURS = {"client": "#1f77b4", "therapist": "#d62728", "observer": "#2ca02c", None: "#1f77b4",
            "outcome": "#555555", "drop": "#d62728", "repair": "#2ca02c", "gain": "#2ca02c"}
_SHADE = "#f4b6b6"


def _axes(ax, size):
    """``ax`` cleared, or the axes of a new pyplot figure of ``size`` inches."""
    if ax is not None:
        ax.clear()
        return ax.figure, ax
    import matplotlib.pyplot as plt

    return plt.subplots(figsize=size, layout="constrained")


def _check_traj(traj, param="trajectories"):
    from .series import Trajectories

    if not isinstance(traj, Trajectories):
        raise InvalidParameterError(f"The {param!r} argument must be the result of toolkit.sessions.trajectories(); "
                                    f"got a {type(traj).__name__}.")


def trajectory_data(traj, client) -> pd.DataFrame:
    """The rows of ``traj.scores`` of one client (every rater), gaps included; a KeyError names known ids."""
    _check_traj(traj)
    s = traj.scores
    mine = s[s[traj.client].astype(str) == str(client)]
    if mine.empty:
        known = list(dict.fromkeys(s[traj.client].astype(str)))
        raise KeyError(f"client {client!r} has no scores; clients are e.g. {known[:8]}")
    return mine.reset_index(drop=True)


def _threshold_bands(instrument, thresholds):
    """[(label, low, high)] regions to shade, from the instrument's total thresholds or a mapping."""
    if thresholds is False or thresholds is None:
        return []
    if isinstance(thresholds, dict):
        return [(str(k), float(v[0]), float(v[1]), None) for k, v in thresholds.items()]
    if not instrument:
        return []
    from ..instrument import load_instrument

    ins = load_instrument(instrument)
    scale = ins.scale_for(None)
    k = len(ins.items_of("total")) if "total" in ins.score_names else 1
    lo_total, hi_total = k * scale.min, k * scale.max
    out = []
    for t in ins.thresholds:
        if t.applies_to != "total":
            continue
        if t.operator in ("<", "<="):
            out.append((t.label, lo_total, t.value, t.value))
        else:
            out.append((t.label, t.value, hi_total, t.value))
    return out


def plot_trajectory(traj, client, *, episodes=None, outcome=None, thresholds=True, ax=None, figsize=(6.5, 3.6)):
    """One client's scores by session: a line per rater, the instrument's cut-offs shaded, episodes marked.

    Parameters
    ----------
    traj : Trajectories
        From :func:`toolkit.sessions.trajectories` (several raters: one line each).
    client : str
        The client id.
    episodes : Episodes or list of Episodes, optional
        Rule results (:func:`~toolkit.sessions.drop_below_running_mean`, :func:`~toolkit.sessions.sudden_losses`
        ...): drops are marked with a red triangle, repairs with a green circle.
    outcome : Trajectories, optional
        A second series (e.g. the ORS) drawn dashed on a right-hand axis.
    thresholds : bool or dict
        ``True``: shade the alert side of the instrument's cut-offs on the total (the scores must be the
        instrument's own total); a dict ``{label: (low, high)}`` shades those ranges; ``False`` none.
    ax : matplotlib Axes, optional
        Draw into these axes (cleared first).
    figsize : tuple of float
        Size of a new figure (inches).

    Returns
    -------
    matplotlib Axes
        The axes drawn on; the rows drawn are :func:`trajectory_data` of the client.

    Notes
    -----
    A missed session breaks the line and is marked with an x on the session axis; nothing is interpolated.

    R equivalent: none (``ggplot2`` by hand).

    Examples
    --------
    >>> import pandas as pd
    >>> from toolkit.sessions import trajectories
    >>> from toolkit.sessions.plots import plot_trajectory
    >>> d = pd.DataFrame({"client_id": "a", "session": [1, 2, 4], "srs": [30.0, 38.0, 39.0]})
    >>> ax = plot_trajectory(trajectories(d, "srs"), "a")
    >>> ax.lines[0].get_ydata().tolist()
    [30.0, 38.0, nan, 39.0]
    """
    data = trajectory_data(traj, client)
    fig, ax = _axes(ax, figsize)
    sess = traj.session
    for label, lo, hi, _cut in _threshold_bands(traj.instrument, thresholds):
        ax.axhspan(lo, hi, color=_SHADE, alpha=0.35, lw=0, label=label)
    groups = [(None, data)] if not traj.rater else list(data.groupby(traj.rater, sort=False))
    for rater, part in groups:
        ax.plot(part[sess], part[traj.value], marker="o", ms=4, lw=1.6, color=_COLOURS.get(rater, None),
                label=str(rater) if rater is not None else traj.value)
    gaps = data.loc[data["gap"], sess].drop_duplicates()
    if len(gaps):
        ymin = ax.get_ylim()[0]
        ax.scatter(gaps, np.full(len(gaps), ymin), marker="x", color="grey", zorder=3,
                   label=f"no score: session {', '.join(str(g) for g in gaps)}")
    for ep in ([] if episodes is None else episodes if isinstance(episodes, (list, tuple)) else [episodes]):
        mine = ep.table[ep.table[ep.client].astype(str) == str(client)]
        if len(mine):
            ax.scatter(mine["session"], mine["score"], marker="v", s=70, color=_COLOURS["drop"], zorder=4,
                       label=f"{ep.rule} ({len(mine)})")
            rep = mine[mine["repaired"].fillna(False).astype(bool)]
            if len(rep):
                ax.scatter(rep["repair_session"], rep["repair_score"], marker="o", s=70, facecolor="none",
                           edgecolor=_COLOURS["repair"], lw=2, zorder=4, label="repaired")
    if outcome is not None:
        _check_traj(outcome, "outcome")
        od = trajectory_data(outcome, client)
        ax2 = ax.twinx()
        ax2.plot(od[outcome.session], od[outcome.value], ls="--", marker=".", color=_COLOURS["outcome"],
                 label=outcome.value)
        ax2.set_ylabel(outcome.value)
        ax2.legend(loc="lower right", fontsize="x-small")
    ax.set_xlabel("session")
    ax.set_ylabel(traj.value)
    ax.set_title(f"Client {client}")
    ax.legend(loc="lower left", fontsize="x-small")
    return ax


def mean_trajectory(traj, *, band: str = "sd", ci: float = 0.95) -> pd.DataFrame:
    """Per session: ``n`` scores, ``mean``, ``sd`` and the band (``low``, ``high``) of :func:`plot_trajectories`.

    Parameters
    ----------
    traj : Trajectories
        From :func:`toolkit.sessions.trajectories`.
    band : {"sd", "ci"}
        ``"sd"``: mean +- SD; ``"ci"``: the t interval of the mean at level ``ci``.
    ci : float
        Level of the interval for ``band="ci"``.

    Returns
    -------
    DataFrame
        One row per session: ``n``, ``mean``, ``sd`` (NaN with a single score), ``low``, ``high``.

    Notes
    -----
    The interval of the mean is :math:`\\bar y \\pm t_{(1+ci)/2,\\,n-1}\\, s/\\sqrt n` over the clients scored at the
    session (missed sessions are not scores).

    R equivalent: ``aggregate(y ~ session, FUN = mean)`` and ``sd``.

    Examples
    --------
    >>> import pandas as pd
    >>> from toolkit.sessions import trajectories
    >>> from toolkit.sessions.plots import mean_trajectory
    >>> d = pd.DataFrame({"client_id": ["a", "a", "b", "b"], "session": [1, 2, 1, 2], "srs": [30.0, 34, 32, 38]})
    >>> mean_trajectory(trajectories(d, "srs"))[["session", "mean"]].values.tolist()
    [[1.0, 31.0], [2.0, 36.0]]
    """
    from scipy import stats

    from .._checks import check_choice, check_ci

    _check_traj(traj)
    band = check_choice(band, ("sd", "ci"), param="band", caller="mean_trajectory")
    ci = check_ci(ci, caller="mean_trajectory")
    g = traj.scores.dropna(subset=[traj.value]).groupby(traj.session)[traj.value]
    out = g.agg(n="count", mean="mean", sd="std").reset_index()
    if band == "sd":
        half = out["sd"]
    else:
        with np.errstate(invalid="ignore"):
            q = stats.t.ppf((1 + ci) / 2, out["n"] - 1)
        half = q * out["sd"] / np.sqrt(out["n"])
    out["low"], out["high"] = out["mean"] - half, out["mean"] + half
    return out


def plot_trajectories(traj, *, band: str = "sd", ci: float = 0.95, max_lines: int = 300, seed=0, ax=None,
                      figsize=(6.5, 3.8)):
    """Many clients' series (thin lines, gaps kept), the mean by session and a band.

    Parameters
    ----------
    traj : Trajectories
        From :func:`toolkit.sessions.trajectories`.
    band : {"sd", "ci"}
        The band around the mean (see :func:`mean_trajectory`).
    ci : float
        Level of the band for ``band="ci"``.
    max_lines : int
        Series drawn at most (a seeded random choice when there are more); the mean and band use every series.
    seed : int
        Seed of that choice.
    ax : matplotlib Axes, optional
        Draw into these axes.
    figsize : tuple of float
        Size of a new figure (inches).

    Returns
    -------
    matplotlib Axes
        The axes drawn on; the mean and band drawn are :func:`mean_trajectory`.

    Notes
    -----
    The instrument's cut-offs on the total are dotted lines.

    R equivalent: none (``ggplot2`` by hand).

    Examples
    --------
    >>> import warnings
    >>> import toolkit
    >>> from toolkit.sessions import session_scores, trajectories
    >>> from toolkit.sessions.plots import plot_trajectories
    >>> ors = session_scores(toolkit.load_sample("srs_ors_sessions"), "ors", client="dyad_id")
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     t = trajectories(ors, "ors", client="dyad_id")
    >>> print(caught[0].message)
    1 series have fewer than two scores, so their slope and SD are NaN (client: A092).
    >>> ax = plot_trajectories(t)
    >>> ax.get_title()
    'ors: 250 series'
    """
    summary = mean_trajectory(traj, band=band, ci=ci)
    fig, ax = _axes(ax, figsize)
    s = traj.scores
    keys = [traj.client] + ([traj.rater] if traj.rater else [])
    groups = list(s.groupby(keys, sort=False))
    if len(groups) > max_lines:
        pick = np.random.default_rng(seed).choice(len(groups), max_lines, replace=False)
        groups = [groups[k] for k in np.sort(pick)]
    for _, part in groups:
        ax.plot(part[traj.session], part[traj.value], color="grey", alpha=0.25, lw=0.7)
    ax.fill_between(summary[traj.session], summary["low"], summary["high"], color=_COLOURS["client"], alpha=0.2,
                    label="mean +- SD" if band == "sd" else f"{ci:.0%} CI of the mean")
    ax.plot(summary[traj.session], summary["mean"], color="black", lw=2, label="mean")
    for label, _lo, _hi, cut in _threshold_bands(traj.instrument, True):
        ax.axhline(cut, color="#b00020", lw=1, ls=":", label=label)
    ax.set_xlabel("session")
    ax.set_ylabel(traj.value)
    ax.set_title(f"{traj.value}: {len(s.groupby(keys))} series")
    ax.legend(loc="lower right", fontsize="x-small")
    return ax


def plot_caseload(summary, *, ax=None, figsize=(5.5, 3.2)):
    """Bar chart of a caseload: clients per change category, the ones needing attention highlighted.

    Parameters
    ----------
    summary : Caseload
        :func:`toolkit.sessions.caseload_summary`'s result.
    ax : matplotlib Axes, optional
        Draw into these axes.
    figsize : tuple of float
        Size of a new figure (inches).

    Returns
    -------
    matplotlib Axes
        The axes drawn on; the bars drawn are the caseload's ``counts`` table.

    Notes
    -----
    R equivalent: none.

    Examples
    --------
    >>> import pandas as pd
    >>> from toolkit.sessions import caseload_summary, session_alerts
    >>> from toolkit.sessions.plots import plot_caseload
    >>> d = pd.DataFrame({"client_id": ["a", "b"], "session": 1, "srs_01": [9.5, 7.0], "srs_02": 9.5,
    ...                   "srs_03": 9.5, "srs_04": 9.5})
    >>> ax = plot_caseload(caseload_summary(session_alerts(d, "srs")))
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['needs attention']
    """
    counts = summary.counts
    fig, ax = _axes(ax, figsize)
    colours = ["#b00020" if c == "needs attention" else "#1f77b4" for c in counts["category"]]
    ax.barh(counts["category"].astype(str), counts["clients"], color=colours)
    for y, v in enumerate(counts["clients"]):
        ax.text(v, y, f" {v}", va="center", fontsize="small")
    ax.invert_yaxis()
    ax.set_xlabel("clients")
    ax.set_title(summary.title)
    return ax


def timeline_panels(panels) -> dict:
    """Normalise a Trajectories or a mapping ``{title: Trajectories}`` to a dict (titles are the value names)."""
    from collections.abc import Mapping

    if isinstance(panels, Mapping):
        out = dict(panels)
    elif isinstance(panels, (list, tuple)):
        out = {t.value: t for t in panels}
    else:
        out = {panels.value: panels} if hasattr(panels, "value") else {}
    if not out:
        raise InvalidParameterError("A timeline needs at least one trajectories() result (or a mapping of titles to "
                                    "them).")
    for title, traj in out.items():
        _check_traj(traj, f"panels[{title!r}]")
    return out


def _episodes_by_panel(episodes, panels: dict) -> dict:
    from collections.abc import Mapping

    if episodes is None:
        return {}
    if isinstance(episodes, Mapping):
        unknown = set(episodes) - set(panels)
        if unknown:
            raise InvalidParameterError(f"episodes name panels {sorted(unknown)} that the timeline does not have; "
                                        f"its panels are {list(panels)}.")
        return dict(episodes)
    return {next(iter(panels)): episodes}  # one result or a list: the first panel's


def timeline_data(panels, client) -> pd.DataFrame:
    """The rows :func:`plot_timeline` draws: :func:`trajectory_data` of each panel with a ``panel`` column.

    A panel without scores of the client adds no row. Examples are in :func:`plot_timeline`.
    """
    frames = []
    for title, traj in timeline_panels(panels).items():
        try:
            frames.append(trajectory_data(traj, client).assign(panel=title))
        except KeyError:
            continue
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def plot_timeline(panels, client, *, episodes=None, ax=None, figsize=None):
    """One client's series in stacked panels on a shared session axis (e.g. alliance by both raters, the SRS
    with its cut-offs, the ORS with its clinical range), episodes marked.

    Parameters
    ----------
    panels : Trajectories or dict of str to Trajectories
        One panel each (the key is its title).
    client : str
        The client id.
    episodes : Episodes, list of Episodes or dict of str to them, optional
        Drawn on the panel named by the key (on the first panel when not a dict).
    ax : sequence of matplotlib Axes, optional
        One axes per panel, top to bottom (cleared first); default a new pyplot figure.
    figsize : tuple of float, optional
        Size of a new figure (inches); default 7.5 wide, 2.5 per panel.

    Returns
    -------
    numpy array of matplotlib Axes
        One per panel, top to bottom; the rows drawn are :func:`timeline_data`.

    Notes
    -----
    A client without scores in a panel gets a note in that panel instead of a line.

    R equivalent: none.

    Examples
    --------
    >>> import pandas as pd
    >>> from toolkit.sessions import trajectories
    >>> from toolkit.sessions.plots import plot_timeline, timeline_data
    >>> srs = pd.DataFrame({"client_id": "a", "session": [1, 2, 3], "srs": [38.0, 33.0, 39.0]})
    >>> ors = pd.DataFrame({"client_id": "a", "session": [1, 2, 3], "ors": [18.0, 21.0, 26.0]})
    >>> panels = {"SRS": trajectories(srs, "srs"), "ORS": trajectories(ors, "ors")}
    >>> axes = plot_timeline(panels, "a")
    >>> [a.get_title(loc="left") for a in axes]
    ['SRS', 'ORS']
    >>> timeline_data(panels, "a")["panel"].unique().tolist()
    ['SRS', 'ORS']
    """
    panels = timeline_panels(panels)
    eps = _episodes_by_panel(episodes, panels)
    if ax is None:
        import matplotlib.pyplot as plt

        fig, grid = plt.subplots(len(panels), 1, sharex=True, squeeze=False,
                                 figsize=figsize or (7.5, 2.5 * len(panels) + 0.4), layout="constrained")
        axes = grid[:, 0]
    else:
        axes = np.asarray(list(ax) if not hasattr(ax, "plot") else [ax], dtype=object)
        if len(axes) != len(panels):
            raise InvalidParameterError(f"plot_timeline draws {len(panels)} panel(s) ({list(panels)}), so 'ax' must "
                                        f"be {len(panels)} Axes, top to bottom; got {len(axes)}.")
        fig = axes[0].figure
    for a, (title, traj) in zip(axes, panels.items()):
        try:
            plot_trajectory(traj, client, episodes=eps.get(title), ax=a)
        except KeyError:
            a.clear()
            a.text(0.5, 0.5, f"no {title} scores for client {client}", transform=a.transAxes, ha="center",
                   va="center", color="grey")
        a.set_title("")  # plot_trajectory's "Client ..." (the figure says it once)
        a.set_title(title, fontsize="medium", loc="left")
        a.set_xlabel("")
    axes[-1].set_xlabel("session")
    axes[-1].xaxis.get_major_locator().set_params(integer=True)
    fig.suptitle(f"Client {client}")
    return axes
