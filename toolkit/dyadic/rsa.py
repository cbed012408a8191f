"""Response surface analysis: does agreement between client and therapist predict the outcome?"""

from __future__ import annotations

import numbers
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pandas as pd

from .._checks import check_ci, numeric_frame, warn
from .._estimator import Estimator
from .._results import Result
from ..exceptions import DataValidationError, IncompleteRowsWarning, InvalidParameterError

__all__ = ["ResponseSurface", "response_surface", "ResponseSurfaceResult"]

_TERMS = ["b0", "b1", "b2", "b3", "b4", "b5"]
_TERM_TEXT = ["intercept", "X", "Y", "X^2", "X*Y", "Y^2"]
# surface parameters as contrasts of b0..b5 (Edwards 1994; Shanock et al. 2010; Schoenbrodt et al. 2018)
_SURFACE = {
    "a1": ([0, 1, 1, 0, 0, 0], "slope of the line of congruence (X = Y)"),
    "a2": ([0, 0, 0, 1, 1, 1], "curvature of the line of congruence"),
    "a3": ([0, 1, -1, 0, 0, 0], "slope of the line of incongruence (X = -Y)"),
    "a4": ([0, 0, 0, 1, -1, 1], "curvature of the line of incongruence"),
    "a5": ([0, 0, 0, 1, 0, -1], "asymmetry of the ridge or trough (b3 - b5)"),
}


@dataclass(kw_only=True, repr=False, eq=False)
class ResponseSurfaceResult(Result):
    """The fit of a :class:`ResponseSurface`.

    Attributes
    ----------
    table : DataFrame
        b0..b5 and a1..a5: ``estimate``, ``se``, ``t``, ``df``, ``p``, ``ci_low``, ``ci_high``, ``meaning``.
    stationary : Series
        Stationary point and principal axes (``X0``, ``Y0``, ``p10``, ``p11``, ``p20``, ``p21``).
    r2, adj_r2, f, f_p, sigma : float
        R^2, adjusted R^2, overall F test and its p, residual SD.
    n, df_resid : int
        Cases used; n - 6.
    center : float
        The value subtracted from X and Y.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(3)
    >>> d = pd.DataFrame({"client": rng.normal(size=50), "therapist": rng.normal(size=50),
    ...                   "outcome": rng.normal(size=50)})
    >>> ResponseSurface(center=0.5).fit(d).result_.center
    0.5
    """

    table: pd.DataFrame = None
    stationary: pd.Series = None
    r2: float = float("nan")
    adj_r2: float = float("nan")
    f: float = float("nan")
    f_p: float = float("nan")
    sigma: float = float("nan")
    n: int = 0
    df_resid: int = 0
    center: float = 0.0


