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
    "reliability": "toolkit.reliability",
    "item_analysis": "toolkit.reliability",
    "cronbach_alpha": "toolkit.reliability",
    "split_half": "toolkit.reliability",
    "omega_cfa": "toolkit.reliability",
    "icc": "toolkit.reliability",
    "reliable_change": "toolkit.reliability",
    "retest_reliability": "toolkit.reliability",
    "EFA": "toolkit.factor",
    "polychoric": "toolkit.factor",
    "parallel_analysis": "toolkit.factor",
    "velicer_map": "toolkit.factor",
    "kmo": "toolkit.factor",
    "bartlett_sphericity": "toolkit.factor",
    "schmid_leiman": "toolkit.factor",
    "pair_raters": "toolkit.agreement",
    "agreement": "toolkit.agreement",
    "item_kappa": "toolkit.agreement",
    "dyad_discrepancies": "toolkit.agreement",
    "APIM": "toolkit.agreement",
    "apim": "toolkit.agreement",
    "ResponseSurface": "toolkit.agreement",
    "response_surface": "toolkit.agreement",
    "compare_raters": "toolkit.widgets",
    "questionnaire_form": "toolkit.widgets",
}

__all__ = sorted(_EXPORTS) + ["exceptions", "__version__"]


def __getattr__(name: str):
    if name in _EXPORTS:
        value = getattr(importlib.import_module(_EXPORTS[name]), name)
        globals()[name] = value
        return value
    if name == "exceptions":
        return importlib.import_module("toolkit.exceptions")
    raise AttributeError(f"module 'toolkit' has no attribute {name!r}")


def __dir__():
    return __all__


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
