"""Scores against R's psych::scoreItems on the shipped samples.

Reference values: tests/reference/scoring/score_items.R (R 4.2, psych 2.2.9), stored as CSV.
Tolerance 1e-9 on scores (closed forms; the CSV keeps 15 significant digits).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import toolkit

REF = Path(__file__).resolve().parents[1] / "reference" / "scoring"
CASES = [("wai36_client_therapist", "wai36"), ("wai_sr_sessions", "wai-sr")]


def _mean_rule_without_subscale_total(iid):
    """Same key, but the total is the mean of all answered items (psych's definition)."""
    ins = toolkit.load_instrument(iid)
    return ins.model_copy(update={"missing": ins.missing.model_copy(update={"total_requires_subscales": False})})


@pytest.mark.parametrize("sample, iid", CASES)
def test_means_of_answered_items_match_scoreItems(sample, iid):
    """R: scoreItems(keys, x, totals = FALSE, impute = "none", min = 1, max = 7)$scores"""
    ref = pd.read_csv(REF / f"{sample}.csv")
    data = toolkit.load_sample(sample)
    ins = _mean_rule_without_subscale_total(iid)
    big = {s: len(ins.items_of(s)) - 1 for s in ins.score_names}  # score whenever one item is answered
    ours = toolkit.score(data, ins, metric="mean", max_missing=big)
    assert len(ours) == len(ref)
    for s in ins.score_names:
        np.testing.assert_allclose(ours[s].to_numpy(), ref[f"{s}_mean"].to_numpy(), rtol=0, atol=1e-9)


@pytest.mark.parametrize("sample, iid", CASES)
def test_sums_of_complete_rows_match_scoreItems(sample, iid):
    """R: scoreItems(keys, x, totals = TRUE, impute = "none", min = 1, max = 7)$scores (complete rows)"""
    ref = pd.read_csv(REF / f"{sample}.csv")
    ours = toolkit.score(toolkit.load_sample(sample), iid)
    ins = toolkit.load_instrument(iid)
    complete = (ours["total_n"] == ins.n_items).to_numpy()
    assert 0.5 < complete.mean() < 1.0  # the samples have some missing items
    for s in ins.score_names:
        np.testing.assert_allclose(ours.loc[complete, s].to_numpy(), ref.loc[complete, f"{s}_sum"].to_numpy(),
                                   rtol=0, atol=1e-9)
