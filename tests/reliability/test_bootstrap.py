"""Bootstrap intervals: seeded, reproducible, equal to a naive resampling loop on the same draws.

They cannot equal R's draws (psych::alpha(x, n.iter = 1000)$boot.ci uses R's RNG); psych's boot.ci is the
percentile interval of raw alpha over resampled rows, which is what ``boot_low``/``boot_high`` are.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from toolkit.reliability_stats import _core, cronbach_alpha
from toolkit.reliability_stats._boot import Resamples, bca_ci, bootstrap_alpha, dense_counts, percentile_ci

from ._refs import bfi


def _naive_alpha(X):
    C, _ = _core.pairwise_cov(X)
    return _core.alpha_stats(C)["raw_alpha"]


def _data(n=80, k=5, seed=0, missing=0.0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 1)) + rng.normal(size=(n, k))
    if missing:
        X[rng.random(X.shape) < missing] = np.nan
    return X


@pytest.mark.parametrize("missing", [0.0, 0.1, 0.4])  # 0.4: the missing-cell features are multiplied densely
def test_resampling_equals_naive_loop(missing):
    X = _data(missing=missing)
    boot, jack = bootstrap_alpha(X, 50, seed=7)
    counts = dense_counts(X.shape[0], 50, seed=7)  # the counts refer to the rows in their own order
    naive = np.array([_naive_alpha(np.repeat(X, w, axis=0)) for w in counts])
    np.testing.assert_allclose(boot, naive, atol=1e-10)
    naive_jack = np.array([_naive_alpha(np.delete(X, i, axis=0)) for i in range(X.shape[0])])
    np.testing.assert_allclose(jack, naive_jack, atol=1e-10)


@pytest.mark.parametrize("missing", [0.0, 0.05])
def test_resampling_in_blocks_equals_naive_loop(missing):
    """Above 2**14 rows the counts come block by block, summed by two threads: still the resamples' alphas."""
    X = _data(n=40_000, k=4, seed=1, missing=missing)
    boot, _ = bootstrap_alpha(X, 20, seed=3, jackknife=False)
    counts = dense_counts(X.shape[0], 20, seed=3)
    naive = np.array([_naive_alpha(np.repeat(X, w, axis=0)) for w in counts])
    np.testing.assert_allclose(boot, naive, atol=1e-10)


def test_resample_counts_are_multinomial():
    """Every resample draws n rows; over resamples each row is drawn Binomial(n, 1/n) times (mean 1, variance
    1 - 1/n); the blocks' shares follow their sizes; the draws are seeded and do not depend on n_boot."""
    n, n_boot = 40_000, 64  # three blocks: 16,384 + 16,384 + 7,232 rows
    w = dense_counts(n, n_boot, seed=11)
    assert (w.sum(axis=1) == n).all()
    assert abs(w.mean() - 1) < 1e-12
    # variance of the counts: 1 - 1/n, estimated from 2.56M counts (sd of the estimate ~ 0.001)
    assert abs(w.var() - (1 - 1 / n)) < 0.005
    # P(count = c) for Binomial(n, 1/n) ~ Poisson(1): 0.368, 0.368, 0.184, 0.061
    share = np.bincount(w.ravel(), minlength=4)[:4] / w.size
    np.testing.assert_allclose(share, [0.3679, 0.3679, 0.1839, 0.0613], atol=0.002)
    # the last (small) block gets its share of the draws
    small = w[:, 32_768:].sum(axis=1)
    assert abs(small.mean() - 7_232) < 4 * np.sqrt(7_232 / n_boot)
    np.testing.assert_array_equal(w, dense_counts(n, n_boot, seed=11))
    np.testing.assert_array_equal(w[:20], dense_counts(n, 20, seed=11))
    assert not np.array_equal(w, dense_counts(n, n_boot, seed=12))


def test_resample_blocks_must_be_drawn_in_order():
    draws = Resamples(40_000, 40, seed=1)
    draws.counts(0, 0, 5)
    with pytest.raises(RuntimeError, match="block 0: resample 6 asked for before resample 5"):
        draws.counts(0, 6, 8)


def test_grouped_jackknife_is_close_to_exact():
    """n = 60,000 x 6, 1,000 resamples: BCa limits with the grouped (delete-d) jackknife that BCa uses above
    20,000 rows (20,000 random groups of 3 rows) against the exact leave-one-out jackknife. The acceleration
    a is about skew / (6 sqrt(n)) = O(1e-4) here; grouping changes it by O(1 / groups) and moves the BCa
    quantiles by about (z0 + z)^2 phi(z) x that, i.e. the limits by < 1e-5 (the interval is 0.01 wide)."""
    rng = np.random.default_rng(5)
    X = np.clip(np.round(3 + 0.8 * rng.normal(size=(60_000, 1)) + rng.normal(size=(60_000, 6))), 1, 5)
    theta = _naive_alpha(X)
    boot, jack_grouped = bootstrap_alpha(X, 1000, seed=2)
    assert jack_grouped.shape == (20_000,)
    _, jack_exact = bootstrap_alpha(X, 1, seed=2, jack_groups=X.shape[0])
    assert jack_exact.shape == (60_000,)

    def accel(j):
        d = j.mean() - j
        return np.sum(d**3) / (6 * np.sum(d**2) ** 1.5)

    assert abs(accel(jack_grouped) - accel(jack_exact)) < 1e-4
    exact, grouped = bca_ci(boot, theta, jack_exact), bca_ci(boot, theta, jack_grouped)
    np.testing.assert_allclose(grouped, exact, atol=1e-5)
    assert exact[1] - exact[0] > 0.005


