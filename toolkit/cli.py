"""The ``alliance`` command: list, show and score instruments from a shell.

::

    alliance instruments                      # table of shipped instruments
    alliance show wai-sr                      # summary and item table (keys, reversed items, scale)
    alliance schema -o schema.json            # JSON Schema of a definition file
    alliance template -o calpas.yaml          # documented template for a new definition
    alliance score export.sav --instrument wai-sr -o scores.xlsx
    alliance score big.parquet --instrument wai-sr -o scored/   # streamed: a Parquet dataset, bad cells to a CSV
    alliance classroom student-notebooks OUTDIR   # classroom notebooks without solutions or teacher notes
    alliance --version

Exit codes: 0 success, 1 an error the toolkit reports (bad input, refusal to
overwrite a file), 2 a command-line usage error, 143 stopped by SIGTERM (no
partial file is left behind). Errors are printed as readable messages on
stderr, in the command's own terms (its flags, not Python arguments), never as a
traceback (``--debug`` shows it).

Files written with ``-o`` get the permissions the umask gives any new file
(usually readable by others); ``--force`` keeps an existing file's permissions.

Heavy libraries are imported only by the subcommand that needs them, so
``alliance --help`` answers at once.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

__all__ = ["main", "build_parser"]

PROG = "alliance"
_TABLE_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx")
#: Data rows an .xlsx sheet holds (1,048,576 rows, one of them the header).
XLSX_MAX_ROWS = 1_048_575


class CommandError(Exception):
    """An error of the command line itself (exit code 1, message on stderr)."""


class _Terminated(BaseException):
    """SIGTERM arrived: unwind (removing a half-written temporary file) and exit with 128 + 15."""


# ----------------------------------------------------------------- helpers
def _out(text: str) -> None:
    sys.stdout.write(text if text.endswith("\n") else text + "\n")


def _err(text: str) -> None:
    sys.stderr.write(text if text.endswith("\n") else text + "\n")


def _check_writable(path: Path, force: bool, inputs: tuple[Path, ...] = ()) -> None:
    from .exceptions import FileExistsRefusal

    for src in inputs:
        try:
            if path.resolve() == src.resolve():
                raise CommandError(
                    f"the output file {str(path)!r} is the input file; write the scores to another file"
                )
        except OSError:  # pragma: no cover - unresolvable paths are reported when written
            pass
    if path.is_dir():
        raise CommandError(f"{str(path)!r} is a folder; give a file name such as {str(path / 'out.csv')!r}")
    if path.exists() and not force:
        raise FileExistsRefusal(
            f"refusing to overwrite the existing file {str(path)!r}; pass --force to replace it, "
            "or choose another file with -o"
        )
    if not path.parent.exists():
        raise CommandError(f"cannot write {str(path)!r}: the folder {str(path.parent)!r} does not exist")


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _atomic_write(path: Path, write) -> None:
    """Write through a temporary file in the same folder, then move it into place.

    The file gets the permissions of an existing file it replaces, else those the umask gives a new file
    (``mkstemp`` alone would make it private, 0600). Any interruption, SIGTERM included, removes the
    temporary file.
    """
    import stat
    import tempfile

    mode = stat.S_IMODE(path.stat().st_mode) if path.exists() else 0o666 & ~_umask()
    _SIGTERM["hold"] = True  # a SIGTERM between creating the file and knowing its name would leave it behind
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=path.suffix, dir=path.parent)
        os.close(fd)
    except BaseException:
        _SIGTERM["hold"] = False
        raise
    try:
        _release_sigterm()  # a SIGTERM held meanwhile is raised here, where the file is cleaned up
        write(Path(tmp))
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


#: SIGTERM's handler holds the signal while ``hold`` is set (it may arrive in any thread, so blocking it in the
#: main thread is not enough) and raises it when released.
_SIGTERM = {"hold": False, "pending": False}


def _release_sigterm() -> None:
    _SIGTERM["hold"] = False
    if _SIGTERM["pending"]:
        _SIGTERM["pending"] = False
        raise _Terminated()


def _write_text(path: Path, text: str, force: bool) -> None:
    _check_writable(path, force)
    _atomic_write(path, lambda p: p.write_text(text, encoding="utf-8"))


def _check_table_suffix(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in _TABLE_SUFFIXES:
        raise CommandError(
            f"cannot write {str(path)!r}: the output's extension decides its format; "
            f"use one of {', '.join(_TABLE_SUFFIXES)}"
        )
    return suffix


def _check_rows_fit(path: Path, n_rows: int) -> None:
    if path.suffix.lower() == ".xlsx" and n_rows > XLSX_MAX_ROWS:
        raise CommandError(
            f"cannot write {n_rows:,} rows to {str(path)!r}: an .xlsx sheet holds at most {XLSX_MAX_ROWS:,} rows "
            f"under its header. Write CSV instead (-o {str(path.with_suffix('.csv'))!r}), which is also far "
            "faster for large files (minutes and gigabytes of memory for .xlsx, seconds for CSV)")


def _write_table(df, path: Path, force: bool, inputs: tuple[Path, ...] = ()) -> None:
    suffix = _check_table_suffix(path)
    _check_rows_fit(path, len(df))
    _check_writable(path, force, inputs)  # again: the file may have appeared while scoring
    if suffix == ".xlsx":
        _atomic_write(path, lambda p: df.to_excel(p, engine="openpyxl"))
    else:
        sep = "\t" if suffix in (".tsv", ".txt") else ","
        _atomic_write(path, lambda p: df.to_csv(p, sep=sep, encoding="utf-8"))


def _table(df) -> str:
    import pandas as pd

    with pd.option_context("display.max_rows", None, "display.max_columns", None, "display.width", 200,
                           "display.max_colwidth", 80):
        return df.to_string()


# ----------------------------------------------------------------- subcommands
def _cmd_instruments(args) -> int:
    from .instrument import list_instruments

    table = list_instruments().drop(columns=["path"], errors="ignore")
    _out(_table(table))
    _out("")
    _out("scorable False: 'alliance score' needs more from you. A key of confidence V1 or R (one source, or "
         "recalled) is scored only with --allow-unverified; an instrument without a verified response scale "
         "needs --response-scale MIN:MAX from your copy of it. V2: two sources agree; D: derived from verified "
         "facts. A form can differ from its instrument: 'alliance show ID' lists them.")
    return 0


def _cmd_show(args) -> int:
    from .instrument import load_instrument

    ins = load_instrument(args.id)
    facts = [(str(k), str(v)) for k, v in ins.summary()["value"].items()]
    anchors = {}
    for form in ins.forms:
        scale = ins.scale_for(form.id)
        if scale is not None and scale.anchors:
            anchors[form.id] = ", ".join(f"{v:g} = {label}" for v, label in sorted(scale.anchors.items()))
    if len(set(anchors.values())) == 1 and len(anchors) == len(ins.forms):
        facts.append(("anchors", next(iter(anchors.values()))))
    else:
        facts += [(f"anchors ({form_id})", text) for form_id, text in anchors.items()]
    width = max(len(k) for k, _ in facts)
    _out("\n".join(f"{k:<{width}}  {v}" for k, v in facts))
    _out("")
    _out(_table(ins.item_table()))
    return 0


def _cmd_schema(args) -> int:
    import json

    from .instrument import definition_schema

    text = json.dumps(definition_schema(), indent=2, ensure_ascii=False) + "\n"
    if args.output:
        _write_text(Path(args.output), text, args.force)
        _err(f"wrote the JSON Schema to {args.output}")
    else:
        _out(text)
    return 0


def _cmd_template(args) -> int:
    from .instrument import template_path

    src = Path(template_path())
    if not src.is_file():
        raise CommandError(f"the definition template {str(src)!r} is missing from this installation; "
                           "reinstall the toolkit")
    text = src.read_text(encoding="utf-8")
    if args.output:
        _write_text(Path(args.output), text, args.force)
        _err(f"wrote the definition template to {args.output}; fill it in and load it with "
             f"load_instrument({args.output!r})")
    else:
        _out(text)
    return 0


def _split_cols(text: str | None) -> list[str] | None:
    if not text:
        return None
    cols = [c.strip() for c in text.split(",") if c.strip()]
    return cols or None


def _show_warnings(caught) -> None:
    """Print warnings as ``warning: ...`` lines (in the command's terms), once per kind of column problem."""
    from .exceptions import UnmatchedColumnsWarning

    seen_columns = False
    for w in caught:
        if issubclass(w.category, DeprecationWarning) and not str(w.message).startswith("--"):
            continue  # the library's own spellings; nothing the command's user can change
        if issubclass(w.category, UnmatchedColumnsWarning):
            if seen_columns:  # read_responses and score both check the columns
                continue
            seen_columns = True
        _err(f"warning: {_in_flags(str(w.message))}")


def _response_scale(text: str | None):
    if text is None:
        return None
    parts = text.replace(",", ":").split(":")
    try:
        numbers = [float(p) for p in parts]
    except ValueError:
        numbers = []
    if len(numbers) not in (2, 3):
        raise CommandError(f"--response-scale {text!r}: write MIN:MAX or MIN:MAX:STEP, e.g. --response-scale 1:7")
    out = {"min": numbers[0], "max": numbers[1]}
    if len(numbers) == 3:
        out["step"] = numbers[2]
    return out


def _cmd_score(args) -> int:
    import warnings

    from .instrument import load_instrument

    from .io.stream import streams

    if streams(args.file, args.output):  # Parquet, or an output folder: chunk by chunk (toolkit/io/stream.py)
        return _cmd_score_streamed(args)
    out = Path(args.output) if args.output else None
    src = Path(args.file)
    if out is not None:  # refuse early, before any work
        _check_table_suffix(out)
        _check_writable(out, args.force, (src,))
    metric = args.metric
    if args.method is not None:
        _err(f"warning: --method is deprecated and goes in version 0.3; use --metric {args.method}")
        metric = metric or args.method
    instrument = load_instrument(args.instrument)
    if args.form is not None:
        instrument.form(args.form)  # unknown form: KeyError naming the forms
    if args.change_order is not None and args.change_by is None:
        raise CommandError("--change-order needs --change-by (the column naming each person)")
    from .io import read_responses
    from .scoring import score

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            data = read_responses(src, instrument, form=args.form, sheet=args.sheet, pattern=args.pattern,
                                  encoding=args.encoding, header_row=args.header_row,
                                  **({"sep": args.sep} if args.sep else {}))
            for note in data.attrs.get("notes", ()):
                _err(f"note: {_in_flags(note)}")
            if out is not None:
                _check_rows_fit(out, len(data))  # before minutes of work
            result = score(
                data,
                instrument,
                form=args.form,
                pattern=args.pattern,
                id_cols=_split_cols(args.id_cols),
                metric=metric,
                on_invalid=args.on_invalid,
                allow_unverified=args.allow_unverified,
                response_scale=_response_scale(args.response_scale),
                keep="all" if args.keep == "all" else None,
                change_by=_split_cols(args.change_by),
                change_order=args.change_order,
            )
        except Exception:
            # the error says it better than the reader's "could not be matched" warning
            _show_warnings([w for w in caught if "could not be matched" not in str(w.message)])
            raise
        _show_warnings(caught)
    if out is None:
        result.to_csv(sys.stdout)
    else:
        _write_table(result, out, args.force, (src,))
        _err(f"wrote {len(result)} row{'s' if len(result) != 1 else ''} of {instrument.id} scores to {out}")
    return 0


def _cmd_score_streamed(args) -> int:
    import warnings

    from .io.stream import score_file

    metric = args.metric
    if args.method is not None:
        _err(f"warning: --method is deprecated and goes in version 0.3; use --metric {args.method}")
        metric = metric or args.method
    if args.change_by is not None or args.change_order is not None:
        raise CommandError("--change-by needs all of a person's administrations together, which streamed scoring "
                           "(a .parquet input or an output folder) does not hold: score in memory (-o scores.csv), "
                           "or use toolkit.clinical_change on a Dask DataFrame, which partitions it by client")
    if args.sheet is not None:
        raise CommandError("--sheet is for Excel workbooks; streamed scoring reads Parquet and delimited text")
    if args.header_row not in (None, 1):
        raise CommandError("streamed scoring reads the header from line 1; remove the lines above it, or score in "
                           "memory (-o scores.csv), where --header-row works")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            done = score_file(args.file, args.output, args.instrument, form=args.form, pattern=args.pattern,
                              id_cols=_split_cols(args.id_cols), metric=metric, on_invalid=args.on_invalid,
                              allow_unverified=args.allow_unverified, chunk_rows=args.chunk_rows,
                              response_scale=_response_scale(args.response_scale),
                              keep="all" if args.keep == "all" else None, sep=args.sep,
                              bad_cells=args.bad_cells, force=args.force, encoding=args.encoding)
        finally:
            _show_warnings(caught)
    if done.n_bad_cells:
        _err(f"warning: {done.notes[-1]}")
    if done.output:
        _err(f"wrote {done.n_rows} rows of scores in {len(done.table)} part(s) to {done.output}")
    return 0


# ----------------------------------------------------------------- parser
def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``alliance`` command."""
    from . import __version__

    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Score and inspect therapeutic-alliance instruments (WAI, WAI-SR, SRS, ORS, ...).",
        epilog="Exit codes: 0 success, 1 error reported by the toolkit, 2 usage error.",
    )
    parser.add_argument("--version", action="version", version=f"{PROG} (alliance-toolkit) {__version__}")
    parser.add_argument("--debug", action="store_true", help="show the Python traceback of an error")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("instruments", help="list the shipped instruments")
    p.set_defaults(func=_cmd_instruments)

    p = sub.add_parser("show", help="summary and item table of one instrument")
    p.add_argument("id", metavar="ID", help="instrument id (see 'alliance instruments') or definition file")
    p.set_defaults(func=_cmd_show)

    p = sub.add_parser("schema", help="print or write the JSON Schema of an instrument definition")
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of printing")
    p.add_argument("--force", action="store_true", help="overwrite FILE if it exists")
    p.set_defaults(func=_cmd_schema)

    p = sub.add_parser("template", help="print or write the documented definition template")
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of printing")
    p.add_argument("--force", action="store_true", help="overwrite FILE if it exists")
    p.set_defaults(func=_cmd_template)

    p = sub.add_parser(
        "score",
        help="score a response file (CSV, TSV, XLSX, SAV, ZSAV, POR, DTA)",
        description="Read a response file, check every cell, and write one row of scores per input row.",
    )
    p.add_argument("file", metavar="FILE", help="responses: .csv .tsv .xlsx .sav .zsav .por .dta .parquet")
    p.add_argument("-i", "--instrument", required=True, metavar="ID", help="instrument id or definition file")
    p.add_argument("--form", metavar="F", help="form id (default: the instrument's first form)")
    p.add_argument("-o", "--output", metavar="OUT",
                   help="write scores to OUT (.csv, .tsv or .xlsx; a folder: a Parquet dataset, streamed); "
                        "default stdout")
    p.add_argument("--force", action="store_true", help="overwrite OUT if it exists")
    p.add_argument("--on-invalid", choices=["raise", "missing"], default="raise",
                   help="bad cells: stop and list them (raise, default) or score them as missing")
    p.add_argument("--id-cols", metavar="A,B",
                   help="comma-separated id columns that name rows in messages (default: columns named like ids)")
    p.add_argument("--keep", choices=["all", "ids"], default="all",
                   help="columns carried into the output besides the scores: every column that is not an item "
                        "(all, default) or only the id columns (ids)")
    p.add_argument("--metric", choices=["sum", "mean", "pomp"],
                   help="sum, mean or POMP (percent of maximum possible, 0-100) scores (default: the instrument's)")
    p.add_argument("--method", choices=["sum", "mean"], help=argparse.SUPPRESS)  # old name of --metric
    p.add_argument("--pattern", metavar="P", help="item column pattern, e.g. 'Q{n}' or Qualtrics' 'Q1_{n}'")
    p.add_argument("--sheet", metavar="S", help="Excel sheet name (default: the first sheet)")
    p.add_argument("--header-row", metavar="N", type=int,
                   help="line (sheet row) of the column names, the first being 1 (default: found, e.g. below a title)")
    p.add_argument("--sep", metavar="C", help="delimiter of a text file (default: sniffed from , ; tab |)")
    p.add_argument("--encoding", metavar="E", help="text encoding of a CSV (default: UTF-8, else Windows-1252)")
    p.add_argument("--response-scale", metavar="MIN:MAX[:STEP]",
                   help="response scale for an instrument that ships none, e.g. 1:7")
    p.add_argument("--change-by", metavar="A,B",
                   help="column(s) naming each person: adds the change from their first score and the "
                        "reliable-change flags (instruments with a published value, e.g. ORS)")
    p.add_argument("--change-order", metavar="COL", help="column ordering each person's administrations, "
                   "e.g. session or date (default: the file's order)")
    p.add_argument("--allow-unverified", action="store_true",
                   help="score a form whose key is not verified by two sources")
    p.add_argument("--chunk-rows", type=int, default=250_000, metavar="N",
                   help="streamed scoring (a .parquet input, or OUT a folder): rows per chunk (default 250000)")
    p.add_argument("--bad-cells", metavar="FILE", help="streamed scoring: where the CSV of bad cells goes "
                   "(default OUT_bad_cells.csv)")
    p.set_defaults(func=_cmd_score)

    p = sub.add_parser("classroom", help="write the classroom notebooks: student versions or teacher copies",
                       description="Write the classroom notebooks (notebooks/classroom/) into a folder.")
    from .classroom.release import add_arguments

    add_arguments(p)
    p.set_defaults(func=_cmd_classroom)

    from .reports.command import add_report_parser  # alliance report validation|clinic

    add_report_parser(sub)
    return parser


def _cmd_classroom(args) -> int:
    from .classroom.release import run

    return run(args)


def _report_bad_cells(exc) -> None:
    """The summary line, then the table of *every* bad cell (the exception's message shows the first 50)."""
    report = getattr(exc, "report", None)
    if report is None or not len(report):
        _err(f"error: {exc}")
        return
    _err(f"error: {str(exc).splitlines()[0]}")
    import pandas as pd

    with pd.option_context("display.max_colwidth", 80, "display.width", 200):
        _err(report.to_string(index=False))
    _err("fix these cells in the file, or pass --on-invalid missing to score them as missing "
         "(each row's n_invalid then counts them)")


def _report_rows(exc) -> None:
    """Other data errors with a report (rows of another rater): the message, in the command's terms."""
    _err(f"error: {_in_flags(str(exc))}")


def main(argv: list[str] | None = None) -> int:
    """Run the ``alliance`` command with ``argv`` (default ``sys.argv[1:]``); return the exit code.

    Examples
    --------
    >>> from toolkit.cli import main
    >>> main(["show", "wai-sr"])  # doctest: +ELLIPSIS
    id ...
    0
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return 2
    previous = _on_sigterm()
    try:
        return args.func(args)
    except _Terminated:
        _err("terminated (SIGTERM); no output file was written")
        return 143
    except KeyboardInterrupt:  # pragma: no cover
        _err("interrupted")
        return 130
    except BrokenPipeError:  # pragma: no cover - e.g. `alliance show wai36 | head`
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
    except Exception as exc:
        if args.debug:
            raise
        _report(exc)
        return 1
    finally:
        if previous is not None:
            import signal

            signal.signal(signal.SIGTERM, previous)


def _on_sigterm():
    """Turn SIGTERM into an exception, so that a half-written temporary file is removed; returns the old handler."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "SIGTERM"):
        return None

    def stop(signum, frame):
        if _SIGTERM["hold"]:
            _SIGTERM["pending"] = True
            return
        raise _Terminated()

    return signal.signal(signal.SIGTERM, stop)


# the library's messages name Python arguments; on the command line the fix is a flag
_FLAGS = (
    (r"allow_unverified=True", "--allow-unverified"),
    (r"on_invalid='missing'", "--on-invalid missing"),
    (r"\(on_invalid='missing'\)", "(--on-invalid missing)"),
    (r"see each row's n_invalid, or validate_responses\(\) for the list",
     "see each row's n_invalid, or run without --on-invalid to list them"),
    (r"validate_responses\(\)", "alliance score without --on-invalid"),
    (r"\bid_cols=", "--id-cols "),
    (r"\bid_cols\b", "--id-cols"),
    (r"pattern='([^']*)'", r"--pattern '\1'"),
    (r"pattern=\.\.\.", "--pattern ..."),
    (r"\bpattern=", "--pattern "),
    (r",? ?or pass items=\{[^}]*\}", " or --pattern"),
    (r"map columns explicitly with items=\{[^}]*\} or", "map columns with"),
    (r"\bitems=\{[^}]*\}", "--pattern"),
    (r"response_scale=\{[^}]*\}", "--response-scale MIN:MAX:STEP"),
    (r"response_scale=", "--response-scale "),
    (r"header_row=(\d+|<[^>]*>)", r"--header-row \1"),
    (r"sheet='<name>' or a 0-based sheet number", "--sheet NAME"),
    (r"pass sheet='<name>'", "pass --sheet NAME"),
    (r"sheet=\.\.\.", "--sheet NAME"),
    (r"sheet=(?:'([^']*)'|(\S+)) applies", r"--sheet \1\2 applies"),
    (r"encoding='([^']*)'", r"--encoding \1"),
    (r"\bsep=\.\.\.", "--sep ..."),
    (r"\bform=('[^']*')", r"--form \1"),
    (r"\bchange_by=(?=\s)", "--change-by"),
    (r"\bchange_by=", "--change-by "),
    (r"change_by/change_order", "--change-by/--change-order"),
    (r"\(data\.drop_duplicates\(\)\)", "(delete them from the file)"),
    (r"\(select them, e\.g\. data\[data\[('[^']*')\] == ('[^']*')\]\)", r"(a file with only the \2 rows)"),
    (r", or pair client and therapist with pair_raters\(\)", ""),
    (r"drop the columns before scoring", "delete the columns from the file"),
)


def _in_flags(message: str) -> str:
    """A library message with its Python argument names replaced by this command's flags."""
    import re

    for python, flag in _FLAGS:
        message = re.sub(python, flag, message)
    return message


def _report(exc: BaseException) -> None:
    from .exceptions import AllianceError, DataValidationError

    if isinstance(exc, DataValidationError) and "bad cell" in str(exc).split("\n", 1)[0]:
        _report_bad_cells(exc)
    elif isinstance(exc, DataValidationError):
        _report_rows(exc)
    elif isinstance(exc, (AllianceError, CommandError)):
        _err(f"error: {_in_flags(str(exc))}")
    elif isinstance(exc, FileNotFoundError):
        _err(f"error: no file {exc.filename!r}" if exc.filename else f"error: {exc.args[0] if exc.args else exc}")
    elif isinstance(exc, PermissionError):
        _err(f"error: permission denied: {exc.filename or exc}; check the file's permissions")
    elif isinstance(exc, KeyError):
        _err(f"error: {_in_flags(str(exc.args[0]) if exc.args else str(exc))}")
    elif isinstance(exc, (OSError, ValueError)):
        _err(f"error: {_in_flags(str(exc))}")
    else:
        _err(f"error: unexpected {type(exc).__name__}: {exc} (run with --debug for the traceback, "
             "and please report it)")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
