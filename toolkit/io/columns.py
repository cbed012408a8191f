"""Which columns of an export are item columns, and which only look like them.

The scoring engine's :func:`toolkit.scoring.match_item_columns` decides which
column holds which item. This module adds what a person checking an export
needs: the columns that *look* like item columns (``Q13``, ``wai_sr_14``) but
match no item, because they usually mean a wrong instrument, a wrong form or a
mangled export.
"""

from __future__ import annotations

import re
import warnings
from typing import Any, Iterable

from ..exceptions import ItemMappingError, UnmatchedColumnsWarning

__all__ = ["column_report", "warn_unmatched", "looks_like_item_column", "REPORT_COLUMNS"]

#: Columns of :func:`column_report`'s table.
REPORT_COLUMNS = ["column", "item", "status"]

# prefix, optional separator, number (1-3 digits), optional short suffix such as "r" or "_rev"
_ITEM_LIKE = re.compile(r"^\s*(?P<prefix>[A-Za-z][A-Za-z_\-. ]*?)[\s_\-.]*(?P<number>\d{1,3})"
                        r"(?:[\s_\-.]*(?:r|rev|rec|reversed))?\s*$",
                        re.IGNORECASE)
#: Prefixes that mark an item column in any export.
GENERIC_PREFIXES = frozenset({"q", "qu", "question", "item", "items", "i", "it"})


