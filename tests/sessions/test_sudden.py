"""Sudden gains and losses against suddengains' documented examples, and hand-worked series.

Reference: tests/reference/sessions/suddengains_documented.json (transcribed from suddengains 0.7.2's tests and
rendered documentation; see the README there). Closed-form criteria: exact, except values the documentation
prints to 3 decimals (critical values, SDs), compared to 5e-4.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from toolkit.exceptions import InvalidParameterError, SessionWarning
from toolkit.sessions import sudden_gains, sudden_losses

REF = Path(__file__).resolve().parents[1] / "reference" / "sessions"
DOC = json.loads((REF / "suddengains_documented.json").read_text())


def long_from_rows(rows, name="x"):
    """Wide rows (sessions 1..k) as a long table with ids '1', '2', ..."""
    recs = [(str(i + 1), s + 1, np.nan if v is None else float(v)) for i, row in enumerate(rows)
            for s, v in enumerate(row)]
    return pd.DataFrame(recs, columns=["id", "session", name])


def as_matrix(result, n_rows, kind):
    """0 / 1 / None per interval 2to3, 3to4, 4to5 (the pre-change sessions 2, 3, 4), as suddengains prints."""
    ex = result.examined
    out = []
    for i in range(1, n_rows + 1):
        mine = ex[ex["id"] == str(i)].set_index("from_session")[kind]
        out.append([None if pd.isna(mine.loc[s]) else int(mine.loc[s]) for s in (2, 3, 4)])
    return out


@pytest.mark.parametrize("case", ["identify_sg_df1", "identify_sg_df2"])
def test_identify_sg_testthat_tables(case):
    c = DOC["testthat"][case]
    g = sudden_gains(long_from_rows(c["data"]), cutoff=7, higher_is_better=False, client="id", value="x")
    assert as_matrix(g, len(c["data"]), "sudden_gain") == c["expected_sg_2to3_3to4_4to5"]


def test_identify_sl_testthat_table():
    c = DOC["testthat"]["identify_sl_df2"]
    lo = sudden_losses(long_from_rows(c["data"]), cutoff=7, higher_is_better=False, client="id", value="x")
    assert as_matrix(lo, len(c["data"]), "sudden_loss") == c["expected_sl_2to3_3to4_4to5"]


@pytest.mark.parametrize("k", range(4))
def test_check_interval_examples(k):
    c = DOC["check_interval"][k]
    series = [np.nan if v is None else v for v in c["pre"] + c["post"]]
    d = pd.DataFrame({"client_id": "a", "session": range(1, 7), "bdi": series})
    cutoff = None if c["cutoff"] is None else abs(c["cutoff"])
    f = sudden_gains if c["identify"] == "sg" else sudden_losses
    res = f(d, cutoff=cutoff, percent=c["percent"], t_test=c["t_test"], ci=1 - c["alpha"], higher_is_better=False)
    ex = res.examined.set_index("from_session")
    assert ex.loc[3, "examined"]
    assert len(res.table) == int(c["sudden"])
    row = res.table.iloc[0]
    met = [None if pd.isna(row[f"crit{j}"]) else bool(row[f"crit{j}"]) for j in (1, 2, 3)]
    assert met == c["met"]
    assert row["critical_value"] == pytest.approx(c["critical_value"], abs=5e-4)
    assert (row["n_pre"], row["n_post"]) == (c["n_pre"], c["n_post"])
    assert (row["mean_pre"], row["mean_post"]) == (c["mean_pre"], c["mean_post"])
    assert row["sd_pre"] == pytest.approx(c["sd_pre"], abs=5e-4)
    assert row["sd_post"] == pytest.approx(c["sd_post"], abs=5e-4)


@pytest.fixture(scope="module")
def sgdata():
    w = pd.read_csv(REF / "sgdata_bdi.csv", dtype={"id": str})
    long = w.melt(id_vars="id", value_vars=[f"bdi_s{k}" for k in range(1, 13)], var_name="var", value_name="bdi")
    long["session"] = long["var"].str[5:].astype(int)
    return long.drop(columns="var")


def test_sgdata_describe_sg(sgdata):
    """describe_sg() of create_bysg() and create_byperson(multiple_sg_select = "first") on sgdata."""
    g = sudden_gains(sgdata, cutoff=7, higher_is_better=False, client="id", value="bdi")
    t = g.table
    bysg, byperson = DOC["sgdata"]["describe_sg_bysg"], DOC["sgdata"]["describe_sg_byperson_first"]
    per_id = t.groupby("id").size()
    assert len(t) == bysg["sg_total_n"] == byperson["sg_total_n"]
    assert round(100 * (t["id"].map(per_id) > 1).mean(), 2) == bysg["sg_multiple_pct"]
    assert int(t["reversed"].sum()) == bysg["sg_reversal_n"]
    assert round(100 * t["reversed"].mean(), 2) == bysg["sg_reversal_pct"]
    assert round(t["depth"].mean(), 2) == bysg["sg_magnitude_m"]
    assert round(t["depth"].std(), 2) == bysg["sg_magnitude_sd"]
    first = t.sort_values("from_session").groupby("id").first()
    n = sgdata["id"].nunique()
    assert (n, len(first), int((per_id > 1).sum())) == \
        (byperson["total_n"], byperson["sg_n"], byperson["sg_multiple_n"])
    assert round(100 * len(first) / n, 2) == byperson["sg_pct"]
    assert round(100 * (per_id > 1).sum() / n, 2) == byperson["sg_multiple_pct"]
    assert int(first["reversed"].sum()) == byperson["sg_reversal_n"]
    assert (round(first["depth"].mean(), 2), round(first["depth"].std(), 2)) == \
        (byperson["sg_magnitude_m"], byperson["sg_magnitude_sd"])
    # the tutorial: ID 5's first gain is from session 3 to 4, its largest from 8 to 9
    five = t[t["id"] == "5"].sort_values("from_session")
    assert five[["from_session", "session"]].values.tolist()[0] == [3, 4]
    assert five.loc[five["depth"].idxmax(), ["from_session", "session"]].tolist() == [8, 9]
    assert g.per_client["n_episodes"].sum() == 24 and (g.per_client["n_episodes"] > 0).sum() == 15


def test_sgdata_count_intervals(sgdata):
    """count_intervals() uses cutoff 1, 25% and the t criterion: which intervals can be decided."""
    c = DOC["sgdata"]["count_intervals"]
    g = sudden_gains(sgdata, cutoff=1, higher_is_better=False, client="id", value="bdi")
    ex = g.examined
    assert len(ex) == c["total_between_sess_intervals_sg"]
    assert int(ex["examined"].sum()) == c["available_between_sess_intervals_sg"]
    assert int((~ex["examined"]).sum()) == c["not_available_between_sess_intervals_sg"]
    assert sgdata["id"].nunique() * 11 == c["total_between_sess_intervals"]


# ---------------------------------------------------------------- hand-worked series (higher is better)

def one(series, **kwargs):
    d = pd.DataFrame({"client_id": "a", "session": range(1, len(series) + 1), "srs": series})
    return d, kwargs


def test_ties_at_the_cutoff_and_the_percent_count():
    """Gain of exactly 8 from 32 to 40: cutoff 8 and 25% of 32 = 8 are both met (>=), as suddengains' >=."""
    d = pd.DataFrame({"client_id": "a", "session": range(1, 7), "srs": [32.0, 32.0, 32.0, 40.0, 40.0, 40.0]})
    g = sudden_gains(d, cutoff=8, t_test=False)
    assert g.table[["from_session", "session", "depth"]].values.tolist() == [[3, 4, 8.0]]
    assert sudden_gains(d, cutoff=8.1, t_test=False).n_episodes == 0
    # constant windows: pooled SD 0, so any mean difference > 0 passes criterion 3
    assert sudden_gains(d, cutoff=None, percent=None, t_test=True).n_episodes == 1


