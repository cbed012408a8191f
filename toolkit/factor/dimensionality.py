"""How many factors? Parallel analysis (psych::fa.parallel), Velicer's MAP (psych::VSS) and scree data."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pandas as pd

from .._checks import check_bool, check_choice, check_count, check_missing, check_number, check_seed, warn
from .._numerics import corr_from_cross_products, corr_from_pair_sums, row_blocks, single_thread_blas
from .._numerics import pairwise_corr as _pairwise_corr
from .._results import Result
from ._data import as_item_frame
from ._fa import fa_core
from .extraction import extract
from .correlation import correlation_input, require_complete
from .extraction import METHODS

__all__ = ["parallel_analysis", "ParallelAnalysis", "velicer_map", "VelicerMAP", "scree"]


def _batched_minres_values(rs: np.ndarray, tol: float = 1e-12, max_iter: int = 100) -> np.ndarray:
    """Eigenvalues of R with a one-factor minres communality diagonal, for a stack of matrices.

    psych's ``fa(R, 1, fm="minres")$values``. One-factor minres minimises
    :math:`f(l) = \\sum_{i \\ne j} (r_{ij} - l_i l_j)^2`; this solves it for all matrices at
    once by safeguarded Newton steps (a fixed-point step whenever Newton does not lower f),
    keeping uniquenesses inside psych's bound (:math:`l_i^2 \\le 0.995`).
    """
    m, p, _ = rs.shape
    idx = np.arange(p)
    r0 = rs.copy()
    r0[:, idx, idx] = 0.0
    vals, vecs = np.linalg.eigh(rs)
    lam = vecs[:, :, -1] * np.sqrt(np.maximum(vals[:, -1] - 1, 1e-3))[:, None]
    lam *= np.where(lam.sum(axis=1) < 0, -1.0, 1.0)[:, None]
    cap = np.sqrt(0.995)

    def obj(load):
        res = r0 - load[:, :, None] * load[:, None, :]
        res[:, idx, idx] = 0.0
        return np.einsum("kij,kij->k", res, res)

    f = obj(lam)
    for _ in range(max_iter):
        ss = np.sum(lam * lam, axis=1, keepdims=True) - lam * lam
        rl = np.einsum("kij,kj->ki", r0, lam)
        grad = -4 * (rl - lam * ss)
        hess = -4 * r0 + 8 * lam[:, :, None] * lam[:, None, :]
        hess[:, idx, idx] = 4 * ss
        try:
            step = np.linalg.solve(hess, grad[:, :, None])[:, :, 0]
        except np.linalg.LinAlgError:
            step = np.full_like(lam, np.nan)
        newton = np.clip(lam - step, -cap, cap)
        fixed = np.clip(rl / np.maximum(ss, 1e-12), -cap, cap)
        fn, ff = obj(newton), obj(fixed)
        use_newton = np.isfinite(fn) & (fn <= np.minimum(f, ff))
        new = np.where(use_newton[:, None], newton, np.where((ff <= f)[:, None], fixed, lam))
        delta = np.abs(new - lam).max()
        lam = new
        f = np.where(use_newton, fn, np.minimum(f, ff))
        if delta < tol:
            break
    s = rs.copy()
    s[:, idx, idx] = lam * lam
    values = np.linalg.eigvalsh(s)[:, ::-1]
    # matrices whose solution is near psych's bound (psi = 0.005) or that did not settle: there psych's
    # L-BFGS-B answer is the fixed point of projected principal-axis steps psi <- clip(1 - diag(LL'))
    ss = np.sum(lam * lam, axis=1, keepdims=True) - lam * lam
    gnorm = np.abs(np.einsum("kij,kj->ki", r0, lam) - lam * ss).max(axis=1)
    hard = np.nonzero((gnorm > 1e-8) | (np.abs(lam).max(axis=1) >= 0.95))[0]
    with single_thread_blas():
        for k in hard:
            values[k] = _minres_values(rs[k])
    return values


def _minres_values(r: np.ndarray) -> np.ndarray:
    """``fa_core(r, 1, "minres", "none", ftol=R's)["values"]``, without the rotation and statistics: the
    eigenvalues of r with the one-factor minres communalities on the diagonal. R's own precision (factr 1e7)
    is ample for simulated eigenvalues."""
    lam = extract(r, 1, "minres", ftol=1e7 * np.finfo(float).eps).loadings
    s = r.copy()
    np.fill_diagonal(s, np.diag(lam @ lam.T))
    return np.sort(np.linalg.eigvalsh(s))[::-1]


@dataclass(kw_only=True, repr=False, eq=False)
class ParallelAnalysis(Result):
    """Result of :func:`parallel_analysis`.

    Attributes
    ----------
    table : DataFrame
        One row per factor/component number: observed eigenvalues (``fa_observed``,
        ``pc_observed``), means of the simulated-normal and resampled ones
        (``fa_simulated``, ``pc_simulated``, ``fa_resampled``, ``pc_resampled``), their
        standard deviations (``*_sd``) and the chosen quantile of the simulated ones
        (``fa_sim_q``, ``pc_sim_q``).
    n_factors : int
        Suggested number of factors: how many leading observed factor eigenvalues exceed the simulated
        quantile (psych's ``nfact``).
    n_components : int
        The same for components (psych's ``ncomp``).
    n_iter : int
        Simulated (and resampled) data sets.
    seed : int, numpy Generator or None
        The seed given.
    quantile : float
        The quantile of the simulated eigenvalues compared with.
    method : str
        Extraction of the factor eigenvalues.
    n_obs : int
        Rows of the data (and of every simulated data set).
    simulation : str
        How the normal-theory sets were made (``"wishart"`` or ``"data"``, see :func:`parallel_analysis`).
    title, notes :
        See :class:`toolkit._results.Result`.
    """

    table: pd.DataFrame
    n_factors: int
    n_components: int
    n_iter: int
    seed: object
    quantile: float
    method: str
    n_obs: int
    simulation: str = "wishart"

    _renamed: ClassVar[dict] = {f"{f}_": f for f in ("table", "n_factors", "n_components", "n_iter", "seed",
                                                     "quantile", "method", "n_obs")}

    def evidence(self) -> str:
        """A sentence stating the suggestion and the evidence behind it.

        Returns
        -------
        str
            How many factors and components, from how many simulated data sets, at which percentile.
        """
        return (f"Parallel analysis ({self.n_iter} simulated and resampled data sets, seed {self.seed}, "
                f"{self.method} factors) suggests {self.n_factors} factor(s) and {self.n_components} component(s): "
                f"that many observed eigenvalues exceed the {100 * self.quantile:g}th percentile of eigenvalues from "
                f"random normal data of the same size ({self.n_obs} x {self.table.shape[0]}).")

    def plot(self, ax=None):
        """Scree plot with the parallel-analysis curves (see :func:`toolkit.factor.scree_plot`).

        Parameters
        ----------
        ax : matplotlib Axes, optional
            Where to draw (a new figure when omitted).

        Returns
        -------
        matplotlib Axes
            The Axes drawn on.
        """
        from .plots import scree_plot

        return scree_plot(self, ax=ax)

    def _display_values(self) -> dict:
        return {k: v for k, v in self.values.items() if k in ("n_factors", "n_components")}


def _sim_fa_values(rs: np.ndarray, method: str) -> np.ndarray:
    """psych's ``fa(C, nfactors = 1, fm = method, SMC = FALSE)$values`` for each matrix of a stack."""
    if method == "minres":
        return _batched_minres_values(rs)
    with single_thread_blas():
        return np.array([fa_core(r, 1, method, "none", smc=False, ftol=1e7 * np.finfo(float).eps)["values"]
                         for r in rs])


_SIMULATION_NOTES = {
    "wishart": "normal-theory sets: each correlation matrix drawn from the Wishart distribution of the centred "
               "cross-products of {n} standard-normal rows ({p} items; Bartlett's decomposition), the distribution "
               "psych::fa.parallel samples by simulating whole data sets: same eigenvalue distribution, different "
               "random numbers",
    "data": "normal-theory sets: {n} x {p} standard-normal data sets simulated and correlated, as "
            "psych::fa.parallel does",
}


def _first_not_above(obs, crit) -> int:
    above = obs > crit
    return int(np.argmin(above)) if not above.all() else len(obs)


SIMULATIONS = ("wishart", "data")


def _wishart_correlations(rng, n_iter: int, n: int, p: int) -> np.ndarray:
    """Correlation matrices of ``n_iter`` data sets of n independent standard-normal rows, drawn directly.

    The centred cross-products of n normal rows with identity covariance follow the Wishart distribution
    with n - 1 degrees of freedom; by Bartlett's decomposition W = A A' with A lower triangular, A_ii^2 ~
    chi-square(n - i) (i = 1..p) and A_ij ~ N(0, 1) below the diagonal, all independent. The correlation
    matrix W_ij / sqrt(W_ii W_jj) then has exactly the distribution of the data sets' correlations, at
    O(p^3) cost per set whatever n. Needs n > p.
    """
    low = np.tril_indices(p, -1)
    A = np.zeros((n_iter, p, p))
    A[:, low[0], low[1]] = rng.standard_normal((n_iter, low[0].size))
    diag = np.arange(p)
    A[:, diag, diag] = np.sqrt(rng.chisquare(n - 1 - diag, size=(n_iter, p)))
    W = A @ A.transpose(0, 2, 1)
    d = 1 / np.sqrt(np.diagonal(W, axis1=1, axis2=2))
    return W * d[:, :, None] * d[:, None, :]


def _normal_data_correlations(rng, n_iter: int, n: int, p: int) -> np.ndarray:
    """Correlation matrices of ``n_iter`` simulated n x p standard-normal data sets (psych's way), built a
    block of rows at a time (the draws are those of ``rng.standard_normal((n_iter, n, p))``)."""
    out = np.empty((n_iter, p, p))
    blocks = row_blocks(n, p)
    for i in range(n_iter):
        S, s = np.zeros((p, p)), np.zeros(p)
        for rows in blocks:
            z = rng.standard_normal((rows.stop - rows.start, p))
            S += z.T @ z
            s += z.sum(axis=0)
        out[i] = corr_from_cross_products(S - np.outer(s, s) / n)
    return out


def _resampled_correlations(rng, a: np.ndarray, n_iter: int) -> np.ndarray:
    """Pairwise correlations of ``n_iter`` data sets made by resampling each column of ``a`` independently
    (row draws ``rng.integers(0, n, size=(n, p))`` per set), accumulated a block of rows at a time."""
    n, p = a.shape
    present = ~np.isnan(a)
    complete = bool(present.all())
    with np.errstate(invalid="ignore"):
        shift = np.where(present.any(axis=0), np.nanmean(np.where(present.any(axis=0), a, 0.0), axis=0), 0.0)
    out = np.empty((n_iter, p, p))
    blocks = row_blocks(n, p)
    cols = np.arange(p)
    for i in range(n_iter):
        draw = rng.integers(0, n, size=(n, p), dtype=np.int32)  # the same numbers as int64 draws
        if complete:  # shifted by the data's means; the resample's own means are taken out below
            S, s = np.zeros((p, p)), np.zeros(p)
            for rows in blocks:
                x = a[draw[rows], cols] - shift
                S += x.T @ x
                s += x.sum(axis=0)
            out[i] = corr_from_cross_products(S - np.outer(s, s) / n)
            continue
        cnt, sx, sxy, sxx = (np.zeros((p, p)) for _ in range(4))
        for rows in blocks:
            x = a[draw[rows], cols] - shift
            m = ~np.isnan(x)
            x0 = np.where(m, x, 0.0)
            mf = m.astype(float)
            cnt += mf.T @ mf
            sx += x0.T @ mf
            sxy += x0.T @ x0
            sxx += (x0 * x0).T @ mf
        out[i] = corr_from_pair_sums(cnt, sx, sxy, sxx)
    return out


def parallel_analysis(data, n_iter: int = 20, *, method: str = "minres", quantile: float = 0.95, seed=None,
                      resample: bool = True, missing: str = "pairwise",
                      simulation: str = "wishart") -> ParallelAnalysis:
    """Horn's parallel analysis as psych::fa.parallel (``fa="both"``).

    Eigenvalues of the observed correlation matrix (components: plain eigenvalues;
    factors: eigenvalues of the one-factor reduced matrix, psych's ``fa(r, 1)$values``)
    are compared with those of ``n_iter`` data sets of the same size drawn from
    independent normal variables and, with ``resample=True``, of data sets made by
    resampling each item's answers independently.

    Parameters
    ----------
    data : DataFrame
        Item responses (rows = respondents). Correlations are pairwise.
    n_iter : int
        Simulated (and resampled) data sets (psych's default 20).
    method : {"minres", "ml", "pa"}
        Extraction for the factor eigenvalues (observed and simulated; minres, psych's
        default, is solved for all simulated sets at once and is much the fastest).
    quantile : float
        The suggestion counts observed eigenvalues above this quantile of the simulated ones.
    seed : int or numpy Generator, optional
        Seeds ``np.random.default_rng``; results are reproducible for a given seed.
    resample : bool
        Also resample the observed data (psych does when given raw data).
    missing : {"pairwise", "listwise"}
        Pairwise-complete correlations (psych's default) or drop incomplete rows first; the
        simulated data sets have as many rows as the data used.
    simulation : {"wishart", "data"}
        How the normal-theory sets are made. ``"wishart"`` (default) draws each set's correlation
        matrix directly: the centred cross-products of n independent standard-normal rows follow the
        Wishart distribution with n - 1 degrees of freedom, drawn by Bartlett's decomposition, so time and
        memory do not grow with n. ``"data"`` simulates each n x p data set and correlates it, as
        psych::fa.parallel does. Both give the same distribution of simulated eigenvalues (checked
        against each other and against psych::fa.parallel, quantile by quantile, in the tests); the
        numbers differ by Monte Carlo error only. With fewer rows than items + 1, ``"data"`` is used.
        The resampled sets (``resample=True``) always resample the data.

    Returns
    -------
    ParallelAnalysis
        The eigenvalue table, the suggested ``n_factors`` and ``n_components``, and the notes.

    Notes
    -----
    A factor (component) number :math:`j` is kept while :math:`\\lambda_j^{obs} > q_{0.95}(\\lambda_j^{sim})`,
    counting from the first; the suggestion is the number kept before the first failure. The simulated
    eigenvalues differ from psych's by Monte Carlo error only (different random numbers).

    R equivalent: ``psych::fa.parallel(x, n.iter = 20, fm = "minres", quant = 0.95)``.

    References
    ----------
    Horn, J. L. (1965). A rationale and test for the number of factors in factor analysis.
    Psychometrika, 30, 179-185.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from toolkit.factor import parallel_analysis
    >>> rng = np.random.default_rng(3)
    >>> f = rng.normal(size=(400, 2))
    >>> lam = np.kron(np.eye(2), np.full((4, 1), .7))
    >>> x = pd.DataFrame(f @ lam.T + rng.normal(size=(400, 8)) * .7)
    >>> pa = parallel_analysis(x, n_iter=20, seed=1)
    >>> pa.n_factors, pa.n_components
    (2, 2)
    """
    caller = "parallel_analysis"
    missing = check_missing(missing, caller=caller)
    n_iter = check_count(n_iter, param="n_iter", caller=caller, minimum=2,
                         what="simulated data sets, e.g. 20: the standard deviations of the simulated eigenvalues "
                              "need at least two")
    quantile = check_number(quantile, param="quantile", caller=caller, low=0, high=1, low_open=True, high_open=True,
                            what="e.g. 0.95")
    seed = check_seed(seed, caller=caller)
    method = check_choice(method, METHODS, param="method", caller=caller)
    resample = check_bool(resample, param="resample", caller=caller)
    simulation = check_choice(simulation, SIMULATIONS, param="simulation", caller=caller,
                              hint="'wishart' draws the simulated correlation matrices directly, 'data' simulates "
                                   "whole data sets as psych does.")
    x = as_item_frame(data, caller=caller)
    if missing == "listwise":
        x = x.dropna()
    rng = np.random.default_rng(seed)
    a = x.to_numpy()
    n, p = a.shape
    r = _pairwise_corr(a)
    require_complete(pd.DataFrame(r, index=x.columns, columns=x.columns))
    pc_obs = np.sort(np.linalg.eigvalsh(r))[::-1]
    fa_obs = fa_core(r, 1, method, "none")["values"]

    if simulation == "wishart" and n > p:
        r_sim = _wishart_correlations(rng, n_iter, n, p)
    else:
        simulation = "data"
        r_sim = _normal_data_correlations(rng, n_iter, n, p)
    pc_sim = np.linalg.eigvalsh(r_sim)[:, ::-1]
    fa_sim = _sim_fa_values(r_sim, method)
    cols = {}
    if resample:
        r_res = _resampled_correlations(rng, a, n_iter)
        pc_res = np.linalg.eigvalsh(r_res)[:, ::-1]
        fa_res = _sim_fa_values(r_res, method)
        cols.update(fa_resampled=fa_res.mean(0), pc_resampled=pc_res.mean(0),
                    fa_resampled_sd=fa_res.std(0, ddof=1), pc_resampled_sd=pc_res.std(0, ddof=1))
    table = pd.DataFrame(
        {"fa_observed": fa_obs, "fa_simulated": fa_sim.mean(0), "fa_sim_q": np.quantile(fa_sim, quantile, axis=0),
         "pc_observed": pc_obs, "pc_simulated": pc_sim.mean(0), "pc_sim_q": np.quantile(pc_sim, quantile, axis=0),
         "fa_simulated_sd": fa_sim.std(0, ddof=1), "pc_simulated_sd": pc_sim.std(0, ddof=1), **cols},
        index=pd.RangeIndex(1, p + 1, name="number"),
    )
    out = ParallelAnalysis(
        table=table, n_factors=_first_not_above(fa_obs, table.fa_sim_q.to_numpy()),
        n_components=_first_not_above(pc_obs, table.pc_sim_q.to_numpy()), n_iter=n_iter,
        seed=seed, quantile=quantile, method=method, n_obs=n, simulation=simulation,
        title=f"Parallel analysis ({p} items, n = {n})",
    )
    out.notes += [out.evidence(),
                  f"{missing} Pearson correlations; factor eigenvalues of the one-factor {method} reduced matrix "
                  "(psych's fa.values)" + ("" if resample else "; no resampled data sets (resample=False)"),
                  _SIMULATION_NOTES[simulation].format(n=n, p=p),
                  f"R equivalent: psych::fa.parallel(x, n.iter = {n_iter}, fm = \"{method}\", quant = {quantile:g})"]
    return out


@dataclass(kw_only=True, repr=False, eq=False)
class VelicerMAP(Result):
    """Result of :func:`velicer_map`.

    Attributes
    ----------
    table : DataFrame
        Index ``n_components`` 1..n_max, column ``map``: the average squared partial correlation after
        removing that many principal components (NaN beyond p - 1 components: nothing is left to partial out).
    n_factors : int
        The number of components with the smallest ``map`` (Velicer's suggestion).
    title, notes :
        See :class:`toolkit._results.Result`.
    """

    table: pd.DataFrame
    n_factors: int

    _was_table: ClassVar[str] = "velicer_map()"

    @property
    def attrs(self) -> dict:
        """Deprecated: ``velicer_map(x).attrs["n_factors"]`` is ``velicer_map(x).n_factors`` now."""
        warn("velicer_map() returns a VelicerMAP result now; .attrs['n_factors'] is deprecated and goes in version "
             "0.3: use .n_factors.", DeprecationWarning)
        return {"n_factors": self.n_factors}


def velicer_map(data_or_corr, n_max: int = 8) -> VelicerMAP:
    """Velicer's minimum average partial (MAP) criterion, as psych::VSS reports it (``$map``).

    Parameters
    ----------
    data_or_corr : DataFrame or ndarray
        Item responses (pairwise correlations) or a correlation matrix.
    n_max : int
        Largest number of components tried.

    Returns
    -------
    VelicerMAP
        ``table`` (index 1..n_max, column ``map``: average squared partial correlation after removing
        that many principal components; NaN beyond ``p - 1`` components, where nothing is left to partial
        out) and ``n_factors``, the minimising number.

    Notes
    -----
    With :math:`A_m` the loadings of the first m principal components, :math:`C_m = R - A_m A_m'`
    rescaled to unit diagonal gives partial correlations :math:`r^*_{ij}`;
    :math:`MAP_m = \\sum_{i \\ne j} r^{*2}_{ij} / (p(p-1))`.

    R equivalent: ``psych::VSS(x, n = 8)$map``.

    References
    ----------
    Velicer, W. F. (1976). Determining the number of components from the matrix of partial
    correlations. Psychometrika, 41, 321-327.

    Examples
    --------
    >>> import numpy as np
    >>> from toolkit.factor import velicer_map
    >>> lam = np.kron(np.eye(2), np.full((4, 1), .7)); r = lam @ lam.T; np.fill_diagonal(r, 1)
    >>> velicer_map(r, 4).n_factors
    2
    """
    n_max = check_count(n_max, param="n_max", caller="velicer_map", minimum=1)
    r = correlation_input(data_or_corr, caller="velicer_map")[0].to_numpy()
    p = r.shape[0]
    n_max = min(n_max, p)
    vals, vecs = np.linalg.eigh(r)
    vals, vecs = vals[::-1], vecs[:, ::-1]
    comp = vecs * np.sqrt(np.maximum(vals, 0))
    out = np.full(n_max, np.nan)
    for i in range(1, min(n_max, p - 1) + 1):
        c = r - comp[:, :i] @ comp[:, :i].T
        d = 1 / np.sqrt(np.diag(c))
        rs = c * d[:, None] * d[None, :]
        np.fill_diagonal(rs, 0)
        out[i - 1] = np.sum(rs * rs) / (p * (p - 1))
    table = pd.DataFrame({"map": out}, index=pd.RangeIndex(1, n_max + 1, name="n_components"))
    n_factors = int(np.nanargmin(out) + 1)
    notes = [f"Velicer's MAP is smallest after removing {n_factors} component(s)",
             f"R equivalent: psych::VSS(x, n = {n_max})$map"]
    return VelicerMAP(table=table, n_factors=n_factors, title=f"Velicer's MAP ({p} items)", notes=notes)


def scree(data_or_corr) -> pd.DataFrame:
    """Scree data: eigenvalues of the correlation matrix and of the one-factor reduced matrix.

    Parameters
    ----------
    data_or_corr : DataFrame or ndarray
        Item responses (pairwise Pearson correlations) or a correlation matrix.

    Returns
    -------
    DataFrame
        Index 1..p (``number``): ``pc`` (eigenvalues of R, psych's ``e.values``) and ``fa``
        (eigenvalues of R with one-factor minres communalities on the diagonal, psych's ``values``).
        The table is the whole answer (no ``.attrs``).

    Notes
    -----
    ``pc``: the eigenvalues of :math:`R`. ``fa``: the eigenvalues of :math:`R - \\mathrm{diag}(R) +
    \\mathrm{diag}(\\lambda\\lambda')` with :math:`\\lambda` the one-factor minres loadings; what
    ``psych::scree`` draws.

    R equivalent: ``psych::fa(r, nfactors = 1)[c("e.values", "values")]``.

    References
    ----------
    Cattell, R. B. (1966). The scree test for the number of factors. Multivariate Behavioral Research,
    1, 245-276.

    Examples
    --------
    >>> import numpy as np
    >>> from toolkit.factor import scree
    >>> scree(np.eye(3))["pc"].tolist()
    [1.0, 1.0, 1.0]
    """
    r = correlation_input(data_or_corr, caller="scree")[0].to_numpy()
    core = fa_core(r, 1, "minres", "none")
    return pd.DataFrame({"pc": core["e_values"], "fa": core["values"]},
                        index=pd.RangeIndex(1, r.shape[0] + 1, name="number"))
