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
_PLAIN = re.compile(r"^-?\d+(\.\d+)?$")


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
    import pandas as pd

    if pd.api.types.is_string_dtype(series.dtype) and not pd.api.types.is_object_dtype(series.dtype):
        return series
    values = [cell_text(v) for v in series.tolist()]
    return pd.Series(values, index=series.index, name=series.name, dtype=object).astype(text_dtype())


def changed_by_numbers(series) -> bool:
    """Whether reading the column as numbers would change some value's text (an id, not a measurement).

    Examples
    --------
    >>> import pandas as pd
    >>> changed_by_numbers(pd.Series(["00123", "42"])), changed_by_numbers(pd.Series(["1", "2.5", None]))
    (True, False)
    """
    for v in series.dropna().tolist():
        text = str(v)
        if _LOSSY.search(text):
            return True
    return False


def _to_float(text: str, decimal: str) -> float | None:
    t = text.strip()
    if decimal == "," and t.count(",") == 1 and "." not in t:
        t = t.replace(",", ".")
    try:
        x = float(t)
    except ValueError:
        return None
    return x if math.isfinite(x) else None


def item_numbers(series, *, decimal: str = ".", missing=frozenset()):
    """Numbers when every non-missing cell of an item column is a number, else the column unchanged.

    Whole numbers without a missing cell are int64 (as pandas reads them), others float64.

    ``missing`` are texts read as missing (e.g. ``"NA"``, ``"n/a"``), compared trimmed and case-folded.
    """
    import numpy as np
    import pandas as pd

    if pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(series.dtype):
        return series
    out = np.full(len(series), np.nan)
    for k, v in enumerate(series.tolist()):
        if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
            continue
        if isinstance(v, bool):
            return series
        if isinstance(v, (int, float)):
            out[k] = float(v)
            continue
        text = str(v)
        if text.strip().casefold() in missing:
            continue
        x = _to_float(text, decimal)
        if x is None:
            return series
        out[k] = x
    result = pd.Series(out, index=series.index, name=series.name)
    if len(out) and not np.isnan(out).any() and np.all(np.mod(out, 1) == 0) and np.all(np.abs(out) < 2**53):
        return result.astype("int64")  # whole numbers stay whole, as pandas reads them
    return result


def plain_numbers(series, *, decimal: str = ".", missing=frozenset()):
    """Numbers when every non-missing cell is a plain number (``-12``, ``3.5``) or a ``missing`` text, else None."""
    import numpy as np
    import pandas as pd

    values = []
    for v in series.tolist():
        if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
            values.append(np.nan)
            continue
        if isinstance(v, bool):
            return None
        if isinstance(v, (int, float)):
            values.append(v)
            continue
        text = str(v).strip()
        if text.casefold() in missing:
            values.append(np.nan)
            continue
        if decimal == ",":
            text = text.replace(",", ".")
        if not _PLAIN.match(text):
            return None
        values.append(float(text) if "." in text else int(text))
    return pd.to_numeric(pd.Series(values, index=series.index, name=series.name, dtype=object))
