"""Input checks shared by the factor modules: raw item data or a correlation matrix, and what makes a
correlation matrix singular."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._checks import numeric_frame
from ..exceptions import DataValidationError, InvalidParameterError

__all__ = ["as_item_frame", "is_correlation", "as_correlation_frame", "singular_cause"]


def as_item_frame(data, *, param: str = "data", caller: str | None = None) -> pd.DataFrame:
    """Return a float copy of ``data`` (rows = respondents, columns = items), column names as text.

    Every cell that is not a number is reported at once by :func:`toolkit._checks.numeric_frame` (a
    :class:`~toolkit.exceptions.DataValidationError` whose ``report`` has one row per bad cell). Missing
    values (NaN/None) are kept; the caller's frame is never modified.
    """
    where = f" of {caller}()" if caller else ""
    if isinstance(data, pd.DataFrame):
        frame = data
    elif isinstance(data, np.ndarray) and data.ndim == 2:
        frame = pd.DataFrame(data, columns=[f"V{i + 1}" for i in range(data.shape[1])])
    else:
        raise InvalidParameterError(
            f"The {param!r} argument{where} must be a pandas DataFrame or a 2-D numpy array of item responses "
            f"(got a {type(data).__name__}); pass one row per respondent and one column per item.")
    if frame.shape[1] < 2:
        raise DataValidationError(
            f"The {param!r} argument{where} has {frame.shape[1]} column(s); factor analysis needs at least 2 "
            "item columns.", report=pd.DataFrame(columns=["row", "column", "value", "reason"]))
    numeric = numeric_frame(frame, param=param, caller=caller,
                            fix="Recode them as numbers, or set them to missing (NaN); the full list is in err.report.")
    numeric.columns = [str(c) for c in numeric.columns]
    return numeric


def is_correlation(data) -> bool:
    """True when ``data`` is a square symmetric matrix with a unit diagonal (psych's ``isCorrelation``)."""
    a = np.asarray(data.to_numpy() if isinstance(data, pd.DataFrame) else data)
    if a.ndim != 2 or a.shape[0] != a.shape[1] or not np.issubdtype(a.dtype, np.number):
        return False
    a = a.astype(float)
    if np.isnan(a).any():
        return False
    return bool(np.allclose(a, a.T, atol=1e-10) and np.allclose(np.diag(a), 1.0, atol=1e-10))


def as_correlation_frame(data) -> pd.DataFrame:
    """Return a correlation matrix as a labelled DataFrame (symmetrised, unit diagonal)."""
    if isinstance(data, pd.DataFrame):
        names = [str(c) for c in data.columns]
        a = data.to_numpy(dtype=float)
    else:
        a = np.asarray(data, dtype=float)
        names = [f"V{i + 1}" for i in range(a.shape[0])]
    a = (a + a.T) / 2
    np.fill_diagonal(a, 1.0)
    return pd.DataFrame(a, index=names, columns=names)


def _names(items: list) -> str:
    quoted = [repr(str(i)) for i in items]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " and " + quoted[-1]


def singular_cause(r: pd.DataFrame, n_obs=None) -> tuple[str, pd.DataFrame] | None:
    """Why a correlation matrix is singular, or None when it is not.

    The matrix is taken as singular when an eigenvalue is within sqrt(machine eps) times the largest of 0 (the
    tolerance of psych's ``Pinv``, which :func:`toolkit.factor.smc` uses). The cause is either fewer
    respondents than items (rank at most n - 1) or sets of items that are linear combinations of each
    other: those are read off the null space (items i and j belong to one set when the projection onto the
    null space links them).

    Returns
    -------
    (str, DataFrame) or None
        A sentence naming the cause, and a report with one row per item involved (``item``, ``set``,
        ``reason``).
    """
    a = r.to_numpy(dtype=float)
    if np.isnan(a).any():
        return None
    vals, vecs = np.linalg.eigh(a)
    tol = np.sqrt(np.finfo(float).eps) * max(float(vals.max()), 1.0)
    null = vecs[:, np.abs(vals) < tol]
    if null.shape[1] == 0:
        return None
    names = list(r.index)
    p = len(names)
    if n_obs is not None and n_obs <= p:
        cause = (f"there are {n_obs} respondents for {p} items, and a correlation matrix of n respondents has rank "
                 "at most n - 1")
        report = pd.DataFrame({"item": names, "set": 1, "reason": "fewer respondents than items"})
        return cause, report
    proj = np.abs(null @ null.T) > 1e-6
    involved = np.flatnonzero(np.diag(proj))
    sets, seen = [], set()
    for i in involved:  # connected components of the "linked through the null space" graph
        if i in seen:
            continue
        stack, comp = [i], []
        while stack:
            j = stack.pop()
            if j in seen:
                continue
            seen.add(j)
            comp.append(j)
            stack.extend(np.flatnonzero(proj[j]).tolist())
        sets.append(sorted(comp))
    parts, rows = [], []
    for n_set, comp in enumerate(sets, start=1):
        items = [names[j] for j in comp]
        if len(comp) == 2 and abs(a[comp[0], comp[1]]) > 1 - 1e-8:
            what = f"items {_names(items)} are perfectly correlated (r = {a[comp[0], comp[1]]:.4f})"
            reason = "perfectly correlated with another item"
        else:
            what = f"items {_names(items)} are linearly dependent (each is a weighted sum of the others)"
            reason = "linear combination of other items"
        parts.append(what)
        rows += [(item, n_set, reason) for item in items]
    if not parts:  # pragma: no cover - an empty null space was handled above
        return None
    return "; ".join(parts), pd.DataFrame(rows, columns=["item", "set", "reason"])