def test_sparse_features_of_missing_cells():
    """The sparse features (u_j, u_j u_l, x_j u_l) equal their dense definition, with few and many missing."""
    from toolkit.reliability_stats._boot import _Features

    for share in (0.02, 0.4):
        X = _data(n=400, k=6, seed=9, missing=share)
        X = X[~np.isnan(X).all(axis=1)]
        f = _Features(X)
        rows = slice(50, 350)
        m = ~np.isnan(X[rows])
        u = (~m).astype(float)
        x = np.where(m, X[rows] - f.mean, 0.0)
        dense = np.concatenate([u, u[:, f.j] * u[:, f.jl], (x[:, :, None] * u[:, None, :]).reshape(len(x), -1)],
                               axis=1)
        np.testing.assert_array_equal(f.sparse(rows).toarray(), dense)


def test_grouped_jackknife_with_missing_cells(monkeypatch):
    """The grouped jackknife on pairwise data: group values equal alphas without the group's rows."""
    X = _data(n=300, k=4, seed=4, missing=0.1)
    _, jack = bootstrap_alpha(X, 1, seed=8, jack_groups=25)
    label = np.empty(300, dtype=int)
    label[Resamples(300, 1, seed=8).aux.permutation(300)] = np.arange(300) * 25 // 300
    naive = np.array([_naive_alpha(X[label != g]) for g in range(25)])
    np.testing.assert_allclose(jack, naive, atol=1e-10)


def test_seeded_and_reproducible():
    df = bfi()[["A2", "A3", "A4", "A5"]]
    a = cronbach_alpha(df, n_boot=300, seed=11).total.iloc[0]
    b = cronbach_alpha(df, n_boot=300, seed=11).total.iloc[0]
    c = cronbach_alpha(df, n_boot=300, seed=12).total.iloc[0]
    cols = ["boot_low", "boot_high", "bca_low", "bca_high"]
    assert a[cols].tolist() == b[cols].tolist()
    assert a[cols].tolist() != c[cols].tolist()


def test_intervals_are_sane_and_close_to_feldt():
    """With 2,800 respondents the bootstrap intervals bracket alpha and lie near Feldt's analytic interval."""
    t = cronbach_alpha(bfi()[["A2", "A3", "A4", "A5"]], n_boot=1000, seed=1).total.iloc[0]
    for lo, hi in (("boot_low", "boot_high"), ("bca_low", "bca_high"), ("feldt_low", "feldt_high")):
        assert t[lo] < t["alpha"] < t[hi]
        assert abs(t[lo] - t["feldt_low"]) < 0.02 and abs(t[hi] - t["feldt_high"]) < 0.02


def test_bca_reduces_to_percentile_without_bias_or_acceleration():
    boot = np.linspace(0.5, 0.9, 1001)
    theta = float(np.median(boot))
    jack = np.full(10, 0.7)  # no spread: acceleration 0
    assert bca_ci(boot, theta, jack) == pytest.approx(percentile_ci(boot), abs=1e-12)


def test_percentile_is_type7_quantile():
    """R: quantile(boot, c(.025, .975)) (type 7), as psych::alpha's boot.ci."""
    boot = np.arange(1, 11, dtype=float)
    assert percentile_ci(boot, 0.9) == pytest.approx((1.45, 9.55))


def test_bootstrap_rows_with_missing_use_pairwise_alpha():
    df = pd.DataFrame(_data(n=200, missing=0.1), columns=list("abcde"))
    t = cronbach_alpha(df, n_boot=200, seed=3).total.iloc[0]
    assert t["boot_low"] < t["alpha"] < t["boot_high"]


def test_feature_pieces_give_the_same_values(monkeypatch):
    """Features are built in pieces (bounded memory): same numbers as in one piece."""
    import toolkit.reliability_stats._boot as boot_mod

    X = _data(n=500, missing=0.05)
    one = bootstrap_alpha(X, 40, seed=2)
    monkeypatch.setattr(boot_mod, "_FEATURE_ELEMENTS", 3000)
    many = bootstrap_alpha(X, 40, seed=2)
    np.testing.assert_allclose(one[0], many[0], atol=1e-12)
    np.testing.assert_allclose(one[1], many[1], atol=1e-12)


def test_omega_cfa_bootstrap_warm_start_equals_full_fit():
    """Each resample's warm-started CFA gives the omega a cold, polished fit of the same resample gives."""
    from toolkit.factor.congeneric import fit_congeneric
    from toolkit.reliability_stats.omega import _bootstrap_omega, _omega_from_fit

    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 1)) @ np.array([[0.8, 0.7, 0.6, 0.5, 0.6]]) + rng.normal(scale=0.6, size=(300, 5))
    groups = [np.arange(5)]
    fit = fit_congeneric(np.cov(X, rowvar=False, ddof=0), groups)
    boot = _bootstrap_omega(X, groups, fit, 5, seed=4)
    for b, w in enumerate(dense_counts(300, 5, seed=4)):  # the alpha bootstrap's draws
        Xb = np.repeat(X, w, axis=0)
        S = np.cov(Xb, rowvar=False, ddof=0)
        assert boot[b] == pytest.approx(_omega_from_fit(fit_congeneric(S, groups), S), abs=1e-6)


def test_omega_cfa_interval_in_the_table():
    from toolkit.reliability_stats import reliability

    from ._refs import wai_sr

    a = reliability(wai_sr(), "wai-sr", n_boot=0, omega_boot=10, seed=5).table
    b = reliability(wai_sr(), "wai-sr", n_boot=0, omega_boot=10, seed=5).table
    assert a["omega_cfa_low"].tolist() == b["omega_cfa_low"].tolist()
    assert (a["omega_cfa_low"] < a["omega_cfa"]).all() and (a["omega_cfa"] < a["omega_cfa_high"]).all()
