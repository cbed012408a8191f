"""Plots for factor analysis: scree with parallel-analysis curves, loadings heatmap, factor diagram.

matplotlib is imported inside each function so ``import toolkit`` stays fast.
Every function draws on ``ax`` when given (else on a new figure) and returns the Axes.
"""

from __future__ import annotations

import numpy as np

__all__ = ["scree_plot", "loadings_heatmap", "factor_diagram"]


def _axes(ax, figsize):
    import matplotlib.pyplot as plt

    if ax is None:
        _fig, ax = plt.subplots(figsize=figsize)
    return ax


def scree_plot(result, ax=None, *, show: str = "both"):
    """Scree plot of observed eigenvalues with the simulated and resampled curves (psych::fa.parallel's plot).

    Parameters
    ----------
    result : ParallelAnalysis or DataFrame
        A :func:`~toolkit.factor.parallel_analysis` result, or :func:`~toolkit.factor.scree` data.
    ax : matplotlib Axes, optional
    show : {"both", "fa", "pc"}

    Returns
    -------
    matplotlib Axes

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
    if show not in ("both", "fa", "pc"):
        raise ValueError(f"show must be 'both', 'fa' or 'pc' (got {show!r}).")
    ax = _axes(ax, (6, 4))
    table = getattr(result, "table_", result)
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
            ax.plot(x, table[f"{kind}_resampled"], ls="--", color="tab:red", alpha=.6, label=f"{names[kind]} resampled data")
    ax.axhline(1.0, color="grey", lw=.8)
    ax.set_xlabel("Factor / component number")
    ax.set_ylabel("Eigenvalue")
    title = "Parallel analysis scree plot"
    if hasattr(result, "n_factors_"):
        title += f": {result.n_factors_} factor(s), {result.n_components_} component(s)"
    ax.set_title(title)
    ax.legend(frameon=False, fontsize="small")
    return ax


def loadings_heatmap(efa_or_loadings, ax=None, *, sort: bool = True, annotate: bool = True, cut: float = 0.0):
    """Heatmap of factor loadings (items sorted like psych::fa.sort), diverging colours centred on 0.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> import matplotlib; matplotlib.use("Agg")
    >>> from toolkit.factor.plots import loadings_heatmap
    >>> lam = pd.DataFrame([[.8, .1], [.1, .7]], index=["a", "b"], columns=["MR1", "MR2"])
    >>> [t.get_text() for t in loadings_heatmap(lam).get_yticklabels()]
    ['a', 'b']
    """
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
                ax.text(j, i, f"{v:.2f}", ha="center", va="center", fontsize=8, color="white" if abs(v) > .6 else "black")
    ax.figure.colorbar(im, ax=ax, label="loading")
    ax.set_title("Factor loadings")
    return ax


def factor_diagram(efa, ax=None, *, cut: float = 0.3, simple: bool = True):
    """A factor diagram like psych::fa.diagram: factors on the right, items on the left, arrows for loadings.

    With ``simple=True`` each item shows only its largest loading (psych's default); loadings
    below ``cut`` in absolute value are left out. Factor correlations above ``cut`` are drawn
    as curved arrows between factors.

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
