"""Linear mixed models for session data (alliance -> outcome), fitted with statsmodels and checked as lme4 does.

statsmodels' ``MixedLM`` builds the design and fits first (``method="lbfgs"``). Its optimiser can stop early
or on a worse optimum without saying so (seen when a random-slope variance is small), and its fixed-effect
standard errors come from the joint Hessian, so they differ slightly from lme4's. On top of its fit this module

* evaluates the profiled (REML) deviance in lme4's parametrisation (the relative covariance factor
  :math:`\\Lambda`, ``theta``) from per-client sufficient statistics, and refines the optimum with a bounded
  L-BFGS-B from statsmodels' solution and from lme4's start (``theta`` = identity), keeping the best;
* checks the gradient at the optimum (lme4's scaled-gradient test, ``max|H^{-1} g| < 0.002``) and the boundary
  (lme4's ``isSingular``: a diagonal element of ``theta`` below 1e-4), warning as lme4 does;
* recomputes the fixed-effect covariance as :math:`\\sigma^2 (X^\\top V_0^{-1} X)^{-1}` at the estimates.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .._checks import check_ci, check_choice, warn
from .._estimator import Estimator
from .._results import Result
from ..exceptions import IncompleteRowsWarning, InvalidParameterError, MixedModelWarning

__all__ = ["MixedModel", "MixedModelResult", "mixed_model"]

#: lme4's defaults: check.conv.grad tolerance and isSingular tolerance
GRAD_TOL = 2e-3
SINGULAR_TOL = 1e-4


@dataclass(kw_only=True, repr=False, eq=False)
class MixedModelResult(Result):
    """A fitted linear mixed model (see :class:`MixedModel`).

    Attributes
    ----------
    fixed : DataFrame
        One row per fixed effect (``term``): ``estimate``, ``se`` (from :math:`\\sigma^2(X^\\top V_0^{-1}X)^{-1}`),
        ``z``, ``p`` (two-sided, normal), ``ci_low``, ``ci_high`` (Wald, level ``ci``).
    random : DataFrame
        Variance components: ``group``, ``term``, ``variance``, ``sd`` (the residual last, group "Residual").
    correlations : DataFrame
        Correlations of the random effects (empty with a random intercept only).
    cov_fixed : DataFrame
        Covariance matrix of the fixed effects.
    loglik : float
        (Restricted) log-likelihood at the optimum, as lme4's ``logLik``.
    n_obs, n_groups : int
        Rows used and clients.
    converged, singular : bool
        lme4's two checks (see the module docstring).
    max_gradient : float
        The largest scaled gradient element at the optimum.
    method : str
        ``"REML"`` or ``"ML"``.
    optimizer : str
        Which search gave the optimum.

    title : str
        What was computed on what.
    notes : list of str
        The rule or model and its parameters, missed sessions and short series, and every warning raised.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from toolkit.sessions import mixed_model
    >>> rng = np.random.default_rng(1)
    >>> d = pd.DataFrame({"client_id": np.repeat([f"c{i}" for i in range(30)], 6), "x": rng.normal(size=180)})
    >>> d["y"] = 2 + 0.5 * d["x"] + np.repeat(rng.normal(size=30), 6) + rng.normal(size=180)
    >>> mixed_model(d, "y ~ x", optimizer="bounded").random["term"].tolist()
    ['(Intercept)', '']
    """

    fixed: pd.DataFrame
    random: pd.DataFrame = field(default_factory=pd.DataFrame)
    correlations: pd.DataFrame = field(default_factory=pd.DataFrame)
    cov_fixed: pd.DataFrame = field(default_factory=pd.DataFrame)
    loglik: float = float("nan")
    n_obs: int = 0
    n_groups: int = 0
    converged: bool = True
    singular: bool = False
    max_gradient: float = float("nan")
    method: str = "REML"
    optimizer: str = ""
    main = "fixed"

    def _display_tables(self) -> dict:
        out = {"fixed": self.fixed, "random": self.random}
        if len(self.correlations):
            out["correlations"] = self.correlations
        return out


class _Deviance:
    """Profiled deviance of a linear mixed model from per-group sufficient statistics (lme4's formulation).

    With :math:`V_0 = I + Z\\Lambda\\Lambda^\\top Z^\\top` per group and :math:`M_g = I + \\Lambda^\\top Z_g^\\top
    Z_g\\Lambda`: :math:`\\log|V_{0g}| = \\log|M_g|` and :math:`V_0^{-1} = I - Z\\Lambda M^{-1}\\Lambda^\\top
    Z^\\top`, so every quantity needs only :math:`Z^\\top Z`, :math:`Z^\\top X`, :math:`Z^\\top y` per group.
    """

    def __init__(self, X, Z, y, group_codes, n_groups, reml=True):
        self.n, self.p = X.shape
        self.q = Z.shape[1]
        self.reml = reml
        g = group_codes
        self.ZtZ = np.zeros((n_groups, self.q, self.q))
        np.add.at(self.ZtZ, g, Z[:, :, None] * Z[:, None, :])
        self.ZtX = np.zeros((n_groups, self.q, self.p))
        np.add.at(self.ZtX, g, Z[:, :, None] * X[:, None, :])
        self.Zty = np.zeros((n_groups, self.q))
        np.add.at(self.Zty, g, Z * y[:, None])
        self.XtX = X.T @ X
        self.Xty = X.T @ y
        self.yty = float(y @ y)
        self.tril = np.tril_indices(self.q)
        self.ZtXy = np.concatenate([self.ZtX, self.Zty[..., None]], axis=2)
        self.eye = np.eye(self.q)[None]

    def lam(self, theta):
        L = np.zeros((self.q, self.q))
        L[self.tril] = theta
        return L

    def parts(self, theta):
        L = self.lam(theta)
        Wu = np.matmul(L.T, self.ZtXy)  # Lambda' [Z'X | Z'y], per group
        M = self.eye + np.matmul(np.matmul(L.T, self.ZtZ), L)
        C = np.linalg.cholesky(M)
        logdet_M = 2 * np.log(np.diagonal(C, axis1=1, axis2=2)).sum()
        Ss = np.linalg.solve(M, Wu)
        W, u, S, s = Wu[..., :-1], Wu[..., -1], Ss[..., :-1], Ss[..., -1]
        A = self.XtX - np.tensordot(W, S, axes=([0, 1], [0, 1]))
        b = self.Xty - np.tensordot(W, s, axes=([0, 1], [0, 1]))
        yVy = self.yty - float(np.tensordot(u, s, axes=([0, 1], [0, 1])))
        beta = np.linalg.solve(A, b)
        rVr = yVy - b @ beta
        return beta, A, rVr, logdet_M

    def __call__(self, theta):
        """-2 log-likelihood (REML or ML), profiled over beta and sigma^2 (lme4's REMLcrit / deviance)."""
        try:
            beta, A, rVr, logdet_M = self.parts(theta)
        except np.linalg.LinAlgError:
            return np.inf
        if self.reml:
            df = self.n - self.p
            sign, logdet_A = np.linalg.slogdet(A)
            return df * (1 + np.log(2 * np.pi * rVr / df)) + logdet_M + logdet_A
        return self.n * (1 + np.log(2 * np.pi * rVr / self.n)) + logdet_M

    def sigma2(self, theta):
        beta, A, rVr, _ = self.parts(theta)
        return rVr / ((self.n - self.p) if self.reml else self.n)


def _derivs(f, x, lower, h=1e-4):
    """Central-difference gradient and Hessian of f at x (lme4's deriv12, one-sided at a lower bound)."""
    k = len(x)
    g = np.zeros(k)
    H = np.zeros((k, k))
    f0 = f(x)
    steps = np.full(k, h)
    for i in range(k):
        e = np.zeros(k)
        e[i] = steps[i]
        if lower[i] is not None and x[i] - h < lower[i]:
            fp, fpp = f(x + e), f(x + 2 * e)
            g[i] = (-3 * f0 + 4 * fp - fpp) / (2 * h)
            H[i, i] = (f0 - 2 * fp + fpp) / h**2
        else:
            fp, fm = f(x + e), f(x - e)
            g[i] = (fp - fm) / (2 * h)
            H[i, i] = (fp - 2 * f0 + fm) / h**2
    for i in range(k):
        for j in range(i):
            ei, ej = np.zeros(k), np.zeros(k)
            ei[i], ej[j] = h, h
            H[i, j] = H[j, i] = (f(x + ei + ej) - f(x + ei - ej) - f(x - ei + ej) + f(x - ei - ej)) / (4 * h * h)
    return g, H


class MixedModel(Estimator):
    """Linear mixed model with random intercepts (and slopes) per client, REML by default.

    Parameters
    ----------
    formula : str
        Fixed part in formula notation, e.g. ``"ors ~ srs_within + srs_between + session"``.
    groups : str, default "client_id"
        Column of the grouping factor (the client); values are ids (text).
    re_formula : str, optional
        Random part: ``None`` (random intercept, lme4's ``(1 | client)``) or e.g. ``"~session"`` (random
        intercept and slope, ``(1 + session | client)``).
    method : {"REML", "ML"}
    optimizer : {"statsmodels", "bounded"}
        ``"statsmodels"`` (default): statsmodels' ``MixedLM.fit(method="lbfgs")`` first, then the bounded
        refinement (see the module docstring); ``"bounded"``: only the bounded search (faster, same optimum).
    ci : float, default 0.95
        Level of the Wald intervals.

    Attributes
    ----------
    fixed_, random_, correlations_, cov_fixed_ : DataFrame
        As in :class:`MixedModelResult`.
    loglik_, sigma2_ : float
    theta_ : ndarray
        Relative covariance factor (lme4's ``getME(fit, "theta")``, row-wise lower triangle).
    converged_, singular_ : bool
    max_gradient_ : float
    n_obs_, n_groups_ : int
    dropped_rows_ : list
        Index labels of rows left out for a missing value.
    statsmodels_result_ : statsmodels MixedLMResults or None

    Warns
    -----
    MixedModelWarning
        "Model failed to converge" (scaled gradient above 0.002) or "boundary (singular) fit", as lme4.
    IncompleteRowsWarning
        Rows with a missing value in a model variable were left out (lme4's ``na.omit``); the warning names them.

    Notes
    -----
    :math:`y_i = X_i\\beta + Z_i b_i + e_i`, :math:`b_i \\sim N(0, \\sigma^2\\Lambda\\Lambda^\\top)`,
    :math:`e_i \\sim N(0, \\sigma^2 I)`. The REML criterion, profiled over :math:`\\beta` and :math:`\\sigma^2`, is
    :math:`(n - p)(1 + \\log 2\\pi\\hat\\sigma^2) + \\sum_i \\log|V_{0i}| + \\log|X^\\top V_0^{-1} X|`; the fixed
    effects are its GLS solution and their covariance :math:`\\hat\\sigma^2 (X^\\top V_0^{-1} X)^{-1}`. p-values and
    intervals are Wald (normal), as ``confint(fit, method = "Wald")``; lme4 prints no p-values.

    R equivalent: ``lme4::lmer(ors ~ srs_within + srs_between + session + (1 + session | client), REML = TRUE)``.

    References
    ----------
    Bates, D., Mächler, M., Bolker, B., & Walker, S. (2015). Fitting linear mixed-effects models using lme4.
    Journal of Statistical Software, 67(1), 1-48.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from toolkit.sessions import MixedModel
    >>> rng = np.random.default_rng(1)
    >>> d = pd.DataFrame({"client_id": np.repeat([f"c{i}" for i in range(30)], 6), "x": rng.normal(size=180)})
    >>> d["y"] = 2 + 0.5 * d["x"] + np.repeat(rng.normal(size=30), 6) + rng.normal(size=180)
    >>> m = MixedModel("y ~ x", optimizer="bounded").fit(d)  # lme4: 1.904 (0.235), 0.539 (0.082)
    >>> m.fixed_[["estimate", "se"]].round(3)
                 estimate     se
    term
    (Intercept)     1.904  0.235
    x               0.539  0.082
    """

    title = "Linear mixed model"
    _fitted_attr = "fixed_"

    def __init__(self, formula: str = "", groups: str = "client_id", re_formula: str | None = None,
                 method: str = "REML", optimizer: str = "statsmodels", ci: float = 0.95):
        self.formula = formula
        self.groups = groups
        self.re_formula = re_formula
        self.method = method
        self.optimizer = optimizer
        self.ci = ci

    # ------------------------------------------------------------------------------------------------ fit
    def fit(self, data, y=None):
        """Fit to ``data`` (a DataFrame with the formula's columns and ``groups``); returns ``self``."""
        import patsy
        from scipy import optimize, stats
        from statsmodels.regression.mixed_linear_model import MixedLM

        caller = "MixedModel.fit"
        method = check_choice(self.method, ("REML", "ML"), param="method", caller="MixedModel", case=False)
        optimizer = check_choice(self.optimizer, ("statsmodels", "bounded"), param="optimizer", caller="MixedModel")
        ci = check_ci(self.ci, caller="MixedModel")
        if not isinstance(self.formula, str) or "~" not in self.formula:
            raise InvalidParameterError(f"The 'formula' parameter of MixedModel must be a formula such as "
                                        f"'ors ~ srs_within + srs_between + session'; got {self.formula!r}.")
        if not isinstance(data, pd.DataFrame):
            raise InvalidParameterError(f"{caller}() needs a pandas DataFrame; got a {type(data).__name__}.")
        if self.groups not in data.columns:
            raise InvalidParameterError(f"The 'groups' parameter of MixedModel names the column {self.groups!r}, which "
                                        f"the data do not have; its columns are {list(data.columns)[:20]}.")
        frame = data.reset_index(drop=True)
        try:
            yy, XX = patsy.dmatrices(self.formula, frame, return_type="dataframe", NA_action="drop")
            ZZ = patsy.dmatrix(self.re_formula, frame, return_type="dataframe", NA_action="drop") \
                if self.re_formula else None
        except patsy.PatsyError as exc:
            raise InvalidParameterError(f"MixedModel could not read its formula against the data: {exc}") from None
        keep = set(XX.index) & (set(ZZ.index) if ZZ is not None else set(frame.index))
        keep &= set(frame.index[frame[self.groups].notna()])
        keep = np.array(sorted(keep), dtype=int)
        dropped = [data.index[i] for i in sorted(set(range(len(frame))) - set(keep))]
        notes = []
        if dropped:
            msg = (f"{len(dropped)} rows with a missing value in a model variable were left out (as lme4's "
                   f"na.omit): rows {dropped[:10]}{' ...' if len(dropped) > 10 else ''}.")
            warn(msg, IncompleteRowsWarning)
            notes.append(msg)
        used = frame.loc[keep].reset_index(drop=True)
        used[self.groups] = used[self.groups].astype(str)
        if used[self.groups].nunique() < 2:
            raise InvalidParameterError(f"{caller}(): the data have fewer than two {self.groups!r} groups with "
                                        "complete rows; a mixed model needs several.")
        md = MixedLM.from_formula(self.formula, used, groups=used[self.groups], re_formula=self.re_formula)
        reml = method == "REML"
        X, Z, yv = np.asarray(md.exog, float), np.asarray(md.exog_re, float), np.asarray(md.endog, float)
        codes, uniq = pd.factorize(used[self.groups], sort=False)
        dev = _Deviance(X, Z, yv, codes, len(uniq), reml=reml)
        q = dev.q
        lower = [0.0 if i == j else None for i, j in zip(*dev.tril)]
        candidates = []
        sm_result = None
        if optimizer == "statsmodels":
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                sm_result = md.fit(reml=reml, method="lbfgs")
            sm_warn = sorted({str(w.message).split(",")[0] for w in caught})
            rel = np.asarray(sm_result.params_object.cov_re, float)
            theta_sm = _chol_theta(rel, dev.tril)
            candidates.append(("statsmodels lbfgs", theta_sm, dev(theta_sm)))
            if sm_warn:
                notes.append("statsmodels said: " + "; ".join(sm_warn) + ".")
        starts = [("lme4 start", np.eye(q)[dev.tril])] + [("from statsmodels", c[1]) for c in candidates]
        for label, th0 in starts:
            res = optimize.minimize(dev, th0, method="L-BFGS-B", bounds=list(zip(lower, [None] * len(lower))),
                                    options={"ftol": 1e-12, "gtol": 1e-7, "maxiter": 2000})
            candidates.append((f"bounded L-BFGS-B ({label})", np.asarray(res.x, float), float(res.fun)))
        best = min(candidates, key=lambda c: c[2])
        theta = _newton_polish(dev, best[1], lower)
        if candidates[0][0] == "statsmodels lbfgs" and candidates[0][2] - best[2] > 1e-6:
            notes.append(f"statsmodels' lbfgs stopped at a worse optimum (deviance {candidates[0][2]:.6f}, "
                         f"{candidates[0][2] - best[2]:.3g} above the best); kept the {best[0]}.")

        # lme4's checks: scaled gradient (parameters at their bound excluded) and singularity
        g, H = _derivs(dev, theta, lower)
        free = np.array([not (lo is not None and theta[i] <= lo + 1e-6 and g[i] > 0) for i, lo in enumerate(lower)])
        try:
            Hf = H[np.ix_(free, free)]
            scaled = np.linalg.solve(np.linalg.cholesky(Hf), g[free]) if free.any() else np.zeros(0)
        except np.linalg.LinAlgError:
            scaled = g[free]
        max_grad = float(np.max(np.abs(scaled))) if len(scaled) else 0.0
        converged = max_grad < GRAD_TOL
        L = dev.lam(theta)
        singular = bool(np.any(np.abs(np.diag(L)) < SINGULAR_TOL))
        if not converged:
            msg = f"Model failed to converge with max|grad| = {max_grad:.4g} (tol = {GRAD_TOL:g}), as lme4 checks."
            warn(msg, MixedModelWarning)
            notes.append(msg)
        if singular:
            names = [self._re_name(n) for n in md.data.exog_re_names]
            small = [names[i] for i in range(q) if abs(L[i, i]) < SINGULAR_TOL]
            msg = (f"boundary (singular) fit: the random-effect variance of {', '.join(small)} (given the others) is "
                   "estimated at 0; see lme4's help('isSingular'). Consider a simpler random part.")
            warn(msg, MixedModelWarning)
            notes.append(msg)

        beta, A, rVr, _ = dev.parts(theta)
        sigma2 = rVr / ((dev.n - dev.p) if reml else dev.n)
        cov = sigma2 * np.linalg.inv(A)
        se = np.sqrt(np.diag(cov))
        names = [self._fe_name(n) for n in md.exog_names]
        zq = stats.norm.ppf((1 + ci) / 2)
        z = beta / se
        fixed = pd.DataFrame({"estimate": beta, "se": se, "z": z, "p": 2 * stats.norm.sf(np.abs(z)),
                              "ci_low": beta - zq * se, "ci_high": beta + zq * se},
                             index=pd.Index(names, name="term"))
        G = sigma2 * L @ L.T
        re_names = [self._re_name(n) for n in md.data.exog_re_names]
        random = pd.DataFrame({"group": [self.groups] * q + ["Residual"], "term": re_names + [""],
                               "variance": list(np.diag(G)) + [sigma2]})
        random["sd"] = np.sqrt(random["variance"])
        if q > 1:
            d = np.sqrt(np.diag(G))
            with np.errstate(invalid="ignore", divide="ignore"):
                corr = G / np.outer(d, d)
            correlations = pd.DataFrame(corr, index=re_names, columns=re_names)
        else:
            correlations = pd.DataFrame()
        loglik = -0.5 * dev(theta)
        notes.insert(0, f"{method} fit of {self.formula}" + (f" with random {self.re_formula}" if self.re_formula
                     else " with a random intercept") + f" per {self.groups!r}; optimum from {best[0]}. SEs from "
                     "sigma^2 (X'V^-1X)^-1 at the estimates (lme4's vcov); Wald z tests and intervals.")
        self.fixed_ = fixed
        self.random_ = random
        self.correlations_ = correlations
        self.cov_fixed_ = pd.DataFrame(cov, index=names, columns=names)
        self.loglik_ = float(loglik)
        self.sigma2_ = float(sigma2)
        self.theta_ = theta
        self.converged_ = bool(converged)
        self.singular_ = singular
        self.max_gradient_ = max_grad
        self.n_obs_ = int(dev.n)
        self.n_groups_ = int(len(uniq))
        self.dropped_rows_ = dropped
        self.optimizer_ = best[0]
        self.statsmodels_result_ = sm_result
        self._fit_notes = notes
        return self

    @staticmethod
    def _fe_name(name: str) -> str:
        return "(Intercept)" if name == "Intercept" else name

    @staticmethod
    def _re_name(name: str) -> str:
        return "(Intercept)" if name in ("Intercept", "Group") else name

    def _make_result(self) -> MixedModelResult:
        return MixedModelResult(
            title=f"Linear mixed model ({self.method}): {self.formula}", notes=list(self._fit_notes),
            fixed=self.fixed_, random=self.random_, correlations=self.correlations_, cov_fixed=self.cov_fixed_,
            loglik=self.loglik_, n_obs=self.n_obs_, n_groups=self.n_groups_, converged=self.converged_,
            singular=self.singular_, max_gradient=self.max_gradient_, method=self.method, optimizer=self.optimizer_)


def _newton_polish(dev, theta, lower, steps: int = 20):
    """A few Newton steps on the central-difference gradient and Hessian (kept only while the deviance falls),
    so the optimum is found to ~1e-8 in theta, closer than a finite-difference L-BFGS-B stops."""
    theta = np.asarray(theta, float).copy()
    f0 = dev(theta)
    for _ in range(steps):
        g, H = _derivs(dev, theta, lower, h=1e-5)
        try:
            step = np.linalg.solve(H, g)
        except np.linalg.LinAlgError:
            break
        new = theta - step
        for i, lo in enumerate(lower):
            if lo is not None and new[i] < lo:
                new[i] = lo
        f1 = dev(new)
        if not f1 < f0:
            break
        theta, f0 = new, f1
        if np.max(np.abs(step)) < 1e-11:
            break
    return theta


def _chol_theta(rel_cov, tril):
    """Relative covariance -> lower Cholesky factor (theta); a singular matrix through its eigen decomposition."""
    try:
        return np.linalg.cholesky(rel_cov)[tril]
    except np.linalg.LinAlgError:
        w, v = np.linalg.eigh(rel_cov)
        root = v @ np.diag(np.sqrt(np.clip(w, 0, None)))
        qr = np.linalg.qr(root.T)[1].T  # lower triangular with root root' = rel_cov
        qr = qr * np.sign(np.where(np.diag(qr) == 0, 1, np.diag(qr)))[None, :]
        return qr[tril]


def mixed_model(data, formula: str, *, groups: str = "client_id", re_formula: str | None = None,
                method: str = "REML", optimizer: str = "statsmodels", ci: float = 0.95) -> MixedModelResult:
    """Fit a :class:`MixedModel` and return its :class:`MixedModelResult` (one call).

    Parameters
    ----------
    data : DataFrame
        The model's columns and ``groups``.
    formula : str
        Fixed part, e.g. ``"ors ~ srs_within + srs_between + session"``.
    groups : str
        Column of the client ids.
    re_formula : str, optional
        Random part beyond the intercept, e.g. ``"~session"``.
    method : {"REML", "ML"}
        Estimation method.
    optimizer : {"statsmodels", "bounded"}
        See :class:`MixedModel`.
    ci : float
        Level of the Wald intervals.

    Returns
    -------
    MixedModelResult
        The fitted model's result.

    Notes
    -----
    As :class:`MixedModel` (REML, lme4's checks, SEs from sigma^2 (X'V0^-1 X)^-1).

    R equivalent: ``lme4::lmer(formula, data, REML = TRUE)``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from toolkit.sessions import mixed_model
    >>> rng = np.random.default_rng(1)
    >>> d = pd.DataFrame({"client_id": np.repeat([f"c{i}" for i in range(30)], 6), "x": rng.normal(size=180)})
    >>> d["y"] = 2 + 0.5 * d["x"] + np.repeat(rng.normal(size=30), 6) + rng.normal(size=180)
    >>> res = mixed_model(d, "y ~ x", optimizer="bounded")
    >>> round(res.loglik, 3), res.converged, res.singular
    (-277.464, True, False)
    """
    return MixedModel(formula, groups=groups, re_formula=re_formula, method=method, optimizer=optimizer,
                      ci=ci).fit(data).result_
