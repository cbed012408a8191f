"""Client and therapist side by side: pairing, agreement statistics, per-dyad discrepancies, dyadic models.

* :func:`pair_raters` -- match client, therapist (and observer) administrations on a common metric.
* :func:`agreement` -- one row per subscale and total: r, ICC, Lin's CCC, paired t and d_z, Bland-Altman.
* :func:`item_kappa` -- weighted kappa per shared item.
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

from .interdependence import APIM, apim
from .dyads import dyad_discrepancies, dyad_items, reliable_difference
from .pairing import PairedRatings, pair_raters
from .rsa import ResponseSurface, response_surface
from .statistics import (agreement, bland_altman, concordance, d_z, item_kappa, paired_t, pearson_r,
                         weighted_kappa)

__all__ = [
    "pair_raters",
    "PairedRatings",
    "agreement",
    "item_kappa",
    "weighted_kappa",
    "pearson_r",
    "concordance",
    "d_z",
    "paired_t",
    "bland_altman",
    "dyad_discrepancies",
    "reliable_difference",
    "dyad_items",
    "APIM",
    "apim",
    "ResponseSurface",
    "response_surface",
]