def test_missing_session_raises_the_critical_value_and_a_missing_pre_score_leaves_it_undecided():
    d = pd.DataFrame({"client_id": "a", "session": [1, 3, 4, 5, 6], "srs": [30.0, 30.5, 39.0, 39.5, 39.0]})
    g = sudden_gains(d, cutoff=5)
    ex = g.examined.set_index("from_session")
    assert ex.loc[3, "n_pre"] == 2 and ex.loc[3, "critical_value"] == pytest.approx(3.182446305284263, abs=1e-12)
    assert g.table["session"].tolist() == [4]
    assert not ex.loc[2, "examined"] and ex.loc[2, "reason"] == "no score at one of the two sessions"
    assert g.table["critical_value"].tolist() == [pytest.approx(3.182446305284263, abs=1e-12)]


def test_first_and_last_intervals_are_never_examined_and_short_ranges_warn():
    d = pd.DataFrame({"client_id": "a", "session": range(1, 7), "srs": [30.0, 39.0, 39.0, 39.0, 39.0, 20.0]})
    g = sudden_gains(d, cutoff=5)
    assert g.examined["from_session"].tolist() == [2, 3, 4]  # not 1->2 and not 5->6
    assert g.n_episodes == 0
    with pytest.warns(SessionWarning, match="at least four sessions are needed"):
        short = sudden_gains(d[d["session"] <= 3], cutoff=5)
    assert short.n_episodes == 0 and len(short.examined) == 0


