"""The result of a fitted confirmatory factor model (:class:`CFAResult`), on the toolkit's result contract."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from ..._results import Result

__all__ = ["CFAResult"]


@dataclass(kw_only=True, repr=False, eq=False)
class CFAResult(Result):
    """Estimates, fit and standardized solution of a confirmatory factor model.

    Attributes
    ----------
    estimates : DataFrame
        ``lhs, op, rhs, [group], label, est, se, z, p, ci_low, ci_high`` (lavaan's ``parameterEstimates``).
    fit : Series
        The key fit measures (chi2, df, p, CFI, TLI, RMSEA with its interval, SRMR, AIC, BIC; the scaled and
        robust versions for MLR/WLSMV).
    fit_measures : Series
        Every ``fitMeasures`` line that applies, named as lavaan names them.
    standardized : DataFrame
        ``std_lv``, ``std_all``, ``std_nox`` and the delta-method inference of ``std_all``.
    r2 : DataFrame
        R-squared of each endogenous variable, per group.
    estimator : str
    n_obs : int
    converged : bool
    """

    estimates: pd.DataFrame = field(default_factory=pd.DataFrame)
    fit: pd.Series = field(default_factory=lambda: pd.Series(dtype=float))
    fit_measures: pd.Series = field(default_factory=lambda: pd.Series(dtype=float))
    standardized: pd.DataFrame = field(default_factory=pd.DataFrame)
    r2: pd.DataFrame = field(default_factory=pd.DataFrame)
    estimator: str = "ML"
    n_obs: int = 0
    converged: bool = True

    main = "estimates"

    def _display_tables(self) -> dict:
        return {"estimates": self.estimates, "fit": self.fit.to_frame("value"), "r2": self.r2}
