"""Plots draw what they claim; images are left in test-artifacts/ for a person to look at."""

from __future__ import annotations

import numpy as np
import pytest

from toolkit.factor import EFA, parallel_analysis
from toolkit.factor.plots import factor_diagram, loadings_heatmap, scree_plot

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")


def test_plots_on_bfi(bfi_items, artifacts_dir):
    import matplotlib.pyplot as plt

    items = bfi_items.iloc[:, :10]
    pa = parallel_analysis(items, n_iter=10, seed=0)
    ax = scree_plot(pa)
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["FA actual data", "FA simulated data", "FA resampled data",
                      "PC actual data", "PC simulated data", "PC resampled data"]
    np.testing.assert_allclose(ax.lines[0].get_ydata(), pa.table["fa_observed"])
    ax.figure.savefig(artifacts_dir / "factor_scree.png")
    plt.close(ax.figure)

    efa = EFA(2).fit(items)
    ax = loadings_heatmap(efa)
    assert [t.get_text() for t in ax.get_yticklabels()] == efa.sorted_loadings().index.tolist()
    ax.figure.savefig(artifacts_dir / "factor_heatmap.png")
    plt.close(ax.figure)

    ax = factor_diagram(efa, cut=0.3)
    shown = [t.get_text() for t in ax.texts]
    assert set(efa.loadings_.columns) <= set(shown) and set(items.columns) <= set(shown)
    ax.figure.savefig(artifacts_dir / "factor_diagram.png")
    plt.close(ax.figure)


def test_scree_plot_refuses_unknown_curve_names():
    with pytest.raises(ValueError, match=r"The 'show' parameter of scree_plot\(\) must be one of 'both', 'fa', "
                                         r"'pc'; got 'pca'"):
        scree_plot(None, show="pca")
