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

Agreement with lavaan 0.6-14 (``tests/reference/cfa``): estimates and standard errors to 1e-4 (ML, MLR,
FIML, WLSMV, multiple groups with equality constraints, structural models with defined parameters), every
``fitMeasures()`` line to 1e-3 relative (usually 1e-6), standardized solutions with their delta-method
standard errors, modification indices with EPCs (ML, MLR and WLSMV), ``lavTestLRT`` (plain and
Satorra-Bentler scaled) and semTools' ``compRelSEM``. Where lavaan's optimiser stops early (PoliticalDemocracy:
a gradient of 3e-6) our minimum is lower and the estimates differ by up to 1.2e-4.

Compared with semopy 2.3.11 (the Python peer; measured on HolzingerSwineford1939's three-factor model, where
lavaan and this package agree): chi2, CFI, TLI and NFI agree; RMSEA uses N - 1 (.0923 vs .0921); GFI and AGFI
are computed as NFI (.907 and .861 vs .943 and .894); "LogLik" is the fit function, not the log-likelihood
(0.283 vs -3737.7), so AIC and BIC are not comparable (41.4 vs 7517.5); there is no SRMR and no RMSEA interval;
estimates are up to 1.2e-3 from lavaan's with the default SLSQP solver (1.5e-4 with L-BFGS-B). From PEERS.md,
reproduced on the project's WAI samples: on WAI-36 L-BFGS-B reports success at a gradient of 0.79 (chi2 868 vs
737), a bifactor model silently bounds a variance at 0 (chi2 42.3 vs 34.9), robust standard errors are MLM not
MLR, FIML is slow and off, and there are no equality constraints across groups (no metric or scalar
invariance), no thresholds and no modification indices.
"""

from .comparison import compare_models
from .composite import composite_reliability
from .diagram import path_diagram
from .model import CFA, cfa
from .partable import parameter_table
from .syntax import parse_syntax

__all__ = ["CFA", "cfa", "compare_models", "composite_reliability", "parameter_table", "parse_syntax",
           "path_diagram"]
