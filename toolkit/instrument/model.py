"""The instrument model: what a definition file may say, validated and immutable.

An instrument is data. A YAML (or TOML) file under ``instruments/`` declares the
items, subscales, reverse keys, response scale, scoring and missing-data rules,
rater forms, thresholds, citations and how sure we are of the key; this module
turns it into a frozen object that the one scoring engine (and later the
reliability and factor-analysis engines) read. Adding an instrument never needs
Python code.

The JSON Schema of a definition file is generated from these models
(:func:`toolkit.instrument.definition_schema`) and published as
``instruments/schema.json``.
"""

from __future__ import annotations

import math
import re
from typing import Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, StrictBool, field_validator, model_validator

__all__ = [
    "Confidence",
    "Citation",
    "ResponseScale",
    "Item",
    "ParentItem",
    "Subscale",
    "Form",
    "ScoringRule",
    "MissingRule",
    "Threshold",
    "ReliableChange",
    "FactorAlternative",
    "SessionAlert",
    "Instrument",
    "SCORABLE_LEVELS",
]

SLUG = r"^[a-z][a-z0-9_-]*$"
#: Confidence levels of a key (see shared INSTRUMENTS.md): two independent sources
#: agree (V2), one source (V1), derived from verified facts (D), recalled only (R).
ConfidenceLevel = Literal["V2", "V1", "D", "R"]
#: Keys at these levels are scored without asking; others need ``allow_unverified=True``.
SCORABLE_LEVELS = ("V2", "D")
Operator = Literal["<", "<=", ">", ">="]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class Confidence(_Frozen):
    """How sure we are of a key (or of one part of a definition)."""

    level: ConfidenceLevel = Field(description="V2: two independent sources agree; V1: one source; "
                                   "D: derived from verified facts; R: recalled only, unverified.")
    note: str = Field("", description="Where the facts come from, and what is uncertain.")
    aspects: dict[str, ConfidenceLevel] = Field(
        default_factory=dict,
        description="Confidence of single aspects, e.g. {items: V1, reversals: D, anchors: R}.",
    )

    @property
    def scorable(self) -> bool:
        return self.level in SCORABLE_LEVELS


class Citation(_Frozen):
    text: str = Field(min_length=10, description="Full reference, APA style.")
    doi: Optional[str] = Field(None, pattern=r"^10\.\d{4,9}/\S+$", description="DOI without the https://doi.org/ prefix.")
    role: str = Field("development", description="development, validation, short form, manual, ...")


class ResponseScale(_Frozen):
    """The values a response may take.

    ``ordinal`` scales take ``min, min + step, ..., max``; ``continuous`` scales
    (visual-analogue lines) take any value in ``[min, max]``, measured to
    ``resolution``.
    """

    type: Literal["ordinal", "continuous"] = "ordinal"
    min: float
    max: float
    step: Optional[float] = Field(None, gt=0, description="Distance between points (ordinal; default 1).")
    resolution: Optional[float] = Field(None, gt=0, description="Measurement resolution (continuous).")
    anchors: dict[float, str] = Field(default_factory=dict, description="Value -> anchor label.")
    anchor_version: Optional[str] = Field(None, description="Which published anchor set this is.")
    note: str = ""

    @model_validator(mode="after")
    def _check(self) -> "ResponseScale":
        if not self.min < self.max:
            raise ValueError(f"min ({self.min:g}) must be smaller than max ({self.max:g}); swap them")
        if self.type == "ordinal":
            step = self.effective_step
            n = (self.max - self.min) / step
            if abs(n - round(n)) > 1e-9:
                raise ValueError(
                    f"step {step:g} does not divide the range {self.min:g}..{self.max:g}; "
                    "choose a step that reaches max exactly"
                )
            if self.resolution is not None:
                raise ValueError("'resolution' is for continuous scales; ordinal scales use 'step'")
        elif self.step is not None:
            raise ValueError("'step' is for ordinal scales; a continuous scale takes 'resolution'")
        for value in self.anchors:
            if not self.min <= value <= self.max:
                raise ValueError(f"anchor {value:g} lies outside {self.min:g}..{self.max:g}; fix the anchor or the range")
            if self.type == "ordinal" and not self.on_step(value):
                raise ValueError(f"anchor {value:g} is not on the scale's step {self.effective_step:g}")
        return self

    @property
    def effective_step(self) -> float:
        return self.step if self.step is not None else 1.0

    @property
    def midpoint_sum(self) -> float:
        """``min + max``: reversal maps ``x`` to ``(min + max) - x``."""
        return self.min + self.max

    @property
    def points(self) -> list[float]:
        """The scale's points (ordinal only)."""
        if self.type != "ordinal":
            raise ValueError("a continuous scale has no discrete points")
        n = int(round((self.max - self.min) / self.effective_step))
        return [self.min + k * self.effective_step for k in range(n + 1)]

    def on_step(self, value: float) -> bool:
        k = (value - self.min) / self.effective_step
        return math.isclose(k, round(k), abs_tol=1e-9)

    def describe(self) -> str:
        if self.type == "continuous":
            res = f", resolution {self.resolution:g}" if self.resolution else ""
            return f"{self.min:g}-{self.max:g} continuous{res}"
        return f"{self.min:g}-{self.max:g} step {self.effective_step:g}"


