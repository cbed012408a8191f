"""Scales with known true parameters, drawn from the documented simulator's measurement model.

The classroom data sets use the item model of the shipped samples (:func:`toolkit.samples.model.draw_items`:
``y* = intercept + loading * factor + sqrt(1 - loading**2) * error``, cut at the normal quantiles ``k/K`` into
the K points of the response scale, reverse-keyed items written reversed), fed with version-stable random
numbers (:class:`~toolkit.classroom.randomness.StableRandom`) so that a student's data set is the same on
every machine. :func:`simulate_scale` lets students draw their own congeneric scale.
"""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np
import pandas as pd

from ..samples.model import FACETS, draw_items
from .randomness import StableRandom

__all__ = ["latent_factors", "likert_items", "simulate_scale"]


def latent_factors(rand: StableRandom, n: int, factor_corr: float = 0.0) -> np.ndarray:
    """``n`` x 3 standard-normal factors, every pair correlated ``factor_corr`` (>= 0), element-wise only.

    ``eta_f = sqrt(r) * g + sqrt(1 - r) * z_f`` with one common normal ``g`` and independent ``z_f``.
    """
    g = rand.standard_normal(n)
    z = rand.standard_normal((n, len(FACETS)))
    return math.sqrt(factor_corr) * g[:, None] + math.sqrt(1.0 - factor_corr) * z


def likert_items(rand: StableRandom, eta: np.ndarray, loadings, *, points: int, factor=None, reverse=None,
                 intercepts=None) -> np.ndarray:
    """Answers 1..``points`` (whole numbers) to items with the given loadings on columns of ``eta``.

    Parameters
    ----------
    rand : StableRandom
        The stream the item errors are drawn from.
    eta : ndarray
        Latent factors, one row per respondent and one column per factor (:func:`latent_factors`).
    loadings : sequence of float
        Standardized loading of each item on its factor (0 <= loading < 1).
    points : int
        Number of response options; answers run from 1 to ``points``.
    factor : sequence of int, optional
        Column of ``eta`` each item loads on (default: the first for all).
    reverse : sequence of bool, optional
        Items written reversed, ``(1 + points) - answer`` (default: none).
    intercepts : sequence of float, optional
        Item locations on the latent scale (default: 0).
    """
    lam = np.asarray(loadings, dtype=float)
    k = lam.size
    params = {
        "facet": [FACETS[f] for f in (factor if factor is not None else [0] * k)],
        "loading": lam.tolist(),
        "intercept": list(intercepts) if intercepts is not None else [0.0] * k,
        "thresholds": [NormalDist().inv_cdf(c / points) for c in range(1, points)],
        "scale_min": 1, "scale_max": points, "scale_step": 1,
        "reversed": list(reverse) if reverse is not None else [False] * k,
    }
    return draw_items(eta, params, rand).astype(np.int64)


def simulate_scale(loadings, n: int = 500, *, seed=0, names=None) -> pd.DataFrame:
    """Draw answers to a one-factor (congeneric) scale with the given standardized loadings.

    The same ``seed`` gives the same numbers on every machine and numpy version (see
    :mod:`toolkit.classroom.randomness`), so a student's simulation can be checked and repeated.

    Parameters
    ----------
    loadings : sequence of float
        Standardized loading of each item, between -1 and 1; equal loadings make the items
        tau-equivalent.
    n : int, default 500
        Number of simulated respondents.
    seed : int or str, default 0
        Names the random stream (an exercise gives each student their own as ``ex.seed``).
    names : sequence of str, optional
        Column names (default ``x1``, ``x2``, ...).

    Returns
    -------
    DataFrame
        ``n`` rows, one column per item; continuous scores with variance 1 in the population, rounded to
        4 decimals.

    Raises
    ------
    toolkit.exceptions.InvalidParameterError
        A loading outside [-1, 1], fewer than two loadings, ``n`` below 2, or names that do not fit.

    See Also
    --------
    toolkit.omega_cfa : Omega of the simulated items.
    toolkit.cronbach_alpha : Alpha of the simulated items.

    Notes
    -----
    Item *j* of person *i*: :math:`x_{ij} = \\lambda_j \\eta_i + \\sqrt{1 - \\lambda_j^2}\\,\\epsilon_{ij}` with
    :math:`\\eta_i, \\epsilon_{ij}` independent standard normals. The reliability of the sum score is then
    :math:`\\omega = (\\sum_j \\lambda_j)^2 / ((\\sum_j \\lambda_j)^2 + \\sum_j (1 - \\lambda_j^2))`, and alpha in the
    population is :math:`\\frac{k}{k-1}(1 - k / \\sigma^2_X)` with :math:`\\sigma^2_X` that denominator: the two
    are equal only when all loadings are equal (tau-equivalence), otherwise alpha is lower.

    R equivalent: ``psych::sim.congeneric(loads, N = n, short = FALSE)$observed`` (same model, other random
    numbers).

    References
    ----------
    .. [1] McDonald, R. P. (1999). Test theory: A unified treatment. Erlbaum.

    Examples
    --------
    >>> from toolkit.classroom import simulate_scale
    >>> x = simulate_scale([0.8, 0.7, 0.6, 0.5], n=1000, seed=7)
    >>> x.shape, list(x.columns)
    ((1000, 4), ['x1', 'x2', 'x3', 'x4'])
    >>> bool(x.equals(simulate_scale([0.8, 0.7, 0.6, 0.5], n=1000, seed=7)))
    True
    """
    from .._checks import check_count
    from ..exceptions import InvalidParameterError

    caller = "simulate_scale"
    try:
        lam = np.asarray(loadings, dtype=float).ravel()
    except (TypeError, ValueError):
        raise InvalidParameterError(f"The 'loadings' parameter of {caller}() must be a list of numbers between -1 "
                                    f"and 1, such as [0.8, 0.7, 0.6]; got {loadings!r}.") from None
    if lam.size < 2 or not np.all(np.isfinite(lam)) or np.any(np.abs(lam) > 1):
        raise InvalidParameterError(f"The 'loadings' parameter of {caller}() must hold at least two numbers between "
                                    f"-1 and 1, such as [0.8, 0.7, 0.6]; got {loadings!r}.")
    n = check_count(n, param="n", caller=caller, minimum=2, what="simulated respondents")
    if names is None:
        names = [f"x{j}" for j in range(1, lam.size + 1)]
    names = [str(c) for c in names]
    if len(names) != lam.size or len(set(names)) != len(names):
        raise InvalidParameterError(f"The 'names' parameter of {caller}() must give {lam.size} different column "
                                    f"names, one per loading; got {len(names)} ({names!r}).")
    if isinstance(seed, bool) or not isinstance(seed, (str, int, np.integer)):
        raise InvalidParameterError(f"The 'seed' parameter of {caller}() must be a whole number or text, such as "
                                    f"ex.seed; got {seed!r}.")
    rand = StableRandom("toolkit.classroom.simulate_scale", str(seed))
    eta = rand.standard_normal(n)
    err = rand.standard_normal((n, lam.size))
    x = lam[None, :] * eta[:, None] + np.sqrt(1.0 - lam**2)[None, :] * err
    return pd.DataFrame(np.round(x, 4), columns=names)
