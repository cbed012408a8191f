"""alliance-toolkit: psychometrics for therapeutic-alliance instruments.

Instruments are data (``instruments/*.yaml``); one engine scores them all.

>>> import toolkit
>>> toolkit.load_instrument("wai-sr").n_items
12

Heavy libraries (pandas, scipy, matplotlib, pydantic) are imported only when a
function that needs them is first called, so ``import toolkit`` stays fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

__version__ = "0.1.0"

# public name -> module that defines it (imported on first use)
_EXPORTS = {
    "Instrument": "toolkit.instrument",
    "load_instrument": "toolkit.instrument",
    "list_instruments": "toolkit.instrument",
    "definition_schema": "toolkit.instrument",
    "attach_wording": "toolkit.instrument",
    "template_path": "toolkit.instrument",
    "score": "toolkit.scoring",
    "validate_responses": "toolkit.scoring",
    "match_item_columns": "toolkit.scoring",
    "load_sample": "toolkit.samples",
    "list_samples": "toolkit.samples",
    "simulate": "toolkit.samples",
    "read_responses": "toolkit.io",
    "column_report": "toolkit.io",
    "reliability": "toolkit.reliability_stats",
    "item_analysis": "toolkit.reliability_stats",
    "cronbach_alpha": "toolkit.reliability_stats",
    "split_half": "toolkit.reliability_stats",
    "omega_cfa": "toolkit.reliability_stats",
    "icc": "toolkit.reliability_stats",
    "reliable_change": "toolkit.reliability_stats",
    "retest_reliability": "toolkit.reliability_stats",
    "EFA": "toolkit.factor",
    "polychoric": "toolkit.factor",
    "parallel_analysis": "toolkit.factor",
    "velicer_map": "toolkit.factor",
    "kmo": "toolkit.factor",
    "bartlett_sphericity": "toolkit.factor",
    "schmid_leiman": "toolkit.factor",
    "CFA": "toolkit.factor.cfa",
    "cfa": "toolkit.factor.cfa",
    "compare_models": "toolkit.factor.cfa",
    "composite_reliability": "toolkit.factor.cfa",
    "path_diagram": "toolkit.factor.cfa",
    "cfa_family": "toolkit.validity",
    "invariance": "toolkit.validity",
    "rater_invariance": "toolkit.validity",
    "pair_raters": "toolkit.dyadic",
    "agreement": "toolkit.dyadic",
    "item_kappa": "toolkit.dyadic",
    "dyad_discrepancies": "toolkit.dyadic",
    "APIM": "toolkit.dyadic",
    "apim": "toolkit.dyadic",
    "ResponseSurface": "toolkit.dyadic",
    "response_surface": "toolkit.dyadic",
    "session_scores": "toolkit.sessions",
    "trajectories": "toolkit.sessions",
    "drop_below_running_mean": "toolkit.sessions",
    "sudden_gains": "toolkit.sessions",
    "sudden_losses": "toolkit.sessions",
    "session_alerts": "toolkit.sessions",
    "clinical_change": "toolkit.sessions",
    "caseload_summary": "toolkit.sessions",
    "add_lags": "toolkit.sessions",
    "person_mean_center": "toolkit.sessions",
    "MixedModel": "toolkit.sessions",
    "mixed_model": "toolkit.sessions",
    "plan": "toolkit.planning",
    "Population": "toolkit.planning",
    "compare_raters": "toolkit.widgets",
    "questionnaire_form": "toolkit.widgets",
    "session_timeline": "toolkit.widgets",
    "caseload_view": "toolkit.widgets",
    "clinic_dashboard": "toolkit.widgets",
    "validation_report": "toolkit.reports",
    "clinic_report": "toolkit.reports",
}

# subpackages reachable as attributes without an explicit import
_SUBPACKAGES = ("exceptions", "instrument", "scoring", "samples", "io", "reliability_stats", "factor", "dyadic",
                "validity", "sessions", "planning", "reports", "widgets", "classroom")

__all__ = sorted(_EXPORTS) + ["exceptions", "__version__"]


def __getattr__(name: str):
    if name in _EXPORTS:
        value = getattr(importlib.import_module(_EXPORTS[name]), name)
        globals()[name] = value
        return value
    if name in _SUBPACKAGES:
        return importlib.import_module(f"toolkit.{name}")
    raise AttributeError(f"module 'toolkit' has no attribute {name!r}")


def __dir__():
    return __all__


# the old module paths toolkit.reliability.* and toolkit.agreement.* (see toolkit/_compat.py)
from . import _compat  # noqa: E402

_compat.install(__name__)


if TYPE_CHECKING:  # pragma: no cover
    from .instrument import (  # noqa: F401
        Instrument,
        attach_wording,
        definition_schema,
        list_instruments,
        load_instrument,
        template_path,
    )
    from .io import read_responses  # noqa: F401
    from .samples import list_samples, load_sample, simulate  # noqa: F401
    from .scoring import match_item_columns, score, validate_responses  # noqa: F401
