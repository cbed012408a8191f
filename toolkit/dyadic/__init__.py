"""Client and therapist side by side: pairing, agreement statistics, per-dyad discrepancies, dyadic models.

* :func:`pair_raters` -- match client, therapist (and observer) administrations on a common metric.
* :func:`agreement` -- one row per subscale and total: r, ICC, Lin's CCC, paired t and d_z, Bland-Altman;
  every statistic registered with :func:`statistic` (``registry.py``) is a column group.
* :func:`weighted_kappa`, :func:`item_kappa` -- Cohen's kappa with its SE and CI, per shared item.
* :func:`dyad_discrepancies` -- per dyad: differences, profile r and distance, reliable-difference flags.
* :class:`APIM` / :func:`apim` -- actor-partner interdependence model for distinguishable dyads (GLS, REML).
* :class:`ResponseSurface` / :func:`response_surface` -- polynomial regression with the surface parameters a1-a4.
* :mod:`toolkit.dyadic.plots` -- scatter, Bland-Altman and dyad-profile figures with their data.

The one-call function is ``toolkit.agreement`` (this package is ``toolkit.dyadic``, so the two names never
collide: one name, one thing).

>>> import toolkit
>>> toolkit.agreement is toolkit.dyadic.agreement
True
"""

from .agreement_table import AgreementResult, agreement
from .dyads import Discrepancies, dyad_discrepancies, dyad_items, reliable_difference
from .interdependence import APIM, APIMResult, apim
from .kappa import ItemKappa, Kappa, item_kappa, weighted_kappa
from .pairing import PairedRatings, pair_raters
from .registry import registered_statistics, statistic
from .rsa import ResponseSurface, ResponseSurfaceResult, response_surface
from .statistics import (BlandAltman, Concordance, Correlation, MeanDifference, StandardizedDifference,
                         bland_altman, concordance, d_z, paired_t, pearson_r)

__all__ = [
    "pair_raters",
    "PairedRatings",
    "agreement",
    "AgreementResult",
    "statistic",
    "registered_statistics",
    "item_kappa",
    "ItemKappa",
    "weighted_kappa",
    "Kappa",
    "pearson_r",
    "Correlation",
    "concordance",
    "Concordance",
    "d_z",
    "StandardizedDifference",
    "paired_t",
    "MeanDifference",
    "bland_altman",
    "BlandAltman",
    "dyad_discrepancies",
    "Discrepancies",
    "reliable_difference",
    "dyad_items",
    "APIM",
    "APIMResult",
    "apim",
    "ResponseSurface",
    "ResponseSurfaceResult",
    "response_surface",
]
