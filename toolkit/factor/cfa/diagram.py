"""A path diagram of a fitted confirmatory factor model, drawn with matplotlib (no graphviz needed).

Observed variables are boxes on the bottom row, factors ellipses above their indicators, factors measured by
factors (second-order) or loading on the items of other factors (the general factor of a bifactor model) on
a top row. Single-headed arrows are loadings and regressions, curved double-headed arrows covariances
between factors and residual covariances; every path carries its estimate (standardized by default).
"""

from __future__ import annotations

import numpy as np

from ..._checks import check_bool, check_choice

__all__ = ["path_diagram"]


def _layout(model, lam_rows):
    """Positions: observed on y=0, first-order factors on y=1, factors above them on y=2."""
    ov = model.ov_names
    lv = model.lv_names
    ind = {f: [r for f_, r in lam_rows if f_ == f and r in ov] for f in lv}
    lat_ind = {f: [r for f_, r in lam_rows if f_ == f and r in lv] for f in lv}
    level = {}
    for f in lv:
        if lat_ind[f]:
            level[f] = 2
    owners = {}
    for f in lv:
        for v in ind[f]:
            owners.setdefault(v, []).append(f)
    # a factor whose items all belong to other factors too (bifactor general) goes on top
    for f in lv:
        if f not in level and ind[f] and all(len(owners[v]) > 1 for v in ind[f]) and \
                len({g for v in ind[f] for g in owners[v]} - {f}) > 1:
            level[f] = 2
    for f in lv:
        level.setdefault(f, 1)
    order = []
    for f in lv:
        if level[f] == 1:
            order += [v for v in ind[f] if v not in order]
    order += [v for v in ov if v not in order]
    x_ov = {v: float(i) for i, v in enumerate(order)}
    pos = {v: (x, 0.0) for v, x in x_ov.items()}
    # with a bifactor-like general factor on top, the specific factors go under the items
    below = any(level[f] == 2 and not lat_ind[f] for f in lv)
    for f in lv:
        if level[f] == 1:
            xs = [x_ov[v] for v in ind[f]] or [0.0]
            pos[f] = (float(np.mean(xs)), -1.6 if below else 1.6)
    for f in lv:
        if level[f] == 2:
            kids = [pos[g][0] for g in lat_ind[f] if g in pos] + [x_ov[v] for v in ind[f]]
            pos[f] = (float(np.mean(kids)) if kids else 0.0, 3.0)
    # spread factors that would sit on top of each other
    for y in (-1.6, 1.6, 3.0):
        at = sorted((p[0], k) for k, p in pos.items() if p[1] == y and k in lv)
        for (_, a), (_, b) in zip(at, at[1:]):
            if pos[b][0] - pos[a][0] < 1.2:
                pos[b] = (pos[a][0] + 1.2, y)
    return pos, level


