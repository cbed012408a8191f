"""Per-dyad discrepancies: differences, profile similarity, reliable-difference flags; dyad_items."""

from __future__ import annotations

import numpy as np
import pytest

from toolkit.dyadic import dyad_discrepancies, dyad_items, reliable_difference
from toolkit.exceptions import InvalidParameterError
from toolkit.reliability_stats import cronbach_alpha

from ._data import study_a_pairs, study_b_pairs


def test_reliable_difference_from_each_forms_alpha_and_sd():
    """RDI = 1.96 sqrt(SEM_c^2 + SEM_t^2), SEM = SD sqrt(1 - alpha), each form's alpha (psych::alpha) and SD."""
    p = study_b_pairs()
    rel = p.reliability
    items = p.items
    bond_items = [f"wai36_{n:02d}" for n in (1, 5, 8, 17, 19, 20, 21, 23, 26, 28, 29, 36)]
    c = items[items["item"].isin(bond_items)].pivot_table(index="dyad_id", columns="item", values="client",
                                                          dropna=False)
    alpha_c = cronbach_alpha(c[bond_items], response_scale=(1, 7)).alpha
    assert rel.loc[("client", "bond"), "alpha"] == pytest.approx(alpha_c, abs=1e-10)
    sd_c = p.paired.query("subscale == 'bond'")["client"].std()
    sd_t = p.paired.query("subscale == 'bond'")["therapist"].std()
    sem_c = sd_c * np.sqrt(1 - alpha_c)
    sem_t = sd_t * np.sqrt(1 - rel.loc[("therapist", "bond"), "alpha"])
    rdi = reliable_difference(p)
    assert rdi["bond"] == pytest.approx(1.96 * np.sqrt(sem_c**2 + sem_t**2), abs=1e-10)
    assert reliable_difference(p, z=1.0)["bond"] == pytest.approx(rdi["bond"] / 1.96, abs=1e-12)
    with pytest.raises(InvalidParameterError, match=r"The 'z' parameter of reliable_difference\(\) must be a finite "
                                                    r"number > 0; got -1"):
        reliable_difference(p, z=-1)
    with pytest.raises(InvalidParameterError, match=r"The 'paired' parameter of reliable_difference\(\) must be the "
                                                    r"PairedRatings from pair_raters\(\); got a DataFrame: it uses "
                                                    r"each form's alpha and SD"):
        reliable_difference(p.paired)


def test_discrepancies_by_hand():
    p = study_b_pairs()
    result = dyad_discrepancies(p)
    d = result.table
    rdi = reliable_difference(p)
    assert len(d) == 500 and result.thresholds.to_dict() == pytest.approx(rdi.to_dict())
    assert result.metric == "sum" and result.raters == ("client", "therapist")
    assert result.notes[0].startswith("thresholds (the reliable difference, z = 1.96): task 12.64, bond 11.96")
    w = p.wide
    np.testing.assert_allclose(d["diff_bond"], w["client_bond"] - w["therapist_bond"], atol=1e-12)
    np.testing.assert_array_equal(d["flag_bond"], (w["client_bond"] - w["therapist_bond"]).abs() > rdi["bond"])
    row = w.iloc[3]
    a = row[["client_task", "client_bond", "client_goal"]].to_numpy(float)
    b = row[["therapist_task", "therapist_bond", "therapist_goal"]].to_numpy(float)
    assert d.loc[3, "profile_r"] == pytest.approx(np.corrcoef(a, b)[0, 1], abs=1e-12)
    assert d.loc[3, "profile_distance"] == pytest.approx(np.sqrt(((a - b) ** 2).sum()), abs=1e-12)
    assert d.loc[3, "largest"] == ["task", "bond", "goal"][int(np.argmax(np.abs(a - b)))]
    assert d.loc[0, "flagged"] == "goal: therapist higher by 15.7 (threshold 13.0)"
    assert d["n_flags"].tolist() == d[[f"flag_{s}" for s in p.subscales]].sum(axis=1).tolist()


