"""The WAI-SR family and both invariance routes on the simulated sample, against lavaan 0.6-14 and semTools.

R: tests/reference/cfa/make_reference.R, section ``wai_sr`` (reads data-samples/wai_sr_sessions.csv and
writes the syntax the toolkit builds from instruments/wai-sr.yaml).
Tolerances: estimates and SEs 1e-4; fit measures and chi-square differences 1e-3 relative; omega 1e-5.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import toolkit
from toolkit.validity import cfa_family, invariance, rater_invariance

from ..cfa._compare import compare_columns, compare_fit, load_ref

REF = load_ref("wai_sr.json")


@pytest.fixture(scope="module")
def sessions():
    return toolkit.load_sample("wai_sr_sessions")


@pytest.fixture(scope="module")
def family(sessions):
    """R: cfa(<member>, data = session 1, std.lv = TRUE[, orthogonal = TRUE]) for every member."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", toolkit.exceptions.IncompleteRowsWarning)
        return cfa_family(sessions.query("session == 1"), "wai-sr")


def test_family_members_and_syntax(family):
    assert list(family.table.index) == ["one_factor", "correlated", "second_order", "bifactor", "bond_vs_goal_task"]
    for m, syntax in family.syntax.items():
        assert syntax.replace(" ", "") == REF["family"][m]["syntax"].replace(" ", "")


@pytest.mark.parametrize("member", ["one_factor", "correlated", "second_order", "bifactor", "bond_vs_goal_task"])
def test_family_member_against_lavaan(family, member):
    fit, ref = family.fits[member], REF["family"][member]
    compare_columns(fit.estimates_, ref["estimates"], {"est": "est", "se": "se"}, atol=1e-4)
    compare_fit(fit.fit_measures_, ref["fit"])
    compare_columns(fit.standardized_, ref["standardized"], {"std_all": "est.std", "se": "se"}, atol=1e-4)
    mi = fit.modification_indices()
    compare_columns(mi, ref["mi"], {"mi": "mi"}, atol=1e-6, rtol=1e-3)
    compare_columns(mi, ref["mi"], {"epc": "epc"}, atol=1e-4)
    row = family.table.loc[member]
    assert row["chisq"] == pytest.approx(ref["fit"]["chisq"], rel=1e-3)
    assert row["cfi"] == pytest.approx(ref["fit"]["cfi"], rel=1e-3)


@pytest.mark.parametrize("member", ["one_factor", "correlated", "second_order", "bifactor", "bond_vs_goal_task"])
def test_family_omega_is_comprelsem(family, member):
    """R: compRelSEM(fit, return.total = TRUE) (higher = "general" for the second-order model)."""
    om = family.omega.query("member == @member").set_index("factor")["omega"]
    ref = REF["family"][member]["compRelSEM"]
    assert set(om.index) == set(ref)
    for k, v in ref.items():
        assert om[k] == pytest.approx(v, abs=1e-5)


def test_family_chisq_differences(family):
    """R: lavTestLRT(general, restricted) for each nested pair."""
    comp = family.comparisons.set_index(["restricted", "general"])
    assert len(comp) == len(REF["family_lrt"])
    for r in REF["family_lrt"]:
        row = comp.loc[(r["restricted"], r["general"])]
        assert row["chisq_diff"] == pytest.approx(r["Chisq_diff"][1], rel=1e-3)
        assert row["df_diff"] == r["Df_diff"][1]
        assert row["p"] == pytest.approx(r["p"][1], rel=1e-3)


def test_invariance_across_therapist_cohorts(sessions):
    """R: cfa(correlated, data = session 1, group = "cohort", std.lv = TRUE, group.equal = ...) per step."""
    s1 = sessions.query("session == 1").copy()
    s1["cohort"] = np.where(s1["therapist_id"].str[2:].astype(int) <= 12, "early", "late")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", toolkit.exceptions.IncompleteRowsWarning)
        inv = invariance(s1, "wai-sr", group="cohort")
    for step, fit in inv.fits.items():
        ref = REF["groups"]["fits"][step]
        compare_columns(fit.estimates_, ref["estimates"], {"est": "est", "se": "se"}, atol=1e-4,
                        group_labels=fit.groups_)
        compare_fit(fit.fit_measures_, ref["fit"])
    lrt = REF["groups"]["lrt"]
    np.testing.assert_allclose(inv.table["chisq_diff"].iloc[1:], lrt["Chisq_diff"][1:], rtol=1e-3)
    np.testing.assert_allclose(inv.table["p_diff"].iloc[1:], lrt["p"][1:], rtol=1e-3)
    assert list(inv.latent_means["group"].unique()) == [inv.fits["configural"].groups_[1]]


def test_invariance_across_sessions_of_the_same_dyads(sessions):
    """R: cfa(paired_syntax(step), data = sessions 3 and 8 merged by dyad, missing = "ml") per step."""
    rin = rater_invariance(sessions.query("session in [3, 8]"), "wai-sr", rater="session", levels=(3, 8))
    for step, fit in rin.fits.items():
        ref = REF["paired"]["fits"][step]
        assert rin.syntax[step].replace(" ", "") == ref["syntax"].replace(" ", "")
        compare_columns(fit.estimates_, ref["estimates"], {"est": "est", "se": "se"}, atol=1e-4)
        compare_fit(fit.fit_measures_, ref["fit"])
    lrt = REF["paired"]["lrt"]
    np.testing.assert_allclose(rin.table["chisq_diff"].iloc[1:], lrt["Chisq_diff"][1:], rtol=1e-3)
    means = rin.latent_means.set_index("factor")
    est = {(r["lhs"], r["op"]): r for r in REF["paired"]["fits"]["scalar"]["estimates"]}
    for f in ("task", "bond", "goal"):
        ref = est[(f"{f}_session8", "~1")]
        assert means.loc[f, "mean"] == pytest.approx(ref["est"], abs=1e-4)
        assert means.loc[f, "se"] == pytest.approx(ref["se"], abs=1e-4)
