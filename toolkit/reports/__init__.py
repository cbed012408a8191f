"""Reports: what a researcher files with a paper and what a clinic reads each week, as one HTML page each.

* :func:`validation_report`: item analysis, reliability with intervals, dimensionality and EFA written as a
  methods and results section with APA-style tables and figures;
* :func:`clinic_report`: this period's clients, their scores and flags, the clients needing attention with a
  progress chart each, and every bad cell of the export.

Each returns a :class:`Report` (a result: ``.html``, ``.save(path)``, the tables it shows, ``notes``). The page
is self-contained (tables and figures embedded, no script, nothing loaded from outside; it opens offline and
prints cleanly), and every string from the data or the definitions in it is escaped. ``alliance report`` does
the same from a terminal. A PDF is printed by Chromium where one is installed (``.save("report.pdf")``).

The names are imported on first use, so that ``alliance --help`` stays quick.
"""

from __future__ import annotations

import importlib

_EXPORTS = {
    "validation_report": "toolkit.reports.validation",
    "ValidationReport": "toolkit.reports.validation",
    "clinic_report": "toolkit.reports.clinic",
    "ClinicReport": "toolkit.reports.clinic",
    "Report": "toolkit.reports.document",
}

__all__ = list(_EXPORTS)


def __getattr__(name: str):
    if name in _EXPORTS:
        value = getattr(importlib.import_module(_EXPORTS[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'toolkit.reports' has no attribute {name!r}")


def __dir__():
    return sorted(set(__all__) | {"validation", "clinic", "document", "tables", "charts", "output", "command"})
