"""Reliability and item analysis that match R's psych and semTools.

* :func:`reliability` -- one table: alpha (raw, standardized, Feldt / bootstrap percentile / BCa intervals),
  Guttman's lambda 2 and 6, average r, S/N, SEM, split halves, omega (Schmid-Leiman and CFA) per subscale
  and for the total.
* :func:`item_analysis` -- per item: frequencies, item-total correlations, alpha if deleted, flags.
* :func:`cronbach_alpha`, :func:`split_half`, :func:`omega_cfa` -- the single statistics.
* :func:`icc`, :func:`reliable_change`, :func:`retest_reliability` -- agreement and stability.

Every statistic over items takes ``(data, instrument=None, *, keys=None, form=None, ...)``: an instrument id
such as ``"wai-sr"`` (its key gives the items, subscales and reversed items) or psych-style ``keys``. Results
follow the toolkit's one contract (:class:`toolkit._results.Result`): declared fields, ``title``, ``notes``,
``summary()``, ``to_frame()`` and an escaped notebook display; ``split_half``, ``omega_cfa`` and
``retest_reliability`` return plain DataFrames because their table is the whole answer.

The one-call function is ``toolkit.reliability`` (this package is ``toolkit.reliability_stats``, so the
two names never collide: one name, one thing).

>>> import toolkit
>>> toolkit.reliability is toolkit.reliability_stats.reliability
True
"""

from .alpha import AlphaResult, cronbach_alpha
from .change import ReliableChangeResult, reliable_change, retest_reliability
from .guttman import split_half
from .intraclass import IccResult, icc
from .items import ItemAnalysis, item_analysis
from .omega import omega_cfa
from .table import ReliabilityTable, reliability

__all__ = [
    "reliability",
    "ReliabilityTable",
    "item_analysis",
    "ItemAnalysis",
    "cronbach_alpha",
    "AlphaResult",
    "split_half",
    "omega_cfa",
    "icc",
    "IccResult",
    "reliable_change",
    "ReliableChangeResult",
    "retest_reliability",
]
