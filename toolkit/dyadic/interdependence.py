"""Actor-partner interdependence model (APIM) for distinguishable dyads, fitted by generalised least squares."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pandas as pd

from .._checks import check_choice, check_ci, numeric_frame, warn
from .._estimator import Estimator
from .._results import Result
from ..exceptions import AgreementWarning, DataValidationError, IncompleteRowsWarning, InvalidParameterError

__all__ = ["APIM", "apim", "APIMResult"]

_EFFECTS = ("intercept", "actor", "partner")


@dataclass(kw_only=True, repr=False, eq=False)
class APIMResult(Result):
    """The fit of an :class:`APIM`.

    Attributes
    ----------
    table : DataFrame
        Estimates per (role, effect): ``estimate``, ``se``, ``t``, ``df``, ``p``, ``ci_low``, ``ci_high``.
    variance : DataFrame
        Residual ``sigma`` and ``variance`` per role and their correlation ``rho`` (column ``value``).
    k : Series
        Kenny & Ledermann's k = partner / actor effect, per role.
    method : str
        ``"REML"`` or ``"ML"``.
    loglik : float
        The (restricted) log-likelihood.
    n_obs, n_dyads, df_resid : int
        Members and dyads used; N - 6.
    converged : bool
        Whether the residual covariance converged.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(4)
    >>> x = rng.normal(size=(80, 2))
    >>> data = pd.DataFrame({"dyad_id": np.repeat(np.arange(80), 2), "rater": ["client", "therapist"] * 80,
    ...                      "alliance": x.ravel(), "outcome": rng.normal(size=160)})
    >>> APIM().fit(data).result_.n_dyads
    80
    """

    table: pd.DataFrame = None
    variance: pd.DataFrame = None
    k: pd.Series = None
    method: str = "REML"
    loglik: float = float("nan")
    n_obs: int = 0
    n_dyads: int = 0
    df_resid: int = 0
    converged: bool = True


class APIM(Estimator):
    """Actor-partner interdependence model for distinguishable dyads (client and therapist).

    Each member's outcome is regressed on their own predictor (actor effect) and their partner's (partner
    effect), with an intercept, actor and partner effect per role; the two members' residuals within a dyad
    are correlated and each role has its own residual variance.

    Parameters
    ----------
    outcome, actor : str
        Columns of the person-level data: the outcome and the predictor (the partner's predictor is taken from
        the other member of the dyad).
    dyad, role : str
        Columns naming the dyad and the member's role.
    roles : (str, str)
        The two role values (first is the reference for printing only).
    method : {"REML", "ML"}
        Restricted (nlme's default) or full maximum likelihood for the residual covariance.
    center : {None, "grand", "role"}
        Centre the predictor on its grand mean or on each role's mean before fitting (intercepts then are the
        expected outcome at the mean predictor); default none, as the R formula.
    ci : float
        Level of the t intervals.

    Attributes
    ----------
    result_ : APIMResult
        The fit as a result: ``summary()``, ``to_frame()``, ``notes_`` and the display come from it.
    coef_ : Series
        Estimates indexed by (role, effect).
    cov_ : DataFrame
        Covariance matrix of the estimates.
    variance_ : DataFrame
        Residual ``sigma`` and ``variance`` per role, and their correlation ``rho`` (column ``value``).
    loglik_ : float
        Log-likelihood (restricted when method="REML"), as nlme's ``logLik``.
    n_obs_, n_dyads_, df_resid_ : int
        Persons used, dyads used, N - number of coefficients (degrees of freedom of the t tests).
    converged_ : bool
        Whether the residual covariance converged.
    k_ : Series
        Kenny & Ledermann's (2010) ratio partner / actor per role.
    notes_ : list of str
        What a reader must know (the model, members left out).

    Raises
    ------
    InvalidParameterError
        From :meth:`fit`, for a parameter that is not allowed or columns the data do not have.
    DataValidationError
        From :meth:`fit`, for text in the outcome or predictor (every cell named), roles other than
        ``roles``, repeated members, or too few usable members.

    Warns
    -----
    IncompleteRowsWarning
        Members left out because a value is missing (named).
    AgreementWarning
        When the residual covariance does not converge.

    See Also
    --------
    ResponseSurface : Does agreement itself predict the outcome.

    Notes
    -----
    For person j (role r) of dyad i: y_ij = b0_r + a_r x_ij + p_r x_i(j') + e_ij, with
    Var(e_ij) = sigma_r^2 and Corr(e_i1, e_i2) = rho. The coefficients are the GLS estimates
    (X' V^-1 X)^-1 X' V^-1 y, their covariance (X' V^-1 X)^-1; sigma_client, sigma_therapist and rho maximise
    the (restricted) likelihood (L-BFGS-B on log sigma and atanh rho, started at the per-role OLS residuals).
    Tests are t tests with N - 6 degrees of freedom, as ``summary(gls)``; with method="ML" the covariance of
    the estimates is scaled by N / (N - 6), as nlme does. Members whose outcome, predictor or
    partner's predictor is missing are left out; a dyad with one member left contributes that member alone.
    ``k_`` gives Kenny & Ledermann's (2010) ratio partner / actor per role.

    R equivalent: ``nlme::gls(y ~ 0 + role + role:actor + role:partner, data, correlation = corCompSymm(form =
    ~ 1 | dyad), weights = varIdent(form = ~ 1 | role), method = "REML")``.

    References
    ----------
    Kenny, D. A., Kashy, D. A., & Cook, W. L. (2006). Dyadic data analysis. Guilford (chapter 7).
    Kenny, D. A., & Ledermann, T. (2010). Detecting, measuring, and testing dyadic patterns in the
    actor-partner interdependence model. Journal of Family Psychology, 24, 359-366.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(1)
    >>> n = 500
    >>> x = rng.normal(size=(n, 2))                      # client's and therapist's alliance
    >>> e = rng.multivariate_normal([0, 0], [[1, .3], [.3, 1]], size=n)
    >>> y = np.column_stack([.5 * x[:, 0] + .2 * x[:, 1], .1 * x[:, 0] + .4 * x[:, 1]]) + e
    >>> data = pd.DataFrame({"dyad_id": np.repeat(np.arange(n), 2), "rater": ["client", "therapist"] * n,
    ...                      "alliance": x.ravel(), "outcome": y.ravel()})
    >>> m = APIM(outcome="outcome", actor="alliance").fit(data)
    >>> m.summary()["estimate"].round(2).tolist()
    [-0.05, 0.47, 0.09, -0.05, 0.37, 0.1]
    >>> round(float(m.variance_.loc["rho", "value"]), 2)
    0.29
    """

    title: ClassVar[str] = "APIM"
    _fitted_attr: ClassVar[str] = "coef_"

    def __init__(self, outcome: str = "outcome", actor: str = "alliance", *, dyad: str = "dyad_id",
                 role: str = "rater", roles=("client", "therapist"), method: str = "REML", center=None,
                 ci: float = 0.95):
        self.outcome = outcome
        self.actor = actor
        self.dyad = dyad
        self.role = role
        self.roles = roles
        self.method = method
        self.center = center
        self.ci = ci

    # --- data -----------------------------------------------------------------------------------------------
    def _prepare(self, data: pd.DataFrame):
        if not isinstance(data, pd.DataFrame):
            raise InvalidParameterError(f"The 'data' parameter of APIM.fit() must be a person-level DataFrame; got "
                                        f"a {type(data).__name__}.")
        check_choice(self.method, ("REML", "ML"), param="method", caller="APIM")
        check_choice(self.center, (None, "grand", "role"), param="center", caller="APIM")
        check_ci(self.ci, caller="APIM")
        roles = list(self.roles)
        if isinstance(self.roles, str) or len(roles) != 2 or roles[0] == roles[1]:
            raise InvalidParameterError(f"The 'roles' parameter of APIM() must name two different roles, such as "
                                        f"('client', 'therapist'); got {self.roles!r}.")
        cols = [self.dyad, self.role, self.outcome, self.actor]
        absent = [c for c in cols if c not in data.columns]
        if absent:
            raise InvalidParameterError(f"column(s) {absent} not in the data of APIM.fit() (columns: "
                                        f"{list(data.columns)}); set outcome=, actor=, dyad= and role= to the "
                                        "person-level columns")
        d = data[cols].copy()
        other = d.loc[~d[self.role].isin(roles), self.role]
        if len(other):
            raise DataValidationError(
                f"column {self.role!r} holds {sorted(map(str, other.unique()))} in {len(other)} rows; expected "
                f"only {roles} (distinguishable dyads). Drop or recode those rows, or set roles=.",
                report=d.loc[other.index].reset_index().rename(columns={"index": "row"}))
        dup = d.duplicated([self.dyad, self.role], keep=False)
        if dup.any():
            ids = d.loc[dup, [self.dyad, self.role]].drop_duplicates().head(5).values.tolist()
            raise DataValidationError(
                f"{int(dup.sum())} rows repeat a dyad x role pair (first: {ids}); each dyad needs at most one "
                f"{roles[0]} and one {roles[1]} row", report=d.loc[dup].reset_index().rename(columns={"index": "row"}))
        d[[self.outcome, self.actor]] = numeric_frame(d[[self.outcome, self.actor]], param="data",
                                                      caller="APIM.fit")
        if self.center == "grand":
            d[self.actor] = d[self.actor] - d[self.actor].mean()
        elif self.center == "role":
            d[self.actor] = d[self.actor] - d.groupby(self.role)[self.actor].transform("mean")
        partner_role = d[self.role].map({roles[0]: roles[1], roles[1]: roles[0]})
        lookup = d.set_index([self.dyad, self.role])[self.actor]
        keys = pd.MultiIndex.from_arrays([d[self.dyad], partner_role])
        d["_partner"] = lookup.reindex(keys).to_numpy()
        used = d.dropna(subset=[self.outcome, self.actor, "_partner"])
        left_out = d.index.difference(used.index)
        if len(left_out):
            warn(f"{len(left_out)} members left out of the APIM because the outcome, the predictor or the partner's "
                 f"predictor is missing: rows {[str(r) for r in left_out[:10]]}{' ...' if len(left_out) > 10 else ''}",
                 IncompleteRowsWarning)
        return used, len(left_out)

    # --- fit ------------------------------------------------------------------------------------------------
    def fit(self, data: pd.DataFrame) -> "APIM":
        """Fit the model to person-level data.

        Parameters
        ----------
        data : DataFrame
            One row per member: the ``dyad``, ``role``, ``outcome`` and ``actor`` columns.

        Returns
        -------
        APIM
            The fitted model (``self``).
        """
        from scipy import optimize, stats

        d, dropped = self._prepare(data)
        roles = list(self.roles)
        is_b = (d[self.role] == roles[1]).to_numpy()
        n = len(d)
        if n < 8 or is_b.all() or (~is_b).all():
            raise DataValidationError(f"the APIM needs members of both roles with outcome, predictor and the "
                                      f"partner's predictor; {n} usable rows ({int((~is_b).sum())} {roles[0]}, "
                                      f"{int(is_b.sum())} {roles[1]})")
        x, xp, y = d[self.actor].to_numpy(), d["_partner"].to_numpy(), d[self.outcome].to_numpy()
        X = np.zeros((n, 6))
        a = ~is_b
        X[a, 0], X[a, 2], X[a, 4] = 1, x[a], xp[a]
        X[is_b, 1], X[is_b, 3], X[is_b, 5] = 1, x[is_b], xp[is_b]
        if np.linalg.matrix_rank(X) < 6:
            raise DataValidationError("the design is singular: a role's predictor or its partner's is constant "
                                      "or the two are collinear; the APIM cannot separate actor and partner effects")
        dyads = d[self.dyad].to_numpy()
        codes, uniq = pd.factorize(dyads)
        # pair up members: index of the client-role and therapist-role row in each dyad (or -1)
        ia = np.full(len(uniq), -1)
        ib = np.full(len(uniq), -1)
        ia[codes[a]] = np.flatnonzero(a)
        ib[codes[is_b]] = np.flatnonzero(is_b)
        both = (ia >= 0) & (ib >= 0)
        pa, pb = ia[both], ib[both]
        sa, sb = ia[(ia >= 0) & ~both], ib[(ib >= 0) & ~both]
        p = 6
        reml = self.method == "REML"

        def parts(theta):
            s1, s2, rho = np.exp(theta[0]), np.exp(theta[1]), np.tanh(theta[2])
            v11, v22, v12 = s1 * s1, s2 * s2, rho * s1 * s2
            det = v11 * v22 - v12 * v12
            i11, i22, i12 = v22 / det, v11 / det, -v12 / det
            # W = V^-1 applied blockwise: X'WX, X'Wy, y'Wy
            XA, XB, yA, yB = X[pa], X[pb], y[pa], y[pb]
            XtWX = i11 * XA.T @ XA + i22 * XB.T @ XB + i12 * (XA.T @ XB + XB.T @ XA)
            XtWy = i11 * XA.T @ yA + i22 * XB.T @ yB + i12 * (XA.T @ yB + XB.T @ yA)
            yWy = i11 * yA @ yA + i22 * yB @ yB + 2 * i12 * yA @ yB
            XtWX += X[sa].T @ X[sa] / v11 + X[sb].T @ X[sb] / v22
            XtWy += X[sa].T @ y[sa] / v11 + X[sb].T @ y[sb] / v22
            yWy += y[sa] @ y[sa] / v11 + y[sb] @ y[sb] / v22
            logdet = len(pa) * np.log(det) + len(sa) * np.log(v11) + len(sb) * np.log(v22)
            return XtWX, XtWy, yWy, logdet

        def neg2ll(theta):
            XtWX, XtWy, yWy, logdet = parts(theta)
            try:
                L = np.linalg.cholesky(XtWX)
            except np.linalg.LinAlgError:
                return np.inf
            beta = np.linalg.solve(XtWX, XtWy)
            quad = yWy - XtWy @ beta
            val = logdet + quad
            if reml:
                val += 2 * np.log(np.diag(L)).sum()
            return val

        # start: per-role OLS residual SDs and correlation
        b0 = np.linalg.lstsq(X, y, rcond=None)[0]
        r = y - X @ b0
        s1 = np.sqrt(np.mean(r[a] ** 2))
        s2 = np.sqrt(np.mean(r[is_b] ** 2))
        rho0 = np.corrcoef(r[pa], r[pb])[0, 1] if len(pa) > 2 else 0.0
        start = np.array([np.log(s1), np.log(s2), np.arctanh(np.clip(rho0, -0.95, 0.95))])
        res = optimize.minimize(neg2ll, start, method="L-BFGS-B", options={"ftol": 1e-15, "gtol": 1e-10,
                                                                          "maxiter": 1000})
        res2 = optimize.minimize(neg2ll, res.x, method="L-BFGS-B", options={"ftol": 1e-15, "gtol": 1e-10,
                                                                            "maxiter": 1000})  # restart
        best = res2 if res2.fun <= res.fun else res
        theta = best.x
        # L-BFGS-B may stop with "abnormal termination in line search" at the optimum when the
        # -2 log-likelihood cannot be lowered within float precision: judge convergence by the
        # gradient (central differences on log sigma and atanh rho, in -2LL units) as well
        grad = np.array([(neg2ll(theta + h) - neg2ll(theta - h)) / 2e-5 for h in np.eye(3) * 1e-5])
        self.converged_ = bool(np.isfinite(best.fun) and (res.success or res2.success
                                                          or np.all(np.abs(grad) < 1e-3)))
        XtWX, XtWy, yWy, logdet = parts(theta)
        beta = np.linalg.solve(XtWX, XtWy)
        cov = np.linalg.inv(XtWX)
        s1, s2, rho = float(np.exp(theta[0])), float(np.exp(theta[1])), float(np.tanh(theta[2]))
        nparam = n - p if reml else n
        self.loglik_ = float(-0.5 * (best.fun + nparam * np.log(2 * np.pi)))
        if not reml:  # as nlme's summary.gls: ML covariance of the estimates scaled by N / (N - p)
            cov = cov * n / (n - p)
        idx = pd.MultiIndex.from_tuples([(roles[i % 2], _EFFECTS[i // 2]) for i in range(6)],
                                        names=["role", "effect"])
        order = [0, 2, 4, 1, 3, 5]
        self.coef_ = pd.Series(beta[order], index=idx[order], name="estimate")
        self.cov_ = pd.DataFrame(cov[np.ix_(order, order)], index=idx[order], columns=idx[order])
        self.variance_ = pd.DataFrame({"value": [s1, s2, s1**2, s2**2, rho]},
                                      index=[f"sigma_{roles[0]}", f"sigma_{roles[1]}", f"variance_{roles[0]}",
                                             f"variance_{roles[1]}", "rho"])
        self.n_obs_ = n
        self.n_dyads_ = len(uniq)
        self.df_resid_ = n - p
        se = np.sqrt(np.diag(self.cov_.to_numpy()))
        tval = self.coef_.to_numpy() / se
        q = stats.t.ppf(1 - (1 - self.ci) / 2, self.df_resid_)
        self._table = pd.DataFrame({"estimate": self.coef_.to_numpy(), "se": se, "t": tval, "df": self.df_resid_,
                                    "p": 2 * stats.t.sf(np.abs(tval), self.df_resid_),
                                    "ci_low": self.coef_.to_numpy() - q * se,
                                    "ci_high": self.coef_.to_numpy() + q * se}, index=self.coef_.index)
        self.k_ = pd.Series({r: self.coef_[(r, "partner")] / self.coef_[(r, "actor")] for r in roles}, name="k")
        self._notes = [f"{self.method} GLS, residual variance per role and correlation within dyads "
                       "(nlme::gls with corCompSymm and varIdent); t tests with N - 6 df",
                       f"{n} members of {len(uniq)} dyads ({len(pa)} complete pairs)"]
        if dropped:
            self._notes.append(f"{dropped} members left out: outcome, predictor or the partner's predictor missing")
        if not self.converged_:
            message = "the APIM residual covariance did not converge; estimates may be off"
            self._notes.append(message)
            warn(message, AgreementWarning)
        return self

    def _make_result(self) -> APIMResult:
        return APIMResult(
            title=f"APIM: {self.outcome} on actor and partner {self.actor} ({self.method}, {self.n_dyads_} dyads)",
            notes=list(self._notes), table=self._table, variance=self.variance_, k=self.k_, method=self.method,
            loglik=self.loglik_, n_obs=self.n_obs_, n_dyads=self.n_dyads_, df_resid=self.df_resid_,
            converged=self.converged_)


def apim(data: pd.DataFrame, outcome: str = "outcome", actor: str = "alliance", *, dyad: str = "dyad_id",
         role: str = "rater", roles=("client", "therapist"), method: str = "REML", center=None,
         ci: float = 0.95) -> APIM:
    """Fit an :class:`APIM` in one call.

    Parameters
    ----------
    data : DataFrame
        One row per member: dyad, role, outcome and predictor.
    outcome, actor, dyad, role : str
        Columns, as :class:`APIM`.
    roles : (str, str)
        The two role values.
    method : {"REML", "ML"}
        Restricted or full maximum likelihood.
    center : {None, "grand", "role"}
        Centring of the predictor.
    ci : float
        Confidence level of the t intervals.

    Returns
    -------
    APIM
        ``APIM(outcome, actor, ...).fit(data)``.

    See Also
    --------
    APIM : The model, its formula and R equivalent.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(2)
    >>> x = rng.normal(size=(60, 2))
    >>> data = pd.DataFrame({"dyad_id": np.repeat(np.arange(60), 2), "rater": ["client", "therapist"] * 60,
    ...                      "alliance": x.ravel(), "outcome": (x @ [[.5, .1], [.2, .4]]).ravel()
    ...                      + rng.normal(size=120)})
    >>> apim(data).n_dyads_
    60
    """
    return APIM(outcome, actor, dyad=dyad, role=role, roles=roles, method=method, center=center, ci=ci).fit(data)
