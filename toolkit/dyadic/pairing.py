"""Pair client, therapist (and observer) administrations of the same dyad and session.

:func:`pair_raters` scores each side with :func:`toolkit.score`, matches the administrations by their ids,
puts both views on one metric, and lists (never drops silently) what could not be paired.
"""

from __future__ import annotations

import html
import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..exceptions import DataValidationError, InvalidCellsWarning, PairingWarning
from ..instrument import Instrument, load_instrument
from ..scoring.columns import default_column as _item_col  # the names item_frame gives its columns

__all__ = ["pair_raters", "PairedRatings", "RATERS"]

RATERS = ("client", "therapist", "observer")
_METRICS = ("sum", "mean", "pomp")
_DUPLICATES = ("first", "last", "mean", "drop", "raise")


class PairedRatings:
    """Client and therapist (and observer) scores of the same administrations, side by side.

    Built by :func:`pair_raters`; every attribute is a fresh, labelled DataFrame.

    Attributes
    ----------
    paired_ : DataFrame
        Tidy: one row per pair (the ``on`` ids) and score, columns ``*on``, ``subscale`` (subscale ids, then
        ``"total"``), ``client``, ``therapist`` (and ``observer`` when observer data were given; NaN where the
        observer did not rate), all on the metric ``metric_``. A missing score (too many blank items) is NaN.
    wide_ : DataFrame
        One row per pair: ``*on`` then ``<rater>_<subscale>`` columns (``client_task`` ... ``therapist_total``).
    items_ : DataFrame
        Item level, one row per pair and *shared* item (same item, or the same WAI-36 parent item in two
        short forms): ``*on``, ``item`` (label such as ``wai36 #24``), ``subscale`` (the client form's),
        ``subscale_therapist``, ``client_item``, ``therapist_item`` (item numbers), ``client``, ``therapist``
        (keyed answers: reverse-keyed items reversed), ``same_scale`` (both answered on the same response scale;
        where not, both answers are POMP 0-100). Empty when the forms share no item.
    metric_ : str
        ``"sum"`` (the instruments' own sums: same items on the same scale), ``"mean"`` (item means) or
        ``"pomp"`` (percent of maximum possible, 0-100: item means rescaled when the response scales differ).
    unmatched_ : DataFrame
        Administrations without a partner: ``*on``, ``rater``, ``row`` (index label in that rater's input),
        ``reason``.
    duplicated_ : DataFrame
        Administrations whose ids repeat within one rater: ``*on``, ``rater``, ``row``, ``copies``, ``kept``.
    notes_ : list of str
        What a reader must know (metric, forms, what was unmatched or duplicated and what was done).
    scales_ : DataFrame
        Per rater: ``instrument``, ``form``, ``scale_min``, ``scale_max``, ``n_items`` of each score.
    """

    def __init__(self, *, on, paired, wide, items, metric, unmatched, duplicated, notes, scales, item_data):
        self.on = list(on)
        self._paired = paired
        self._wide = wide
        self._items = items
        self.metric_ = metric
        self._unmatched = unmatched
        self._duplicated = duplicated
        self.notes_ = list(notes)
        self._scales = scales
        self._item_data = item_data  # rater -> (keyed item frame indexed like wide_, instrument, form)
        self._reliability = None

    paired_ = property(lambda self: self._paired.copy(), doc="Tidy pairs (see the class docstring).")
    wide_ = property(lambda self: self._wide.copy(), doc="One row per pair (see the class docstring).")
    items_ = property(lambda self: self._items.copy(), doc="Shared items (see the class docstring).")
    unmatched_ = property(lambda self: self._unmatched.copy(), doc="Administrations without a partner.")
    duplicated_ = property(lambda self: self._duplicated.copy(), doc="Administrations with repeated ids.")
    scales_ = property(lambda self: self._scales.copy(), doc="Instrument, form and scale of each rater.")

    @property
    def raters_(self) -> list[str]:
        """Raters present (``client``, ``therapist`` and maybe ``observer``)."""
        return [r for r in RATERS if r in self._paired.columns]

    @property
    def subscales_(self) -> list[str]:
        """Scores compared, in order (subscales, then ``total``)."""
        return list(dict.fromkeys(self._paired["subscale"]))

    @property
    def reliability_(self) -> pd.DataFrame:
        """Per rater and score of the paired administrations: ``alpha`` (psych::alpha, pairwise, on keyed items),
        ``sd`` (of the score on ``metric_``), ``sem`` = sd * sqrt(1 - alpha), ``n``. Computed on first use."""
        if self._reliability is None:
            from ..reliability_stats import cronbach_alpha

            rows = []
            for rater in self.raters_:
                items, ins, form = self._item_data[rater]
                scale = ins.scale_for(form)
                for s in self.subscales_:
                    numbers = ins.items_of(s) if s != "total" else [it.number for it in ins.items]
                    cols = [c for c in (_item_col(ins, n) for n in numbers) if c in items.columns]
                    sub = items[cols].dropna(how="all")
                    alpha = (cronbach_alpha(sub, response_scale=(scale.min, scale.max)).alpha
                             if len(cols) > 1 and len(sub) > 2 else np.nan)
                    sd = float(self._paired.loc[self._paired["subscale"] == s, rater].std(ddof=1))
                    rows.append((rater, s, ins.id, form, len(sub), len(cols), alpha, sd,
                                 sd * np.sqrt(1 - alpha) if alpha == alpha else np.nan))
            self._reliability = pd.DataFrame(rows, columns=["rater", "subscale", "instrument", "form", "n",
                                                            "n_items", "alpha", "sd", "sem"]
                                             ).set_index(["rater", "subscale"])
        return self._reliability.copy()

    @property
    def dyad_ids_(self) -> list:
        """Ids of the paired dyads (first ``on`` column), sorted: the choices of a dyad picker."""
        return sorted(self._wide[self.on[0]].unique().tolist(), key=str)

    def sessions(self, dyad_id) -> list:
        """Paired sessions (second ``on`` column) of one dyad, sorted; ``[]`` when pairs carry one id only."""
        self.dyad(dyad_id)
        if len(self.on) < 2:
            return []
        w = self._wide
        return sorted(w.loc[w[self.on[0]].astype(str) == str(dyad_id), self.on[1]].tolist())

    def dyad(self, dyad_id, session=None) -> pd.DataFrame:
        """The tidy rows of one dyad (and session, if the pairs have a ``session`` id).

        Raises ``KeyError`` naming the first paired ids when the dyad is not in the pairs, and the paired
        sessions when the session is not.
        """
        p = self._paired
        first = self.on[0]
        rows = p[first].astype(str) == str(dyad_id)
        if not rows.any():
            known = list(dict.fromkeys(p[first].astype(str)))
            raise KeyError(f"dyad {dyad_id!r} is not among the {len(known)} paired dyads (column {first!r}); "
                           f"first ids: {known[:5]}; see .unmatched_ for dyads without a partner")
        if session is not None and len(self.on) > 1:
            second = self.on[1]
            rows &= p[second] == session
            if not rows.any():
                have = sorted(p.loc[p[first].astype(str) == str(dyad_id), second].unique().tolist())
                raise KeyError(f"dyad {dyad_id!r} has no paired {second} {session!r}; paired {second}s: {have}")
        return p.loc[rows].copy()

    def summary(self) -> pd.DataFrame:
        """Counts: pairs, unmatched and duplicated administrations per rater, and the metric."""
        rows = []
        for r in self.raters_:
            rows.append({"rater": r, "instrument": self._scales.loc[r, "instrument"],
                         "form": self._scales.loc[r, "form"],
                         "paired": int(self._wide[f"{r}_{self.subscales_[0]}"].notna().sum()) if r == "observer"
                         else len(self._wide),
                         "unmatched": int((self._unmatched["rater"] == r).sum()),
                         "duplicated": int((self._duplicated["rater"] == r).sum()),
                         "metric": self.metric_})
        return pd.DataFrame(rows).set_index("rater")

    def __repr__(self) -> str:
        return (f"PairedRatings({len(self._wide)} pairs on {self.on}, metric {self.metric_!r}, "
                f"{len(self._unmatched)} unmatched, {len(self._duplicated)} duplicated)")

    def _repr_html_(self) -> str:
        parts = [f"<h4>{html.escape(repr(self))}</h4>", self.summary().to_html(),
                 self._wide.head(10).round(3).to_html(na_rep="\u2013")]
        parts.append("<ul>" + "".join(f"<li>{html.escape(n)}</li>" for n in self.notes_) + "</ul>")
        return "\n".join(parts)


