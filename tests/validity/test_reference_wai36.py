"""The WAI-36 family (client form) and invariance across raters as independent groups, against lavaan 0.6-14.

R: tests/reference/cfa/make_reference.R, section ``wai36`` (reversed items keyed as 8 - x, as the instrument
definition keys them). Tolerances: estimates and SEs 1e-4; fit measures and chi-square differences 1e-3
relative; omega 1e-5.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import toolkit
from toolkit.validity import cfa_family, invariance

from ..cfa._compare import compare_columns, compare_fit, load_ref

REF = load_ref("wai36.json")
MEMBERS = ["one_factor", "correlated", "second_order", "bifactor"]


@pytest.fixture(scope="module")
def wai36():
    return toolkit.load_sample("wai36_client_therapist")


@pytest.fixture(scope="module")
def family(wai36):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", toolkit.exceptions.IncompleteRowsWarning)
        return cfa_family(wai36.query("rater == 'client'"), "wai36", form="client")


@pytest.mark.parametrize("member", MEMBERS)
def test_member_against_lavaan(family, member):
    """R: cfa(<member>, data = client rows, std.lv = TRUE[, orthogonal = TRUE]); compRelSEM(fit, ...)."""
    fit, ref = family.fits[member], REF["family"][member]
    assert family.syntax[member].replace(" ", "") == ref["syntax"].replace(" ", "")
    compare_columns(fit.estimates_, ref["estimates"], {"est": "est", "se": "se"}, atol=1e-4)
    compare_fit(fit.fit_measures_, ref["fit"])
    compare_columns(fit.standardized_, ref["standardized"], {"std_all": "est.std", "se": "se"}, atol=1e-4)
    om = family.omega.query("member == @member").set_index("factor")["omega"]
    for k, v in ref["compRelSEM"].items():
        assert om[k] == pytest.approx(v, abs=1e-5)


def test_family_chisq_differences(family):
    comp = family.comparisons.set_index(["restricted", "general"])
    for r in REF["family_lrt"]:
        row = comp.loc[(r["restricted"], r["general"])]
        assert row["chisq_diff"] == pytest.approx(r["Chisq_diff"][1], rel=1e-3)
        assert row["df_diff"] == r["Df_diff"][1]


def test_client_vs_therapist_as_independent_groups(wai36):
    """R: cfa(correlated, data, group = "rater", std.lv = TRUE, group.equal = ...) per step; lavTestLRT.
    (The rows of one dyad are not independent: rater_invariance is the right model; this is the comparison.)"""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", toolkit.exceptions.IncompleteRowsWarning)
        inv = invariance(wai36, "wai36", group="rater")
    for step, fit in inv.fits.items():
        ref = REF["groups"]["fits"][step]
        compare_columns(fit.estimates_, ref["estimates"], {"est": "est", "se": "se"}, atol=1e-4,
                        group_labels=fit.groups_)
        compare_fit(fit.fit_measures_, ref["fit"])
    np.testing.assert_allclose(inv.table["chisq_diff"].iloc[1:], REF["groups"]["lrt"]["Chisq_diff"][1:], rtol=1e-3)


@pytest.mark.slow
def test_client_vs_therapist_as_one_dyadic_model(wai36):
    """R: cfa(paired_syntax(step), data = client and therapist rows merged by dyad and session, missing = "ml",
    meanstructure = TRUE) per step, lavTestLRT (section wai36_paired). 72 indicators: lavaan's FIML-corrected
    robust CFI/RMSEA would take hours there, so the reference has the standard lines (CFI, TLI and RMSEA by
    their formulas from the independence model), and so does the toolkit (it leaves the robust lines out above
    40 variables and says so)."""
    ref_all = load_ref("wai36_paired.json")["paired"]
    paired = toolkit.pair_raters(wai36, instrument_client="wai36")
    inv = toolkit.rater_invariance(paired)
    for step, fit in inv.fits.items():
        ref = ref_all["fits"][step]
        assert sorted(inv.syntax[step].replace(" ", "").splitlines()) == \
            sorted(ref["syntax"].replace(" ", "").splitlines())
        compare_columns(fit.estimates_, ref["estimates"], {"est": "est", "se": "se"}, atol=1e-4)
        compare_fit(fit.fit_measures_, ref["fit"])
        assert any("were not computed: 72 observed variables" in n for n in fit.notes_)
    np.testing.assert_allclose(inv.table["chisq_diff"].iloc[1:], ref_all["lrt"]["Chisq_diff"][1:], rtol=1e-3)
    means = inv.latent_means.set_index("factor")
    est = {(r["lhs"], r["op"]): r for r in ref_all["fits"]["scalar"]["estimates"]}
    for f in means.index:
        assert means.loc[f, "mean"] == pytest.approx(est[(f"{f}_therapist", "~1")]["est"], abs=1e-4)
        assert means.loc[f, "se"] == pytest.approx(est[(f"{f}_therapist", "~1")]["se"], abs=1e-4)
