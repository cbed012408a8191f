"""Dimensionality and exploratory factor analysis that match R's psych and GPArotation.

Correlations (Pearson, polychoric), suitability (KMO, Bartlett), number of factors
(parallel analysis, MAP), EFA (minres / ML / principal axis with psych's rotations),
Schmid-Leiman and omega, and plots.
"""

from .correlation import PolychoricResult, pairwise_counts, pearson, polychoric, smc, smooth_correlation
from .schmid import Omega, SchmidLeiman, omega, schmid_leiman

__all__ = [
    "pearson",
    "pairwise_counts",
    "polychoric",
    "PolychoricResult",
    "smc",
    "smooth_correlation",
    "omega",
    "Omega",
    "schmid_leiman",
    "SchmidLeiman",
]

from .dimensionality import ParallelAnalysis, parallel_analysis, scree, velicer_map  # noqa: E402
from .efa import EFA  # noqa: E402
from .suitability import bartlett_sphericity, kmo  # noqa: E402

__all__ += ["EFA", "parallel_analysis", "ParallelAnalysis", "velicer_map", "scree", "kmo", "bartlett_sphericity"]

from .plots import factor_diagram, loadings_heatmap, scree_plot  # noqa: E402

__all__ += ["scree_plot", "loadings_heatmap", "factor_diagram"]
