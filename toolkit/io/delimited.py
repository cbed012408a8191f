"""Delimited text (CSV, TSV, semicolon files from European Excel): decoding, delimiter, header, line numbers.

Every cell is read as text; which columns become numbers is decided later (:mod:`toolkit.io.dtypes`).
Each data row keeps the number of the file line it starts on, so that a bad cell can be named by the line
a person sees in an editor.
"""

from __future__ import annotations

import csv
import io
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..exceptions import UnreadableFileError
from .header import HEADER_SEARCH_ROWS, find_header, qualtrics_rows

__all__ = ["sniff_delimiter", "read_delimited", "Table"]

_DELIMITERS = (",", ";", "\t", "|")


@dataclass
class Table:
    """What a format reader hands back: the cells, the row numbers and what the reader noticed."""

    frame: Any
    numbers: list | None  # file line (text), sheet row (Excel) or case number of each row; None: unknown
    numbering: str  # "line", "case" or "row"
    info: dict = field(default_factory=dict)
    header_names: list = field(default_factory=list)
    skipped: list = field(default_factory=list)  # (number, cells) of rows above the header
    problems: list = field(default_factory=list)  # messages for FileContentWarning
    notes: list = field(default_factory=list)
    labels: dict = field(default_factory=dict)
    declared: dict = field(default_factory=dict)
    variable_labels: dict = field(default_factory=dict)
    inferred: Any = None  # text files read without an instrument: the same cells as pandas infers them


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

    Candidates are comma, semicolon, tab and bar; quotes are respected. A title line above the header
    (one field) does not count.

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
        while len(widths) > 2 and widths[0] < max(widths[1:]) and widths[0] <= 2:
            widths = widths[1:]  # a title line
        if not widths or widths[0] < 2:
            continue
        key = (all(w == widths[0] for w in widths), widths[0])
        if key > best_key:
            best, best_key = delim, key
    return best


def _looks_decimal_comma(text: str, delimiter: str) -> bool:
    """Semicolon files from European Excel write 7,5 for 7.5: detect that."""
    if delimiter != ";":
        return False
    body = "\n".join(text.splitlines()[1:200])
    commas = len(re.findall(r"(?:^|;)\s*-?\d+,\d+\s*(?=;|$)", body, re.MULTILINE))
    points = len(re.findall(r"(?:^|;)\s*-?\d+\.\d+\s*(?=;|$)", body, re.MULTILINE))
    return commas > 0 and points == 0


def _scan(path: Path, text: str, sep: str, header_row, instrument, items, pattern):
    """One pass over the records: header, Qualtrics rows, line numbers, rows wider or shorter than the header."""
    reader = csv.reader(io.StringIO(text), delimiter=sep)
    records = []  # (start line, fields) of the first records
    starts: list[int] = []  # start line of every non-blank record
    widths: list[int] = []
    prev = 0
    try:
        for fields in reader:
            start, prev = prev + 1, reader.line_num
            if not fields:
                continue  # a blank line is not a row
            starts.append(start)
            widths.append(len(fields))
            if len(records) < HEADER_SEARCH_ROWS:
                records.append((start, fields))
    except csv.Error as exc:
        raise UnreadableFileError(
            f"{path}: cannot read it as delimited text (delimiter {sep!r}): {exc} (near line {reader.line_num}). "
            "Check the quotes on that line, or pass sep=... explicitly."
        ) from None
    if header_row is not None:
        hits = [k for k, (start, _) in enumerate(records) if start == header_row]
        if not hits:
            raise UnreadableFileError(
                f"{path}: header_row={header_row} is not the first line of a row among the first "
                f"{len(records)} rows (blank lines are no rows); rows start on lines "
                f"{[s for s, _ in records[:12]]}")
        h = hits[0]
    else:
        h = find_header([f for _, f in records], instrument=instrument, items=items, pattern=pattern)
    return h, records, starts, widths


