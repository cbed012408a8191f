"""Read questionnaire exports (CSV/TSV, Excel, SPSS, Stata) into a DataFrame of responses.

Clinics and labs export responses from survey tools, spreadsheets and
statistics packages. :func:`read_responses` reads them all the same way: every
row kept in the file's order, indexed by its row number; item cells kept as
read (checking them is the scoring engine's job, which names every bad cell);
SPSS/Stata value labels turned into response values when they are the
instrument's anchors; and a report of which column holds which item.
"""

from __future__ import annotations

import csv
import io
import warnings
from pathlib import Path
from typing import Any

from ..exceptions import UnreadableFileError
from .columns import column_report, warn_unmatched
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
_DELIMITERS = (",", ";", "\t", "|")
ROW_INDEX_NAME = "row"


# ----------------------------------------------------------------- delimited text
def _decode(raw: bytes, encoding: str | None) -> tuple[str, str]:
    """Text of the file and the encoding used (BOMs honoured, UTF-8 then Windows-1252)."""
    if encoding is not None:
        if encoding.lower().replace("_", "-") in ("utf-8", "utf8"):
            return raw.decode("utf-8-sig"), encoding  # a BOM is not part of the first column's name
        return raw.decode(encoding), encoding
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16"), "utf-16"
    try:
        return raw.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="strict"), "cp1252"


def sniff_delimiter(text: str, default: str = ",") -> str:
    """The delimiter that splits the first lines of ``text`` into equal, widest rows.

    Candidates are comma, semicolon, tab and bar; quotes are respected.

    Examples
    --------
    >>> sniff_delimiter("id;q1;q2\\n1;3;4\\n2;5;1\\n")
    ';'
    >>> sniff_delimiter('name,note\\n"Doe; J",ok\\n')
    ','
    """
    lines = [ln for ln in text.splitlines()[:50] if ln.strip()]
    if len(lines) > 1 and not text.endswith(("\n", "\r")) and len(text.splitlines()) > 50:
        lines = lines[:-1]
    best, best_key = default, (False, 1)
    for delim in _DELIMITERS:
        try:
            widths = [len(row) for row in csv.reader(lines, delimiter=delim)]
        except csv.Error:
            continue
        if not widths or widths[0] < 2:
            continue
        key = (all(w == widths[0] for w in widths), widths[0])
        if key > best_key:
            best, best_key = delim, key
    return best


def _looks_decimal_comma(text: str, delimiter: str) -> bool:
    """Semicolon files from European Excel write 7,5 for 7.5: detect that."""
    import re

    if delimiter != ";":
        return False
    body = "\n".join(text.splitlines()[1:200])
    commas = len(re.findall(r"(?:^|;)\s*-?\d+,\d+\s*(?=;|$)", body, re.MULTILINE))
    points = len(re.findall(r"(?:^|;)\s*-?\d+\.\d+\s*(?=;|$)", body, re.MULTILINE))
    return commas > 0 and points == 0


def _check_widths(path: Path, text: str, sep: str) -> tuple[int, bool]:
    """Refuse rows with more non-empty fields than the header: pandas would drop them or make them an index.

    Returns the header's width and whether some rows carry surplus *empty* fields
    (trailing delimiters), which are dropped.
    """
    reader = csv.reader(io.StringIO(text), delimiter=sep)
    header = None
    bad = []
    row = 0
    wide = False
    for fields in reader:
        if not fields:
            continue
        if header is None:
            header = len(fields)
            continue
        row += 1
        if len(fields) > header:
            wide = True
            if any(f.strip() for f in fields[header:]):
                bad.append((row, reader.line_num, len(fields)))
    if bad:
        shown = "; ".join(f"row {r} (line {ln}) has {n}" for r, ln, n in bad[:10])
        more = f"; and {len(bad) - 10} more rows" if len(bad) > 10 else ""
        raise UnreadableFileError(
            f"{path}: {len(bad)} row{'s' if len(bad) != 1 else ''} with more fields than the header's {header} "
            f"(delimiter {sep!r}): {shown}{more}. Their extra values would be lost: add the missing header "
            "names, quote fields that contain the delimiter, or pass sep=... if the delimiter is wrong."
        )
    return header or 0, wide


