"""Random numbers that are the same on every machine and with every numpy version: :class:`StableRandom`.

A student's data set must be the same on the student's laptop, on the course's hub and on the teacher's
machine, this year and next, whatever numpy they have installed. numpy promises no such thing for its
``Generator`` methods: its compatibility policy guarantees the same stream only "on the same build of numpy,
in the same environment, on the same machine" (NEP 19 relaxed the old cross-version promise). So the
classroom data sets do not draw from numpy at all:

1. **Bits.** The key (the exercise, the course and the student's id) is hashed with SHA-256; block *i* of
   the stream is ``BLAKE2b(i as 8 little-endian bytes, key=that hash)``, 64 bytes = eight 64-bit words.
   Both hashes are fixed by their standards (FIPS 180-4, RFC 7693) and come with every Python.
2. **Uniforms.** The top 52 bits *m* of a word give ``u = (m + 0.5) / 2**52``: exact in binary floating point,
   never 0 or 1.
3. **Normals.** ``statistics.NormalDist().inv_cdf(u)`` (Wichura's AS 241 algorithm, in every Python >= 3.8).
   Its last bit can depend on the platform's ``log``; every data set is then rounded (to whole answers on a
   response scale, or to 0.1 for ratings), so a different last bit could change a value only if it lay
   within about 1e-15 of a rounding boundary.
4. **The model** is evaluated with element-wise arithmetic only (``+ - * / sqrt``, exactly rounded by IEEE
   754 on every machine), never with a matrix product whose summation order depends on the BLAS.

``tests/classroom/test_data.py`` stores fingerprints of data sets for fixed ids and fails if any of this
changes.
"""

from __future__ import annotations

import hashlib
import math
from statistics import NormalDist

import numpy as np

__all__ = ["StableRandom", "derive_seed", "normalise_id"]

_STANDARD_NORMAL = NormalDist()


def normalise_id(student_id, *, param: str = "student_id", caller: str | None = None) -> str:
    """A student id as the text that seeds the data: surrounding spaces removed, letters case-folded.

    A student number may be typed as ``123456``, ``"123456"`` or ``" 123456 "``: all give the same data set.
    ``"AB12"`` and ``"ab12"`` give the same data set too.

    >>> normalise_id(" AB12 "), normalise_id(123456)
    ('ab12', '123456')
    """
    from ..exceptions import InvalidParameterError

    where = f" of {caller}()" if caller else ""
    if isinstance(student_id, bool) or not isinstance(student_id, (str, int, np.integer)):
        raise InvalidParameterError(
            f"The {param!r} parameter{where} must be your student number or id, as text or a whole number "
            f"(for example '2026123'); got {student_id!r} (a {type(student_id).__name__}).")
    text = str(int(student_id)) if not isinstance(student_id, str) else student_id.strip().casefold()
    if not text:
        raise InvalidParameterError(
            f"The {param!r} parameter{where} is empty; put your student number in it, for example '2026123'.")
    return text


def _key_bytes(parts) -> bytes:
    return hashlib.sha256("\x1f".join(str(p) for p in parts).encode("utf-8")).digest()


def derive_seed(*parts) -> int:
    """A 63-bit integer from text parts (the same on every machine), e.g. for ``numpy.random.default_rng``.

    >>> derive_seed("alpha_and_omega", "", "123456") == derive_seed("alpha_and_omega", "", "123456")
    True
    """
    return int.from_bytes(_key_bytes(parts)[:8], "little") >> 1


class StableRandom:
    """A stream of random numbers fixed by its key alone (see the module docstring for how).

    Parameters
    ----------
    *key : str
        The parts that name the stream, e.g. ``("classroom", "alpha_by_hand", course, student_id)``.

    Notes
    -----
    The methods used by :func:`toolkit.samples.model.draw_items` (``standard_normal``, ``normal``,
    ``uniform``) are provided with numpy's signatures, so the documented simulator's building blocks can
    draw from this stream.

    Examples
    --------
    >>> a, b = StableRandom("demo", "1"), StableRandom("demo", "1")
    >>> bool((a.standard_normal(5) == b.standard_normal(5)).all())
    True
    >>> float(StableRandom("demo", "1").random(1)[0])
    0.450030977264411
    """

    def __init__(self, *key):
        self._key = _key_bytes(key)
        self._block = 0

    def _words(self, n: int) -> np.ndarray:
        blocks = []
        for _ in range(-(-n // 8)):
            blocks.append(hashlib.blake2b(self._block.to_bytes(8, "little"), key=self._key, digest_size=64).digest())
            self._block += 1
        return np.frombuffer(b"".join(blocks), dtype="<u8")[:n]

    @staticmethod
    def _count(size) -> tuple[int, tuple]:
        shape = () if size is None else (tuple(size) if isinstance(size, tuple) else (int(size),))
        return math.prod(shape), shape

    def random(self, size=None):
        """Uniform numbers in the open interval (0, 1)."""
        n, shape = self._count(size)
        m = (self._words(max(n, 1)) >> np.uint64(12)).astype(np.float64)
        u = (m + 0.5) * 2.0**-52
        return u.reshape(shape) if shape else float(u[0])

    def uniform(self, low=0.0, high=1.0, size=None):
        """Uniform numbers on (low, high)."""
        return low + (high - low) * self.random(size)

    def standard_normal(self, size=None):
        """Standard normal numbers, by the inverse normal distribution function."""
        n, shape = self._count(size)
        u = np.atleast_1d(self.random(max(n, 1)))
        z = np.array([_STANDARD_NORMAL.inv_cdf(float(v)) for v in u])
        return z.reshape(shape) if shape else float(z[0])

    def normal(self, loc=0.0, scale=1.0, size=None):
        """Normal numbers with mean ``loc`` and standard deviation ``scale``."""
        return loc + scale * self.standard_normal(size)

    def integers(self, low: int, high: int, size=None):
        """Whole numbers from ``low`` (included) to ``high`` (excluded)."""
        u = self.random(size)
        return (low + np.floor(np.asarray(u) * (high - low))).astype(int) if size is not None else \
            int(low + math.floor(u * (high - low)))

    def permutation(self, n: int) -> np.ndarray:
        """The numbers 0 .. n-1 in random order."""
        return np.argsort(self.random(n), kind="stable")

    def choice(self, options, k: int | None = None):
        """One option (``k=None``) or ``k`` different options, in random order."""
        options = list(options)
        order = self.permutation(len(options))
        if k is None:
            return options[int(order[0])]
        return [options[int(i)] for i in order[:k]]