def path_diagram(fit, ax=None, *, standardized: bool = True, residuals: bool = False, digits: int = 2,
                 group=None):
    """Draw a fitted :class:`~toolkit.factor.cfa.CFA` as a path diagram.

    Parameters
    ----------
    fit : CFA
        A fitted model.
    ax : matplotlib Axes, optional
        Where to draw (a new figure when omitted).
    standardized : bool
        Label paths with the standardized solution (``std_all``) instead of the raw estimates.
    residuals : bool
        Also write each observed variable's residual variance under its box.
    digits : int
        Decimals shown.
    group : optional
        Which group to draw (default the first).

    Returns
    -------
    matplotlib Axes
        The Axes drawn on.

    Notes
    -----
    Layout: observed variables in a row (grouped by factor), each factor centred above its indicators,
    higher-order and general (bifactor) factors on a top row. Paths whose estimate is fixed to 0 are not
    drawn. Labels are escaped by matplotlib's text engine (no markup from names is interpreted: mathtext
    is turned off for every label).

    R equivalent: ``semPlot::semPaths(fit, "std")`` (a different layout).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> import matplotlib; matplotlib.use("Agg")
    >>> from toolkit.factor.cfa import cfa
    >>> rng = np.random.default_rng(2)
    >>> f = rng.normal(size=(200, 1))
    >>> d = pd.DataFrame(f @ [[.8, .7, .6]] + rng.normal(scale=.6, size=(200, 3)), columns=["a", "b", "c"])
    >>> ax = path_diagram(cfa(d, "F =~ a + b + c"))
    >>> sorted(t.get_text() for t in ax.texts)
    ['0.70', '0.78', '0.79', 'F', 'a', 'b', 'c']
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import Ellipse, FancyArrowPatch, FancyBboxPatch

    fit._check_fitted("path_diagram()")
    standardized = check_bool(standardized, param="standardized", caller="path_diagram")
    residuals = check_bool(residuals, param="residuals", caller="path_diagram")
    groups = fit.groups_
    if group is None:
        group = groups[0]
    check_choice(group, groups, param="group", caller="path_diagram")
    model = fit._problem.model
    est = fit.estimates_
    col = "std_all" if standardized else "est"
    tab = fit.standardized_ if standardized else est
    if len(groups) > 1:
        sel = (est["group"] == group).to_numpy()
    else:
        sel = np.ones(len(est), dtype=bool)
    sel = sel & (est["op"] != ":=").to_numpy()
    rows = est.loc[sel].copy()
    rows["value"] = tab.loc[sel, col].to_numpy()
    lam = rows[rows["op"] == "=~"]
    pos, level = _layout(model, list(zip(lam["lhs"], lam["rhs"])))
    ax_given = ax is not None
    if not ax_given:
        width = max(6.0, 0.9 * len(model.ov_names) + 1)
        _fig, ax = plt.subplots(figsize=(width, 4.2))
    fmt = f"{{:.{digits}f}}"
    text_kw = {"usetex": False, "parse_math": False}
    box_w, box_h = 0.7, 0.45
    for v in model.ov_names:
        x, y = pos[v]
        ax.add_patch(FancyBboxPatch((x - box_w / 2, y - box_h / 2), box_w, box_h, boxstyle="round,pad=0.02",
                                    fc="white", ec="0.2"))
        ax.text(x, y, str(v), ha="center", va="center", fontsize=7, **text_kw)
    for f in model.lv_names:
        x, y = pos[f]
        ax.add_patch(Ellipse((x, y), 1.1, 0.6, fc="#e8f0fb", ec="0.2"))
        ax.text(x, y, str(f), ha="center", va="center", fontsize=8, weight="bold", **text_kw)

    def half(v):
        return 0.3 if v in model.lv_names else box_h / 2

    def edge(a, b):
        (xa, ya), (xb, yb) = pos[a], pos[b]
        s_ = 1 if ya > yb else -1
        return (xa, ya - s_ * half(a)), (xb, yb + s_ * half(b))

    for r in lam.itertuples():
        if r.est == 0 and r.se == 0:
            continue
        p0, p1 = edge(r.lhs, r.rhs)
        ax.add_patch(FancyArrowPatch(p0, p1, arrowstyle="-|>", mutation_scale=8, lw=0.8, color="0.25"))
        t = 0.62
        ax.text(p0[0] + t * (p1[0] - p0[0]), p0[1] + t * (p1[1] - p0[1]), fmt.format(r.value), fontsize=6,
                ha="center", va="center", bbox={"fc": "white", "ec": "none", "pad": 0.3}, **text_kw)
    arcs = []
    for r in rows[rows["op"] == "~"].itertuples():
        (xa, ya), (xb, yb) = pos[r.rhs], pos[r.lhs]
        between = any(abs(p[1] - ya) < 1e-9 and min(xa, xb) < p[0] < max(xa, xb) for k, p in pos.items()
                      if k in model.lv_names and k not in (r.lhs, r.rhs)) and abs(ya - yb) < 1e-9
        rad = -0.35 if between else 0.0
        ax.add_patch(FancyArrowPatch((xa, ya), (xb, yb), arrowstyle="-|>", mutation_scale=9, lw=0.9, color="0.1",
                                     shrinkA=18, shrinkB=18, connectionstyle=f"arc3,rad={rad}"))
        lift = 0.12 + (0.35 * abs(xb - xa) / 2 if between else 0.0)
        if between:
            arcs.append(ya + lift + 0.2)
        ax.text((xa + xb) / 2, (ya + yb) / 2 + lift, fmt.format(r.value), fontsize=6, ha="center", **text_kw)
    for r in rows[(rows["op"] == "~~") & (rows["lhs"] != rows["rhs"])].itertuples():
        if (r.est == 0 and r.se == 0) or r.lhs not in pos or r.rhs not in pos:
            continue
        (xa, ya), (xb, yb) = pos[r.lhs], pos[r.rhs]
        if r.lhs in model.lv_names:
            up = 1 if ya >= 0 else -1
        else:  # residual covariances on the side of the boxes away from the factors
            up = 1 if any(p[1] < 0 for k, p in pos.items() if k in model.lv_names) else -1
        arcs.append(ya + up * (0.4 + 0.2 * abs(xb - xa)))
        off = 0.3 if r.lhs in model.lv_names else box_h / 2
        ax.add_patch(FancyArrowPatch((xa, ya + up * off), (xb, yb + up * off), arrowstyle="<|-|>",
                                     mutation_scale=7, lw=0.7, color="#2a6fbd",
                                     connectionstyle=f"arc3,rad={-0.35 * up if xb > xa else 0.35 * up}"))
        ax.text((xa + xb) / 2, (ya + yb) / 2 + up * (off + 0.12 + 0.08 * abs(xb - xa)), fmt.format(r.value),
                fontsize=6, ha="center", color="#2a6fbd", **text_kw)
    if residuals:
        for r in rows[(rows["op"] == "~~") & (rows["lhs"] == rows["rhs"])].itertuples():
            if r.lhs in model.ov_names:
                x, y = pos[r.lhs]
                ax.text(x, y - box_h / 2 - 0.18, fmt.format(r.value), fontsize=6, ha="center", color="0.35",
                        **text_kw)
    xs = [p[0] for p in pos.values()]
    ax.set_xlim(min(xs) - 0.8, max(xs) + 0.8)
    ys = [p[1] for p in pos.values()] + arcs
    ax.set_ylim(min(ys) - (0.9 if residuals else 0.6), max(ys) + 0.6)
    ax.set_aspect("equal")
    ax.axis("off")
    label = "standardized (std.all)" if standardized else "estimates"
    title = f"{label}" + (f", group {group}" if len(groups) > 1 else "")
    ax.set_title(title, fontsize=8, **text_kw)
    return ax