class ParentItem(_Frozen):
    """The item of a parent instrument that a short-form item comes from."""

    instrument: str = Field(pattern=SLUG)
    item: int = Field(ge=1)


class Item(_Frozen):
    number: int = Field(ge=1, description="Item number as printed on the form (1-based).")
    label: str = Field(min_length=2, max_length=60, description="Our own short label (never the licensed wording).")
    subscale: Optional[str] = Field(None, description="Subscale id, or null for an item scored in the total only.")
    reversed: StrictBool = Field(False, description="Reverse-keyed: scored as (min + max) - x (true or false).")
    parent: Optional[ParentItem] = Field(None, description="For short forms: the parent instrument's item.")


class Subscale(_Frozen):
    id: str = Field(pattern=SLUG)
    name: str
    description: str = ""
    max_missing: Optional[int] = Field(None, ge=0, description="Overrides missing.subscale_max_missing for this subscale.")


class Form(_Frozen):
    """A rater form: who answers, and anything that differs from the instrument's defaults."""

    id: str = Field(pattern=SLUG)
    rater: Literal["client", "therapist", "observer", "other"]
    name: str = ""
    response_scale: Optional[ResponseScale] = Field(None, description="Overrides the instrument's response scale.")
    confidence: Optional[Confidence] = Field(None, description="Overrides the instrument's key confidence.")
    note: str = ""


class ScoringRule(_Frozen):
    method: Literal["sum", "mean"] = Field("sum", description="Default; a caller may ask for the other.")
    total: StrictBool = Field(True, description="Score a total over all items (true or false).")
    note: str = ""


class MissingRule(_Frozen):
    """Prorate a (sub)scale when at most N of its items are missing, else it is missing.

    Prorating uses the mean of the answered items: the prorated sum is
    ``mean(answered) * n_items`` (a person-mean substitution).
    """

    subscale_max_missing: int = Field(0, ge=0)
    total_max_missing: int = Field(0, ge=0)
    total_requires_subscales: StrictBool = Field(
        False, description="The total is missing whenever a subscale score is missing (true or false)."
    )
    note: str = ""


class Threshold(_Frozen):
    """A published cut-off, turned into a boolean flag column ``flag_<id>``.

    ``applies_to`` is ``total``, a subscale id, or ``any_item`` (true when any
    single item meets the condition).
    """

    id: str = Field(pattern=SLUG)
    label: str
    applies_to: str
    operator: Operator
    value: float
    meaning: str = ""
    source: str = ""
    confidence: ConfidenceLevel = "V2"
    clinical_cutoff: bool = Field(
        False, description="This cut-off separates the clinical from the non-clinical range (Jacobson & Truax's c); "
        "the side the operator points to is the clinical range. Clinical-change categories use it.")


class SessionAlert(_Frozen):
    """A session-to-session alert of routine monitoring (read by toolkit.sessions; scoring ignores it)."""

    id: str = Field(pattern=SLUG)
    label: str
    kind: Literal["worse_than_previous", "no_reliable_change_by"] = Field(
        description="worse_than_previous: the score is worse than the client's previous recorded score by more "
        "than `value` points (lower, unless the clinical cut-off says low scores are healthy); "
        "no_reliable_change_by: no reliable improvement (reliable_change) since the first recorded score by "
        "session `value`.")
    applies_to: str = "total"
    value: float = Field(0, ge=0)
    meaning: str = ""
    source: str = ""
    confidence: ConfidenceLevel = "V2"


