"""Pair client, therapist (and observer) administrations of the same dyad and session.

:func:`pair_raters` takes four steps, one function each:

1. :func:`_split_by_rater` -- one frame per rater (from one long frame or separate frames);
2. :func:`_plan` -- each rater's instrument and form (:meth:`Instrument.form_for`), the scores the
   instruments share and the common metric;
3. :func:`_score_side` -- score each side with :func:`toolkit.score`, list administrations with a missing
   id or repeated ids, and say why a score is missing;
4. :func:`_match` -- keep the administrations both client and therapist gave (the observer joins
   them) and report every one that has no partner.

Nothing is dropped silently: what could not be paired is listed on the result and counted in its notes.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np
import pandas as pd

from .._checks import check_bool, check_choice, check_metric, warn
from .._results import Result
from ..exceptions import (DataValidationError, DuplicateRowsWarning, InvalidCellsWarning, InvalidParameterError,
                          PairingWarning)
from ..instrument import Instrument, load_instrument
from ..scoring.columns import default_column as _item_col  # the names item_frame gives its columns

__all__ = ["pair_raters", "PairedRatings", "RATERS"]

RATERS = ("client", "therapist", "observer")
_DUPLICATES = ("first", "last", "mean", "drop", "raise")


def _renamed(new: str):
    """The pre-0.2 name ``<new>_`` of a field, read with a DeprecationWarning."""

    def get(self):
        warn(f"PairedRatings.{new}_ is deprecated: write .{new} (results carry no trailing underscore; it marks "
             "fitted estimators). The old name goes in version 0.3.", DeprecationWarning)
        value = getattr(self, new)
        return value.copy() if hasattr(value, "copy") else value

    return property(get, doc=f"Deprecated spelling of :attr:`{new}`.")


@dataclass(kw_only=True, repr=False, eq=False)
class PairedRatings(Result):
    """Client and therapist (and observer) scores of the same administrations, side by side.

    Built by :func:`pair_raters`.

    Attributes
    ----------
    on : list of str
        The id columns that identify one administration (dyad, then session).
    paired : DataFrame
        Tidy: one row per pair and score, columns ``*on``, ``subscale`` (subscale ids, then ``"total"``),
        ``client``, ``therapist`` (and ``observer`` when observer data were given; NaN where the observer did
        not rate), all on the metric ``metric``. A missing score (too many blank items) is NaN.
    wide : DataFrame
        One row per pair: ``*on`` then ``<rater>_<subscale>`` columns (``client_task`` ... ``therapist_total``).
    items : DataFrame
        Item level, one row per pair and *shared* item (same item, or the same WAI-36 parent item in two
        short forms): ``*on``, ``item`` (label such as ``wai36 #24``), ``subscale`` (the client form's),
        ``subscale_therapist``, ``client_item``, ``therapist_item`` (item numbers), ``client``, ``therapist``
        (keyed answers: reverse-keyed items reversed), ``same_scale`` (both answered on the same response scale;
        where not, both answers are POMP 0-100). Empty when the forms share no item.
    metric : str
        ``"sum"`` (the instruments' own sums: same items on the same scale), ``"mean"`` (item means) or
        ``"pomp"`` (percent of maximum possible, 0-100: item means rescaled when the response scales differ).
    unmatched : DataFrame
        Administrations without a partner: ``*on``, ``rater``, ``row`` (index label in that rater's input),
        ``reason``.
    duplicated : DataFrame
        Administrations whose ids repeat within one rater: ``*on``, ``rater``, ``row``, ``copies``, ``kept``.
    missing_scores : DataFrame
        Scores of paired administrations that are missing, and why: ``*on``, ``rater``, ``subscale``,
        ``reason`` (e.g. "more than 2 of 12 items unanswered", under the instrument's missing-data rule).
    scales : DataFrame
        Per rater: ``instrument``, ``form``, ``scale_min``, ``scale_max``, ``n_items_<score>``.
    counts : DataFrame
        Per rater: ``instrument``, ``form``, ``paired``, ``unmatched``, ``duplicated``, ``metric``
        (what :meth:`summary` returns).
    instruments : dict
        Rater -> the :class:`~toolkit.instrument.Instrument` used (a user's own definition included).
    forms : dict
        Rater -> the form id used.
    item_data : dict
        Rater -> that rater's keyed item frame, indexed like ``wide`` (for :attr:`reliability`).

    Examples
    --------
    >>> import toolkit
    >>> p = toolkit.pair_raters(toolkit.load_sample("wai36_client_therapist"), instrument_client="wai36")
    >>> p.raters, p.subscales, p.forms["therapist"]
    (['client', 'therapist'], ['task', 'bond', 'goal', 'total'], 'therapist')
    >>> p.missing_scores[["dyad_id", "rater", "subscale"]].values.tolist()
    [['B312', 'client', 'bond'], ['B312', 'client', 'total']]
    """

    on: list = field(default_factory=list)
    paired: pd.DataFrame = None
    wide: pd.DataFrame = None
    items: pd.DataFrame = None
    metric: str = "sum"
    unmatched: pd.DataFrame = None
    duplicated: pd.DataFrame = None
    missing_scores: pd.DataFrame = None
    scales: pd.DataFrame = None
    counts: pd.DataFrame = None
    instruments: dict = field(default_factory=dict)
    forms: dict = field(default_factory=dict)
    item_data: dict = field(default_factory=dict)

    main: ClassVar[str] = "counts"

    # -- derived ------------------------------------------------------------------------------------
    @property
    def raters(self) -> list[str]:
        """Raters present (``client``, ``therapist`` and maybe ``observer``)."""
        return [r for r in RATERS if r in self.paired.columns]

    @property
    def subscales(self) -> list[str]:
        """Scores compared, in order (subscales, then ``total``)."""
        return list(dict.fromkeys(self.paired["subscale"]))

    @property
    def dyad_ids(self) -> list:
        """Ids of the paired dyads (first ``on`` column), sorted: the choices of a dyad picker."""
        return sorted(self.wide[self.on[0]].unique().tolist(), key=str)

    @property
    def reliability(self) -> pd.DataFrame:
        """Per rater and score of the paired administrations: ``alpha`` (psych::alpha, pairwise, on keyed
        items), ``sd`` (of the score on ``metric``), ``sem`` = sd * sqrt(1 - alpha), ``n``. Computed on first
        use."""
        cached = self.__dict__.get("_reliability")
        if cached is None:
            cached = self.__dict__["_reliability"] = self._compute_reliability()
        return cached.copy()

    def _compute_reliability(self) -> pd.DataFrame:
        from ..reliability_stats import cronbach_alpha

        rows = []
        for rater in self.raters:
            items, ins, form = self.item_data[rater], self.instruments[rater], self.forms[rater]
            scale = ins.scale_for(form)
            for s in self.subscales:
                numbers = ins.items_of(s) if s != "total" else [it.number for it in ins.items]
                cols = [c for c in (_item_col(ins, n) for n in numbers) if c in items.columns]
                sub = items[cols].dropna(how="all")
                alpha = (cronbach_alpha(sub, response_scale=(scale.min, scale.max)).alpha
                         if len(cols) > 1 and len(sub) > 2 else np.nan)
                sd = float(self.paired.loc[self.paired["subscale"] == s, rater].std(ddof=1))
                rows.append((rater, s, ins.id, form, len(sub), len(cols), alpha, sd,
                             sd * np.sqrt(1 - alpha) if alpha == alpha else np.nan))
        return pd.DataFrame(rows, columns=["rater", "subscale", "instrument", "form", "n", "n_items", "alpha",
                                           "sd", "sem"]).set_index(["rater", "subscale"])

    # -- look-ups -----------------------------------------------------------------------------------
    def sessions(self, dyad_id) -> list:
        """Paired sessions (second ``on`` column) of one dyad, sorted; ``[]`` when pairs carry one id only.

        Parameters
        ----------
        dyad_id : str
            A paired dyad (first ``on`` column).

        Returns
        -------
        list
            The sessions, sorted.
        """
        self.dyad(dyad_id)
        if len(self.on) < 2:
            return []
        w = self.wide
        return sorted(w.loc[w[self.on[0]].astype(str) == str(dyad_id), self.on[1]].tolist())

    def dyad(self, dyad_id, session=None) -> pd.DataFrame:
        """The tidy rows of one dyad (and session, if the pairs have a ``session`` id).

        Parameters
        ----------
        dyad_id : str
            A paired dyad (first ``on`` column).
        session : optional
            One of its sessions (second ``on`` column).

        Returns
        -------
        DataFrame
            Rows of :attr:`paired` (a copy).

        Raises
        ------
        KeyError
            Naming the first paired ids when the dyad is not in the pairs, and the paired sessions when the
            session is not.
        """
        p = self.paired
        first = self.on[0]
        rows = p[first].astype(str) == str(dyad_id)
        if not rows.any():
            known = list(dict.fromkeys(p[first].astype(str)))
            raise KeyError(f"dyad {dyad_id!r} is not among the {len(known)} paired dyads (column {first!r}); "
                           f"first ids: {known[:5]}; see .unmatched for dyads without a partner")
        if session is not None and len(self.on) > 1:
            second = self.on[1]
            rows &= p[second] == session
            if not rows.any():
                have = sorted(p.loc[p[first].astype(str) == str(dyad_id), second].unique().tolist())
                raise KeyError(f"dyad {dyad_id!r} has no paired {second} {session!r}; paired {second}s: {have}")
        return p.loc[rows].copy()

    def to_frame(self) -> pd.DataFrame:
        """The tidy pairs (:attr:`paired`, a copy), for export."""
        return self.paired.copy()

    # -- display ------------------------------------------------------------------------------------
    def _display_tables(self) -> dict:
        return {"counts": self.counts, "first pairs": self.wide.head(10)}

    def _display_values(self) -> dict:
        return {}

    # -- spellings before 0.2 -------------------------------------------------------------------------
    paired_ = _renamed("paired")
    wide_ = _renamed("wide")
    items_ = _renamed("items")
    metric_ = _renamed("metric")
    unmatched_ = _renamed("unmatched")
    duplicated_ = _renamed("duplicated")
    notes_ = _renamed("notes")
    scales_ = _renamed("scales")
    reliability_ = _renamed("reliability")
    raters_ = _renamed("raters")
    subscales_ = _renamed("subscales")
    dyad_ids_ = _renamed("dyad_ids")


# ------------------------------------------------------------------------------------ step 1: split
def _split_by_rater(client, therapist, observer, rater_col: str) -> dict[str, pd.DataFrame]:
    """One frame per rater present: the frames as given, or one long frame told apart by ``rater_col``."""
    for name, frame in (("client", client), ("therapist", therapist), ("observer", observer)):
        if frame is not None and not isinstance(frame, pd.DataFrame):
            raise InvalidParameterError(f"The {name!r} parameter of pair_raters() must be a pandas DataFrame; got "
                                        f"a {type(frame).__name__}.")
    if client is None:
        raise InvalidParameterError("pair_raters() needs the client administrations (or one long frame of every "
                                    "rater) as its first argument.")
    if therapist is not None:
        frames = {"client": client, "therapist": therapist}
    else:
        if rater_col not in client.columns:
            raise InvalidParameterError(
                f"pair_raters() got one frame but it has no {rater_col!r} column naming the rater; pass "
                f"therapist= as a second frame, or rater_col= (columns are {list(client.columns)})")
        values = client[rater_col].astype(str).str.strip().str.lower()
        other = sorted(set(values[~values.isin(RATERS)]))
        if other:
            bad = ~values.isin(RATERS)
            raise DataValidationError(
                f"column {rater_col!r} holds {other} in {int(bad.sum())} rows; expected {list(RATERS)}. Recode "
                f"the raters (e.g. data[{rater_col!r}].replace({{'pt': 'client'}})).",
                report=client.loc[bad, [rater_col]].reset_index().rename(columns={"index": "row"}))
        frames = {r: client.loc[values == r] for r in RATERS if (values == r).any()}
        for needed in ("client", "therapist"):
            if needed not in frames:
                raise DataValidationError(f"no {needed} rows: column {rater_col!r} holds only {sorted(frames)}; "
                                          "pairing needs client and therapist rows")
    if observer is not None:
        frames["observer"] = observer
    return frames


# ------------------------------------------------------------------------------------ step 2: plan
@dataclass
class _Plan:
    """What pairing needs to know before scoring: instrument, form and scale of each rater, shared scores,
    the metric."""

    instruments: dict
    forms: dict
    scales: dict
    shared: list
    metric: str

    def describe(self) -> str:
        ins = list(self.instruments.values())
        why_mean = ("the forms differ in length" if len({i.n_items for i in ins}) > 1
                    else "the forms have different items" if len({i.id for i in ins}) > 1
                    else "as asked; the forms have the same items")
        desc = {"sum": "sums of the instrument's own scoring (same items, same scale)",
                "mean": f"item means ({why_mean} and share the response scale)",
                "pomp": "POMP 0-100, item means rescaled as 100 (mean - min) / (max - min), because the response "
                        "scales differ"}[self.metric]
        return f"metric: {desc}; " + "; ".join(
            f"{r}: {self.instruments[r].id} form {self.forms[r]!r} ({self.scales[r].min:g}-{self.scales[r].max:g})"
            for r in self.instruments)


def _plan(raters: list, instruments: dict, forms: dict, metric: str | None) -> _Plan:
    base = load_instrument(instruments["client"])
    ins = {r: base if instruments.get(r) is None else load_instrument(instruments[r]) for r in raters}
    families = [{ins[r].id} | {it.parent.instrument for it in ins[r].items if it.parent is not None}
                for r in raters]
    if not set.intersection(*families):
        raise InvalidParameterError(
            f"the instruments {[ins[r].id for r in raters]} are not forms of one instrument family (no shared "
            "items or parent instrument); pair forms of one instrument, such as wai36 with wai-s or wai-sr")
    chosen = {r: ins[r].form_for(r, forms.get(r), param=f"form_{r}").id for r in raters}
    scales = {r: ins[r].scale_for(chosen[r]) for r in raters}
    shared = [s for s in ins["client"].score_names if all(s in ins[r].score_names for r in raters)]
    if not shared:
        raise InvalidParameterError(f"the instruments {[ins[r].id for r in raters]} share no subscale or total; "
                                    "they cannot be compared score by score")
    same_items = all(ins[r].id == ins["client"].id for r in raters)
    same_scale = all((scales[r].min, scales[r].max) == (scales["client"].min, scales["client"].max) for r in raters)
    if metric is None:
        metric = "sum" if same_items and same_scale else "mean" if same_scale else "pomp"
    elif metric == "sum" and not (same_items and same_scale):
        raise InvalidParameterError(
            f"metric='sum' compares sums of different items or scales "
            f"({', '.join(f'{r}: {ins[r].id} {scales[r].min:g}-{scales[r].max:g}' for r in raters)}); "
            "use metric='mean' (same scale) or 'pomp'")
    elif metric == "mean" and not same_scale:
        raise InvalidParameterError(
            f"metric='mean' compares item means on different response scales "
            f"({', '.join(f'{r}: {scales[r].min:g}-{scales[r].max:g}' for r in raters)}); use metric='pomp' (0-100)")
    return _Plan(ins, chosen, scales, shared, metric)


# ------------------------------------------------------------------------------------ step 3: score
@dataclass
class _Side:
    """One rater's administrations, scored: ``scores`` and ``items`` indexed by the ``on`` ids."""

    scores: pd.DataFrame
    items: pd.DataFrame
    missing_ids: list
    duplicates: list
    reasons: pd.DataFrame


def _score_side(frame, rater: str, plan: _Plan, on: list, *, duplicates: str, on_invalid: str, max_missing,
                allow_unverified: bool) -> _Side:
    from ..scoring import item_frame, score
    from ..scoring.rules import resolve_max_missing

    ins, form, shared = plan.instruments[rater], plan.forms[rater], plan.shared
    missing_id = frame[on].isna().any(axis=1)
    missing_ids = [{**{c: frame.at[row, c] for c in on}, "rater": rater, "row": row, "reason": "missing id"}
                   for row in frame.index[missing_id]]
    frame = frame.loc[~missing_id]
    with warnings.catch_warnings():  # repeated ids are listed in duplicated and warned about by pair_raters
        warnings.simplefilter("ignore", DuplicateRowsWarning)
        s = score(frame, ins, form=form, id_cols=on, metric="sum" if plan.metric == "sum" else "mean",
                  on_invalid=on_invalid, max_missing=max_missing,
                  allow_unverified=allow_unverified or rater == "observer")
    s = s[on + shared + [f"{c}_n" for c in shared]]
    if plan.metric == "pomp":
        lo, hi = plan.scales[rater].min, plan.scales[rater].max
        s[shared] = 100 * (s[shared] - lo) / (hi - lo)
    with warnings.catch_warnings():  # score() has already warned about the same bad cells
        warnings.simplefilter("ignore", InvalidCellsWarning)
        items = item_frame(frame, ins, form=form, on_invalid=on_invalid)
    s, items, dup_rows = _resolve_duplicates(s, items, rater, on, shared, duplicates)
    reasons = _why_scores_missing(s, ins, on, shared, rater, resolve_max_missing(ins, ins.score_names, max_missing))
    return _Side(s.set_index(on)[shared], items, missing_ids, dup_rows, reasons)


def _resolve_duplicates(s, items, rater, on, shared, duplicates):
    """Apply ``duplicates=`` to administrations whose ids repeat; list every copy."""
    labels = s.index
    keys_pos = s[on].reset_index(drop=True)
    dup = keys_pos.duplicated(on, keep=False).to_numpy()
    dup_rows = []
    if dup.any():
        for key, grp in keys_pos.loc[dup].groupby(on, sort=False):
            positions = grp.index
            for j, pos in enumerate(positions):
                kept = {"first": j == 0, "last": j == len(positions) - 1, "mean": True, "drop": False,
                        "raise": False}[duplicates]
                dup_rows.append({**dict(zip(on, key if isinstance(key, tuple) else (key,))), "rater": rater,
                                 "row": labels[pos], "copies": len(positions), "kept": kept})
        if duplicates == "raise":
            report = pd.DataFrame(dup_rows)
            raise DataValidationError(
                f"{len(report)} {rater} administrations repeat their ids {on} (first: "
                f"{report.iloc[0][on].tolist()} in rows {report['row'].tolist()[:6]}); "
                "remove the repeats or pass duplicates='first', 'last', 'mean' or 'drop'", report=report)
        if duplicates in ("first", "last"):
            keep = ~keys_pos.duplicated(on, keep=duplicates).to_numpy()
            s, items = s.iloc[keep], items.iloc[keep]
        elif duplicates == "drop":
            s, items = s.iloc[~dup], items.iloc[~dup]
        else:  # mean
            items = items.groupby([s[c].to_numpy() for c in on], sort=False).mean()
            items.index.names = on
            numbers = [c for c in s.columns if c not in on]
            s = s.groupby(on, sort=False, as_index=False)[numbers].mean()
    if duplicates != "mean" or not dup.any():
        items.index = _key_index(s, on)
    return s, items, dup_rows


def _why_scores_missing(s, ins: Instrument, on, shared, rater, limits) -> pd.DataFrame:
    """One row per missing score: the ids, ``rater``, ``subscale`` and the rule that left it out."""
    rows = []
    needs_all = ins.missing.total_requires_subscales and bool(ins.subscales)
    for name in shared:
        missing = s[name].isna().to_numpy()
        if not missing.any():
            continue
        k, limit = len(ins.items_of(name)), limits[name]
        answered = s[f"{name}_n"].to_numpy(float)
        for pos in np.flatnonzero(missing):
            if answered[pos] == 0:
                why = f"no item answered ({ins.id})"
            elif k - answered[pos] > limit:
                why = f"more than {limit} of {k} items unanswered ({ins.id}'s missing-data rule)"
            elif name == "total" and needs_all:
                why = f"a subscale is not scored ({ins.id}'s total needs every subscale)"
            else:
                why = "not scored"
            rows.append({**{c: s[c].iloc[pos] for c in on}, "rater": rater, "subscale": name, "reason": why})
    return pd.DataFrame(rows, columns=on + ["rater", "subscale", "reason"])


# ------------------------------------------------------------------------------------ step 4: match
def _match(sides: dict, on: list) -> tuple[pd.Index, list]:
    """The ids both client and therapist gave, sorted; and every administration without a partner."""
    unmatched = []
    index_c, index_t = sides["client"].scores.index, sides["therapist"].scores.index
    for r, mine, other in (("client", index_c, index_t), ("therapist", index_t, index_c)):
        partner = "therapist" if r == "client" else "client"
        for key in mine.difference(other, sort=False):
            key = key if isinstance(key, tuple) else (key,)
            unmatched.append({**dict(zip(on, key)), "rater": r, "row": None, "reason": f"no {partner} administration"})
    common = index_c.intersection(index_t, sort=False)
    if "observer" in sides:
        for key in sides["observer"].scores.index.difference(common, sort=False):
            key = key if isinstance(key, tuple) else (key,)
            unmatched.append({**dict(zip(on, key)), "rater": "observer", "row": None,
                              "reason": "no client-therapist pair"})
    order = (pd.MultiIndex.from_tuples(sorted(common), names=on) if len(on) > 1
             else pd.Index(sorted(common), name=on[0]))
    return order, unmatched


def _unmatched_table(rows: list, frames: dict, on: list) -> pd.DataFrame:
    """Administrations without a partner, named by their row in the caller's frame."""
    unmatched = pd.DataFrame(rows, columns=on + ["rater", "row", "reason"])
    for r, src in frames.items():
        mask = (unmatched["rater"] == r) & unmatched["row"].isna()
        if mask.any():
            lookup = {tuple(v): i for i, v in zip(src.index, src[on].itertuples(index=False, name=None))}
            unmatched.loc[mask, "row"] = [lookup.get(tuple(v)) for v in unmatched.loc[mask, on].itertuples(
                index=False, name=None)]
    return unmatched


def _paired_reasons(sides: dict, order: pd.Index, on: list) -> pd.DataFrame:
    """Missing-score reasons of the paired administrations only."""
    keys = order.to_frame(index=False)
    parts = [side.reasons.merge(keys, on=on, how="inner") for side in sides.values() if len(side.reasons)]
    if not parts:  # empty, with the ids' own dtypes (so that it merges with the pairs)
        return keys.iloc[:0].assign(rater=pd.Series(dtype=object), subscale=pd.Series(dtype=object),
                                    reason=pd.Series(dtype=object))
    return pd.concat(parts, ignore_index=True)


# ------------------------------------------------------------------------------------ the function
def pair_raters(client: pd.DataFrame, therapist: pd.DataFrame | None = None, *, instrument_client,
                instrument_therapist=None, on: Sequence[str] = ("dyad_id", "session"),
                observer: pd.DataFrame | None = None, instrument_observer=None, form_client: str | None = None,
                form_therapist: str | None = None, form_observer: str | None = None, rater_col: str = "rater",
                metric: str | None = None, duplicates: str = "first", on_invalid: str = "raise",
                max_missing=None, allow_unverified: bool = False) -> PairedRatings:
    """Match client and therapist (and observer) administrations of one dyad and session.

    Parameters
    ----------
    client : DataFrame
        Client administrations, wide (one row per administration, one column per item). If ``therapist`` is
        None, one long frame holding every rater, told apart by ``rater_col`` (``client``, ``therapist``,
        ``observer``).
    therapist : DataFrame, optional
        The therapists' administrations.
    instrument_client, instrument_therapist : str, path or Instrument
        Instrument of each side (a shipped id, a definition file or a loaded instrument); the therapist's
        defaults to the client's.
    on : sequence of str
        Id columns identifying one administration of a dyad (default dyad and session).
    observer : DataFrame, optional
        Observers' administrations (they join the client-therapist pairs).
    instrument_observer : str, path or Instrument, optional
        The observers' instrument (default the client's).
    form_client, form_therapist, form_observer : str, optional
        Form ids; default the instrument's form for that rater (:meth:`Instrument.form_for`: the form named
        like the rater, else its only form for that rater; otherwise an error lists the forms).
    rater_col : str
        The column of a long frame that names the rater.
    metric : {"sum", "mean", "pomp"}, optional
        Common metric. Default: ``"sum"`` when both sides answered the same items on the same scale, else
        ``"mean"`` (item means) when the response scales agree, else ``"pomp"`` (0-100).
    duplicates : {"first", "last", "mean", "drop", "raise"}
        What to do with administrations whose ids repeat within a rater. They are always listed in
        ``duplicated`` and warned about (:class:`~toolkit.exceptions.PairingWarning`).
    on_invalid : {"raise", "missing"}
        Bad cells raise, or are scored as missing with a warning (:func:`toolkit.score`).
    max_missing : int or mapping, optional
        Overrides the instruments' missing-data rule (:func:`toolkit.score`).
    allow_unverified : bool
        Score forms whose key is not verified (:func:`toolkit.score`); the observer form always is.

    Returns
    -------
    PairedRatings
        ``paired`` (tidy), ``wide``, ``items``, ``metric``, ``unmatched``, ``duplicated``,
        ``missing_scores``, ``notes``, ``reliability``, ``instruments``, ``forms``.

    Raises
    ------
    FormChoiceError
        When a rater's form cannot be told (the message lists the forms and the ``form_<rater>=`` to pass).
    InvalidParameterError
        When the instruments are no forms of one family, share no score, or ``metric`` does not fit them.
    DataValidationError
        For bad cells (passed on from :func:`toolkit.score`), raters not named client, therapist or
        observer, and repeated ids with ``duplicates="raise"``.

    Warns
    -----
    PairingWarning
        When administrations are unmatched or duplicated (listed on the result, never silently dropped).

    See Also
    --------
    toolkit.agreement : Agreement statistics of the pairs.

    Notes
    -----
    POMP (percent of maximum possible; Cohen, Cohen, Aiken & West, 1999) of an item mean m on a min..max scale:
    100 (m - min) / (max - min). Item means of short and long forms that share subscales (WAI-SR and WAI-36)
    are comparable only as far as the forms measure the same facets; say so when reporting.

    R equivalent: none (scoring each side, then ``merge(client, therapist, by = c("dyad_id", "session"))``).

    References
    ----------
    Cohen, P., Cohen, J., Aiken, L. S., & West, S. G. (1999). The problem of units and the circumstance for
    POMP. Multivariate Behavioral Research, 34, 315-346.

    Examples
    --------
    >>> import toolkit
    >>> wai = toolkit.load_sample("wai36_client_therapist")
    >>> p = pair_raters(wai, instrument_client="wai36")
    >>> p.metric, len(p.wide), p.paired.columns.tolist()
    ('sum', 500, ['dyad_id', 'session', 'subscale', 'client', 'therapist'])
    """
    on = [on] if isinstance(on, str) else list(on)
    if not on:
        raise InvalidParameterError("The 'on' parameter of pair_raters() must name at least one id column "
                                    "(e.g. on=['dyad_id', 'session']).")
    metric = check_metric(metric, caller="pair_raters")
    duplicates = check_choice(duplicates, _DUPLICATES, param="duplicates", caller="pair_raters")
    allow_unverified = check_bool(allow_unverified, param="allow_unverified", caller="pair_raters")

    frames = _split_by_rater(client, therapist, observer, rater_col)                          # 1
    for r, frame in frames.items():
        absent = [c for c in on if c not in frame.columns]
        if absent:
            raise InvalidParameterError(
                f"the {r} data have no id column(s) {absent} to pair on; their columns are "
                f"{list(frame.columns)[:12]}...; pass on=[...] naming the dyad (and session) columns")
    plan = _plan(list(frames), {"client": instrument_client, "therapist": instrument_therapist,      # 2
                                "observer": instrument_observer},
                 {"client": form_client, "therapist": form_therapist, "observer": form_observer}, metric)
    sides = {r: _score_side(frames[r], r, plan, on, duplicates=duplicates, on_invalid=on_invalid,      # 3
                            max_missing=max_missing, allow_unverified=allow_unverified) for r in frames}
    order, unmatched_rows = _match(sides, on)                                                         # 4

    wide = pd.DataFrame(index=order)
    for r, side in sides.items():
        sub = side.scores.reindex(order)
        for s in plan.shared:
            wide[f"{r}_{s}"] = sub[s].to_numpy(float)
    wide = wide.reset_index()
    unmatched = _unmatched_table([row for side in sides.values() for row in side.missing_ids] + unmatched_rows,
                                 frames, on)
    duplicated = pd.DataFrame([row for side in sides.values() for row in side.duplicates],
                              columns=on + ["rater", "row", "copies", "kept"])
    missing_scores = _paired_reasons(sides, order, on)
    notes = [plan.describe()]
    if len(missing_scores):
        counts = missing_scores.groupby(["rater", "subscale"], sort=False).size()
        notes.append(f"{len(missing_scores)} scores of paired administrations are missing under the instruments' "
                     f"missing-data rules ({', '.join(f'{r} {s}: {k}' for (r, s), k in counts.items())}); see "
                     ".missing_scores")
    if len(unmatched):
        notes.append(f"{len(unmatched)} administrations without a partner were left out of the pairs "
                     f"({unmatched.groupby('rater').size().to_dict()}); see .unmatched")
    if len(duplicated):
        notes.append(f"{len(duplicated)} administrations repeat their ids within a rater; duplicates="
                     f"{duplicates!r} was applied; see .duplicated")
    if len(unmatched) or len(duplicated):
        warn(f"pairing on {on}: {len(wide)} pairs; {len(unmatched)} unmatched and {len(duplicated)} duplicated "
             "administrations (see .unmatched and .duplicated of the result)", PairingWarning)
    raters = list(frames)
    ins = plan.instruments
    scales = pd.DataFrame(
        [{"rater": r, "instrument": ins[r].id, "form": plan.forms[r], "scale_min": plan.scales[r].min,
          "scale_max": plan.scales[r].max, **{f"n_items_{s}": len(ins[r].items_of(s)) if s != "total"
                                              else ins[r].n_items for s in plan.shared}} for r in raters]
    ).set_index("rater")
    counts = pd.DataFrame([{"rater": r, "instrument": ins[r].id, "form": plan.forms[r],
                            "paired": int(wide[f"{r}_{plan.shared[0]}"].notna().sum()) if r == "observer"
                            else len(wide),
                            "unmatched": int((unmatched["rater"] == r).sum()),
                            "duplicated": int((duplicated["rater"] == r).sum()), "metric": plan.metric}
                           for r in raters]).set_index("rater")
    return PairedRatings(
        title=f"Paired ratings: {len(wide)} pairs on {', '.join(on)}, metric {plan.metric!r}; {len(unmatched)} "
              f"unmatched, {len(duplicated)} duplicated", notes=notes, on=on,
        paired=_tidy(wide, on, raters, plan.shared),
        wide=wide, items=_item_pairs(sides, plan, order, on), metric=plan.metric, unmatched=unmatched,
        duplicated=duplicated, missing_scores=missing_scores, scales=scales, counts=counts, instruments=dict(ins),
        forms=dict(plan.forms), item_data={r: side.items for r, side in sides.items()})


# ------------------------------------------------------------------------------------ assembling
def _key_index(frame: pd.DataFrame, on: list) -> pd.Index:
    return pd.MultiIndex.from_frame(frame[on]) if len(on) > 1 else pd.Index(frame[on[0]], name=on[0])


def _tidy(wide: pd.DataFrame, on: list, raters: list, shared: list) -> pd.DataFrame:
    n = len(wide)
    out = {c: np.repeat(wide[c].to_numpy(), len(shared)) for c in on}
    out["subscale"] = np.tile(np.array(shared, dtype=object), n)
    for r in raters:
        out[r] = wide[[f"{r}_{s}" for s in shared]].to_numpy(float).ravel()
    return pd.DataFrame(out)


def _item_key(ins: Instrument, number: int):
    it = ins.item(number)
    if it.parent is not None:
        return (it.parent.instrument, it.parent.item)
    return (ins.id, number)


def _item_pairs(sides: dict, plan: _Plan, order, on) -> pd.DataFrame:
    cols = on + ["item", "subscale", "subscale_therapist", "client_item", "therapist_item", "client", "therapist",
                 "same_scale"]
    ci, ti = plan.instruments["client"], plan.instruments["therapist"]
    sc, st = plan.scales["client"], plan.scales["therapist"]
    t_keys = {_item_key(ti, it.number): it.number for it in ti.items}
    matches = [(it.number, t_keys[_item_key(ci, it.number)]) for it in ci.items if _item_key(ci, it.number) in t_keys]
    if not matches:
        return pd.DataFrame(columns=cols)
    same = (sc.min, sc.max) == (st.min, st.max)
    c_items = sides["client"].items.reindex(order)
    t_items = sides["therapist"].items.reindex(order)
    ids = order.to_frame(index=False)
    blocks = []
    for cn, tn in matches:
        c = c_items[_item_col(ci, cn)].to_numpy(float) if _item_col(ci, cn) in c_items else np.full(len(order), np.nan)
        t = t_items[_item_col(ti, tn)].to_numpy(float) if _item_col(ti, tn) in t_items else np.full(len(order), np.nan)
        if not same:
            c = 100 * (c - sc.min) / (sc.max - sc.min)
            t = 100 * (t - st.min) / (st.max - st.min)
        key = _item_key(ci, cn)
        label = f"{key[0]} #{key[1]}" if ci.id != ti.id else _item_col(ci, cn)
        block = ids.copy()
        block["item"] = label
        block["subscale"] = ci.item(cn).subscale
        block["subscale_therapist"] = ti.item(tn).subscale
        block["client_item"] = cn
        block["therapist_item"] = tn
        block["client"] = c
        block["therapist"] = t
        block["same_scale"] = same
        blocks.append(block)
    out = pd.concat(blocks, ignore_index=True)
    out["_k"] = np.repeat(np.arange(len(matches)), len(order))
    out["_r"] = np.tile(np.arange(len(order)), len(matches))
    return out.sort_values(["_r", "_k"]).drop(columns=["_k", "_r"]).reset_index(drop=True)[cols]
