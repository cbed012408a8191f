"""Guttman's lambda 2 and lambda 6 and split-half reliabilities, as psych::splitHalf computes them."""

from __future__ import annotations

from itertools import combinations, islice
from math import comb

import numpy as np
import pandas as pd

from . import _core
from .._checks import (check_bool, check_choice, check_count, check_missing, check_seed, instrument_or_keys,
                       renamed_parameter)
from ._data import pick_scale, prepare

__all__ = ["split_half", "split_half_stats"]


def split_half_stats(C: np.ndarray, *, covar: bool = False, n_sample: int = 10000, seed=0) -> dict:
    """psych::splitHalf on a covariance matrix of keyed items.

    Returns max, min and mean split-half reliability over splits, lambda 2, lambda 6, alpha, the average
    and median inter-item r, the odd-even split's Spearman-Brown coefficient and whether all splits were
    enumerated (``exact``) or ``n_sample`` random splits were drawn (more than 10,000 splits, as psych).
    """
    R = _core.cov2cor(C)
    r = C if covar else R
    n = r.shape[0]
    sumr = r.sum()
    off = r - np.diag(np.diag(r))
    sum_off = sumr - np.trace(r)
    sumsq_off = (off**2).sum()
    alpha = (sum_off / sumr) * n / (n - 1)
    lambda6 = (sum_off + (_core.smc(R) * (np.diag(C) if covar else 1)).sum()) / sumr
    lambda2 = (sum_off + np.sqrt(sumsq_off * n / (n - 1))) / sumr
    low = r[np.tril_indices(n, -1)]
    m = n // 2
    count = comb(n, m) / 2
    exact = count <= n_sample
    if exact:
        n_proc = max(int(np.ceil(count)), 1)
        A = np.zeros((n_proc, n))
        for i, c in enumerate(islice(combinations(range(n), m), n_proc)):
            A[i, list(c)] = 1.0
        denom = count
    else:
        rng = np.random.default_rng(seed)
        order = rng.random((n_sample, n)).argsort(axis=1)[:, :m]
        A = np.zeros((n_sample, n))
        np.put_along_axis(A, order, 1.0, axis=1)
        denom = n_sample
    B = 1 - A
    rab = 4 * np.einsum("si,ij,sj->s", A, r, B) / sumr
    odd, even = np.arange(0, n, 2), np.arange(1, n, 2)
    r_oe = r[np.ix_(odd, even)].sum() / np.sqrt(r[np.ix_(odd, odd)].sum() * r[np.ix_(even, even)].sum())
    return {"max_split": float(rab.max()), "min_split": float(rab.min()), "mean_split": float(rab.sum() / denom),
            "sb_odd_even": float(2 * r_oe / (1 + r_oe)), "lambda2": float(lambda2), "lambda6": float(lambda6),
            "alpha": float(alpha), "average_r": float(np.mean(low)), "median_r": float(np.median(low)),
            "splits_exact": bool(exact)}


