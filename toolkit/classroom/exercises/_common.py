"""Small pieces the exercises share: row labels, factor-model items, alpha from a covariance matrix, the toolkit's
alpha."""

from __future__ import annotations

import numpy as np
import pandas as pd


def labels(prefix: str, n: int, name: str) -> pd.Index:
    """``prefix01``, ``prefix02``, ... as a named text index."""
    width = max(2, len(str(n)))
    return pd.Index([f"{prefix}{i:0{width}d}" for i in range(1, n + 1)], name=name, dtype=object)


def factor_items(rand, n: int, corr: tuple, loading: tuple, label=int):
    """Two or three factors of four or five 5-point items each, the items shuffled: what the factor exercises read.

    The factors correlate ``rand.uniform(*corr)``; each item loads ``rand.uniform(*loading)`` on its factor and has
    an intercept drawn from N(0, 0.2). Returns ``(data, items, factor, truth)``: the ``n`` x k frame (items
    ``i01`` ...), the item names, each item's factor number, and ``truth`` (``n_factors``, ``factor``: item ->
    ``label(factor number)``, ``loadings``, ``factor_corr``, ``intercepts``).
    """
    from ..simulation import latent_factors, likert_items

    m = rand.choice([2, 3])
    per = rand.integers(4, 6)
    k = m * per
    r = rand.uniform(*corr)
    factor = np.repeat(np.arange(m), per)[rand.permutation(k)]
    loadings = rand.uniform(*loading, k)
    intercepts = rand.normal(0.0, 0.2, k)
    x = likert_items(rand, latent_factors(rand, n, r), loadings, points=5, factor=factor.tolist(),
                     intercepts=intercepts)
    items = [f"i{j:02d}" for j in range(1, k + 1)]
    data = pd.DataFrame(x, columns=items, index=labels("r", n, "respondent"))
    truth = {"n_factors": m, "factor": {it: label(int(f)) for it, f in zip(items, factor)},
             "loadings": loadings.tolist(), "factor_corr": r, "intercepts": intercepts.tolist()}
    return data, items, factor, truth


def alpha_from(C: np.ndarray) -> float:
    """Cronbach's alpha from a covariance (or correlation) matrix."""
    C = np.asarray(C, dtype=float)
    k = C.shape[0]
    return k / (k - 1) * (1 - np.trace(C) / C.sum())


def toolkit_alpha(frame: pd.DataFrame):
    """``toolkit.cronbach_alpha`` of complete item data (the value every alpha check expects)."""
    from ...reliability_stats import cronbach_alpha

    return cronbach_alpha(frame)


def spearman_brown(rho: float, factor: float) -> float:
    """Reliability of a test ``factor`` times as long: n·rho / (1 + (n - 1)·rho)."""
    return factor * rho / (1 + (factor - 1) * rho)


def length_factor(rho: float, target: float) -> float:
    """The length factor n that takes reliability ``rho`` to ``target`` (Spearman-Brown solved for n)."""
    return target * (1 - rho) / (rho * (1 - target))
