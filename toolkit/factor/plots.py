"""Plots for factor analysis: scree with parallel-analysis curves, loadings heatmap, factor diagram.

matplotlib is imported inside each function so ``import toolkit`` stays fast.
Every function draws on ``ax`` when given (else on a new figure) and returns the Axes.
"""

from __future__ import annotations

import numpy as np

from .._checks import check_bool, check_choice, check_number
from .._estimator import Estimator, check_fitted

__all__ = ["scree_plot", "loadings_heatmap", "factor_diagram"]


def _axes(ax, figsize):
    import matplotlib.pyplot as plt

    if ax is None:
        _fig, ax = plt.subplots(figsize=figsize)
    return ax


def scree_plot(result, ax=None, *, show: str = "both"):
    """Scree plot of observed eigenvalues with the simulated and resampled curves.

    Parameters
    ----------
    result : ParallelAnalysis or DataFrame
        A :func:`~toolkit.factor.parallel_analysis` result, or :func:`~toolkit.factor.scree` data.
    ax : matplotlib Axes, optional
        Where to draw (a new figure when omitted).
    show : {"both", "fa", "pc"}
        Factor eigenvalues, component eigenvalues, or both.

    Returns
    -------
    matplotlib Axes
        The Axes drawn on.

    Notes
    -----
    Draws the observed eigenvalues (``fa_observed``, ``pc_observed``) against their number, with the means of
    the simulated (dotted) and resampled (dashed) eigenvalues and a line at 1, as the plot psych::fa.parallel
    draws.

    R equivalent: ``psych::fa.parallel(x)``.

    References
    ----------
    Horn, J. L. (1965). A rationale and test for the number of factors in factor analysis.
    Psychometrika, 30, 179-185.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> import matplotlib; matplotlib.use("Agg")
    >>> from toolkit.factor import parallel_analysis
    >>> from toolkit.factor.plots import scree_plot
    >>> x = pd.DataFrame(np.random.default_rng(0).normal(size=(200, 6)))
    >>> ax = scree_plot(parallel_analysis(x, n_iter=5, seed=0))
    >>> ax.get_xlabel()
    'Factor / component number'
    """
    show = check_choice(show, ("both", "fa", "pc"), param="show", caller="scree_plot")
    ax = _axes(ax, (6, 4))
    table = getattr(result, "table", result)
    x = np.asarray(table.index)
    kinds = ("fa", "pc") if show == "both" else (show,)
    styles = {"fa": dict(marker="^", color="tab:blue"), "pc": dict(marker="x", color="tab:green")}
    names = {"fa": "FA", "pc": "PC"}
    for kind in kinds:
        obs = f"{kind}_observed" if f"{kind}_observed" in table else kind
        ax.plot(x, table[obs], label=f"{names[kind]} actual data", **styles[kind])
        if f"{kind}_simulated" in table:
            ax.plot(x, table[f"{kind}_simulated"], ls=":", color="tab:red", label=f"{names[kind]} simulated data")
        if f"{kind}_resampled" in table:
            ax.plot(x, table[f"{kind}_resampled"], ls="--", color="tab:red", alpha=.6,
                    label=f"{names[kind]} resampled data")
    ax.axhline(1.0, color="grey", lw=.8)
    ax.set_xlabel("Factor / component number")
    ax.set_ylabel("Eigenvalue")
    title = "Parallel analysis scree plot"
    if hasattr(result, "n_components"):
        title += f": {result.n_factors} factor(s), {result.n_components} component(s)"
    ax.set_title(title)
    ax.legend(frameon=False, fontsize="small")
    return ax


def loadings_heatmap(efa_or_loadings, ax=None, *, sort: bool = True, annotate: bool = True, cut: float = 0.0):
    """Heatmap of factor loadings (items sorted like psych::fa.sort), diverging colours centred on 0.

    Parameters
    ----------
    efa_or_loadings : EFA or DataFrame
        A fitted :class:`~toolkit.factor.EFA`, or a loadings table (items x factors).
    ax : matplotlib Axes, optional
        Where to draw (a new figure when omitted).
    sort : bool
        Order the items of a fitted EFA as psych::fa.sort does.
    annotate : bool
        Write each loading in its cell.
    cut : float
        Annotate only loadings at least this large in absolute value.

    Returns
    -------
    matplotlib Axes
        The Axes drawn on.

    Notes
    -----
    Colour runs from -1 (blue) through 0 (white) to 1 (red); rows are items, columns factors (psych's
    ``cor.plot`` of the loadings draws a similar picture).

    R equivalent: ``psych::cor.plot(psych::fa(x, 3)$loadings)``.

    References
    ----------
    Revelle, W. (2022). psych: Procedures for psychological, psychometric, and personality research
    (R package 2.2.9). Northwestern University.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> import matplotlib; matplotlib.use("Agg")
    >>> from toolkit.factor.plots import loadings_heatmap
    >>> lam = pd.DataFrame([[.8, .1], [.1, .7]], index=["a", "b"], columns=["MR1", "MR2"])
    >>> [t.get_text() for t in loadings_heatmap(lam).get_yticklabels()]
    ['a', 'b']
    """
    sort = check_bool(sort, param="sort", caller="loadings_heatmap")
    annotate = check_bool(annotate, param="annotate", caller="loadings_heatmap")
    cut = check_number(cut, param="cut", caller="loadings_heatmap", low=0)
    if isinstance(efa_or_loadings, Estimator):
        check_fitted(efa_or_loadings, "loadings_heatmap()")
    ax = _axes(ax, None)
    if hasattr(efa_or_loadings, "loadings_"):
        lam = efa_or_loadings.sorted_loadings() if sort else efa_or_loadings.loadings_
    else:
        lam = efa_or_loadings
    values = lam.to_numpy(dtype=float)
    if ax.figure.get_figheight() < 0.3 * len(lam):
        ax.figure.set_size_inches(1.2 * lam.shape[1] + 2, 0.3 * len(lam) + 1.5)
    im = ax.imshow(values, cmap="RdBu_r", vmin=-1, vmax=1, aspect="auto")
    ax.set_xticks(range(lam.shape[1]), labels=[str(c) for c in lam.columns])
    ax.set_yticks(range(len(lam)), labels=[str(i) for i in lam.index])
    if annotate:
        for (i, j), v in np.ndenumerate(values):
            if abs(v) >= cut:
                ax.text(j, i, f"{v:.2f}", ha="center", va="center", fontsize=8,
                        color="white" if abs(v) > .6 else "black")
    ax.figure.colorbar(im, ax=ax, label="loading")
    ax.set_title("Factor loadings")
    return ax


