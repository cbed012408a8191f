"""pair_raters: matching, common metric, unmatched and duplicated administrations, errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import toolkit
from toolkit.dyadic import PairedRatings, pair_raters
from toolkit.exceptions import DataValidationError, KeyConfidenceWarning, PairingWarning

from ._data import study_a_pairs, study_b_pairs


@pytest.fixture(scope="module")
def wai36():
    return toolkit.load_sample("wai36_client_therapist")


def test_long_frame_pairs_every_dyad_on_the_sum_metric(wai36):
    p = study_b_pairs()
    assert isinstance(p, PairedRatings)
    assert p.metric_ == "sum" and "sums" in p.notes_[0]
    assert len(p.wide_) == 500 and len(p.paired_) == 2000
    assert p.paired_.columns.tolist() == ["dyad_id", "session", "subscale", "client", "therapist"]
    assert p.subscales_ == ["task", "bond", "goal", "total"]
    assert p.unmatched_.empty and p.duplicated_.empty
    # values equal toolkit.score of each side
    c = toolkit.score(wai36[wai36["rater"] == "client"], "wai36", form="client")
    t = toolkit.score(wai36[wai36["rater"] == "therapist"], "wai36", form="therapist")
    w = p.wide_.set_index("dyad_id")
    np.testing.assert_allclose(w["client_bond"], c.set_index("dyad_id").loc[w.index, "bond"], rtol=0, atol=1e-12)
    np.testing.assert_allclose(w["therapist_total"], t.set_index("dyad_id").loc[w.index, "total"], atol=1e-12)
    # item level: 36 shared items per pair, keyed (reversed items reversed)
    assert len(p.items_) == 500 * 36 and p.items_["same_scale"].all()
    b1 = wai36[(wai36["dyad_id"] == "B001") & (wai36["rater"] == "client")].iloc[0]
    row = p.items_[(p.items_["dyad_id"] == "B001") & (p.items_["item"] == "wai36_01")].iloc[0]
    assert row["client"] == 8 - b1["wai36_01"]  # item 1 is reverse-keyed


def test_two_frames_equal_one_long_frame(wai36):
    a = pair_raters(wai36[wai36["rater"] == "client"], wai36[wai36["rater"] == "therapist"],
                    instrument_client="wai36")
    pd.testing.assert_frame_equal(a.paired_, study_b_pairs().paired_)


def test_caller_frame_is_not_changed(wai36):
    before = wai36.copy()
    pair_raters(wai36, instrument_client="wai36", metric="pomp")
    pd.testing.assert_frame_equal(wai36, before)


def test_forms_of_different_length_and_scale_are_compared_as_pomp():
    p = study_a_pairs()
    assert p.metric_ == "pomp"
    assert "POMP" in p.notes_[0] and "wai-sr" in p.notes_[0] and "wai-s" in p.notes_[0]
    vals = p.paired_[["client", "therapist"]].to_numpy().ravel()
    assert np.nanmin(vals) >= 0 and np.nanmax(vals) <= 100
    # unmatched administrations are listed, with their input rows
    u = p.unmatched_
    assert set(u["reason"]) == {"no therapist administration", "no client administration"}
    raw = toolkit.load_sample("wai_sr_sessions")
    first = u[u["rater"] == "client"].iloc[0]
    assert raw.loc[first["row"], "dyad_id"] == first["dyad_id"]
    assert raw.loc[first["row"], "session"] == first["session"]
    assert len(p.wide_) + (u["rater"] == "client").sum() == len(raw)
    # items shared through their WAI-36 parent item; WAI-SR 8 (parent 24) is goal, WAI-S 8 is task
    labels = p.items_["item"].unique().tolist()
    assert labels == ["wai36 #4", "wai36 #8", "wai36 #22", "wai36 #23", "wai36 #24", "wai36 #32", "wai36 #35"]
    it24 = p.items_[p.items_["item"] == "wai36 #24"].iloc[0]
    assert (it24["subscale"], it24["subscale_therapist"]) == ("goal", "task")
    assert not p.items_["same_scale"].any()


def test_unmatched_and_duplicates_warn_and_are_reported(wai36):
    c = wai36[wai36["rater"] == "client"]
    t = wai36[wai36["rater"] == "therapist"]
    again = c.iloc[[0]].copy()
    again["wai36_02"] = 1.0                           # B001 client twice, answers differ
    c2 = pd.concat([c, again])
    t2 = t[t["dyad_id"] != "B002"]                    # B002 therapist missing
    with pytest.warns(PairingWarning, match=r"499 pairs; 1 unmatched and 2 duplicated"):
        p = pair_raters(c2, t2, instrument_client="wai36")
    assert p.unmatched_[["dyad_id", "rater", "reason"]].values.tolist() == [
        ["B002", "client", "no therapist administration"]]
    d = p.duplicated_
    assert d["dyad_id"].tolist() == ["B001", "B001"] and d["copies"].tolist() == [2, 2]
    assert d["kept"].tolist() == [True, False]
    with pytest.warns(PairingWarning):
        dropped = pair_raters(c2, t, instrument_client="wai36", duplicates="drop")
    assert "B001" not in set(dropped.wide_["dyad_id"])
    assert (dropped.unmatched_["dyad_id"] == "B001").any()
    with pytest.raises(DataValidationError, match=r"2 client administrations repeat their ids \['dyad_id', "
                                                  r"'session'\].*duplicates='first'") as err:
        pair_raters(c2, t, instrument_client="wai36", duplicates="raise")
    assert len(err.value.report) == 2


def test_duplicates_mean_averages_the_copies(wai36):
    c = wai36[wai36["rater"] == "client"]
    t = wai36[wai36["rater"] == "therapist"]
    other = c.iloc[[0]].copy()
    other["wai36_02"] = 1.0
    with pytest.warns(PairingWarning):
        p = pair_raters(pd.concat([c, other]), t, instrument_client="wai36", duplicates="mean")
    first = study_b_pairs().wide_.iloc[0]["client_task"]
    # B001 answered 11 of the 12 task items: the prorated sum is 12 x the mean of 11
    assert c.iloc[0]["wai36_02"] == 7
    assert p.wide_.iloc[0]["client_task"] == pytest.approx(first - (7 - 1) / 2 * 12 / 11, abs=1e-9)


def test_missing_ids_are_unmatched_not_dropped(wai36):
    c = wai36[wai36["rater"] == "client"].copy()
    c.loc[c.index[3], "session"] = np.nan
    with pytest.warns(PairingWarning):
        p = pair_raters(c, wai36[wai36["rater"] == "therapist"], instrument_client="wai36")
    reasons = p.unmatched_.set_index("reason")
    assert reasons.loc["missing id", "row"] == c.index[3]


def test_metric_choices_and_their_errors():
    c = toolkit.load_sample("wai_sr_sessions")
    t = toolkit.load_sample("wai_s_therapist_sessions")
    with pytest.raises(ValueError, match=r"metric='sum' compares sums of different items or scales \(client: "
                                         r"wai-sr 1-5, therapist: wai-s 1-7\); use metric='mean'"):
        pair_raters(c, t, instrument_client="wai-sr", instrument_therapist="wai-s", metric="sum")
    with pytest.raises(ValueError, match=r"metric='mean' compares item means on different response scales "
                                         r"\(client: 1-5, therapist: 1-7\); use metric='pomp'"):
        pair_raters(c, t, instrument_client="wai-sr", instrument_therapist="wai-s", metric="mean")
    with pytest.raises(ValueError, match=r"metric must be one of \['sum', 'mean', 'pomp'\] or None \(got 'z'\)"):
        pair_raters(c, t, instrument_client="wai-sr", metric="z")
    with pytest.raises(ValueError, match=r"duplicates must be one of \['first', 'last', 'mean', 'drop', "
                                         r"'raise'\] \(got 'x'\)"):
        pair_raters(c, t, instrument_client="wai-sr", duplicates="x")


def test_mean_and_pomp_are_rescaled_sums(wai36):
    s = study_b_pairs().paired_
    m = pair_raters(wai36, instrument_client="wai36", metric="mean").paired_
    pomp = pair_raters(wai36, instrument_client="wai36", metric="pomp").paired_
    n_items = s["subscale"].map({"task": 12, "bond": 12, "goal": 12, "total": 36})
    np.testing.assert_allclose(m["client"] * n_items, s["client"], atol=1e-9)
    np.testing.assert_allclose(pomp["therapist"], 100 * (m["therapist"] - 1) / 6, atol=1e-9)


def test_input_errors_name_the_fix(wai36):
    with pytest.raises(KeyError, match=r"no 'rater' column naming the rater; pass therapist="):
        pair_raters(wai36.drop(columns="rater"), instrument_client="wai36")
    bad = wai36.copy()
    bad.loc[bad.index[:2], "rater"] = "patient"
    with pytest.raises(DataValidationError, match=r"column 'rater' holds \['patient'\] in 2 rows; expected "
                                                  r"\['client', 'therapist', 'observer'\]"):
        pair_raters(bad, instrument_client="wai36")
    with pytest.raises(DataValidationError, match=r"no therapist rows: column 'rater' holds only \['client'\]"):
        pair_raters(wai36[wai36["rater"] == "client"], instrument_client="wai36")
    with pytest.raises(KeyError, match=r"the client data have no id column\(s\) \['visit'\] to pair on"):
        pair_raters(wai36, instrument_client="wai36", on=["dyad_id", "visit"])
    with pytest.raises(TypeError, match=r"'therapist' must be a pandas DataFrame \(got list\)"):
        pair_raters(wai36, [1, 2], instrument_client="wai36")
    with pytest.raises(ValueError, match=r"on= must name at least one id column"):
        pair_raters(wai36, instrument_client="wai36", on=[])
    with pytest.raises(ValueError, match=r"the instruments \['wai36', 'ors'\] are not forms of one instrument "
                                         r"family.*such as wai36 with wai-s or wai-sr"):
        pair_raters(wai36, toolkit.load_sample("srs_ors_sessions"), instrument_client="wai36",
                    instrument_therapist="ors")


def test_dyad_lookup_and_rendering():
    p = study_a_pairs()
    assert p.dyad("A001", 2)["subscale"].tolist() == ["task", "bond", "goal", "total"]
    assert len(p.dyad_ids_) == 250 and p.dyad_ids_[0] == "A001"
    assert p.sessions("A001")[:3] == [2, 3, 4]
    with pytest.raises(KeyError, match=r"dyad 'Z9' is not among the 250 paired dyads \(column 'dyad_id'\)"):
        p.dyad("Z9")
    with pytest.raises(KeyError, match=r"dyad 'A001' has no paired session 1; paired sessions: \[2, 3,"):
        p.dyad("A001", 1)
    assert "PairedRatings(2497 pairs" in repr(p)
    assert "<table" in p._repr_html_() and "POMP" in p._repr_html_()
    s = p.summary()
    assert s.loc["client", "unmatched"] == 289 and s.loc["therapist", "unmatched"] == 157


def test_observer_column(wai36):
    obs = toolkit.load_sample("wai36_observer")
    with pytest.warns(KeyConfidenceWarning, match="observer"):  # the observer key is recalled only
        p = pair_raters(wai36, instrument_client="wai36", observer=obs)
    assert p.raters_ == ["client", "therapist", "observer"]
    assert p.wide_["observer_total"].notna().sum() == 100
    assert p.scales_.loc["observer", "form"] == "observer"
    a = toolkit.agreement(p, raters=("client", "observer"))
    assert (a["n"] <= 100).all() and a.loc["total", "n"] == 100
    assert a.loc["total", "r"] > 0.5  # the observer's view mixes both views (weights .45 each)


def test_single_id_column(wai36):
    p = pair_raters(wai36, instrument_client="wai36", on="dyad_id")
    assert p.on == ["dyad_id"] and p.paired_.columns[0] == "dyad_id" and "session" not in p.paired_
    assert p.sessions("B001") == []
    pd.testing.assert_frame_equal(p.paired_.drop(columns="dyad_id"),
                                  study_b_pairs().paired_.drop(columns=["dyad_id", "session"]))


def test_bad_cells_raise_or_become_missing_with_one_warning(wai36):
    from toolkit.exceptions import InvalidCellsWarning

    bad = wai36.copy()
    bad.loc[bad.index[0], "wai36_05"] = 9  # B001 client, out of range
    with pytest.raises(DataValidationError, match=r"wai36_05"):
        pair_raters(bad, instrument_client="wai36")
    with pytest.warns(InvalidCellsWarning) as record:
        p = pair_raters(bad, instrument_client="wai36", on_invalid="missing")
    assert len([w for w in record if issubclass(w.category, InvalidCellsWarning)]) == 1
    it = p.items_
    assert np.isnan(it.loc[(it["dyad_id"] == "B001") & (it["item"] == "wai36_05"), "client"]).all()
