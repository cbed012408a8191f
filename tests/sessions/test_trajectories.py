"""Trajectories: hand-worked series (gaps, first sessions, too short, ties), errors, plots."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import toolkit
from toolkit.exceptions import DataValidationError, InvalidParameterError, SessionWarning
from toolkit.sessions import session_scores, trajectories
from toolkit.sessions.plots import mean_trajectory, plot_trajectories, plot_trajectory, trajectory_data


def frame(rows, rater=False):
    cols = ["client_id", "rater", "session", "score"] if rater else ["client_id", "session", "score"]
    return pd.DataFrame(rows, columns=cols)


def test_hand_worked_series():
    """a: 30, 34, (gap), 38 -> level 34, slope 18/7, sd 4, change 8; b: 39, 37 -> slope -2; c: four ties."""
    d = frame([("a", 1, 30.0), ("a", 2, 34.0), ("a", 4, 38.0), ("b", 1, 39.0), ("b", 2, 37.0),
               ("c", 2, 40.0), ("c", 3, 40.0), ("c", 4, 40.0), ("c", 5, 40.0)])
    before = d.copy()
    t = trajectories(d, value="score")
    pd.testing.assert_frame_equal(d, before)  # the caller's frame is untouched
    tab = t.table.set_index("client_id")
    a, b, c = tab.loc["a"], tab.loc["b"], tab.loc["c"]
    assert (a["n_scores"], a["first_session"], a["last_session"], a["n_gaps"], a["gaps"]) == (3, 1, 4, 1, "3")
    assert (a["first"], a["last"], a["change"], a["level"], a["min"], a["max"]) == (30, 38, 8, 34, 30, 38)
    assert a["slope"] == pytest.approx(18 / 7, abs=1e-12)  # sum (t - 7/3)(y - 34) / sum (t - 7/3)^2 = 12 / (42/9)
    assert a["sd"] == pytest.approx(4.0, abs=1e-12)
    assert (b["slope"], b["change"]) == (-2, -2) and b["sd"] == pytest.approx(np.sqrt(2), abs=1e-12)
    assert (c["sd"], c["slope"], c["change"], c["first_session"], c["n_gaps"]) == (0, 0, 0, 2, 0)  # ties
    s = t.scores
    assert s.loc[s["client_id"] == "a", "session"].tolist() == [1, 2, 3, 4]  # the gap is a row ...
    assert s.loc[(s["client_id"] == "a") & (s["session"] == 3), ["gap", "recorded"]].values.tolist() == [[True, False]]
    assert np.isnan(s.loc[(s["client_id"] == "a") & (s["session"] == 3), "score"]).all()  # ... never filled in
    assert s.loc[s["client_id"] == "c", "session"].min() == 2  # the series starts at its first score
    assert any("gaps" in n and "never interpolated" in n for n in t.notes)


def test_recorded_session_without_score_is_a_gap():
    d = frame([("a", 1, 30.0), ("a", 2, np.nan), ("a", 3, 34.0)])
    t = trajectories(d, value="score")
    assert t.table.loc[0, "gaps"] == "2" and t.table.loc[0, "n_scores"] == 2
    row = t.scores.query("session == 2").iloc[0]
    assert bool(row["gap"]) and bool(row["recorded"])
    assert any("1 recorded sessions have no score" in n for n in t.notes)


def test_too_short_series_warn_and_say_who():
    d = frame([("a", 1, 30.0), ("b", 3, 31.0), ("b", 4, 32.0)])
    with pytest.warns(SessionWarning, match=r"1 series have fewer than two scores, so their slope and SD are NaN "
                                            r"\(client: a\)"):
        t = trajectories(d, value="score")
    row = t.table.iloc[0]
    assert np.isnan(row["slope"]) and np.isnan(row["sd"]) and row["change"] == 0
    assert any("fewer than two scores" in n for n in t.notes)


def test_raters_are_separate_series_and_ids_stay_text():
    d = frame([("007", "client", 1, 30.0), ("007", "therapist", 1, 28.0), ("007", "client", 2, 32.0),
               ("007", "therapist", 2, 29.0)], rater=True)
    t = trajectories(d, value="score", rater="rater")
    assert t.table[["client_id", "rater"]].values.tolist() == [["007", "client"], ["007", "therapist"]]
    assert t.table["change"].tolist() == [2.0, 1.0]


def test_date_axis_gives_slope_per_week():
    d = frame([("a", 1, 30.0), ("a", 2, 32.0), ("a", 3, 36.0)])
    d["date"] = pd.to_datetime(["2025-01-06", "2025-01-13", "2025-01-27"])  # weeks 0, 1, 3
    t = trajectories(d, value="score", time="date")
    # weeks 0, 1, 3 and scores 30, 32, 36: slope = sum (w - 4/3)(y - 98/3) / sum (w - 4/3)^2 = 28/3 / (14/3) = 2
    assert t.table.loc[0, "slope"] == pytest.approx(2.0, abs=1e-12)
    assert t.notes[0].startswith("Slope per week")


def test_bad_cells_are_all_named_at_once():
    d = pd.DataFrame({"client_id": ["a", "a", "b", None, "c"], "session": [1, 2.5, "x", 1, 1],
                      "score": [1.0, 2.0, 3.0, 4.0, "high"]})
    with pytest.raises(DataValidationError) as err:
        trajectories(d, value="score")
    rep = err.value.report
    assert rep[["row", "column", "reason"]].values.tolist() == [
        [1, "session", "not a whole session number"], [2, "session", "not a whole session number"],
        [3, "client_id", "id is missing"], [4, "score", "not a number"]]
    assert "4 bad cell(s)" in str(err.value) and "row 1 (id a), column 'session': 2.5" in str(err.value)


@pytest.mark.parametrize("dtype", [object, "str", "string"])
def test_every_missing_id_is_named_even_next_to_another(dtype):
    # two missing ids in a row are two bad cells (the ids are compared in their own array type: Arrow strings,
    # pd.NA strings, Python objects)
    d = pd.DataFrame({"client_id": pd.array(["a", None, None, "b", None], dtype=dtype),
                      "session": [1, 1, 2, 1, 1], "score": [1.0, 2.0, 3.0, 4.0, 5.0]})
    with pytest.raises(DataValidationError) as err:
        trajectories(d, value="score")
    assert err.value.report["row"].tolist() == [1, 2, 4]
    assert set(err.value.report["reason"]) == {"id is missing"}


def test_duplicate_sessions_are_refused():
    d = frame([("a", 1, 30.0), ("a", 1, 31.0), ("b", 1, 30.0)])
    with pytest.raises(DataValidationError, match="the same session appears twice for this client") as err:
        trajectories(d, value="score")
    assert err.value.report["row"].tolist() == [0, 1]


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"value": "nope"}, "The 'value' parameter of trajectories() names the column 'nope', which the data do not "
                        "have; its columns are 'client_id', 'session', 'score'. Pass value='<column>'."),
    ({"value": "score", "client": "id"}, "The 'client' parameter of trajectories() names the column 'id'"),
])
def test_parameter_errors(kwargs, message):
    d = frame([("a", 1, 30.0)])
    with pytest.raises(InvalidParameterError) as err:
        trajectories(d, **kwargs)
    assert str(err.value).startswith(message)


def test_value_column_is_found_or_asked_for():
    d = frame([("a", 1, 30.0), ("a", 2, 31.0)])
    assert trajectories(d).value == "score"
    d["other"] = 1.0
    with pytest.raises(InvalidParameterError, match=r"needs value='<score column>': the data have 2 numeric"):
        trajectories(d)


def test_session_scores_on_the_samples():
    so = toolkit.load_sample("srs_ors_sessions")
    srs = session_scores(so, "srs", client="dyad_id")
    ors = session_scores(so, "ors", client="dyad_id", metric="pomp", name="ors_pomp")
    assert len(srs) == len(so) and list(srs.columns) == ["dyad_id", "session", "srs"]
    lines = so[[f"srs_{k:02d}" for k in range(1, 5)]].sum(axis=1, min_count=4)
    np.testing.assert_allclose(srs["srs"], lines, atol=1e-9)
    o = so[[f"ors_{k:02d}" for k in range(1, 5)]].sum(axis=1, min_count=4)
    np.testing.assert_allclose(ors["ors_pomp"], 100 * o / 40, atol=1e-9)
    with pytest.raises(InvalidParameterError, match=r"The 'score' parameter of session_scores\(\) must be one of"):
        session_scores(so, "srs", score="bond")


def test_plot_one_client_marks_gaps(tmp_path):
    d = frame([("a", 1, 30.0), ("a", 2, 34.0), ("a", 4, 38.0), ("b", 1, 39.0), ("b", 2, 37.0)])
    t = trajectories(d, "srs", value="score")
    ax = plot_trajectory(t, "a")
    data = trajectory_data(t, "a")
    assert data["session"].tolist() == [1, 2, 3, 4]
    line = ax.lines[0].get_xydata()
    assert np.isnan(line[2, 1])  # the line breaks at the gap
    assert any("no score: session 3" in text.get_text() for text in ax.get_legend().get_texts())
    assert any("SRS total below 36" in text.get_text() for text in ax.get_legend().get_texts())  # shaded cut-off
    ax.figure.savefig(tmp_path / "a.png")
    with pytest.raises(KeyError, match="client 'zz' has no scores"):
        plot_trajectory(t, "zz")


def test_mean_trajectory_and_spaghetti():
    d = frame([("a", 1, 30.0), ("a", 2, 34.0), ("b", 1, 32.0), ("b", 2, np.nan), ("c", 1, 34.0), ("c", 2, 38.0)])
    with pytest.warns(SessionWarning, match=r"\(client: b\)"):
        t = trajectories(d, value="score")
    m = mean_trajectory(t)
    assert m[["session", "n", "mean"]].values.tolist() == [[1, 3, 32.0], [2, 2, 36.0]]
    assert m.loc[0, "high"] == pytest.approx(34.0)
    ci = mean_trajectory(t, band="ci")
    assert ci.loc[1, "high"] == pytest.approx(36 + 12.706204736174707 * np.sqrt(8) / np.sqrt(2), rel=1e-9)
    ax = plot_trajectories(t)
    assert len(ax.lines) == 3 + 1  # one line per series and the mean