def factor_diagram(efa, ax=None, *, cut: float = 0.3, simple: bool = True):
    """A factor diagram like psych::fa.diagram: factors on the right, items on the left, arrows for loadings.

    Parameters
    ----------
    efa : EFA
        A fitted :class:`~toolkit.factor.EFA`.
    ax : matplotlib Axes, optional
        Where to draw (a new figure when omitted).
    cut : float
        Loadings (and factor correlations) smaller than this in absolute value are left out.
    simple : bool
        Show only each item's largest loading (psych's default).

    Returns
    -------
    matplotlib Axes
        The Axes drawn on.

    Notes
    -----
    Items are boxes on the left (sorted as psych::fa.sort), factors ellipses on the right; an arrow per
    loading shown (red when negative) and a curved double arrow per factor correlation at least ``cut``.

    R equivalent: ``psych::fa.diagram(fa(x, 3), cut = 0.3, simple = TRUE)``.

    References
    ----------
    Revelle, W. (2022). psych: Procedures for psychological, psychometric, and personality research
    (R package 2.2.9). Northwestern University.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> import matplotlib; matplotlib.use("Agg")
    >>> from toolkit.factor import EFA
    >>> from toolkit.factor.plots import factor_diagram
    >>> rng = np.random.default_rng(0); f = rng.normal(size=(300, 2))
    >>> x = pd.DataFrame(f @ np.kron(np.eye(2), np.full((3, 1), .7)).T + rng.normal(size=(300, 6)) * .7)
    >>> ax = factor_diagram(EFA(2).fit(x))
    >>> ax.get_title()
    'Factor diagram'
    """
    from matplotlib.patches import Ellipse, FancyArrowPatch, Rectangle

    cut = check_number(cut, param="cut", caller="factor_diagram", low=0)
    simple = check_bool(simple, param="simple", caller="factor_diagram")
    lam = efa.sorted_loadings()
    p, k = lam.shape
    ax = _axes(ax, (7, max(3, 0.35 * p + 1)))
    item_y = np.linspace(p, 1, p)
    fac_y = np.linspace(p, 1, k + 2)[1:-1] if k > 1 else np.array([(p + 1) / 2])
    for y, name in zip(item_y, lam.index):
        ax.add_patch(Rectangle((0, y - .3), 1.6, .6, fill=False))
        ax.text(.8, y, str(name), ha="center", va="center", fontsize=8)
    for y, name in zip(fac_y, lam.columns):
        ax.add_patch(Ellipse((5, y), 1.2, .9, fill=False))
        ax.text(5, y, str(name), ha="center", va="center", fontsize=9)
    values = lam.to_numpy()
    best = np.abs(values).argmax(axis=1)
    for i in range(p):
        for j in range(k):
            v = values[i, j]
            if abs(v) < cut or (simple and j != best[i]):
                continue
            ax.add_patch(FancyArrowPatch((4.4, fac_y[j]), (1.6, item_y[i]), arrowstyle="-|>", mutation_scale=8,
                                         color="tab:red" if v < 0 else "black", lw=.8))
            ax.text(3.0, (fac_y[j] + item_y[i]) / 2, f"{v:.2f}", fontsize=7, ha="center",
                    bbox=dict(fc="white", ec="none", pad=.5))
    if getattr(efa, "phi_", None) is not None:
        phi = efa.phi_.to_numpy()
        for a in range(k):
            for b in range(a + 1, k):
                if abs(phi[a, b]) >= cut:
                    ax.add_patch(FancyArrowPatch((5.6, fac_y[a]), (5.6, fac_y[b]), connectionstyle="arc3,rad=-.4",
                                                 arrowstyle="<|-|>", mutation_scale=8, lw=.8))
                    ax.text(6.3, (fac_y[a] + fac_y[b]) / 2, f"{phi[a, b]:.2f}", fontsize=7, ha="center")
    ax.set_xlim(-.2, 7)
    ax.set_ylim(0.3, p + .7)
    ax.axis("off")
    ax.set_title("Factor diagram")
    return ax
