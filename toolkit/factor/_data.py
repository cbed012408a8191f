"""Input checks shared by the factor modules: raw item data or a correlation matrix."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..exceptions import DataValidationError

__all__ = ["as_item_frame", "is_correlation", "as_correlation_frame"]


def as_item_frame(data, *, what: str = "data") -> pd.DataFrame:
    """Return a float copy of ``data`` (rows = respondents, columns = items).

    Every non-numeric cell is reported at once in a :class:`DataValidationError`
    whose ``report`` has one row per bad cell. Missing values (NaN/None) are kept.
    """
    if isinstance(data, pd.DataFrame):
        frame = data
    elif isinstance(data, np.ndarray) and data.ndim == 2:
        frame = pd.DataFrame(data, columns=[f"V{i + 1}" for i in range(data.shape[1])])
    else:
        raise TypeError(
            f"{what} must be a pandas DataFrame or a 2-D numpy array of item responses "
            f"(got a {type(data).__name__}); pass one row per respondent and one column per item."
        )
    if frame.shape[1] < 2:
        raise DataValidationError(
            f"{what} has {frame.shape[1]} column(s); factor analysis needs at least 2 item columns.",
            report=pd.DataFrame(columns=["row", "column", "value", "reason"]),
        )
    if all(pd.api.types.is_numeric_dtype(t) for t in frame.dtypes):  # numbers only: one conversion
        numeric = pd.DataFrame(frame.to_numpy(dtype=float, na_value=np.nan, copy=True), index=frame.index,
                               columns=frame.columns)
    else:
        numeric = frame.apply(pd.to_numeric, errors="coerce").astype(float)
    bad = numeric.isna() & frame.notna()
    if bad.to_numpy().any():
        rows, cols = np.nonzero(bad.to_numpy())
        report = pd.DataFrame(
            {
                "row": frame.index[rows],
                "column": frame.columns[cols],
                "value": [frame.iat[r, c] for r, c in zip(rows, cols)],
                "reason": "not a number",
            }
        )
        listing = "; ".join(f"row {r!r}, column {c!r}: {v!r}" for r, c, v in report.iloc[:10, :3].itertuples(index=False))
        more = f" (and {len(report) - 10} more)" if len(report) > 10 else ""
        raise DataValidationError(
            f"{what} has {len(report)} non-numeric cell(s): {listing}{more}. "
            "Recode them as numbers or set them to missing (NaN); the full list is in err.report.",
            report=report,
        )
    inf = np.isinf(numeric.to_numpy())
    if inf.any():
        rows, cols = np.nonzero(inf)
        report = pd.DataFrame(
            {"row": frame.index[rows], "column": frame.columns[cols], "value": numeric.to_numpy()[rows, cols], "reason": "infinite"}
        )
        raise DataValidationError(
            f"{what} has {len(report)} infinite cell(s), first at row {report.row.iloc[0]!r}, column "
            f"{report.column.iloc[0]!r}; set them to missing (NaN). The full list is in err.report.",
            report=report,
        )
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