@renamed_parameter("scale", "response_scale")
def split_half(data: pd.DataFrame, instrument=None, *, keys=None, form: str | None = None,
               subscale: str | None = None, items=None, pattern: str | None = None, on_invalid: str = "raise",
               missing: str = "pairwise", covar: bool = False, n_sample: int = 10000, seed=0,
               response_scale=None) -> pd.DataFrame:
    """Compute the split-half reliabilities and Guttman's lambda 2 and 6 of one scale, as psych::splitHalf.

    Every split of the items into two halves gives a reliability; the largest, smallest and mean over all
    splits (or over 10,000 random ones when there are more) are reported with lambda 2 and lambda 6.

    Parameters
    ----------
    data : DataFrame
        Items in columns.
    instrument : str or Instrument, optional
        An instrument id such as ``"wai-sr"``: its key says which columns are items and which are reversed.
    keys : list of str or mapping, optional
        Without an instrument: the items, psych style (``"-A1"`` reverses A1), or ``{subscale: [items]}``.
        Default: every column.
    form : str, optional
        The instrument's form (client, therapist, ...), when it has several.
    subscale : str, optional
        Which scale to analyse: a subscale of the instrument or of ``keys``. Default: the only scale, else the
        total (every item).
    items : mapping, optional
        Instrument only: item number -> column, for columns that do not follow the instrument's naming
        (passed to ``toolkit.scoring.item_frame``).
    pattern : str, optional
        Instrument only: how the item columns are named, e.g. ``"Q{n}"`` (passed to ``item_frame``).
    on_invalid : {"raise", "missing"}
        Instrument only: cells that are not valid answers raise, naming every one (``"raise"``), or become
        missing with a warning (``"missing"``).
    missing : {"pairwise", "listwise"}
        How the correlations are formed.
    covar : bool
        Use covariances instead of correlations (psych's ``covar``; default correlations, as psych).
    n_sample : int
        With more than ``n_sample`` distinct splits, draw that many at random instead (psych's 10,000).
    seed : int or numpy.random.Generator
        Seed of ``numpy.random.default_rng`` for the random splits.
    response_scale : (min, max), mapping or ResponseScale, optional
        Response range for reversing items; default the observed range of the items (as psych).
        With an instrument it replaces the instrument's scale, as in ``toolkit.score`` (a pair means steps of 1;
        pass a mapping or a ``ResponseScale`` for anything else).

    Returns
    -------
    DataFrame
        One row: ``max_split``, ``min_split``, ``mean_split`` (over all splits into halves of
        floor(k/2) and the rest; psych's maxrb, minrb, meanr), ``sb_odd_even`` (Spearman-Brown of the odd-even
        split), ``lambda2``, ``lambda6``, ``alpha``, ``average_r``, ``median_r``, ``splits_exact`` (False when
        the splits were sampled).

    See Also
    --------
    reliability : Lambda 2 and the split halves of every subscale, next to alpha and omega.

    Notes
    -----
    For a split (A, B) the split-half reliability is 4 r_AB / 1'R1 with r_AB the sum of correlations
    between the halves (Flanagan-Rulon on standardized items). lambda 2 = (sum_{i!=j} r_ij +
    sqrt(k/(k-1) sum_{i!=j} r_ij^2)) / 1'R1; lambda 6 = (sum_{i!=j} r_ij + sum smc) / 1'R1. Spearman-Brown of
    a split: 2 r / (1 + r), r the correlation of the half sums. psych enumerates the first half of the
    lexicographic list of floor(k/2)-item subsets and divides their sum by choose(k, floor(k/2))/2; for odd k
    this is what psych reports and what we mirror.

    R equivalent: ``psych::splitHalf(x, check.keys = FALSE)``.

    References
    ----------
    .. [1] Guttman, L. (1945). A basis for analyzing test-retest reliability. Psychometrika, 10, 255-282.
    .. [2] Revelle, W., & Condon, D. M. (2019). Reliability from alpha to omega: A tutorial. Psychological
       Assessment, 31, 1395-1411.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"a": [1, 2, 3, 4, 5], "b": [2, 1, 4, 3, 5], "c": [1, 3, 2, 5, 4], "d": [2, 2, 3, 4, 4]})
    >>> split_half(df)[["max_split", "min_split", "lambda2"]].round(3)
       max_split  min_split  lambda2
    0      0.989      0.883    0.927
    """
    caller = "split_half"
    instrument, keys = instrument_or_keys(instrument, keys, caller=caller)
    missing = check_missing(missing, caller=caller)
    covar = check_bool(covar, param="covar", caller=caller)
    n_sample = check_count(n_sample, param="n_sample", caller=caller, minimum=1, what="random splits")
    seed = check_seed(seed, caller=caller)
    on_invalid = check_choice(on_invalid, ("raise", "missing"), param="on_invalid", caller=caller)
    sd = prepare(data, instrument, keys=keys, form=form, items=items, pattern=pattern, on_invalid=on_invalid,
                 total=True, response_scale=response_scale, caller=caller)
    _, cols = pick_scale(sd, subscale, caller=caller)
    C, _ = _core.pairwise_cov(sd.frame[cols].to_numpy(dtype=float), missing)
    return pd.DataFrame([split_half_stats(C, covar=covar, n_sample=n_sample, seed=seed)])
