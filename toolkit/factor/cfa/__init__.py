"""Confirmatory factor analysis and structural equation models that match lavaan, in numpy/scipy.

Small modules, one job each:

* :mod:`~toolkit.factor.cfa.syntax` -- lavaan model syntax into statements (:mod:`.expressions` for
  ``==`` and ``:=``);
* :mod:`~toolkit.factor.cfa.partable` -- the parameter table with lavaan's automatic rules;
* :mod:`~toolkit.factor.cfa.matrices` -- model matrices, implied moments and their derivatives;
* :mod:`~toolkit.factor.cfa.samplestats`, :mod:`.objective`, :mod:`.optimizer`, :mod:`.constraints` --
  data, discrepancy functions (ML, FIML), minimisation, equality constraints;
* :mod:`~toolkit.factor.cfa.inference`, :mod:`.fit_measures`, :mod:`.standardized`, :mod:`.modindices` --
  standard errors and tests, ``fitMeasures``, standardized solutions, modification indices;
* :mod:`~toolkit.factor.cfa.comparison` -- chi-square difference tests (``lavTestLRT``);
* :mod:`~toolkit.factor.cfa.composite` -- omega from the fitted model (``semTools::compRelSEM``);
* :mod:`~toolkit.factor.cfa.ordinal`, :mod:`.wls` -- the ordinal route (thresholds, polychorics, their
  asymptotic covariance; the (D)WLS fit with robust SEs and the scaled-shifted test: lavaan's WLSMV);
* :mod:`~toolkit.factor.cfa.diagram` -- a path diagram (matplotlib);
* :mod:`~toolkit.factor.cfa.model` -- :class:`CFA` and :func:`cfa`.
"""

from .comparison import compare_models
from .composite import composite_reliability
from .diagram import path_diagram
from .model import CFA, cfa
from .partable import parameter_table
from .syntax import parse_syntax

__all__ = ["CFA", "cfa", "compare_models", "composite_reliability", "parameter_table", "parse_syntax",
           "path_diagram"]
