"""Is a correlation matrix worth factoring? Kaiser-Meyer-Olkin and Bartlett's sphericity test."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .correlation import correlation_input

__all__ = ["kmo", "bartlett_sphericity"]


def kmo(data_or_corr, *, missing: str = "pairwise") -> pd.DataFrame:
    """Kaiser-Meyer-Olkin measure of sampling adequacy, overall and per item (psych::KMO).

    Parameters
    ----------
    data_or_corr : DataFrame or ndarray
        Item responses or a correlation matrix.
    missing : {"pairwise", "listwise"}
        How raw data with missing answers are correlated.

    Returns
    -------
    DataFrame
        One row per item plus a last row ``"overall"``; column ``msa``.

    Notes
    -----
    With :math:`q_{ij}` the partial correlations (from :math:`R^{-1}`),
    :math:`MSA = \\sum_{i\\ne j} r_{ij}^2 / (\\sum_{i\\ne j} r_{ij}^2 + \\sum_{i\\ne j} q_{ij}^2)`;
    the per-item value sums over j only.

    References
    ----------
    Kaiser, H. F. (1970). A second generation little jiffy. Psychometrika, 35, 401-415.

    R equivalent: ``psych::KMO(x)``.

    Examples
    --------
    >>> import numpy as np
    >>> from toolkit.factor import kmo
    >>> r = np.array([[1, .5, .4], [.5, 1, .3], [.4, .3, 1]])
    >>> round(float(kmo(r).loc["overall", "msa"]), 4)   # R: psych::KMO(r)$MSA 0.6279
    0.6279
    """
    r, _ = correlation_input(data_or_corr, missing=missing)
    a = r.to_numpy()
    q = np.linalg.inv(a)
    d = 1 / np.sqrt(np.diag(q))
    q = q * d[:, None] * d[None, :]
    np.fill_diagonal(q, 0)
    a = a.copy()
    np.fill_diagonal(a, 0)
    r2, q2 = a**2, q**2
    item = r2.sum(axis=0) / (r2.sum(axis=0) + q2.sum(axis=0))
    overall = r2.sum() / (r2.sum() + q2.sum())
    return pd.DataFrame({"msa": np.append(item, overall)}, index=list(r.index) + ["overall"])


def bartlett_sphericity(data_or_corr, *, n_obs: int | None = None, missing: str = "pairwise") -> pd.Series:
    """Bartlett's test that the correlation matrix is an identity matrix (psych::cortest.bartlett).

    Parameters
    ----------
    data_or_corr : DataFrame or ndarray
        Item responses or a correlation matrix.
    n_obs : int
        Respondents; required with a correlation matrix (psych would silently use 100).
    missing : {"pairwise", "listwise"}

    Returns
    -------
    Series
        ``chi2``, ``df``, ``p_value``, ``n_obs``.

    Notes
    -----
    :math:`\\chi^2 = -\\left(n - 1 - \\frac{2p+5}{6}\\right)\\log|R|` on :math:`p(p-1)/2` df.

    References
    ----------
    Bartlett, M. S. (1951). The effect of standardization on a chi square approximation in
    factor analysis. Biometrika, 38, 337-344.

    R equivalent: ``psych::cortest.bartlett(x)``.

    Examples
    --------
    >>> import numpy as np
    >>> from toolkit.factor import bartlett_sphericity
    >>> r = np.array([[1, .5], [.5, 1]])
    >>> round(float(bartlett_sphericity(r, n_obs=100)["chi2"]), 4)   # R: 28.049
    28.049
    """
    from scipy.stats import chi2

    r, n = correlation_input(data_or_corr, n_obs, missing=missing)
    if n is None:
        raise ValueError("bartlett_sphericity needs n_obs (the number of respondents) when given a correlation matrix.")
    p = r.shape[0]
    stat = -np.linalg.slogdet(r.to_numpy())[1] * (n - 1 - (2 * p + 5) / 6)
    df = p * (p - 1) / 2
    return pd.Series({"chi2": stat, "df": df, "p_value": float(chi2.sf(stat, df)), "n_obs": n}, name="bartlett")
