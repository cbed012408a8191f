"""Which columns of an export become numbers, and which stay text exactly as written.

An id is text: ``00123``, ``007``, ``1e3`` and ``12345678901234567890`` are names, and a number type
would turn them into ``123``, ``7``, ``1000.0`` and ``1.2345678901234567e+19``. The readers therefore read
every cell as text first and then convert only what is safe:

* item columns (the instrument's, when one is given) become numbers when every cell is one (else they
  stay text, for the scoring engine to name the bad cells);
* with an instrument, every other column stays text, so it is written back byte for byte;
* without an instrument, id columns (named like ids) stay text, and so does any column holding a value
  a number type would change (leading zeros, an exponent, a leading ``+``, more than 15 digits); other
  columns of plain numbers become numbers.
"""

from __future__ import annotations

import math
import re
from typing import Any

__all__ = ["as_text", "item_numbers", "changed_by_numbers", "cell_text", "plain_numbers", "text_dtype"]

_LOSSY = re.compile(r"^\s*[+-]?0\d|^\s*\+|[eE]|\d{16,}|^\s*-?\.|\.$|\.\d*0$|^-0$|^\s|\s$")
_LOSSY_LINES = re.compile(_LOSSY.pattern.replace("^", "(?m:^)").replace("$", "(?m:$)"))
_PLAIN = re.compile(r"-?\d+(\.\d+)?")


def cell_text(value: Any):
    """The text of one cell as a spreadsheet or statistics file stores it; missing stays missing.

    Whole numbers stored as floating point (SPSS, Stata, Excel) are written without ``.0``; other
    numbers in their shortest exact form.

    Examples
    --------
    >>> cell_text(123.0), cell_text(2.5), cell_text("007"), cell_text(None)
    ('123', '2.5', '007', None)
    """
    import datetime

    if value is None:
        return None
    if isinstance(value, bool):
        return str(value).upper()
    if isinstance(value, float):
        if math.isnan(value):
            return None
        if value.is_integer() and abs(value) < 2**53:
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime.datetime) and value.time() == datetime.time(0):
        return value.date().isoformat()
    try:
        import pandas as pd

        if value is pd.NA or value is pd.NaT:
            return None
    except ImportError:  # pragma: no cover
        pass
    return str(value)


def text_dtype():
    """pandas' string dtype for text columns (``"str"`` in pandas 3; plain ``object`` in pandas 2)."""
    import pandas as pd

    return "str" if int(pd.__version__.split(".")[0]) >= 3 else object


def as_text(series):
    """A column as text (pandas' string dtype), missing cells missing; the input is not changed."""
    import numpy as np
    import pandas as pd

    if pd.api.types.is_string_dtype(series.dtype) and not pd.api.types.is_object_dtype(series.dtype):
        return series
    if pd.api.types.is_float_dtype(series.dtype):  # SPSS, Stata: whole numbers without ".0"
        arr = series.to_numpy(dtype=float, na_value=np.nan)
        out = np.full(len(arr), None, dtype=object)
        known = ~np.isnan(arr)
        whole = known & (np.mod(arr, 1) == 0) & (np.abs(arr) < 2**53)
        out[whole] = arr[whole].astype(np.int64).astype(str)
        rest = np.flatnonzero(known & ~whole)
        out[rest] = [repr(float(v)) for v in arr[rest]]
        values = out
    elif pd.api.types.is_integer_dtype(series.dtype) and not series.isna().any():
        values = series.to_numpy().astype(str).astype(object)
    else:
        values = [cell_text(v) for v in series.tolist()]
    return pd.Series(values, index=series.index, name=series.name, dtype=object).astype(text_dtype())


def _texts(series, missing):
    """(positions, stripped texts) of the cells that are neither missing nor a ``missing`` token; None when a
    cell is a boolean (never a number)."""
    import numpy as np
    import pandas as pd

    obj = series.astype(object)
    known = obj.notna().to_numpy()
    values = obj[known]
    text_only = pd.api.types.is_string_dtype(series.dtype) and not pd.api.types.is_object_dtype(series.dtype)
    if not text_only and any(isinstance(v, (bool, np.bool_)) for v in values.tolist()):
        return None
    text = values.astype(str).str.strip()
    keep = ~text.str.casefold().isin(missing).to_numpy()
    return np.flatnonzero(known)[keep], text[keep]


def changed_by_numbers(series) -> bool:
    """Whether reading the column as numbers would change some value's text (an id, not a measurement).

    Examples
    --------
    >>> import pandas as pd
    >>> changed_by_numbers(pd.Series(["00123", "42"])), changed_by_numbers(pd.Series(["1", "2.5", None]))
    (True, False)
    """
    values = series.dropna()
    if not len(values):
        return False
    joined = "\n".join(map(str, values.tolist()))  # one search over all cells, one cell per line
    if joined.count("\n") != len(values) - 1:
        return True  # a cell holds a line break: text, not a number
    return bool(_LOSSY_LINES.search(joined))


def _numbers(series, texts, decimal: str, *, plain: bool):
    """float64 of the cells at ``texts``' positions (NaN elsewhere), or None when one is not a number."""
    import numpy as np
    import pandas as pd

    positions, text = texts
    if decimal == ",":
        single = (text.str.count(",") == 1) & ~text.str.contains(".", regex=False)
        text = text.where(~single, text.str.replace(",", ".", regex=False))
    if plain and not text.str.fullmatch(_PLAIN.pattern).all():
        return None
    numbers = pd.to_numeric(text, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    if not np.isfinite(numbers).all():
        return None
    out = np.full(len(series), np.nan)
    out[positions] = numbers
    return out


def item_numbers(series, *, decimal: str = ".", missing=frozenset()):
    """Numbers when every non-missing cell of an item column is a number, else the column unchanged.

    Whole numbers without a missing cell are int64 (as pandas reads them), others float64. ``missing``
    are texts read as missing (e.g. ``"NA"``, ``"n/a"``), compared trimmed and case-folded.
    """
    import pandas as pd

    if pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(series.dtype):
        return series
    texts = _texts(series, missing)
    out = None if texts is None else _numbers(series, texts, decimal, plain=False)
    if out is None:
        return series
    return _as_series(out, series)


def plain_numbers(series, *, decimal: str = ".", missing=frozenset()):
    """Numbers when every non-missing cell is a plain number (``-12``, ``3.5``) or a ``missing`` text, else None.

    Whole numbers without a missing cell are int64, others float64.
    """

    texts = _texts(series, missing)
    out = None if texts is None else _numbers(series, texts, decimal, plain=True)
    if out is None:
        return None
    return _as_series(out, series)


def _as_series(out, series):
    """``out`` on the index and name of ``series``: int64 when every value is a whole number (no missing cell,
    exact as a float), as pandas reads such a column, else float64."""
    import numpy as np
    import pandas as pd

    result = pd.Series(out, index=series.index, name=series.name)
    if len(out) and not np.isnan(out).any() and np.all(np.mod(out, 1) == 0) and np.all(np.abs(out) < 2**53):
        return result.astype("int64")
    return result
