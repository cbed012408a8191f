"""toolkit.plan for tests of a model: the CFA family comparison and paired client-therapist invariance; a
non-invariant second rater in Population; Population.from_cfa.

Power of a test is the share of replications with p < alpha. Where the restricted model holds in the population
that share is the test's type I error rate: it is checked to stay below alpha + 3 Monte Carlo standard errors,
3 sqrt(alpha (1 - alpha) / R) (a one-factor model tested within correlated factors sits on the boundary of the
parameter space, so its rate is expected below alpha). Where it is clearly false the power must grow with n and
reach 1 at a large n (the sizes are chosen so that the power there is above .99 by the chi-square approximation).
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from toolkit.exceptions import InvalidParameterError, NotFittedError, PlanningWarning
from toolkit.planning import Population, plan, replication_seed

ALPHA = 0.05
REFERENCE = Path(__file__).resolve().parents[1] / "reference" / "planning"


def _mc_bound(reps: int) -> float:
    return ALPHA + 3 * np.sqrt(ALPHA * (1 - ALPHA) / reps)


# -- the CFA family comparison ------------------------------------------------------------------------------------
def test_family_test_holds_its_level_when_one_factor_is_true():
    pop = Population("wai-sr", loadings=0.7, factors={"alliance": range(1, 13)})
    res = plan(pop, n=[80], analyses=["cfa_family"], n_reps=30, seed=11, reference_n=1000)
    row = res.table.iloc[0]
    assert row["failed"] == 0
    assert row["power"] <= _mc_bound(30), row["power"]
    # BIC charges the 3 factor correlations log(80) each: the true one-factor model is chosen nearly always
    share = res.choices.set_index("choice")["share"]
    assert share["one_factor"] >= 0.9
    assert share.sum() == pytest.approx(1.0)


def test_family_test_power_reaches_one_with_distinct_factors():
    pop = Population("wai-sr", loadings=0.7, factor_corr=0.3)
    res = plan(pop, n=[60, 200], analyses=["cfa_family"], n_reps=8, seed=5, reference_n=1000,
               options={"cfa_family": {"criterion": "fit"}})
    t = res.table.set_index("n")
    assert t.loc[200, "power"] == 1.0 and t.loc[200, "failed"] == 0
    assert t.loc[60, "estimate"] < t.loc[200, "estimate"]    # the chi-square difference grows with n
    reps = res.replications
    assert set(reps["choice"]) <= {"one_factor", "correlated", "none"}
    # "fit": the simplest member meeting CFI >= .95 and RMSEA <= .06; the one-factor model never does here
    assert (reps.loc[reps["n"] == 200, "choice"] == "correlated").all()
    # the choice shares as curves: one per model, the share at each n
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    try:
        assert res.plot("choice", ax=ax) is ax
        lines = {line.get_label(): line for line in ax.get_lines()}
        shares = res.choices.set_index(["choice", "n"])["share"]
        assert set(lines) == {f"cfa_family: {c}" for c in res.choices["choice"]}
        np.testing.assert_array_equal(lines["cfa_family: correlated"].get_ydata(),
                                      shares.loc["correlated"].loc[[60, 200]].to_numpy())
        assert ax.get_ylabel() == "share choosing the model"
    finally:
        plt.close(fig)


def test_failed_replications_are_counted_and_warned():
    """Ten respondents for twelve items: some fits do not converge; they leave the curves with a PlanningWarning."""
    pop = Population("wai-sr", loadings=0.7, factor_corr=0.6)
    with pytest.warns(PlanningWarning, match=r"of 4 analysis runs failed or did not converge"):
        res = plan(pop, n=[10], analyses=["omega"], n_reps=4, seed=1, target_width=0.2, reference_n=500)
    failed = int((~res.replications["converged"] | res.replications["estimate"].isna()).sum())
    assert failed >= 1 and res.table["failed"].iloc[0] == failed
    assert any("left out of the curves" in note for note in res.notes)
    with pytest.raises(InvalidParameterError, match="no analysis of this plan chooses between models"):
        res.plot("choice")


def test_family_replication_is_the_test_cfa_family_reports():
    """One replication's statistic and p value are those of toolkit.cfa_family on the same simulated data
    (lavTestLRT's difference, checked against lavaan in tests/validity): same engine, same rows."""
    from toolkit import cfa_family

    pop = Population("wai-sr", loadings=0.6, factor_corr=0.7)
    members = ["one_factor", "correlated", "bond_vs_goal_task"]     # WAI-SR's declared alternative
    res = plan(pop, n=[80], analyses=["cfa_family"], n_reps=2, seed=9, reference_n=1000,
               options={"cfa_family": {"members": members}})
    data = pop.draw(80, np.random.default_rng(replication_seed(9, 80, 1)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fam = cfa_family(data, "wai-sr", members=members)
    comp = fam.comparisons.set_index(["restricted", "general"]).loc[("one_factor", "correlated")]
    rep = res.replications.query("rep == 1").iloc[0]
    assert rep["estimate"] == pytest.approx(comp["chisq_diff"], abs=1e-8)
    assert rep["p"] == pytest.approx(comp["p"], abs=1e-10)
    conv = fam.table["converged"]
    assert rep["choice"] == fam.table.loc[conv[conv].index, "bic"].astype(float).idxmin()


def test_family_and_invariance_tests_match_lavaan():
    """R: lavaan::cfa(one_factor / correlated, std.lv = TRUE) + lavTestLRT + BIC, and the paired model's
    configural/metric/scalar steps (meanstructure = TRUE) + lavTestLRT, on the data sets plan() draws
    (tests/reference/planning/model_tests.R). Tolerances: 1e-5 on the chi-square differences and 1e-6 on the p
    values (iterative fits on both sides, converged to gradients below 1e-7)."""
    ref = json.loads((REFERENCE / "model_tests.json").read_text())
    fam = Population("wai-sr", loadings=0.7, factor_corr=0.7)
    stored = pd.read_csv(REFERENCE / "family_sets.csv")
    for r in range(3):   # the stored rows are the plan's draws
        d = fam.draw(100, np.random.default_rng(replication_seed(31, 100, r))).drop(columns="dyad_id")
        pd.testing.assert_frame_equal(d, stored[stored["rep"] == r].drop(columns="rep").reset_index(drop=True),
                                      check_dtype=False)
    res = plan(fam, n=[100], analyses=["cfa_family"], n_reps=3, seed=31, reference_n=1000)
    for got, want in zip(res.replications.itertuples(), ref["family"]):
        assert got.estimate == pytest.approx(want["chisq_diff"], abs=1e-5)
        assert got.p == pytest.approx(want["p"], abs=1e-6)
        assert got.choice == ("one_factor" if want["bic_one_factor"] < want["bic_correlated"] else "correlated")
    dyads = Population("wai-sr", loadings=0.7, rater_loadings={1: 0.4}, rater_intercepts={2: 0.4})
    stored = pd.read_csv(REFERENCE / "rater_sets.csv")
    for r in range(2):
        d = dyads.draw(80, np.random.default_rng(replication_seed(32, 80, r)), raters=2)
        for rater in ("client", "therapist"):
            want = stored.loc[stored["rep"] == r, [f"{c}_{rater}" for c in dyads.columns]].to_numpy()
            np.testing.assert_array_equal(d.loc[d["rater"] == rater, dyads.columns].to_numpy(), want)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")   # lavaan too warns of a latent covariance matrix not positive definite
        res = plan(dyads, n=[80], analyses=["invariance_metric", "invariance_scalar"], n_reps=2, seed=32,
                   reference_n=1000)
    got = res.replications.set_index(["analysis", "rep"])
    for want in ref["rater"]:
        for step in ("metric", "scalar"):
            row = got.loc[(f"invariance_{step}", want["rep"])]
            assert row["estimate"] == pytest.approx(want[f"{step}_chisq_diff"], abs=1e-5), (step, want["rep"])
            assert row["p"] == pytest.approx(want[f"{step}_p"], abs=1e-6)


# -- paired invariance --------------------------------------------------------------------------------------------
def test_metric_test_holds_its_level_when_the_raters_are_invariant():
    pop = Population("wai-sr", loadings=0.7, factor_corr=0.5, rater_corr=0.5, rater_shift=0.3)
    res = plan(pop, n=[120], analyses=["invariance_metric"], n_reps=24, seed=21, reference_n=1000)
    row = res.table.iloc[0]
    assert row["failed"] == 0
    assert row["power"] <= _mc_bound(24), row["power"]
    assert row["estimate"] == pytest.approx(9, abs=4)   # mean of a chi-square on 9 df, within ~4 MC SE


def test_non_invariant_therapist_power_grows_with_n():
    pop = Population("wai-sr", loadings=0.7, factor_corr=0.5, rater_loadings={1: 0.35, 3: 0.35, 4: 0.35},
                     rater_intercepts={2: 0.5, 5: -0.5, 6: 0.5})
    res = plan(pop, n=[50, 400], analyses=["invariance_metric", "invariance_scalar"], n_reps=6, seed=4,
               reference_n=1000)
    t = res.table.set_index(["analysis", "n"])
    for step in ("invariance_metric", "invariance_scalar"):
        assert t.loc[(step, 400), "power"] == 1.0, step
        assert t.loc[(step, 50), "power"] < 1.0 or t.loc[(step, 50), "estimate"] < t.loc[(step, 400), "estimate"]
        assert t.loc[(step, 400), "failed"] == 0
    assert "non-invariant" in res.notes[1] and "intercept shifts" in res.notes[1]


def test_invariance_replication_is_rater_invariance_with_fiml():
    """The planning run fits complete dyads listwise (faster); rater_invariance's default FIML gives the same
    tests on complete data (tolerance 1e-6: two iterative fits, each converged to a gradient below 1e-7)."""
    from toolkit import rater_invariance

    pop = Population("wai-sr", loadings=0.7, rater_loadings={1: 0.4}, rater_intercepts={2: 0.4})
    res = plan(pop, n=[90], analyses=["invariance_scalar", "invariance_metric"], n_reps=1, seed=8,
               reference_n=1000)
    data = pop.draw(90, np.random.default_rng(replication_seed(8, 90, 0)), raters=2)
    inv = rater_invariance(data, "wai-sr", steps=("configural", "metric", "scalar"))
    got = res.replications.set_index("analysis")
    for step in ("metric", "scalar"):
        assert got.loc[f"invariance_{step}", "estimate"] == pytest.approx(inv.table.loc[step, "chisq_diff"], abs=1e-6)
        assert got.loc[f"invariance_{step}", "p"] == pytest.approx(inv.table.loc[step, "p_diff"], abs=1e-6)


# -- options ------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("kwargs, match", [
    ({"analyses": ["cfa_family"], "options": {"cfa_family": {"members": ["bifactor", "correlated"]}}},
     "not nested in 'correlated'"),
    ({"analyses": ["cfa_family"], "options": {"cfa_family": {"members": ["one_factor", "three"]}}},
     "distinct members of the wai-sr family"),
    ({"analyses": ["cfa_family"], "options": {"cfa_family": {"criterion": "bic", "estimator": "WLSMV"}}},
     "criterion='fit'"),
    ({"analyses": ["cfa_family"], "options": {"cfa_family": {"criterion": "rmsea"}}}, "'criterion'"),
    ({"analyses": ["cfa_family"], "options": {"cfa_family": {"member": ["one_factor"]}}},
     r"options \['member'\]; its options are 'members'"),
    ({"analyses": ["cfa_family"], "options": {"omega": {}}}, "not among the analyses"),
    ({"analyses": ["invariance_metric"], "options": {"invariance_metric": {"estimator": "WLSMV"}}}, "'estimator'"),
    ({"analyses": ["cfa_family"], "null": {"cfa_family": 0.2}}, "tests without an interval"),
    ({"analyses": ["cfa_family"], "alpha": 1.5}, "'alpha' parameter"),
])
def test_plan_option_errors(kwargs, match):
    with pytest.raises(InvalidParameterError, match=match):
        plan(Population("wai-sr"), n=[50], n_reps=1, seed=1, **kwargs)


def test_a_single_null_applies_to_the_intervals_only():
    res = plan(Population("wai-sr", factor_corr=0.5), n=[60], analyses=["omega", "cfa_family"], n_reps=2, seed=1,
               null=0.5, reference_n=1000)
    info = res.analyses.set_index("analysis")
    assert info.loc["omega", "null"] == 0.5 and pd.isna(info.loc["cfa_family", "null"])
    assert bool(info.loc["cfa_family", "test"]) and "criterion='bic'" in info.loc["cfa_family", "options"]
    assert np.isnan(res.table.set_index("analysis").loc["cfa_family", "coverage"])


# -- the second rater ---------------------------------------------------------------------------------------------
def test_second_rater_intercepts_and_loadings_are_drawn():
    pop = Population("wai-sr", loadings=0.8, rater_loadings={1: 0.3}, rater_intercepts={2: 1.0})
    d = pop.draw(20_000, np.random.default_rng(2), raters=2)
    c, t = (d[d["rater"] == r].reset_index(drop=True) for r in ("client", "therapist"))
    # item 2 (task): a latent shift of 1 SD moves the therapist's answers up by about a category and a half
    assert t["wai_sr_02"].mean() - c["wai_sr_02"].mean() > 1.0
    assert abs(t["wai_sr_10"].mean() - c["wai_sr_10"].mean()) < 0.05
    # item 1 loads .3 for the therapist: its correlation with item 2 (same factor) drops from ~.6 to ~.2
    assert c["wai_sr_01"].corr(c["wai_sr_02"]) > 0.5 > 0.3 > t["wai_sr_01"].corr(t["wai_sr_02"])
    assert pop.table.set_index("item").loc[1, "rater_loading"] == 0.3
    assert pop.table.set_index("item").loc[2, "rater_intercept"] == 1.0
    # the client's answers do not depend on the therapist's parameters
    same = Population("wai-sr", loadings=0.8).draw(50, np.random.default_rng(3), raters=2)
    other = pop.draw(50, np.random.default_rng(3), raters=2)
    pd.testing.assert_frame_equal(same.iloc[:50], other.iloc[:50])


def test_per_item_thresholds():
    cuts = np.tile([-1.0, -0.5, 0.5, 1.0], (12, 1))
    cuts[0] = [0.0, 0.5, 1.0, 1.5]
    pop = Population("wai-sr", thresholds=cuts)
    x = pop.draw(40_000, np.random.default_rng(1))
    assert (x["wai_sr_01"] == 1).mean() == pytest.approx(0.5, abs=0.01)         # Phi(0)
    assert (x["wai_sr_02"] == 1).mean() == pytest.approx(0.1587, abs=0.01)      # Phi(-1)


@pytest.mark.parametrize("kwargs, match", [
    ({"rater_loadings": {13: 0.5}}, "names \\[13\\], which are not items"),
    ({"rater_loadings": [0.5] * 11}, "12 loadings"),
    ({"rater_loadings": 1.0}, "'rater_loadings' parameter"),
    ({"rater_intercepts": {0: 0.5}}, "'rater_intercepts' parameter .* names \\[0\\]"),
    ({"rater_intercepts": [np.inf] * 12}, "'rater_intercepts' parameter .* finite"),
    ({"factors": {"a": range(1, 12)}}, "leaves items \\[12\\] on no factor"),
    ({"factors": {"a": range(1, 13), "b": [1, 14]}}, "names \\[14\\].*puts items \\[1\\] on more than one"),
    ({"thresholds": np.zeros((12, 4))}, "'thresholds' parameter"),
])
def test_population_rater_and_structure_errors(kwargs, match):
    with pytest.raises(InvalidParameterError, match=match):
        Population("wai-sr", **kwargs)


# -- a fitted CFA as the population -------------------------------------------------------------------------------
LAMBDA = np.array([0.8, 0.7, 0.6, 0.5, 0.75, 0.65, 0.55, 0.7, 0.6, 0.8, 0.7, 0.6])
PHI = np.array([[1.0, 0.5, 0.6], [0.5, 1.0, 0.4], [0.6, 0.4, 1.0]])


def _syntax(pop):
    return "\n".join(f"{f} =~ " + " + ".join(pop.table.query("factor == @f")["column"]) for f in pop.factors)


@pytest.fixture(scope="module")
def ordinal_fit():
    from toolkit.factor.cfa import cfa

    truth = Population("wai-sr", loadings=LAMBDA, factor_corr=PHI)
    data = truth.draw(4000, np.random.default_rng(17)).drop(columns="dyad_id")
    return truth, cfa(data, _syntax(truth), std_lv=True, estimator="WLSMV", ordered=truth.columns)


def test_from_cfa_round_trip(ordinal_fit):
    truth, fit = ordinal_fit
    pop = Population.from_cfa(fit, "wai-sr", rater_corr=0.4)
    std = fit.standardized_
    lam = std[std["op"] == "=~"].set_index("rhs")["std_all"]
    np.testing.assert_allclose(pop.loadings, lam.loc[truth.columns].to_numpy(), rtol=0, atol=1e-10)
    np.testing.assert_allclose(pop.loadings, LAMBDA, atol=0.05)              # 4000 rows: SE about .01
    cov = std[(std["op"] == "~~") & std["lhs"].isin(truth.factors) & (std["lhs"] != std["rhs"])]
    for r in cov.itertuples():
        i, j = pop.factors.index(r.lhs), pop.factors.index(r.rhs)
        assert pop.phi[i, j] == pytest.approx(r.std_all, abs=1e-10)
    np.testing.assert_allclose(pop.phi, PHI, atol=0.05)
    th = fit.estimates_[fit.estimates_["op"] == "|"]
    for k, col in enumerate(truth.columns):
        np.testing.assert_allclose(pop.thresholds[k], th.loc[th["lhs"] == col, "est"], atol=1e-10)
    np.testing.assert_allclose(pop.thresholds, truth.thresholds, atol=0.08)
    assert pop.factors == truth.factors and pop.rater_corr == 0.4


def test_from_cfa_of_a_one_factor_fit_and_an_ml_fit():
    from toolkit.factor.cfa import cfa

    truth = Population("wai-sr", loadings=0.7, factors={"alliance": range(1, 13)})
    data = truth.draw(1500, np.random.default_rng(4)).drop(columns="dyad_id")
    fit = cfa(data, "g =~ " + " + ".join(truth.columns), std_lv=True)
    pop = Population.from_cfa(fit, "wai-sr")
    assert pop.factors == ["g"] and pop.phi.shape == (1, 1)
    np.testing.assert_allclose(pop.thresholds, truth.thresholds)   # ML: the default, equally likely categories
    # ML on five categories: the loadings of the scores are a little below the latent ones (see the Notes)
    assert 0.6 < pop.loadings.mean() < 0.7


def test_from_cfa_names_the_mismatches(ordinal_fit):
    from toolkit.factor.cfa import CFA, cfa

    truth, _ = ordinal_fit
    data = truth.draw(300, np.random.default_rng(1)).drop(columns="dyad_id")
    part = cfa(data.rename(columns={"wai_sr_12": "extra"}),
               "f =~ " + " + ".join([c for c in truth.columns if c not in ("wai_sr_11", "wai_sr_12")] + ["extra"]),
               std_lv=True)
    with pytest.raises(InvalidParameterError, match=r"indicators \['extra'\] are not items of wai-sr; items \[11, "
                                                    r"12\] \(\['wai_sr_11', 'wai_sr_12'\]\) are not in the fit"):
        Population.from_cfa(part, "wai-sr")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        second = cfa(data, _syntax(truth) + "\ng =~ task + bond + goal", std_lv=True)
        bifactor = cfa(data, "g =~ " + " + ".join(truth.columns) + "\n" + _syntax(truth), std_lv=True,
                       orthogonal=True)
    with pytest.raises(InvalidParameterError, match=r"\['bond', 'goal', 'task'\] are measured by other factors"):
        Population.from_cfa(second, "wai-sr")
    with pytest.raises(InvalidParameterError, match="load on several"):
        Population.from_cfa(bifactor, "wai-sr")
    with pytest.raises(InvalidParameterError, match="'fit' parameter .* got a DataFrame"):
        Population.from_cfa(data, "wai-sr")
    with pytest.raises(NotFittedError):
        Population.from_cfa(CFA("f =~ a + b + c"), "wai-sr")
    flipped = data.copy()
    flipped["wai_sr_01"] = 6 - flipped["wai_sr_01"]
    with pytest.raises(InvalidParameterError, match=r"loadings of items \[1\] are \[-0\.\d+\], outside"):
        Population.from_cfa(cfa(flipped, _syntax(truth), std_lv=True), "wai-sr")
