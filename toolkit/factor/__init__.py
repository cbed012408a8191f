"""Dimensionality and exploratory factor analysis that match R's psych and GPArotation.

Correlations (Pearson, polychoric), suitability (KMO, Bartlett), number of factors
(parallel analysis, MAP), EFA (minres / ML / principal axis with psych's rotations),
Schmid-Leiman and omega, and plots. Every analysis returns a result (:mod:`toolkit._results`)
or, where the table is the whole answer, a DataFrame; :class:`EFA` is an estimator
(:mod:`toolkit._estimator`).
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

from .dimensionality import ParallelAnalysis, VelicerMAP, parallel_analysis, scree, velicer_map  # noqa: E402
from .efa import EFA, EFAResult  # noqa: E402
from .suitability import KMO, BartlettSphericity, bartlett_sphericity, kmo  # noqa: E402

__all__ += ["EFA", "EFAResult", "parallel_analysis", "ParallelAnalysis", "velicer_map", "VelicerMAP", "scree", "kmo",
            "KMO", "bartlett_sphericity", "BartlettSphericity"]

from .plots import factor_diagram, loadings_heatmap, scree_plot  # noqa: E402

__all__ += ["scree_plot", "loadings_heatmap", "factor_diagram"]
