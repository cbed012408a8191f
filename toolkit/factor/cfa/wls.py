"""Weighted least squares fit of a moment structure, as lavaan's DWLS/WLS/ULS: lavaan's ``"WLSMV"``.

Given sample statistics ``s`` (per group), their asymptotic covariance ``Gamma``, a weight matrix ``W`` and a
model (``sigma(theta)`` and its Jacobian), :func:`fit_wls` returns what lavaan 0.6-14 reports for
``cfa(..., ordered = TRUE, estimator = "WLSMV")``: the DWLS estimates, robust standard errors
(``se = "robust.sem"``), the DWLS chi-square and the mean-and-variance adjusted ("scaled-shifted") test,
the independence (baseline) model, and every line of ``fitMeasures()`` for that estimator, including the
robust CFI/TLI/RMSEA that lavaan 0.6-14 computes for categorical data (Savalei, 2021).

The interface for the CFA engine
--------------------------------
``samples``
    One object per group, in group order, with

    * ``wls_obs``: 1-D array ``s_g`` of length ``k_g`` (for ordered items: thresholds item by item, then
      the polychoric correlations below the diagonal column by column -- lavaan's order);
    * ``gamma``: ``k_g x k_g`` array, lavaan's NACOV (N_g times the asymptotic covariance of ``s_g``);
    * ``weight``: the DWLS weights, a 1-D array of length ``k_g`` (1/diag(Gamma)); a 2-D array is a full
      weight matrix (lavaan's ``"WLS"``);
    * ``n_obs``: N_g;
    * for ordered items (an :class:`~toolkit.factor.cfa.ordinal.OrdinalSample` has them):
      ``n_thresholds`` (the first ``n_thresholds`` elements of ``s_g`` are thresholds) and ``n_items``
      (the rest are the ``n_items * (n_items - 1) / 2`` correlations). They switch on lavaan's
      independence model for ordinal data (thresholds free, correlations zero), the robust CFI/TLI/RMSEA
      and the SRMR family; ``names`` (labels of the elements of ``s_g``) is used for the residual table.
      :func:`toolkit.factor.cfa.ordinal.ordinal_statistics` returns these in ``.samples``.

``implied(theta)``
    The model-implied statistics: a list (one 1-D array per group, same order and length as ``wls_obs``;
    a single array is accepted for one group). For ordered items in lavaan's delta parameterization:
    the model thresholds and the off-diagonal elements of the implied correlation matrix.

``jacobian(theta)``
    ``d sigma_g / d theta'``: a list of ``k_g x q`` arrays (lavaan's ``Delta``, ``lavInspect(fit,
    "delta")``), evaluated at ``theta``.

``theta``
    The vector of the ``q`` free parameters, in any order the engine likes (lavaan's is the parameter
    table's ``free`` numbering). Every free parameter appears once, including parameters tied to another
    by an equality constraint (lavaan numbers them separately and adds ``==`` rows). Fixed parameters
    (marker loadings, fixed variances, scale factors fixed to 1) are not in ``theta``: they live in the
    engine's ``implied``/``jacobian`` closures.

``constraints``, ``constraint_rhs``
    Linear equality constraints ``H theta = b`` (``r x q`` matrix ``H``, ``b`` zero by default): an
    equality by label ``a == b`` is the row ``e_a - e_b``. They are imposed exactly (the fit runs in the
    null space of ``H``); ``df`` gains ``rank(H)`` and the standard errors use lavaan's augmented inverse
    of the information (``K (K' E K)^-1 K'``, ``K`` a basis of the null space of ``H``). ``start`` need
    not satisfy them (it is projected).

``start``
    Starting values for ``theta`` (length ``q``).

What comes back: a :class:`WLSFit` with ``estimates`` (and ``se``, ``vcov`` of the ``q`` free parameters,
tied parameters repeated, in the engine's order), ``parameters`` (a table with z, p and CI),
``tests`` (``standard`` and ``scaled.shifted`` rows with lavaan's ``stat``, ``df``, ``pvalue``,
``scaling.factor``, ``shift.parameter``, ``trace.UGamma`` and ``trace.UGamma2``), ``baseline_tests`` (the
same for the independence model), ``fit_measures`` (a Series named and ordered as lavaan's
``fitMeasures(fit)``; lines lavaan reports as NA are left out and named in the notes), ``implied`` and
``residuals`` per group, ``fmin``, ``converged``, and the pieces a chi-square difference test or
modification indices need: ``delta`` (the Jacobians at the estimates), ``information`` (E),
``information_inverse`` (the constrained inverse) and ``null_space`` (K).

A typical engine call, for a parameter table already turned into the two closures::

    stats = ordinal_statistics(data[observed_names], group=group, missing="listwise")
    fit = fit_wls(stats.samples, implied, jacobian, start, constraints=H, names=labels)
    fit.parameters, fit.fit_measures["cfi.robust"], fit.tests.loc["scaled.shifted", "stat"]

Not done here (the engine's part): building ``implied``/``jacobian`` from a parameter table (including
the delta parameterization's scale factors in multiple groups), standardized solutions, warning about
negative residual variances (1 - diag(Lambda Psi Lambda') in the delta parameterization), chi-square
difference tests (lavTestLRT), modification indices.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..._checks import check_choice, check_ci, check_count, warn
from ..._numerics import with_single_thread_blas
from ..._results import Result
from ...exceptions import FactorConvergenceWarning, InvalidParameterError, NotPositiveDefiniteWarning

__all__ = ["fit_wls", "WLSFit"]

ESTIMATORS = ("DWLS", "WLS", "ULS")


# ------------------------------------------------------------------------------------- result
@dataclass(kw_only=True, repr=False, eq=False)
class WLSFit(Result):
    """A (D)WLS fit with robust standard errors, the scaled-shifted test and lavaan's fit measures.

    Attributes
    ----------
    parameters : DataFrame
        One row per free parameter: ``name``, ``est``, ``se``, ``z``, ``pvalue``, ``ci_lower``, ``ci_upper``
        (lavaan's ``parameterEstimates()`` columns for the free parameters).
    fit_measures : Series
        lavaan's ``fitMeasures(fit)`` for this estimator, under lavaan's names.
    tests : DataFrame
        One row per test (``standard``, ``scaled.shifted``): ``stat``, ``df``, ``pvalue``,
        ``scaling.factor``, ``shift.parameter``, ``trace.UGamma``, ``trace.UGamma2``.
    baseline_tests : DataFrame
        The same for the independence (baseline) model (empty when there is none).
    residuals : DataFrame
        Per group, sample minus implied statistic (``group``, ``name``, ``observed``, ``implied``,
        ``residual``).
    estimates, se : ndarray
        Estimates and robust standard errors of the ``q`` free parameters (the engine's order).
    vcov : ndarray
        Their covariance matrix (``lavInspect(fit, "vcov")``).
    implied : list of ndarray
        sigma_g at the estimates, per group.
    delta : list of ndarray
        The Jacobians at the estimates, per group.
    information : ndarray
        Unit expected information E = sum_g (N_g/N) Delta_g' W_g Delta_g.
    information_inverse : ndarray
        lavaan's constrained inverse K (K' E K)^-1 K'.
    null_space : ndarray
        K, a basis of the null space of the constraints (the identity without constraints).
    fmin : float
        lavaan's ``fmin``: sum_g (N_g/N) (1/2) ((N_g-1)/N_g) (s_g - sigma_g)' W_g (s_g - sigma_g).
    converged : bool
        Whether the Gauss-Newton iterations met their criterion.
    iterations : int
        Gauss-Newton iterations used.
    estimator : str
        ``"DWLS"``, ``"WLS"`` or ``"ULS"``.
    """

    parameters: pd.DataFrame = None
    fit_measures: pd.Series = None
    tests: pd.DataFrame = None
    baseline_tests: pd.DataFrame = None
    residuals: pd.DataFrame = None
    estimates: np.ndarray = None
    se: np.ndarray = None
    vcov: np.ndarray = None
    implied: list = field(default_factory=list)
    delta: list = field(default_factory=list)
    information: np.ndarray = None
    information_inverse: np.ndarray = None
    null_space: np.ndarray = None
    fmin: float = float("nan")
    converged: bool = False
    iterations: int = 0
    estimator: str = "DWLS"

    main = "parameters"


# ------------------------------------------------------------------------------------- helpers
def _block_diag(blocks):
    """scipy.linalg.block_diag for square blocks (without importing scipy.linalg)."""
    n = sum(b.shape[0] for b in blocks)
    out = np.zeros((n, n))
    i = 0
    for b in blocks:
        k = b.shape[0]
        out[i:i + k, i:i + k] = b
        i += k
    return out


def _chi2_sf(x, df):
    from scipy.special import chdtrc

    return float(chdtrc(df, max(x, 0.0)))


@dataclass
class _Group:
    s: np.ndarray
    gamma: np.ndarray
    w: np.ndarray  # 1-D (diagonal) or 2-D
    n: int
    nth: int | None
    p: int | None
    names: tuple | None
    label: object

    def wmul(self, x):
        """W @ x for a vector or a matrix."""
        if self.w.ndim == 1:
            return self.w[:, None] * x if x.ndim == 2 else self.w * x
        return self.w @ x

    @property
    def wfull(self):
        return np.diag(self.w) if self.w.ndim == 1 else self.w


def _groups(samples, estimator, caller):
    if not isinstance(samples, (list, tuple)):
        samples = [samples]
    if not samples:
        raise InvalidParameterError(f"The 'samples' parameter of {caller}() is empty; pass one sample per group.")
    out = []
    for g, smp in enumerate(samples):
        try:
            s = np.asarray(smp.wls_obs, float)
            gamma = np.asarray(smp.gamma, float)
            n = int(smp.n_obs)
        except AttributeError as err:
            raise InvalidParameterError(
                f"Each sample passed to {caller}() needs wls_obs, gamma, weight and n_obs (as "
                f"ordinal_statistics(...).samples have); sample {g} has no {err.name!r}.") from None
        k = len(s)
        if gamma.shape != (k, k):
            raise InvalidParameterError(f"Sample {g}: gamma is {gamma.shape}, expected ({k}, {k}) like wls_obs.")
        if estimator == "ULS":
            w = np.ones(k)
        elif estimator == "WLS":
            w = np.asarray(smp.full_weight() if hasattr(smp, "full_weight") else np.linalg.inv(gamma), float)
        else:
            w = np.asarray(smp.weight, float)
        nth = getattr(smp, "n_thresholds", None)
        p = getattr(smp, "n_items", None)
        if nth is not None and p is not None and nth + p * (p - 1) // 2 != k:
            nth = p = None
        names = tuple(smp.names) if hasattr(smp, "names") else None
        out.append(_Group(s, gamma, w, n, nth, p, names, getattr(smp, "group", g)))
    return out


def _as_list(x, n_groups, what, caller):
    if isinstance(x, np.ndarray):
        x = [x]
    x = [np.asarray(v, float) for v in x]
    if len(x) != n_groups:
        raise InvalidParameterError(f"{caller}(): {what} returned {len(x)} group(s); the samples have {n_groups}.")
    return x


def _null_space(h, q, rhs, caller):
    """(K, theta particular, rank) for H theta = rhs."""
    if h is None:
        return np.eye(q), None, 0
    h = np.atleast_2d(np.asarray(h, float))
    if h.shape[1] != q:
        raise InvalidParameterError(
            f"The 'constraints' parameter of {caller}() must have one column per free parameter ({q}); "
            f"got shape {h.shape}.")
    u, sv, vt = np.linalg.svd(h)
    tol = max(h.shape) * np.finfo(float).eps * (sv.max() if sv.size else 0.0)
    rank = int((sv > tol).sum())
    k = vt[rank:].T
    b = np.zeros(h.shape[0]) if rhs is None else np.asarray(rhs, float)
    return k, (h, b), rank


# ------------------------------------------------------------------------------------- estimation
def _objective(groups, sig, n_total):
    fx = 0.0
    for gr, sg in zip(groups, sig):
        r = gr.s - sg
        fx += 0.5 * (gr.n - 1) / n_total * float(r @ gr.wmul(r))
    return fx


def _estimate(groups, implied, jacobian, theta0, kmat, max_iter, tol, caller):
    """Gauss-Newton on lavaan's DWLS objective, in the null space of the constraints."""
    n_total = sum(gr.n for gr in groups)
    ng = len(groups)
    theta = theta0.copy()
    sig = _as_list(implied(theta), ng, "implied(theta)", caller)
    fx = _objective(groups, sig, n_total)
    converged = False
    it = 0
    for _ in range(max_iter):
        it += 1
        jac = _as_list(jacobian(theta), ng, "jacobian(theta)", caller)
        a = np.zeros((kmat.shape[1],) * 2)
        g = np.zeros(kmat.shape[1])
        for gr, sg, jg in zip(groups, sig, jac):
            c = (gr.n - 1) / n_total
            jk = jg @ kmat
            wj = gr.wmul(jk)
            a += c * jk.T @ wj
            g += c * wj.T @ (gr.s - sg)
        try:
            step = np.linalg.solve(a, g)
        except np.linalg.LinAlgError:
            step = np.linalg.lstsq(a, g, rcond=None)[0]
        full = kmat @ step
        t = 1.0
        improved = False
        for _ in range(40):
            cand = theta + t * full
            sig_c = _as_list(implied(cand), ng, "implied(theta)", caller)
            fx_c = _objective(groups, sig_c, n_total)
            if np.isfinite(fx_c) and fx_c <= fx + 1e-15 * max(1.0, abs(fx)):
                improved = True
                break
            t *= 0.5
        if not improved:
            converged = bool(np.max(np.abs(g)) < 1e-8)
            break
        small = np.max(np.abs(t * full)) <= tol * (1.0 + np.max(np.abs(theta)))
        theta, sig, fx = cand, sig_c, fx_c
        if small:
            converged = True
            break
    return theta, sig, fx, converged, it


# ------------------------------------------------------------------------------------- inference
def _information(groups, delta, n_total):
    e = 0.0
    for gr, d in zip(groups, delta):
        e = e + gr.n / n_total * d.T @ gr.wmul(d)
    return e


def _constrained_inverse(e, kmat):
    m = kmat.T @ e @ kmat
    try:
        inv = np.linalg.inv(m)
    except np.linalg.LinAlgError:
        inv = np.linalg.pinv(m)
    return kmat @ inv @ kmat.T


def _robust_vcov(groups, delta, e_inv, n_total):
    """lavaan's se = "robust.sem": E^-1 (sum_g f_g Delta' W Gamma W Delta) E^-1 / (N - G)."""
    mid = 0.0
    for gr, d in zip(groups, delta):
        wd = gr.wmul(d)
        mid = mid + gr.n / n_total * wd.T @ gr.gamma @ wd
    nvc = e_inv @ mid @ e_inv
    return (nvc + nvc.T) / 2 / (n_total - len(groups))


def _stacked(groups, delta, n_total, rows=None):
    """V Gamma = bdiag(W_g Gamma_g), V Delta = vstack(f_g W_g Delta_g) and Gamma = bdiag(Gamma_g / f_g) for
    the whole model (optionally only the rows ``rows(group)`` of each group)."""
    vg, vd, gam = [], [], []
    for gr, d in zip(groups, delta):
        f = gr.n / n_total
        idx = slice(None) if rows is None else rows(gr)
        w = gr.w[idx] if gr.w.ndim == 1 else gr.w[idx, idx]
        g = gr.gamma[idx, idx]
        dd = d[idx]
        if w.ndim == 1:
            vg.append(w[:, None] * g)
            vd.append(f * w[:, None] * dd)
        else:
            vg.append(w @ g)
            vd.append(f * w @ dd)
        gam.append(g / f)
    return _block_diag(vg), np.vstack(vd), _block_diag(gam)


def _ugamma_traces(groups, delta, e_inv, n_total):
    """trace(U Gamma) and trace((U Gamma)^2), U = V - V Delta E^-1 Delta' V (lavaan's "original" method,
    all groups at once: V = bdiag(f_g W_g), Gamma = bdiag(Gamma_g / f_g)).

    U Gamma = V Gamma - (V Delta) E^-1 (V Delta)' Gamma is formed from its low-rank part, without U."""
    vgam, vd, gam = _stacked(groups, delta, n_total)
    ug = vgam - (vd @ e_inv) @ (vd.T @ gam)
    return float(np.trace(ug)), float(np.sum(ug * ug.T))


def _tests(groups, sig, delta, e_inv, df, n_total, npar, scaled=True):
    stat_g = np.array([(gr.n - 1) * float((gr.s - sg) @ gr.wmul(gr.s - sg)) for gr, sg in zip(groups, sig)])
    stat_g = np.maximum(stat_g, 0.0)
    stat = float(stat_g.sum())
    standard = {"test": "standard", "stat": stat, "df": df,
                "pvalue": _chi2_sf(stat, df) if df > 0 else np.nan}
    shifted = {"test": "scaled.shifted", "stat": stat, "df": df, "pvalue": np.nan, "scaling.factor": np.nan,
               "shift.parameter": np.nan, "trace.UGamma": np.nan, "trace.UGamma2": np.nan}
    if scaled and df > 0:
        if npar > 0:
            tr, tr2 = _ugamma_traces(groups, delta, e_inv, n_total)
        else:
            gam = _block_diag([gr.gamma * n_total / gr.n for gr in groups])
            tr, tr2 = float(np.trace(gam)), float(np.sum(gam * gam.T))
        a = np.sqrt(df / tr2)
        shift = df - a * tr
        st = stat * a + shift
        shifted.update(stat=float(st), pvalue=_chi2_sf(st, df), **{
            "scaling.factor": float(1 / a), "shift.parameter": float(shift), "trace.UGamma": tr,
            "trace.UGamma2": tr2})
    return standard, shifted, stat_g


# ------------------------------------------------------------------------------------- the fit
@with_single_thread_blas
def fit_wls(samples, implied, jacobian, start, *, constraints=None, constraint_rhs=None,
            estimator: str = "DWLS", test: str | None = None, names=None, ci: float = 0.95,
            baseline: bool = True, max_iter: int = 500, tol: float = 1e-10) -> WLSFit:
    """Fit a moment structure by (diagonally) weighted least squares, as lavaan's WLSMV.

    Parameters
    ----------
    samples : OrdinalSample or list of them (one per group)
        Sample statistics with ``wls_obs``, ``gamma``, ``weight`` and ``n_obs`` (see the module docstring;
        :func:`~toolkit.factor.cfa.ordinal.ordinal_statistics` makes them).
    implied : callable
        ``implied(theta)``: the model-implied statistics, one array per group.
    jacobian : callable
        ``jacobian(theta)``: their derivatives, one ``k_g x q`` array per group.
    start : array_like
        Starting values of the ``q`` free parameters.
    constraints : array_like, optional
        ``r x q`` matrix H of linear equality constraints ``H theta = constraint_rhs`` (zero by default).
    estimator : {"DWLS", "WLS", "ULS"}
        The weight matrix: 1/diag(Gamma) (lavaan's WLSMV), Gamma^-1 (lavaan's WLS), or the identity
        (lavaan's ULSMV).
    test : {"scaled.shifted", "standard"}, optional
        The test reported next to the standard one; by default lavaan's: the scaled-shifted test for DWLS
        and ULS (WLSMV, ULSMV), none for WLS (its standard errors and test need no correction).
    names : sequence of str, optional
        Names of the free parameters (for the table).
    ci : float
        Confidence level of the parameter intervals (lavaan's default 0.95).
    baseline : bool
        Fit lavaan's independence model for ordinal samples (needed for CFI/TLI and friends).
    max_iter : int
        Gauss-Newton iterations allowed.
    tol : float
        Stop when no parameter moves by more than ``tol * (1 + max|theta|)``.

    Returns
    -------
    WLSFit

    Notes
    -----
    Estimates minimise lavaan's
    :math:`F = \\sum_g \\frac{N_g}{N}\\,\\frac12\\,\\frac{N_g-1}{N_g}(s_g-\\sigma_g)'W_g(s_g-\\sigma_g)`
    (Gauss-Newton with step halving). With :math:`f_g = N_g/N`, :math:`\\Delta_g` the Jacobian and
    :math:`E = \\sum_g f_g\\Delta_g'W_g\\Delta_g`, the robust covariance (``se = "robust.sem"``) is
    :math:`E^{-1}(\\sum_g f_g\\Delta_g'W_g\\Gamma_g W_g\\Delta_g)E^{-1}/(N-G)`, with :math:`E^{-1}` the
    constrained inverse :math:`K(K'EK)^{-1}K'` under equality constraints. The test statistic is
    :math:`T = \\sum_g (N_g-1)(s_g-\\sigma_g)'W_g(s_g-\\sigma_g)` on
    :math:`df = \\sum_g k_g - q + \\mathrm{rank}(H)`. The scaled-shifted test (Asparouhov & Muthen, 2010) is
    :math:`aT + b` with :math:`a = \\sqrt{df/\\mathrm{tr}((U\\Gamma)^2)}`, :math:`b = df - a\\,\\mathrm{tr}(U\\Gamma)`,
    :math:`U = V - V\\Delta E^{-1}\\Delta'V`, :math:`V = \\oplus_g f_gW_g`, :math:`\\Gamma = \\oplus_g\\Gamma_g/f_g`;
    lavaan reports :math:`1/a` as the scaling factor.

    Fit measures follow lavaan 0.6-14's definitions with :math:`N' = N - G`. The baseline for ordered
    items is the independence model (thresholds free, correlations zero), fitted and tested the same way.
    CFI :math:`= 1 - \\max(T-df,0)/\\max(T-df, T_0-df_0, 0)`, TLI :math:`= 1 - (T-df)df_0/((T_0-df_0)df)`,
    their ``.scaled`` versions from the scaled-shifted statistics, RMSEA
    :math:`= \\sqrt{G}\\sqrt{\\max(T/(N'df) - 1/N', 0)}` with the 90% interval from the noncentral
    chi-square and the close/not-close p-values for 0.05 and 0.08. The ``.robust`` CFI/TLI/RMSEA are
    Savalei's (2021), as lavaan 0.6-14 computes them: :math:`T_3` is the ML discrepancy of the
    polychoric matrix from the implied correlations at the DWLS estimates (times N), with
    :math:`\\hat c = \\mathrm{tr}(M'VM\\Gamma)/df`, :math:`M = I - \\Delta E^{-1}\\Delta'W` and V the ML
    information of a correlation structure (correlation rows only); the baseline uses
    :math:`-N\\log|R|` and :math:`\\mathrm{tr}(\\Gamma)/df_0`. They are left out, with a note, where lavaan
    gives NA (a polychoric matrix that is not positive definite, constrained thresholds). SRMR is the
    root mean square residual correlation over :math:`p(p+1)/2` (``crmr`` over :math:`p(p-1)/2`; the
    ``rmr``/``srmr_bentler`` versions add the threshold residuals); GFI/AGFI/PGFI use the weight matrix;
    WRMR :math:`= \\sqrt{T/k_1}` counts the first group's statistics only, as lavaan does.

    R equivalent: ``lavaan::cfa(model, data, ordered = TRUE, estimator = "WLSMV")`` with
    ``parameterEstimates()``, ``lavInspect(fit, "test")`` and ``fitMeasures()``.

    References
    ----------
    Muthen, B., du Toit, S. H. C., & Spisic, D. (1997). Robust inference using weighted least squares and
    quadratic estimating equations in latent variable modeling with categorical and continuous outcomes.

    Asparouhov, T., & Muthen, B. (2010). Simple second order chi-square correction. Mplus technical appendix.

    Savalei, V. (2021). Improving fit indices in structural equation modeling with categorical data.
    Multivariate Behavioral Research, 56(3), 390-407.

    Examples
    --------
    A one-factor model for three ordered items, written by hand (delta parameterization: the implied
    correlation of items i and j is lambda_i lambda_j; thresholds are free):

    >>> import numpy as np, pandas as pd
    >>> from toolkit.factor.cfa.ordinal import ordinal_statistics
    >>> from toolkit.factor.cfa.wls import fit_wls
    >>> rng = np.random.default_rng(7)
    >>> f = rng.normal(size=(800, 1))
    >>> z = f @ np.array([[.8, .7, .6, .5]]) + rng.normal(size=(800, 4)) * np.sqrt(1 - np.array([.64, .49, .36, .25]))
    >>> d = pd.DataFrame(np.digitize(z, [-1, 0, 1]) + 1, columns=list("abcd"))
    >>> smp = ordinal_statistics(d).samples[0]
    >>> nth = smp.n_thresholds
    >>> ia, ib = smp.pairs
    >>> def implied(t):
    ...     lam = t[nth:]
    ...     return [np.concatenate([t[:nth], lam[ia] * lam[ib]])]
    >>> def jacobian(t):
    ...     lam = t[nth:]
    ...     d = np.zeros((len(smp.wls_obs), len(t)))
    ...     d[:nth, :nth] = np.eye(nth)
    ...     rows = nth + np.arange(len(ia))
    ...     d[rows, nth + ia] = lam[ib]
    ...     d[rows, nth + ib] = lam[ia]
    ...     return [d]
    >>> fit = fit_wls(smp, implied, jacobian, np.concatenate([smp.thresholds, np.full(4, .5)]))
    >>> fit.estimates[nth:].round(2)
    array([0.77, 0.67, 0.59, 0.47])
    >>> int(fit.fit_measures["df"])
    2
    """
    caller = "fit_wls"
    estimator = check_choice(estimator, ESTIMATORS, param="estimator", caller=caller, case=False,
                             hint="'DWLS' is lavaan's WLSMV, 'WLS' uses the full inverse of Gamma, 'ULS' the "
                                  "identity.")
    if test is None:
        test = "standard" if estimator == "WLS" else "scaled.shifted"
    test = check_choice(test, ("scaled.shifted", "standard"), param="test", caller=caller,
                        hint="'scaled.shifted' is lavaan's WLSMV test (mean-and-variance adjusted); 'standard' "
                             "reports the unscaled statistic only.")
    ci = check_ci(ci, caller=caller)
    max_iter = check_count(max_iter, param="max_iter", caller=caller, minimum=1)
    groups = _groups(samples, estimator, caller)
    n_total = sum(gr.n for gr in groups)
    start = np.asarray(start, float).ravel()
    q = len(start)
    kmat, con, rank = _null_space(constraints, q, constraint_rhs, caller)
    theta0 = start
    if con is not None:
        h, b = con
        theta0 = start - np.linalg.pinv(h) @ (h @ start - b)
    if names is None:
        names = [f"theta{i + 1}" for i in range(q)]
    names = [str(n) for n in names]
    if len(names) != q:
        raise InvalidParameterError(f"The 'names' parameter of {caller}() has {len(names)} names for {q} "
                                    "free parameters.")

    theta, sig, fx, converged, iters = _estimate(groups, implied, jacobian, theta0, kmat, max_iter, tol, caller)
    notes = []
    if not converged:
        msg = (f"The {estimator} fit did not converge in {iters} Gauss-Newton iterations; the estimates, "
               "standard errors and tests are those of the last iterate. Check the model's identification "
               "and starting values, or raise max_iter.")
        warn(msg, FactorConvergenceWarning)
        notes.append(msg)
    delta = _as_list(jacobian(theta), len(groups), "jacobian(theta)", caller)
    e = _information(groups, delta, n_total)
    e_inv = _constrained_inverse(e, kmat)
    vcov = _robust_vcov(groups, delta, e_inv, n_total)
    var = np.diag(vcov).copy()
    if (var < 0).any():
        msg = ("Some robust variances are negative (the information matrix is nearly singular, which usually "
               "means the model is not identified); their standard errors are reported as NaN.")
        warn(msg, FactorConvergenceWarning)
        notes.append(msg)
    se = np.sqrt(np.where(var >= 0, var, np.nan))
    ndat = sum(len(gr.s) for gr in groups)
    df = ndat - q + rank
    npar = q - rank
    scaled = test == "scaled.shifted"
    standard, shifted, stat_g = _tests(groups, sig, delta, e_inv, df, n_total, npar, scaled)
    if estimator == "ULS":
        standard["pvalue"] = np.nan  # lavaan: the ULS statistic has no chi-square reference distribution
        notes.append("The ULS test statistic has no chi-square reference distribution: its p-value is not "
                     "reported (lavaan gives NA); use the scaled-shifted test.")
    tests = pd.DataFrame([standard, shifted] if scaled else [standard]).set_index("test")

    from scipy.special import ndtr, ndtri

    with np.errstate(divide="ignore", invalid="ignore"):
        z = theta / se
    crit = ndtri(1 - (1 - ci) / 2)
    parameters = pd.DataFrame({"name": names, "est": theta, "se": se, "z": z, "pvalue": 2 * ndtr(-np.abs(z)),
                               "ci_lower": theta - crit * se, "ci_upper": theta + crit * se})

    base = None
    if baseline and all(gr.nth is not None for gr in groups):
        base = _independence(groups, max_iter, tol, caller, scaled)
    if base is not None:
        if estimator == "ULS":
            base["standard"]["pvalue"] = np.nan
        baseline_tests = pd.DataFrame([base["standard"], base["shifted"]] if scaled
                                      else [base["standard"]]).set_index("test")
    else:
        baseline_tests = pd.DataFrame()
    residuals = _residual_table(groups, sig)
    fm, fm_warnings, fm_notes = _fit_measures(groups, sig, delta, e_inv, standard, shifted if scaled else None,
                                              base, npar, fx, kmat)
    for n_ in fm_warnings:
        warn(n_, NotPositiveDefiniteWarning)
    notes += fm_warnings + fm_notes
    lavaan_name = {"DWLS": "WLSMV", "ULS": "ULSMV", "WLS": "WLS"}[estimator]
    if estimator == "WLS":
        notes.append("WLS estimates (weight Gamma^-1) with their standard errors E^-1/(N - G), as lavaan "
                     "0.6-14's estimator = 'WLS'" + (" plus the scaled-shifted test." if scaled else "."))
    else:
        notes.append(f"{estimator} estimates with robust standard errors (lavaan's se = 'robust.sem')"
                     + (" and the scaled-shifted test (test = 'scaled.shifted')" if scaled else "")
                     + f", as lavaan 0.6-14's estimator = '{lavaan_name}'.")
    return WLSFit(title=f"{estimator} fit ({len(groups)} group{'s' if len(groups) > 1 else ''}, N = {n_total})",
                  notes=notes, parameters=parameters, fit_measures=fm, tests=tests, baseline_tests=baseline_tests,
                  residuals=residuals, estimates=theta, se=se, vcov=vcov, implied=sig, delta=delta, information=e,
                  information_inverse=e_inv, null_space=kmat, fmin=fx, converged=converged, iterations=iters,
                  estimator=estimator)


def _independence(groups, max_iter, tol, caller, scaled=True):
    """lavaan's baseline for ordered items: thresholds free per group, correlations zero."""
    sizes = [gr.nth for gr in groups]
    offs = np.concatenate([[0], np.cumsum(sizes)])
    q = int(offs[-1])

    def implied(t):
        return [np.concatenate([t[offs[g]:offs[g + 1]], np.zeros(len(gr.s) - gr.nth)])
                for g, gr in enumerate(groups)]

    def jacobian(t):
        out = []
        for g, gr in enumerate(groups):
            d = np.zeros((len(gr.s), q))
            d[np.arange(gr.nth), offs[g] + np.arange(gr.nth)] = 1.0
            out.append(d)
        return out

    start = np.concatenate([gr.s[:gr.nth] for gr in groups])
    theta, sig, fx, _, _ = _estimate(groups, implied, jacobian, start, np.eye(q), max_iter, tol, caller)
    n_total = sum(gr.n for gr in groups)
    delta = jacobian(theta)
    e_inv = _constrained_inverse(_information(groups, delta, n_total), np.eye(q))
    df = sum(len(gr.s) for gr in groups) - q
    standard, shifted, _ = _tests(groups, sig, delta, e_inv, df, n_total, q, scaled)
    return {"standard": standard, "shifted": shifted, "df": df}


def _residual_table(groups, sig):
    rows = []
    for gr, sg in zip(groups, sig):
        names = gr.names or tuple(f"s{i + 1}" for i in range(len(gr.s)))
        for name, o, m in zip(names, gr.s, sg):
            rows.append((gr.label, name, o, m, o - m))
    out = pd.DataFrame(rows, columns=["group", "name", "observed", "implied", "residual"])
    if len(groups) == 1:
        out = out.drop(columns="group")
    return out


# ------------------------------------------------------------------------------------- fit measures
def _cfi(x2, df, x2_0, df_0, c=1.0, c0=1.0):
    if df > 0 and c != 1 and c0 != 1:
        t1 = max(x2 - c * df, 0.0)
        t2 = max(x2 - c * df, x2_0 - c0 * df_0, 0.0)
    else:
        t1 = max(x2 - df, 0.0)
        t2 = max(x2 - df, x2_0 - df_0, 0.0)
    if np.isclose(t1, 0, rtol=0, atol=1.5e-8) and np.isclose(t2, 0, rtol=0, atol=1.5e-8):
        return 1.0
    return 1 - t1 / t2


def _rni(x2, df, x2_0, df_0, c=1.0, c0=1.0):
    if df > 0 and c != 1 and c0 != 1:
        t1, t2 = x2 - c * df, x2_0 - c0 * df_0
    else:
        t1, t2 = x2 - df, x2_0 - df_0
    return np.nan if np.isclose(t2, 0, rtol=0, atol=1.5e-8) else 1 - t1 / t2


def _tli(x2, df, x2_0, df_0, c=1.0, c0=1.0):
    if df > 0 and c != 1 and c0 != 1:
        t1, t2 = (x2 - c * df) * df_0, (x2_0 - c0 * df_0) * df
    else:
        t1, t2 = (x2 - df) * df_0, (x2_0 - df_0) * df
    if df > 0 and abs(t2) > 0:
        return 1 - t1 / t2
    return 1.0


def _rfi(x2, df, x2_0, df_0):
    if df > df_0:
        return np.nan
    if df > 0 and df_0 > 0:
        t1, t2 = x2_0 / df_0 - x2 / df, x2_0 / df_0
        return 1.0 if (t1 < 0 or t2 < 0) else t1 / t2
    return 1.0


def _nfi(x2, df, x2_0, df_0):
    if df > df_0 or np.isclose(x2_0, 0, rtol=0, atol=1.5e-8):
        return np.nan
    return (x2_0 - x2) / x2_0 if df > 0 else 1.0


def _pnfi(x2, df, x2_0, df_0):
    return (df / df_0) * (x2_0 - x2) / x2_0 if (df_0 > 0 and x2_0 > 0) else np.nan


def _ifi(x2, df, x2_0, df_0):
    t1, t2 = x2_0 - x2, x2_0 - df
    if t2 < 0:
        return 1.0
    return np.nan if np.isclose(t2, 0, rtol=0, atol=1.5e-8) else t1 / t2


def _rmsea(x2, df, n, g, c=1.0):
    return float(np.sqrt(max((x2 / n) / df - c / n, 0.0)) * np.sqrt(g)) if df > 0 else 0.0


def _root_decreasing(f, lo, hi):
    """The root of a decreasing function on [lo, hi] (f(lo) >= 0 >= f(hi)) by bisection to machine precision
    (R's uniroot, which lavaan uses, stops at about 1e-4 of the noncentrality: well inside our tolerance)."""
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if mid <= lo or mid >= hi:
            break
        if f(mid) > 0:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


def _rmsea_ci(x2, df, n, g, c=1.0, level=0.90):
    """lavaan's lav_fit_rmsea_ci: the noncentrality bounds found by root search, then RMSEA."""
    from scipy.special import chndtr

    def cdf(lam):  # R's pchisq(x2, df, ncp = lam), 0 for x2 <= 0
        return float(chndtr(max(x2, 0.0), df, max(lam, 0.0)))

    upper_p, lower_p = 1 - (1 - level) / 2, (1 - level) / 2
    failed = []
    if df < 1 or cdf(0) - upper_p < 0:
        lo = 0.0
    elif cdf(x2) - upper_p > 0:  # no sign change on [0, X2]: uniroot fails and lavaan reports NA
        lo = np.nan
        failed.append("lower")
    else:
        lam = _root_decreasing(lambda t: cdf(t) - upper_p, 0.0, x2)
        lo = np.sqrt(c * lam / (n * df)) * np.sqrt(g)
    n_rmsea = max(n, x2 * 4)
    if df < 1 or cdf(n_rmsea) - lower_p > 0 or cdf(0) - lower_p < 0:
        hi = 0.0
    else:
        lam = _root_decreasing(lambda t: cdf(t) - lower_p, 0.0, n_rmsea)
        hi = np.sqrt(c * lam / (n * df)) * np.sqrt(g)
    if failed:
        warn(f"The lower limit of an RMSEA confidence interval could not be found (chi2 {x2:.4g}, df {df}); "
             "it is left out, as lavaan reports NA.", FactorConvergenceWarning)
    return float(lo), float(hi)


def _rmsea_close(x2, df, n, g, c=1.0, h0=0.05, close=True):
    from scipy.special import chndtr

    if df <= 0:
        return np.nan
    ncp = (n * df / c * h0 ** 2) / g
    cdf = chndtr(max(x2, 0.0), df, ncp)
    return float(1 - cdf) if close else float(cdf)


def _cor_matrix(vec, p):
    a, b = np.triu_indices(p, 1)
    m = np.eye(p)
    m[b, a] = vec
    m[a, b] = vec
    return m


def _thresholds_saturated(groups, delta, kmat):
    """Whether the thresholds are saturated: their rows of Delta K have full rank and share no direction
    of the parameter space with the correlation rows (then lavaan's catML refit, which drops the thresholds,
    has the same df as the model; otherwise lavaan 0.6-14 gives NA robust CFI/RMSEA)."""
    k = np.eye(delta[0].shape[1]) if kmat is None else kmat
    th = np.vstack([d[:gr.nth] for gr, d in zip(groups, delta)]) @ k
    co = np.vstack([d[gr.nth:] for gr, d in zip(groups, delta)]) @ k

    def rank(m):
        return int(np.linalg.matrix_rank(m)) if m.size else 0

    r_th = rank(th)
    return r_th == th.shape[0] and rank(np.vstack([th, co])) == r_th + rank(co)


def _catml(groups, sig, delta, e_inv, df, n_total):
    """Ingredients of lavaan 0.6-14's robust CFI/RMSEA for categorical data (lav_fit_catml_dwls):
    the ML discrepancy of the polychoric matrix at the DWLS estimates and Savalei's (2021) scaling."""
    for gr in groups:
        s = _cor_matrix(gr.s[gr.nth:], gr.p)
        if np.linalg.eigvalsh(s).min() < np.sqrt(np.finfo(float).eps):
            return None
    fg = [gr.n / n_total for gr in groups]
    xx3 = xx3_null = 0.0
    vs, ws, gs, ds = [], [], [], []
    for f, gr, sg, d in zip(fg, groups, sig, delta):
        p, nth = gr.p, gr.nth
        s = _cor_matrix(gr.s[nth:], p)
        sigma = _cor_matrix(sg[nth:], p)
        sinv = np.linalg.inv(sigma)
        xx3 += gr.n * (np.linalg.slogdet(sigma)[1] - np.linalg.slogdet(s)[1] + np.trace(s @ sinv) - p)
        xx3_null += gr.n * (-np.linalg.slogdet(s)[1])
        a, b = np.triu_indices(p, 1)
        # ML expected information of a correlation structure: Sinv_ik Sinv_jl + Sinv_il Sinv_jk
        v = sinv[np.ix_(b, b)] * sinv[np.ix_(a, a)] + sinv[np.ix_(b, a)] * sinv[np.ix_(a, b)]
        vs.append(f * v)
        w = gr.wfull[nth:, nth:]
        ws.append(f * w)
        gs.append(gr.gamma[nth:, nth:] / f)
        ds.append(d[nth:])
    v_all, w_all, g_all, d_all = _block_diag(vs), _block_diag(ws), _block_diag(gs), np.vstack(ds)
    # ks = tr(WiU' V WiU Gamma) with WiU = I - Delta E^-1 Delta' W = I - P (P of rank q):
    # = sum((V WiU) * (WiU Gamma)), each factor formed from its low-rank part
    left = d_all @ e_inv
    right = d_all.T @ w_all
    v_wiu = v_all - (v_all @ left) @ right
    wiu_g = g_all - left @ (right @ g_all)
    ks = float(np.sum(v_wiu * wiu_g))
    df3 = df
    c3 = ks / df3
    df3_null = sum(gr.p * (gr.p - 1) // 2 for gr in groups)
    c3_null = float(np.trace(g_all)) / df3_null
    return {"XX3": float(xx3), "df3": df3, "c.hat3": c3, "XX3.scaled": float(xx3) / c3,
            "XX3.null": float(xx3_null), "df3.null": df3_null, "c.hat3.null": c3_null}


def _fit_measures(groups, sig, delta, e_inv, standard, shifted, base, npar, fx, kmat=None, ci_level=0.90,
                  close_h0=0.05, notclose_h0=0.08):
    """lavaan 0.6-14's ``fitMeasures(fit, "all")`` for a (D)WLS fit of ordered items.

    Returns (Series, warnings, notes). ``shifted`` is None when only the standard test is reported (then
    there are no ``.scaled``/``.robust`` lines, as in lavaan). Entries lavaan reports as NA are left out,
    and a note names them.
    """
    from scipy.special import chdtri

    n_total = sum(gr.n for gr in groups)
    ng = len(groups)
    n = n_total - ng  # lavaan's N for every estimator but ML: N - G
    x2, df = standard["stat"], standard["df"]
    scaled = shifted is not None
    warnings_, notes = [], []
    out = {"npar": float(npar), "fmin": fx, "chisq": x2, "df": float(df), "pvalue": standard["pvalue"]}
    if scaled:
        x2s, dfs = shifted["stat"], shifted["df"]
        out.update({"chisq.scaled": x2s, "df.scaled": float(dfs), "pvalue.scaled": shifted["pvalue"],
                    "chisq.scaling.factor": shifted["scaling.factor"]})
    categorical = all(gr.nth is not None for gr in groups)
    cat = None
    if scaled and categorical and df > 0 and not _thresholds_saturated(groups, delta, kmat):
        notes.append("The thresholds are constrained (not one free parameter each), so lavaan 0.6-14's robust "
                     "CFI, TLI and RMSEA (which refit the model without thresholds by ML) are not defined "
                     "(lavaan reports NA); they are left out of fit_measures.")
    elif scaled and categorical and df > 0:
        cat = _catml(groups, sig, delta, e_inv, df, n_total)
        if cat is None:
            warnings_.append("The polychoric matrix is not positive definite, so lavaan's robust CFI, TLI and "
                             "RMSEA (which refit it by ML) are not defined; they are left out of fit_measures.")
    if base is not None:
        b0 = base["standard"]
        x0, df0 = b0["stat"], b0["df"]
        out.update({"baseline.chisq": x0, "baseline.df": float(df0), "baseline.pvalue": b0["pvalue"]})
        if scaled:
            b0s = base["shifted"]
            x0s, df0s = b0s["stat"], b0s["df"]
            out.update({"baseline.chisq.scaled": x0s, "baseline.df.scaled": float(df0s),
                        "baseline.pvalue.scaled": b0s["pvalue"],
                        "baseline.chisq.scaling.factor": b0s["scaling.factor"]})
        out["cfi"] = _cfi(x2, df, x0, df0)
        out["tli"] = _tli(x2, df, x0, df0)
        if scaled:
            out["cfi.scaled"] = _cfi(x2s, dfs, x0s, df0s)
            out["tli.scaled"] = _tli(x2s, dfs, x0s, df0s)
        if cat is not None:
            c, c0 = cat["c.hat3"], cat["c.hat3.null"]
            out["cfi.robust"] = _cfi(cat["XX3"], df, cat["XX3.null"], df0, c, c0)
            out["tli.robust"] = _tli(cat["XX3"], df, cat["XX3.null"], df0, c, c0)
        out.update({"nnfi": _tli(x2, df, x0, df0), "rfi": _rfi(x2, df, x0, df0), "nfi": _nfi(x2, df, x0, df0),
                    "pnfi": _pnfi(x2, df, x0, df0), "ifi": _ifi(x2, df, x0, df0), "rni": _rni(x2, df, x0, df0)})
        if scaled:
            out.update({"nnfi.scaled": _tli(x2s, dfs, x0s, df0s), "rfi.scaled": _rfi(x2s, dfs, x0s, df0s),
                        "nfi.scaled": _nfi(x2s, dfs, x0s, df0s), "pnfi.scaled": _pnfi(x2s, dfs, x0s, df0s),
                        "ifi.scaled": _ifi(x2s, dfs, x0s, df0s), "rni.scaled": _rni(x2s, dfs, x0s, df0s)})
        if cat is not None:
            out["nnfi.robust"] = _tli(cat["XX3"], df, cat["XX3.null"], df0, c, c0)
            out["rni.robust"] = _rni(cat["XX3"], df, cat["XX3.null"], df0, c, c0)
    # RMSEA (lavaan's lav_fit_rmsea_lavobject)
    out["rmsea"] = _rmsea(x2, df, n, ng)
    out["rmsea.ci.lower"], out["rmsea.ci.upper"] = _rmsea_ci(x2, df, n, ng, level=ci_level)
    out["rmsea.ci.level"] = ci_level
    out["rmsea.pvalue"] = _rmsea_close(x2, df, n, ng, h0=close_h0)
    out["rmsea.close.h0"] = close_h0
    out["rmsea.notclose.pvalue"] = _rmsea_close(x2, df, n, ng, h0=notclose_h0, close=False)
    out["rmsea.notclose.h0"] = notclose_h0
    if scaled:
        out["rmsea.scaled"] = _rmsea(x2s, dfs, n, ng)
        out["rmsea.ci.lower.scaled"], out["rmsea.ci.upper.scaled"] = _rmsea_ci(x2s, dfs, n, ng, level=ci_level)
        out["rmsea.pvalue.scaled"] = _rmsea_close(x2s, dfs, n, ng, h0=close_h0)
        out["rmsea.notclose.pvalue.scaled"] = _rmsea_close(x2s, dfs, n, ng, h0=notclose_h0, close=False)
    if cat is not None:
        c3, df3, xx3s = cat["c.hat3"], cat["df3"], cat["XX3.scaled"]
        out["rmsea.robust"] = _rmsea(cat["XX3"], df3, n, ng, c=c3)
        out["rmsea.ci.lower.robust"], out["rmsea.ci.upper.robust"] = _rmsea_ci(xx3s, df3, n, ng, c=c3,
                                                                              level=ci_level)
        out["rmsea.pvalue.robust"] = _rmsea_close(xx3s, df3, n, ng, c=c3, h0=close_h0)
        out["rmsea.notclose.pvalue.robust"] = _rmsea_close(xx3s, df3, n, ng, c=c3, h0=notclose_h0, close=False)
    # residual-based: lavaan's lav_residuals_summary for ordered items (correlations, then thresholds)
    if categorical:
        rmr = {"rmr": 0.0, "rmr_nomean": 0.0, "crmr": 0.0, "crmr_nomean": 0.0}
        for gr, sg in zip(groups, sig):
            f = gr.n / n_total
            r = gr.s - sg
            cor2 = float(np.sum(r[gr.nth:] ** 2))
            th2 = float(np.sum(r[:gr.nth] ** 2))
            pst = gr.p * (gr.p - 1) / 2
            rmr["rmr_nomean"] += f * np.sqrt(cor2 / (pst + gr.p))
            rmr["rmr"] += f * np.sqrt((cor2 + th2) / (pst + gr.p + gr.nth))
            rmr["crmr_nomean"] += f * np.sqrt(cor2 / pst)
            rmr["crmr"] += f * np.sqrt((cor2 + th2) / (pst + gr.nth))
        out.update({"rmr": rmr["rmr"], "rmr_nomean": rmr["rmr_nomean"], "srmr": rmr["rmr_nomean"],
                    "srmr_bentler": rmr["rmr"], "srmr_bentler_nomean": rmr["rmr_nomean"],
                    "crmr": rmr["crmr"], "crmr_nomean": rmr["crmr_nomean"]})
    # other
    for key, alpha in (("cn_05", 0.05), ("cn_01", 0.01)):
        out[key] = np.nan if (df == 0 and x2 < np.finfo(float).eps) else chdtri(df, alpha) / (x2 / n) + 1
    gfi_g = []
    for gr, sg in zip(groups, sig):
        r = gr.s - sg
        gfi_g.append(1 - float(r @ gr.wmul(r)) / float(gr.s @ gr.wmul(gr.s)))
    gfi = float(np.dot([gr.n for gr in groups], gfi_g) / n_total)
    nel = sum(len(gr.s) for gr in groups)
    out["gfi"] = gfi
    out["agfi"] = 1 - (nel / df) * (1 - gfi) if df > 0 else 1.0
    out["pgfi"] = (df / nel) * gfi if nel > 0 else np.nan
    out["mfi"] = float(np.exp(-0.5 * (x2 - df) / n))
    if categorical:
        out["wrmr"] = float(np.sqrt(x2 / len(groups[0].s)))  # lavaan counts the first group's statistics only
    series = pd.Series(out, dtype=float)
    undefined = series.index[~np.isfinite(series.to_numpy())]
    if len(undefined):
        notes.append(f"Not defined for this fit (lavaan reports NA), so left out of fit_measures: "
                     f"{', '.join(undefined)}" + (" (the model is saturated, df = 0)." if df == 0 else "."))
        series = series.drop(undefined)
    return series, warnings_, notes
