"""The scaling series: one task per analysis, its input for n rows, and the call that is timed.

Each task is ``make(n) -> input`` (seeded; the input's size in bytes is what memory is measured
against) and ``call(input)``. ``_run_case.py`` runs one task in a fresh process.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

SIZES = (1_000, 10_000, 100_000, 1_000_000)


def wai36(n: int, seed: int = 1) -> pd.DataFrame:
    """n WAI-36 administrations, answers 1..7 with 1% missing cells (the scoring benchmark's data)."""
    rng = np.random.default_rng(seed)
    x = rng.integers(1, 8, size=(n, 36)).astype(np.float64)
    x[rng.random(x.shape) < 0.01] = np.nan
    return pd.DataFrame(x, columns=[f"wai36_{k:02d}" for k in range(1, 37)])


def likert(n: int, k: int = 12, seed: int = 1) -> pd.DataFrame:
    """One-factor 5-point items, complete (the reliability benchmark's data)."""
    rng = np.random.default_rng(seed)
    f = rng.normal(size=(n, 1))
    x = np.clip(np.round(3 + 0.9 * f + rng.normal(size=(n, k))), 1, 5)
    return pd.DataFrame(x, columns=[f"q{i + 1}" for i in range(k)])


def factors(n: int, p: int = 12, k: int = 3, categories: int | None = None, seed: int = 1) -> pd.DataFrame:
    """p items loading on k factors (0.5-0.8), continuous or cut into ``categories`` ordered codes."""
    rng = np.random.default_rng(seed)
    lam = np.zeros((p, k))
    for j in range(p):
        lam[j, j % k] = rng.uniform(0.5, 0.8)
    x = rng.normal(size=(n, k)) @ lam.T + rng.normal(size=(n, p)) * np.sqrt(1 - (lam**2).sum(1))
    if categories:
        cuts = np.quantile(x, np.linspace(0, 1, categories + 1)[1:-1], axis=0)
        x = np.stack([np.searchsorted(cuts[:, j], x[:, j]) + 1 for j in range(p)], axis=1).astype(float)
    return pd.DataFrame(x, columns=[f"i{j + 1:02d}" for j in range(p)])


def _score(df):
    import toolkit
    from toolkit.scoring.whole import without_loading

    # a fresh process's calls: the numpy route (the series' later runs would otherwise load numba beside them;
    # bench_scoring.py times the compiled route)
    with without_loading():
        toolkit.score(df, "wai36")


def _alpha_boot(df):
    from toolkit.reliability_stats import cronbach_alpha

    cronbach_alpha(df, n_boot=1000, seed=1)


def _pa_normal(df):
    from toolkit.factor import parallel_analysis

    parallel_analysis(df, n_iter=100, seed=0, resample=False)


def _pa_both(df):
    from toolkit.factor import parallel_analysis

    parallel_analysis(df, n_iter=100, seed=0)


def _polychoric(df):
    from toolkit.factor import polychoric

    polychoric(df)


#: task -> (what is timed, make, call)
TASKS = {
    "score": ("toolkit.score, WAI-36 (36 items, 1% missing)", wai36, _score),
    "alpha_boot": ("cronbach_alpha, 12 items, 1,000 bootstrap resamples (percentile + BCa)", likert, _alpha_boot),
    "pa_normal": ("parallel_analysis, 12 items, 100 normal-theory sets (resample=False)", factors, _pa_normal),
    "pa_resample": ("parallel_analysis, 12 items, 100 normal + 100 resampled sets (psych's default)", factors,
                    _pa_both),
    "polychoric": ("polychoric, 12 items with 5 categories", lambda n: factors(n, categories=5), _polychoric),
}
