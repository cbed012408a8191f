"""Construct validity of an instrument: confirmatory factor model families built from its definition, and
measurement invariance across groups and across raters of the same dyads.

* :func:`cfa_family` -- one factor, correlated subscales, second-order, bifactor and the alternatives an
  instrument declares, fitted and compared, with compRelSEM omegas;
* :func:`invariance` -- configural, metric, scalar and strict invariance across independent groups;
* :func:`rater_invariance` -- the same across two raters (or occasions) of the same dyads, as one model.

The CFA engine itself (:mod:`toolkit.factor.cfa`) knows no instrument; this package turns an instrument's
keys into lavaan syntax.
"""

from ..factor.cfa.composite import composite_reliability
from .families import CfaFamily, cfa_family, family_models
from .invariance import Invariance, invariance
from .raters import RaterInvariance, rater_invariance

__all__ = ["cfa_family", "CfaFamily", "family_models", "invariance", "Invariance", "rater_invariance",
           "RaterInvariance", "composite_reliability"]