class ReliableChange(_Frozen):
    """Smallest change in a score that counts as reliable (e.g. ORS: 5 points)."""

    applies_to: str = "total"
    value: float = Field(gt=0)
    source: str = ""


class FactorAlternative(_Frozen):
    """A factor structure the literature proposes besides the subscales (e.g. WAI-SR: Bond vs Goal+Task).

    ``factors`` maps each factor of the alternative to the subscales it merges; every subscale belongs to
    exactly one factor. Confirmatory factor analysis fits it beside the instrument's own structures
    (:func:`toolkit.cfa_family`).
    """

    id: str = Field(pattern=SLUG, description="Short id of the alternative, e.g. bond_vs_goal_task.")
    name: str = Field(description="What the alternative is called in reports.")
    factors: dict[str, tuple[str, ...]] = Field(
        description="Factor id -> the subscale ids whose items load on it (each subscale in exactly one factor).")
    source: str = Field("", description="Where the alternative comes from (a citation).")

    @field_validator("factors")
    @classmethod
    def _slugs(cls, v):
        for name, subs in v.items():
            if not re.match(SLUG, name):
                raise ValueError(f"factor id {name!r} must be a short lower-case id such as 'goal_task'")
            if not subs:
                raise ValueError(f"factor {name!r} lists no subscales")
        return v


