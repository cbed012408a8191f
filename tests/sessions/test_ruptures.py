"""Drops below the running mean: hand-worked series (ties, gaps, first sessions, too short), SD choices,
repair and censoring, and recovery of the planted ruptures of the samples."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import toolkit
from toolkit.exceptions import DataValidationError, InvalidParameterError, SessionWarning
from toolkit.samples import load_truth
from toolkit.sessions import (combine_episodes, detection_rates, drop_below_running_mean, pooled_within_sd,
                              session_scores)


def series(*values, client="a", start=1):
    return pd.DataFrame({"client_id": client, "session": range(start, start + len(values)), "srs": values})


def test_hand_worked_drop_and_repair():
    """38, 38.5, 37.5 -> running mean 38; 30 is 8 below; person SD of the six scores = sqrt(53.8333/5)."""
    d = series(38, 38.5, 37.5, 30, 38, 38)
    ep = drop_below_running_mean(d, k=2)
    sd = np.sqrt(((np.array([38, 38.5, 37.5, 30, 38, 38]) - 220 / 6) ** 2).sum() / 5)
    row = ep.table.iloc[0]
    assert (row["session"], row["from_session"], row["score"], row["level"], row["depth"]) == (4, 3, 30, 38, 8)
    assert row["depth_sd"] == pytest.approx(8 / sd, abs=1e-12) and row["sd"] == pytest.approx(sd, abs=1e-12)
    assert (row["repaired"], row["repair_session"], row["repair_score"], row["sessions_to_repair"]) == (True, 5, 38, 1)
    assert row["parameters"] == "k=2, sd=person, min_prior=2, window=3, reliable_change=None"
    ex = ep.examined.set_index("session")
    assert ex.loc[[1, 2], "reason"].tolist() == ["first sessions", "first sessions"]  # too few earlier scores
    assert not ex.loc[[1, 2], "examined"].any() and ex.loc[3:, "examined"].all()
    assert ex.loc[3, "level"] == 38.25 and ex.loc[5, "level"] == 36.0
    assert ep.per_client[["n_scores", "n_examined", "n_episodes", "n_repaired"]].values.tolist() == [[6, 4, 1, 1]]
    assert drop_below_running_mean(d, k=2.5).n_episodes == 0  # 8 / 3.28 = 2.44 SD


def test_ties_near_constant_series_and_stricter_protects():
    """a sits at the ceiling (person SD 0.041): a 0.1 dip is 2.45 of its SDs. b: 4 below a mean of 34 is 1.15 of
    its SD 3.49. The pooled within-client SD is sqrt((0.00833 + 60.833) / 10) = 2.467."""
    d = pd.concat([series(40, 40, 40, 40, 39.9, 40), series(30, 34, 38, 30, 36, 37, client="b")])
    person = drop_below_running_mean(d, k=1)
    assert person.table[["client_id", "session"]].values.tolist() == [["a", 5], ["b", 4]]
    assert any("near-constant scores" in n and ": a." in n for n in person.notes)
    strict = drop_below_running_mean(d, k=1, sd="stricter")
    assert strict.table["client_id"].tolist() == ["b"]
    pooled = pooled_within_sd(np.array([[40, 40, 40, 40, 39.9, 40], [30, 34, 38, 30, 36, 37]], float))
    assert pooled == pytest.approx(np.sqrt((0.05 ** 2 / 6 * 6 + 60.833333333333336) / 10), rel=1e-3)
    assert strict.per_client.set_index("client_id").loc["a", "sd"] == pytest.approx(pooled, abs=1e-12)
    # an exactly constant series has no drop: the depth must be above 0
    assert drop_below_running_mean(series(40, 40, 40, 40), k=1).n_episodes == 0


def test_exact_tie_at_k_sd_counts():
    """Drop of exactly k x SD (fixed SD 2): 36 below a mean of 40 with k=2 is a drop; 36.1 is not."""
    assert drop_below_running_mean(series(40, 40, 36), k=2, sd=2.0).n_episodes == 1
    assert drop_below_running_mean(series(40, 40, 36.1), k=2, sd=2.0).n_episodes == 0
    assert drop_below_running_mean(series(39.9, 40.1, 36), k=2, sd=2.0).n_episodes == 1  # 0.1-scale sums


def test_missing_sessions_are_gaps_not_scores():
    """Session 4 missed: the mean before 5 is of 1-3; the repair window (3) counts sessions 6, 7, 8."""
    d = series(38, 38, 38, 0, 30, 31, 32, 38)
    d = d[d["session"] != 4]
    ep = drop_below_running_mean(d, k=1, sd=2.0)
    row = ep.table.iloc[0]
    assert (row["session"], row["from_session"], row["level"]) == (5, 3, 38.0)
    assert (row["repaired"], row["repair_session"], row["sessions_to_repair"]) == (True, 8, 3)
    assert row["sessions_below"] == 3  # 5, 6, 7 are below 38 - 2
    assert "Missed sessions are not scores" in ep.notes[1]
    assert drop_below_running_mean(d, k=1, sd=2.0, window=2).table["repaired"].tolist() == [False]


def test_consecutive_drops_are_one_episode_and_censoring():
    d = series(38, 38, 38, 30, 31, 38, 38, 30)
    ep = drop_below_running_mean(d, k=1, sd=2.0)
    assert ep.table["session"].tolist() == [4, 8]
    assert ep.table["sessions_below"].tolist() == [2, 1]
    assert ep.table["repaired"].iloc[0] and pd.isna(ep.table["repaired"].iloc[1])  # the series ends
    assert ep.per_client[["n_repaired", "n_not_repaired", "n_unknown"]].values.tolist() == [[1, 0, 1]]
    assert any("repaired is unknown" in n for n in ep.notes)


def test_too_short_series_warn():
    d = pd.concat([series(38, 30), series(38, 38, 38, 30, client="b")])
    with pytest.warns(SessionWarning, match=r"1 series could not be judged at any session .*: a\."):
        ep = drop_below_running_mean(d, k=1, sd="sample")
    assert ep.table["client_id"].tolist() == ["b"]


def test_reliable_change_criterion():
    d = series(38, 38.4, 37.6, 35, 38)  # drop 3 points: many SDs, less than the ORS reliable change of 5
    assert drop_below_running_mean(d, k=2).n_episodes == 1
    assert drop_below_running_mean(d, "ors", k=2, reliable_change="instrument").n_episodes == 0
    assert drop_below_running_mean(d, k=2, reliable_change=3).n_episodes == 1
    with pytest.raises(InvalidParameterError, match="srs declares no reliable change"):
        drop_below_running_mean(d, "srs", reliable_change="instrument")


def test_raters_are_separate_series():
    a = series(38, 38, 38, 30).assign(rater="client")
    b = series(30, 30, 30, 30.5).assign(rater="therapist")
    ep = drop_below_running_mean(pd.concat([a, b]), k=1, sd=2.0, rater="rater")
    assert ep.table[["client_id", "rater", "session"]].values.tolist() == [["a", "client", 4]]


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"k": 0}, "The 'k' parameter of drop_below_running_mean() must be a finite number > 0 (SDs); got 0."),
    ({"sd": "own"}, "The 'sd' parameter of drop_below_running_mean() must be one of 'person', 'sample', "
                    "'stricter' or a positive number; got 'own'."),
    ({"window": 0}, "The 'window' parameter of drop_below_running_mean() must be a whole number >= 1 (sessions); "
                    "got 0."),
    ({"min_prior": 1.5}, "The 'min_prior' parameter of drop_below_running_mean() must be a whole number >= 1; "
                         "got 1.5."),
])
def test_parameter_errors(kwargs, message):
    with pytest.raises(InvalidParameterError) as err:
        drop_below_running_mean(series(38, 38, 30), **kwargs)
    assert str(err.value) == message


def test_bad_data_are_named():
    d = pd.DataFrame({"client_id": "a", "session": [1, 2, 3], "srs": [38, "n/a", 30]}, dtype=object)
    with pytest.raises(DataValidationError, match=r"row 1 \(id a\), column 'srs': 'n/a' \(not a number\)"):
        drop_below_running_mean(d, value="srs")


def test_combine_episodes_stacks_rules():
    d = series(38, 38.5, 37.5, 30, 38, 38)
    both = combine_episodes(drop_below_running_mean(d, k=1), drop_below_running_mean(d, k=2, sd="sample"))
    assert both["parameters"].str.startswith(("k=1", "k=2")).tolist() == [True, True]
    with pytest.raises(InvalidParameterError):
        combine_episodes(d)


@pytest.fixture(scope="module")
def planted():
    truth = pd.DataFrame(load_truth()["ruptures"])
    wai = toolkit.load_sample("wai_sr_sessions")
    srs = session_scores(toolkit.load_sample("srs_ors_sessions"), "srs", client="dyad_id")
    wai_t = session_scores(wai, "wai-sr", client="dyad_id")
    return truth, srs, wai_t


@pytest.mark.filterwarnings("ignore::toolkit.exceptions.SessionWarning")  # dropouts with two sessions
def test_planted_ruptures_are_found(planted):
    """The recalibrated samples: drops of 3-4 within-person SDs (latent) are found at k = 1 in most cases, with
    few false alarms; k = 2 finds fewer, with fewer false alarms."""
    truth, srs, wai = planted
    res = {}
    for name, data in (("srs", srs), ("wai", wai)):
        for k in (1, 2):
            ep = drop_below_running_mean(data, k=k, client="dyad_id")
            res[name, k] = detection_rates(ep, truth, client="dyad_id").iloc[0]
    assert res["wai", 1]["recall_judged"] > 0.75 and res["srs", 1]["recall_judged"] > 0.65
    assert res["wai", 2]["recall"] < res["wai", 1]["recall"]
    for name in ("srs", "wai"):
        assert res[name, 1]["false_alarm_rate"] < 0.15  # 1 SD below the mean happens by chance
        assert res[name, 2]["false_alarm_rate"] < res[name, 1]["false_alarm_rate"]
    assert res["wai", 1]["planted"] == len(truth)


def test_detection_rates_by_hand():
    d = series(38, 38, 38, 30, 38, 38, 30, 38)
    ep = drop_below_running_mean(d, k=1, sd=2.0)
    truth = [{"client_id": "a", "session": 4, "repair_session": 5}]
    r = detection_rates(ep, truth, client="client_id").iloc[0]
    # judged outside the planted episode: sessions 3, 5, 6, 7, 8 -> 5; the drop at 7 is a false alarm
    assert (r["planted"], r["judged"], r["found"], r["sessions_judged"], r["false_alarms"]) == (1, 1, 1, 5, 1)
    assert r["false_alarm_rate"] == pytest.approx(0.2)
