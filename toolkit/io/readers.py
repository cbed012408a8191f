"""Read questionnaire exports (CSV/TSV, Excel, SPSS, Stata) into a DataFrame of responses.

Clinics and labs export responses from survey tools, spreadsheets and
statistics packages. :func:`read_responses` reads them all the same way: every
row kept in the file's order, indexed by the file line (text), the sheet row
(Excel) or the case number (SPSS/Stata) a person sees; ids and other non-item
columns kept as text, exactly as written; item cells kept as read (checking
them is the scoring engine's job, which names every bad cell); SPSS/Stata value
labels turned into response values when they are the instrument's anchors; and
a report of which column holds which item.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .._checks import warn
from ..exceptions import FileContentWarning, ItemMappingError, UnreadableFileError
from .columns import column_report, warn_unmatched
from .delimited import Table, read_delimited, sniff_delimiter
from .dtypes import as_text, changed_by_numbers, item_numbers, plain_numbers
from .excel import read_excel
from .header import describe_rows
from .labels import convert_value_labels

__all__ = ["read_responses", "FORMATS", "sniff_delimiter"]

#: File suffix -> format name.
FORMATS = {
    ".csv": "csv",
    ".tsv": "csv",
    ".tab": "csv",
    ".txt": "csv",
    ".xlsx": "excel",
    ".xlsm": "excel",
    ".sav": "spss",
    ".zsav": "spss",
    ".por": "spss-portable",
    ".dta": "stata",
}
_HINTS = {
    ".xls": "save it as .xlsx (Excel: File > Save As > Excel Workbook) or as CSV",
    ".ods": "save it as .xlsx or CSV",
    ".sas7bdat": "export it from SAS as CSV or Stata (.dta)",
    ".rds": "write it from R with write.csv() or haven::write_sav()",
    ".rdata": "write it from R with write.csv() or haven::write_sav()",
    ".json": "convert it to CSV (pandas.read_json(...).to_csv(...))",
}
#: Index name of rows whose file position is unknown (1 for the first data row).
ROW_INDEX_NAME = "row"
#: Index name per format: the numbers a person sees when opening the file.
NUMBERING = {"csv": "line", "excel": "line", "spss": "case", "spss-portable": "case", "stata": "case"}


# ----------------------------------------------------------------- SPSS / Stata
def _declared_missing(meta) -> dict[str, set]:
    """Column -> value-label codes that the file declares as (user-)missing."""
    out: dict[str, set] = {}
    ranges = getattr(meta, "missing_ranges", None) or {}
    user = getattr(meta, "missing_user_values", None) or {}
    for column, labels in (meta.variable_value_labels or {}).items():
        codes = set()
        for code in labels:
            for r in ranges.get(column, ()) or ():
                lo, hi = r.get("lo"), r.get("hi")
                try:
                    if lo <= code <= hi:
                        codes.add(code)
                except TypeError:
                    if code in (lo, hi):
                        codes.add(code)
            if code in (user.get(column) or ()):
                codes.add(code)
        if codes:
            out[column] = codes
    return out


def _read_stat(path: Path, kind: str, encoding: str | None, kw: dict[str, Any]):
    import pyreadstat

    reader = {"spss": pyreadstat.read_sav, "spss-portable": pyreadstat.read_por, "stata": pyreadstat.read_dta}[kind]
    opts = dict(kw)
    opts.setdefault("apply_value_formats", False)
    if opts["apply_value_formats"]:
        raise ValueError(
            "apply_value_formats=True would replace codes by label texts; read_responses converts "
            "anchor labels to response values itself. Leave it out."
        )
    if encoding is not None and kind != "stata":
        opts["encoding"] = encoding
    try:
        df, meta = reader(str(path), **opts)
    except pyreadstat.ReadstatError as exc:
        raise UnreadableFileError(
            f"{path}: not a readable {_KIND_NAMES[kind]} file ({exc}). Check that the file is complete "
            "and really in that format (the suffix decides how it is read)."
        ) from None
    labels = {c: dict(v) for c, v in (meta.variable_value_labels or {}).items()}
    variable_labels = {c: lab for c, lab in (meta.column_names_to_labels or {}).items() if lab}
    info = {"file_label": getattr(meta, "file_label", None) or ""}
    declared = _declared_missing(meta)
    if labels and kind != "stata" and not opts.get("user_missing"):
        # declared missing values were read as NaN; ask for the declarations themselves
        meta_opts = {k: v for k, v in opts.items() if k == "encoding"}
        _, full = reader(str(path), metadataonly=True, user_missing=True, **meta_opts)
        declared = _declared_missing(full)
    if df.empty and not len(df.columns):
        raise UnreadableFileError(f"{path}: the file is empty: it has no variables. Check that the export finished.")
    return Table(frame=df, numbers=list(range(1, len(df) + 1)), numbering="case", info=info,
                 header_names=list(df.columns), labels=labels, declared=declared, variable_labels=variable_labels)


_KIND_NAMES = {"spss": "SPSS (.sav/.zsav)", "spss-portable": "SPSS portable (.por)", "stata": "Stata (.dta)",
               "csv": "delimited text", "excel": "Excel (.xlsx)"}


# ----------------------------------------------------------------- public
def read_responses(
    path,
    instrument=None,
    *,
    form: str | None = None,
    sheet=None,
    items=None,
    pattern=None,
    encoding: str | None = None,
    index_col=None,
    header_row: int | None = None,
    **kw,
):
    """Read a questionnaire export: CSV/TSV, Excel, SPSS or Stata.

    Parameters
    ----------
    path : str or pathlib.Path
        The file. Its suffix picks the reader: ``.csv .tsv .tab .txt``
        (delimiter sniffed from comma, semicolon, tab, bar; a byte-order mark is
        honoured), ``.xlsx .xlsm`` (openpyxl), ``.sav .zsav .por`` (SPSS) and
        ``.dta`` (Stata), both through pyreadstat.
    instrument : str, path or Instrument, optional
        When given, value labels that are the instrument's response anchors are
        turned into response values, the columns are matched to items (see
        :func:`column_report`), item columns become numbers and every other
        column is kept as text.
    form : str, optional
        Form whose response scale (anchors) applies; default the first form.
    sheet : str or int, optional
        Excel sheet name or 0-based number (default the first sheet).
    items, pattern :
        Column matching, as in :func:`toolkit.score`: an explicit
        ``{item_number: column}`` map, or a pattern such as ``"Q{n}"`` (a
        Qualtrics export names the items of question 1 ``Q1_1``, ``Q1_2``, ...:
        ``pattern="Q1_{n}"``).
    encoding : str, optional
        Text encoding of a CSV (default: UTF-8 with or without BOM, UTF-16 with
        BOM, else Windows-1252) or of an SPSS file.
    index_col : str or list of str, optional
        Column(s) to use as the index instead of the line number.
    header_row : int, optional
        Line of a text file (row of a sheet) that holds the column names, counted
        as an editor or spreadsheet shows it (the first line is 1). By default
        the header is found: the first row that names the instrument's item
        columns, else the first row at least half as wide as the table; a title
        row above it is skipped with a :class:`~toolkit.exceptions.FileContentWarning`.
    **kw
        Passed to the underlying reader (``pandas.read_csv``, ``pandas.read_excel``
        or ``pyreadstat``), e.g. ``na_values=[-9]``, ``sep=";"``, ``decimal=","``.

    Returns
    -------
    pandas.DataFrame
        Every data row of the file, in the file's order. The index is named
        ``line`` and holds the line of the text file (the row of the sheet) each
        row starts on, or ``case`` (1 for the first case) for SPSS and Stata
        files, so that a bad cell is reported where a person finds it; ``row``
        (1 for the first data row) when reader options such as ``nrows`` make
        the lines unknown; or ``index_col``. Ids and every other non-item column
        are text, exactly as written (``00123`` stays ``00123``; without an
        instrument, columns of plain numbers that are not named like ids become
        numbers). Item cells are numbers when every cell of the column is one,
        else kept as read: the scoring engine validates them and reports every
        bad cell. ``attrs`` holds ``source``, ``format``, the reader's settings
        (``encoding``, ``delimiter``, ``decimal``, ``sheet``, ``header_line``),
        ``notes`` (e.g. a Qualtrics export recognised), ``value_labels`` (column
        -> {code: label}, SPSS/Stata), ``variable_labels``, and with an
        instrument ``label_report`` and ``column_report`` (lists of records; see
        :func:`toolkit.io.convert_value_labels` and :func:`toolkit.io.column_report`).

    Raises
    ------
    FileNotFoundError
        The file does not exist.
    UnreadableFileError
        Unknown suffix, empty or damaged file, wrong sheet, undecodable text;
        the message names the file and what to do.
    ItemMappingError
        An item column's name appears twice in the header: two answers to one
        item, and which one to score cannot be told.
    KeyError
        ``form`` is not a form of the instrument (the message lists its forms).

    Warns
    -----
    FileContentWarning
        Something is not read as it stands: rows above the header, rows with
        fewer fields than the header, Excel formula cells without a saved value
        (read as blank), a repeated column header (read as ``Q3.1``), no data rows.
    UnmatchedColumnsWarning
        Columns look like item columns (``Q13``, ``wai_sr_14``) but match no item.
    ValueLabelWarning
        Codes in anchor-labelled columns whose labels match no anchor (left as stored).

    Notes
    -----
    A labelled column is converted when at least two distinct anchors and most
    of its labels match the anchors (trimmed, case-insensitive): each code then
    becomes its anchor's value, whatever the code was (SPSS files often code
    0..4 what respondents saw as 1..5). Labelled columns that are not anchors
    (gender, site) keep their codes. Values the file declares as missing are read
    as missing. Blank lines in a CSV are not rows; a line of empty fields is.
    Qualtrics exports (a row of question texts and a row of ``{"ImportId": ...}``
    under the header) are recognised, and those two rows are not read as answers.

    R equivalent: ``haven::read_sav(path)`` then recoding by hand.

    Examples
    --------
    >>> import pandas as pd, tempfile, pathlib
    >>> from toolkit import read_responses
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "wai.csv").write_text(
    ...     "\\ufeffclient;" + ";".join(f"wai_sr_{k:02d}" for k in range(1, 13)) + "\\n"
    ...     "007;" + ";".join(["4"] * 12) + "\\n"
    ...     "012;" + ";".join(["5"] * 11 + ["x"]) + "\\n", encoding="utf-8")
    >>> df = read_responses(folder / "wai.csv", "wai-sr")
    >>> df.index.tolist(), df.attrs["delimiter"], df.loc[3, "wai_sr_12"], df["client"].tolist()
    ([2, 3], ';', 'x', ['007', '012'])
    """
    import pandas as pd

    path = Path(path).expanduser()
    suffix = path.suffix.lower()
    kind = FORMATS.get(suffix)
    if kind is None:
        hint = _HINTS.get(suffix, "export it as CSV, .xlsx, SPSS .sav or Stata .dta")
        raise UnreadableFileError(
            f"{path}: cannot read files ending in {suffix or '(no suffix)'!r}; readable: "
            f"{', '.join(sorted(FORMATS))}. Fix: {hint}."
        )
    if not path.is_file():
        if path.exists():
            raise UnreadableFileError(f"{path} is a folder, not a file; pass the path of the export file")
        raise FileNotFoundError(f"no file {str(path)!r}: check the path (the folder is {path.parent.resolve()})")
    if sheet is not None and kind != "excel":
        raise ValueError(f"sheet={sheet!r} applies to Excel workbooks only; {path.name} is {_KIND_NAMES[kind]}")
    if header_row is not None:
        from .._checks import check_count

        header_row = check_count(header_row, param="header_row", caller="read_responses", minimum=1,
                                 what="the line of the file that holds the column names, the first line being 1")
        if kind not in ("csv", "excel"):
            raise ValueError(f"header_row= applies to text files and Excel workbooks; {path.name} is "
                             f"{_KIND_NAMES[kind]}, whose variable names are stored apart from the data")
    ins = scale = None
    if instrument is not None:
        from ..instrument import load_instrument

        ins = load_instrument(instrument)
        scale = ins.scale_for(form)  # an unknown form raises KeyError naming the forms
    kw = dict(kw)
    find = {"header_row": header_row, "instrument": ins, "items": items, "pattern": pattern}
    if kind == "csv":
        table = read_delimited(path, encoding, kw, **find)
    elif kind == "excel":
        table = read_excel(path, sheet, kw, **find)
    else:
        table = _read_stat(path, kind, encoding, kw)
    df = table.frame
    if not df.columns.is_unique:
        dupes = sorted({str(c) for c in df.columns[df.columns.duplicated()]})
        raise UnreadableFileError(f"{path}: column names repeat: {dupes}; give each column a unique name")

    attrs: dict[str, Any] = {"source": str(path), "format": kind, **table.info, "value_labels": table.labels}
    if table.variable_labels:
        attrs["variable_labels"] = table.variable_labels
    notes = list(table.notes)
    item_columns: set = set()
    report = None
    if ins is not None:
        if table.labels:
            df, label_report = convert_value_labels(df, table.labels, scale, missing_codes=table.declared,
                                                    instrument_id=ins.id)
            attrs["label_report"] = label_report.to_dict("records")
        report = column_report(df, ins, form=form, items=items, pattern=pattern, strict=False)
        item_columns = set(report.loc[report["status"] == "matched", "column"])
        attrs["column_report"] = report.to_dict("records")
    repeated = _repeated_header(path, table, df, item_columns)
    inferred = table.inferred
    if inferred is not None and (inferred.shape != df.shape or list(inferred.columns) != list(df.columns)):
        inferred = None
    df = _typed(df, ins is not None, item_columns, attrs.get("decimal", "."), inferred)

    word = "line" if table.numbering == "line" else "case"
    if table.numbers is not None and len(table.numbers) == len(df):
        df.index = pd.Index(table.numbers, name=table.numbering, dtype="int64")
    else:
        df.index = pd.RangeIndex(1, len(df) + 1, name=ROW_INDEX_NAME)
        word = "row"
    problems = list(repeated) + list(table.problems)
    if table.skipped and header_row is None:
        first = attrs.get("header_line")
        many = len(table.skipped) != 1
        problems.insert(0, f"{path.name}: the header (column names) is on {word} {first}; the "
                        f"{len(table.skipped)} non-empty {word}{'s' if many else ''} above it "
                        f"{'are' if many else 'is'} not data and {'were' if many else 'was'} not read "
                        f"({describe_rows(table.skipped, word)}). "
                        f"Pass header_row={first} to say where the header is (that also silences this warning).")
    if not len(df):
        problems.append(f"{path.name} has a header but no data rows: there is nothing to score. Check that the "
                        "export selected the responses (a date range, a filter), and export it again.")
    for message in problems:
        if not message.startswith(path.name):
            message = f"{path.name}: {message}"
        warn(message, FileContentWarning)
    if notes:
        attrs["notes"] = notes
    if index_col is not None:
        cols = [index_col] if not isinstance(index_col, (list, tuple)) else list(index_col)
        cols = [df.columns[c] if isinstance(c, int) and c not in df.columns else c for c in cols]
        absent = [c for c in cols if c not in df.columns]
        if absent:
            raise KeyError(f"index_col {absent} not in {path.name}; its columns are {list(df.columns)}")
        df = df.set_index(cols if len(cols) > 1 else cols[0])
    if report is not None:
        warn_unmatched(report, ins.id, stacklevel=2)
    df.attrs = attrs
    return df


def _repeated_header(path: Path, table: Table, df, item_columns: set) -> dict:
    """Messages about column names that appear more than once in the header (pandas reads them as ``Q3.1``).

    A repeated item column is an error: two answers to one item, and which one to score cannot be told.
    Returns {message: renamed column} for the others.
    """
    from collections import Counter

    names = [str(n) for n in table.header_names]
    counts = Counter(names)
    out: dict = {}
    items_hit = []
    for name, n in counts.items():
        if n < 2:
            continue
        positions = [k + 1 for k, v in enumerate(names) if v == name]
        renamed = [str(c) for c in df.columns[[p - 1 for p in positions[1:]]]] if len(df.columns) >= max(
            positions) else []
        where = ", ".join(str(p) for p in positions)
        if name in {str(c) for c in item_columns}:
            items_hit.append(f"{name!r} (columns {where})")
            continue
        out[f"the column name {name!r} appears {n} times in the header (columns {where}); the later "
            f"{'ones are' if n > 2 else 'one is'} read as {', '.join(map(repr, renamed))}. Rename the columns in "
            "the file if they hold different things."] = renamed[0] if renamed else name
    if items_hit:
        raise ItemMappingError(
            f"{path}: item column names appear more than once in the header: {'; '.join(items_hit)}. Each holds an "
            "answer to the same item, and which one to score cannot be told: delete or rename the extra column "
            "in the file.")
    return out


def _numbered_series(columns) -> set:
    """Columns that form a numbered series of three or more (``Q1``..``Q12``, ``wai_sr_01``..): items."""
    from collections import Counter

    from .columns import _prefix

    prefixes = {c: _prefix(c) for c in columns}
    counts = Counter(p for p in prefixes.values() if p)
    return {c for c, p in prefixes.items() if p and counts[p] >= 3}


def _numeric(series) -> bool:
    import pandas as pd

    return pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(series.dtype)


def _typed(df, with_instrument: bool, item_columns: set, decimal: str, inferred=None):
    """Item columns as numbers where every cell is one; other columns as text (see :mod:`toolkit.io.dtypes`).

    ``inferred``: the same cells as pandas infers their types (text files read without an instrument); a
    column it reads as numbers is taken from it unless a number type would change some value's text.
    """
    import pandas as pd

    from ..scoring.cells import NA_TOKENS
    from ..scoring.engine import detect_id_columns

    ids = set(detect_id_columns(df.columns, item_columns))
    battery = _numbered_series(df.columns) if inferred is not None else set()
    out = {}
    for j, column in enumerate(df.columns):
        s = df.iloc[:, j]
        if column in item_columns:
            out[column] = item_numbers(s, decimal=decimal, missing=NA_TOKENS)
        elif with_instrument or column in ids:
            out[column] = as_text(s)
        elif pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype):
            out[column] = s
        elif column in battery and _numeric(inferred.iloc[:, j]):
            out[column] = inferred.iloc[:, j].set_axis(df.index)  # named like an item (Q3, item_4): answers
        elif changed_by_numbers(s):
            out[column] = as_text(s)
        elif inferred is not None:
            guess = inferred.iloc[:, j]
            out[column] = guess.set_axis(df.index) if _numeric(guess) else as_text(s)
        else:
            numbers = plain_numbers(s, decimal=decimal, missing=NA_TOKENS)
            out[column] = numbers if numbers is not None else as_text(s)
    return pd.DataFrame(out, index=df.index, columns=df.columns)