class Instrument(_Frozen):
    """A validated, immutable instrument definition."""

    schema_version: Literal[1] = 1
    id: str = Field(pattern=SLUG, description="Short id used to load the instrument, e.g. wai-sr.")
    name: str
    short_name: str = ""
    version: str = Field(description="Version or year of the published key.")
    description: str = ""
    citations: tuple[Citation, ...] = Field(min_length=1)
    licence: str = Field(description="Who holds the rights, and what may be shipped.")
    confidence: Confidence
    forms: tuple[Form, ...] = Field(min_length=1)
    response_scale: Optional[ResponseScale] = Field(
        None, description="Null when no verified scale is known: scoring then needs response_scale=... at call time."
    )
    subscales: tuple[Subscale, ...] = ()
    items: tuple[Item, ...] = Field(min_length=1)
    scoring: ScoringRule = ScoringRule()
    missing: MissingRule = MissingRule()
    thresholds: tuple[Threshold, ...] = ()
    reliable_change: Optional[ReliableChange] = None
    factor_alternatives: tuple[FactorAlternative, ...] = Field(
        (), description="Factor structures besides the subscales that confirmatory factor analysis should compare "
                        "(e.g. two factors instead of three).")
    session_alerts: tuple[SessionAlert, ...] = ()
    notes: str = ""
    wording: dict[int, str] = Field(
        default_factory=dict,
        description="Licensed item wording attached by a user from a local file; never shipped.",
    )
    source: Optional[str] = Field(None, exclude=True, description="File the definition was read from.")

    # ------------------------------------------------------------------ checks
    @model_validator(mode="after")
    def _check(self) -> "Instrument":
        numbers = [it.number for it in self.items]
        if sorted(numbers) != list(range(1, len(numbers) + 1)):
            dupes = sorted({n for n in numbers if numbers.count(n) > 1})
            missing = sorted(set(range(1, len(numbers) + 1)) - set(numbers))
            raise ValueError(
                "item numbers must run 1..n without gaps or repeats"
                + (f"; repeated: {dupes}" if dupes else "")
                + (f"; missing: {missing}" if missing else "")
            )
        sub_ids = [s.id for s in self.subscales]
        if len(set(sub_ids)) != len(sub_ids):
            raise ValueError(f"subscale ids repeat: {sub_ids}; give each subscale a unique id")
        reserved = {"total", "any_item"}
        if reserved & set(sub_ids):
            raise ValueError(f"subscale ids {sorted(reserved & set(sub_ids))} are reserved; rename them")
        for k, it in enumerate(self.items):
            if it.subscale is not None and it.subscale not in sub_ids:
                raise ValueError(
                    f"items[{k}] (item {it.number}) names subscale {it.subscale!r}, which is not declared; "
                    f"declared subscales: {sub_ids or 'none'}; add it under 'subscales' or fix the item"
                )
        for s in self.subscales:
            if not any(it.subscale == s.id for it in self.items):
                raise ValueError(f"subscale {s.id!r} has no items; assign items to it or remove it")
        if not self.subscales and not self.scoring.total:
            raise ValueError("an instrument without subscales must score a total (scoring.total: true)")
        form_ids = [f.id for f in self.forms]
        if len(set(form_ids)) != len(form_ids):
            raise ValueError(f"form ids repeat: {form_ids}")
        targets = set(sub_ids) | {"any_item"} | ({"total"} if self.scoring.total else set())
        t_ids = [t.id for t in self.thresholds]
        if len(set(t_ids)) != len(t_ids):
            raise ValueError(f"threshold ids repeat: {t_ids}")
        for k, t in enumerate(self.thresholds):
            if t.applies_to not in targets:
                raise ValueError(
                    f"thresholds[{k}] ({t.id!r}) applies_to {t.applies_to!r}; expected one of {sorted(targets)}"
                )
        if self.reliable_change is not None and self.reliable_change.applies_to not in targets - {"any_item"}:
            raise ValueError(f"reliable_change.applies_to {self.reliable_change.applies_to!r} is not a score")
        alt_ids = [a.id for a in self.factor_alternatives]
        if len(set(alt_ids)) != len(alt_ids):
            raise ValueError(f"factor_alternatives ids repeat: {alt_ids}")
        for k, alt in enumerate(self.factor_alternatives):
            used = [s for subs in alt.factors.values() for s in subs]
            unknown = sorted(set(used) - set(sub_ids))
            if unknown:
                raise ValueError(f"factor_alternatives[{k}] ({alt.id!r}) names subscales {unknown} that are not "
                                 f"declared; declared subscales: {sub_ids}")
            twice = sorted({s for s in used if used.count(s) > 1})
            missing_subs = sorted(set(sub_ids) - set(used))
            if twice or missing_subs:
                raise ValueError(f"factor_alternatives[{k}] ({alt.id!r}) must place every subscale in exactly one "
                                 f"factor" + (f"; repeated: {twice}" if twice else "")
                                 + (f"; not placed: {missing_subs}" if missing_subs else ""))
        for k, a in enumerate(self.session_alerts):
            if a.applies_to not in targets - {"any_item"}:
                raise ValueError(f"session_alerts[{k}] ({a.id!r}) applies_to {a.applies_to!r}; expected one of "
                                 f"{sorted(targets - {'any_item'})}")
            if a.id in t_ids or [b.id for b in self.session_alerts].count(a.id) > 1:
                raise ValueError(f"session_alerts[{k}] id {a.id!r} repeats a threshold or alert id")
            if a.kind == "no_reliable_change_by" and (self.reliable_change is None or a.value != int(a.value)
                                                      or a.value < 2):
                raise ValueError(f"session_alerts[{k}] ({a.id!r}) is no_reliable_change_by: it needs the instrument's "
                                 "reliable_change and a whole session number >= 2 as value")
        self._check_against_scales()
        for number in self.wording:
            if number not in numbers:
                raise ValueError(f"wording given for item {number}, which the instrument does not have")
        return self

    def _check_against_scales(self) -> None:
        """Thresholds and reliable change within what each form's scores can be."""
        scales: list = []
        for f in self.forms:
            scale = f.response_scale or self.response_scale
            if scale is not None and all(scale != other for other, _ in scales):
                scales.append((scale, f.id))
        for scale, form_id in scales:
            where = f" (form {form_id!r}, scale {scale.describe()})" if len(self.forms) > 1 else \
                f" (scale {scale.describe()})"
            for k, t in enumerate(self.thresholds):
                lo, hi = self.score_range(t.applies_to, scale)
                problem = constant_flag(t.operator, t.value, lo, hi)
                if problem:
                    raise ValueError(
                        f"thresholds[{k}] ({t.id!r}): {t.applies_to} {t.operator} {t.value:g} flags {problem}: "
                        f"the {_what(t.applies_to)} runs from {lo:g} to {hi:g}{where} on the "
                        f"{self.scoring.method} metric; give a value within that range")
            rc = self.reliable_change
            if rc is not None:
                lo, hi = self.score_range(rc.applies_to, scale)
                if rc.value >= hi - lo:
                    raise ValueError(
                        f"reliable_change.value {rc.value:g} is not smaller than the whole range of the "
                        f"{_what(rc.applies_to)}, {lo:g} to {hi:g}{where}: no change could reach it")

    def score_range(self, score: str, scale: "ResponseScale | None" = None,
                    metric: str | None = None) -> tuple[float, float]:
        """Lowest and highest value a score can take: ``(k * min, k * max)`` for a sum of ``k`` items,
        ``(min, max)`` for a mean or a single item (``score="any_item"``)."""
        scale = scale if scale is not None else self.response_scale
        if scale is None:
            raise ValueError(f"{self.id} has no response scale; pass one")
        if score == "any_item" or (metric or self.scoring.method) == "mean":
            return scale.min, scale.max
        k = len(self.items_of(score))
        return k * scale.min, k * scale.max

    # -------------------------------------------------------------- accessors
    @property
    def n_items(self) -> int:
        return len(self.items)

    @property
    def subscale_ids(self) -> list[str]:
        return [s.id for s in self.subscales]

    @property
    def keys(self) -> dict[str, list[int]]:
        """Subscale id -> item numbers (the factor -> items map of later analyses)."""
        return {s.id: [it.number for it in self.items if it.subscale == s.id] for s in self.subscales}

    @property
    def reversed_items(self) -> list[int]:
        return [it.number for it in self.items if it.reversed]

    @property
    def score_names(self) -> list[str]:
        """Names of the scores produced: subscale ids, then ``total`` if scored."""
        return self.subscale_ids + (["total"] if self.scoring.total else [])

    def item(self, number: int) -> Item:
        for it in self.items:
            if it.number == number:
                return it
        raise KeyError(f"{self.id} has no item {number}; items run 1..{self.n_items}")

    def form(self, form_id: str | None = None) -> Form:
        """The form with that id (or the first form when ``None``)."""
        if form_id is None:
            return self.forms[0]
        for f in self.forms:
            if f.id == form_id:
                return f
        raise KeyError(
            f"{self.id} has no form {form_id!r}; its forms are {[f.id for f in self.forms]}"
        )

    def form_for(self, rater: str | None = None, form: str | None = None, *, param: str = "form") -> Form:
        """The form a rater answers: the one rule every caller uses to pick a form.

        Parameters
        ----------
        rater : {"client", "therapist", "observer", "other"}, optional
            Who answers.
        form : str, optional
            A form id the caller was given; it must exist and, when ``rater`` is given too, be that rater's.
        param : str
            The caller's name for ``form`` (``"form_therapist"`` in :func:`toolkit.pair_raters`), used in
            the messages.

        Returns
        -------
        Form
            With ``form`` given, that form. Else the form whose id is ``rater`` (WAI-36's ``observer``, not
            its ``observer-rev4``); else the one form whose rater is ``rater``; with neither given, the
            instrument's only form.

        Raises
        ------
        FormChoiceError
            When none of these rules gives exactly one form; the message lists the forms (id and rater)
            and says what to pass.

        Examples
        --------
        >>> from toolkit import load_instrument
        >>> load_instrument("wai36").form_for("observer").id
        'observer'
        >>> load_instrument("wai-s").form_for("therapist").id
        'therapist'
        """
        from ..exceptions import FormChoiceError

        listing = ", ".join(f"{f.id} ({f.rater})" for f in self.forms)
        if form is not None:
            chosen = next((f for f in self.forms if f.id == form), None)
            if chosen is None:
                raise FormChoiceError(f"{self.id} has no form {form!r}; its forms are {listing}. Pass {param}= "
                                      "one of these ids.")
            if rater is not None and chosen.rater != rater:
                mine = [f.id for f in self.forms if f.rater == rater]
                fix = (f"pass {param}= one of {mine}" if mine else f"leave out {param}= to be told which forms "
                       f"{self.id} has for a {rater}")
                raise FormChoiceError(f"form {form!r} of {self.id} is for a {chosen.rater}, not a {rater}; {fix} "
                                      f"(its forms are {listing}).")
            return chosen
        if rater is None:
            if len(self.forms) == 1:
                return self.forms[0]
            raise FormChoiceError(f"{self.id} has {len(self.forms)} forms ({listing}); say whose answers these "
                                  f"are with rater= or pass {param}= naming one.")
        named = [f for f in self.forms if f.id == rater]
        if named:
            return named[0]
        mine = [f for f in self.forms if f.rater == rater]
        if len(mine) == 1:
            return mine[0]
        if mine:
            raise FormChoiceError(f"{self.id} has {len(mine)} forms for rater {rater!r} "
                                  f"({', '.join(f.id for f in mine)}); pass {param}= naming one.")
        raise FormChoiceError(f"{self.id} has no form for rater {rater!r}; its forms are {listing}. Use an "
                              f"instrument with a {rater} form, or add one to a copy of the definition file "
                              f"(forms: - id: {rater}, rater: {rater}) if its items suit a {rater}.")

    def scale_for(self, form_id: str | None = None) -> ResponseScale | None:
        """Response scale of a form (its own, or the instrument's)."""
        f = self.form(form_id)
        return f.response_scale or self.response_scale

    def confidence_for(self, form_id: str | None = None) -> Confidence:
        f = self.form(form_id)
        return f.confidence or self.confidence

    def max_missing(self, score: str) -> int:
        if score == "total":
            return self.missing.total_max_missing
        sub = next(s for s in self.subscales if s.id == score)
        return sub.max_missing if sub.max_missing is not None else self.missing.subscale_max_missing

    def items_of(self, score: str) -> list[int]:
        if score == "total":
            return [it.number for it in self.items]
        return self.keys[score]

    # ------------------------------------------------------------ rendering
    def item_table(self):
        """One row per item: number, label, subscale, reversed (and wording if attached)."""
        import pandas as pd

        rows = [
            {
                "item": it.number,
                "label": it.label,
                "subscale": it.subscale,
                "reversed": it.reversed,
                **({"parent": f"{it.parent.instrument}:{it.parent.item}"} if it.parent else {}),
                **({"wording": self.wording.get(it.number, "")} if self.wording else {}),
            }
            for it in self.items
        ]
        return pd.DataFrame(rows).set_index("item")

    def summary(self):
        """A one-column DataFrame describing the instrument."""
        import pandas as pd

        scale = self.response_scale.describe() if self.response_scale else "not verified (pass response_scale=...)"
        facts = {
            "id": self.id,
            "name": self.name,
            "version": self.version,
            "items": self.n_items,
            "subscales": ", ".join(f"{s.id} ({len(self.keys[s.id])})" for s in self.subscales) or "total only",
            "reversed items": ", ".join(map(str, self.reversed_items)) or "none",
            "response scale": scale,
            "scoring": self.scoring.method + (" + total" if self.scoring.total and self.subscales else ""),
            "forms": ", ".join(f"{f.id} ({f.rater})" for f in self.forms),
            "key confidence": self.confidence.level,
            "thresholds": ", ".join(t.id for t in self.thresholds) or "none",
            "citation": self.citations[0].text,
        }
        return pd.DataFrame({"value": pd.Series(facts, dtype=object)})

    def __repr__(self) -> str:  # short, unlike pydantic's full dump
        subs = "/".join(self.subscale_ids) or "total"
        return f"<Instrument {self.id!r}: {self.name}, {self.n_items} items, {subs}>"

    __str__ = __repr__

    def _repr_html_(self) -> str:
        """Heading, summary and item table; every text escaped (a shared definition file is not code)."""
        from html import escape

        return (
            f"<h4>{escape(self.name)} <code>{escape(self.id)}</code></h4>"
            + self.summary().to_html(header=False, escape=True)
            + self.item_table().to_html(escape=True)
        )

    @field_validator("wording", mode="before")
    @classmethod
    def _wording_keys(cls, value):
        return {int(k): v for k, v in (value or {}).items()}


def _what(score: str) -> str:
    return "single answers" if score == "any_item" else "total" if score == "total" else f"subscale {score!r}"


def constant_flag(operator: str, value: float, low: float, high: float) -> str | None:
    """``"every possible score"`` or ``"no possible score"`` when ``x <operator> value`` has the same answer
    for every ``x`` in ``[low, high]``; None when the threshold tells scores apart.

    Examples
    --------
    >>> constant_flag("<", 600, 0, 40), constant_flag("<", 25, 0, 40), constant_flag(">=", 0, 0, 40)
    ('every possible score', None, 'every possible score')
    """
    always = {"<": value > high, "<=": value >= high, ">": value < low, ">=": value <= low}[operator]
    never = {"<": value <= low, "<=": value < low, ">": value >= high, ">=": value > high}[operator]
    if always:
        return "every possible score"
    if never:
        return "no possible score"
    return None


def slugify(text: str) -> str:
    """Lower-case, underscore-separated form of a label (used for column names)."""
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")
