"""Feedback alerts, clinical change and the caseload: hand-worked sessions, rules from the definitions (no
instrument known by name), and any instrument that declares thresholds."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import yaml

import toolkit
from toolkit.exceptions import InstrumentDefinitionError, InvalidParameterError, SessionWarning
from toolkit.sessions import caseload_summary, clinical_change, session_alerts, session_scores

SRS = [f"srs_{k:02d}" for k in range(1, 5)]
ORS = [f"ors_{k:02d}" for k in range(1, 5)]


def srs_rows(rows):
    """(client, session, four lines)"""
    return pd.DataFrame([(c, s, *lines) for c, s, lines in rows], columns=["client_id", "session"] + SRS)


def ors_rows(rows):
    """(client, session, total): four equal lines."""
    return pd.DataFrame([(c, s, *(4 * [t / 4])) for c, s, t in rows], columns=["client_id", "session"] + ORS)


def test_srs_alerts_hand_worked():
    """a: 38 -> 37 (a fall of exactly 1 is not 'more than 1'; lines of 9.0 are not below 9) -> missed session 3
    -> 35.5 (below 36, a line of 7, 1.5 below the last score, that of session 2)."""
    d = srs_rows([("a", 1, [9.5] * 4), ("a", 2, [9.5, 9.5, 9.0, 9.0]), ("a", 4, [7.0, 9.5, 9.5, 9.5])])
    al = session_alerts(d, "srs")
    t = al.table
    assert t[["session", "alert", "score", "reference"]].values.tolist() == [
        [4, "low_total", 35.5, 36.0], [4, "low_line", 35.5, 9.0], [4, "lower_than_previous", 35.5, 37.0]]
    bs = al.by_session.set_index("session")
    assert pd.isna(bs.loc[1, "lower_than_previous"])  # a first session has no previous score
    assert bs.loc[2, "lower_than_previous"] is False or not bs.loc[2, "lower_than_previous"]
    assert al.latest[["last_session", "n_alerts"]].values.tolist() == [[4, 3]]
    assert list(al.rules["alert"]) == ["low_total", "low_line", "lower_than_previous"]
    assert al.rules.set_index("alert").loc["lower_than_previous", "confidence"] == "R"
    assert any("confidence R" in n for n in al.notes)


def test_missing_score_gives_na_alerts_and_compares_with_the_last_score():
    d = srs_rows([("a", 1, [9.5] * 4), ("a", 2, [9.5, np.nan, 9.5, 9.5]), ("a", 3, [9.0] * 4)])
    al = session_alerts(d, "srs")
    bs = al.by_session.set_index("session")
    assert pd.isna(bs.loc[2, "low_total"]) and pd.isna(bs.loc[2, "lower_than_previous"])
    assert bs.loc[3, "lower_than_previous"]  # 36 vs 38 at session 1
    assert al.table.query("alert == 'lower_than_previous'")["reference"].tolist() == [38.0]
    assert any("1 recorded sessions have no total score" in n for n in al.notes)


def test_ors_reliable_change_alerts_hand_worked():
    """Intake 20. Reliable change 5, clinical below 25, no reliable improvement by session 3."""
    d = ors_rows([("a", 1, 20.0), ("a", 2, 15.0), ("a", 3, 24.9), ("a", 4, 25.0), ("a", 5, 19.0),
                  ("b", 1, 20.0), ("b", 2, 15.2), ("b", 3, 25.0), ("b", 4, 21.0)])
    al = session_alerts(d, "ors")
    got = al.table.groupby("alert")[["client_id", "session"]].apply(lambda g: list(map(tuple, g.values))).to_dict()
    assert got["reliable_deterioration"] == [("a", 2)]  # -5 counts; b's -4.8 does not
    assert got["no_reliable_change"] == [("a", 3)]  # +4.9 by session 3; b reached +5 at 3; later falls don't undo it
    assert got["clinical_range"] == [("a", 1), ("a", 2), ("a", 3), ("a", 5), ("b", 1), ("b", 2), ("b", 4)]
    bs = al.by_session.set_index(["client_id", "session"])
    assert pd.isna(bs.loc[("a", 2), "no_reliable_change"])  # the rule starts at session 3
    assert pd.isna(bs.loc[("a", 1), "reliable_deterioration"])  # nothing to compare the intake with
    assert set(al.rules["kind"]) == {"clinical_cutoff", "no_reliable_change_by", "reliable_change"}


def test_rater_series_are_separate():
    d = srs_rows([("a", 1, [9.5] * 4), ("a", 2, [9.0] * 4)])
    d["rater"] = "client"
    t = d.assign(rater="partner", srs_01=[9.0, 9.5])  # SRS has a client form only: "therapist" rows are refused
    al = session_alerts(pd.concat([d, t], ignore_index=True), "srs", rater="rater")
    assert al.table[["rater", "alert"]].values.tolist() == [["client", "lower_than_previous"]]


def test_threshold_override_and_errors():
    d = srs_rows([("a", 1, [9.0] * 4)])  # total 36
    assert session_alerts(d, "srs").table.empty
    assert session_alerts(d, "srs", thresholds={"low_total": "<= 36"}).table["alert"].tolist() == ["low_total"]
    with pytest.raises(InvalidParameterError, match=r"The 'client' parameter of session_alerts\(\) names the "
                                                    r"column 'dyad'"):
        session_alerts(d, "srs", client="dyad")


def _symptom_scale(tmp_path):
    """A made-up symptom scale where lower is better: clinical at >= 8, reliable change 3."""
    d = {
        "schema_version": 1, "id": "sym4", "name": "Symptom four", "version": "1",
        "citations": [{"text": "Nobody, A. (2025). A made-up scale for tests."}],
        "licence": "test", "confidence": {"level": "V2"},
        "forms": [{"id": "client", "rater": "client"}],
        "response_scale": {"type": "ordinal", "min": 0, "max": 4, "step": 1},
        "items": [{"number": k, "label": f"Symptom {k}"} for k in range(1, 5)],
        "scoring": {"method": "sum", "total": True},
        "thresholds": [{"id": "clinical", "label": "Total 8 or more", "applies_to": "total", "operator": ">=",
                        "value": 8, "clinical_cutoff": True}],
        "reliable_change": {"applies_to": "total", "value": 3},
        "session_alerts": [{"id": "worse", "label": "Worse than last time", "kind": "worse_than_previous",
                            "value": 1},
                           {"id": "stuck", "label": "No reliable change by session 3",
                            "kind": "no_reliable_change_by", "value": 3}],
    }
    path = tmp_path / "sym4.yaml"
    path.write_text(yaml.safe_dump(d, sort_keys=False))
    return path


def test_any_instrument_that_declares_them(tmp_path):
    path = _symptom_scale(tmp_path)
    cols = [f"sym4_{k:02d}" for k in range(1, 5)]
    d = pd.DataFrame([("a", 1, 3, 3, 2, 2), ("a", 2, 3, 3, 3, 3), ("a", 3, 3, 3, 3, 2), ("b", 1, 3, 3, 2, 2),
                      ("b", 2, 1, 1, 1, 1), ("b", 3, 0, 1, 1, 0)], columns=["client_id", "session"] + cols)
    al = session_alerts(d, str(path))
    got = al.table.groupby("alert")[["client_id", "session"]].apply(lambda g: list(map(tuple, g.values))).to_dict()
    assert got["worse"] == [("a", 2)]  # 10 -> 12: worse by 2 (> 1); lower is better
    assert "reliable_deterioration" not in got  # a is worse by 1 (10 -> 11), less than 3
    assert got["stuck"] == [("a", 3)]  # a: 10 -> 11 by session 3; b improved by 8
    assert got["clinical"] == [("a", 1), ("a", 2), ("a", 3), ("b", 1)]
    scores = session_scores(d, str(path))
    cc = clinical_change(scores, str(path))
    assert cc.table[["client_id", "change", "category"]].values.tolist() == [["a", -1.0, "unchanged"],
                                                                             ["b", 8.0, "recovered"]]


def test_session_alert_definitions_are_checked(tmp_path):
    path = _symptom_scale(tmp_path)
    d = yaml.safe_load(path.read_text())
    d.pop("reliable_change")
    path.write_text(yaml.safe_dump(d, sort_keys=False))
    with pytest.raises(InstrumentDefinitionError, match=r"session_alerts\[1\] \('stuck'\) is no_reliable_change_by: "
                                                        r"it needs the instrument's reliable_change"):
        toolkit.load_instrument(str(path))
    d["session_alerts"][0]["applies_to"] = "any_item"
    path.write_text(yaml.safe_dump(d, sort_keys=False))
    with pytest.raises(InstrumentDefinitionError, match=r"session_alerts\[0\] \('worse'\) applies_to 'any_item'"):
        toolkit.load_instrument(str(path))


def test_clinical_change_categories_by_hand():
    """ORS: clinical below 25, reliable change 5 (ties count)."""
    d = pd.DataFrame({"client_id": list("aabbccddeeff") + ["g"], "session": [1, 6] * 6 + [1],
                      "ors": [18, 27, 18, 24, 26, 20, 20, 22, 26, 31, 20, 25, 20.0]})
    with pytest.warns(SessionWarning, match=r"1 clients have fewer than two scores and no category: g"):
        cc = clinical_change(d, "ors")
    assert cc.table["category"].tolist() == ["recovered", "improved", "deteriorated", "unchanged", "improved",
                                             "recovered", ""]
    # e starts outside the clinical range: reliable improvement, but "recovered" needs to leave the range
    assert cc.counts.set_index("category")["clients"].to_dict() == {"recovered": 2, "improved": 2, "unchanged": 1,
                                                                    "deteriorated": 1}
    assert (cc.cutoff, cc.reliable_change) == (25.0, 5.0)


def test_clinical_change_without_an_instrument_needs_both_values():
    d = pd.DataFrame({"client_id": ["a", "a"], "session": [1, 2], "bdi": [30.0, 12.0]})
    cc = clinical_change(d, cutoff=14, reliable_change=8, higher_is_better=False)
    assert cc.table["category"].tolist() == ["recovered"]
    with pytest.raises(InvalidParameterError, match=r"needs the clinical cut-off: pass cutoff=<score>"):
        clinical_change(d)
    with pytest.raises(InvalidParameterError, match=r"srs marks none"):
        clinical_change(d, "srs")
    with pytest.raises(InvalidParameterError, match=r"needs the reliable change"):
        clinical_change(d, cutoff=14)


def test_caseload_orders_by_need():
    srs = srs_rows([("a", 1, [9.5] * 4), ("a", 2, [9.5] * 4), ("b", 1, [9.5] * 4), ("b", 2, [7.0] * 4),
                    ("c", 1, [9.0] * 4), ("c", 2, [9.5, 9.5, 9.5, 8.5])])
    ors = ors_rows([("a", 1, 20.0), ("a", 2, 14.0), ("b", 1, 20.0), ("b", 2, 22.0), ("c", 1, 30), ("c", 2, 30)])
    change = clinical_change(session_scores(ors, "ors"), "ors")
    cl = caseload_summary(session_alerts(srs, "srs"), session_alerts(ors, "ors"), change=change)
    t = cl.table
    assert t["client_id"].tolist() == ["a", "b", "c"]  # deteriorated first; then by number of alerts
    assert t["reason"].tolist() == ["deteriorated; alerts", "alerts this session", "alerts this session"]
    # b: SRS 28 (below 36, lines below 9, fall of 10) counts 3; a: reliable deterioration; the clinical range
    # alone (a, b at 14 and 22) is where a client is, not an action
    assert t["n_alerts"].tolist() == [1, 3, 1]
    assert "ors: ORS total below the adult clinical cut-off (25)" in t.loc[0, "alerts"]
    assert cl.counts.set_index("category")["clients"].to_dict() == {
        "recovered": 0, "improved": 0, "unchanged": 2, "deteriorated": 1, "needs attention": 3}
    everything = caseload_summary(session_alerts(srs, "srs"), session_alerts(ors, "ors"), attention="all")
    assert everything.table.set_index("client_id").loc["a", "n_alerts"] == 2
    ax = cl.plot()
    assert [b.get_width() for b in ax.patches][-1] == 3
    with pytest.raises(InvalidParameterError, match="needs at least one session_alerts"):
        caseload_summary()


def test_alerts_on_the_samples_fire_for_a_minority_of_sessions():
    """After the recalibration (data-samples/README.md) the SRS alert is no longer the rule."""
    so = toolkit.load_sample("srs_ors_sessions")
    al = session_alerts(so, "srs", client="dyad_id")
    share = al.by_session["low_total"].astype("float").mean()
    assert 0.2 < share < 0.45
