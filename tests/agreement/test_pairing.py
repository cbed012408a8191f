"""pair_raters: matching, common metric, unmatched and duplicated administrations, errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import toolkit
from toolkit.dyadic import PairedRatings, pair_raters
from toolkit.exceptions import (DataValidationError, FormChoiceError, InvalidParameterError, KeyConfidenceWarning,
                                PairingWarning)

from ._data import study_a_pairs, study_b_pairs


@pytest.fixture(scope="module")
def wai36():
    return toolkit.load_sample("wai36_client_therapist")


def test_long_frame_pairs_every_dyad_on_the_sum_metric(wai36):
    p = study_b_pairs()
    assert isinstance(p, PairedRatings)
    assert p.metric == "sum" and "sums" in p.notes[0]
    assert len(p.wide) == 500 and len(p.paired) == 2000
    assert p.paired.columns.tolist() == ["dyad_id", "session", "subscale", "client", "therapist"]
    assert p.subscales == ["task", "bond", "goal", "total"]
    assert p.unmatched.empty and p.duplicated.empty
    # values equal toolkit.score of each side
    c = toolkit.score(wai36[wai36["rater"] == "client"], "wai36", form="client")
    t = toolkit.score(wai36[wai36["rater"] == "therapist"], "wai36", form="therapist")
    w = p.wide.set_index("dyad_id")
    np.testing.assert_allclose(w["client_bond"], c.set_index("dyad_id").loc[w.index, "bond"], rtol=0, atol=1e-12)
    np.testing.assert_allclose(w["therapist_total"], t.set_index("dyad_id").loc[w.index, "total"], atol=1e-12)
    # item level: 36 shared items per pair, keyed (reversed items reversed)
    assert len(p.items) == 500 * 36 and p.items["same_scale"].all()
    b1 = wai36[(wai36["dyad_id"] == "B001") & (wai36["rater"] == "client")].iloc[0]
    row = p.items[(p.items["dyad_id"] == "B001") & (p.items["item"] == "wai36_01")].iloc[0]
    assert row["client"] == 8 - b1["wai36_01"]  # item 1 is reverse-keyed


def test_two_frames_equal_one_long_frame(wai36):
    a = pair_raters(wai36[wai36["rater"] == "client"], wai36[wai36["rater"] == "therapist"],
                    instrument_client="wai36")
    pd.testing.assert_frame_equal(a.paired, study_b_pairs().paired)


def test_caller_frame_is_not_changed(wai36):
    before = wai36.copy()
    pair_raters(wai36, instrument_client="wai36", metric="pomp")
    pd.testing.assert_frame_equal(wai36, before)


def test_forms_of_different_length_and_scale_are_compared_as_pomp():
    p = study_a_pairs()
    assert p.metric == "pomp"
    assert "POMP" in p.notes[0] and "wai-sr" in p.notes[0] and "wai-s" in p.notes[0]
    vals = p.paired[["client", "therapist"]].to_numpy().ravel()
    assert np.nanmin(vals) >= 0 and np.nanmax(vals) <= 100
    # unmatched administrations are listed, with their input rows
    u = p.unmatched
    assert set(u["reason"]) == {"no therapist administration", "no client administration"}
    raw = toolkit.load_sample("wai_sr_sessions")
    first = u[u["rater"] == "client"].iloc[0]
    assert raw.loc[first["row"], "dyad_id"] == first["dyad_id"]
    assert raw.loc[first["row"], "session"] == first["session"]
    assert len(p.wide) + (u["rater"] == "client").sum() == len(raw)
    # items shared through their WAI-36 parent item; WAI-SR 8 (parent 24) is goal, WAI-S 8 is task
    labels = p.items["item"].unique().tolist()
    assert labels == ["wai36 #4", "wai36 #8", "wai36 #22", "wai36 #23", "wai36 #24", "wai36 #32", "wai36 #35"]
    it24 = p.items[p.items["item"] == "wai36 #24"].iloc[0]
    assert (it24["subscale"], it24["subscale_therapist"]) == ("goal", "task")
    assert not p.items["same_scale"].any()


def test_unmatched_and_duplicates_warn_and_are_reported(wai36):
    c = wai36[wai36["rater"] == "client"]
    t = wai36[wai36["rater"] == "therapist"]
    again = c.iloc[[0]].copy()
    again["wai36_02"] = 1.0                           # B001 client twice, answers differ
    c2 = pd.concat([c, again])
    t2 = t[t["dyad_id"] != "B002"]                    # B002 therapist missing
    with pytest.warns(PairingWarning, match=r"499 pairs; 1 unmatched and 2 duplicated"):
        p = pair_raters(c2, t2, instrument_client="wai36")
    assert p.unmatched[["dyad_id", "rater", "reason"]].values.tolist() == [
        ["B002", "client", "no therapist administration"]]
    d = p.duplicated
    assert d["dyad_id"].tolist() == ["B001", "B001"] and d["copies"].tolist() == [2, 2]
    assert d["kept"].tolist() == [True, False]
    with pytest.warns(PairingWarning):
        dropped = pair_raters(c2, t, instrument_client="wai36", duplicates="drop")
    assert "B001" not in set(dropped.wide["dyad_id"])
    assert (dropped.unmatched["dyad_id"] == "B001").any()
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
    first = study_b_pairs().wide.iloc[0]["client_task"]
    # B001 answered 11 of the 12 task items: the prorated sum is 12 x the mean of 11
    assert c.iloc[0]["wai36_02"] == 7
    assert p.wide.iloc[0]["client_task"] == pytest.approx(first - (7 - 1) / 2 * 12 / 11, abs=1e-9)


def test_missing_ids_are_unmatched_not_dropped(wai36):
    c = wai36[wai36["rater"] == "client"].copy()
    c.loc[c.index[3], "session"] = np.nan
    with pytest.warns(PairingWarning):
        p = pair_raters(c, wai36[wai36["rater"] == "therapist"], instrument_client="wai36")
    reasons = p.unmatched.set_index("reason")
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
    with pytest.raises(InvalidParameterError, match=r"The 'metric' parameter of pair_raters\(\) must be one of 'sum', "
                                                    r"'mean', 'pomp'; got 'z'"):
        pair_raters(c, t, instrument_client="wai-sr", metric="z")
    with pytest.raises(InvalidParameterError, match=r"The 'duplicates' parameter of pair_raters\(\) must be one of "
                                                    r"'first', 'last', 'mean', 'drop', 'raise'; got 'x'"):
        pair_raters(c, t, instrument_client="wai-sr", duplicates="x")


def test_mean_and_pomp_are_rescaled_sums(wai36):
    s = study_b_pairs().paired
    m = pair_raters(wai36, instrument_client="wai36", metric="mean").paired
    pomp = pair_raters(wai36, instrument_client="wai36", metric="pomp").paired
    n_items = s["subscale"].map({"task": 12, "bond": 12, "goal": 12, "total": 36})
    np.testing.assert_allclose(m["client"] * n_items, s["client"], atol=1e-9)
    np.testing.assert_allclose(pomp["therapist"], 100 * (m["therapist"] - 1) / 6, atol=1e-9)


def test_input_errors_name_the_fix(wai36):
    with pytest.raises(InvalidParameterError, match=r"no 'rater' column naming the rater; pass therapist="):
        pair_raters(wai36.drop(columns="rater"), instrument_client="wai36")
    bad = wai36.copy()
    bad.loc[bad.index[:2], "rater"] = "patient"
    with pytest.raises(DataValidationError, match=r"column 'rater' holds \['patient'\] in 2 rows; expected "
                                                  r"\['client', 'therapist', 'observer'\]"):
        pair_raters(bad, instrument_client="wai36")
    with pytest.raises(DataValidationError, match=r"no therapist rows: column 'rater' holds only \['client'\]"):
        pair_raters(wai36[wai36["rater"] == "client"], instrument_client="wai36")
    with pytest.raises(InvalidParameterError, match=r"the client data have no id column\(s\) \['visit'\] to pair on"):
        pair_raters(wai36, instrument_client="wai36", on=["dyad_id", "visit"])
    with pytest.raises(InvalidParameterError, match=r"The 'therapist' parameter of pair_raters\(\) must be a pandas "
                                                    r"DataFrame; got a list"):
        pair_raters(wai36, [1, 2], instrument_client="wai36")
    with pytest.raises(InvalidParameterError, match=r"The 'on' parameter of pair_raters\(\) must name at least one "
                                                    r"id column"):
        pair_raters(wai36, instrument_client="wai36", on=[])
    with pytest.raises(ValueError, match=r"the instruments \['wai36', 'ors'\] are not forms of one instrument "
                                         r"family.*such as wai36 with wai-s or wai-sr"):
        pair_raters(wai36, toolkit.load_sample("srs_ors_sessions"), instrument_client="wai36",
                    instrument_therapist="ors")


def test_dyad_lookup_and_rendering():
    p = study_a_pairs()
    assert p.dyad("A001", 2)["subscale"].tolist() == ["task", "bond", "goal", "total"]
    assert len(p.dyad_ids) == 250 and p.dyad_ids[0] == "A001"
    assert p.sessions("A001")[:3] == [2, 3, 4]
    with pytest.raises(KeyError, match=r"dyad 'Z9' is not among the 250 paired dyads \(column 'dyad_id'\)"):
        p.dyad("Z9")
    with pytest.raises(KeyError, match=r"dyad 'A001' has no paired session 1; paired sessions: \[2, 3,"):
        p.dyad("A001", 1)
    assert repr(p).startswith("Paired ratings: 2497 pairs on dyad_id, session, metric 'pomp'; 446 unmatched")
    assert "<table" in p._repr_html_() and "POMP" in p._repr_html_()
    s = p.summary()
    assert s.loc["client", "unmatched"] == 289 and s.loc["therapist", "unmatched"] == 157


def test_observer_column(wai36):
    obs = toolkit.load_sample("wai36_observer")
    with pytest.warns(KeyConfidenceWarning, match="observer"):  # the observer key is recalled only
        p = pair_raters(wai36, instrument_client="wai36", observer=obs)
    assert p.raters == ["client", "therapist", "observer"]
    assert p.wide["observer_total"].notna().sum() == 100
    assert p.scales.loc["observer", "form"] == "observer"
    result = toolkit.agreement(p, raters=("client", "observer"))
    a = result.table
    assert (a["n"] <= 100).all() and a.loc["total", "n"] == 100
    total = next(n for n in result.notes if n.startswith("total:"))
    assert total.startswith("total: 400 of 500 pairs left out: client score missing in 1")
    assert total.endswith("observer score missing in 400 (400: no observer administration)")
    assert a.loc["total", "r"] > 0.5  # the observer's view mixes both views (weights .45 each)


def test_single_id_column(wai36):
    p = pair_raters(wai36, instrument_client="wai36", on="dyad_id")
    assert p.on == ["dyad_id"] and p.paired.columns[0] == "dyad_id" and "session" not in p.paired
    assert p.sessions("B001") == []
    pd.testing.assert_frame_equal(p.paired.drop(columns="dyad_id"),
                                  study_b_pairs().paired.drop(columns=["dyad_id", "session"]))


def test_bad_cells_raise_or_become_missing_with_one_warning(wai36):
    from toolkit.exceptions import InvalidCellsWarning

    bad = wai36.copy()
    bad.loc[bad.index[0], "wai36_05"] = 9  # B001 client, out of range
    with pytest.raises(DataValidationError, match=r"wai36_05"):
        pair_raters(bad, instrument_client="wai36")
    with pytest.warns(InvalidCellsWarning) as record:
        p = pair_raters(bad, instrument_client="wai36", on_invalid="missing")
    assert len([w for w in record if issubclass(w.category, InvalidCellsWarning)]) == 1
    it = p.items
    assert np.isnan(it.loc[(it["dyad_id"] == "B001") & (it["item"] == "wai36_05"), "client"]).all()


def test_the_form_of_each_rater_follows_one_rule(wai36):
    """Instrument.form_for decides every rater's form: the form named like the rater (wai36's 'observer', not
    'observer-rev4'), else the rater's only form; a rater without a form is an error naming the forms and the
    parameter to pass (it used to fall back silently to the first form)."""
    obs = toolkit.load_sample("wai36_observer")
    with pytest.warns(KeyConfidenceWarning):
        p = pair_raters(wai36, instrument_client="wai36", observer=obs)
    assert p.forms == {"client": "client", "therapist": "therapist", "observer": "observer"}
    c = wai36[wai36["rater"] == "client"]
    with pytest.raises(FormChoiceError, match=r"wai-sr has no form for rater 'therapist'; its forms are client "
                                              r"\(client\)"):
        pair_raters(toolkit.load_sample("wai_sr_sessions"), toolkit.load_sample("wai_sr_sessions"),
                    instrument_client="wai-sr")
    with pytest.raises(FormChoiceError, match=r"wai36 has no form 'patient'; its forms are client \(client\), "
                                              r"therapist \(therapist\), observer \(observer\), observer-rev4 "
                                              r"\(observer\)\. Pass form_client= one of these ids"):
        pair_raters(c, wai36[wai36["rater"] == "therapist"], instrument_client="wai36", form_client="patient")
    with pytest.raises(FormChoiceError, match=r"form 'therapist' of wai36 is for a therapist, not a client; pass "
                                              r"form_client= one of \['client'\]"):
        pair_raters(c, wai36[wai36["rater"] == "therapist"], instrument_client="wai36", form_client="therapist")
    # an error both old rules' callers catch
    assert issubclass(FormChoiceError, KeyError) and issubclass(FormChoiceError, ValueError)


def test_old_attribute_names_warn_and_give_the_same(wai36):
    p = study_b_pairs()
    for old, new in (("paired_", "paired"), ("wide_", "wide"), ("metric_", "metric"), ("notes_", "notes"),
                     ("subscales_", "subscales"), ("reliability_", "reliability")):
        with pytest.warns(DeprecationWarning, match=rf"PairedRatings\.{old} is deprecated: write \.{new}"):
            value = getattr(p, old)
        expected = getattr(p, new)
        if isinstance(expected, pd.DataFrame):
            pd.testing.assert_frame_equal(value, expected)
        else:
            assert value == expected


def test_a_users_own_instrument_is_carried_through(tmp_path, wai36):
    """A definition loaded from a file stays on the pairs (issue 9, item 5): nothing reloads it by id."""
    import yaml

    definition = toolkit.load_instrument("wai36").model_dump(mode="json", exclude_none=True)
    definition["id"] = "my-wai"
    definition["name"] = "My WAI (local copy)"
    path = tmp_path / "my-wai.yaml"
    path.write_text(yaml.safe_dump(definition))
    mine = toolkit.load_instrument(path)
    data = wai36.rename(columns=lambda c: c.replace("wai36_", "my_wai_"))
    p = pair_raters(data, instrument_client=mine)
    assert p.instruments["client"] is mine and p.scales.loc["client", "instrument"] == "my-wai"
    pd.testing.assert_frame_equal(p.paired, study_b_pairs().paired)