def _squash(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def _prefix(column: Any) -> str | None:
    m = _ITEM_LIKE.match(str(column))
    return _squash(m.group("prefix")) if m else None


def _instrument_prefixes(instrument) -> set[str]:
    out = set()
    for text in (instrument.id, getattr(instrument, "short_name", "") or ""):
        if text:
            out.add(_squash(text))
            head = re.match(r"[A-Za-z]+", text)
            if head:
                out.add(head.group(0).lower())
    return out


def looks_like_item_column(column: Any, prefixes: Iterable[str] = ()) -> bool:
    """Whether a column name has the shape of an item column.

    A name looks like an item column when it is a prefix and a number
    (``Q13``, ``item_4``, ``wai_sr_14``, ``WAI-SR 3r``) and the prefix, ignoring
    case and punctuation, is a generic item prefix (q, item, question, i), one of
    ``prefixes``, or ends in one of them.

    Examples
    --------
    >>> looks_like_item_column("Q13"), looks_like_item_column("session_2")
    (True, False)
    >>> looks_like_item_column("wai_sr_14", prefixes={"waisr"})
    True
    """
    prefix = _prefix(column)
    if prefix is None:
        return False
    known = GENERIC_PREFIXES | {_squash(p) for p in prefixes}
    return prefix in known or any(prefix.endswith(p) for p in known if len(p) >= 3)


def _repeated_header(column: Any, matched: dict) -> bool:
    """pandas renames a repeated header ``Q3`` to ``Q3.1``: a second column for a matched item."""
    m = re.match(r"^(.*)\.\d+$", str(column))
    return bool(m) and m.group(1) in {str(c) for c in matched}


def _pattern_regex(pattern: str):
    """The shape of the columns a ``pattern`` names: ``"Q1_{n}"`` -> ``Q1_(\\d+)`` (item-like when unmatched)."""
    if "(?P<n>" in pattern:
        return re.compile(pattern)
    parts = re.split(r"\{n[^}]*\}", pattern)
    if len(parts) < 2:
        return None
    return re.compile(r"\d+".join(re.escape(p.replace("{{", "{").replace("}}", "}")) for p in parts))


def column_report(data, instrument, *, form: str | None = None, items=None, pattern=None, mapping=None,
                  strict: bool = True):
    """Name every column of a data set: item column, item-like but unmatched, or other.

    Parameters
    ----------
    data : pandas.DataFrame or sequence of str
        The responses (only the column names are used).
    instrument : str, path or Instrument
        Instrument id, definition file, or loaded instrument.
    form : str, optional
        Form id (accepted for symmetry with :func:`toolkit.score`; the item
        columns are the same for every form).
    items, pattern :
        Passed to :func:`toolkit.scoring.match_item_columns`: an explicit
        item -> column map, or a pattern such as ``"Q{n}"``.
    mapping : dict, optional
        An item -> column map already computed (skips matching).
    strict : bool
        When the columns cannot be matched (some item has no column, or two
        columns claim one item), raise :class:`~toolkit.exceptions.ItemMappingError`
        (default); with ``strict=False`` return the report anyway, with no
        column ``matched`` and the error's message in ``report.attrs["mapping_error"]``.

    Returns
    -------
    pandas.DataFrame
        One row per column, in the data's order: ``column``, ``item`` (item
        number, or missing) and ``status``, one of ``matched`` (holds that
        item), ``unmatched`` (looks like an item column, e.g. ``Q13``, but is no
        item of the instrument; also ``Q3.1``, pandas' name for a repeated
        ``Q3`` header) and ``other`` (an id, a date, a demographic...).

    Examples
    --------
    >>> from toolkit.io import column_report
    >>> cols = ["client"] + [f"wai_sr_{k:02d}" for k in range(1, 13)] + ["wai_sr_14"]
    >>> report = column_report(cols, "wai-sr")
    >>> report["status"].value_counts().sort_index().to_dict()
    {'matched': 12, 'other': 1, 'unmatched': 1}
    >>> report.iloc[-1].tolist()
    ['wai_sr_14', <NA>, 'unmatched']
    """
    import pandas as pd

    from ..instrument import load_instrument

    error = None

    ins = load_instrument(instrument)
    if form is not None:
        ins.form(form)  # raises KeyError naming the forms when unknown
    columns = list(data.columns) if hasattr(data, "columns") else list(data)
    if mapping is None:
        from ..scoring import match_item_columns

        try:
            mapping = match_item_columns(columns, ins, items=items, pattern=pattern)
        except ItemMappingError as exc:
            if strict:
                raise
            mapping, error = {}, str(exc)
    by_column = {column: number for number, column in mapping.items()}
    prefixes = _instrument_prefixes(ins) | {p for c in by_column if (p := _prefix(c))}
    shaped = _pattern_regex(pattern) if pattern is not None and items is None else None
    rows = []
    for column in columns:
        if column in by_column:
            rows.append({"column": column, "item": by_column[column], "status": "matched"})
        elif (shaped.fullmatch(str(column)) if shaped is not None else looks_like_item_column(column, prefixes)) \
                or _repeated_header(column, by_column):
            rows.append({"column": column, "item": None, "status": "unmatched"})
        else:
            rows.append({"column": column, "item": None, "status": "other"})
    report = pd.DataFrame(rows, columns=REPORT_COLUMNS)
    report["item"] = report["item"].astype("Int64")
    report["column"] = report["column"].astype(object)
    if error:
        report.attrs["mapping_error"] = error
    return report


def warn_unmatched(report, instrument_id: str, *, stacklevel: int = 2) -> list[str]:
    """Warn (:class:`~toolkit.exceptions.UnmatchedColumnsWarning`) about item-like columns that match no item.

    Returns the names of those columns (empty list: no warning).
    """
    unmatched = [str(c) for c in report.loc[report["status"] == "unmatched", "column"]]
    error = report.attrs.get("mapping_error")
    if error:
        warnings.warn(
            f"the columns could not be matched to the items of {instrument_id}: {error}"
            + (f". Item-like columns: {', '.join(map(repr, unmatched))}" if unmatched else ""),
            UnmatchedColumnsWarning,
            stacklevel=stacklevel + 1,
        )
    elif unmatched:
        matched = report.loc[report["status"] == "matched"]
        got = (f"{len(matched)} column{'s' if len(matched) != 1 else ''} matched items" if len(matched)
               else "no column matched an item")
        what = ("1 column looks like an item column but matches" if len(unmatched) == 1
                else f"{len(unmatched)} columns look like item columns but match")
        warnings.warn(
            f"{what} no item of {instrument_id}: {', '.join(map(repr, unmatched))} "
            f"({got}). Check that the instrument and form are right and the export is complete; "
            "map columns explicitly with items={item_number: 'column'} or pattern='Q{n}', "
            "or drop the columns before scoring.",
            UnmatchedColumnsWarning,
            stacklevel=stacklevel + 1,
        )
    return unmatched
