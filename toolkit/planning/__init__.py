"""Planning a study by simulation: how many respondents or dyads for a precise omega or a powered ICC.

:func:`plan` draws data sets of several sizes from a :class:`Population` (an instrument and its factor model),
runs the analyses of interest on each (:mod:`toolkit.planning.analyses`: omega with its interval, client-therapist
agreement), and reports power and precision curves (:class:`Plan`, with ``plot()``). Replications run on a Dask
cluster when a ``distributed.Client`` is given, each with its own reproducible random stream.
"""

from .analyses import ANALYSES, analysis
from .montecarlo import Plan, plan, replication_seed
from .population import Population

__all__ = ["plan", "Plan", "Population", "analysis", "ANALYSES", "replication_seed"]
