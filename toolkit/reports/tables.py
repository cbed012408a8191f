"""APA-style tables: numbers formatted for reading, the grid drawn by great_tables, every string escaped.

Numbers are formatted here, column by column (vectorised), and handed to great_tables as text, which it
escapes like any unformatted cell; great_tables draws the rules, the column spanners and the row groups.
Its output is checked for external resources (it has none by default: no web font, no script, no link);
anything of the kind found is removed, so a report opens offline.

great_tables copies cells one at a time; it does so several times faster on a polars frame than on a pandas
one, so polars is used when it is installed (the ``reports`` extra), pandas otherwise. The HTML is the same.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence

import pandas as pd
from markupsafe import Markup

__all__ = ["fmt_number", "fmt_bounded", "fmt_p", "fmt_int", "fmt_percent", "format_column", "apa_table",
           "strip_external"]

DASH = "\u2013"  # shown for a missing value
MINUS = "\u2212"

#: the fonts of the tables (installed with any desktop or Debian's fonts-liberation; never downloaded)
FONTS = ["Liberation Serif", "Times New Roman", "Times", "serif"]


def fmt_number(x, digits: int = 2) -> str:
    """A number with ``digits`` decimals, a true minus sign, and an en dash for a missing value.

    >>> fmt_number(-1.2345), fmt_number(float("nan")), fmt_number(12)
    ('−1.23', '–', '12.00')
    """
    if x is None or x is pd.NA or (isinstance(x, float) and math.isnan(x)):
        return DASH
    text = f"{float(x):.{digits}f}"
    if text.startswith("-"):
        text = MINUS + text[1:] if float(text) != 0 else text[1:]
    return text


def fmt_bounded(x, digits: int = 2) -> str:
    """A statistic that cannot exceed 1 in absolute value, without the leading zero (APA: .91, −.05).

    >>> fmt_bounded(0.9134), fmt_bounded(-0.05), fmt_bounded(1.0)
    ('.91', '−.05', '1.00')
    """
    text = fmt_number(x, digits)
    return text.replace("0.", ".", 1) if text.startswith(("0.", MINUS + "0.")) else text


def fmt_p(p) -> str:
    """A p-value as APA writes it: three decimals without the leading zero, ``< .001`` below that.

    >>> fmt_p(0.0312), fmt_p(1e-9), fmt_p(1.0)
    ('.031', '< .001', '1.000')
    """
    if p is None or (isinstance(p, float) and math.isnan(p)):
        return DASH
    if p < 0.001:
        return "< .001"
    return fmt_bounded(p, 3)


def fmt_int(x) -> str:
    """A count (missing: an en dash).

    >>> fmt_int(12.0), fmt_int(None)
    ('12', '–')
    """
    if x is None or x is pd.NA or (isinstance(x, float) and math.isnan(x)):
        return DASH
    return f"{int(x)}"


def fmt_percent(x, digits: int = 0) -> str:
    """A proportion as a percentage.

    >>> fmt_percent(0.153)
    '15%'
    """
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return DASH
    return f"{100 * float(x):.{digits}f}%"


_NAMED = {"number": fmt_number, "bounded": fmt_bounded, "p": fmt_p, "int": fmt_int, "percent": fmt_percent}


def format_column(values, how) -> list[str]:
    """Format a column for display: ``how`` is a formatter, a name (``"number"``, ``"bounded"``, ``"p"``,
    ``"int"``, ``"percent"``, ``"text"``), or ``("number", digits)``."""
    if isinstance(how, tuple):
        name, digits = how
        func = _NAMED[name]
        return [func(v, digits) for v in values]
    if how == "text" or how is None:
        return [DASH if (v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v))) else str(v)
                for v in values]
    func = _NAMED[how] if isinstance(how, str) else how
    return [func(v) for v in values]


def _default_how(series: pd.Series):
    if pd.api.types.is_bool_dtype(series):
        return lambda v: DASH if v is pd.NA or v is None else ("yes" if v else "no")
    if pd.api.types.is_integer_dtype(series):
        return "int"
    if pd.api.types.is_float_dtype(series):
        return "number"
    return "text"


def _backend(frame: pd.DataFrame):
    try:
        import polars as pl
    except ImportError:
        return frame
    return pl.DataFrame({f"c{j}": frame.iloc[:, j].tolist() for j in range(frame.shape[1])},
                        schema={f"c{j}": pl.String for j in range(frame.shape[1])})


_EXTERNAL = [
    re.compile(r"@import\s+url\([^)]*\)\s*;?", re.I),
    re.compile(r"@import\s+[\"'][^\"']*[\"']\s*;?", re.I),
    re.compile(r"url\(\s*[\"']?\s*(?:https?:)?//[^)]*\)", re.I),
    re.compile(r"<script\b.*?</script\s*>", re.I | re.S),
    re.compile(r"<link\b[^>]*>", re.I),
]


def strip_external(html: str) -> str:
    """Remove what would make a browser fetch or run something: ``@import``, ``url(http...)``, ``<script>``
    and ``<link>`` elements (great_tables emits none by default; this keeps it so if that changes).

    >>> strip_external('<style>@import url("https://x.org/f.css"); a {color: red}</style>')
    '<style> a {color: red}</style>'
    """
    for pattern in _EXTERNAL:
        html = pattern.sub("", html)
    return html


def apa_table(frame: pd.DataFrame, *, id: str, formats: Mapping[str, object] | None = None,
              labels: Mapping[str, str] | None = None, spanners: Mapping[str, Sequence[str]] | None = None,
              group: str | None = None, align: Mapping[str, str] | None = None,
              bold_rows: Sequence[int] = ()) -> Markup:
    """An APA-style table (rules above and below the column labels and at the bottom, no vertical lines).

    Parameters
    ----------
    frame : DataFrame
        The rows to show, columns in order (the index is not shown: reset it first to show it).
    id : str
        The table's HTML id (unique within the report; its CSS is scoped to it).
    formats : mapping, optional
        Column -> formatter (see :func:`format_column`); default by dtype (integers as counts, floats with two
        decimals, booleans as yes/no, anything else as text).
    labels : mapping, optional
        Column -> the label shown (default the column name).
    spanners : mapping, optional
        Label -> columns it spans (e.g. ``{"95% CI": ["low", "high"]}``).
    group : str, optional
        A column whose values start row groups (shown as group headings, not as a column).
    align : mapping, optional
        Column -> ``"left"``, ``"center"`` or ``"right"`` (default: text left, numbers right).
    bold_rows : sequence of int
        Positions of rows to set in bold (e.g. a total).

    Returns
    -------
    markupsafe.Markup
        The table's HTML (inserted as is by the report template: every cell, label and heading is already
        escaped by great_tables).

    Examples
    --------
    >>> import pandas as pd
    >>> html = apa_table(pd.DataFrame({"item": ["<b>x</b>"], "r": [0.5]}), id="t1", formats={"r": "bounded"})
    >>> "&lt;b&gt;x&lt;/b&gt;" in html and "<b>x</b>" not in html and ">.50<" in html
    True
    """
    from great_tables import GT, loc, style

    formats = dict(formats or {})
    labels = dict(labels or {})
    align = dict(align or {})
    columns = list(frame.columns)
    if len(set(map(str, columns))) != len(columns):
        raise ValueError(f"apa_table(): column names repeat: {columns}")
    shown = {}
    numeric = {}
    for j, col in enumerate(columns):
        s = frame.iloc[:, j]
        how = formats.get(col, _default_how(s))
        shown[f"c{j}"] = format_column(s.tolist(), how)
        numeric[col] = how not in ("text", None) and not (callable(how) and pd.api.types.is_bool_dtype(s))
    text = pd.DataFrame(shown, dtype=object)
    names = {col: f"c{j}" for j, col in enumerate(columns)}
    gt = GT(_backend(text), id=id, groupname_col=names[group] if group is not None else None, auto_align=False)
    gt = gt.cols_label(**{names[c]: str(labels.get(c, c)) for c in columns if c != group})
    for k, (label, cols) in enumerate((spanners or {}).items()):
        gt = gt.tab_spanner(label=str(label), columns=[names[c] for c in cols], id=f"{id}-s{k}")
    for col in columns:
        if col == group:
            continue
        where = align.get(col, "right" if numeric[col] else "left")
        gt = gt.cols_align(align=where, columns=[names[col]])
    if bold_rows:
        gt = gt.tab_style(style=style.text(weight="bold"), locations=loc.body(rows=list(bold_rows)))
    gt = gt.tab_options(
        table_font_names=FONTS, table_font_size="10.5pt", table_width="auto", table_margin_left="0",
        table_border_top_style="solid", table_border_top_width="1.5px", table_border_top_color="#000000",
        table_border_bottom_style="solid", table_border_bottom_width="1.5px", table_border_bottom_color="#000000",
        column_labels_border_top_style="solid", column_labels_border_top_width="1px",
        column_labels_border_top_color="#000000", column_labels_border_bottom_style="solid",
        column_labels_border_bottom_width="1px", column_labels_border_bottom_color="#000000",
        table_body_hlines_style="none", table_body_border_bottom_color="#000000",
        table_body_border_bottom_width="1.5px", row_group_border_top_style="none",
        row_group_border_bottom_style="none", row_group_font_weight="bold", row_group_padding="3px",
        data_row_padding="2px", column_labels_padding="4px", table_font_color="#000000",
        quarto_disable_processing=True,
    )
    return Markup(strip_external(gt.as_raw_html()))


def table_spec(columns: Sequence[tuple[str, str, object]]) -> tuple[list, dict, dict]:
    """``[(column, label, format), ...]`` -> (columns, labels, formats): a compact way to declare a table."""
    cols = [c for c, _, _ in columns]
    return cols, {c: lab for c, lab, _ in columns}, {c: f for c, _, f in columns if f is not None}
