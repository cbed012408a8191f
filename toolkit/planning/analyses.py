"""The analyses a study can be planned for: a small registry.

Each analysis takes one simulated data set (:meth:`Population.draw`) and returns an estimate with its confidence
interval, or, for a test, its statistic and p value; :func:`toolkit.plan` runs it on every replication and sums
up power and precision. Registered here:

``omega``
    McDonald's omega of the total score from the correlated-factors CFA (one factor per subscale), fitted by
    maximum likelihood, with its Wald interval from the expected information (the delta method, as lavaan's
    standard error of a defined parameter ``omega := ...``).
``icc_agreement``
    Absolute agreement of client and therapist totals: ICC(2,1) with its F-based interval (:func:`toolkit.icc`,
    as ``psych::ICC``). Needs two raters per dyad.

and in :mod:`toolkit.planning.model_tests` (tests of a model: ``power`` is the share of replications whose p
value is below ``alpha``):

``cfa_family``
    The chi-square difference of two members of the instrument's CFA family (default one factor against
    correlated factors) and which member a criterion chooses (BIC, AIC or fit cut-offs).
``invariance_metric``, ``invariance_scalar``
    The chi-square difference tests of paired client-therapist invariance (:func:`toolkit.rater_invariance`):
    equal loadings against the configural model, equal intercepts against equal loadings.

Adding one is one function decorated with :func:`analysis`; it receives the data, the population, the confidence
level, the state prepared once per plan and its options (``plan(..., options={name: {...}})``), and returns
``{"estimate", "ci_low", "ci_high", "converged"}`` (and may add ``"p"``, and ``"choice"``: a label whose shares
per sample size :func:`toolkit.plan` reports).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

__all__ = ["analysis", "ANALYSES", "Analysis", "omega_wald"]


@dataclass(frozen=True)
class Analysis:
    """A registered analysis: its ``name``, the ``raters`` its data need, what it ``estimates``, ``run``, whether
    it is a ``test`` (power from its p value), its ``options`` (names and defaults) and ``check`` (validates the
    options given to a plan)."""

    name: str
    raters: int
    estimates: str
    run: Callable
    test: bool = False
    options: dict = field(default_factory=dict)
    check: Callable | None = None


#: name -> Analysis
ANALYSES: dict[str, Analysis] = {}


def analysis(name: str, *, raters: int = 1, estimates: str = "", test: bool = False, options=None, check=None):
    """Register ``run(data, population, ci, state, options) -> dict`` as the analysis ``name`` (see the module).

    Parameters
    ----------
    name : str
        The analysis' name in ``toolkit.plan(..., analyses=[name])``.
    raters : {1, 2}
        Whether the data need a second rater per dyad.
    estimates : str
        What the estimate is (shown in the plan's table).
    test : bool
        A test: its ``p`` gives the power (share below ``alpha``); it has no interval and no population value.
    options : mapping, optional
        The options the analysis takes and their defaults.
    check : callable, optional
        ``check(options, population) -> options``: validates the options of a plan (with the defaults filled
        in) before any replication runs, and may add what every replication needs (e.g. the model syntax).

    Returns
    -------
    callable
        The decorator.
    """

    def register(run):
        ANALYSES[name] = Analysis(name=name, raters=raters, estimates=estimates, run=run, test=test,
                                  options=dict(options or {}), check=check)
        return run

    return register


def _sigma(x, p, m, factor_of, iu):
    lam = np.zeros((p, m))
    lam[np.arange(p), factor_of] = x[:p]
    phi = np.eye(m)
    phi[iu] = x[2 * p:]
    phi[(iu[1], iu[0])] = x[2 * p:]
    return lam, x[p:2 * p], phi


def omega_wald(X: np.ndarray, groups, *, ci: float = 0.95, start=None) -> dict:
    """Omega of the total score of a correlated-factors CFA and its Wald (delta-method) interval.

    Parameters
    ----------
    X : ndarray, shape (n, p)
        Complete, keyed item responses.
    groups : list of arrays
        Item positions of each factor.
    ci : float
        Confidence level.
    start : ndarray, optional
        Starting values (e.g. the population's fit) for :func:`toolkit.factor.congeneric.fit_congeneric`.

    Returns
    -------
    dict
        ``estimate``, ``se``, ``ci_low``, ``ci_high``, ``converged``, ``x`` (the parameter vector).

    Notes
    -----
    omega = 1'Lambda Phi Lambda'1 / (1'Lambda Phi Lambda'1 + sum(theta)), the share of the total score's
    model-implied variance due to the factors (factor variances fixed to 1). Its variance is g' I^-1 g with g
    its gradient in the parameters and I = (N/2) [tr(Sigma^-1 D_k Sigma^-1 D_l)] the expected information of the
    ML fit (D_k = dSigma/dtheta_k, by central differences, exact here since Sigma is at most quadratic in each
    parameter); the interval is omega -/+ z se.

    R equivalent: ``lavaan::cfa(model, data, std.lv = TRUE)`` with ``omega := (...)^2 / ((...)^2 + ...)`` defined
    in the model syntax, and ``parameterEstimates(fit)`` for its SE and interval.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(1)
    >>> f = rng.standard_normal((500, 1))
    >>> X = f @ np.full((1, 4), 0.7) + 0.7 * rng.standard_normal((500, 4))
    >>> res = omega_wald(X, [np.arange(4)])
    >>> round(res["estimate"], 3), bool(res["ci_low"] < res["estimate"] < res["ci_high"])
    (0.78, True)
    """
    from scipy.stats import norm

    from ..factor.congeneric import fit_congeneric

    n, p = X.shape
    m = len(groups)
    factor_of = np.empty(p, dtype=int)
    for f, g in enumerate(groups):
        factor_of[np.asarray(g)] = f
    iu = np.triu_indices(m, 1)
    S = np.cov(X, rowvar=False, ddof=0)
    fit = fit_congeneric(S, groups, tol=1e-10, start=start, polish=False)
    if not fit["converged"]:  # Newton steps after L-BFGS-B (slower; rarely needed)
        fit = fit_congeneric(S, groups, start=fit["x"])
    x = fit["x"]

    def omega(v):
        lam, theta, phi = _sigma(v, p, m, factor_of, iu)
        num = (lam @ phi @ lam.T).sum()
        return num / (num + theta.sum())

    def sigma(v):
        lam, theta, phi = _sigma(v, p, m, factor_of, iu)
        return lam @ phi @ lam.T + np.diag(theta)

    h = 1e-5
    q = x.size
    D = np.empty((q, p, p))
    g = np.empty(q)
    for k in range(q):
        e = np.zeros(q)
        e[k] = h
        D[k] = (sigma(x + e) - sigma(x - e)) / (2 * h)
        g[k] = (omega(x + e) - omega(x - e)) / (2 * h)
    inv = np.linalg.inv(sigma(x))
    A = np.einsum("ij,kjl->kil", inv, D)  # Sigma^-1 D_k
    info = 0.5 * n * np.einsum("kij,lji->kl", A, A)
    try:
        se = float(np.sqrt(g @ np.linalg.solve(info, g)))
    except np.linalg.LinAlgError:
        se = float("nan")
    est = float(omega(x))
    z = norm.ppf(0.5 + ci / 2)
    return {"estimate": est, "se": se, "ci_low": float(est - z * se), "ci_high": float(est + z * se),
            "converged": bool(fit["converged"]), "x": x}


@analysis("omega", estimates="omega of the total score (correlated-factors CFA, ML) with its Wald interval")
def _omega(data: pd.DataFrame, population, ci: float, state: dict, options: dict) -> dict:
    keyed = _keyed(data, population)
    groups = [np.flatnonzero(population.factor_of == f) for f in range(len(population.factors))]
    res = omega_wald(keyed, groups, ci=ci, start=state.get("omega_start"))
    return {k: res[k] for k in ("estimate", "ci_low", "ci_high", "converged")}


def _keyed(data: pd.DataFrame, population) -> np.ndarray:
    x = data[population.columns].to_numpy(dtype=float, copy=True)
    rev = population.reversed
    x[:, rev] = population.scale.min + population.scale.max - x[:, rev]
    return x


@analysis("icc_agreement", raters=2,
          estimates="ICC(2,1): absolute agreement of client and therapist totals, F-based interval")
def _icc_agreement(data: pd.DataFrame, population, ci: float, state: dict, options: dict) -> dict:
    from ..reliability_stats import icc
    from ..scoring import score

    # both raters' answers are drawn on the population's own form and scale (the second rater is simulated
    # answering it), so each rater's rows are scored with that form on their own
    def totals(rater: str) -> np.ndarray:
        rows = data.loc[data["rater"] == rater].drop(columns="rater")
        scored = score(rows, population.instrument, form=population.form, id_cols=["dyad_id"])
        main = "total" if "total" in scored.columns else population.instrument.score_names[0]
        return scored[main].to_numpy()

    wide = pd.DataFrame({"client": totals("client"), "therapist": totals("therapist")})
    row = icc(wide, ci=ci).table.loc["ICC2"]
    return {"estimate": float(row["icc"]), "ci_low": float(row["ci_low"]), "ci_high": float(row["ci_high"]),
            "converged": True}


def prepare_state(names, population, reference: pd.DataFrame) -> dict:
    """What every replication of the analyses may reuse, from the large reference draw (starting values), and
    the steps of the paired invariance model the requested invariance analyses need (fitted once per
    replication and shared)."""
    state = {}
    steps = {"invariance_metric": ("configural", "metric"), "invariance_scalar": ("metric", "scalar")}
    needed = {s for a in names for s in steps.get(a, ())}
    if needed:
        state["rater_steps"] = tuple(s for s in ("configural", "metric", "scalar") if s in needed)
    if "omega" in names:
        groups = [np.flatnonzero(population.factor_of == f) for f in range(len(population.factors))]
        state["omega_start"] = omega_wald(_keyed(reference, population), groups)["x"]
    return state
