"""Data behind the agreement tests: built from the shipped samples (or seeded simulation), stored as CSV under
tests/reference/agreement/ so that make_reference.R fits the same numbers in R. Rebuild the CSVs with
``python -m tests.agreement._data`` from the repository root (the tests check that the builders still
reproduce them)."""

from __future__ import annotations

import json
import warnings
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

REF_DIR = Path(__file__).resolve().parents[1] / "reference" / "agreement"


@lru_cache(maxsize=None)
def study_a_pairs():
    """Client WAI-SR with therapist WAI-S, study A, POMP metric (warns: unmatched sessions)."""
    import toolkit
    from toolkit.exceptions import PairingWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PairingWarning)
        return toolkit.pair_raters(toolkit.load_sample("wai_sr_sessions"),
                                   toolkit.load_sample("wai_s_therapist_sessions"),
                                   instrument_client="wai-sr", instrument_therapist="wai-s")


@lru_cache(maxsize=None)
def study_b_pairs():
    import toolkit

    return toolkit.pair_raters(toolkit.load_sample("wai36_client_therapist"), instrument_client="wai36")


def build_apim_sample() -> pd.DataFrame:
    """Person-level APIM data, study A: each member's alliance (POMP total of their own form) at session 2
    predicting their alliance at session 6. Members are scored separately (not paired), so dyads where one
    member missed a session are incomplete, as in real data."""
    import toolkit

    rows = []
    for rater, name, ins, form in (("client", "wai_sr_sessions", "wai-sr", "client"),
                                   ("therapist", "wai_s_therapist_sessions", "wai-s", "therapist")):
        raw = toolkit.load_sample(name)
        s = toolkit.score(raw, ins, form=form, id_cols=["dyad_id", "session"], metric="mean")
        scale = toolkit.load_instrument(ins).scale_for(form)
        s["pomp"] = 100 * (s["total"] - scale.min) / (scale.max - scale.min)
        wide = s.pivot_table(index="dyad_id", columns="session", values="pomp")
        rows.append(pd.DataFrame({"dyad_id": wide.index, "rater": rater, "alliance": wide.get(2),
                                  "outcome": wide.get(6)}))
    out = pd.concat(rows, ignore_index=True).sort_values(["dyad_id", "rater"], kind="stable")
    out = out.dropna(subset=["alliance", "outcome"], how="all").reset_index(drop=True)
    return out.round(10)


def build_rsa_sample() -> pd.DataFrame:
    """Study A, session 3: client (WAI-SR) and therapist (WAI-S) POMP totals and the ORS total before
    session 4 (the next session's outcome)."""
    import toolkit

    w = study_a_pairs().wide
    w = w.loc[w["session"] == 3, ["dyad_id", "client_total", "therapist_total"]]
    ors = toolkit.score(toolkit.load_sample("srs_ors_sessions"), "ors", id_cols=["dyad_id", "session"])
    ors = ors.loc[ors["session"] == 4, ["dyad_id", "total"]].rename(columns={"total": "ors_next"})
    out = w.merge(ors, on="dyad_id", how="inner").rename(columns={"client_total": "client",
                                                                  "therapist_total": "therapist"})
    return out.reset_index(drop=True).round(10)


def build_icc_dyads(seed: int = 20261205, n: int = 80) -> pd.DataFrame:
    """Simulated client and therapist ratings of n dyads (true r .4, clients .4 SD higher)."""
    rng = np.random.default_rng(seed)
    z = rng.multivariate_normal([0.4, 0.0], [[1, 0.4], [0.4, 1]], size=n)
    return pd.DataFrame({"dyad_id": [f"D{i:03d}" for i in range(1, n + 1)],
                         "client": np.round(5 + z[:, 0], 4), "therapist": np.round(5 + z[:, 1], 4)})


def build_kappa_pairs(seed: int = 20261201) -> pd.DataFrame:
    """Rating pairs for the kappa reference (make_kappa_reference.R), one block per ``set`` with its scale
    (``k_min``..``k_max``):

    * ``sample_item17``: WAI-36 item 17, client and therapist of study B (keyed answers, 1-7, complete pairs);
    * ``skewed``: 80 simulated pairs on 1-5 with opposite margins (the case an asymmetric variance formula
      gets wrong);
    * ``small``: five hand-made pairs on 1-5 with an unused category.
    """
    blocks = []
    it = study_b_pairs().items
    item = it.loc[it["item"] == "wai36_17", ["client", "therapist"]].dropna()
    blocks.append(pd.DataFrame({"set": "sample_item17", "a": item["client"].to_numpy(),
                                "b": item["therapist"].to_numpy(), "k_min": 1, "k_max": 7}))
    rng = np.random.default_rng(seed)
    a = rng.choice(np.arange(1, 6), 80, p=[0.1, 0.1, 0.2, 0.3, 0.3])
    b = np.clip(a + rng.choice([-2, -1, 0, 0, 1], 80), 1, 5)
    blocks.append(pd.DataFrame({"set": "skewed", "a": a, "b": b, "k_min": 1, "k_max": 5}))
    blocks.append(pd.DataFrame({"set": "small", "a": [1, 2, 3, 4, 4], "b": [1, 2, 4, 4, 3], "k_min": 1, "k_max": 5}))
    out = pd.concat(blocks, ignore_index=True)
    out[["a", "b"]] = out[["a", "b"]].astype(int)
    return out


def stored(name: str) -> pd.DataFrame:
    return pd.read_csv(REF_DIR / f"{name}.csv", dtype={"dyad_id": str})


@lru_cache(maxsize=None)
def ref(name: str) -> dict:
    return json.loads((REF_DIR / f"{name}.json").read_text())


if __name__ == "__main__":
    REF_DIR.mkdir(parents=True, exist_ok=True)
    for name, build in (("apim_sample", build_apim_sample), ("rsa_sample", build_rsa_sample),
                        ("icc_dyads", build_icc_dyads), ("kappa_pairs", build_kappa_pairs)):
        build().to_csv(REF_DIR / f"{name}.csv", index=False, float_format="%.10g")
        print("wrote", REF_DIR / f"{name}.csv")
