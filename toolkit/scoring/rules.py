"""Call-time choices on top of an instrument's own rules: scale, missing data, thresholds."""

from __future__ import annotations

import operator
import re
import warnings
from collections.abc import Mapping

from .._checks import check_count
from ..exceptions import AllianceError, InvalidParameterError, KeyConfidenceWarning, UnverifiedKeyError
from ..instrument.model import Instrument, ResponseScale, Threshold, constant_flag

__all__ = ["resolve_scale", "resolve_max_missing", "resolve_thresholds", "check_key_confidence", "OPERATORS"]

OPERATORS = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}


def resolve_scale(ins: Instrument, form: str | None, response_scale) -> ResponseScale:
    if response_scale is not None:
        if isinstance(response_scale, ResponseScale):
            return response_scale
        if not isinstance(response_scale, Mapping):
            raise TypeError(
                f"response_scale must be a mapping like {{'min': 1, 'max': 5, 'step': 1}} or a ResponseScale "
                f"(got {type(response_scale).__name__})"
            )
        from pydantic import ValidationError

        try:
            return ResponseScale.model_validate(dict(response_scale))
        except ValidationError as exc:
            msgs = "; ".join(e["msg"].removeprefix("Value error, ") for e in exc.errors(include_url=False))
            raise AllianceError(f"response_scale={dict(response_scale)!r} is not valid: {msgs}") from None
    scale = ins.scale_for(form)
    if scale is None:
        raise UnverifiedKeyError(
            f"{ins.id} ships no verified response scale ({ins.confidence.note}); pass "
            "response_scale={'min': ..., 'max': ..., 'step': 1} from your copy of the instrument, or write a "
            "definition file from the template that declares it"
        )
    return scale


def check_key_confidence(ins: Instrument, form: str | None, allow_unverified: bool) -> None:
    conf = ins.confidence_for(form)
    if conf.scorable:
        return
    f = ins.form(form)
    what = f"{ins.id} form {f.id!r}"
    if not allow_unverified:
        raise UnverifiedKeyError(
            f"the scoring key of {what} has confidence {conf.level} ({conf.note}); it is not verified by two "
            "sources, so scores may be wrong. Check it against your manual and pass allow_unverified=True to "
            "score anyway"
        )
    warnings.warn(
        f"scoring {what} with a key of confidence {conf.level}: {conf.note}", KeyConfidenceWarning, stacklevel=3
    )


def resolve_max_missing(ins: Instrument, scores: list[str], max_missing) -> dict[str, int]:
    out = {s: ins.max_missing(s) for s in scores}
    if max_missing is None:
        return out
    if isinstance(max_missing, Mapping):
        unknown = sorted(set(max_missing) - set(scores))
        if unknown:
            raise KeyError(f"max_missing names {unknown}, which {ins.id} does not score; scores are {scores}")
        out.update({k: _nonneg(v, f"max_missing[{k!r}]") for k, v in max_missing.items()})
        return out
    value = _nonneg(max_missing, "max_missing")
    return {s: value for s in scores}


def _nonneg(v, name: str) -> int:
    return check_count(v, param=name, caller="score", what="items of a score that may be missing")


_RULE = re.compile(r"^\s*(<=|>=|<|>)\s*(-?\d+(?:\.\d+)?)\s*$")


def resolve_thresholds(ins: Instrument, thresholds, *, scale: ResponseScale | None = None) -> list[Threshold]:
    """The instrument's thresholds with the caller's overrides.

    ``thresholds`` maps a threshold id to a new value (``36``), a rule text
    (``"<= 36"``), a mapping of fields (``{"operator": "<=", "value": 36}``), or
    ``False`` to switch the flag off. With ``scale``, every threshold is checked
    against what its score can be on that scale (the instrument's own metric):
    one that would flag every score, or none, is refused.
    """
    current = {t.id: t for t in ins.thresholds}
    if thresholds is None:
        return _within_scale(ins, list(current.values()), scale, set())
    if not isinstance(thresholds, Mapping):
        raise TypeError(f"thresholds must be a mapping of threshold id -> value (got {type(thresholds).__name__})")
    unknown = sorted(set(thresholds) - set(current))
    if unknown:
        raise KeyError(
            f"{ins.id} has no thresholds {unknown}; its thresholds are {sorted(current) or 'none'} "
            "(add new ones in a definition file)"
        )
    for tid, spec in thresholds.items():
        t = current[tid]
        if spec is False:
            del current[tid]
            continue
        if isinstance(spec, (int, float)) and not isinstance(spec, bool):
            current[tid] = t.model_copy(update={"value": float(spec)})
        elif isinstance(spec, str) and _RULE.match(spec):
            op, val = _RULE.match(spec).groups()
            current[tid] = t.model_copy(update={"operator": op, "value": float(val)})
        elif isinstance(spec, Mapping) and set(spec) <= {"operator", "value"}:
            op = spec.get("operator", t.operator)
            if op not in OPERATORS:
                raise ValueError(f"thresholds[{tid!r}] operator must be one of {list(OPERATORS)} (got {op!r})")
            current[tid] = t.model_copy(update={"operator": op, "value": float(spec.get("value", t.value))})
        else:
            raise ValueError(
                f"thresholds[{tid!r}] = {spec!r} is not understood; give a number (36), a rule ('<= 36'), "
                "{'operator': '<=', 'value': 36} or False to switch it off"
            )
    return _within_scale(ins, list(current.values()), scale, set(thresholds))


def _within_scale(ins: Instrument, active: list[Threshold], scale, overridden: set) -> list[Threshold]:
    if scale is None:
        return active
    for t in active:
        lo, hi = ins.score_range(t.applies_to, scale)
        problem = constant_flag(t.operator, t.value, lo, hi)
        if problem:
            what = "single answers" if t.applies_to == "any_item" else f"the {t.applies_to}"
            origin = "thresholds[" + repr(t.id) + "] of score()" if t.id in overridden else \
                f"{ins.id}'s threshold {t.id!r}"
            raise InvalidParameterError(
                f"{origin}: {t.applies_to} {t.operator} {t.value:g} would flag {problem}: {what} of {ins.id} "
                f"run{'s' if t.applies_to != 'any_item' else ''} from {lo:g} to {hi:g} on this scale "
                f"({scale.describe()}, {ins.scoring.method} metric). Give a value within that range.")
    return active
