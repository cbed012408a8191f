"""Where the table of an export starts: the header row, and what survey tools put around it.

Exports are not always a header followed by data. Spreadsheets carry a title row ("WAI-SR, clinic A,
2025") above the header; Qualtrics writes two more header rows under it (the question texts and the
import ids). :func:`find_header` finds the header row, :func:`qualtrics_rows` recognises Qualtrics'
rows; the readers skip them and say so.
"""

from __future__ import annotations

import re
from typing import Any, Sequence

__all__ = ["find_header", "qualtrics_rows", "is_empty", "HEADER_SEARCH_ROWS"]

#: How many rows from the top are searched for the header.
HEADER_SEARCH_ROWS = 50
_NUMBER = re.compile(r"^\s*[-+]?(\d+([.,]\d*)?|[.,]\d+)([eE][-+]?\d+)?\s*$")
_IMPORT_ID = re.compile(r'^\s*\{\s*"ImportId"\s*:')


def is_empty(value: Any) -> bool:
    """A cell with nothing in it (None, NaN or blank text)."""
    if value is None:
        return True
    if isinstance(value, float) and value != value:
        return True
    return isinstance(value, str) and not value.strip()


def _width(row: Sequence) -> int:
    return sum(not is_empty(v) for v in row)


def _is_number(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float)):
        return True
    return isinstance(value, str) and bool(_NUMBER.match(value))


def _header_like(row: Sequence, width: int) -> bool:
    """Wide enough (at least half the table's width, and 2 cells) and not all numbers."""
    filled = [v for v in row if not is_empty(v)]
    return len(filled) >= max(2, (width + 1) // 2) and not all(_is_number(v) for v in filled)


def find_header(rows: Sequence[Sequence], *, instrument=None, items=None, pattern=None) -> int:
    """Index (0-based, into ``rows``) of the header row among the first rows of a table.

    With an instrument, the header is the first row in which its item columns are found. Otherwise (or
    when no row names them) it is the first row that is at least half as wide as the widest of the first
    rows (and has two cells or more) and is not all numbers: a title row above the header (one cell, or a
    few) is passed over, a header with unnamed columns is not. When no row qualifies, the first row is
    the header.

    Examples
    --------
    >>> find_header([["WAI-SR export, clinic A"], [], ["id", "q1", "q2"], ["7", "1", "2"]])
    2
    >>> find_header([["id", "q1", "q2"], ["7", "1", "2"]])
    0
    """
    top = [list(r) for r in rows[:HEADER_SEARCH_ROWS]]
    if not top:
        return 0
    if instrument is not None:
        from ..exceptions import ItemMappingError
        from ..scoring import match_item_columns

        for k, row in enumerate(top):
            names = [v for v in row if not is_empty(v)]
            if len(names) < instrument.n_items:
                continue
            try:
                match_item_columns([str(v).strip() for v in names], instrument, items=items, pattern=pattern)
            except ItemMappingError:
                continue
            return k
    width = max(_width(r) for r in top)
    for k, row in enumerate(top):
        if _header_like(row, width):
            return k
    return 0


def qualtrics_rows(rows: Sequence[Sequence], header: int) -> bool:
    """Whether the two rows under the header are Qualtrics' question texts and import ids.

    Qualtrics' CSV and Excel exports put, under the header of column names (``StartDate``, ...,
    ``Q1_1``), a row of question texts and a row of import ids (``{"ImportId":"QID1_1"}``).

    Examples
    --------
    >>> rows = [["ResponseId", "Q1_1"], ["Response ID", "I feel ... - 1"],
    ...         ['{"ImportId":"_recordId"}', '{"ImportId":"QID1_1"}'], ["R_1", "4"]]
    >>> qualtrics_rows(rows, 0)
    True
    """
    if len(rows) < header + 3:
        return False
    ids = [v for v in rows[header + 2] if not is_empty(v)]
    return bool(ids) and 2 * sum(bool(_IMPORT_ID.match(str(v))) for v in ids) > len(ids)


def describe_rows(rows: Sequence[tuple[int, Sequence]], word: str = "line") -> str:
    """``line 1: 'WAI-SR export'; line 2: ...`` for rows that were skipped (first 3 shown)."""
    parts = []
    for number, row in rows[:3]:
        text = ", ".join(str(v).strip() for v in row if not is_empty(v))
        parts.append(f"{word} {number}: {text[:60]!r}" + ("..." if len(text) > 60 else ""))
    more = f" (and {len(rows) - 3} more)" if len(rows) > 3 else ""
    return "; ".join(parts) + more
