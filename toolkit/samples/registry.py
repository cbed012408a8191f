"""The shipped sample data: list them, load them, find their files.

``data-samples/registry.yaml`` (written by ``python -m toolkit.samples.build``)
lists every sample with its file, instrument, form, rows and checksum; the files
are found through :func:`toolkit._paths.samples_dir`, so the same code works in a
source checkout and in an installed wheel.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

from .._paths import samples_dir
from ..exceptions import UnknownSampleError

__all__ = ["list_samples", "load_sample", "load_truth", "sample_path", "SAMPLE_SPECS", "REGISTRY_FILE"]

REGISTRY_FILE = "registry.yaml"
TRUTH_FILE = "true_parameters.json"

_IDS = ["dyad_id", "client_id", "therapist_id", "session", "rater"]

#: What each sample is (the build adds rows, columns, bytes and sha256).
SAMPLE_SPECS: dict[str, dict] = {
    "wai_sr_sessions": {
        "file": "wai_sr_sessions.csv",
        "description": "Client WAI-SR after every session, study A "
                       "(dropout, missed sessions absent, ~1.5% blank items)",
        "study": "A", "instrument": "wai-sr", "form": "client", "rater": "client",
        "id_columns": _IDS, "item_columns": "wai_sr_01..wai_sr_12",
    },
    "wai_s_therapist_sessions": {
        "file": "wai_s_therapist_sessions.csv",
        "description": "Therapist WAI-S (therapist form) after every session, same dyads as wai_sr_sessions",
        "study": "A", "instrument": "wai-s", "form": "therapist", "rater": "therapist",
        "id_columns": _IDS, "item_columns": "wai_s_01..wai_s_12",
    },
    "srs_ors_sessions": {
        "file": "srs_ors_sessions.csv",
        "description": "Client SRS (after) and ORS (before) every session, lines 0-10 with one decimal, study A",
        "study": "A", "instrument": "srs, ors", "form": "client", "rater": "client",
        "id_columns": _IDS, "item_columns": "srs_01..srs_04, ors_01..ors_04",
    },
    "wai36_client_therapist": {
        "file": "wai36_client_therapist.csv",
        "description": "WAI-36 client and therapist forms after session 3, one row per rater, study B",
        "study": "B", "instrument": "wai36", "form": "client, therapist", "rater": "client, therapist",
        "id_columns": _IDS, "item_columns": "wai36_01..wai36_36",
    },
    "wai36_observer": {
        "file": "wai36_observer.csv",
        "description": "WAI-36 observer form for 20% of the study-B sessions, three observers",
        "study": "B", "instrument": "wai36", "form": "observer", "rater": "observer",
        "id_columns": _IDS + ["observer_id"], "item_columns": "wai36_01..wai36_36",
    },
    "messy_export": {
        "file": "messy_export.csv",
        "description": "WAI-SR client answers as a forms system exports them, with deliberately bad cells "
                       "(read as text, untouched)",
        "study": "A", "instrument": "wai-sr", "form": "client", "rater": "client",
        "id_columns": ["Client ID", "Timestamp"], "item_columns": "Q1..Q12", "text": True,
    },
    "messy_export_bad_cells": {
        "file": "messy_export_bad_cells.csv",
        "description": "Every deliberately bad cell of messy_export: row, line, column, value, kind, reason",
        "study": "A", "instrument": "wai-sr", "form": "client", "rater": "client",
        "id_columns": ["row", "line", "client_id"], "item_columns": "",
        "text_columns": ["client_id", "column", "value", "kind", "reason", "true_value", "recovered_value"],
    },
    "true_dyad_effects": {
        "file": "true_dyad_effects.csv",
        "description": "True per-dyad parameters of both studies: therapist effect, dyad effects, slopes, ORS",
        "study": "A, B", "instrument": "", "form": "", "rater": "",
        "id_columns": ["study", "dyad_id", "client_id", "therapist_id"], "item_columns": "",
    },
    "true_session_alliance": {
        "file": "true_session_alliance.csv",
        "description": "True latent alliance of every attended study-A session (client and therapist views), "
                       "the rupture drop in it and the latent ORS total",
        "study": "A", "instrument": "", "form": "", "rater": "",
        "id_columns": ["dyad_id", "session"], "item_columns": "",
    },
}


@functools.lru_cache(maxsize=4)
def _read_registry(path: Path, mtime: float) -> dict:
    import yaml

    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _registry(folder: Path | None = None) -> dict:
    folder = Path(folder) if folder is not None else samples_dir()
    path = folder / REGISTRY_FILE
    if not path.is_file():
        raise FileNotFoundError(
            f"sample registry {path} is missing; regenerate the samples with "
            "'python -m toolkit.samples.build --force'"
        )
    return _read_registry(path, path.stat().st_mtime)


def _entry(name: str) -> dict:
    samples = _registry()["samples"]
    if not isinstance(name, str) or name not in samples:
        raise UnknownSampleError(
            f"no sample named {name!r}; valid names: {', '.join(samples)}. "
            "See toolkit.list_samples() for what each holds."
        )
    return samples[name]


def sample_path(name: str) -> Path:
    """Path of a shipped sample's file.

    >>> sample_path("wai_sr_sessions").name
    'wai_sr_sessions.csv'
    """
    return samples_dir() / _entry(name)["file"]


def list_samples():
    """The shipped sample data sets, one row each.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``name``, with ``file``, ``description``, ``study``,
        ``instrument``, ``form``, ``rater``, ``rows``, ``columns`` and ``kb``.

    Examples
    --------
    >>> from toolkit import list_samples
    >>> samples = list_samples()
    >>> samples.loc["wai36_client_therapist", "instrument"], int(samples.loc["wai36_client_therapist", "rows"])
    ('wai36', 1000)
    """
    import pandas as pd

    samples = _registry()["samples"]
    rows = [
        {
            "name": name,
            "file": e["file"],
            "description": e["description"],
            "study": e["study"],
            "instrument": e["instrument"],
            "form": e["form"],
            "rater": e["rater"],
            "rows": e["rows"],
            "columns": e["columns"],
            "kb": round(e["bytes"] / 1024, 1),
        }
        for name, e in samples.items()
    ]
    return pd.DataFrame(rows).set_index("name")


def load_sample(name: str):
    """Load a shipped sample data set.

    Parameters
    ----------
    name : str
        A name from :func:`list_samples`, e.g. ``"wai_sr_sessions"``.

    Returns
    -------
    pandas.DataFrame
        Id columns as strings (``session`` as integer), item columns as floats
        with ``NaN`` for blank answers. ``messy_export`` and
        ``messy_export_bad_cells`` are read entirely as text, cells untouched
        (an empty cell is ``NaN``), so a validator sees exactly what a forms
        system wrote. The index counts rows from 0, as any DataFrame does, and
        reports name rows by it ("row = the row's label in the data's index,
        counting from 0"); row ``r`` is line ``r + 2`` of the file (the header is
        line 1), the numbering :func:`toolkit.read_responses` reports.

    Raises
    ------
    UnknownSampleError
        No sample has that name; the message lists the valid names.

    Examples
    --------
    >>> from toolkit import load_sample
    >>> df = load_sample("wai_sr_sessions")
    >>> list(df.columns[:6])
    ['dyad_id', 'client_id', 'therapist_id', 'session', 'rater', 'wai_sr_01']
    >>> load_sample("messy_export").loc[2, "Q3"]
    'five'
    """
    import pandas as pd

    entry = _entry(name)
    path = samples_dir() / entry["file"]
    if entry.get("text"):
        return pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
    text = entry.get("text_columns")
    if text:
        return pd.read_csv(path, dtype=dict.fromkeys(text, str), keep_default_na=False, na_values=[""])
    ids = {c: str for c in entry["id_columns"] if c != "session"}
    return pd.read_csv(path, dtype=ids)


def load_truth() -> dict:
    """The true parameters the shipped samples were drawn with (``true_parameters.json``).

    >>> from toolkit.samples import load_truth
    >>> load_truth()["parameters"]["facet_corr"]
    0.8
    """
    path = samples_dir() / _registry().get("truth", TRUTH_FILE)
    return json.loads(path.read_text(encoding="utf-8"))
