"""Correlations for Likert items: Pearson (pairwise or listwise) and polychoric.

The polychoric estimator is psych::polychoric's two-step method: thresholds from
each item's own marginal proportions (``global=TRUE``), then for every pair the
correlation that maximises the bivariate-normal likelihood of the pair's
contingency table, found with the same Brent search as R's ``optimize`` on
``[-1, 1]``. A matrix that is not positive definite is smoothed as
psych::cor.smooth does, with a :class:`~toolkit.exceptions.NotPositiveDefiniteWarning`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pandas as pd

from .._checks import check_bool, check_choice, check_count, check_missing, check_number, warn
from .._numerics import pairwise_corr as _pairwise_corr
from .._numerics import smc as _smc
from .._results import Result
from ..exceptions import DataValidationError, NotPositiveDefiniteWarning
from ._data import as_correlation_frame, as_item_frame, is_correlation

__all__ = ["pearson", "pairwise_counts", "polychoric", "PolychoricResult", "smooth_correlation", "smc",
           "correlation_input", "require_complete", "CORRELATIONS"]

#: correlations computed from raw item responses (psych's ``cor = "cor"`` and ``"poly"``)
CORRELATIONS = ("pearson", "polychoric")


def pairwise_counts(data) -> pd.DataFrame:
    """Number of respondents who answered both items, for every pair.

    Parameters
    ----------
    data : DataFrame or ndarray
        One row per respondent, one column per item; NaN marks a missing answer.

    Returns
    -------
    DataFrame
        Items x items counts (the diagonal: respondents who answered the item).

    Notes
    -----
    :math:`n_{ij} = \\sum_r [x_{ri} \\text{ present}][x_{rj} \\text{ present}]`.

    R equivalent: ``psych::pairwiseCount(x)``.

    References
    ----------
    Revelle, W. (2022). psych: Procedures for psychological, psychometric, and personality research
    (R package 2.2.9). Northwestern University.

    Examples
    --------
    >>> import pandas as pd
    >>> from toolkit.factor import pairwise_counts
    >>> pairwise_counts(pd.DataFrame({"a": [1, 2, None], "b": [2, None, 3]})).to_numpy().tolist()
    [[2.0, 1.0], [1.0, 2.0]]
    """
    x = as_item_frame(data, caller="pairwise_counts")
    m = x.notna().to_numpy(dtype=float)
    return pd.DataFrame(m.T @ m, index=x.columns, columns=x.columns)


def pearson(data, *, missing: str = "pairwise") -> pd.DataFrame:
    """Pearson correlation matrix of item responses.

    Parameters
    ----------
    data : DataFrame
        One row per respondent, one column per item; NaN marks a missing answer.
    missing : {"pairwise", "listwise"}
        ``"pairwise"`` uses every respondent who answered both items of a pair
        (R ``cor(x, use="pairwise")``, psych's default); ``"listwise"`` first drops
        every respondent with a missing answer (R ``cor(na.omit(x))``).

    Returns
    -------
    DataFrame
        Items x items, labelled with the item columns (the table is the whole answer: no ``.attrs``).
        A pair that fewer than two respondents answered, or where an item does not vary among them, is
        NaN, as R's ``cor`` gives NA; the analyses of the matrix name such pairs.

    Notes
    -----
    :math:`r_{ij} = \\sum (x_i-\\bar x_i)(x_j-\\bar x_j) / \\sqrt{\\sum (x_i-\\bar x_i)^2 \\sum (x_j-\\bar x_j)^2}`
    over the respondents used for that pair (means and variances from those respondents too);
    ``missing="listwise"`` is R's ``cor(na.omit(x))``.

    R equivalent: ``cor(x, use = "pairwise.complete.obs")``.

    References
    ----------
    Pearson, K. (1896). Mathematical contributions to the theory of evolution. III. Regression, heredity,
    and panmixia. Philosophical Transactions of the Royal Society A, 187, 253-318.

    Examples
    --------
    >>> import pandas as pd
    >>> from toolkit.factor import pearson
    >>> d = pd.DataFrame({"a": [1, 2, 3, 4, None], "b": [2, 1, 4, 3, 5]})
    >>> round(float(pearson(d).loc["a", "b"]), 3)
    0.6
    """
    missing = check_missing(missing, caller="pearson")
    x = as_item_frame(data, caller="pearson")
    if missing == "listwise":
        x = x.dropna()
    r = _pairwise_corr(x.to_numpy())
    return pd.DataFrame(r, index=x.columns, columns=x.columns)


def smc(corr) -> pd.Series:
    """Squared multiple correlation of each item with all the others.

    Parameters
    ----------
    corr : DataFrame or ndarray
        A correlation matrix.

    Returns
    -------
    Series
        One value per item, named ``smc``.

    Notes
    -----
    :math:`SMC_i = 1 - 1/(R^{-1})_{ii}`, with psych's pseudo-inverse (``Pinv``, tolerance sqrt(machine eps))
    in place of :math:`R^{-1}`, so a singular matrix still gives values; clipped to [0, 1] as psych does.

    R equivalent: ``psych::smc(r)``.

    References
    ----------
    Guttman, L. (1956). "Best possible" systematic estimates of communalities. Psychometrika, 21, 273-285.

    Examples
    --------
    >>> import numpy as np
    >>> from toolkit.factor import smc
    >>> smc(np.array([[1, .5], [.5, 1]])).round(2).tolist()
    [0.25, 0.25]
    """
    r = as_correlation_frame(corr)
    return pd.Series(_smc(r.to_numpy()), index=r.index, name="smc")


def _smooth(a: np.ndarray, eig_tol: float = 1e-12, force: bool = False) -> tuple[np.ndarray, bool]:
    # psych::cor.smooth smooths when the smallest eigenvalue is below machine eps; an exactly singular
    # matrix has one of rounding-error size and either sign, so callers that know it is singular force it
    vals, vecs = np.linalg.eigh(a)
    if vals.min() >= np.finfo(float).eps and not force:
        return a, False
    vals = np.where(vals < eig_tol, 100 * eig_tol, vals)
    vals = vals * a.shape[0] / vals.sum()
    s = (vecs * vals) @ vecs.T
    d = 1 / np.sqrt(np.diag(s))
    s = s * d[:, None] * d[None, :]
    return (s + s.T) / 2, True


def smooth_correlation(corr, *, eig_tol: float = 1e-12) -> pd.DataFrame:
    """Make a correlation matrix positive definite as psych::cor.smooth does.

    Parameters
    ----------
    corr : DataFrame or ndarray
        A correlation matrix.
    eig_tol : float
        Eigenvalues below this are raised to ``100 * eig_tol`` (psych's ``eig.tol``).

    Returns
    -------
    DataFrame
        The smoothed matrix (the input, unchanged, when it is already positive definite; otherwise a
        :class:`~toolkit.exceptions.NotPositiveDefiniteWarning` says it was smoothed).

    Notes
    -----
    With :math:`R = V \\Lambda V'`: eigenvalues below ``eig_tol`` become ``100 * eig_tol``, they are
    rescaled to sum to the number of items, and :math:`S = V \\Lambda^* V'` is rescaled to a unit diagonal,
    :math:`S^* = D^{-1/2} S D^{-1/2}`. Nothing is done when the smallest eigenvalue is at least machine eps.

    R equivalent: ``psych::cor.smooth(r)``.

    References
    ----------
    Wothke, W. (1993). Nonpositive definite matrices in structural modeling. In K. A. Bollen & J. S. Long
    (Eds.), Testing structural equation models (pp. 256-293). Sage.

    Examples
    --------
    >>> import numpy as np
    >>> from toolkit.factor import smooth_correlation
    >>> smooth_correlation(np.eye(2)).to_numpy().tolist()
    [[1.0, 0.0], [0.0, 1.0]]
    """
    eig_tol = check_number(eig_tol, param="eig_tol", caller="smooth_correlation", low=0, low_open=True)
    r = as_correlation_frame(corr)
    s, changed = _smooth(r.to_numpy(), eig_tol)
    if changed:
        warn("The correlation matrix was not positive definite; it was smoothed (psych::cor.smooth). "
             "Check items with very few answers or almost identical items.", NotPositiveDefiniteWarning)
    return pd.DataFrame(s, index=r.index, columns=r.columns)


# ----------------------------------------------------------------- polychoric
def _bvn_cdf(h: np.ndarray, k: np.ndarray, rho: np.ndarray) -> np.ndarray:
    """Bivariate standard-normal CDF P(X<h, Y<k) for finite h, k (Owen's T form)."""
    from scipy.special import ndtr, owens_t

    h = np.where(h == 0, 1e-300, h)
    k = np.where(k == 0, 1e-300, k)
    s = np.sqrt((1 - rho) * (1 + rho))
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        ah = (k / h - rho) / s
        ak = (h / k - rho) / s
    beta = np.where((h * k < 0) | ((h * k == 0) & ((h < 0) | (k < 0))), 0.5, 0.0)
    return 0.5 * ndtr(h) + 0.5 * ndtr(k) - owens_t(h, ah) - owens_t(k, ak) - beta


def _cell_probs(rho: np.ndarray, rc: np.ndarray, cc: np.ndarray) -> np.ndarray:
    """Cell probabilities of the (K x L) table for each pair.

    rho: (m,); rc: (m, K-1) finite row cuts; cc: (m, L-1) finite column cuts.
    Returns (m, K, L).
    """
    from scipy.special import ndtr

    m = rho.shape[0]
    hh = np.broadcast_to(rc[:, :, None], (m, rc.shape[1], cc.shape[1]))
    kk = np.broadcast_to(cc[:, None, :], (m, rc.shape[1], cc.shape[1]))
    inner = _bvn_cdf(hh, kk, np.broadcast_to(rho[:, None, None], hh.shape))
    # full CDF grid with -inf / +inf borders
    grid = np.zeros((m, rc.shape[1] + 2, cc.shape[1] + 2))
    grid[:, 1:-1, 1:-1] = inner
    grid[:, 1:-1, -1] = ndtr(rc)
    grid[:, -1, 1:-1] = ndtr(cc)
    grid[:, -1, -1] = 1.0
    return np.diff(np.diff(grid, axis=1), axis=2)


def _neg_loglik(rho, rc, cc, tab):
    p = _cell_probs(rho, rc, cc)
    with np.errstate(divide="ignore", invalid="ignore"):
        lp = np.where(p > 0, np.log(np.where(p > 0, p, 1.0)), 0.0)
    return -(tab * lp).sum(axis=(1, 2))


def _brent_min(f, n: int, lower: float = -1.0, upper: float = 1.0, tol: float = np.finfo(float).eps ** 0.25):
    """R's ``optimize`` (Brent_fmin in src/library/stats/src/optimize.c), vectorised over n problems.

    Every problem follows exactly the sequence of trial points R's scalar code
    would, so results agree with R to far better than its tolerance.
    """
    c = (3.0 - np.sqrt(5.0)) * 0.5
    eps = np.sqrt(np.finfo(float).eps)
    a = np.full(n, lower)
    b = np.full(n, upper)
    v = a + c * (b - a)
    w = v.copy()
    x = v.copy()
    d = np.zeros(n)
    e = np.zeros(n)
    fx = f(x, np.ones(n, bool))
    fv = fx.copy()
    fw = fx.copy()
    tol3 = tol / 3.0
    active = np.ones(n, bool)
    for _ in range(200):
        xm = (a + b) * 0.5
        tol1 = eps * np.abs(x) + tol3
        t2 = tol1 * 2.0
        active &= ~(np.abs(x - xm) <= t2 - (b - a) * 0.5)
        if not active.any():
            break
        p = np.zeros(n)
        q = np.zeros(n)
        r = np.zeros(n)
        fit = active & (np.abs(e) > tol1)
        r_ = (x - w) * (fx - fv)
        q_ = (x - v) * (fx - fw)
        p_ = (x - v) * q_ - (x - w) * r_
        q_ = (q_ - r_) * 2.0
        p_ = np.where(q_ > 0, -p_, p_)
        q_ = np.abs(q_)
        p = np.where(fit, p_, p)
        q = np.where(fit, q_, q)
        r = np.where(fit, e, r)
        e = np.where(fit, d, e)
        golden = (np.abs(p) >= np.abs(q * 0.5 * r)) | (p <= q * (a - x)) | (p >= q * (b - x))
        e_g = np.where(x < xm, b - x, a - x)
        with np.errstate(divide="ignore", invalid="ignore"):
            d_p = p / q
        u_p = x + d_p
        near = (u_p - a < t2) | (b - u_p < t2)
        d_p = np.where(near, np.where(x >= xm, -tol1, tol1), d_p)
        e = np.where(active & golden, e_g, e)
        d = np.where(active, np.where(golden, c * e_g, d_p), d)
        u = np.where(np.abs(d) >= tol1, x + d, np.where(d > 0, x + tol1, x - tol1))
        u = np.where(active, u, x)
        fu = f(u, active)
        better = active & (fu <= fx)
        worse = active & ~(fu <= fx)
        # better: shrink towards u
        b_new = np.where(better & (u < x), x, b)
        a_new = np.where(better & ~(u < x), x, a)
        a_new = np.where(worse & (u < x), u, a_new)
        b_new = np.where(worse & ~(u < x), u, b_new)
        a, b = a_new, b_new
        upd_w = worse & ((fu <= fw) | (w == x))
        upd_v = worse & ~upd_w & ((fu <= fv) | (v == x) | (v == w))
        v_new = np.where(better, w, np.where(upd_w, w, np.where(upd_v, u, v)))
        fv_new = np.where(better, fw, np.where(upd_w, fw, np.where(upd_v, fu, fv)))
        w_new = np.where(better, x, np.where(upd_w, u, w))
        fw_new = np.where(better, fx, np.where(upd_w, fu, fw))
        x = np.where(better, u, x)
        fx = np.where(better, fu, fx)
        v, fv, w, fw = v_new, fv_new, w_new, fw_new
    return x


@dataclass(kw_only=True, repr=False, eq=False)
class PolychoricResult(Result):
    """Polychoric correlations with their thresholds (the value of :func:`polychoric`).

    Attributes
    ----------
    rho : DataFrame
        Items x items polychoric correlations (smoothed if they were not positive definite).
    tau : DataFrame
        Items x (categories - 1) thresholds on the standard-normal scale, psych's ``tau``.
    n_obs : int
        Number of respondents (rows).
    counts : DataFrame
        Respondents answering both items, per pair.
    smoothed : bool
        Whether cor.smooth changed the matrix.
    categories : int
        Number of response categories (from the smallest to the largest code seen in any item).
    global_thresholds : bool
        True when every item has the same number of categories and pairs use the items'
        own thresholds (psych's ``global=TRUE``); False when thresholds come from each
        pair's table with the continuity correction (psych switches the same way).
    title, notes :
        See :class:`toolkit._results.Result`.
    """

    rho: pd.DataFrame
    tau: pd.DataFrame
    n_obs: int
    counts: pd.DataFrame
    smoothed: bool
    categories: int
    global_thresholds: bool = True

    main: ClassVar[str] = "rho"
    _renamed: ClassVar[dict] = {f"{f}_": f for f in ("rho", "tau", "n_obs", "counts", "smoothed", "categories",
                                                     "global_thresholds")}

    def summary(self) -> pd.DataFrame:
        """The correlation matrix next to each item's thresholds.

        Returns
        -------
        DataFrame
            Items x (items, ``tau_1``.. thresholds), unrounded.
        """
        return pd.concat([self.rho, self.tau.add_prefix("tau_")], axis=1)

    def _display_tables(self) -> dict:
        return {"polychoric correlations and thresholds": self.summary()}


def _thresholds(x: np.ndarray, k: int) -> np.ndarray:
    from scipy.special import ndtri

    counts = np.stack([np.bincount(col[~np.isnan(col)].astype(int), minlength=k)[:k] for col in x.T])
    props = counts / counts.sum(axis=1, keepdims=True)
    return ndtri(np.cumsum(props, axis=1)[:, : k - 1])


def polychoric(data, *, correct: float = 0.5, smooth: bool = True, max_categories: int = 8) -> PolychoricResult:
    """Polychoric correlation matrix by psych's two-step method.

    Parameters
    ----------
    data : DataFrame
        Integer-coded ordinal items (one column per item, NaN for missing). All
        items are shifted by the smallest value seen, as psych does.
    correct : float
        Continuity correction for empty cells when items have different numbers of
        categories (then thresholds are taken per pair, psych's ``global=FALSE``).
    smooth : bool
        Smooth a non positive definite result (psych::cor.smooth), with a warning.
    max_categories : int
        Refuse items with more response categories than this (psych: 8).

    Returns
    -------
    PolychoricResult
        ``rho`` (DataFrame), ``tau`` (thresholds per item), ``n_obs`` and the notes.

    Notes
    -----
    Step 1: :math:`\\tau_{ik} = \\Phi^{-1}(P(X_i \\le k))` from each item's answers.
    Step 2: for each pair, maximise
    :math:`\\sum_{kl} n_{kl} \\log \\pi_{kl}(\\rho)`, where :math:`\\pi_{kl}` is the
    bivariate-normal probability of cell (k, l) given the thresholds, over
    :math:`\\rho \\in [-1, 1]` by Brent's method (R ``optimize``, tolerance
    :math:`\\epsilon^{1/4}`). Pairs use pairwise-complete respondents.

    R equivalent: ``psych::polychoric(x)``.

    References
    ----------
    Olsson, U. (1979). Maximum likelihood estimation of the polychoric correlation
    coefficient. Psychometrika, 44, 443-460.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from toolkit.factor import polychoric
    >>> rng = np.random.default_rng(1)
    >>> z = rng.multivariate_normal([0, 0], [[1, .5], [.5, 1]], size=2000)
    >>> d = pd.DataFrame(np.digitize(z, [-1, 0, 1]) + 1, columns=["a", "b"])
    >>> res = polychoric(d)
    >>> round(float(res.rho.loc["a", "b"]), 2)
    0.48
    >>> res.tau.shape
    (2, 3)
    """
    correct = check_number(correct, param="correct", caller="polychoric", low=0)
    smooth = check_bool(smooth, param="smooth", caller="polychoric")
    max_categories = check_count(max_categories, param="max_categories", caller="polychoric", minimum=2)
    x_frame = as_item_frame(data, caller="polychoric")
    x = x_frame.to_numpy()
    names = list(x_frame.columns)
    frac = ~np.isnan(x) & (x != np.round(x))
    if frac.any():
        rows, cols = np.nonzero(frac)
        report = pd.DataFrame(
            {"row": x_frame.index[rows], "column": [names[c] for c in cols], "value": x[rows, cols],
             "reason": "not an integer category"}
        )
        raise DataValidationError(
            f"polychoric needs integer category codes; {len(report)} cell(s) are not integers, first at row "
            f"{report.row.iloc[0]!r}, column {report.column.iloc[0]!r} (value {report.value.iloc[0]!r}). "
            "Round or recode them; the full list is in err.report.",
            report=report,
        )
    sd = np.nanstd(x, axis=0)
    constant = [n for n, s in zip(names, sd) if not s > 0]
    if constant:
        raise DataValidationError(
            f"items {constant} have no variance (every answer is the same or none is given); "
            "drop them before computing polychoric correlations.",
            report=pd.DataFrame({"column": constant, "reason": "no variance"}),
        )
    xmin = np.nanmin(x)
    x = x - xmin  # categories 0..k-1
    k = int(np.nanmax(x)) + 1
    if k > max_categories:
        raise DataValidationError(
            f"the items span {k} response categories (more than max_categories={max_categories}); "
            "polychoric correlations are for short ordinal scales: use pearson() instead.",
            report=pd.DataFrame(columns=["row", "column", "value", "reason"]),
        )
    p = x.shape[1]
    present = ~np.isnan(x)
    xi = np.where(present, x, 0).astype(np.int64)
    tau = _thresholds(x, k)
    item_max = np.nanmax(x, axis=0)
    global_tau = bool(np.all(item_max == item_max[0]))

    iu, ju = np.tril_indices(p, -1)
    tabs = np.empty((len(iu), k, k))
    for n_pair, (i, j) in enumerate(zip(iu, ju)):
        both = present[:, i] & present[:, j]
        tabs[n_pair] = np.bincount(xi[both, i] * k + xi[both, j], minlength=k * k).reshape(k, k)
    tot = tabs.sum(axis=(1, 2))
    rho = np.full(len(iu), np.nan)
    if global_tau:
        ok = tot > 0
        tabn = tabs[ok] / tot[ok, None, None]
        rc_all, cc_all = tau[iu[ok]], tau[ju[ok]]
        # psych keeps -inf/inf thresholds of unused categories: those cells get probability 0
        rc_all = np.clip(rc_all, -38.0, 38.0)
        cc_all = np.clip(cc_all, -38.0, 38.0)

        def f(r, mask):
            out = np.zeros_like(r)
            if mask.any():
                out[mask] = _neg_loglik(r[mask], rc_all[mask], cc_all[mask], tabn[mask])
            return out

        rho[ok] = _brent_min(f, int(ok.sum()))
    else:
        from scipy.special import ndtri

        for n_pair in range(len(iu)):
            tab = tabs[n_pair]
            if tot[n_pair] == 0:
                continue
            tab = tab[tab.sum(axis=1) > 0][:, tab.sum(axis=0) > 0] / tot[n_pair]
            if min(tab.shape) < 2:
                continue
            if correct > 0:
                tab = np.where(tab == 0, correct / tot[n_pair], tab)
            rc = ndtri(np.cumsum(tab.sum(axis=1))[:-1])[None, :]
            cc = ndtri(np.cumsum(tab.sum(axis=0))[:-1])[None, :]
            rc, cc = np.clip(rc, -38, 38), np.clip(cc, -38, 38)
            tab3 = tab[None]

            def f1(r, mask, rc=rc, cc=cc, tab3=tab3):
                return _neg_loglik(r, rc, cc, tab3)

            rho[n_pair] = _brent_min(f1, 1)[0]
    mat = np.eye(p)
    mat[iu, ju] = rho
    mat[ju, iu] = rho
    smoothed = False
    notes = []
    if smooth and not np.isnan(mat).any():
        mat, smoothed = _smooth(mat)
        if smoothed:
            message = ("The polychoric matrix was not positive definite; it was smoothed (psych::cor.smooth). "
                       "Items with empty categories or few respondents are the usual cause.")
            warn(message, NotPositiveDefiniteWarning)
            notes.append(message)
    cats = [str(c) for c in range(1, k)]  # psych labels thresholds 1..k-1
    rho_df = pd.DataFrame(mat, index=names, columns=names)
    tau_df = pd.DataFrame(tau, index=names, columns=cats)
    counts = pd.DataFrame(present.T.astype(float) @ present.astype(float), index=names, columns=names)
    notes.append("thresholds from each item's own answers (psych's global = TRUE)" if global_tau else
                 f"items have different numbers of categories: thresholds from each pair's table with the "
                 f"continuity correction {correct:g} (psych's global = FALSE)")
    notes.append("R equivalent: psych::polychoric(x)")
    return PolychoricResult(rho=rho_df, tau=tau_df, n_obs=len(x), counts=counts, smoothed=smoothed, categories=k,
                            global_thresholds=global_tau, title=f"Polychoric correlations ({p} items, n = {len(x)})",
                            notes=notes)


_NO_PAIR = "fewer than 2 respondents answered both items, or one of them does not vary among those who did"


def require_complete(r: pd.DataFrame) -> None:
    """Raise :class:`DataValidationError` naming every item pair whose correlation is missing.

    A pair has no correlation when fewer than two respondents answered both items or when an item does
    not vary among them; no factor-analytic summary of the matrix is defined then, and numpy would answer
    NaN or fail with an obscure error.

    Parameters
    ----------
    r : DataFrame
        A labelled correlation matrix.

    Raises
    ------
    DataValidationError
        Naming the pairs (``err.report``: ``item_a``, ``item_b``, ``reason``).
    """
    a = r.to_numpy()
    i, j = np.nonzero(np.triu(np.isnan(a), 1))
    if not i.size:
        return
    report = pd.DataFrame({"item_a": r.index[i], "item_b": r.columns[j], "reason": _NO_PAIR})
    listing = ", ".join(f"{x} & {y}" for x, y in zip(report.item_a[:10], report.item_b[:10]))
    raise DataValidationError(
        f"the correlation matrix has no value for {len(report)} item pair(s): {listing}"
        f"{' ...' if len(report) > 10 else ''} ({_NO_PAIR}). Drop one item of each pair, or an item "
        "without variance, or collect more answers; the full list is in err.report.",
        report=report,
    )


def correlation_input(data_or_corr, n_obs=None, *, corr: str = "pearson", missing: str = "pairwise",
                      caller: str | None = None):
    """The correlation matrix and the number of respondents, from item responses or a correlation matrix.

    A square symmetric matrix with a unit diagonal is taken as a correlation matrix
    (psych's ``isCorrelation``) and ``n_obs`` is passed through; otherwise ``data_or_corr``
    is item responses, correlated by ``corr`` ("pearson" or "polychoric") after dropping
    incomplete rows when ``missing="listwise"``.

    Parameters
    ----------
    data_or_corr : DataFrame or ndarray
        Item responses or a correlation matrix.
    n_obs : int, optional
        Respondents behind a correlation matrix.
    corr : {"pearson", "polychoric"}
        Correlations computed from item responses.
    missing : {"pairwise", "listwise"}
        Pairwise-complete correlations, or complete rows only.
    caller : str, optional
        The public function asking, named in error messages.

    Returns
    -------
    tuple
        ``(DataFrame, int or None)``: the labelled matrix and the number of respondents.
    """
    corr = check_choice(corr, CORRELATIONS, param="corr", caller=caller)
    missing = check_missing(missing, caller=caller)
    if n_obs is not None:
        n_obs = check_count(n_obs, param="n_obs", caller=caller, minimum=2)
    if is_correlation(data_or_corr):
        return as_correlation_frame(data_or_corr), n_obs
    x = as_item_frame(data_or_corr, param="data_or_corr", caller=caller)
    if missing == "listwise":
        x = x.dropna()
    r = polychoric(x).rho if corr == "polychoric" else pearson(x)
    require_complete(r)
    return r, len(x)
