"""Hand-worked scores for every scorable shipped instrument.

Keys come from ../shared/INSTRUMENTS.md via tests/instruments' EXPECTED table,
not from the YAML files, so a mis-assigned or mis-reversed item changes the result.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from toolkit import load_instrument, score
from toolkit.scoring import default_column

from ..instruments.test_definitions import EXPECTED

SCORABLE = [i for i, (_, _, scale) in EXPECTED.items() if scale is not None]
WITH_SUBSCALES = [i for i in SCORABLE if EXPECTED[i][0]]


def _frame(iid, values: dict[int, float]) -> pd.DataFrame:
    ins = load_instrument(iid)
    row = {default_column(ins, n): values.get(n, np.nan) for n in range(1, ins.n_items + 1)}
    return pd.DataFrame([row], index=["r1"])


def _keyed(iid, n, raw):
    _, rev, (lo, hi) = EXPECTED[iid]
    return lo + hi - raw if n in rev else raw


@pytest.mark.parametrize("iid", WITH_SUBSCALES)
def test_answering_one_subscale_only_scores_that_subscale_only(iid):
    keys, rev, (lo, hi) = EXPECTED[iid]
    for sub, numbers in keys.items():
        # distinct raw answers so that a wrong reversal shows
        raw = {n: lo + (k % int(hi - lo + 1)) for k, n in enumerate(numbers)}
        out = score(_frame(iid, raw), iid, max_missing=0)
        expected = sum(_keyed(iid, n, v) for n, v in raw.items())
        assert out.loc["r1", sub] == expected
        assert out.loc["r1", f"{sub}_n"] == len(numbers)
        for other in keys:
            if other != sub:
                assert math.isnan(out.loc["r1", other]) and out.loc["r1", f"{other}_n"] == 0
        assert math.isnan(out.loc["r1", "total"])


@pytest.mark.parametrize("iid", SCORABLE)
def test_complete_answers_sum_and_mean(iid):
    keys, rev, (lo, hi) = EXPECTED[iid]
    ins = load_instrument(iid)
    rng = np.random.default_rng(7)
    if ins.response_scale.type == "ordinal":
        raw = {n: float(rng.integers(lo, hi + 1)) for n in range(1, ins.n_items + 1)}
    else:
        raw = {n: round(float(rng.uniform(lo, hi)), 1) for n in range(1, ins.n_items + 1)}
    keyed = {n: _keyed(iid, n, v) for n, v in raw.items()}
    s = score(_frame(iid, raw), iid, metric="sum").loc["r1"]
    m = score(_frame(iid, raw), iid, metric="mean").loc["r1"]
    assert s["total"] == pytest.approx(sum(keyed.values()), abs=1e-12)
    assert m["total"] == pytest.approx(sum(keyed.values()) / ins.n_items, abs=1e-12)
    for sub, numbers in keys.items():
        assert s[sub] == sum(keyed[n] for n in numbers)
        assert m[sub] == pytest.approx(sum(keyed[n] for n in numbers) / len(numbers), abs=1e-12)
        assert not s[f"{sub}_prorated"]
    if keys:
        assert s["total"] == sum(s[sub] for sub in keys)


def test_wai36_reversal_by_hand():
    """All answers 1: reversed items count 7, the others 1 (14 reversed items of 36)."""
    out = score(_frame("wai36", {n: 1 for n in range(1, 37)}), "wai36").loc["r1"]
    # task has reversed 7, 11, 15, 31, 33 -> 5*7 + 7*1; bond 1, 20, 29 -> 3*7 + 9; goal 3, 9, 10, 12, 27, 34 -> 6*7 + 6
    assert (out["task"], out["bond"], out["goal"], out["total"]) == (42, 30, 48, 120)


@pytest.mark.parametrize("iid", WITH_SUBSCALES)
def test_missing_rule_at_its_boundary(iid):
    ins = load_instrument(iid)
    keys, _, (lo, hi) = EXPECTED[iid]
    for sub, numbers in keys.items():
        limit = ins.max_missing(sub)
        raw = {n: hi for n in range(1, ins.n_items + 1)}
        raw.update({n: lo for n in numbers})  # keyed values of this subscale vary with reversal
        at_limit = dict(raw)
        for n in numbers[:limit]:
            del at_limit[n]
        out = score(_frame(iid, at_limit), iid).loc["r1"]
        answered = [_keyed(iid, n, at_limit[n]) for n in numbers if n in at_limit]
        assert out[f"{sub}_n"] == len(numbers) - limit
        assert out[sub] == pytest.approx(np.mean(answered) * len(numbers), abs=1e-12)
        assert bool(out[f"{sub}_prorated"]) == (limit > 0)
        over = dict(at_limit)
        del over[numbers[limit]]
        out = score(_frame(iid, over), iid).loc["r1"]
        assert math.isnan(out[sub]) and not out[f"{sub}_prorated"]
        assert math.isnan(out["total"])  # the WAI totals need every subscale


def test_total_only_instrument_missing_rule():
    ins = load_instrument("haq2")
    assert ins.max_missing("total") == 3
    raw = {n: 2 for n in range(1, 20)}
    for n in (1, 2, 3):
        del raw[n]
    out = score(_frame("haq2", raw), "haq2").loc["r1"]
    keyed = [_keyed("haq2", n, 2) for n in range(4, 20)]
    assert out["total"] == pytest.approx(np.mean(keyed) * 19, abs=1e-12) and out["total_prorated"]
    del raw[5]
    assert math.isnan(score(_frame("haq2", raw), "haq2").loc["r1", "total"])


def test_max_missing_override():
    raw = {n: 4 for n in range(1, 13) if n != 3}
    assert math.isnan(score(_frame("wai-sr", raw), "wai-sr", max_missing=0).loc["r1", "bond"])
    assert math.isnan(score(_frame("wai-sr", raw), "wai-sr", max_missing={"bond": 0}).loc["r1", "bond"])
    assert score(_frame("wai-sr", raw), "wai-sr", max_missing={"task": 0}).loc["r1", "bond"] == 16


@pytest.mark.parametrize(
    "line, total_override, low_total, low_line",
    [
        ([9, 9, 9, 9], None, False, False),  # total 36: not below 36
        ([9, 9, 9, 8.9], None, True, True),  # 35.9 and a line below 9
        ([10, 10, 10, 8.9], None, False, True),
        ([9, 9, 9, 9], "<= 36", True, False),  # services that use <= 36
        ([9, 9, 9, 9], 36.5, True, False),
    ],
)
def test_srs_thresholds(line, total_override, low_total, low_line):
    df = _frame("srs", dict(enumerate(line, 1)))
    thr = None if total_override is None else {"low_total": total_override}
    out = score(df, "srs", thresholds=thr).loc["r1"]
    assert out["total"] == pytest.approx(sum(line))
    assert out["flag_low_total"] == low_total and out["flag_low_line"] == low_line


def test_ors_clinical_cutoff_boundary():
    below = score(_frame("ors", {1: 6.2, 2: 6.2, 3: 6.2, 4: 6.3}), "ors").loc["r1"]  # 24.9
    at = score(_frame("ors", {1: 6.2, 2: 6.2, 3: 6.3, 4: 6.3}), "ors").loc["r1"]  # 25.0
    assert below["flag_clinical_range"] and not at["flag_clinical_range"]


def test_flags_are_missing_when_their_score_is():
    df = _frame("srs", {1: 9.5, 2: 9.5, 3: 9.5})
    out = score(df, "srs").loc["r1"]
    assert out["flag_low_total"] is pd.NA  # total missing (a blank line)
    assert not out["flag_low_line"]  # the three answered lines are all >= 9


def test_switching_a_flag_off():
    out = score(_frame("srs", {1: 9, 2: 9, 3: 9, 4: 9}), "srs", thresholds={"low_line": False})
    assert "flag_low_line" not in out.columns and "flag_low_total" in out.columns


def test_wai_s_and_wai_sr_give_different_scores_for_the_same_answers():
    raw = {n: n % 5 + 1 for n in range(1, 13)}
    cols = {f"item{n}": [v] for n, v in raw.items()}
    df = pd.DataFrame(cols)
    a = score(df, "wai-s", pattern="item{n}")
    b = score(df, "wai-sr", pattern="item{n}")
    assert (a[["task", "bond", "goal"]].to_numpy() != b[["task", "bond", "goal"]].to_numpy()).any()


def test_long_layout_equals_wide():
    rng = np.random.default_rng(3)
    wide = pd.DataFrame(rng.integers(1, 6, size=(5, 12)).astype(float),
                        columns=[f"wai_sr_{n:02d}" for n in range(1, 13)])
    wide.iloc[2, 4] = np.nan
    wide.insert(0, "client_id", list("abcde"))
    wide.insert(1, "session", [1, 1, 2, 2, 3])
    long = wide.melt(id_vars=["client_id", "session"], var_name="item", value_name="value").dropna()
    long = long.sample(frac=1.0, random_state=1)  # any row order
    long_out = score(long, "wai-sr", layout="long", id_cols=["client_id", "session"])
    wide_out = score(wide, "wai-sr")
    merged = wide_out.merge(long_out, on=["client_id", "session"], suffixes=("", "_long"))
    assert len(merged) == 5
    for col in ("task", "bond", "goal", "total", "bond_n"):
        np.testing.assert_array_equal(merged[col], merged[f"{col}_long"])


def test_long_layout_with_item_numbers():
    long = pd.DataFrame({"id": ["a"] * 12, "item": range(1, 13), "value": [3] * 12})
    assert score(long, "wai-sr", layout="long", id_cols="id").loc[0, "total"] == 36
