"""Figures for reports: matplotlib figures embedded as images, and small progress charts drawn as SVG.

A matplotlib figure (the scree plot of a parallel analysis) is saved as SVG and embedded as a ``data:`` image:
an SVG shown through ``<img>`` can run no script and load nothing, whatever text it holds.

The per-client progress charts of the clinic report are drawn by a template (``templates/chart.svg.j2``)
from coordinates computed here: hundreds of them take milliseconds (matplotlib needs tens of milliseconds
each), and every label in them goes through the template's escaping.
"""

from __future__ import annotations

import base64
import io
import math
from dataclasses import dataclass, field

from markupsafe import Markup

__all__ = ["embed_matplotlib", "Series", "Panel", "progress_chart"]


def embed_matplotlib(fig, *, close: bool = True) -> str:
    """A matplotlib figure as a ``data:image/svg+xml;base64,...`` address for an ``<img>`` element.

    The SVG carries no date (the same figure gives the same bytes); ``close`` closes the figure.
    """
    buf = io.BytesIO()
    try:
        fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})
    finally:
        if close:
            import matplotlib.pyplot as plt

            plt.close(fig)
    return "data:image/svg+xml;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


@dataclass
class Series:
    """One line of a panel: ``x`` and ``y`` (NaN: no score, the line breaks there), ``flagged`` points drawn
    as filled red markers."""

    label: str
    x: list
    y: list
    flagged: list = field(default_factory=list)


@dataclass
class Panel:
    """One chart panel: a title, the y range, lines, and horizontal reference lines ``(value, label)``."""

    title: str
    y_min: float
    y_max: float
    series: list
    references: list = field(default_factory=list)


_COLOURS = ("#1f4e79", "#7f3f98", "#2e7d32", "#8d6e00")
WIDTH, LEFT, RIGHT, TOP, HEIGHT, BOTTOM = 620, 46, 110, 16, 100, 38


def _ticks(lo: float, hi: float, n: int = 4) -> list[float]:
    span = hi - lo
    if not span > 0:
        return [lo]
    raw = span / n
    mag = 10 ** math.floor(math.log10(raw))
    step = min((m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw), default=raw)
    first = math.ceil(lo / step) * step
    out = []
    v = first
    while v <= hi + 1e-9:
        out.append(round(v, 10))
        v += step
    return out


def _label(v: float) -> str:
    return f"{v:g}"


def progress_chart(panels: list[Panel], *, x_values: list, x_label: str, title: str,
                   shade: tuple | None = None, uid: str = "chart") -> Markup:
    """An inline SVG chart: one panel per score, sessions on the x axis.

    Parameters
    ----------
    panels : list of Panel
        Stacked top to bottom, sharing the x axis.
    x_values : list of numbers
        Every x position that can appear (sessions): sets the axis range and ticks.
    x_label : str
        Name of the x axis.
    title : str
        The chart's accessible title (read by screen readers; escaped).
    shade : (x0, x1), optional
        A band to shade (this period).
    uid : str
        Prefix of the chart's marker ids (unique within a page).
    """
    from .document import environment

    xs = [float(v) for v in x_values if v is not None and not (isinstance(v, float) and math.isnan(v))]
    x_lo, x_hi = (min(xs), max(xs)) if xs else (0.0, 1.0)
    if x_hi == x_lo:
        x_lo, x_hi = x_lo - 1, x_hi + 1
    plot_w = WIDTH - LEFT - RIGHT

    def px(x):
        return LEFT + (float(x) - x_lo) / (x_hi - x_lo) * plot_w

    whole = sorted(set(int(v) for v in xs if float(v).is_integer()))
    x_ticks = whole if xs and len(whole) == len(set(xs)) and len(whole) <= 12 else _ticks(x_lo, x_hi, 8)
    drawn = []
    for k, p in enumerate(panels):
        top = TOP + k * (HEIGHT + BOTTOM)
        lo, hi = float(p.y_min), float(p.y_max)
        if not hi > lo:
            hi = lo + 1

        def py(y, top=top, lo=lo, hi=hi):
            return top + HEIGHT - (float(y) - lo) / (hi - lo) * HEIGHT

        lines = []
        for j, s in enumerate(p.series):
            segments, current, points, flags = [], [], [], []
            for i, (x, y) in enumerate(zip(s.x, s.y)):
                if y is None or (isinstance(y, float) and math.isnan(y)):
                    if current:
                        segments.append(current)
                    current = []
                    continue
                xy = f"{px(x):.1f},{py(min(max(y, lo), hi)):.1f}"
                current.append(xy)
                points.append(xy)
                if i < len(s.flagged) and s.flagged[i]:
                    flags.append(xy)
            if current:
                segments.append(current)
            lines.append({"label": s.label, "colour": _COLOURS[j % len(_COLOURS)], "n": j,
                          "segments": [" ".join(seg) for seg in segments], "points": " ".join(points),
                          "flags": " ".join(flags), "legend_y": top + 12 + 14 * j})
        refs = [{"y": round(py(v), 1), "label": lab} for v, lab in p.references if lo <= v <= hi]
        band = None
        if shade is not None:
            a, b = (max(float(shade[0]) - 0.5, x_lo), min(float(shade[1]) + 0.5, x_hi))
            band = {"x": round(px(a), 1), "w": round(max(px(b) - px(a), 2), 1)}
        y_ticks = [(py(v), _label(v)) for v in _ticks(lo, hi)]
        bottom = top + HEIGHT
        # the axes and tick marks as one path of numbers; the labels as text (escaped by the template)
        marks = [f"M{LEFT} {top}V{bottom}H{WIDTH - RIGHT}"] + [f"M{LEFT - 3} {y:.1f}h3" for y, _ in y_ticks] + \
            [f"M{px(v):.1f} {bottom}v3" for v in x_ticks]
        drawn.append({"title": p.title, "top": top, "lines": lines, "refs": refs, "band": band,
                      "marks": "".join(marks), "y_ticks": [{"y": round(y + 3, 1), "label": t} for y, t in y_ticks],
                      "bottom": bottom})
    height = TOP + len(panels) * (HEIGHT + BOTTOM) + 14
    template = environment().get_template("chart.svg.j2")
    return Markup(template.render(
        title=title, uid=uid, width=WIDTH, height=height, left=LEFT, right=WIDTH - RIGHT, panels=drawn,
        x_ticks=[{"x": round(px(v), 1), "label": _label(v)} for v in x_ticks], x_label=x_label,
    ))
