"""``alliance report``: the validation and clinic reports from a terminal.

::

    alliance report validation answers.csv -i wai-sr --select session=3 -o validation.html
    alliance report clinic export.xlsx -i srs -i ors --date Timestamp --period 2025-01 -o january.html --pdf

The output's suffix decides the format (``.html``; ``.pdf`` when Chromium and playwright are installed);
``--pdf`` also prints the HTML report to a PDF beside it, and says so (exit code 0) when no converter is
installed. An existing file is never replaced without ``--force``. Errors (bad input, a column that is not
there, a refusal to overwrite) go through the ``alliance`` command's one error handler: a readable message and
exit code 1.
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

__all__ = ["add_report_parser"]


def _err(text: str) -> None:
    sys.stderr.write(text if text.endswith("\n") else text + "\n")


def _split(values) -> list[str]:
    out = []
    for v in values or []:
        out += [p.strip() for p in str(v).split(",") if p.strip()]
    return out


def _selected(data, selections: list[str]):
    """Rows whose column equals the value, for every ``COLUMN=VALUE`` (compared as text)."""
    from ..exceptions import InvalidParameterError

    for sel in selections:
        if "=" not in sel:
            raise InvalidParameterError(f"--select takes COLUMN=VALUE (e.g. --select session=3); got {sel!r}")
        col, value = (p.strip() for p in sel.split("=", 1))
        if col not in data.columns:
            raise InvalidParameterError(f"--select {sel!r}: the file has no column {col!r}; its columns are "
                                        f"{', '.join(map(str, list(data.columns)[:25]))}")
        keep = data[col].astype(str).str.strip() == value
        if not keep.any():
            raise InvalidParameterError(f"--select {sel!r} keeps no row: no {col!r} equals {value!r}")
        data = data[keep.to_numpy()]
    return data


def _check_output(path: Path, force: bool, source: Path) -> None:
    from ..exceptions import FileExistsRefusal, InvalidParameterError
    from .output import SUFFIXES

    if path.is_dir():
        raise InvalidParameterError(f"{str(path)!r} is a folder; give a file name such as "
                                    f"{str(path / 'report.html')!r}")
    if path.suffix.lower() not in SUFFIXES:
        raise InvalidParameterError(f"cannot write {str(path)!r}: the output's suffix decides its format; use one of "
                                    f"{', '.join(SUFFIXES)}")
    try:
        if path.resolve() == source.resolve():
            raise InvalidParameterError(f"the output file {str(path)!r} is the input file; choose another name")
    except OSError:  # pragma: no cover
        pass
    if path.exists() and not force:
        raise FileExistsRefusal(f"refusing to overwrite the existing file {str(path)!r}; pass --force to replace it, "
                                "or choose another file with -o")
    if not path.parent.is_dir():
        raise FileNotFoundError(f"cannot write {str(path)!r}: the folder {str(path.parent)!r} does not exist")


#: the library's advice names Python arguments; here the fix is a flag
_FLAGS = (("client='<your column>'", "--client COLUMN"), ("session='<your column>'", "--session COLUMN"),
          ("date='<your column>'", "--date COLUMN"), ("date='<column of dates>'", "--date COLUMN"),
          ("session='<column>' or date='<column>'", "--session COLUMN or --date COLUMN"),
          ("overwrite=True (--force on the command line)", "--force"))


def _in_flags(message: str) -> str:
    for python, flag in _FLAGS:
        message = message.replace(python, flag)
    return message


def _run(args, build) -> int:
    from ..exceptions import ConverterNotFoundError, InvalidParameterError

    out, src = Path(args.output), Path(args.file)
    _check_output(out, args.force, src)
    pdf = out.with_suffix(".pdf") if args.pdf and out.suffix.lower() != ".pdf" else None
    if pdf is not None:
        _check_output(pdf, args.force, src)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            report = build()
        except InvalidParameterError as exc:
            raise InvalidParameterError(_in_flags(str(exc))) from None
        finally:
            for w in caught:
                _err(f"warning: {w.message}")
    report.save(out, overwrite=args.force)
    _err(f"wrote {report.title!r} to {out}")
    if pdf is not None:
        try:
            report.to_pdf(pdf, overwrite=args.force)
            _err(f"wrote the PDF to {pdf}")
        except ConverterNotFoundError as exc:
            _err(f"warning: PDF not written: {exc}")
    return 0


def _read(args, instruments):
    from ..io import read_responses

    data = read_responses(Path(args.file), instruments[0] if len(instruments) == 1 else None, sheet=args.sheet,
                          encoding=args.encoding)
    return _selected(data, _split(args.select))


def _cmd_validation(args) -> int:
    def build():
        from .validation import validation_report

        data = _read(args, [args.instrument])
        return validation_report(data, args.instrument, form=args.form, n_factors=args.n_factors,
                                 method=args.method, rotation=args.rotation, n_boot=args.n_boot, n_iter=args.n_iter,
                                 seed=args.seed, title=args.title)

    return _run(args, build)


def _cmd_clinic(args) -> int:
    instruments = _split(args.instrument)

    def build():
        from .clinic import clinic_report

        data = _read(args, instruments)
        period = args.period
        if args.start is not None or args.end is not None:
            if period is not None:
                from ..exceptions import InvalidParameterError

                raise InvalidParameterError("give --period or --from/--to, not both")
            conv = (lambda v: v) if args.date else (lambda v: None if v is None else float(v))
            period = (conv(args.start), conv(args.end))
        return clinic_report(data, instruments, client=args.client,
                             session=None if args.no_session else args.session, date=args.date, period=period,
                             form=args.form, attention=_split(args.attention) or None, on_invalid=args.on_invalid,
                             charts=not args.no_charts, title=args.title, clinic=args.clinic)

    return _run(args, build)


def _common(p, *, many: bool) -> None:
    p.add_argument("file", metavar="FILE", help="responses: .csv .tsv .xlsx .sav .zsav .por .dta")
    if many:
        p.add_argument("-i", "--instrument", required=True, action="append", metavar="ID",
                       help="instrument id (repeat, or comma-separated, for several: -i srs -i ors)")
    else:
        p.add_argument("-i", "--instrument", required=True, metavar="ID", help="instrument id or definition file")
    p.add_argument("-o", "--output", required=True, metavar="OUT", help="the report: .html (or .pdf)")
    p.add_argument("--force", action="store_true", help="overwrite OUT if it exists")
    p.add_argument("--pdf", action="store_true", help="also print the report to a PDF beside OUT (needs Chromium)")
    p.add_argument("--form", metavar="F", help="form id (default: the instrument's first form)")
    p.add_argument("--select", action="append", metavar="COL=VALUE",
                   help="keep only the rows whose COL equals VALUE (repeatable), e.g. --select session=3")
    p.add_argument("--title", metavar="TEXT", help="the report's title")
    p.add_argument("--sheet", metavar="S", help="Excel sheet name (default: the first sheet)")
    p.add_argument("--encoding", metavar="E", help="text encoding of a CSV (default: UTF-8, else Windows-1252)")


def add_report_parser(sub) -> None:
    """Add ``report validation`` and ``report clinic`` to the ``alliance`` command's subparsers."""
    p = sub.add_parser("report", help="write a validation or clinic report (one HTML page; PDF with Chromium)",
                       description="Write a report as one self-contained HTML page (or PDF).")
    kinds = p.add_subparsers(dest="report_kind", metavar="KIND", required=True)

    v = kinds.add_parser("validation", help="item analysis, reliability, dimensionality, EFA (methods and results)",
                         description="A scale validation report: one row per respondent (use --select to keep one "
                                     "administration per person).")
    _common(v, many=False)
    v.add_argument("--n-factors", type=int, metavar="K", help="EFA factors (default: one per subscale)")
    v.add_argument("--method", default="minres", help="EFA extraction (default minres)")
    v.add_argument("--rotation", default="oblimin", help="EFA rotation (default oblimin)")
    v.add_argument("--n-boot", type=int, default=1000, metavar="N", help="bootstrap resamples for alpha's BCa CI")
    v.add_argument("--n-iter", type=int, default=20, metavar="N", help="parallel-analysis data sets (default 20)")
    v.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    v.set_defaults(func=_cmd_validation)

    c = kinds.add_parser("clinic", help="this period's clients, scores, flags, who needs attention, bad cells",
                         description="A clinic report: one row per administration in the export.")
    _common(c, many=True)
    c.add_argument("--client", default="client_id", metavar="COL", help="client id column (default client_id)")
    c.add_argument("--session", default="session", metavar="COL", help="session number column (default session)")
    c.add_argument("--no-session", action="store_true", help="the export has no session column (order by --date)")
    c.add_argument("--date", metavar="COL", help="date column (needed for a calendar --period)")
    c.add_argument("--period", metavar="P", help="a calendar period on --date: 2025-01, 2025-01-06, 2025Q1")
    c.add_argument("--from", dest="start", metavar="START", help="first date (or session) of the period")
    c.add_argument("--to", dest="end", metavar="END", help="last date (or session) of the period")
    c.add_argument("--attention", action="append", metavar="FLAGS",
                   help="flag ids that call for attention (default: every threshold and reliable deterioration)")
    c.add_argument("--on-invalid", choices=["missing", "raise"], default="missing",
                   help="bad cells: list them and score as missing (default), or stop")
    c.add_argument("--no-charts", action="store_true", help="no progress charts")
    c.add_argument("--clinic", metavar="NAME", help="the clinic's name, under the title")
    c.set_defaults(func=_cmd_clinic)
