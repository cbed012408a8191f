"""A report as a document: sections of paragraphs, numbered tables and figures, rendered by one template.

The builders (:mod:`toolkit.reports.validation`, :mod:`toolkit.reports.clinic`) fill a :class:`Document`;
:func:`render` turns it into one self-contained HTML file through ``templates/report.html.j2``. The template
environment escapes every value it inserts (jinja2 autoescape), so ids, labels, column names and notes from
the data are text, never markup; the only values inserted as markup are the tables (escaped by great_tables)
and the charts (rendered by the same escaping environment). The page declares a content security policy
that forbids scripts and every outside resource, and its print stylesheet keeps tables and figures whole.
"""

from __future__ import annotations

import datetime as _dt
import functools
import html as _html
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from markupsafe import Markup

from .._results import Result

__all__ = ["Document", "Section", "Report", "environment", "render"]

TEMPLATES = Path(__file__).parent / "templates"


@functools.lru_cache(maxsize=1)
def environment():
    """The jinja2 environment of the report templates: autoescape on for every template, strict undefined."""
    import jinja2

    return jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True,
                              undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)


@dataclass
class Section:
    """A titled part of a report: blocks (paragraphs, tables, figures, charts) and subsections, in order."""

    title: str
    document: "Document" = field(repr=False)
    level: int = 2
    blocks: list = field(default_factory=list)
    anchor: str = ""

    def paragraph(self, text: str, *, lead: str = "") -> None:
        """A paragraph of plain text (escaped); ``lead`` is set in bold before it (a run-in heading)."""
        self.blocks.append({"kind": "paragraph", "text": str(text), "lead": str(lead)})

    def bullets(self, items) -> None:
        """A bulleted list of plain-text items."""
        items = [str(i) for i in items]
        if items:
            self.blocks.append({"kind": "bullets", "items": items})

    def table(self, frame: pd.DataFrame, *, title: str, note: str = "", **options) -> int:
        """A numbered APA table (see :func:`toolkit.reports.tables.apa_table` for ``options``); its number."""
        from .tables import apa_table

        doc = self.document
        doc.n_tables += 1
        number = doc.n_tables
        grid = apa_table(frame, id=f"table-{number}", **options)
        self.blocks.append({"kind": "table", "number": number, "title": str(title), "html": grid,
                            "note": str(note)})
        return number

    def figure(self, *, title: str, src: str | None = None, svg: Markup | None = None, alt: str = "",
               note: str = "", css_class: str = "") -> int:
        """A numbered figure: an image address (``data:`` only) or an inline SVG drawn by our templates."""
        if src is not None and not src.startswith("data:image/"):
            raise ValueError("a report embeds its figures; src must be a data:image/... address")
        doc = self.document
        doc.n_figures += 1
        self.blocks.append({"kind": "figure", "number": doc.n_figures, "title": str(title), "src": src,
                            "svg": svg, "alt": str(alt or title), "note": str(note), "css_class": css_class})
        return doc.n_figures

    def subsection(self, title: str) -> "Section":
        sub = Section(str(title), self.document, level=min(self.level + 1, 4))
        self.blocks.append({"kind": "section", "section": sub})
        return sub


@dataclass
class Document:
    """What a report says, before rendering: a title, facts about the data, sections, and notes."""

    title: str
    subtitle: str = ""
    facts: list = field(default_factory=list)  # (label, value) pairs shown under the title
    sections: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    n_tables: int = 0
    n_figures: int = 0

    def section(self, title: str) -> Section:
        sec = Section(str(title), self, anchor=f"s{len(self.sections) + 1}")
        self.sections.append(sec)
        return sec

    def note(self, text: str) -> None:
        text = str(text)
        if text not in self.notes:
            self.notes.append(text)


def render(doc: Document, *, generated: _dt.datetime | None = None) -> str:
    """The document as one self-contained HTML page."""
    from .. import __version__

    generated = generated or _dt.datetime.now().replace(microsecond=0)
    css = (TEMPLATES / "report.css").read_text(encoding="utf-8")
    template = environment().get_template("report.html.j2")
    return template.render(doc=doc, css=Markup(css), version=__version__,
                           generated=generated.isoformat(sep=" "))


@dataclass(kw_only=True, repr=False, eq=False)
class Report(Result):
    """A rendered report: the HTML page and the tables it shows (numbers unrounded).

    Attributes
    ----------
    html : str
        The whole report: one self-contained HTML page (no script, nothing loaded from outside).
    table : DataFrame
        The report's main table (see the subclass).
    sections : tuple of str
        The titles of the report's sections, in order.

    Examples
    --------
    >>> import toolkit
    >>> export = toolkit.load_sample("srs_ors_sessions").head(20)
    >>> rep = toolkit.clinic_report(export, "srs")
    >>> rep.html.startswith("<!DOCTYPE html>"), rep.sections[0]
    (True, 'This Period')
    """

    html: str = ""
    table: pd.DataFrame = field(default_factory=pd.DataFrame)
    sections: tuple = ()

    def _display_values(self) -> dict:
        return {"sections": " | ".join(self.sections)}

    def __repr__(self) -> str:
        lines = [self.title or type(self).__name__, "", "sections: " + " | ".join(self.sections)]
        for name, df in self._display_tables().items():
            head = df.head(5).copy()
            floats = head.select_dtypes("float").columns
            head[floats] = head[floats].round(self.digits)
            lines += ["", f"{name}: {len(df)} rows", head.to_string()]
        lines += [""] + [f"note: {n}" for n in self.notes]
        lines.append("(.save('report.html') writes the page; .html holds it)")
        return "\n".join(lines).rstrip() + "\n"

    def _repr_html_(self) -> str:
        # the page in a sandboxed frame (no script may run in it), so its styles do not leak into the notebook
        return ('<iframe class="alliance-report" sandbox="" style="width:100%;height:720px;border:1px solid #ccc" '
                f'title="{_html.escape(self.title, quote=True)}" srcdoc="{_html.escape(self.html, quote=True)}">'
                '</iframe>')

    def save(self, path, *, overwrite: bool = False) -> Path:
        """Write the report: ``.html`` (the page) or ``.pdf`` (printed by Chromium, when installed).

        Parameters
        ----------
        path : str or Path
            The file; its suffix decides the format.
        overwrite : bool
            Replace an existing file (default: refuse with :class:`~toolkit.exceptions.FileExistsRefusal`).

        Returns
        -------
        Path
            The file written.
        """
        from .output import write_report

        return write_report(self.html, path, overwrite=overwrite, caller=f"{type(self).__name__}.save")

    def to_pdf(self, path, *, overwrite: bool = False) -> Path:
        """Print the report to PDF with Chromium (see :func:`toolkit.reports.output.write_pdf`)."""
        from .output import write_pdf

        return write_pdf(self.html, path, overwrite=overwrite)
