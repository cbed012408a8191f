"""Figures of client-therapist agreement, and the numbers behind each.

Every ``plot_*`` function takes ``ax=`` and returns the matplotlib ``Axes`` it drew on, like every plot of
the toolkit. Without ``ax`` a new pyplot figure is made (a notebook shows it; save it with
``ax.figure.savefig(path)``); pass ``ax=`` to draw into axes of your own, e.g. of a figure built without
pyplot, as the widgets do. The ``*_data`` functions give the numbers each plot draws, without drawing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pandas as pd

from .._estimator import check_fitted
from .._results import FormerFrame, Result
from ..exceptions import InvalidParameterError

__all__ = ["scatter_data", "plot_scatter", "bland_altman_data", "plot_bland_altman", "profile_data",
           "plot_profile", "plot_surface", "BlandAltmanData"]


@dataclass(kw_only=True, repr=False, eq=False)
class BlandAltmanData(FormerFrame, Result):
    """What the Bland-Altman plot draws (see :func:`bland_altman_data`).

    Attributes
    ----------
    points : DataFrame
        One row per pair: the ids, ``mean`` of the two raters, ``diff`` (first - second), ``marked``.
    limits : BlandAltman
        :func:`~toolkit.dyadic.bland_altman` of the subscale: bias, limits of agreement and their intervals.

    Examples
    --------
    >>> import toolkit
    >>> p = toolkit.pair_raters(toolkit.load_sample("wai36_client_therapist"), instrument_client="wai36")
    >>> bland_altman_data(p, "bond", dyad="B002").points.columns.tolist()
    ['dyad_id', 'session', 'mean', 'diff', 'marked']
    """

    points: pd.DataFrame = None
    limits: Result = None

    main: ClassVar[str] = "points"
    _former_attrs: ClassVar[dict] = {"limits": lambda self: {k: getattr(self.limits, k)
                                                              for k in self.limits._former_keys}}
    _returned_by: ClassVar[str] = "bland_altman_data"

    @property
    def tables(self) -> dict:
        return {"points": self.points, "lines": self.limits.lines}

_COLOURS = {"client": "#1f77b4", "therapist": "#d62728", "observer": "#2ca02c", "mark": "#ff7f0e"}


def _tidy(paired, raters, subscale):
    _pairs(paired)
    subs = paired.subscales
    if subscale not in subs:
        raise KeyError(f"subscale {subscale!r} is not among the paired scores {subs}")
    missing = [r for r in raters if r not in paired.raters]
    if missing:
        raise KeyError(f"rater(s) {missing} not in the pairs; raters are {paired.raters}")
    t = paired.paired
    return t.loc[t["subscale"] == subscale].reset_index(drop=True)


def _pairs(paired):
    from .pairing import PairedRatings

    if not isinstance(paired, PairedRatings):
        raise InvalidParameterError(f"plots need the PairedRatings from pair_raters (got {type(paired).__name__})")
    return paired


def _mark(paired, t, dyad, session):
    if dyad is None:
        return np.zeros(len(t), dtype=bool)
    paired.dyad(dyad, session)  # KeyError naming the known ids
    m = t[paired.on[0]].astype(str).to_numpy() == str(dyad)
    if session is not None and len(paired.on) > 1:
        m &= (t[paired.on[1]] == session).to_numpy()
    return m


def _axes(ax, size):
    """``ax`` cleared, or the axes of a new pyplot figure of ``size`` inches."""
    if ax is not None:
        ax.clear()
        return ax.figure, ax
    import matplotlib.pyplot as plt

    return plt.subplots(figsize=size, layout="constrained")


def _unit(paired) -> str:
    return {"sum": "sum score", "mean": "item mean", "pomp": "POMP 0-100"}[paired.metric]


def scatter_data(paired, subscale: str = "total", dyad=None, session=None, *,
                 raters=("client", "therapist")) -> pd.DataFrame:
    """Points of the client-vs-therapist scatter.

    Parameters
    ----------
    paired : PairedRatings
        From :func:`~toolkit.pair_raters`.
    subscale : str
        The score drawn (a subscale or ``"total"``).
    dyad, session : optional
        The pair to mark.
    raters : (str, str)
        The raters on the x and y axes.

    Returns
    -------
    DataFrame
        The ids, ``x`` (first rater), ``y`` (second), ``marked``; pairs missing either score are left out.

    Examples
    --------
    >>> import toolkit
    >>> from toolkit.dyadic.plots import scatter_data
    >>> p = toolkit.pair_raters(toolkit.load_sample("wai36_client_therapist"), instrument_client="wai36")
    >>> scatter_data(p, "bond", dyad="B002")["marked"].sum()
    np.int64(1)
    """
    t = _tidy(paired, raters, subscale)
    out = t[paired.on].copy()
    out["x"], out["y"] = t[raters[0]].to_numpy(float), t[raters[1]].to_numpy(float)
    out["marked"] = _mark(paired, t, dyad, session)
    return out.dropna(subset=["x", "y"]).reset_index(drop=True)


def plot_scatter(paired, subscale: str = "total", dyad=None, session=None, *, raters=("client", "therapist"),
                 ax=None, figsize=(4.5, 4.5)):
    """Client against therapist scores of every pair, the identity line, and one dyad marked.

    Parameters
    ----------
    paired : PairedRatings
        From :func:`~toolkit.pair_raters`.
    subscale : str
        The score drawn.
    dyad, session : optional
        The pair to mark.
    raters : (str, str)
        The raters on the x and y axes.
    ax : matplotlib Axes, optional
        Draw into these axes (cleared first).
    figsize : (float, float)
        Size of a new figure, in inches.

    Returns
    -------
    matplotlib Axes
        The axes drawn on; the points drawn are :func:`scatter_data`.

    Examples
    --------
    >>> import toolkit
    >>> from toolkit.dyadic.plots import plot_scatter
    >>> p = toolkit.pair_raters(toolkit.load_sample("wai36_client_therapist"), instrument_client="wai36")
    >>> ax = plot_scatter(p, "bond", dyad="B002")
    >>> ax.get_title(), len(ax.collections[0].get_offsets())
    ('Client vs therapist: bond', 498)
    """
    data = scatter_data(paired, subscale, dyad, session, raters=raters)
    fig, ax = _axes(ax, figsize)
    rest, mark = data.loc[~data["marked"]], data.loc[data["marked"]]
    ax.scatter(rest["x"], rest["y"], s=12, alpha=0.5, color="grey", label="pairs")
    lo = float(np.nanmin([data["x"].min(), data["y"].min()])) if len(data) else 0.0
    hi = float(np.nanmax([data["x"].max(), data["y"].max()])) if len(data) else 1.0
    ax.plot([lo, hi], [lo, hi], color="black", lw=1, ls="--", label="identity (perfect agreement)")
    if len(mark):
        ax.scatter(mark["x"], mark["y"], s=60, color=_COLOURS["mark"], edgecolor="black", zorder=3,
                   label=f"dyad {dyad}")
    ax.set_xlabel(f"{raters[0]} {subscale} ({_unit(paired)})")
    ax.set_ylabel(f"{raters[1]} {subscale} ({_unit(paired)})")
    ax.set_title(f"{raters[0].title()} vs {raters[1]}: {subscale}")
    ax.legend(loc="lower right", fontsize="small")
    return ax


def bland_altman_data(paired, subscale: str = "total", dyad=None, session=None, *,
                      raters=("client", "therapist"), ci: float = 0.95, multiplier="t") -> pd.DataFrame:
    """Points and lines of the Bland-Altman plot.

    Parameters
    ----------
    paired : PairedRatings
        From :func:`~toolkit.pair_raters`.
    subscale : str
        The score drawn.
    dyad, session : optional
        The pair to mark.
    raters : (str, str)
        Differences are first - second.
    ci : float
        Confidence level of the intervals of the lines.
    multiplier : {"t", "normal"} or float
        Multiplier of the limits (see :func:`~toolkit.dyadic.bland_altman`).

    Returns
    -------
    BlandAltmanData
        ``.points`` (ids, ``mean`` of the two raters, ``diff``, ``marked``) and ``.limits``
        (:func:`~toolkit.dyadic.bland_altman` of the subscale).

    Examples
    --------
    >>> import toolkit
    >>> from toolkit.dyadic.plots import bland_altman_data
    >>> p = toolkit.pair_raters(toolkit.load_sample("wai36_client_therapist"), instrument_client="wai36")
    >>> round(bland_altman_data(p, "total").limits.bias, 2)
    16.13
    """
    from .statistics import bland_altman

    pts = scatter_data(paired, subscale, dyad, session, raters=raters)
    out = pts[paired.on + ["marked"]].copy()
    out.insert(len(paired.on), "mean", (pts["x"] + pts["y"]) / 2)
    out.insert(len(paired.on) + 1, "diff", pts["x"] - pts["y"])
    limits = bland_altman(pts["x"].to_numpy(), pts["y"].to_numpy(), ci=ci, multiplier=multiplier)
    return BlandAltmanData(title=f"Bland-Altman plot data: {subscale}, {raters[0]} - {raters[1]}",
                           notes=list(limits.notes), points=out, limits=limits)


def plot_bland_altman(paired, subscale: str = "total", dyad=None, session=None, *,
                      raters=("client", "therapist"), ci: float = 0.95, multiplier="t", ax=None,
                      figsize=(5.5, 4)):
    """Bland-Altman plot: difference against mean, bias and limits of agreement with their intervals.

    Parameters
    ----------
    paired : PairedRatings
        From :func:`~toolkit.pair_raters`.
    subscale : str
        The score drawn.
    dyad, session : optional
        The pair to mark.
    raters : (str, str)
        Differences are first - second.
    ci : float
        Confidence level of the shaded intervals.
    multiplier : {"t", "normal"} or float
        Multiplier of the limits (see :func:`~toolkit.dyadic.bland_altman`).
    ax : matplotlib Axes, optional
        Draw into these axes (cleared first).
    figsize : (float, float)
        Size of a new figure, in inches.

    Returns
    -------
    matplotlib Axes
        The axes drawn on; the points and lines drawn are :func:`bland_altman_data`.

    Examples
    --------
    >>> import toolkit
    >>> from toolkit.dyadic.plots import plot_bland_altman
    >>> p = toolkit.pair_raters(toolkit.load_sample("wai36_client_therapist"), instrument_client="wai36")
    >>> ax = plot_bland_altman(p, "total", dyad="B001")
    >>> ax.get_title()
    'Bland-Altman: total (95% intervals shaded)'
    """
    import warnings

    from ..exceptions import AgreementWarning

    with warnings.catch_warnings():  # undefined lines (fewer than 2 pairs) are simply not drawn
        warnings.simplefilter("ignore", AgreementWarning)
        data = bland_altman_data(paired, subscale, dyad, session, raters=raters, ci=ci, multiplier=multiplier)
    lim, points = data.limits, data.points
    fig, ax = _axes(ax, figsize)
    rest, mark = points.loc[~points["marked"]], points.loc[points["marked"]]
    ax.scatter(rest["mean"], rest["diff"], s=12, alpha=0.5, color="grey")
    if np.isfinite(lim.bias):
        for key, style in (("bias", "-"), ("loa_low", "--"), ("loa_high", "--")):
            value = getattr(lim, key)
            ax.axhline(value, color="black", ls=style, lw=1)
            ax.axhspan(getattr(lim, f"{key}_ci_low"), getattr(lim, f"{key}_ci_high"), color="grey", alpha=0.15,
                       lw=0)
            ax.annotate(f"{key.replace('loa_', 'limit ')} {value:.2f}", xy=(1, value),
                        xycoords=("axes fraction", "data"), ha="right", va="bottom", fontsize="small")
    ax.axhline(0, color="grey", lw=0.5)
    if len(mark):
        ax.scatter(mark["mean"], mark["diff"], s=60, color=_COLOURS["mark"], edgecolor="black", zorder=3,
                   label=f"dyad {dyad}")
        ax.legend(loc="upper left", fontsize="small")
    ax.set_xlabel(f"mean of {raters[0]} and {raters[1]} ({_unit(paired)})")
    ax.set_ylabel(f"{raters[0]} - {raters[1]}")
    ax.set_title(f"Bland-Altman: {subscale} ({ci:.0%} intervals shaded)")
    return ax


def profile_data(paired, dyad, session=None, *, raters=("client", "therapist")) -> pd.DataFrame:
    """One dyad's profile of scores, beside the sample means.

    Parameters
    ----------
    paired : PairedRatings
        From :func:`~toolkit.pair_raters`.
    dyad : str
        A paired dyad.
    session : optional
        One of its sessions; with several sessions and ``session=None`` the latest paired session is used.
    raters : (str, str)
        The raters shown.

    Returns
    -------
    DataFrame
        ``subscale`` then one column per rater, ``diff`` (first - second), and ``sample_<r>`` (the sample mean
        of each rater's score, for reference).

    Examples
    --------
    >>> import toolkit
    >>> from toolkit.dyadic.plots import profile_data
    >>> p = toolkit.pair_raters(toolkit.load_sample("wai36_client_therapist"), instrument_client="wai36")
    >>> profile_data(p, "B001")["subscale"].tolist()
    ['task', 'bond', 'goal', 'total']
    """
    _pairs(paired)
    rows = paired.dyad(dyad, session)
    if session is None and len(paired.on) > 1:
        last = rows[paired.on[1]].max()
        rows = rows.loc[rows[paired.on[1]] == last]
    t = paired.paired
    means = t.groupby("subscale", sort=False)[list(raters)].mean()
    out = rows[paired.on + ["subscale", *raters]].reset_index(drop=True)
    out["diff"] = out[raters[0]] - out[raters[1]]
    for r in raters:
        out[f"sample_{r}"] = means.loc[out["subscale"], r].to_numpy()
    return out


def plot_profile(paired, dyad, session=None, *, raters=("client", "therapist"), include_total: bool = False,
                 ax=None, figsize=(5, 3.5)):
    """Client's and therapist's subscale profile of one dyad side by side (grouped bars), sample means as ticks.

    Parameters
    ----------
    paired : PairedRatings
        From :func:`~toolkit.pair_raters`.
    dyad : str
        A paired dyad.
    session : optional
        One of its sessions (default the latest).
    raters : (str, str)
        The raters shown.
    include_total : bool
        Draw the total beside the subscales.
    ax : matplotlib Axes, optional
        Draw into these axes (cleared first).
    figsize : (float, float)
        Size of a new figure, in inches.

    Returns
    -------
    matplotlib Axes
        The axes drawn on; the bars drawn are :func:`profile_data`.

    Examples
    --------
    >>> import toolkit
    >>> from toolkit.dyadic.plots import plot_profile
    >>> p = toolkit.pair_raters(toolkit.load_sample("wai36_client_therapist"), instrument_client="wai36")
    >>> ax = plot_profile(p, "B001")
    >>> [t.get_text() for t in ax.get_xticklabels()]
    ['task', 'bond', 'goal']
    """
    data = profile_data(paired, dyad, session, raters=raters)
    shown = data if include_total else data.loc[data["subscale"] != "total"]
    if shown.empty:
        shown = data
    fig, ax = _axes(ax, figsize)
    x = np.arange(len(shown))
    width = 0.8 / len(raters)
    for i, r in enumerate(raters):
        pos = x - 0.4 + width * (i + 0.5)
        ax.bar(pos, shown[r], width, label=r, color=_COLOURS.get(r, None))
        ax.scatter(pos, shown[f"sample_{r}"], marker="_", s=200, color="black", zorder=3,
                   label="sample mean" if i == 0 else None)
    ax.set_xticks(x, shown["subscale"].tolist())
    ax.set_ylabel(_unit(paired))
    sess = f", {paired.on[1]} {data[paired.on[1]].iloc[0]}" if len(paired.on) > 1 and len(data) else ""
    ax.set_title(f"Dyad {dyad}{sess}")
    ax.legend(fontsize="small", loc="lower right")
    return ax


def plot_surface(model, *, n: int = 25, lo=None, hi=None, ax=None, figsize=(5, 4.5)):
    """Contour map of a fitted :class:`~toolkit.dyadic.ResponseSurface` with the lines of congruence
    (X = Y) and incongruence (X + Y = 2 centre).

    Parameters
    ----------
    model : ResponseSurface
        A fitted model.
    n : int
        Grid points per axis.
    lo, hi : float, optional
        Range of both axes (default the centre -/+ 2).
    ax : matplotlib Axes, optional
        Draw into these axes (cleared first).
    figsize : (float, float)
        Size of a new figure, in inches.

    Returns
    -------
    matplotlib Axes
        The axes drawn on; the surface drawn is ``model.grid(n, lo=lo, hi=hi)`` (columns ``x``, ``y``, ``z``).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from toolkit.dyadic import ResponseSurface
    >>> rng = np.random.default_rng(0)
    >>> d = pd.DataFrame({"client": rng.normal(size=50), "therapist": rng.normal(size=50),
    ...                   "outcome": rng.normal(size=50)})
    >>> ax = plot_surface(ResponseSurface().fit(d), n=10)
    >>> ax.get_title()
    'Response surface of outcome'
    """
    from .rsa import ResponseSurface

    if not isinstance(model, ResponseSurface):
        raise InvalidParameterError(f"plot_surface needs a fitted ResponseSurface (got {type(model).__name__})")
    check_fitted(model, "plot_surface()")
    data = model.grid(n, lo=lo, hi=hi)
    fig, ax = _axes(ax, figsize)
    X = data["x"].to_numpy().reshape(n, n)
    Y = data["y"].to_numpy().reshape(n, n)
    Z = data["z"].to_numpy().reshape(n, n)
    filled = ax.contourf(X, Y, Z, levels=12, cmap="viridis")
    fig.colorbar(filled, ax=ax, label=model.outcome)
    g = X[0]
    c = model.center_
    ax.plot(g, g, color="white", lw=1.5, label="congruence (X = Y)")
    ax.plot(g, 2 * c - g, color="white", lw=1.5, ls="--", label="incongruence")
    ax.set_xlim(g[0], g[-1])
    ax.set_ylim(g[0], g[-1])
    ax.set_xlabel(model.x)
    ax.set_ylabel(model.y)
    ax.set_title(f"Response surface of {model.outcome}")
    ax.legend(fontsize="small", loc="upper left")
    return ax
