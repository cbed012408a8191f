"""Small data for the report tests: a hand-made SRS+ORS export, and hostile strings everywhere a user can put one."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

#: strings that would run script if a report inserted them as markup
HOSTILE = {
    "script": "<script>window.__pwned = 'script'</script>",
    "img": "<img src=x onerror=\"window.__pwned='img'\">",
    "svg": "\"><svg onload=\"window.__pwned='svg'\">",
    "amp": "A&B <i>",
}


def hostile_markers(html: str) -> list[str]:
    """The raw (unescaped) forms of the hostile strings found in ``html``."""
    raw = ["<script", "<img src=x", "<svg onload", "<i>"]
    return [r for r in raw if r in html]


def srs_ors_rows(client, sessions, srs_lines, ors_lines, *, client_col="client_id"):
    """Rows of an export: one per session, the same four SRS lines and four ORS lines each."""
    rows = []
    for s, a, b in zip(sessions, srs_lines, ors_lines):
        rows.append({client_col: client, "session": s, **{f"srs_{k:02d}": a for k in range(1, 5)},
                     **{f"ors_{k:02d}": b for k in range(1, 5)}})
    return rows


@pytest.fixture
def export() -> pd.DataFrame:
    """Three clients by hand.

    A: SRS totals 38, 38, 34 (the last below 36), ORS 20, 24, 26 (clinical at first; +6: reliable improvement).
    B: SRS 39.2 every session, ORS 30, 28, 24 (-6 at session 3: reliable deterioration, clinical at the last).
    C: one session, SRS 40, ORS 32: no flag.
    """
    rows = srs_ors_rows("A", [1, 2, 3], [9.5, 9.5, 8.5], [5.0, 6.0, 6.5])
    rows += srs_ors_rows("B", [1, 2, 3], [9.8, 9.8, 9.8], [7.5, 7.0, 6.0])
    rows += srs_ors_rows("C", [1], [10.0], [8.0])
    df = pd.DataFrame(rows)
    df["date"] = ["2025-01-06", "2025-01-13", "2025-02-03", "2025-01-07", "2025-01-14", "2025-02-04", "2025-02-05"]
    return df


@pytest.fixture
def hostile_export(export) -> pd.DataFrame:
    df = export.copy()
    df["client_id"] = df["client_id"].map({"A": HOSTILE["script"], "B": HOSTILE["img"], "C": HOSTILE["svg"]})
    df = df.astype({"srs_02": object})
    df.loc[1, "srs_02"] = HOSTILE["amp"]  # a bad cell whose value is markup
    return df


@pytest.fixture
def hostile_instrument(tmp_path) -> Path:
    """The SRS definition with markup in its name, item labels and threshold labels."""
    from toolkit._paths import instruments_dir

    spec = yaml.safe_load((Path(instruments_dir()) / "srs.yaml").read_text(encoding="utf-8"))
    spec["name"] = HOSTILE["script"]
    spec["short_name"] = HOSTILE["amp"]
    for item in spec["items"]:
        item["label"] = HOSTILE["img"][:60]
    for t in spec["thresholds"]:
        t["label"] = HOSTILE["svg"]
        t["meaning"] = HOSTILE["script"]
    path = tmp_path / "srs.yaml"
    path.write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    return path


def hostile_two_factor_data(n: int, seed: int = 3):
    """Two three-item factors on a 1-5 scale whose column names are hostile strings (and plain ``q3``, ``q5``,
    ``q6``): the data the reports' escaping tests feed in, with its columns."""
    rng = np.random.default_rng(seed)
    f = rng.normal(size=(n, 2))
    cols = [HOSTILE["img"], HOSTILE["script"], "q3", HOSTILE["amp"], "q5", "q6"]
    values = np.column_stack([f[:, 0]] * 3 + [f[:, 1]] * 3) + rng.normal(scale=0.8, size=(n, 6))
    return pd.DataFrame(np.clip(np.round(values + 3), 1, 5), columns=cols), cols