def test_user_thresholds():
    p = study_b_pairs()
    given = dyad_discrepancies(p, 5)
    d = given.table
    assert set(given.thresholds) == {5.0} and given.notes[0].startswith("thresholds (given): task 5.00")
    partly = dyad_discrepancies(p, {"bond": 30})
    d2 = partly.table
    assert partly.thresholds["bond"] == 30
    assert partly.thresholds["task"] == pytest.approx(reliable_difference(p)["task"])
    np.testing.assert_array_equal(d2["flag_bond"], d2["diff_bond"].abs() > 30)
    np.testing.assert_array_equal(d["flag_goal"], d["diff_goal"].abs() > 5)
    assert d["flag_goal"].any() and not d["flag_goal"].all()  # the threshold splits the pairs
    with pytest.raises(InvalidParameterError, match=r"The 'thresholds' parameter of dyad_discrepancies\(\) names "
                                                    r"\['alliance'\], but the pairs hold \['task', 'bond', "
                                                    r"'goal', 'total'\]"):
        dyad_discrepancies(p, {"alliance": 3})
    with pytest.raises(InvalidParameterError, match=r"must hold positive numbers on the pairs' metric; got "
                                                    r"\{'bond': -1\}"):
        dyad_discrepancies(p, {"bond": -1})
    with pytest.raises(InvalidParameterError, match=r"must be None \(the reliable difference\), a number or a "
                                                    r"mapping subscale -> number; got a str"):
        dyad_discrepancies(p, "big")
    with pytest.raises(InvalidParameterError, match=r"The 'profile' parameter of dyad_discrepancies\(\) must be one "
                                                    r"of 'subscales', 'items'; got 'x'"):
        dyad_discrepancies(p, profile="x")
    with pytest.raises(InvalidParameterError, match=r"a tidy DataFrame carries no reliability: pass thresholds= for "
                                                    r"\['task', 'bond', 'goal', 'total'\]"):
        dyad_discrepancies(p.paired)
    tidy = dyad_discrepancies(p.paired, 10)
    assert tidy.table["flag_total"].equals(dyad_discrepancies(p, 10).table["flag_total"])
    assert tidy.metric is None


def test_item_profiles():
    p = study_b_pairs()
    d = dyad_discrepancies(p, profile="items").table
    it = p.items[p.items["dyad_id"] == "B005"]
    ok = it[["client", "therapist"]].dropna()
    assert d.loc[4, "profile_r"] == pytest.approx(np.corrcoef(ok["client"], ok["therapist"])[0, 1], abs=1e-12)


def test_repeated_sessions_give_one_row_per_pair():
    p = study_a_pairs()
    result = dyad_discrepancies(p)
    d = result.table
    assert len(d) == len(p.wide) and d.columns[:2].tolist() == ["dyad_id", "session"]
    assert result.metric == "pomp"


def test_dyad_items_sorted_by_discrepancy():
    p = study_a_pairs()
    t = dyad_items(p, "A001", 2)
    assert len(t) == 7 and t["abs_diff"].is_monotonic_decreasing
    assert (t["diff"] == t["client"] - t["therapist"]).all()
    with pytest.raises(KeyError, match=r"dyad 'nobody' is not among"):
        dyad_items(p, "nobody")
    with pytest.raises(InvalidParameterError, match=r"The 'paired' parameter of dyad_items\(\) must be the "
                                                    r"PairedRatings from pair_raters"):
        dyad_items(p.paired, "A001")


def test_undefined_reliable_difference_warns_and_asks_for_thresholds():
    """Two pairs: alpha needs 3+, so the default thresholds cannot be computed."""
    import toolkit
    from toolkit.dyadic import pair_raters
    from toolkit.exceptions import AgreementWarning

    wai = toolkit.load_sample("wai36_client_therapist")
    small = pair_raters(wai[wai["dyad_id"].isin(["B001", "B002"])], instrument_client="wai36")
    with pytest.warns(AgreementWarning, match=r"the reliable difference of \['task', 'bond', 'goal', 'total'\] is "
                                              r"undefined \(NaN\): a form's alpha needs 2\+ items and 3\+ pairs"):
        assert reliable_difference(small).isna().all()
    with pytest.raises(InvalidParameterError, match=r"no default threshold for \['task', 'bond', 'goal', 'total'\]: "
                                                    r".*pass thresholds=\{'task': \.\.\.\}"):
        dyad_discrepancies(small)
    d = dyad_discrepancies(small, 5).table
    np.testing.assert_array_equal(d["flag_bond"], d["diff_bond"].abs() > 5)
