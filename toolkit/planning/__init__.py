"""Planning a study by simulation: how many respondents or dyads for a precise omega, a powered ICC, a CFA family
comparison or a client-therapist invariance test.

:func:`plan` draws data sets of several sizes from a :class:`Population` (an instrument and its factor model, given
by numbers or read off a fitted CFA with :meth:`Population.from_cfa`), runs the analyses of interest on each
(:mod:`toolkit.planning.analyses`: omega with its interval, client-therapist agreement;
:mod:`toolkit.planning.model_tests`: the chi-square difference tests of the CFA family and of paired invariance,
and which family member a criterion chooses), and reports power and precision curves (:class:`Plan`, with
``plot()``). Replications run on a Dask cluster when a ``distributed.Client`` is given, each with its own
reproducible random stream.
"""

from . import model_tests  # noqa: F401 - registers cfa_family and the invariance analyses
from .analyses import ANALYSES, analysis
from .montecarlo import Plan, plan, replication_seed
from .population import Population

__all__ = ["plan", "Plan", "Population", "analysis", "ANALYSES", "replication_seed"]
