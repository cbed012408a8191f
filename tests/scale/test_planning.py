"""toolkit.plan: identical results on 1 and 2 Dask workers and without Dask; each replication reproducible
alone; omega's Wald interval against lavaan."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from toolkit.exceptions import InvalidParameterError
from toolkit.planning import Population, plan, replication_seed
from toolkit.planning.analyses import omega_wald

REFERENCE = Path(__file__).resolve().parents[1] / "reference" / "planning"
KW = dict(n=[30, 60], analyses=["omega", "icc_agreement"], n_reps=5, seed=2026, target_width=0.15, null=0.2,
          reference_n=4000)

TESTS = dict(n=[40], analyses=["cfa_family", "invariance_metric"], n_reps=3, seed=7, reference_n=500)


@pytest.fixture(scope="module")
def population():
    return Population("wai-sr", loadings=0.7, factor_corr=0.6, rater_corr=0.5, rater_shift=0.2)


def test_same_seed_same_results_on_one_and_two_workers(population):
    from distributed import Client, LocalCluster

    runs, tests = {}, {}
    for workers in (1, 2):
        with LocalCluster(n_workers=workers, threads_per_worker=1, processes=False, dashboard_address=None) as c, \
                Client(c) as client:
            runs[workers] = plan(population, client=client, **KW)
            tests[workers] = plan(population, client=client, **TESTS)
    assert runs[1].workers == 1 and runs[2].workers == 2
    pd.testing.assert_frame_equal(runs[1].replications, runs[2].replications)
    pd.testing.assert_frame_equal(runs[1].table, runs[2].table)
    # the tests of a model too (choices included), and as without Dask
    pd.testing.assert_frame_equal(tests[1].replications, tests[2].replications)
    pd.testing.assert_frame_equal(tests[1].choices, tests[2].choices)
    pd.testing.assert_frame_equal(plan(population, **TESTS).replications, tests[2].replications)
    assert tests[2].replications["estimate"].notna().all()
    local = plan(population, **KW)  # without Dask, and in other batches
    pd.testing.assert_frame_equal(local.replications, runs[2].replications)
    small_batches = plan(population, **KW, client=None, batch_size=1)
    pd.testing.assert_frame_equal(small_batches.replications, local.replications)


def test_a_replication_is_the_same_alone(population):
    full = plan(population, **KW)
    alone = plan(population, **{**KW, "n": [60], "n_reps": 2})  # fewer sizes, fewer replications
    a = full.replications.query("n == 60 and rep < 2").reset_index(drop=True)
    pd.testing.assert_frame_equal(a, alone.replications)
    # the stream of (n, rep) is the (n, rep) child of SeedSequence(seed)
    ss = np.random.SeedSequence(2026).spawn(61)[60].spawn(2)[1]
    assert np.random.default_rng(replication_seed(2026, 60, 1)).random() == np.random.default_rng(ss).random()


def test_curves_are_the_shares_of_the_replications(population):
    res = plan(population, **KW)
    reps = res.replications
    for row in res.table.itertuples():
        r = reps[(reps["analysis"] == row.analysis) & (reps["n"] == row.n) & reps["converged"]]
        assert row.replications == 5
        assert row.power == pytest.approx((r["ci_low"] > 0.2).mean())
        assert row.assurance == pytest.approx((r["width"] <= 0.15).mean())
        theta = res.analyses.set_index("analysis").loc[row.analysis, "population"]
        assert row.coverage == pytest.approx(((r["ci_low"] <= theta) & (theta <= r["ci_high"])).mean())
        assert row.sd == pytest.approx(r["estimate"].std(ddof=1))
    # precision grows with n
    omega = res.table[res.table["analysis"] == "omega"]
    assert omega["width"].iloc[1] < omega["width"].iloc[0]


def test_plot_takes_an_axes(population):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    res = plan(population, **{**KW, "n_reps": 2})
    fig, ax = plt.subplots()
    assert res.plot("width", ax=ax) is ax
    assert len(ax.get_lines()) == 2
    plt.close(fig)
    with pytest.raises(InvalidParameterError, match="'y' parameter"):
        res.plot("speed")


def test_omega_wald_matches_lavaan():
    """R: lavaan::cfa(model, std.lv = TRUE) with omega := num / (num + sum(theta)); parameterEstimates()
    (tests/reference/planning/omega_wald.R). Tolerance 1e-6: an iterative fit, both converged tightly."""
    ref = json.loads((REFERENCE / "omega_wald.json").read_text())
    d = pd.read_csv(REFERENCE / "omega_data.csv")
    cols = [f"wai_sr_{k:02d}" for k in (1, 2, 10, 12, 3, 5, 7, 9, 4, 6, 8, 11)]
    res = omega_wald(d[cols].to_numpy(dtype=float), [np.arange(4), np.arange(4, 8), np.arange(8, 12)])
    for key in ("estimate", "se", "ci_low", "ci_high"):
        assert res[key] == pytest.approx(ref[key], abs=1e-6), key


def test_population_draws_the_model():
    pop = Population("wai-sr", loadings=0.8, factor_corr=0.5, rater_corr=0.6)
    d = pop.draw(20_000, np.random.default_rng(1), raters=2)
    assert d.shape == (40_000, 14) and set(d["rater"]) == {"client", "therapist"}
    x = d[pop.columns].to_numpy()
    assert set(np.unique(x)) <= {1.0, 2.0, 3.0, 4.0, 5.0}
    # equally likely categories by default
    assert np.allclose(np.bincount(x[:, 0].astype(int), minlength=6)[1:] / len(x), 0.2, atol=0.01)
    # the client's answers do not depend on whether a therapist is drawn too
    one = pop.draw(50, np.random.default_rng(3))
    two = pop.draw(50, np.random.default_rng(3), raters=2)
    pd.testing.assert_frame_equal(one, two[two["rater"] == "client"].drop(columns="rater").reset_index(drop=True))


@pytest.mark.parametrize("kwargs, match", [
    ({"loadings": 1.2}, "'loadings' parameter"),
    ({"loadings": [0.5] * 3}, "12 loadings"),
    ({"factor_corr": 1.0}, "'factor_corr' parameter"),
    ({"thresholds": [0.0, -1.0, 1.0, 2.0]}, "'thresholds' parameter"),
])
def test_population_errors(kwargs, match):
    with pytest.raises(InvalidParameterError, match=match):
        Population("wai-sr", **kwargs)


def test_plan_errors(population):
    with pytest.raises(InvalidParameterError, match="'analyses' parameter"):
        plan(population, n=50, analyses=["cfa_families"])
    with pytest.raises(InvalidParameterError, match="'n' parameter"):
        plan(population, n=[5])
    with pytest.raises(InvalidParameterError, match="'population' parameter"):
        plan("wai-sr", n=50)