def _form_for(ins: Instrument, rater: str, form):
    if form is not None:
        ins.form(form)  # KeyError naming the forms when unknown
        return form
    for f in ins.forms:
        if f.rater == rater or f.id == rater:
            return f.id
    return ins.forms[0].id


def _split_long(data: pd.DataFrame, rater_col: str) -> dict[str, pd.DataFrame]:
    if rater_col not in data.columns:
        raise KeyError(f"pair_raters got one frame but it has no {rater_col!r} column naming the rater; pass "
                       f"therapist= as a second frame, or rater_col= (columns are {list(data.columns)})")
    values = data[rater_col].astype(str).str.strip().str.lower()
    other = sorted(set(values[~values.isin(RATERS)]))
    if other:
        raise DataValidationError(
            f"column {rater_col!r} holds {other} in {int((~values.isin(RATERS)).sum())} rows; expected "
            f"{list(RATERS)}. Recode the raters (e.g. data[{rater_col!r}].replace({{'pt': 'client'}})).",
            report=data.loc[~values.isin(RATERS), [rater_col]].reset_index().rename(columns={"index": "row"}))
    return {r: data.loc[values == r] for r in RATERS if (values == r).any()}


def _check_ids(frame: pd.DataFrame, on: list, rater: str) -> None:
    absent = [c for c in on if c not in frame.columns]
    if absent:
        raise KeyError(f"the {rater} data have no id column(s) {absent} to pair on; their columns are "
                       f"{list(frame.columns)[:12]}...; pass on=[...] naming the dyad (and session) columns")


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
    therapist, observer : DataFrame, optional
        The other raters' administrations.
    instrument_client, instrument_therapist, instrument_observer : str or Instrument
        Instrument of each side; the therapist's and observer's default to the client's.
    on : sequence of str
        Id columns identifying one administration of a dyad (default dyad and session).
    form_client, form_therapist, form_observer : str, optional
        Form ids; default the instrument's form for that rater (else its first form).
    metric : {"sum", "mean", "pomp"}, optional
        Common metric. Default: ``"sum"`` when both sides answered the same items on the same scale, else
        ``"mean"`` (item means) when the response scales agree, else ``"pomp"`` (0-100).
    duplicates : {"first", "last", "mean", "drop", "raise"}
        What to do with administrations whose ids repeat within a rater. They are always listed in
        ``duplicated_`` and warned about (:class:`~toolkit.exceptions.PairingWarning`).
    on_invalid, max_missing, allow_unverified
        Passed to :func:`toolkit.score` (allow_unverified also for the observer form).

    Returns
    -------
    PairedRatings
        ``paired_`` (tidy), ``wide_``, ``items_``, ``metric_``, ``unmatched_``, ``duplicated_``, ``notes_``,
        ``reliability_``.

    Warns
    -----
    PairingWarning
        When administrations are unmatched or duplicated (listed on the result, never silently dropped).

    Notes
    -----
    POMP (percent of maximum possible; Cohen, Cohen, Aiken & West, 1999) of an item mean m on a min..max scale:
    100 (m - min) / (max - min). Item means of short and long forms that share subscales (WAI-SR and WAI-36)
    are comparable only as far as the forms measure the same facets; say so when reporting.

    Examples
    --------
    >>> import toolkit
    >>> wai = toolkit.load_sample("wai36_client_therapist")
    >>> p = pair_raters(wai, instrument_client="wai36")
    >>> p.metric_, len(p.wide_), p.paired_.columns.tolist()
    ('sum', 500, ['dyad_id', 'session', 'subscale', 'client', 'therapist'])
    """
    from ..scoring import item_frame, score

    on = [on] if isinstance(on, str) else list(on)
    if not on:
        raise ValueError("on= must name at least one id column (e.g. on=['dyad_id', 'session'])")
    if metric is not None and metric not in _METRICS:
        raise ValueError(f"metric must be one of {list(_METRICS)} or None (got {metric!r})")
    if duplicates not in _DUPLICATES:
        raise ValueError(f"duplicates must be one of {list(_DUPLICATES)} (got {duplicates!r})")
    for name, frame in (("client", client), ("therapist", therapist), ("observer", observer)):
        if frame is not None and not isinstance(frame, pd.DataFrame):
            raise TypeError(f"{name!r} must be a pandas DataFrame (got {type(frame).__name__})")
    if therapist is None:
        frames = _split_long(client, rater_col)
        if observer is not None:
            frames["observer"] = observer
        for needed in ("client", "therapist"):
            if needed not in frames:
                raise DataValidationError(f"no {needed} rows: column {rater_col!r} holds only "
                                          f"{sorted(frames)}; pairing needs client and therapist rows")
    else:
        frames = {"client": client, "therapist": therapist}
        if observer is not None:
            frames["observer"] = observer
    base = load_instrument(instrument_client)
    ins = {"client": base,
           "therapist": load_instrument(instrument_therapist) if instrument_therapist is not None else base,
           "observer": load_instrument(instrument_observer) if instrument_observer is not None else base}
    forms = {"client": _form_for(ins["client"], "client", form_client),
             "therapist": _form_for(ins["therapist"], "therapist", form_therapist),
             "observer": _form_for(ins["observer"], "observer", form_observer)}
    raters = list(frames)
    for r in raters:
        _check_ids(frames[r], on, r)
    families = {r: {ins[r].id} | {it.parent.instrument for it in ins[r].items if it.parent is not None}
                for r in raters}
    common_family = set.intersection(*families.values())
    if not common_family:
        raise ValueError(f"the instruments {[ins[r].id for r in raters]} are not forms of one instrument family "
                         "(no shared items or parent instrument); pair forms of one instrument, such as wai36 "
                         "with wai-s or wai-sr")
    scales = {r: ins[r].scale_for(forms[r]) for r in raters}
    shared = [s for s in ins["client"].score_names if all(s in ins[r].score_names for r in raters)]
    if not shared:
        raise ValueError(f"the instruments {[ins[r].id for r in raters]} share no subscale or total; they "
                         "cannot be compared score by score")
    same_items = all(ins[r].id == ins["client"].id for r in raters)
    same_scale = all((scales[r].min, scales[r].max) == (scales["client"].min, scales["client"].max)
                     for r in raters)
    if metric is None:
        metric = "sum" if same_items and same_scale else "mean" if same_scale else "pomp"
    elif metric == "sum" and not (same_items and same_scale):
        raise ValueError(f"metric='sum' compares sums of different items or scales "
                         f"({', '.join(f'{r}: {ins[r].id} {scales[r].min:g}-{scales[r].max:g}' for r in raters)}); "
                         "use metric='mean' (same scale) or 'pomp'")
    elif metric == "mean" and not same_scale:
        raise ValueError(f"metric='mean' compares item means on different response scales "
                         f"({', '.join(f'{r}: {scales[r].min:g}-{scales[r].max:g}' for r in raters)}); "
                         "use metric='pomp' (0-100)")

    notes = []
    desc = {"sum": "sums of the instrument's own scoring (same items, same scale)",
            "mean": "item means (the forms differ in length but share the response scale)",
            "pomp": "POMP 0-100, item means rescaled as 100 (mean - min) / (max - min), because the response "
                    "scales differ"}[metric]
    notes.append(f"metric: {desc}; " + "; ".join(
        f"{r}: {ins[r].id} form {forms[r]!r} ({scales[r].min:g}-{scales[r].max:g})" for r in raters))

    scored, items, dup_rows, unmatched_rows = {}, {}, [], []
    for r in raters:
        frame = frames[r]
        missing_id = frame[on].isna().any(axis=1)
        for row in frame.index[missing_id]:
            unmatched_rows.append({**{c: frame.at[row, c] for c in on}, "rater": r, "row": row,
                                   "reason": "missing id"})
        frame = frame.loc[~missing_id]
        s = score(frame, ins[r], form=forms[r], id_cols=on, method="sum" if metric == "sum" else "mean",
                  on_invalid=on_invalid, max_missing=max_missing,
                  allow_unverified=allow_unverified or r == "observer")
        s = s[on + shared]
        if metric == "pomp":
            lo, hi = scales[r].min, scales[r].max
            s[shared] = 100 * (s[shared] - lo) / (hi - lo)
        with warnings.catch_warnings():  # score() has already warned about the same bad cells
            warnings.simplefilter("ignore", InvalidCellsWarning)
            it = item_frame(frame, ins[r], form=forms[r], on_invalid=on_invalid)
        labels = s.index
        keys_pos = s[on].reset_index(drop=True)
        dup = keys_pos.duplicated(on, keep=False).to_numpy()
        if dup.any():
            for key, grp in keys_pos.loc[dup].groupby(on, sort=False):
                positions = grp.index
                for j, pos in enumerate(positions):
                    kept = {"first": j == 0, "last": j == len(positions) - 1, "mean": True, "drop": False,
                            "raise": False}[duplicates]
                    dup_rows.append({**dict(zip(on, key if isinstance(key, tuple) else (key,))), "rater": r,
                                     "row": labels[pos], "copies": len(positions), "kept": kept})
            if duplicates == "raise":
                report = pd.DataFrame(dup_rows)
                mine = report.loc[report["rater"] == r]
                raise DataValidationError(
                    f"{len(mine)} {r} administrations repeat their ids {on} (first: "
                    f"{mine.iloc[0][on].tolist()} in rows {mine['row'].tolist()[:6]}); "
                    "remove the repeats or pass duplicates='first', 'last', 'mean' or 'drop'", report=report)
            if duplicates in ("first", "last"):
                keep = ~keys_pos.duplicated(on, keep=duplicates).to_numpy()
                s, it = s.iloc[keep], it.iloc[keep]
            elif duplicates == "drop":
                s, it = s.iloc[~dup], it.iloc[~dup]
            else:  # mean
                it = it.groupby([s[c].to_numpy() for c in on], sort=False).mean()
                it.index.names = on
                s = s.groupby(on, sort=False, as_index=False)[shared].mean()
        if duplicates != "mean" or not dup.any():
            it.index = _key_index(s, on)
        scored[r] = s.set_index(on)
        items[r] = it

    index_c, index_t = scored["client"].index, scored["therapist"].index
    for r, mine, other in (("client", index_c, index_t), ("therapist", index_t, index_c)):
        lost = mine.difference(other, sort=False)
        partner = "therapist" if r == "client" else "client"
        for key in lost:
            key = key if isinstance(key, tuple) else (key,)
            unmatched_rows.append({**dict(zip(on, key)), "rater": r, "row": None,
                                   "reason": f"no {partner} administration"})
    common = index_c.intersection(index_t, sort=False)
    if "observer" in scored:
        for key in scored["observer"].index.difference(common, sort=False):
            key = key if isinstance(key, tuple) else (key,)
            unmatched_rows.append({**dict(zip(on, key)), "rater": "observer", "row": None,
                                   "reason": "no client-therapist pair"})
    order = pd.MultiIndex.from_tuples(sorted(common), names=on) if len(on) > 1 else pd.Index(sorted(common),
                                                                                              name=on[0])
    wide = pd.DataFrame(index=order)
    for r in raters:
        sub = scored[r].reindex(order)
        for s in shared:
            wide[f"{r}_{s}"] = sub[s].to_numpy(float)
    wide = wide.reset_index()
    paired = _tidy(wide, on, raters, shared)
    item_pairs = _item_pairs(items, ins, forms, scales, order, on)

    unmatched = pd.DataFrame(unmatched_rows, columns=on + ["rater", "row", "reason"])
    duplicated = pd.DataFrame(dup_rows, columns=on + ["rater", "row", "copies", "kept"])
    # rows of unmatched administrations, named by their input index where known
    for r in raters:
        mask = (unmatched["rater"] == r) & unmatched["row"].isna()
        if mask.any():
            src = frames[r]
            lookup = {tuple(v): i for i, v in zip(src.index, src[on].itertuples(index=False, name=None))}
            unmatched.loc[mask, "row"] = [lookup.get(tuple(v)) for v in unmatched.loc[mask, on].itertuples(
                index=False, name=None)]
    if len(unmatched):
        counts = unmatched.groupby("rater").size().to_dict()
        notes.append(f"{len(unmatched)} administrations without a partner were left out of the pairs "
                     f"({counts}); see .unmatched_")
    if len(duplicated):
        notes.append(f"{len(duplicated)} administrations repeat their ids within a rater; duplicates="
                     f"{duplicates!r} was applied; see .duplicated_")
    if len(unmatched) or len(duplicated):
        warnings.warn(f"pairing on {on}: {len(wide)} pairs; {len(unmatched)} unmatched and {len(duplicated)} "
                      f"duplicated administrations (see .unmatched_ and .duplicated_ of the result)",
                      PairingWarning, stacklevel=2)
    scale_rows = pd.DataFrame(
        [{"rater": r, "instrument": ins[r].id, "form": forms[r], "scale_min": scales[r].min,
          "scale_max": scales[r].max, **{f"n_items_{s}": len(ins[r].items_of(s)) if s != "total"
                                         else ins[r].n_items for s in shared}} for r in raters]).set_index("rater")
    item_data = {r: (items[r], ins[r], forms[r]) for r in raters}
    return PairedRatings(on=on, paired=paired, wide=wide, items=item_pairs, metric=metric, unmatched=unmatched,
                         duplicated=duplicated, notes=notes, scales=scale_rows, item_data=item_data)


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


def _item_pairs(items, ins, forms, scales, order, on) -> pd.DataFrame:
    cols = on + ["item", "subscale", "subscale_therapist", "client_item", "therapist_item", "client", "therapist",
                 "same_scale"]
    ci, ti = ins["client"], ins["therapist"]
    t_keys = {_item_key(ti, it.number): it.number for it in ti.items}
    matches = [(it.number, t_keys[_item_key(ci, it.number)]) for it in ci.items if _item_key(ci, it.number) in t_keys]
    if not matches:
        return pd.DataFrame(columns=cols)
    same = (scales["client"].min, scales["client"].max) == (scales["therapist"].min, scales["therapist"].max)
    c_items = items["client"].reindex(order)
    t_items = items["therapist"].reindex(order)
    ids = order.to_frame(index=False)
    blocks = []
    for cn, tn in matches:
        c = c_items[_item_col(ci, cn)].to_numpy(float) if _item_col(ci, cn) in c_items else np.full(len(order), np.nan)
        t = t_items[_item_col(ti, tn)].to_numpy(float) if _item_col(ti, tn) in t_items else np.full(len(order), np.nan)
        if not same:
            c = 100 * (c - scales["client"].min) / (scales["client"].max - scales["client"].min)
            t = 100 * (t - scales["therapist"].min) / (scales["therapist"].max - scales["therapist"].min)
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
