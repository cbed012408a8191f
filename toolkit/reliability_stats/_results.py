"""Result objects: unrounded DataFrames underneath, rounded tables with notes in a notebook."""

from __future__ import annotations

import html

__all__ = ["Result"]


class Result:
    """Base of the reliability results.

    ``tables`` maps a caption to an unrounded DataFrame; ``notes`` lists what the reader must know
    (missing-data handling, which R function is mirrored, what was left out and why). ``summary()``
    returns the main table; ``_repr_html_`` shows every table rounded to ``digits`` for display only.
    """

    _main = "table"
    digits = 3

    def __init__(self, tables: dict, notes: list[str], title: str):
        self.tables = dict(tables)
        self.notes = list(notes)
        self.title = title

    def summary(self):
        """The main table (a copy; numbers unrounded)."""
        return self.tables[self._main].copy()

    def __getattr__(self, name):
        tables = self.__dict__.get("tables", {})
        if name in tables:
            return tables[name]
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}; tables are "
                             f"{sorted(tables)}")

    def __repr__(self) -> str:
        lines = [self.title, ""]
        for name, df in self.tables.items():
            lines += [f"{name}:", df.round(self.digits).to_string(), ""]
        lines += [f"note: {n}" for n in self.notes]
        return "\n".join(lines)

    def _display_tables(self) -> dict:
        return self.tables

    def _repr_html_(self) -> str:
        parts = [f"<h4>{html.escape(self.title)}</h4>"]
        for name, df in self._display_tables().items():
            parts.append(f"<p><b>{html.escape(name)}</b></p>")
            parts.append(df.round(self.digits).to_html(na_rep="\u2013", escape=True))
        if self.notes:
            parts.append("<ul>" + "".join(f"<li>{html.escape(n)}</li>" for n in self.notes) + "</ul>")
        return "\n".join(parts)
