"""Is a correlation matrix worth factoring? Kaiser-Meyer-Olkin and Bartlett's sphericity test."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pandas as pd

from .._checks import warn
from .._results import Result
from ..exceptions import DataValidationError, InvalidParameterError, NotPositiveDefiniteWarning
from ._data import singular_cause
from .correlation import correlation_input

__all__ = ["kmo", "KMO", "bartlett_sphericity", "BartlettSphericity"]

#: Kaiser's (1974) labels for the overall MSA, lower bounds
_KAISER = ((0.9, "marvelous"), (0.8, "meritorious"), (0.7, "middling"), (0.6, "mediocre"), (0.5, "miserable"),
           (-np.inf, "unacceptable"))


@dataclass(kw_only=True, repr=False, eq=False)
class KMO(Result):
    """Result of :func:`kmo`.

    Attributes
    ----------
    table : DataFrame
        Column ``msa``: one row per item (its measure of sampling adequacy) and a last row ``"overall"``
        (psych's ``MSAi`` and ``MSA``).
    msa : float
        The overall measure of sampling adequacy (the ``"overall"`` row).
    title, notes :
        See :class:`toolkit._results.Result`.
    """

    table: pd.DataFrame
    msa: float

    _was_table: ClassVar[str] = "kmo()"


def kmo(data_or_corr, *, missing: str = "pairwise") -> KMO:
    """Kaiser-Meyer-Olkin measure of sampling adequacy, overall and per item.

    Parameters
    ----------
    data_or_corr : DataFrame or ndarray
        Item responses or a correlation matrix.
    missing : {"pairwise", "listwise"}
        How raw data with missing answers are correlated.

    Returns
    -------
    KMO
        ``msa`` (overall) and ``table`` (one row per item plus ``"overall"``, column ``msa``).

    Raises
    ------
    DataValidationError
        When the correlation matrix is singular (an item duplicates another, items are linear combinations
        of each other, or there are fewer respondents than items): the partial correlations need its
        inverse. The message names the items and ``err.report`` lists them. psych::KMO prints "matrix is
        not invertible, image not found" and carries on with R in place of its inverse, which gives a
        number (0.5 for a duplicated item) that is not a measure of sampling adequacy.

    Notes
    -----
    With :math:`q_{ij}` the partial correlations (from :math:`R^{-1}`),
    :math:`MSA = \\sum_{i\\ne j} r_{ij}^2 / (\\sum_{i\\ne j} r_{ij}^2 + \\sum_{i\\ne j} q_{ij}^2)`;
    the per-item value sums over j only.

    R equivalent: ``psych::KMO(x)``.

    References
    ----------
    Kaiser, H. F. (1970). A second generation little jiffy. Psychometrika, 35, 401-415.

    Kaiser, H. F. (1974). An index of factorial simplicity. Psychometrika, 39, 31-36.

    Examples
    --------
    >>> import numpy as np
    >>> from toolkit.factor import kmo
    >>> r = np.array([[1, .5, .4], [.5, 1, .3], [.4, .3, 1]])
    >>> round(kmo(r).msa, 4)   # R: psych::KMO(r)$MSA 0.6279
    0.6279
    """
    r, n = correlation_input(data_or_corr, missing=missing, caller="kmo")
    singular = singular_cause(r, n)
    if singular is not None:
        cause, report = singular
        raise DataValidationError(
            f"kmo() needs the inverse of the correlation matrix, which is singular: {cause}. Drop one item of each "
            "set (or combine them), or collect more respondents; the items are listed in err.report. (psych::KMO "
            "would print 'matrix is not invertible, image not found' and return a value that is not an MSA.)",
            report=report)
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
    table = pd.DataFrame({"msa": np.append(item, overall)}, index=list(r.index) + ["overall"])
    label = next(name for low, name in _KAISER if overall >= low)
    notes = [f"overall MSA {overall:.2f}: '{label}' in Kaiser's (1974) words (.90s marvelous, .80s meritorious, "
             ".70s middling, .60s mediocre, .50s miserable, below .50 unacceptable)",
             f"correlations: {'the matrix given' if n is None else missing + ' Pearson'}",
             "R equivalent: psych::KMO(x)"]
    return KMO(table=table, msa=float(overall), title=f"Kaiser-Meyer-Olkin ({len(r)} items)", notes=notes)


@dataclass(kw_only=True, repr=False, eq=False)
class BartlettSphericity(Result):
    """Result of :func:`bartlett_sphericity`.

    Attributes
    ----------
    chi2 : float
        The test statistic (infinite when the correlation matrix is singular, as in R).
    df : float
        Degrees of freedom, p(p - 1)/2.
    p_value : float
        Upper-tail chi-square probability.
    n_obs : int
        Respondents.
    table : Series
        (Read-only) ``chi2``, ``df``, ``p_value`` and ``n_obs`` in one Series; what :meth:`summary` shows.
    title, notes :
        See :class:`toolkit._results.Result`.
    """

    chi2: float
    df: float
    p_value: float
    n_obs: int

    _was_table: ClassVar[str] = "bartlett_sphericity()"

    @property
    def table(self) -> pd.Series:
        """``chi2``, ``df``, ``p_value`` and ``n_obs`` as one Series named ``bartlett``."""
        return pd.Series({"chi2": self.chi2, "df": self.df, "p_value": self.p_value, "n_obs": self.n_obs},
                         name="bartlett")

    def _display_tables(self) -> dict:
        return {}


def bartlett_sphericity(data_or_corr, *, n_obs: int | None = None, missing: str = "pairwise") -> BartlettSphericity:
    """Bartlett's test that the correlation matrix is an identity matrix.

    Parameters
    ----------
    data_or_corr : DataFrame or ndarray
        Item responses or a correlation matrix.
    n_obs : int, optional
        Respondents; required with a correlation matrix (psych would silently use 100).
    missing : {"pairwise", "listwise"}
        How raw data with missing answers are correlated.

    Returns
    -------
    BartlettSphericity
        ``chi2``, ``df``, ``p_value``, ``n_obs`` and the notes.

    Notes
    -----
    :math:`\\chi^2 = -\\left(n - 1 - \\frac{2p+5}{6}\\right)\\log|R|` on :math:`p(p-1)/2` df. A singular
    :math:`R` (:math:`|R| = 0`: collinear items, or fewer respondents than items) gives an infinite
    statistic and p = 0, as in R, with a :class:`~toolkit.exceptions.NotPositiveDefiniteWarning` naming the
    cause.

    R equivalent: ``psych::cortest.bartlett(x)``.

    References
    ----------
    Bartlett, M. S. (1951). The effect of standardization on a chi square approximation in
    factor analysis. Biometrika, 38, 337-344.

    Examples
    --------
    >>> import numpy as np
    >>> from toolkit.factor import bartlett_sphericity
    >>> r = np.array([[1, .5], [.5, 1]])
    >>> round(bartlett_sphericity(r, n_obs=100).chi2, 4)   # R: 28.049
    28.049
    """
    from scipy.stats import chi2

    r, n = correlation_input(data_or_corr, n_obs, missing=missing, caller="bartlett_sphericity")
    if n is None:
        raise InvalidParameterError(
            "The 'n_obs' parameter of bartlett_sphericity() is required with a correlation matrix: pass the number "
            "of respondents (psych::cortest.bartlett would silently use 100).")
    p = r.shape[0]
    notes = []
    sign, logdet = np.linalg.slogdet(r.to_numpy())
    singular = singular_cause(r, n)
    if singular is not None:
        message = (f"The correlation matrix is singular ({singular[0]}): its determinant is 0, so Bartlett's "
                   "chi-square is infinite and p = 0, as in R; the test says nothing about these items.")
        warn(message, NotPositiveDefiniteWarning)
        notes.append(message)
        if sign <= 0:
            logdet = -np.inf
    stat = -logdet * (n - 1 - (2 * p + 5) / 6)
    df = p * (p - 1) / 2
    notes.append("R equivalent: psych::cortest.bartlett(x)" if n_obs is None else
                 f"R equivalent: psych::cortest.bartlett(r, n = {n})")
    return BartlettSphericity(chi2=float(stat), df=float(df), p_value=float(chi2.sf(stat, df)), n_obs=int(n),
                              title=f"Bartlett's test of sphericity ({p} items, n = {n})", notes=notes)