def test_reversal_from_the_second_session_after_the_gain():
    """Gain 30 -> 40 (half: 35). A fall to 34 at the first session after the post-gain score is not
    checked (suddengains); at the second it is."""
    base = [30.0, 30.0, 30.0, 40.0, 40.0, 40.0, 40.0, 40.0]
    d = pd.DataFrame({"client_id": "a", "session": range(1, 9), "srs": base})
    assert not sudden_gains(d, cutoff=5).table["reversed"].iloc[0]
    d.loc[6, "srs"] = 34.0  # session 7: the third after the pre-gain session 3
    assert sudden_gains(d, cutoff=5).table["reversed"].iloc[0]


def test_loss_repair_and_censoring():
    d = pd.DataFrame({"client_id": "a", "session": range(1, 9), "srs": [38, 38, 38, 27, 28, 27.5, 38.5, 39.0]})
    lo = sudden_losses(d, cutoff=5, window=3)
    assert lo.table[["session", "repaired", "sessions_to_repair"]].values.tolist() == [[4, True, 3]]
    lo2 = sudden_losses(d, cutoff=5, window=2)
    assert lo2.table["repaired"].iloc[0] is False or not lo2.table["repaired"].iloc[0]
    ended = d[d["session"] <= 6]
    lo3 = sudden_losses(ended, cutoff=5, window=3)
    assert pd.isna(lo3.table["repaired"].iloc[0])  # the series ends before the window closes


def test_losses_mirror_percent_criterion():
    """A worsening of 7 from a pre-loss score of 32 is below 25% of 32 (8): not a loss here. suddengains'
    identify_sl would keep it (its criterion 2 is met by every loss)."""
    d = pd.DataFrame({"client_id": "a", "session": range(1, 7), "bdi": [32.0, 32, 32, 39, 39, 39]})
    assert sudden_losses(d, cutoff=7, higher_is_better=False).n_episodes == 0
    assert sudden_losses(d, cutoff=7, percent=None, higher_is_better=False).n_episodes == 1


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"cutoff": None, "percent": None, "t_test": False}, "needs at least one criterion"),
    ({"cutoff": -7}, "The 'cutoff' parameter of sudden_gains() must be a finite number >= 0"),
    ({"cutoff": "yes"}, "The 'reliable_change' parameter of sudden_gains() must be None"),
    ({"cutoff": "instrument"}, "sudden_gains(reliable_change='instrument') needs the instrument"),
    ({"cutoff": 7, "percent": 1.5}, "The 'percent' parameter of sudden_gains() must be a finite number > 0 and <= 1"),
    ({"cutoff": 7, "ci": 95}, "The 'ci' parameter of sudden_gains() must be a confidence level"),
])
def test_parameter_errors(kwargs, message):
    d = pd.DataFrame({"client_id": "a", "session": range(1, 7), "srs": [30.0] * 6})
    with pytest.raises(InvalidParameterError) as err:
        sudden_gains(d, **kwargs)
    assert message in str(err.value)


def test_cutoff_from_the_instrument():
    d = pd.DataFrame({"client_id": "a", "session": range(1, 7), "ors": [15.0, 15.5, 15.0, 21.0, 21.5, 21.0]})
    g = sudden_gains(d, "ors", cutoff="instrument", percent=None)
    assert "cutoff=5" in g.parameters and g.n_episodes == 1
    with pytest.raises(InvalidParameterError, match="srs declares no reliable change"):
        sudden_gains(d, "srs", cutoff="instrument")
