"""The ordinal route of :class:`~toolkit.factor.cfa.CFA`: lavaan's WLSMV in the delta parameterization.

The engine supplies, for any parameter table with ordered indicators, the model-implied statistics that
lavaan's WLSMV fits and their Jacobian: per group the thresholds (item by item) and the polychoric
correlations below the diagonal, column by column; the residual variances of the ordered items are
1 - diag(Lambda A Psi A' Lambda') (so the implied matrix is a correlation matrix) and are not parameters.
:func:`~toolkit.factor.cfa.ordinal.ordinal_statistics` gives the sample side and
:func:`~toolkit.factor.cfa.wls.fit_wls` the fit (DWLS estimates, robust standard errors, the
scaled-shifted test and lavaan's fit measures).

Scope: every indicator ordered; groups with equal loadings and thresholds, residual covariances, regressions
among factors. With thresholds equal across groups the scale factors (``~*~``, lavaan's delta parameters) are
free in the later groups (lavaan 0.6-14's rule), or wherever the syntax frees them (``u ~*~ NA*u``): there the
fitted correlations are ``D Sigma D`` and the thresholds ``delta (tau - mu)``
(:meth:`~toolkit.factor.cfa.matrices.LisrelModel.implied`).
"""

from __future__ import annotations

import numpy as np

from ...exceptions import InvalidParameterError, ModelSpecificationError
from .matrices import LisrelModel

__all__ = ["DeltaModel"]


class DeltaModel:
    """``implied(x)`` and ``jacobian(x)`` of a parameter table in lavaan's WLS order, for ``fit_wls``."""

    def __init__(self, model: LisrelModel, base: np.ndarray, free_rows: np.ndarray, samples: list):
        self.model = model
        self.base = base
        self.free_rows = free_rows
        p = model.p
        self.a, self.b = np.triu_indices(p, 1)      # pairs (a < b); lavaan's element is Sigma[b, a]
        self.th_order = []
        for s in samples:
            if list(s.items) != list(model.ov_names):
                raise ModelSpecificationError(f"the ordinal statistics list the items {list(s.items)} but the model "
                                              f"{list(model.ov_names)}")
            pos = {name: k for k, name in enumerate(model.th_names)}
            missing = [n for n in s.threshold_names if n not in pos]
            if missing:
                raise ModelSpecificationError(f"thresholds {missing} of the data are not in the model")
            self.th_order.append(np.array([pos[n] for n in s.threshold_names]))
        G = model.ngroups
        self._rows = [free_rows[model.group[free_rows] == g] for g in range(G)]
        self._cols = [np.flatnonzero(model.group[free_rows] == g) for g in range(G)]

    def values(self, x):
        v = self.base.copy()
        v[self.free_rows] = x
        return v

    def implied(self, x):
        v = self.values(x)
        out = []
        for g in range(self.model.ngroups):
            imp = self.model.implied(v, g)
            out.append(np.concatenate([imp.tau[self.th_order[g]], imp.fitted[self.b, self.a]]))
        return out

    def jacobian(self, x):
        v = self.values(x)
        out = []
        nx = self.free_rows.size
        for g in range(self.model.ngroups):
            imp = self.model.implied(v, g)
            rows, cols = self._rows[g], self._cols[g]
            a, b, _, dtau = self.model.derivatives(imp, rows)
            nth = len(self.th_order[g])
            J = np.zeros((nth + self.a.size, nx))
            if rows.size:
                J[:nth, cols] = dtau[:, self.th_order[g]].T
                J[nth:, cols] = (a[:, self.b] * b[:, self.a] + b[:, self.b] * a[:, self.a]).T
            out.append(J)
        return out


def check_scope(model: LisrelModel, pt) -> None:
    """Refuse what the delta route does not cover, saying what to do."""
    cont = [v for v in model.ov_names if v not in set(model.ordered)]
    if cont:
        raise InvalidParameterError(f"estimator='WLSMV' here needs every indicator ordered; {cont} are not in "
                                    "'ordered'. Declare them ordered, or fit the continuous model with 'ML'/'MLR'.")
