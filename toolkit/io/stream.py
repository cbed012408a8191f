"""Score a file larger than memory, chunk by chunk: Parquet (a file or a folder of them) or delimited text.

:func:`score_file` reads ``chunk_rows`` rows at a time, scores each chunk with the scoring engine
(:class:`toolkit.scoring.partitioned.PartScorer`: the instrument loaded once, the columns matched once), and
writes the scores as they come: into a Parquet dataset (a folder of ``part-NNNNN.parquet`` files, one per chunk,
readable as one table by ``pandas.read_parquet(folder)``, pyarrow, Dask, DuckDB, R's arrow) or appended to one
CSV file. Memory holds one chunk, whatever the size of the file.

Rows keep their numbers across chunks: ``row`` is the row's number in the file (1 for the first data row, as
:func:`toolkit.read_responses` numbers them), carried into the output; for delimited text the bad-cell report also
gives the file ``line`` on which the row starts (a quoted field may span lines; blank lines are not rows).

Every bad cell is appended to a CSV file as it is found (never held in memory): ``row``, ``line`` (text files),
the id columns, ``column``, ``item``, ``value``, ``reason``. With ``on_invalid="raise"`` (the default) the whole
file is still checked, so that the report lists every bad cell, and no scores are written; with ``"missing"``
the bad cells are scored as missing (each row's ``n_invalid`` counts them) and the report is written beside the
scores. Nothing is overwritten unless ``force=True``: the scores are written into a temporary folder (or file)
next to the output and moved into place only when the whole file has been scored.

Id columns are read as text from delimited files (``007`` stays ``007``); Parquet columns keep their stored types.
Rows that repeat an earlier row are looked for within a chunk only (``DuplicateRowsWarning``).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .._results import Result
from ..exceptions import DataValidationError, FileExistsRefusal, InvalidParameterError, UnreadableFileError

__all__ = ["score_file", "StreamedScores", "streams", "record_lines"]

PARQUET_SUFFIXES = (".parquet", ".pq")
_TEXT_SUFFIXES = (".csv", ".tsv", ".tab", ".txt")
ROW = "row"


@dataclass(kw_only=True, repr=False, eq=False)
class StreamedScores(Result):
    """What :func:`score_file` wrote.

    Attributes
    ----------
    table : DataFrame
        One row per chunk: ``part`` (the file written, empty when nothing was), ``first_row``, ``last_row``,
        ``rows``, ``bad_cells``.
    n_rows : int
        Rows scored.
    n_bad_cells : int
        Bad cells found (all listed in ``bad_cells_file``).
    output : str
        The Parquet folder or CSV file of scores (``""`` for standard output or when nothing was written).
    bad_cells_file : str
        The CSV file listing every bad cell (``""`` when there were none).

    title : str
        What was scored.
    notes : list of str
        How the file was read and written.

    Examples
    --------
    >>> import pandas as pd, tempfile, pathlib
    >>> from toolkit.io.stream import score_file
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> pd.DataFrame({"client_id": ["a", "b", "c"], **{f"wai_sr_{n:02d}": [4, 5, 3] for n in range(1, 13)}}
    ...              ).to_parquet(folder / "big.parquet")
    >>> done = score_file(folder / "big.parquet", folder / "scored", "wai-sr", chunk_rows=2)
    >>> done.table[["first_row", "last_row", "rows"]].values.tolist()
    [[1, 2, 2], [3, 3, 1]]
    >>> pd.read_parquet(folder / "scored")[["row", "client_id", "total"]].values.tolist()
    [[1, 'a', 48.0], [2, 'b', 60.0], [3, 'c', 36.0]]
    """

    table: pd.DataFrame
    n_rows: int = 0
    n_bad_cells: int = 0
    output: str = ""
    bad_cells_file: str = ""


def streams(src, out=None) -> bool:
    """True when ``alliance score`` should stream: a Parquet input (file or folder), or an output folder.

    >>> streams("export.csv", "scores.csv"), streams("big.parquet", None), streams("big.csv", "scored/")
    (False, True, True)
    """
    src = Path(src)
    if src.suffix.lower() in PARQUET_SUFFIXES or src.is_dir():
        return True
    if out is None:
        return False
    text = str(out)
    return text.endswith(("/", os.sep)) or Path(text).is_dir() or Path(text).suffix == ""


# ----------------------------------------------------------------- reading in chunks
def _parquet_files(src: Path) -> list[Path]:
    """The Parquet files of ``src`` in path order (a folder: every ``*.parquet``/``*.pq`` below it, skipping the
    hidden and ``_``-prefixed files that dataset writers leave)."""
    if not src.is_dir():
        return [src]
    files = sorted(p for p in src.rglob("*") if p.suffix.lower() in PARQUET_SUFFIXES and p.is_file()
                   and not any(part.startswith((".", "_")) for part in p.relative_to(src).parts))
    if not files:
        raise UnreadableFileError(f"{src}: a folder without Parquet files ({', '.join(PARQUET_SUFFIXES)})")
    return files


def _parquet_chunks(src: Path, chunk_rows: int, columns_for) -> tuple[list, Iterator[pd.DataFrame]]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    files = _parquet_files(src)
    try:
        schema = pq.read_schema(files[0])
    except Exception as exc:  # pyarrow raises ArrowInvalid, OSError, ...
        raise UnreadableFileError(f"{files[0]}: not a readable Parquet file ({type(exc).__name__}: {exc})") from None
    columns = [c for c in schema.names if c != "__index_level_0__"]
    use, _ = columns_for(columns)

    def chunks():  # row group by row group (no read-ahead: memory holds about one group), gathered into chunks
        held, n_held = [], 0
        for path in files:
            try:
                batches = pq.ParquetFile(path).iter_batches(batch_size=chunk_rows, columns=use)
                for batch in batches:
                    held.append(batch)
                    n_held += batch.num_rows
                    while n_held >= chunk_rows:
                        table = pa.Table.from_batches(held)
                        yield table.slice(0, chunk_rows).to_pandas()
                        rest = table.slice(chunk_rows)
                        held, n_held = rest.to_batches(), rest.num_rows
            except (pa.ArrowInvalid, OSError) as exc:
                raise UnreadableFileError(f"{path}: cannot read it as Parquet with the columns {use} "
                                          f"({type(exc).__name__}: {exc})") from None
        if n_held:
            yield pa.Table.from_batches(held).to_pandas()

    return columns, chunks()


def _text_options(src: Path, encoding: str | None, sep: str | None = None) -> tuple[dict, str]:
    from .delimited import _looks_decimal_comma, sniff_delimiter

    with open(src, "rb") as fh:
        head = fh.read(1 << 16)
    enc = encoding or ("utf-16" if head.startswith((b"\xff\xfe", b"\xfe\xff")) else "utf-8-sig")
    text = head.decode(enc, errors="ignore")
    if len(head) == 1 << 16:  # the last line may be cut
        text = text[: text.rfind("\n") + 1] or text
    default = "\t" if src.suffix.lower() in (".tsv", ".tab") else ","
    if sep is None:
        sep = sniff_delimiter(text, default=default)
    elif len(sep) != 1:
        raise InvalidParameterError(f"sep={sep!r}: the delimiter is a single character such as ',' or ';'")
    return {"sep": sep, "encoding": enc, "decimal": "," if _looks_decimal_comma(text, sep) else "."}, text


def _check_header(src: Path, head: str, sep: str) -> None:
    """Refuse what the in-memory reader skips with a note (title rows above the header, Qualtrics' two extra
    header rows): streamed, they would be read as data rows."""
    import csv
    import io

    from .header import find_header, qualtrics_rows

    try:
        records = [r for r in csv.reader(io.StringIO(head), delimiter=sep) if r][:50]
    except csv.Error:
        return  # pandas names the line
    if not records:
        return
    h = find_header(records)
    if h or qualtrics_rows(records, 0):
        what = (f"{h} row{'s' if h != 1 else ''} above the header (a title?)" if h else
                "Qualtrics' question texts and import ids under the header")
        raise UnreadableFileError(
            f"{src}: {what}; streamed scoring reads the first line as the header and every other line as a "
            "row. Remove those rows (or save the file without them), or score it in memory "
            "(alliance score FILE -o scores.csv), which skips them and says so.")


def _text_chunks(src: Path, chunk_rows: int, encoding: str | None, columns_for,
                 sep: str | None = None) -> tuple[list, Iterator, dict]:
    from .delimited import _NA_WORDS

    opts, head = _text_options(src, encoding, sep)
    _check_header(src, head, opts["sep"])
    try:
        header = pd.read_csv(src, nrows=0, index_col=False, sep=opts["sep"], encoding=opts["encoding"])
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError, ValueError) as exc:
        raise UnreadableFileError(f"{src}: cannot read its header as delimited text: {exc}") from None
    columns = list(header.columns)
    if len(set(columns)) != len(columns):
        dupes = sorted({str(c) for c in columns if columns.count(c) > 1})
        raise UnreadableFileError(f"{src}: column names repeat: {dupes}; give each column a unique name")
    use, text_cols = columns_for(columns)
    # as toolkit.read_responses: text columns exactly as written (an id 'NA' stays 'NA'; only an empty cell is
    # missing), item columns parsed as numbers with the usual missing-value words read as missing
    na_values = {c: ([""] if c in text_cols else ["", *_NA_WORDS]) for c in use}

    def chunks():
        reader = pd.read_csv(src, chunksize=chunk_rows, usecols=use, dtype={c: str for c in text_cols},
                             index_col=False, keep_default_na=False, na_values=na_values, **opts)
        try:
            yield from reader
        except UnicodeDecodeError as exc:
            raise UnreadableFileError(
                f"{src}: cannot decode the text as {opts['encoding']} ({exc}); pass the file's encoding "
                "(--encoding cp1252, or encoding='cp1252')") from None
        except pd.errors.ParserError as exc:
            raise UnreadableFileError(f"{src}: cannot read it as delimited text (delimiter {opts['sep']!r}): "
                                      f"{exc}") from None

    return columns, chunks(), opts


# ----------------------------------------------------------------- file lines of rows
def record_lines(path, *, encoding: str = "utf-8", quotechar: str = '"', block: int = 1 << 24) -> tuple:
    """Where the data rows of a delimited file start, as ``(rows, offsets, n_rows)``.

    Row ``r`` (1 = the first data row) starts on line ``r + 1 + offsets[k]``, with ``k`` the last breakpoint
    such that ``rows[k] <= r``. The offset grows past a quoted field that spans lines and past a blank line
    (which is not a row). A plain file has the single breakpoint ``([1], [0])``. ``n_rows`` counts the data
    rows. The file is read in blocks (vectorised within a block), so it needs no memory beyond one block.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "x.csv"
    >>> _ = p.write_text('id,note\\n1,"two\\nlines"\\n\\n2,ok\\n3,ok\\n')
    >>> record_lines(p)  # row 1 on line 2; row 2 on line 5 (after the quoted line break and a blank line)
    (array([1, 2]), array([0, 2]), 3)
    """
    if encoding.lower().replace("-", "").replace("_", "").startswith(("utf16", "utf32")):
        raise InvalidParameterError("record_lines() reads byte-oriented encodings (UTF-8, Windows-1252, Latin-1); "
                                    f"got {encoding!r}.")
    quote = ord(quotechar)
    in_quote = 0
    open_line, open_content = 1, False  # the record being read: its first line, whether it has content yet
    n_records, n_lines = 0, 0  # non-empty records so far (the header is the first); line breaks so far
    rows, offsets = [], []

    def emit(start_lines: np.ndarray) -> None:
        nonlocal n_records
        numbers = n_records + np.arange(len(start_lines))  # record 0 is the header, record r is data row r
        n_records += len(start_lines)
        data = numbers >= 1
        r, off = numbers[data], start_lines[data] - numbers[data] - 1
        if not len(r):
            return
        change = np.flatnonzero(np.diff(off, prepend=offsets[-1] if offsets else off[0] - 1) != 0)
        rows.extend(r[change].tolist())
        offsets.extend(off[change].tolist())

    with open(path, "rb") as fh:
        while True:
            buf = fh.read(block)
            if not buf:
                break
            arr = np.frombuffer(buf, dtype=np.uint8)
            qcum = np.cumsum(arr == quote)
            nl = np.flatnonzero(arr == 10)
            ends_at = np.flatnonzero((qcum[nl] + in_quote) % 2 == 0)  # line breaks outside quotes end a record
            ends = nl[ends_at]
            ccum = np.cumsum((arr != 10) & (arr != 13))  # bytes that are not line breaks
            if len(ends):
                before = np.concatenate([[0], ccum[ends[:-1]]])
                has = ccum[ends] - before > 0
                has[0] |= open_content
                starts = np.concatenate([[open_line], n_lines + ends_at[:-1] + 2])
                emit(starts[has])
                open_line = n_lines + int(ends_at[-1]) + 2
                open_content = bool(ccum[-1] - ccum[ends[-1]] > 0)
            else:
                open_content = open_content or bool(ccum[-1] > 0)
            in_quote = int((qcum[-1] + in_quote) % 2)
            n_lines += len(nl)
    if open_content:  # a last row without a final line break
        emit(np.array([open_line]))
    if not rows:
        rows, offsets = [1], [0]
    return np.array(rows, dtype=np.int64), np.array(offsets, dtype=np.int64), max(n_records - 1, 0)


def _lines_of(rows: np.ndarray, breaks: tuple) -> np.ndarray:
    at, off = breaks[:2]
    k = np.searchsorted(at, rows, side="right") - 1
    return rows + 1 + off[np.maximum(k, 0)]


# ----------------------------------------------------------------- writing
class _Writer:
    """Scores to a Parquet folder (one file per chunk) or one CSV file, through a temporary place."""

    def __init__(self, out: Path | None, kind: str, force: bool):
        self.out, self.kind, self.force = out, kind, force
        self.tmp = None
        self.parts = 0
        if out is None:
            return
        if kind == "parquet":
            self.tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent))
        else:
            fd, name = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
            os.close(fd)
            self.tmp = Path(name)

    def write(self, scored: pd.DataFrame) -> str:
        frame = scored.reset_index()
        if self.kind == "parquet":
            import pyarrow as pa
            import pyarrow.parquet as pq

            name = f"part-{self.parts:05d}.parquet"
            pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), self.tmp / name)
        else:
            import sys

            name = str(self.out) if self.out is not None else "<stdout>"
            target = self.tmp if self.tmp is not None else sys.stdout
            frame.to_csv(target, mode="a" if self.parts else "w", header=self.parts == 0, index=False,
                         encoding="utf-8")
        self.parts += 1
        return name

    def commit(self) -> None:
        if self.tmp is None:
            return
        if self.out.exists() or self.out.is_symlink():
            _refuse(self.out, self.force)  # it may have appeared meanwhile
            _remove(self.out)
        os.replace(self.tmp, self.out)
        self.tmp = None

    def discard(self) -> None:
        if self.tmp is not None:
            _remove(self.tmp)
            self.tmp = None


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)


def _refuse(path: Path, force: bool) -> None:
    if (path.exists() or path.is_symlink()) and not force:
        raise FileExistsRefusal(f"refusing to overwrite {str(path)!r}; pass --force (force=True) to replace it, "
                                "or choose another output")


class _Report:
    """Bad cells appended to a CSV file as they are found."""

    def __init__(self, path: Path):
        self.path = path
        self.tmp = None
        self.n = 0
        self.rows = 0
        self.head = []

    def add(self, report: pd.DataFrame) -> None:
        if not len(report):
            return
        if self.tmp is None:
            fd, name = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".tmp", dir=self.path.parent)
            os.close(fd)
            self.tmp = Path(name)
        report.to_csv(self.tmp, mode="a" if self.n else "w", header=self.n == 0, index=False, encoding="utf-8")
        if sum(len(h) for h in self.head) < 50:
            self.head.append(report.head(50))
        self.n += len(report)
        self.rows += report[ROW].nunique()

    def add_lines(self, breaks: tuple, chunk_rows: int) -> None:
        """Insert the ``line`` column after ``row``, rewriting the file chunk by chunk."""
        if self.tmp is None:
            return
        fd, name = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".tmp", dir=self.path.parent)
        os.close(fd)
        first = True
        for part in pd.read_csv(self.tmp, chunksize=chunk_rows, dtype=str, keep_default_na=False):
            rows = part[ROW].astype(np.int64).to_numpy()
            part.insert(1, "line", _lines_of(rows, breaks))
            part.to_csv(name, mode="w" if first else "a", header=first, index=False, encoding="utf-8")
            first = False
        os.replace(name, self.tmp)
        self.head = [self._with_lines(h, breaks) for h in self.head]

    @staticmethod
    def _with_lines(head: pd.DataFrame, breaks: tuple) -> pd.DataFrame:
        head = head.copy()
        head.insert(1, "line", _lines_of(head[ROW].to_numpy(dtype=np.int64), breaks))
        return head

    def commit(self, force: bool) -> None:
        if self.tmp is None:
            return
        if self.path.exists():
            _refuse(self.path, force)
        os.replace(self.tmp, self.path)
        self.tmp = None

    def discard(self) -> None:
        if self.tmp is not None:
            self.tmp.unlink(missing_ok=True)
            self.tmp = None


def _default_report(src: Path, out: Path | None) -> Path:
    if out is None:
        return Path.cwd() / f"{src.stem}_bad_cells.csv"
    return out.parent / f"{out.stem if out.suffix else out.name}_bad_cells.csv"


# ----------------------------------------------------------------- public
def score_file(src, out, instrument, *, form: str | None = None, pattern: str | None = None, id_cols=None,
               metric: str | None = None, on_invalid: str = "raise", allow_unverified: bool = False,
               response_scale=None, keep=None, chunk_rows: int = 250_000, bad_cells=None, force: bool = False,
               encoding: str | None = None, sep: str | None = None, progress=None) -> StreamedScores:
    """Score a Parquet or delimited-text file chunk by chunk into a Parquet dataset or a CSV file.

    Parameters
    ----------
    src : str or Path
        A ``.parquet`` file, a folder of Parquet files (read as one dataset, in the order of their paths), or a
        ``.csv``/``.tsv``/``.txt`` file (delimiter sniffed as :func:`toolkit.read_responses` does).
    out : str, Path or None
        A folder (written as a Parquet dataset, ``part-00000.parquet`` ...), a ``.csv`` file, or ``None`` for CSV
        on standard output.
    instrument : str, path or Instrument
        Loaded once.
    form, pattern, id_cols, metric, on_invalid, allow_unverified, response_scale, keep
        As in :func:`toolkit.score` (``keep`` columns of a delimited file are read as text).
        ``on_invalid="raise"`` checks the whole file, writes every bad cell to ``bad_cells`` and then raises
        :class:`~toolkit.exceptions.DataValidationError` (no scores written); ``"missing"`` scores bad cells
        as missing and writes the report too.
    chunk_rows : int, default 250,000
        Rows per chunk (and per Parquet file). Memory grows with it: about 1 kB per row for a 12-item
        instrument with a few id columns.
    bad_cells : str or Path, optional
        Where the bad-cell report goes; default ``<out>_bad_cells.csv`` beside the output.
    force : bool
        Replace an existing output or report.
    encoding : str, optional
        Text encoding of a delimited file (default UTF-8; a byte-order mark is honoured).
    sep : str, optional
        Delimiter of a delimited file (default: sniffed from the first 64 kB).
    progress : callable, optional
        Called with the rows scored so far after each chunk.

    Returns
    -------
    StreamedScores
        One row per chunk written, the number of rows and bad cells, and where they went.

    Raises
    ------
    FileExistsRefusal
        The output or the report exists and ``force`` is false (checked before anything is read).
    DataValidationError
        With ``on_invalid="raise"``, when the file has bad cells: the message shows the first 50 (with their
        file lines for text files), ``err.report`` holds them, and the file ``bad_cells`` lists all.

    Notes
    -----
    The scores of every row equal :func:`toolkit.score` of the same rows in memory: each chunk is scored by
    the same engine, and nothing in a row's scores depends on other rows.

    R equivalent: none (R reads a file into memory; ``arrow::open_dataset`` with a row-wise ``mutate`` comes
    closest).

    Examples
    --------
    >>> import pandas as pd, tempfile, pathlib
    >>> from toolkit.io.stream import score_file
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> rows = [",".join(["A1"] + ["4"] * 12), ",".join(["A2"] + ["4"] * 11 + ["9"])]
    >>> _ = (folder / "x.csv").write_text("client_id," + ",".join(f"wai_sr_{n:02d}" for n in range(1, 13))
    ...                                   + "\\n" + "\\n".join(rows) + "\\n")
    >>> done = score_file(folder / "x.csv", folder / "scored", "wai-sr", on_invalid="missing")
    >>> done.n_bad_cells, pd.read_csv(done.bad_cells_file)[["row", "line", "client_id", "column"]].values.tolist()
    (1, [[2, 3, 'A2', 'wai_sr_12']])
    """
    from .._checks import check_bool, check_choice, check_count
    from ..scoring.partitioned import PartScorer

    caller = "score_file"
    on_invalid = check_choice(on_invalid, ("raise", "missing"), param="on_invalid", caller=caller)
    chunk_rows = check_count(chunk_rows, param="chunk_rows", caller=caller, minimum=1)
    force = check_bool(force, param="force", caller=caller)
    src = Path(src).expanduser()
    if not src.exists():
        raise FileNotFoundError(f"no file {str(src)!r}: check the path (the folder is {src.parent.resolve()})")
    parquet = src.is_dir() or src.suffix.lower() in PARQUET_SUFFIXES
    if not parquet and src.suffix.lower() not in _TEXT_SUFFIXES:
        raise UnreadableFileError(
            f"{src}: streamed scoring reads Parquet ({', '.join(PARQUET_SUFFIXES)}, or a folder of them) and "
            f"delimited text ({', '.join(_TEXT_SUFFIXES)}); convert it, or score it in memory "
            "(alliance score FILE -o scores.csv)")
    if out is not None:
        out = Path(out).expanduser()
        kind = "csv" if out.suffix.lower() == ".csv" else "parquet"
        if out.resolve() == src.resolve():
            raise InvalidParameterError(f"the output {str(out)!r} is the input; write the scores somewhere else")
        if out.suffix and kind == "parquet":
            raise InvalidParameterError(f"The 'out' parameter of {caller}() must be a folder (for a Parquet dataset) "
                                        f"or a .csv file; got {str(out)!r}.")
        if not out.parent.exists():
            raise FileNotFoundError(f"cannot write {str(out)!r}: the folder {str(out.parent)!r} does not exist")
        _refuse(out, force)
    else:
        kind = "csv"
    report_path = Path(bad_cells).expanduser() if bad_cells is not None else _default_report(src, out)
    _refuse(report_path, force)

    state = {}
    unlined = False

    def columns_for(columns):
        meta = pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
        scorer = PartScorer(meta, instrument, pattern=pattern, id_cols=id_cols, keep=keep, on_invalid=on_invalid,
                            form=form, metric=metric, allow_unverified=allow_unverified,
                            response_scale=response_scale)
        state["scorer"] = scorer
        from ..scoring.engine import _RATER_COLUMN

        raters = [c for c in columns if _RATER_COLUMN.fullmatch(str(c).lower())]  # checked chunk by chunk
        items = set(scorer.items.values())
        use = [c for c in columns if c in set(scorer.carry) | items | set(raters)]  # the file's order
        return use, [c for c in use if c not in items]

    if parquet:
        columns, chunks = _parquet_chunks(src, chunk_rows, columns_for)
        text_opts = None
    else:
        columns, chunks, text_opts = _text_chunks(src, chunk_rows, encoding, columns_for, sep)
    scorer = state["scorer"]

    writer = _Writer(out, kind, force)
    report = _Report(report_path)
    parts, n = [], 0
    try:
        for chunk in chunks:
            chunk.index = pd.RangeIndex(n + 1, n + len(chunk) + 1, name=ROW)
            scored, bad = scorer.score_part(chunk)
            report.add(bad)
            name = ""
            if not (report.n and on_invalid == "raise"):
                name = writer.write(scored)
            parts.append((name, n + 1, n + len(chunk), len(chunk), len(bad)))
            n += len(chunk)
            if progress is not None:
                progress(n)
        if report.n and text_opts is not None:
            try:
                breaks = record_lines(src, encoding=text_opts["encoding"].replace("-sig", ""))
            except InvalidParameterError:  # UTF-16: rows only
                breaks = None
            if breaks is not None and breaks[2] == n:
                report.add_lines(breaks, chunk_rows)
            else:
                unlined = True
        if report.n and on_invalid == "raise":
            writer.discard()
            report.commit(force)
            head = pd.concat(report.head).head(50)
            shown = head.to_string(index=False)
            more = f"\n... and {report.n - 50} more in {report_path}" if report.n > 50 else ""
            raise DataValidationError(
                f"{report.n} bad cell{'s' if report.n != 1 else ''} in {report.rows} of {n} rows of {src} for "
                f"{scorer.instrument.id}; every one is listed in {report_path}; no scores were written:\n{shown}"
                f"{more}\nFix these cells in the file, or pass on_invalid='missing' to score them as missing "
                "(each row's n_invalid counts them).", report=head)
        writer.commit()
        report.commit(force)
    except BaseException:
        writer.discard()
        report.discard()
        raise
    if not report.n and force and report_path.exists() and bad_cells is None:
        report_path.unlink()  # a report left by an earlier run would describe other data
    table = pd.DataFrame(parts, columns=["part", "first_row", "last_row", "rows", "bad_cells"])
    notes = [f"Read {src} in chunks of up to {chunk_rows:,} rows"
             + (f" (delimiter {text_opts['sep']!r}, {text_opts['encoding']}; id columns as text)" if text_opts else "")
             + "; each chunk scored by toolkit.score and written as it came."]
    if unlined:
        notes.append("The report names rows only, not file lines: this file's line breaks could not be matched "
                     "to its rows (UTF-16 text, or lines ending in a bare carriage return).")
    if report.n:
        notes.append(f"{report.n} bad cells in {report.rows} rows were scored as missing (n_invalid counts them); "
                     f"all are listed in {report_path}.")
    return StreamedScores(title=f"Scores of {scorer.instrument.id}: {n:,} rows of {src.name}", notes=notes,
                          table=table, n_rows=n, n_bad_cells=report.n,
                          output=str(out) if out is not None else "",
                          bad_cells_file=str(report_path) if report.n else "")
