"""Small pieces the exercises share: row labels, alpha from a covariance matrix, the toolkit's alpha."""

from __future__ import annotations

import numpy as np
import pandas as pd


def labels(prefix: str, n: int, name: str) -> pd.Index:
    """``prefix01``, ``prefix02``, ... as a named text index."""
    width = max(2, len(str(n)))
    return pd.Index([f"{prefix}{i:0{width}d}" for i in range(1, n + 1)], name=name, dtype=object)


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
