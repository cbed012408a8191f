"""lavaan's sample statistics for ordered items: thresholds, polychoric correlations and their Gamma.

These are the ``s``, ``Gamma`` and weights that lavaan's ``estimator = "WLSMV"`` (and ``"WLS"``, ``"DWLS"``,
``"ULSMV"``) fits a model to when ``ordered = TRUE``; :func:`toolkit.factor.cfa.wls.fit_wls` takes them
from here. Everything follows lavaan 0.6-14 (``muthen1984()``, ``lav_samplestats_step1/2``,
``lav_uvord``/``lav_bvord``) and matches ``lavInspect(fit, "sampstat")``, ``"wls.obs"``, ``"gamma"`` and
``"wls.v"`` (see ``tests/reference/cfa/ordinal/``).

Where lavaan's polychoric differs from psych's ``polychoric`` (our :func:`toolkit.factor.polychoric`)
-----------------------------------------------------------------------------------------------------
Both are the two-step estimator: thresholds from each item's own marginal proportions, then per pair the
correlation maximising the bivariate-normal likelihood of the pair's table with the thresholds held fixed.
With complete data, items sharing the same categories and no empty cell, the criterion is the same as
psych's ``global = TRUE`` route, so the two agree up to psych's optimiser tolerance (R's ``optimize``,
``tol = eps^0.25``: the correlation differs from the exact maximum by up to about 1e-5). The differences:

* **categories**: lavaan's categories of an item are the values that item takes (``ordered()``), so an item
  answered 1, 2 and 4 has three categories; psych spans every code from the smallest to the largest seen in
  any item (an unused code is an empty category with a repeated threshold).
* **empty cells**: lavaan adds nothing to empty cells of tables larger than 2 x 2 (``zero.add = c(0.5,
  0)``); a 2 x 2 table with one empty cell gets 0.5 added to it and its diagonal partner and 0.5 taken from
  the other two, which keeps the margins; two empty cells give +1 or -1. psych adds ``correct = 0.5`` to
  empty cells only on its ``global = FALSE`` route (items with different numbers of categories), and then
  re-estimates the thresholds from each corrected pair table.
* **bounds and precision**: lavaan maximises over [-0.999, 0.999] to convergence (nlminb with the exact
  gradient and Hessian); cell probabilities below sqrt(machine eps) count as sqrt(eps). Here a vectorised
  Brent search brackets the maximum and Newton steps on the exact score finish it.
* **smoothing**: psych smooths a matrix that is not positive definite; lavaan fits to the raw matrix (and
  its robust CFI/RMSEA are not defined then). Here the matrix is left as it is, with a
  :class:`~toolkit.exceptions.NotPositiveDefiniteWarning`.
* **missing answers**: lavaan's default for WLSMV is listwise deletion; ``missing = "pairwise"`` uses each
  item's answered rows for its thresholds and each pair's complete rows for its correlation, and Gamma from
  the case-wise scores with missing terms as zero (N = all rows), as ``lavaan(..., missing = "pairwise")``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..._checks import check_choice, check_count, numeric_frame, warn
from ..._numerics import with_single_thread_blas
from ..._results import Result
from ...exceptions import (DataValidationError, FactorConvergenceWarning, IncompleteRowsWarning,
                           InvalidParameterError, NotPositiveDefiniteWarning)
from ..correlation import _brent_min, _bvn_cdf

__all__ = ["ordinal_statistics", "OrdinalStatistics", "OrdinalSample"]

_SQRT_EPS = float(np.sqrt(np.finfo(float).eps))
_BIG = 38.0  # stands in for an infinite threshold: Phi(38) == 1 and phi(38) == 0 in double precision
_RHO_BOUND = 0.999  # lavaan's bounds for nlminb
_BLOCK_CELLS = 4_000_000  # case-wise scores are built this many cells (rows x statistics) at a time


# ------------------------------------------------------------------------------------- one group's arrays
@dataclass(frozen=True, eq=False)
class OrdinalSample:
    """One group's ordinal sample statistics as lavaan stores them (arrays for the WLS fit).

    Attributes
    ----------
    group : str or None
        The group label (None for a single group).
    items : tuple of str
        The items, in the order of ``wls_obs``.
    levels : tuple of tuple
        Each item's categories (its distinct values, ascending), shared by every group.
    n_obs : int
        Respondents in this group (after listwise deletion when ``missing="listwise"``).
    thresholds : ndarray
        Thresholds, item by item (``x1|t1, x1|t2, ..., x2|t1, ...``).
    threshold_item : ndarray of int
        The item (index into ``items``) of each threshold.
    threshold_names : tuple of str
        lavaan's names, ``"item|t1"``...
    correlation : ndarray
        Items x items polychoric correlations (unit diagonal).
    gamma : ndarray
        lavaan's NACOV: N times the asymptotic covariance matrix of ``wls_obs``
        (``lavInspect(fit, "gamma")``).
    pair_n : ndarray
        Respondents answering both items of each pair (lavaan's pair order).
    zero_cell_pairs : tuple of tuple
        Pairs whose table has an empty cell (lavaan's ``zero.cell.tables``).
    """

    group: str | None
    items: tuple
    levels: tuple
    n_obs: int
    thresholds: np.ndarray
    threshold_item: np.ndarray
    threshold_names: tuple
    correlation: np.ndarray
    gamma: np.ndarray
    pair_n: np.ndarray
    zero_cell_pairs: tuple = ()

    @property
    def n_items(self) -> int:
        return len(self.items)

    @property
    def n_thresholds(self) -> int:
        return len(self.thresholds)

    @property
    def pairs(self) -> tuple[np.ndarray, np.ndarray]:
        """Item indices ``(a, b)``, a < b, of the correlations in lavaan's order (column-wise lower
        triangle: (2,1), (3,1), ..., (p,1), (3,2), ...)."""
        return np.triu_indices(self.n_items, 1)

    @property
    def correlation_names(self) -> tuple:
        a, b = self.pairs
        return tuple(f"{self.items[i]}~~{self.items[j]}" for i, j in zip(a, b))

    @property
    def names(self) -> tuple:
        """Names of the elements of ``wls_obs`` (lavaan's row names of ``lavInspect(fit, "delta")``)."""
        return tuple(self.threshold_names) + self.correlation_names

    @property
    def wls_obs(self) -> np.ndarray:
        """The sample statistics fitted by WLS: thresholds, then the correlations below the diagonal
        column by column (``lavInspect(fit, "wls.obs")``)."""
        a, b = self.pairs
        return np.concatenate([self.thresholds, self.correlation[b, a]])

    @property
    def weight(self) -> np.ndarray:
        """The DWLS weights: 1 / diag(Gamma) (the diagonal of ``lavInspect(fit, "wls.v")``)."""
        return 1.0 / np.diag(self.gamma)

    def full_weight(self) -> np.ndarray:
        """The full WLS weight matrix, Gamma^-1 (lavaan's ``estimator = "WLS"``)."""
        return np.linalg.inv(self.gamma)


# ------------------------------------------------------------------------------------- the result
@dataclass(kw_only=True, repr=False, eq=False)
class OrdinalStatistics(Result):
    """Thresholds, polychoric correlations and their asymptotic covariance (the value of
    :func:`ordinal_statistics`).

    Attributes
    ----------
    thresholds : DataFrame
        One row per threshold: ``group`` (with groups only), ``item``, ``threshold`` (1-based), ``value`` and
        ``se``: sqrt(Gamma_kk / (N - 1)), the robust standard error lavaan gives a threshold that a model
        leaves free (a single-group WLSMV fit's ``parameterEstimates()``).
    correlations : DataFrame
        One row per pair: ``group`` (with groups only), ``item_a``, ``item_b``, ``rho``, ``se`` (as for the
        thresholds), ``n`` (respondents answering both) and ``empty_cells`` (whether the pair's table has
        an empty cell).
    samples : list of OrdinalSample
        Per group, the arrays a WLS fit needs (``wls_obs``, ``gamma``, ``weight``, ``n_obs``...).
    missing : str
        ``"listwise"`` or ``"pairwise"``.
    n_obs : int
        Respondents used, over all groups.
    """

    thresholds: pd.DataFrame = None
    correlations: pd.DataFrame = None
    samples: list = field(default_factory=list)
    missing: str = "listwise"
    n_obs: int = 0

    main = "correlations"

    def correlation_matrix(self, group=None) -> pd.DataFrame:
        """The polychoric matrix of one group (the only one by default) as a labelled DataFrame."""
        s = self._sample(group)
        return pd.DataFrame(s.correlation, index=list(s.items), columns=list(s.items))

    def gamma(self, group=None) -> pd.DataFrame:
        """lavaan's NACOV of one group, labelled with lavaan's names (``lavInspect(fit, "gamma")``)."""
        s = self._sample(group)
        return pd.DataFrame(s.gamma, index=list(s.names), columns=list(s.names))

    def _sample(self, group):
        if group is None:
            if len(self.samples) > 1:
                raise InvalidParameterError(
                    f"These statistics have {len(self.samples)} groups; pass group= one of "
                    f"{[s.group for s in self.samples]}.")
            return self.samples[0]
        for s in self.samples:
            if s.group == group:
                return s
        raise InvalidParameterError(f"The 'group' parameter must be one of {[s.group for s in self.samples]}; "
                                    f"got {group!r}.")


# ------------------------------------------------------------------------------------- public function
@with_single_thread_blas
def ordinal_statistics(data, *, group=None, missing: str = "listwise", max_categories: int = 10
                       ) -> OrdinalStatistics:
    """Thresholds, polychoric correlations and Gamma of ordered items, as lavaan's WLSMV uses them.

    Parameters
    ----------
    data : DataFrame
        One row per respondent; the item columns (every column except ``group``), in the order the
        model lists them. Values are ordered category codes (any numbers; their order is the order of the
        categories); NaN is a missing answer.
    group : str, optional
        A column of ``data`` splitting the respondents into groups (lavaan's ``group =``); groups are
        taken in the order they first appear, as lavaan does. Each group must use every category of
        every item.
    missing : {"listwise", "pairwise"}
        ``"listwise"`` (lavaan's default for WLSMV) drops every respondent with a missing answer, with an
        :class:`~toolkit.exceptions.IncompleteRowsWarning` naming them; ``"pairwise"`` is lavaan's
        ``missing = "pairwise"``.
    max_categories : int
        Refuse items with more distinct values than this (they are probably not ordinal).

    Returns
    -------
    OrdinalStatistics
        ``thresholds`` and ``correlations`` tables, and ``samples`` (per group, the arrays for
        :func:`~toolkit.factor.cfa.wls.fit_wls`).

    Notes
    -----
    Step 1, per item: :math:`\\tau_k = \\Phi^{-1}(P(X \\le k))`. Step 2, per pair: the :math:`\\rho`
    maximising :math:`\\sum_{ab} n_{ab}\\log\\pi_{ab}(\\rho)` with the thresholds fixed. Step 3
    (Muthen, 1984): with case-wise scores :math:`s_i` of the univariate (thresholds) and bivariate
    (correlations) likelihoods, :math:`J = \\sum_i s_i s_i'` and the block-triangular
    :math:`B = [[A_{11}, 0], [A_{21}, A_{22}]]`, where :math:`A_{11}` keeps each item's threshold block of
    J, :math:`A_{22}` the diagonal of the correlation block and :math:`A_{21}` crosses the correlation
    scores with the bivariate threshold scores, the asymptotic covariance of the estimates is
    :math:`B^{-1} J B^{-T}` and :math:`\\Gamma = N B^{-1} J B^{-T}`. The DWLS weights are
    :math:`1/\\mathrm{diag}(\\Gamma)`. How this differs from psych's polychoric is in the module docstring.

    R equivalent: ``lavInspect(cfa(model, data, ordered = TRUE, estimator = "WLSMV"), "sampstat")``
    (and ``"gamma"``, ``"wls.v"``).

    References
    ----------
    Muthen, B. (1984). A general structural equation model with dichotomous, ordered categorical, and
    continuous latent variable indicators. Psychometrika, 49, 115-132.

    Olsson, U. (1979). Maximum likelihood estimation of the polychoric correlation coefficient.
    Psychometrika, 44, 443-460.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from toolkit.factor.cfa.ordinal import ordinal_statistics
    >>> rng = np.random.default_rng(3)
    >>> z = rng.multivariate_normal([0, 0, 0], [[1, .5, .4], [.5, 1, .3], [.4, .3, 1]], size=500)
    >>> d = pd.DataFrame(np.digitize(z, [-1, 0, 1]) + 1, columns=["a", "b", "c"])
    >>> st = ordinal_statistics(d)
    >>> st.correlations[["item_a", "item_b", "rho"]].round(3)
      item_a item_b    rho
    0      a      b  0.495
    1      a      c  0.398
    2      b      c  0.377
    >>> st.samples[0].gamma.shape  # 9 thresholds and 3 correlations
    (12, 12)
    """
    caller = "ordinal_statistics"
    missing = check_choice(missing, ("listwise", "pairwise"), param="missing", caller=caller,
                           hint="'listwise' (lavaan's default) drops respondents with a missing answer; "
                                "'pairwise' uses every answered item and pair.")
    max_categories = check_count(max_categories, param="max_categories", caller=caller, minimum=2)
    if not isinstance(data, pd.DataFrame):
        raise InvalidParameterError(
            f"The 'data' parameter of {caller}() must be a pandas DataFrame (one row per respondent, one "
            f"column per item); got a {type(data).__name__}.")
    if group is not None and group not in data.columns:
        raise InvalidParameterError(
            f"The 'group' parameter of {caller}() must name a column of data; {group!r} is not one of "
            f"{list(data.columns)}.")
    item_cols = [c for c in data.columns if c != group]
    if len(item_cols) < 2:
        raise DataValidationError(
            f"{caller}() needs at least 2 item columns; data has {len(item_cols)}.",
            report=pd.DataFrame(columns=["row", "column", "value", "reason"]))
    declared = {}  # ordered categoricals: their categories, in their order
    numeric_cols = []
    x = np.empty((len(data), len(item_cols)))
    for j, c in enumerate(item_cols):
        col = data[c]
        if isinstance(col.dtype, pd.CategoricalDtype):
            if not col.cat.ordered:
                raise InvalidParameterError(
                    f"Column {c!r} passed to {caller}() is an unordered categorical, so its categories have no "
                    "order. Make it ordered (col.cat.as_ordered(), after putting the categories in order with "
                    "col.cat.reorder_categories(...)) or recode it as numbers.")
            codes = col.cat.codes.to_numpy().astype(float)
            codes[codes < 0] = np.nan
            x[:, j] = codes
            declared[j] = tuple(col.cat.categories)
        else:
            numeric_cols.append(j)
    if numeric_cols:
        values = numeric_frame(data[[item_cols[j] for j in numeric_cols]], caller=caller,
                               fix="Recode them as ordered category numbers, or blank them to mark a missing answer.")
        x[:, numeric_cols] = values.to_numpy()
    labels = _group_labels(data, group, caller)
    notes = []

    if missing == "listwise":
        incomplete = np.isnan(x).any(axis=1)
        if incomplete.any():
            rows = list(data.index[incomplete])
            shown = ", ".join(repr(r) for r in rows[:10]) + (" ..." if len(rows) > 10 else "")
            msg = (f"{len(rows)} of {len(x)} respondents have a missing answer and were left out "
                   f"(missing='listwise', lavaan's default): rows {shown}. Pass missing='pairwise' to use "
                   "their answers.")
            warn(msg, IncompleteRowsWarning)
            notes.append(msg)
            keep = ~incomplete
            x, labels = x[keep], labels[keep]

    levels, codes = _categories(x, item_cols, declared, max_categories, caller)
    group_names = list(dict.fromkeys(labels.tolist())) if group is not None else [None]
    samples = []
    for g in group_names:
        rows = np.ones(len(codes), bool) if g is None else (labels == g)
        samples.append(_one_group(codes[rows], levels, item_cols, g, caller))

    th_rows, cor_rows = [], []
    for s in samples:
        n = s.n_obs
        se = np.sqrt(np.diag(s.gamma) / (n - 1))
        k = np.zeros(s.n_items, int)
        for t, item in enumerate(s.threshold_item):
            k[item] += 1
            th_rows.append((s.group, s.items[item], int(k[item]), s.thresholds[t], se[t]))
        a, b = s.pairs
        zero = set(s.zero_cell_pairs)
        for m, (i, j) in enumerate(zip(a, b)):
            cor_rows.append((s.group, s.items[i], s.items[j], s.correlation[j, i], se[s.n_thresholds + m],
                             s.pair_n[m], (s.items[i], s.items[j]) in zero))
        if s.zero_cell_pairs:
            notes.append(f"{len(s.zero_cell_pairs)} pair table(s)" + (f" in group {s.group!r}" if s.group else "")
                         + " have an empty cell; as lavaan, nothing is added to empty cells of tables larger "
                           "than 2 x 2.")
        ev = np.linalg.eigvalsh(s.correlation)
        if ev.min() < _SQRT_EPS:
            msg = ("The polychoric matrix" + (f" of group {s.group!r}" if s.group else "")
                   + f" is not positive definite (smallest eigenvalue {ev.min():.3g}); it is left as it is, "
                     "as lavaan does. A WLSMV fit still works, but its robust CFI/RMSEA are not defined. "
                     "Items with very sparse categories are the usual cause: merge rare categories.")
            warn(msg, NotPositiveDefiniteWarning)
            notes.append(msg)
    thresholds = pd.DataFrame(th_rows, columns=["group", "item", "threshold", "value", "se"])
    correlations = pd.DataFrame(cor_rows, columns=["group", "item_a", "item_b", "rho", "se", "n", "empty_cells"])
    if group is None:
        thresholds = thresholds.drop(columns="group")
        correlations = correlations.drop(columns="group")
    notes.append("Thresholds and polychoric correlations by lavaan's two-step method (lavaan 0.6-14, "
                 "ordered = TRUE); Gamma as muthen1984() (lavInspect(fit, 'gamma')).")
    title = f"Ordinal sample statistics ({len(item_cols)} items, n = {int(sum(s.n_obs for s in samples))}"
    title += f", {len(samples)} groups)" if group is not None else ")"
    return OrdinalStatistics(title=title, notes=notes, thresholds=thresholds, correlations=correlations,
                             samples=samples, missing=missing, n_obs=int(sum(s.n_obs for s in samples)))


# ------------------------------------------------------------------------------------- input handling
def _group_labels(data, group, caller) -> np.ndarray:
    if group is None:
        return np.zeros(len(data), dtype=object)
    col = data[group]
    bad = col.isna().to_numpy()
    if bad.any():
        rows = data.index[bad]
        report = pd.DataFrame({"row": rows, "column": group, "value": col[bad].to_numpy(),
                               "reason": "missing group"})
        raise DataValidationError(
            f"The group column {group!r} of {caller}() is empty in {len(rows)} row(s), first at row "
            f"{rows[0]!r}. Fill in the group or drop those rows yourself; the full list is in err.report.",
            report=report)
    return col.astype(str).to_numpy(dtype=object)


def _categories(x, names, declared, max_categories, caller):
    """Each item's categories (its distinct values, or an ordered categorical's categories) and the 0-based
    category codes (-1 = missing)."""
    codes = np.full(x.shape, -1, dtype=np.int64)
    levels = []
    problems = []
    for j, name in enumerate(names):
        col = x[:, j]
        ok = ~np.isnan(col)
        if j in declared:
            lv = declared[j]
            if len(lv) < 2 or len(lv) > max_categories:
                problems.append((name, f"{len(lv)} categories", "an item needs 2 to max_categories categories"))
            codes[ok, j] = col[ok].astype(np.int64)
            levels.append(lv)
            continue
        lv = np.unique(col[ok])
        if len(lv) < 2:
            problems.append((name, f"{len(lv)} distinct value(s)", "an item needs at least 2 categories"))
        elif len(lv) > max_categories:
            problems.append((name, f"{len(lv)} distinct values",
                             f"more than max_categories={max_categories}; is it a continuous score?"))
        codes[ok, j] = np.searchsorted(lv, col[ok])
        levels.append(tuple(float(v) if not float(v).is_integer() else int(v) for v in lv))
    if problems:
        report = pd.DataFrame(problems, columns=["column", "value", "reason"])
        listing = "; ".join(f"{c!r}: {v} ({r})" for c, v, r in problems)
        raise DataValidationError(
            f"{caller}() needs ordered items with 2 to {max_categories} categories: {listing}. Drop those "
            "columns, or raise max_categories if the items really have that many ordered categories.",
            report=report)
    return tuple(levels), codes


# ------------------------------------------------------------------------------------- one group
def _one_group(codes, levels, names, label, caller) -> OrdinalSample:
    from scipy.special import ndtri

    n, p = codes.shape
    ncat = np.array([len(lv) for lv in levels])
    kmax = int(ncat.max())
    present = codes >= 0
    # step 1: thresholds from each item's own answers
    counts = np.zeros((p, kmax))
    for j in range(p):
        counts[j] = np.bincount(codes[present[:, j], j], minlength=kmax)[:kmax]
    empty = [(names[j], counts[j, :ncat[j]].astype(int).tolist()) for j in range(p) if (counts[j, :ncat[j]] == 0).any()]
    if empty:
        where = f" in group {label!r}" if label is not None else ""
        listing = "; ".join(f"{nm!r}: counts {c} for categories {list(levels[names.index(nm)])}" for nm, c in empty)
        raise DataValidationError(
            f"{caller}(): some categories are never used{where} ({listing}). Thresholds of an unused category "
            "are not defined (lavaan stops here too); merge the empty category with a neighbour, or drop the "
            "item.", report=pd.DataFrame({"column": [e[0] for e in empty], "group": label,
                                          "value": [str(e[1]) for e in empty], "reason": "empty category"}))
    n_item = counts.sum(axis=1)
    props = counts / n_item[:, None]
    cum = np.cumsum(props, axis=1)[:, :-1]  # (p, kmax-1)
    tau = np.where(np.arange(kmax - 1)[None, :] < (ncat - 1)[:, None],
                   ndtri(np.clip(cum, 0, 1)), np.inf)
    tau_c = np.clip(tau, -_BIG, _BIG)  # padded thresholds of shorter items sit at +BIG

    # step 2: polychoric correlations, pair by pair (vectorised)
    a_idx, b_idx = np.triu_indices(p, 1)
    m = len(a_idx)
    tabs = np.zeros((m, kmax, kmax))
    for q, (i, j) in enumerate(zip(a_idx, b_idx)):
        both = present[:, i] & present[:, j]
        tabs[q] = np.bincount(codes[both, i] * kmax + codes[both, j], minlength=kmax * kmax).reshape(kmax, kmax)
    pair_n = tabs.sum(axis=(1, 2))
    if (pair_n == 0).any():
        q = int(np.flatnonzero(pair_n == 0)[0])
        raise DataValidationError(
            f"{caller}(): no respondent answered both {names[a_idx[q]]!r} and {names[b_idx[q]]!r}"
            + (f" in group {label!r}" if label is not None else "") + "; their correlation is not defined.",
            report=pd.DataFrame({"item_a": [names[a_idx[q]]], "item_b": [names[b_idx[q]]],
                                 "reason": "no respondent answered both"}))
    valid = (np.arange(kmax)[None, :, None] < ncat[a_idx][:, None, None]) & \
            (np.arange(kmax)[None, None, :] < ncat[b_idx][:, None, None])
    zero_cells = ((tabs == 0) & valid).any(axis=(1, 2))
    rc, cc = tau_c[a_idx], tau_c[b_idx]
    rho = _polychoric_ml(tabs, rc, cc, ncat[a_idx], ncat[b_idx], [(names[i], names[j]) for i, j in zip(a_idx, b_idx)])

    # step 3: Gamma (Muthen 1984, as lavaan's muthen1984)
    gamma = _gamma(codes, present, ncat, tau_c, props, rho, tabs, a_idx, b_idx)

    cor = np.eye(p)
    cor[b_idx, a_idx] = rho
    cor[a_idx, b_idx] = rho
    nth = ncat - 1
    th_item = np.repeat(np.arange(p), nth)
    thresholds = np.concatenate([tau[j, :nth[j]] for j in range(p)])
    th_names = tuple(f"{names[j]}|t{k + 1}" for j in range(p) for k in range(nth[j]))
    zero_pairs = tuple((names[i], names[j]) for i, j, z in zip(a_idx, b_idx, zero_cells) if z)
    return OrdinalSample(group=label, items=tuple(names), levels=levels, n_obs=int(n), thresholds=thresholds,
                         threshold_item=th_item, threshold_names=th_names, correlation=cor, gamma=gamma,
                         pair_n=pair_n, zero_cell_pairs=zero_pairs)


# ------------------------------------------------------------------------------------- bivariate pieces
def _edges(t):
    """Category edges (-BIG, t_1, ..., t_{K-1}, +BIG) from (m, K-1) thresholds."""
    m = t.shape[0]
    return np.concatenate([np.full((m, 1), -_BIG), t, np.full((m, 1), _BIG)], axis=1)


def _cdf_grid(rho, rc, cc):
    """P(X < e_r, Y < f_s) on the grid of category edges: (m, K+1, L+1)."""
    from scipy.special import ndtr

    m, k1 = rc.shape
    l1 = cc.shape[1]
    grid = np.zeros((m, k1 + 2, l1 + 2))
    hh = np.broadcast_to(rc[:, :, None], (m, k1, l1))
    kk = np.broadcast_to(cc[:, None, :], (m, k1, l1))
    grid[:, 1:-1, 1:-1] = _bvn_cdf(hh, kk, np.broadcast_to(rho[:, None, None], hh.shape))
    grid[:, 1:-1, -1] = ndtr(rc)
    grid[:, -1, 1:-1] = ndtr(cc)
    grid[:, -1, -1] = 1.0
    return grid


def _cell_probs(rho, rc, cc):
    """Cell probabilities (m, K, L), floored at sqrt(eps) as lavaan does."""
    grid = _cdf_grid(rho, rc, cc)
    p = np.diff(np.diff(grid, axis=1), axis=2)
    return np.maximum(p, _SQRT_EPS)


def _density_grids(rho, rc, cc, second=False):
    """d/drho (and d2/drho2) of the CDF at the inner edges, zero on the borders: (m, K+1, L+1)."""
    m, k1 = rc.shape
    l1 = cc.shape[1]
    r = rho[:, None, None]
    u = rc[:, :, None]
    v = cc[:, None, :]
    one = 1.0 - r * r
    dens = np.exp(-(u * u - 2 * r * u * v + v * v) / (2 * one)) / (2 * np.pi * np.sqrt(one))
    d1 = np.zeros((m, k1 + 2, l1 + 2))
    d1[:, 1:-1, 1:-1] = dens
    if not second:
        return d1
    guv = (u * v * one - r * (u * u - 2 * r * u * v + v * v) + r * one) / (one * one)
    d2 = np.zeros_like(d1)
    d2[:, 1:-1, 1:-1] = dens * guv
    return d1, d2


def _cells(grid):
    return np.diff(np.diff(grid, axis=1), axis=2)


def _neg_loglik(rho, rc, cc, tabs):
    return -(tabs * np.log(_cell_probs(rho, rc, cc))).sum(axis=(1, 2))


def _score_hessian(rho, rc, cc, tabs):
    """Score and second derivative of the pair log-likelihoods in rho (cells below sqrt(eps) left out)."""
    p = _cell_probs(rho, rc, cc)
    d1, d2 = _density_grids(rho, rc, cc, second=True)
    phi, gn = _cells(d1), _cells(d2)
    ok = p > _SQRT_EPS
    w = np.where(ok, tabs / p, 0.0)
    g = (w * phi).sum(axis=(1, 2))
    h = (w * gn).sum(axis=(1, 2)) - (np.where(ok, tabs / (p * p), 0.0) * phi * phi).sum(axis=(1, 2))
    return g, h


def _two_by_two(tab, th_a, th_b):
    """lavaan's special cases for 2 x 2 tables; returns (rho or None, possibly corrected table)."""
    zero = np.flatnonzero(tab.ravel() == 0)
    if len(zero) == 2:
        return None, None
    if len(zero) == 1:
        tab = tab.copy()
        if zero[0] in (0, 3):  # an empty cell on the main diagonal
            tab += np.array([[0.5, -0.5], [-0.5, 0.5]])
        else:
            tab += np.array([[-0.5, 0.5], [0.5, -0.5]])
    if tab[0, 0] * tab[1, 1] == tab[0, 1] * tab[1, 0]:
        return 0.0, tab
    if th_a == 0 and th_b == 0:
        return -np.cos(2 * np.pi * tab[0, 0] / tab.sum()), tab
    return None, tab


def _polychoric_ml(tabs, rc, cc, ka, kb, pair_names):
    """Maximum-likelihood rho for every pair with thresholds fixed (lavaan's two-step estimate)."""
    m = tabs.shape[0]
    rho = np.full(m, np.nan)
    tabs_fit = tabs.copy()
    todo = np.ones(m, bool)
    for q in np.flatnonzero((ka == 2) & (kb == 2)):
        val, tab = _two_by_two(tabs[q, :2, :2], rc[q, 0], cc[q, 0])
        if tab is None:
            a, b = pair_names[q]
            raise DataValidationError(
                f"The 2 x 2 table of {a!r} and {b!r} has two empty cells: the two items split the respondents "
                "the same way, so their tetrachoric correlation is +1 or -1 and its sampling variance (Gamma) is "
                "not defined (lavaan sets it to +-1 and goes on with a warning). Drop one of the two items, or "
                "check their coding.", report=pd.DataFrame({"item_a": [a], "item_b": [b],
                                                             "reason": "two empty cells in a 2 x 2 table"}))
        tabs_fit[q, :2, :2] = tab
        if val is not None:
            rho[q] = val
            todo[q] = False
    if todo.any():
        idx = np.flatnonzero(todo)
        tab_n = tabs_fit[idx] / tabs_fit[idx].sum(axis=(1, 2), keepdims=True)
        r_c, c_c = rc[idx], cc[idx]

        def f(r, mask):
            out = np.zeros_like(r)
            if mask.any():
                out[mask] = _neg_loglik(r[mask], r_c[mask], c_c[mask], tab_n[mask])
            return out

        r = _brent_min(f, len(idx), -_RHO_BOUND, _RHO_BOUND)
        # Newton steps on the exact score polish Brent's bracket to machine precision
        for _ in range(20):
            g, h = _score_hessian(r, r_c, c_c, tab_n)
            step = np.where(h < 0, -g / np.where(h < 0, h, -1.0), 0.0)
            new = np.clip(r + step, -_RHO_BOUND, _RHO_BOUND)
            done = np.abs(new - r) < 1e-13
            r = new
            if done.all():
                break
        g, h = _score_hessian(r, r_c, c_c, tab_n)
        bad = ~(np.abs(g) < 1e-7) & (np.abs(r) < _RHO_BOUND)
        if bad.any():
            listed = ", ".join(f"{pair_names[idx[q]][0]} & {pair_names[idx[q]][1]}" for q in np.flatnonzero(bad)[:5])
            warn(f"The polychoric correlation did not converge for {int(bad.sum())} pair(s): {listed}. Their "
                 "tables are probably very sparse; merge rare categories.", FactorConvergenceWarning)
        rho[idx] = r
    near = np.abs(rho) > 0.99
    for q in np.flatnonzero(near):
        a, b = pair_names[q]
        warn(f"The polychoric correlation of {a!r} and {b!r} is (nearly) 1.0 ({rho[q]:.4f}); the two items "
             "may be duplicates, and a model using both may not be identified.", NotPositiveDefiniteWarning)
    return rho


# ------------------------------------------------------------------------------------- Gamma
def _gamma(codes, present, ncat, tau_c, props, rho, tabs, a_idx, b_idx):
    """lavaan's NACOV of (thresholds, polychorics) from case-wise scores (muthen1984)."""
    from scipy.special import ndtr

    n, p = codes.shape
    kmax = tau_c.shape[1] + 1
    nth = ncat - 1
    th_start = np.concatenate([[0], np.cumsum(nth)[:-1]])
    nth_tot = int(nth.sum())
    m = len(a_idx)
    dens = np.exp(-0.5 * tau_c * tau_c) / np.sqrt(2 * np.pi)  # phi(t_k), 0 for padding

    # univariate threshold scores: case in category c, threshold k: [c == k] phi_k/p_k - [c == k+1] phi_k/p_{k+1}
    th_tables = []
    for j in range(p):
        k = nth[j]
        table = np.zeros((kmax, k))
        pk = props[j, :k + 1]
        for t in range(k):
            table[t, t] = dens[j, t] / pk[t]
            table[t + 1, t] = -dens[j, t] / pk[t + 1]
        th_tables.append(table)

    # bivariate pieces per pair: cell probabilities, d/drho, d/dthreshold
    rc, cc = tau_c[a_idx], tau_c[b_idx]
    pcell = _cell_probs(rho, rc, cc)
    phi = _cells(_density_grids(rho, rc, cc))
    ok = pcell > _SQRT_EPS
    srho = np.where(ok, phi / pcell, 0.0)  # score in rho of a case in each cell
    r = rho[:, None, None]
    sd = np.sqrt(1 - r * r)
    ea, eb = _edges(rc), _edges(cc)  # (m, K+1)
    # G1[q, k, b] = phi(t_a,k) [Phi((f_{b+1} - rho t_a,k)/R) - Phi((f_b - rho t_a,k)/R)]
    g1 = dens[a_idx][:, :, None] * np.diff(ndtr((eb[:, None, :] - r * rc[:, :, None]) / sd), axis=2)
    g2 = dens[b_idx][:, :, None] * np.diff(ndtr((ea[:, None, :] - r * cc[:, :, None]) / sd), axis=2)
    qmat = np.where(ok, tabs * srho / pcell, 0.0)  # n_ab * s_rho / P_ab
    a21_a = (g1 * (qmat[:, :-1, :] - qmat[:, 1:, :])).sum(axis=2)  # (m, K-1)
    a21_b = (g2 * (qmat[:, :, :-1] - qmat[:, :, 1:]).transpose(0, 2, 1)).sum(axis=2)  # (m, L-1)

    # J = sum of the outer products of the case-wise scores, accumulated over blocks of rows (memory)
    total = nth_tot + m
    inner = np.zeros((total, total))
    chunk = max(1, _BLOCK_CELLS // total)
    pair = np.arange(m)[None, :]
    for start in range(0, n, chunk):
        rows_ = slice(start, min(start + chunk, n))
        c, pr = codes[rows_], present[rows_]
        sc = np.zeros((c.shape[0], total))
        for j in range(p):
            block = th_tables[j][np.where(pr[:, j], c[:, j], 0)]
            block[~pr[:, j]] = 0.0
            sc[:, th_start[j]:th_start[j] + nth[j]] = block
        both = pr[:, a_idx] & pr[:, b_idx]
        sc_cor = srho[pair, np.where(both, c[:, a_idx], 0), np.where(both, c[:, b_idx], 0)]
        sc_cor[~both] = 0.0
        sc[:, nth_tot:] = sc_cor
        inner += sc.T @ sc
    a11 = np.zeros((nth_tot, nth_tot))
    for j in range(p):
        s = slice(th_start[j], th_start[j] + nth[j])
        a11[s, s] = inner[s, s]
    a21 = np.zeros((m, nth_tot))
    rows = np.arange(m)
    for q in range(m):
        i, j = a_idx[q], b_idx[q]
        a21[q, th_start[i]:th_start[i] + nth[i]] = a21_a[q, :nth[i]]
        a21[q, th_start[j]:th_start[j] + nth[j]] = a21_b[q, :nth[j]]
    a22 = np.diag(inner)[nth_tot:].copy()
    if (a22 <= 0).any():
        q = int(np.flatnonzero(a22 <= 0)[0])
        raise DataValidationError(
            f"The polychoric correlation of items {int(a_idx[q]) + 1} and {int(b_idx[q]) + 1} carries no "
            "information (every answered cell of their table has a model probability below sqrt(machine eps)), "
            "so its sampling variance is not defined. Merge sparse categories or drop one of the items.",
            report=pd.DataFrame({"item_a": [int(a_idx[q]) + 1], "item_b": [int(b_idx[q]) + 1],
                                 "reason": "no information"}))
    try:
        a11_inv = np.linalg.inv(a11)
    except np.linalg.LinAlgError:
        warn("The threshold block of the weight-matrix computation is singular; a generalized inverse was "
             "used, as lavaan does. Check items with very rare categories.", NotPositiveDefiniteWarning)
        a11_inv = np.linalg.pinv(a11)
    binv = np.zeros((nth_tot + m, nth_tot + m))
    binv[:nth_tot, :nth_tot] = a11_inv
    binv[nth_tot:, :nth_tot] = -(a21 / a22[:, None]) @ a11_inv
    binv[nth_tot + rows, nth_tot + rows] = 1.0 / a22
    acov = binv @ inner @ binv.T
    return n * (acov + acov.T) / 2
