"""Where the shipped instrument definitions and sample data live.

In an installed wheel they are inside the package (``toolkit/_shipped/``); in a
source checkout or an editable install they are the repository's top-level
``instruments/`` and ``data-samples/`` folders (and ``notebooks/classroom/``).
"""

from __future__ import annotations

import functools
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


@functools.lru_cache(maxsize=None)
def _locate(name: str, checkout: str | None = None) -> Path:
    shipped = _PACKAGE / "_shipped" / name
    if shipped.is_dir():
        return shipped
    return _PACKAGE.parent / (checkout or name)


def instruments_dir() -> Path:
    """Folder holding the shipped instrument definition files."""
    return _locate("instruments")


def samples_dir() -> Path:
    """Folder holding the shipped sample data files."""
    return _locate("data-samples")


def classroom_dir() -> Path:
    """Folder holding the teacher versions of the classroom notebooks (``notebooks/classroom/``)."""
    return _locate("classroom", "notebooks/classroom")
