"""Bootstrap intervals: seeded, reproducible, equal to a naive resampling loop on the same draws.

They cannot equal R's draws (psych::alpha(x, n.iter = 1000)$boot.ci uses R's RNG); psych's boot.ci is the
percentile interval of raw alpha over resampled rows, which is what ``boot_low``/``boot_high`` are.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from toolkit.reliability_stats import _core, cronbach_alpha
from toolkit.reliability_stats._boot import bca_ci, bootstrap_alpha, percentile_ci

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


@pytest.mark.parametrize("missing", [0.0, 0.1])
def test_resampling_equals_naive_loop(missing):
    X = _data(missing=missing)
    boot, jack = bootstrap_alpha(X, 50, seed=7, chunk=13)
    idx = np.random.default_rng(7).integers(0, X.shape[0], size=(50, X.shape[0]))
    naive = np.array([_naive_alpha(X[i]) for i in idx])
    np.testing.assert_allclose(boot, naive, atol=1e-10)
    naive_jack = np.array([_naive_alpha(np.delete(X, i, axis=0)) for i in range(X.shape[0])])
    np.testing.assert_allclose(jack, naive_jack, atol=1e-10)


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


def test_row_blocks_give_the_same_values(monkeypatch):
    """Large data are processed in row blocks (bounded memory): same numbers as one block."""
    import toolkit.reliability_stats._boot as boot_mod

    X = _data(n=500, missing=0.05)
    one = bootstrap_alpha(X, 40, seed=2)
    monkeypatch.setattr(boot_mod, "_BLOCK_ELEMENTS", 3000)
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
    draws = np.random.default_rng(4)
    for b in range(5):
        w = np.bincount(draws.integers(0, 300, size=300), minlength=300)
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
