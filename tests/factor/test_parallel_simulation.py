"""Parallel analysis' normal-theory sets: the Wishart route against the data route and psych::fa.parallel.

``parallel_analysis(simulation="wishart")`` (the default) draws each simulated correlation matrix from the
Wishart distribution of the centred cross-products of n standard-normal rows, instead of simulating the
n x p data set (``simulation="data"``, psych's way). The two have the same distribution; these tests check
it where it shows: the quantiles of every simulated eigenvalue (components and one-factor minres factors).

Quantiles are compared by proportion: with F the first sample's CDF and q_B the q-quantile of the second,
F(q_B) is q up to Monte Carlo error with variance q(1 - q)(1/n_A + 1/n_B); |z| < 4.5 for every eigenvalue
and q in {0.05, 0.5, 0.95} (over ~100 comparisons a false alarm has probability ~1e-3).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from toolkit.factor import parallel_analysis
from toolkit.factor.dimensionality import (
    _normal_data_correlations,
    _resampled_correlations,
    _sim_fa_values,
    _wishart_correlations,
)
from toolkit._numerics import pairwise_corr

from .conftest import REF, load_ref

QUANTILES = (0.05, 0.5, 0.95)


def _eigen(rs):
    return np.linalg.eigvalsh(rs)[:, ::-1], _sim_fa_values(rs, "minres")


def _quantile_z(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """z of F_a(quantile_q(b)) - q for each column and q (rows: QUANTILES)."""
    out = []
    for q in QUANTILES:
        qb = np.quantile(b, q, axis=0)
        share = (a < qb).mean(axis=0)
        out.append((share - q) / np.sqrt(q * (1 - q) * (1 / len(a) + 1 / len(b))))
    return np.array(out)


@pytest.mark.parametrize("n", [25, 300])
def test_wishart_and_data_routes_give_the_same_correlation_distribution(n):
    """20,000 sets of each route, 10 items: every eigenvalue's 5%, 50% and 95% quantiles and its mean agree,
    and so do the quantiles of each correlation (the Monte Carlo error of a quantile's share is ~0.002: a
    shift of 0.01, e.g. one degree of freedom too many at n = 25, fails). The factor eigenvalues are a
    function of the correlation matrix, so they follow (checked against psych below)."""
    p, sets = 10, 20_000
    r_w = _wishart_correlations(np.random.default_rng(1), sets, n, p)
    r_d = _normal_data_correlations(np.random.default_rng(2), sets, n, p)
    pc_w, pc_d = np.linalg.eigvalsh(r_w)[:, ::-1], np.linalg.eigvalsh(r_d)[:, ::-1]
    assert np.abs(_quantile_z(pc_w, pc_d)).max() < 4.5
    se = np.sqrt(pc_w.var(axis=0) / sets + pc_d.var(axis=0) / sets)
    assert np.abs((pc_w.mean(axis=0) - pc_d.mean(axis=0)) / se).max() < 4.5
    low = np.tril_indices(p, -1)
    assert np.abs(_quantile_z(r_w[:, low[0], low[1]], r_d[:, low[0], low[1]])).max() < 4.5
    np.testing.assert_allclose(np.diagonal(r_w, axis1=1, axis2=2), 1.0, atol=1e-14)


def test_one_degree_of_freedom_off_would_be_seen():
    """The comparison above can fail: Wishart draws with n rather than n - 1 degrees of freedom differ."""
    p, sets, n = 10, 20_000, 25
    pc_wrong = np.linalg.eigvalsh(_wishart_correlations(np.random.default_rng(1), sets, n + 1, p))
    pc_d = np.linalg.eigvalsh(_normal_data_correlations(np.random.default_rng(2), sets, n, p))
    assert np.abs(_quantile_z(pc_wrong, pc_d)).max() > 4.5


@pytest.mark.parametrize("case", ["n25", "n300"])
def test_wishart_route_matches_psych_fa_parallel(case):
    """R: fa.parallel(x, n.iter = 1000) on parallel_data_<n>.csv (make_parallel_reference.R): its 1,000
    simulated sets against 600 of ours, quantile by quantile, components and one-factor minres factors
    (psych's fa.sim); the observed eigenvalues (1e-10; the factor ones 1e-4, an iterative fit: on 25 rows
    psych's L-BFGS-B stops 2e-6 short of the minres optimum)."""
    ref = load_ref("parallel_simulated.json")["cases"][case]
    n, p = ref["n"], ref["p"]
    pc_r, fa_r = np.array(ref["pc_sim"]), np.array(ref["fa_sim"])
    assert pc_r.shape == (1000, p)
    pc_w, fa_w = _eigen(_wishart_correlations(np.random.default_rng(3), 600, n, p))
    assert np.abs(_quantile_z(pc_w, pc_r)).max() < 4.5
    assert np.abs(_quantile_z(fa_w, fa_r)).max() < 4.5
    x = pd.read_csv(REF / f"parallel_data_{n}.csv")
    pa = parallel_analysis(x, n_iter=200, seed=4, resample=False)
    np.testing.assert_allclose(pa.table["pc_observed"], ref["pc_values"], atol=1e-10)
    np.testing.assert_allclose(pa.table["fa_observed"], ref["fa_values"], atol=1e-4)
    # the table's 95% quantiles against psych's, within the same Monte Carlo error
    for ours, theirs in (("pc_sim_q", pc_r), ("fa_sim_q", fa_r)):
        share = (theirs < pa.table[ours].to_numpy()).mean(axis=0)
        assert np.abs((share - 0.95) / np.sqrt(0.95 * 0.05 * (1 / 1000 + 1 / 200))).max() < 4.5
    assert pa.simulation == "wishart" and any("Wishart" in note for note in pa.notes)


def test_data_route_is_the_documented_simulation():
    """simulation="data": the correlations of rng.standard_normal((n_iter, n, p)), built in row blocks."""
    n, p, sets = 5000, 6, 3
    got = _normal_data_correlations(np.random.default_rng(9), sets, n, p)
    z = np.random.default_rng(9).standard_normal((sets, n, p))
    want = np.array([np.corrcoef(s, rowvar=False) for s in z])
    np.testing.assert_allclose(got, want, atol=1e-12)


@pytest.mark.parametrize("missing", [0.0, 0.05])
def test_resampled_sets_are_the_documented_resamples(missing):
    """resample=True: each column resampled with rng.integers(0, n, size=(n, p)); pairwise correlations."""
    rng = np.random.default_rng(0)
    a = rng.normal(size=(7000, 5)) + rng.normal(size=(7000, 1))
    a[rng.random(a.shape) < missing] = np.nan
    got = _resampled_correlations(np.random.default_rng(6), a, 2)
    draws = np.random.default_rng(6)
    for r in got:
        idx = draws.integers(0, a.shape[0], size=a.shape)
        np.testing.assert_allclose(r, pairwise_corr(np.take_along_axis(a, idx, axis=0)), atol=1e-12)


def test_simulation_choice():
    x = pd.read_csv(REF / "parallel_data_25.csv")
    with pytest.raises(ValueError, match=r"The 'simulation' parameter of parallel_analysis\(\) must be one of "
                                         r"'wishart', 'data'"):
        parallel_analysis(x, simulation="bootstrap")
    data = parallel_analysis(x, n_iter=5, seed=1, simulation="data")
    assert data.simulation == "data" and any("simulated and correlated" in note for note in data.notes)
    # fewer rows than items + 1: no Wishart draw of full rank, so the data route is used
    small = parallel_analysis(x.iloc[:8], n_iter=5, seed=1, resample=False)
    assert small.simulation == "data"
