"""Excel workbooks (.xlsx, .xlsm): the header row found, sheet row numbers kept, formula cells checked."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..exceptions import UnreadableFileError
from .delimited import Table
from .header import find_header, is_empty, qualtrics_rows

__all__ = ["read_excel", "sheet_names"]


def sheet_names(path: Path) -> list[str]:
    try:
        import openpyxl

        wb = openpyxl.load_workbook(path, read_only=True)
        try:
            return list(wb.sheetnames)
        finally:
            wb.close()
    except Exception:  # pragma: no cover - reported by the caller anyway
        return []


def _formulas_without_value(path: Path, sheet, rows: list[list]) -> list[tuple[int, int, str]]:
    """(row, column, cell reference) of formula cells that the workbook stores without a computed value.

    Programs that write workbooks without calculating them (scripts, some exporters) leave formulas
    without the saved result that readers see; such a cell would be read as blank.
    """
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True, data_only=False)
    try:
        ws = wb[sheet] if isinstance(sheet, str) else wb.worksheets[sheet]
        ws.reset_dimensions()
        out = []
        for r, row in enumerate(ws.iter_rows(min_row=1), start=1):
            for c, cell in enumerate(row, start=1):
                if getattr(cell, "data_type", None) == "f":
                    value = rows[r - 1][c - 1] if r - 1 < len(rows) and c - 1 < len(rows[r - 1]) else None
                    if is_empty(value):
                        out.append((r, c, f"{openpyxl.utils.get_column_letter(c)}{r}"))
        return out
    finally:
        wb.close()


def read_excel(path: Path, sheet, kw: dict[str, Any], *, header_row=None, instrument=None, items=None,
               pattern=None) -> Table:
    """Read one sheet, every cell as stored; rows numbered as the spreadsheet numbers them."""
    import pandas as pd

    sheet = 0 if sheet is None else sheet
    header_index = None
    if "header" in kw:  # pandas' spelling: the 0-based row number of the header
        header_index = kw.pop("header")
        if not isinstance(header_index, int):
            raise UnreadableFileError(f"{path}: header={header_index!r}: pass header_row=<row number of the header>")
    try:
        raw = pd.read_excel(path, sheet_name=sheet, engine="openpyxl", header=None, dtype=object, **kw)
    except ValueError as exc:
        if str(exc).startswith("Worksheet"):
            raise UnreadableFileError(
                f"{path}: no sheet {sheet!r}; the workbook has sheets {sheet_names(path)}. "
                "Pass sheet='<name>' or a 0-based sheet number."
            ) from None
        raise UnreadableFileError(f"{path}: cannot read it as an Excel workbook: {exc}") from None
    except TypeError:
        raise
    except Exception as exc:  # openpyxl raises zipfile.BadZipFile, InvalidFileException, KeyError, ...
        raise UnreadableFileError(
            f"{path}: not a readable .xlsx workbook ({type(exc).__name__}: {exc}). "
            "Open it in a spreadsheet program and save it again as .xlsx, or export it as CSV."
        ) from None
    if isinstance(raw, dict):
        raise UnreadableFileError(f"{path}: read one sheet at a time; pass sheet='<name>' (got {sheet!r})")
    rows = raw.astype(object).where(raw.notna(), None).values.tolist()
    info = {"sheet": sheet}
    if not any(any(not is_empty(v) for v in r) for r in rows):
        raise UnreadableFileError(f"{path}: sheet {sheet!r} is empty: there is no header and no data. "
                                  f"The workbook has sheets {sheet_names(path)}; pass sheet=... for another one.")
    numbers = [int(i) + 1 for i in raw.index]  # pandas keeps every row from row 1: label + 1 is the sheet row
    if header_row is not None:
        if header_row not in numbers:
            raise UnreadableFileError(f"{path}: header_row={header_row} is not a row of sheet {sheet!r} "
                                      f"(rows 1-{numbers[-1] if numbers else 0})")
        h = numbers.index(header_row)
    elif header_index is not None:
        h = header_index
    else:
        h = find_header(rows, instrument=instrument, items=items, pattern=pattern)
    if h >= len(rows):
        raise UnreadableFileError(f"{path}: no header row: sheet {sheet!r} has {len(rows)} rows")
    header = rows[h]
    names, seen_unnamed = [], 0
    for k, v in enumerate(header):
        if is_empty(v):
            names.append(f"Unnamed: {k}")
            seen_unnamed += 1
        else:
            names.append(str(v).strip() if isinstance(v, str) else _name(v))
    table = Table(frame=None, numbers=None, numbering="line", info=info, header_names=list(names))
    table.skipped = [(numbers[k], rows[k]) for k in range(h) if any(not is_empty(v) for v in rows[k])]
    if h:
        info["header_line"] = numbers[h]
    skip_after = 2 if qualtrics_rows(rows, h) else 0
    if skip_after:
        table.notes.append(f"a Qualtrics export: rows {numbers[h + 1]} and {numbers[h + 2]} (the question texts and "
                           "the import ids under the header) are not answers and were not read as rows")
        info["survey_tool"] = "qualtrics"
    body = rows[h + 1 + skip_after:]
    table.numbers = numbers[h + 1 + skip_after:]
    # drop columns that are empty in the header and in every row (pandas' used range can be wider)
    keep = [j for j, n in enumerate(names) if not n.startswith("Unnamed: ") or any(
        j < len(r) and not is_empty(r[j]) for r in body)]
    frame = pd.DataFrame([[r[j] if j < len(r) else None for j in keep] for r in body],
                         columns=_dedupe([names[j] for j in keep]), dtype=object)
    table.header_names = [names[j] for j in keep]
    table.frame = frame

    missing_values = _formulas_without_value(path, sheet, rows)
    in_table = [(r, c, ref) for r, c, ref in missing_values if r in set(table.numbers) and c - 1 in keep]
    if in_table:
        shown = ", ".join(f"{ref} (column {names[c - 1]!r})" for _, c, ref in in_table[:10])
        more = f" and {len(in_table) - 10} more" if len(in_table) > 10 else ""
        table.problems.append(
            f"{len(in_table)} formula cell{'s have' if len(in_table) != 1 else ' has'} no saved value and "
            f"{'are' if len(in_table) != 1 else 'is'} read as blank (missing): {shown}{more}. The workbook was "
            "written by a program that does not calculate formulas: open it in Excel or LibreOffice and save it "
            "(that stores the values), or export it as CSV.")
    return table


def _name(value) -> str:
    from .dtypes import cell_text

    return str(cell_text(value))


def _dedupe(names: list[str]) -> list[str]:
    """pandas' names for a repeated header: ``Q3``, ``Q3.1``, ``Q3.2``."""
    out, seen = [], {}
    for n in names:
        if n in seen:
            seen[n] += 1
            new = f"{n}.{seen[n]}"
            while new in seen:
                seen[n] += 1
                new = f"{n}.{seen[n]}"
            out.append(new)
            seen[new] = 0
        else:
            seen[n] = 0
            out.append(n)
    return out
