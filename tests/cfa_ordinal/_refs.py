"""The stored lavaan 0.6-14 references of tests/reference/cfa/ordinal/ and the fits they are compared with.

Each case: the JSON written by make_reference.R, the data it used (as CSV beside it), the model (factors and
their items, markers first) and the lavaan options. ``fit_case`` runs our route on the same data:
ordinal_statistics, then fit_wls with the hand-written model of ``_model.py``.
"""

from __future__ import annotations

import json
import warnings
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from toolkit.factor.cfa.ordinal import ordinal_statistics
from toolkit.factor.cfa.wls import fit_wls

from ._model import DeltaCFA

REF_DIR = Path(__file__).resolve().parents[1] / "reference" / "cfa" / "ordinal"

HS = {"visual": ["x1", "x2", "x3"], "textual": ["x4", "x5", "x6"], "speed": ["x7", "x8", "x9"]}
WAI = {"task": [f"wai_sr_{i:02d}" for i in (1, 2, 10, 12)], "bond": [f"wai_sr_{i:02d}" for i in (3, 5, 7, 9)],
       "goal": [f"wai_sr_{i:02d}" for i in (4, 6, 8, 11)]}

# name: (data file, factors, group column, missing, equal loadings, estimator)
CASES = {
    "hs_wlsmv": ("hs_cut4.csv", HS, None, "listwise", False, "DWLS"),
    "hs_wlsmv_school": ("hs_cut4.csv", HS, "school", "listwise", False, "DWLS"),
    "hs_wlsmv_school_loadings": ("hs_cut4.csv", HS, "school", "listwise", True, "DWLS"),
    "wai_sr_wlsmv": ("wai_sr_session1.csv", WAI, None, "listwise", False, "DWLS"),
    "wai_sr_wlsmv_pairwise": ("wai_sr_session1.csv", WAI, None, "pairwise", False, "DWLS"),
    "hs_mixed_wlsmv": ("hs_mixed.csv", HS, None, "listwise", False, "DWLS"),
    "hs_ulsmv": ("hs_cut4.csv", HS, None, "listwise", False, "ULS"),
    "hs_wls": ("hs_cut4.csv", HS, None, "listwise", False, "WLS"),
}


@lru_cache(maxsize=None)
def ref(name: str) -> dict:
    return json.loads((REF_DIR / f"{name}.json").read_text())


@lru_cache(maxsize=None)
def data(file: str) -> pd.DataFrame:
    return pd.read_csv(REF_DIR / file, dtype={"dyad_id": str})


def case_data(name: str) -> pd.DataFrame:
    """The item columns in the model's order (lavaan orders the observed variables so), plus the group."""
    file, factors, group, *_ = CASES[name]
    items = [it for its in factors.values() for it in its]
    return data(file)[([group] if group else []) + items]


@lru_cache(maxsize=None)
def fit_case(name: str):
    """(statistics, model, fit) of our route on a case; the listwise warning is expected and silenced."""
    file, factors, group, missing, equal, estimator = CASES[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        st = ordinal_statistics(case_data(name), group=group, missing=missing)
    model = DeltaCFA(st.samples, factors, equal_loadings=equal)
    fit = fit_wls(st.samples, model.implied, model.jacobian, model.start(), constraints=model.constraints,
                  estimator=estimator, names=[f"{a}{op}{b}.g{g}" for a, op, b, g in model.names])
    return st, model, fit


def lavaan_order(name: str, model: DeltaCFA) -> np.ndarray:
    """Row numbers of lavaan's parameter table for our parameters, in our order."""
    pt = ref(name)["partable"]
    key = {(pt["lhs"][i], pt["op"][i], pt["rhs"][i], pt["group"][i]): i for i in range(len(pt["lhs"]))}
    return np.array([key[n] for n in model.names])