def _read_delimited(path: Path, encoding: str | None, kw: dict[str, Any]):
    import pandas as pd

    raw = path.read_bytes()
    try:
        text, used = _decode(raw, encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        tried = repr(encoding) if encoding is not None else "UTF-8 or Windows-1252"
        raise UnreadableFileError(
            f"{path}: cannot decode the text as {tried} ({exc}); pass the file's encoding, "
            "e.g. encoding='latin-1' or encoding='utf-16'"
        ) from None
    sep = kw.pop("sep", None) or kw.pop("delimiter", None)
    if sep is None:
        sep = sniff_delimiter(text, default="\t" if path.suffix.lower() in (".tsv", ".tab") else ",")
    if "decimal" not in kw and _looks_decimal_comma(text, sep):
        kw["decimal"] = ","
    info = {"encoding": used, "delimiter": sep, "decimal": kw.get("decimal", ".")}
    wide = False
    if len(sep) == 1 and "header" not in kw and "names" not in kw:
        width, wide = _check_widths(path, text, sep)
        kw.setdefault("index_col", False)  # never turn surplus fields into an index
        if wide and "usecols" not in kw:
            kw["usecols"] = list(range(width))  # surplus fields are empty (trailing delimiters)
    try:
        with warnings.catch_warnings():
            if wide:  # only the surplus fields' warning: they are empty, checked above
                warnings.simplefilter("ignore", pd.errors.ParserWarning)
            df = pd.read_csv(io.StringIO(text), sep=sep, **kw)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
        raise UnreadableFileError(
            f"{path}: cannot read it as delimited text (delimiter {sep!r}): {exc}. "
            "Check that every row has as many fields as the header, or pass sep=... explicitly."
        ) from None
    return df, info, {}, {}, {}


# ----------------------------------------------------------------- spreadsheets
def _read_excel(path: Path, sheet, kw: dict[str, Any]):
    import pandas as pd

    sheet = 0 if sheet is None else sheet
    try:
        df = pd.read_excel(path, sheet_name=sheet, engine="openpyxl", **kw)
    except ValueError as exc:
        if str(exc).startswith("Worksheet"):
            raise UnreadableFileError(
                f"{path}: no sheet {sheet!r}; the workbook has sheets {_sheet_names(path)}. "
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
    if isinstance(df, dict):
        raise UnreadableFileError(f"{path}: read one sheet at a time; pass sheet='<name>' (got {sheet!r})")
    return df, {"sheet": sheet}, {}, {}, {}


def _sheet_names(path: Path) -> list[str]:
    try:
        import openpyxl

        wb = openpyxl.load_workbook(path, read_only=True)
        try:
            return list(wb.sheetnames)
        finally:
            wb.close()
    except Exception:  # pragma: no cover - reported by the caller anyway
        return []


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
    return df, info, labels, declared, variable_labels


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
        turned into response values, and the columns are matched to items (see
        :func:`column_report`).
    form : str, optional
        Form whose response scale (anchors) applies; default the first form.
    sheet : str or int, optional
        Excel sheet name or 0-based number (default the first sheet).
    items, pattern :
        Column matching, as in :func:`toolkit.score`: an explicit
        ``{item_number: column}`` map, or a pattern such as ``"Q{n}"``.
    encoding : str, optional
        Text encoding of a CSV (default: UTF-8 with or without BOM, UTF-16 with
        BOM, else Windows-1252) or of an SPSS file.
    index_col : str or list of str, optional
        Column(s) to use as the index instead of the row number.
    **kw
        Passed to the underlying reader (``pandas.read_csv``, ``pandas.read_excel``
        or ``pyreadstat``), e.g. ``na_values=[-9]``, ``sep=";"``, ``decimal=","``.

    Returns
    -------
    pandas.DataFrame
        Every row of the file, in the file's order, indexed by ``row`` (1 for the
        first data row; line 2 of a spreadsheet with a header) unless
        ``index_col`` is given. Item cells are kept as read, not coerced: the
        scoring engine validates them and reports every bad cell. ``attrs``
        holds ``source``, ``format``, the reader's settings (``encoding``,
        ``delimiter``, ``sheet``), ``value_labels`` (column -> {code: label},
        SPSS/Stata), ``variable_labels``, and with an instrument
        ``label_report`` and ``column_report`` (lists of records; see
        :func:`toolkit.io.convert_value_labels` and :func:`toolkit.io.column_report`).

    Raises
    ------
    FileNotFoundError
        The file does not exist.
    UnreadableFileError
        Unknown suffix, damaged file, wrong sheet, undecodable text; the message
        names the file and what to do.
    KeyError
        ``form`` is not a form of the instrument (the message lists its forms).

    Warns
    -----
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

    R equivalent: ``haven::read_sav(path)`` then recoding by hand.

    Examples
    --------
    >>> import pandas as pd, tempfile, pathlib
    >>> from toolkit import read_responses
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "wai.csv").write_text(
    ...     "\\ufeffclient;" + ";".join(f"wai_sr_{k:02d}" for k in range(1, 13)) + "\\n"
    ...     "A;" + ";".join(["4"] * 12) + "\\n"
    ...     "B;" + ";".join(["5"] * 11 + ["x"]) + "\\n", encoding="utf-8")
    >>> df = read_responses(folder / "wai.csv", "wai-sr")
    >>> df.index.tolist(), df.attrs["delimiter"], df.loc[2, "wai_sr_12"]
    ([1, 2], ';', 'x')
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
    kw = dict(kw)
    if kind == "csv":
        df, info, labels, declared, varlabels = _read_delimited(path, encoding, kw)
    elif kind == "excel":
        df, info, labels, declared, varlabels = _read_excel(path, sheet, kw)
    else:
        df, info, labels, declared, varlabels = _read_stat(path, kind, encoding, kw)

    if not df.columns.is_unique:
        dupes = sorted({str(c) for c in df.columns[df.columns.duplicated()]})
        raise UnreadableFileError(f"{path}: column names repeat: {dupes}; give each column a unique name")
    df.index = pd.RangeIndex(1, len(df) + 1, name=ROW_INDEX_NAME)
    if index_col is not None:
        cols = [index_col] if not isinstance(index_col, (list, tuple)) else list(index_col)
        cols = [df.columns[c] if isinstance(c, int) and c not in df.columns else c for c in cols]
        absent = [c for c in cols if c not in df.columns]
        if absent:
            raise KeyError(f"index_col {absent} not in {path.name}; its columns are {list(df.columns)}")
        df = df.set_index(cols if len(cols) > 1 else cols[0])

    attrs: dict[str, Any] = {"source": str(path), "format": kind, **info, "value_labels": labels}
    if varlabels:
        attrs["variable_labels"] = varlabels
    if instrument is not None:
        from ..instrument import load_instrument

        ins = load_instrument(instrument)
        scale = ins.scale_for(form)  # an unknown form raises KeyError naming the forms
        if labels:
            df, label_report = convert_value_labels(
                df, labels, scale, missing_codes=declared, instrument_id=ins.id
            )
            attrs["label_report"] = label_report.to_dict("records")
        report = column_report(df, ins, form=form, items=items, pattern=pattern, strict=False)
        attrs["column_report"] = report.to_dict("records")
        warn_unmatched(report, ins.id, stacklevel=2)
    df.attrs = attrs
    return df