class ResponseSurface(Estimator):
    """Polynomial regression of an outcome on two ratings and the surface parameters a1-a5.

    Parameters
    ----------
    outcome, x, y : str
        Columns: outcome Z and the two predictors (e.g. client's and therapist's alliance on one metric).
    center : None, float or "pooled"
        Subtract this value from X and Y before fitting (Edwards recommends the scale midpoint, e.g. 50 on
        POMP, so that the lines of congruence and incongruence pass through meaningful values). ``None``: no
        centring. ``"pooled"`` centres on the grand mean of X and Y pooled (one value for both, so X = Y keeps
        its meaning).
    ci : float
        Level of the t intervals.

    Attributes
    ----------
    result_ : ResponseSurfaceResult
        The fit as a result: ``summary()``, ``to_frame()``, ``notes_`` and the display come from it.
    coef_ : Series
        b0..b5 (intercept, X, Y, X^2, XY, Y^2).
    cov_ : DataFrame
        Their covariance, s^2 (D'D)^-1.
    surface_ : DataFrame
        a1..a5 with ``estimate``, ``se``, ``t``, ``df``, ``p``, ``ci_low``, ``ci_high``, ``meaning``.
    stationary_ : Series
        Stationary point ``X0``, ``Y0`` and the principal axes ``p10``, ``p11`` (first), ``p20``, ``p21``
        (second), on the centred scale (estimates only).
    r2_, adj_r2_, f_, f_p_, sigma_, n_, df_resid_, center_
        Fit: R^2, adjusted R^2, overall F test, residual SD, cases used, n - 6, the centring value.
    notes_ : list of str
        What a reader must know (cases left out, centring).

    Raises
    ------
    InvalidParameterError
        From :meth:`fit`, for a parameter that is not allowed or columns the data do not have.
    DataValidationError
        From :meth:`fit`, for text in the data (every cell named) or too few complete cases.

    Warns
    -----
    IncompleteRowsWarning
        Rows left out because a value is missing (named).

    See Also
    --------
    APIM : Actor and partner effects of each member's own rating.

    Notes
    -----
    Z = b0 + b1 X + b2 Y + b3 X^2 + b4 XY + b5 Y^2 + e, fitted by OLS. Along X = Y: Z = b0 + a1 X + a2 X^2 with
    a1 = b1 + b2, a2 = b3 + b4 + b5; along X = -Y: Z = b0 + a3 X + a4 X^2 with a3 = b1 - b2,
    a4 = b3 - b4 + b5; a5 = b3 - b5. Each a = c'b has se sqrt(c' Cov(b) c) and a t test with n - 6 df
    (Shanock et al. 2010). Stationary point (Edwards 2002): X0 = (b2 b4 - 2 b1 b5) / (4 b3 b5 - b4^2),
    Y0 = (b1 b4 - 2 b2 b3) / (4 b3 b5 - b4^2); first principal axis slope
    p11 = (b5 - b3 + sqrt((b3 - b5)^2 + b4^2)) / b4, p10 = Y0 - p11 X0; second p21 = (b5 - b3 -
    sqrt((b3 - b5)^2 + b4^2)) / b4, p20 = Y0 - p21 X0. R's RSA package fits the same model with lavaan
    (ML, z tests): its estimates are the same, its SEs smaller by sqrt((n - 6) / n).

    R equivalent: ``lm(z ~ x + y + I(x^2) + I(x*y) + I(y^2))`` and linear combinations of ``vcov``.

    References
    ----------
    Edwards, J. R. (1994). The study of congruence in organizational behavior research. Organizational
    Behavior and Human Decision Processes, 58, 51-100.
    Edwards, J. R. (2002). Alternatives to difference scores: Polynomial regression analysis and response
    surface methodology. In F. Drasgow & N. Schmitt (Eds.), Measuring and analyzing behavior in organizations.
    Shanock, L. R., et al. (2010). Polynomial regression with response surface analysis. Journal of Business
    and Psychology, 25, 543-554.
    Schoenbrodt, F. D., Humberg, S., & Nestler, S. (2018). Testing similarity effects with dyadic response
    surface analysis. European Journal of Personality, 32, 627-641.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> x, y = rng.normal(size=300), rng.normal(size=300)
    >>> data = pd.DataFrame({"client": x, "therapist": y, "outcome": x + y - 0.5 * (x - y) ** 2
    ...                      + rng.normal(scale=0.5, size=300)})
    >>> rs = ResponseSurface("outcome", "client", "therapist").fit(data)
    >>> rs.surface_["estimate"].round(1).tolist()
    [2.1, 0.0, -0.0, -2.0, -0.0]
    """

    title: ClassVar[str] = "Response surface"
    _fitted_attr: ClassVar[str] = "coef_"

    def __init__(self, outcome: str = "outcome", x: str = "client", y: str = "therapist", *, center=None,
                 ci: float = 0.95):
        self.outcome = outcome
        self.x = x
        self.y = y
        self.center = center
        self.ci = ci

    def _design(self, x, y):
        return np.column_stack([np.ones_like(x), x, y, x * x, x * y, y * y])

    def fit(self, data: pd.DataFrame) -> "ResponseSurface":
        """Fit by OLS on the rows with all three values.

        Parameters
        ----------
        data : DataFrame
            The ``outcome``, ``x`` and ``y`` columns.

        Returns
        -------
        ResponseSurface
            The fitted model (``self``).
        """
        from scipy import stats

        if not isinstance(data, pd.DataFrame):
            raise InvalidParameterError(f"The 'data' parameter of ResponseSurface.fit() must be a DataFrame; got a "
                                        f"{type(data).__name__}.")
        ci = check_ci(self.ci, caller="ResponseSurface")
        if not (self.center is None or self.center == "pooled" or (
                isinstance(self.center, numbers.Real) and not isinstance(self.center, bool)
                and np.isfinite(self.center))):
            raise InvalidParameterError(f"The 'center' parameter of ResponseSurface() must be None, a number or "
                                        f"'pooled'; got {self.center!r}.")
        cols = [self.outcome, self.x, self.y]
        absent = [c for c in cols if c not in data.columns]
        if absent:
            raise InvalidParameterError(f"column(s) {absent} not in the data of ResponseSurface.fit() (columns: "
                                        f"{list(data.columns)}); set outcome=, x= and y=")
        d = numeric_frame(data[cols], param="data", caller="ResponseSurface.fit")
        n_all = len(d)
        complete = d.dropna()
        left_out = d.index.difference(complete.index)
        if len(left_out):
            warn(f"{len(left_out)} rows with a missing value left out of the response surface: rows "
                 f"{[str(r) for r in left_out[:10]]}{' ...' if len(left_out) > 10 else ''}", IncompleteRowsWarning)
        d = complete
        if self.center == "pooled":
            c = float(np.concatenate([d[self.x].to_numpy(float), d[self.y].to_numpy(float)]).mean())
        else:
            c = 0.0 if self.center is None else float(self.center)
        x = d[self.x].to_numpy(float) - c
        y = d[self.y].to_numpy(float) - c
        z = d[self.outcome].to_numpy(float)
        n = len(z)
        D = self._design(x, y)
        if n <= 6 or np.linalg.matrix_rank(D) < 6:
            raise DataValidationError(f"the polynomial needs more than 6 complete cases with X and Y varying "
                                      f"independently (got {n} of {n_all} rows, design rank "
                                      f"{np.linalg.matrix_rank(D) if n else 0} of 6)")
        beta, *_ = np.linalg.lstsq(D, z, rcond=None)
        resid = z - D @ beta
        df = n - 6
        s2 = resid @ resid / df
        cov = s2 * np.linalg.inv(D.T @ D)
        q = stats.t.ppf(1 - (1 - ci) / 2, df)
        self.center_ = c
        self.n_ = n
        self.df_resid_ = df
        self.sigma_ = float(np.sqrt(s2))
        self.coef_ = pd.Series(beta, index=_TERMS, name="estimate")
        self.cov_ = pd.DataFrame(cov, index=_TERMS, columns=_TERMS)
        ss_tot = ((z - z.mean()) ** 2).sum()
        self.r2_ = float(1 - resid @ resid / ss_tot)
        self.adj_r2_ = float(1 - (1 - self.r2_) * (n - 1) / df)
        self.f_ = float((self.r2_ / 5) / ((1 - self.r2_) / df))
        self.f_p_ = float(stats.f.sf(self.f_, 5, df))

        def table(vectors, labels):
            C = np.array(vectors, dtype=float)
            est = C @ beta
            se = np.sqrt(np.einsum("ij,jk,ik->i", C, cov, C))
            t = est / se
            return pd.DataFrame({"estimate": est, "se": se, "t": t, "df": df, "p": 2 * stats.t.sf(np.abs(t), df),
                                 "ci_low": est - q * se, "ci_high": est + q * se, "meaning": labels})

        self._coef_table = table(np.eye(6), _TERM_TEXT).set_axis(_TERMS)
        self.surface_ = table([v for v, _ in _SURFACE.values()], [m for _, m in _SURFACE.values()]).set_axis(
            list(_SURFACE))
        b1, b2, b3, b4, b5 = beta[1:]
        den = 4 * b3 * b5 - b4**2
        with np.errstate(divide="ignore", invalid="ignore"):
            x0 = (b2 * b4 - 2 * b1 * b5) / den
            y0 = (b1 * b4 - 2 * b2 * b3) / den
            root = np.sqrt((b3 - b5) ** 2 + b4**2)
            p11 = (b5 - b3 + root) / b4
            p21 = (b5 - b3 - root) / b4
        self.stationary_ = pd.Series({"X0": x0, "Y0": y0, "p10": y0 - p11 * x0, "p11": p11,
                                      "p20": y0 - p21 * x0, "p21": p21}, name="estimate")
        self._notes = [f"OLS on {n} complete cases ({n_all - n} rows with a missing value left out); "
                       f"X and Y centred at {c:g}; t tests with n - 6 = {df} df"]
        return self

    def _make_result(self) -> ResponseSurfaceResult:
        return ResponseSurfaceResult(
            title=f"Response surface: {self.outcome} on {self.x} and {self.y} (n = {self.n_}, R2 = {self.r2_:.3f})",
            notes=list(self._notes), table=pd.concat([self._coef_table, self.surface_]), stationary=self.stationary_,
            r2=self.r2_, adj_r2=self.adj_r2_, f=self.f_, f_p=self.f_p_, sigma=self.sigma_, n=self.n_,
            df_resid=self.df_resid_, center=self.center_)

    def predict(self, x, y) -> np.ndarray:
        """Predicted outcome at ratings x, y.

        Parameters
        ----------
        x, y : array-like
            Ratings on the data's scale (before centring).

        Returns
        -------
        ndarray
            The fitted surface at each (x, y), flattened.
        """
        self._check_fitted("predict()")
        x = np.asarray(x, dtype=float) - self.center_
        y = np.asarray(y, dtype=float) - self.center_
        return self._design(x.ravel(), y.ravel()) @ self.coef_.to_numpy()

    def grid(self, n: int = 25, *, lo=None, hi=None) -> pd.DataFrame:
        """The fitted surface on an n x n grid, for plotting.

        Parameters
        ----------
        n : int
            Points per axis.
        lo, hi : float, optional
            Range of both axes (default the centre -/+ 2).

        Returns
        -------
        DataFrame
            Columns ``x``, ``y``, ``z``.
        """
        self._check_fitted("grid()")
        lo = self.center_ - 2 if lo is None else lo
        hi = self.center_ + 2 if hi is None else hi
        g = np.linspace(lo, hi, n)
        X, Y = np.meshgrid(g, g)
        return pd.DataFrame({"x": X.ravel(), "y": Y.ravel(), "z": self.predict(X, Y)})



def response_surface(data: pd.DataFrame, outcome: str = "outcome", x: str = "client", y: str = "therapist", *,
                     center=None, ci: float = 0.95) -> ResponseSurface:
    """Fit a :class:`ResponseSurface` in one call.

    Parameters
    ----------
    data : DataFrame
        The outcome and the two ratings.
    outcome, x, y : str
        The outcome and the two rating columns.
    center : None, float or "pooled"
        Centring of X and Y, as :class:`ResponseSurface`.
    ci : float
        Confidence level of the t intervals.

    Returns
    -------
    ResponseSurface
        ``ResponseSurface(outcome, x, y, ...).fit(data)``.

    See Also
    --------
    ResponseSurface : The model, its formula and R equivalent.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> d = pd.DataFrame({"client": rng.normal(size=40), "therapist": rng.normal(size=40),
    ...                   "outcome": rng.normal(size=40)})
    >>> response_surface(d).n_
    40
    """
    return ResponseSurface(outcome, x, y, center=center, ci=ci).fit(data)
