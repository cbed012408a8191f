"""Scores exact at the resolution of their scale, so that a cut-off is never decided by float noise.

The lines of the ORS and SRS are measured to 0.1 cm. In binary floating point 0.1 has no exact value:
``2.3 + 2.2 + 2.2 + 2.2`` is ``8.899999999999999`` and a change from 8.9 to 13.9 computes as
``4.999999999999998``, below the reliable-change value of 5. Every score of such a scale is a multiple of a
known fraction, though: a sum of answers measured to ``1/q`` is a multiple of ``1/q``; a mean (or a prorated
sum) of ``a`` of ``k`` answers a multiple of ``1/(q * a)`` and so of ``1/(q * lcm(1..k))``. Rounding a
computed score to the nearest multiple of that grid, ``rint(x * D) / D``, gives back the exact score (the
float nearest to it), because the float noise is many orders of magnitude smaller than the grid step. Then
``35.6`` is written as ``35.6``, a total of exactly 25 is not "below 25", and a change of exactly 5 is 5.
Answers recorded finer than the scale's resolution (two decimals) make the grid finer (:func:`data_unit`);
answers that are no decimal fraction at all (a third) leave the scores as computed.
"""

from __future__ import annotations

import functools
import math
from fractions import Fraction

import numpy as np

__all__ = ["scale_unit", "data_unit", "score_grid", "snap", "pomp"]

_MAX_UNIT = 10**6
_MAX_EXACT = 2.0**52


def _fraction(value: float) -> Fraction:
    return Fraction(repr(float(value)))  # the decimal a person wrote: 0.1 -> 1/10


def scale_unit(scale) -> int | None:
    """``q`` such that every value of the scale times ``q`` is a whole number, or None.

    10 for a 0-10 line measured to 0.1; 1 for points 1..5; 2 for steps of 0.5. None for a continuous
    scale without a resolution (any value may occur).

    Examples
    --------
    >>> from toolkit import load_instrument
    >>> scale_unit(load_instrument("ors").scale_for()), scale_unit(load_instrument("wai-sr").scale_for())
    (10, 1)
    """
    if scale.type == "continuous":
        if scale.resolution is None:
            return None
        return _unit(float(scale.min), float(scale.max), float(scale.resolution))
    return _unit(float(scale.min), float(scale.max), float(scale.effective_step))


@functools.lru_cache(maxsize=256)
def _unit(*parts: float) -> int | None:
    q = 1
    for v in parts:
        q = math.lcm(q, _fraction(v).denominator)
        if q > _MAX_UNIT:
            return None
    return q


def data_unit(values: np.ndarray, largest_power: int = 6) -> int | None:
    """The smallest ``10 ** p`` (``p <= largest_power``) that makes every answer a whole number, or None.

    Answers are usually measured at the scale's resolution; some services record finer (two decimals of a
    line). Their scores are exact at the finer resolution of the data.

    Examples
    --------
    >>> data_unit(np.array([[2.3, 5.0], [np.nan, 3.75]])), data_unit(np.array([[1.0, 2.0]]))
    (100, 1)
    """
    if _whole(values):  # the usual case, told in one pass without copying the finite cells out
        return 1
    flat = np.asarray(values, dtype=np.float64).ravel(order="K")
    for p in range(largest_power + 1):  # chunk by chunk; a chunk that needs a finer unit ends this pass
        if all(_multiples(flat[start:start + _CHUNK], 10**p) for start in range(0, flat.size, _CHUNK)):
            return 10**p
    return None


def _multiples(x: np.ndarray, scale: int) -> bool:
    """Whether every finite cell of ``x * scale`` is within 1e-9 (relative, at least absolute) of a whole
    number; missing and infinite cells are skipped (their comparisons are False)."""
    scaled = x * scale
    d = np.rint(scaled)
    with np.errstate(invalid="ignore"):
        np.subtract(scaled, d, out=d)
        np.abs(d, out=d)
        np.abs(scaled, out=scaled)
        np.maximum(scaled, 1.0, out=scaled)
        scaled *= 1e-9
        return not np.any(d > scaled)


_CHUNK = 1 << 15  # cells per pass of :func:`_whole` (256 KB of float64)


def _whole(values: np.ndarray) -> bool:
    """Whether every finite cell is a whole number (missing and infinite cells are skipped: ``fmax`` ignores
    the NaN their difference gives), in chunks taken in memory order."""
    flat = np.asarray(values, dtype=np.float64).ravel(order="K")
    for start in range(0, flat.size, _CHUNK):
        x = flat[start:start + _CHUNK]
        d = np.rint(x)
        with np.errstate(invalid="ignore"):  # inf - inf
            np.subtract(x, d, out=d)
        if np.fmax.reduce(np.abs(d, out=d)) > 0:
            return False
    return True


@functools.lru_cache(maxsize=256)
def score_grid(unit: int | None, n_items: int, largest: float) -> int | None:
    """``D`` such that every score over ``n_items`` answers (sum, mean or prorated) is a multiple of ``1/D``.

    None when there is no unit, or when ``D * largest`` would leave the range in which floats are exact.
    """
    if unit is None or n_items < 1:
        return None
    grid = unit * math.lcm(*range(1, n_items + 1)) * n_items
    if grid * max(abs(largest), 1.0) >= _MAX_EXACT:
        return None
    return grid


def snap(values: np.ndarray, grid: int | None) -> np.ndarray:
    """``values`` rounded to the nearest multiple of ``1/grid`` (NaN stays NaN); unchanged without a grid."""
    if grid is None:
        return values
    with np.errstate(invalid="ignore"):
        return np.rint(values * grid) / grid


def pomp(mean: np.ndarray, low: float, high: float, grid: int | None) -> np.ndarray:
    """Percent of maximum possible, ``100 * (mean - low) / (high - low)``, exact for means on ``grid``.

    With ``m = mean * grid`` a whole number, the percentage is one division of two whole numbers,
    ``100 * (m - low * grid) / ((high - low) * grid)``, so it is the float nearest to the exact value.
    """
    if grid is None:
        return 100.0 * (mean - low) / (high - low)
    low_g, range_g = low * grid, (high - low) * grid
    if not (float(low_g).is_integer() and float(range_g).is_integer() and 100 * abs(range_g) < _MAX_EXACT):
        return 100.0 * (mean - low) / (high - low)
    with np.errstate(invalid="ignore"):
        m = np.rint(mean * grid)
        return (100.0 * (m - low_g)) / range_g