def read_delimited(path: Path, encoding: str | None, kw: dict[str, Any], *, header_row=None, instrument=None,
                   items=None, pattern=None) -> Table:
    """Read delimited text, every cell as text, rows numbered by the file line they start on."""

    raw = path.read_bytes()
    try:
        text, used = _decode(raw, encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        tried = repr(encoding) if encoding is not None else "UTF-8 or Windows-1252"
        raise UnreadableFileError(
            f"{path}: cannot decode the text as {tried} ({exc}); pass the file's encoding, "
            "e.g. encoding='latin-1' or encoding='utf-16'"
        ) from None
    if not text.strip():
        what = "0 bytes" if not raw else "only blank lines"
        raise UnreadableFileError(f"{path}: the file is empty ({what}): there is no header and no data. "
                                  "Check that the export finished, and export it again.")
    sep = kw.pop("sep", None) or kw.pop("delimiter", None)
    if sep is None:
        sep = sniff_delimiter(text, default="\t" if path.suffix.lower() in (".tsv", ".tab") else ",")
    decimal = kw.pop("decimal", None) or ("," if _looks_decimal_comma(text, sep) else ".")
    info = {"encoding": used, "delimiter": sep, "decimal": decimal}
    if "header" in kw:  # pandas' spelling: the 0-based number of the header row among the non-blank rows
        header = kw.pop("header")
        if header is not None and not isinstance(header, int):
            raise UnreadableFileError(f"{path}: header={header!r}: pass header_row=<line number of the header>")
        header_index = header
    else:
        header_index = None
    if len(sep) != 1:
        raise UnreadableFileError(f"{path}: sep={sep!r}: the delimiter is a single character such as ',' or ';'")

    h, records, starts, widths = _scan(path, text, sep, header_row, instrument, items, pattern)
    if header_index is not None:
        h = header_index
    if h >= len(starts):
        raise UnreadableFileError(f"{path}: no header row: the file has {len(starts)} non-blank rows")
    header_line, header_fields = records[h] if h < len(records) else (starts[h], [])
    width = widths[h]
    table = Table(frame=None, numbers=None, numbering="line", info=info, header_names=list(header_fields))
    table.skipped = [(s, f) for s, f in records[:h] if any(x.strip() for x in f)]
    if h:
        info["header_line"] = header_line
    skip_after = 2 if qualtrics_rows([f for _, f in records], h) else 0
    if skip_after:
        table.notes.append(
            f"a Qualtrics export: lines {starts[h + 1]} and {starts[h + 2]} (the question texts and the import "
            "ids under the header) are not answers and were not read as rows")
        info["survey_tool"] = "qualtrics"

    wide, short = [], []
    for k in range(h + 1 + skip_after, len(starts)):
        if widths[k] > width:
            wide.append(k)
        elif widths[k] < width:
            short.append(k)
    bad_wide = _wide_with_values(text, sep, starts, width, wide)
    if bad_wide:
        shown = "; ".join(f"line {starts[k]} has {n}" for k, n in bad_wide[:10])
        more = f"; and {len(bad_wide) - 10} more rows" if len(bad_wide) > 10 else ""
        raise UnreadableFileError(
            f"{path}: {len(bad_wide)} row{'s' if len(bad_wide) != 1 else ''} with more fields than the header's "
            f"{width} (delimiter {sep!r}): {shown}{more}. Their extra values would be lost: add the missing header "
            "names, quote fields that contain the delimiter, or pass sep=... if the delimiter is wrong."
        )
    if short:
        shown = ", ".join(f"line {starts[k]} ({widths[k]} of {width})" for k in short[:10])
        more = f" and {len(short) - 10} more" if len(short) > 10 else ""
        table.problems.append(
            f"{len(short)} row{'s have' if len(short) != 1 else ' has'} fewer fields than the header's {width}: "
            f"{shown}{more}. The missing fields at the end of {'those rows' if len(short) != 1 else 'that row'} "
            "are read as blank (missing) cells; if the file was cut short or a line was broken, export it again.")

    user_na = kw.pop("na_values", None)
    user_dtype = kw.pop("dtype", None)
    extra = [] if user_na is None or isinstance(user_na, dict) else \
        [user_na] if isinstance(user_na, (str, int, float)) else list(user_na)
    extra = [""] + [str(v) for v in extra]
    names = list(header_fields)
    items = _item_columns(names, instrument, items, pattern)
    # ids and every other non-item column as text, exactly as written; item columns parsed by pandas (fast),
    # with the usual missing-value words read as missing
    text_cols = [n for n in names if n not in items]
    opts = {"keep_default_na": False, "index_col": False, "decimal": decimal,
            "dtype": {**{n: str for n in text_cols}, **(user_dtype if isinstance(user_dtype, dict) else {})}
            if not isinstance(user_dtype, (type, str)) else user_dtype,
            "na_values": {**{n: extra for n in text_cols}, **{n: extra + _NA_WORDS for n in items}}
            if not isinstance(user_na, dict) else user_na}
    opts.update(kw)
    if wide and "usecols" not in kw:
        opts["usecols"] = list(range(width))  # the surplus fields are empty (trailing delimiters)
    pos = 0
    for _ in range(header_line - 1):
        pos = text.index("\n", pos) + 1
    body = text[pos:]
    df = _parse(path, body, sep, wide, opts)
    if instrument is None:  # which columns are numbers is decided from both readings (toolkit.io.dtypes)
        inferred = {k: v for k, v in opts.items() if k not in ("dtype", "na_values", "keep_default_na")}
        if user_na is not None:
            inferred["na_values"] = user_na
        table.inferred = _parse(path, body, sep, wide, inferred)
    data_starts = starts[h + 1:]
    if len(df) == len(data_starts):
        if skip_after:
            df = df.iloc[skip_after:]
            data_starts = data_starts[skip_after:]
            if table.inferred is not None:
                table.inferred = None  # the header rows made every column text: decide from the text alone
        table.numbers = data_starts
    else:  # reader options (nrows, skiprows, comment, ...) changed which rows were read
        table.numbering = "row"
    table.frame = df
    return table


#: Words read as a missing answer in item columns (pandas' defaults, and the scoring engine's).
_NA_WORDS = ["NA", "N/A", "n/a", "na", "NaN", "nan", "-nan", "-NaN", "NULL", "null", "None", "none", "#N/A", "<NA>",
             "missing", "Missing", "MISSING", "."]


def _item_columns(names: list, instrument, items, pattern) -> set:
    """Header names that hold the instrument's items (none when they cannot be matched)."""
    if instrument is None:
        return set()
    from ..exceptions import ItemMappingError
    from ..scoring import match_item_columns

    try:
        return set(match_item_columns(names, instrument, items=items, pattern=pattern).values())
    except ItemMappingError:
        return set()


def _parse(path: Path, body: str, sep: str, wide: bool, opts: dict):
    import pandas as pd

    try:
        with warnings.catch_warnings():
            if wide:  # only the surplus fields' warning: they are empty, checked above
                warnings.simplefilter("ignore", pd.errors.ParserWarning)
            return pd.read_csv(io.StringIO(body), sep=sep, **opts)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
        raise UnreadableFileError(
            f"{path}: cannot read it as delimited text (delimiter {sep!r}): {exc}. "
            "Check that every row has as many fields as the header, or pass sep=... explicitly."
        ) from None


def _wide_with_values(text: str, sep: str, starts: list[int], width: int, wide: list[int]) -> list:
    """Rows wider than the header whose surplus fields hold values (pandas would drop them or make an index)."""
    if not wide:
        return []
    wanted = set(starts[k] for k in wide)
    out = []
    reader = csv.reader(io.StringIO(text), delimiter=sep)
    prev = 0
    by_start = {starts[k]: k for k in wide}
    for fields in reader:
        start, prev = prev + 1, reader.line_num
        if start in wanted and any(f.strip() for f in fields[width:]):
            out.append((by_start[start], len(fields)))
    return out
