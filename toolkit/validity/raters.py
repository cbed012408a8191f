"""Measurement invariance across two raters of the same dyads (client vs therapist, session 3 vs session 8).

The two ratings of a dyad are not independent groups, so this is one model (the longitudinal / dyadic
invariance model): a set of factors per rater, every factor correlated with every other, the residuals
of the same item correlated across raters, and equality constraints added step by step:

``configural``
    same structure; both raters' factors have variance 1 and mean 0;
``metric``
    equal loadings of the same item; the second rater's factor variances free;
``scalar``
    and equal item intercepts; the second rater's factor means free (they are then the latent mean
    differences, in units of the first rater's factor SD);
``strict``
    and equal residual variances.

Ordinal items (``estimator="WLSMV"``, lavaan's delta parameterization): the items' intercepts are 0 and their
residual variances follow from the model, so the scalar step holds the thresholds equal instead and frees the
second rater's scale factors (``~*~``) with its factor means, the one-model analogue of lavaan 0.6-14's
multiple-group rule; there is no strict step.
"""

from __future__ import annotations

import re
import warnings

import numpy as np
import pandas as pd

from .._checks import check_choice
from ..exceptions import DataValidationError, InvalidParameterError
from ..factor.cfa import CFA
from ._items import item_data, safe_name
from .invariance import STEPS, Invariance, fit_warnings, invariance_steps, pass_on_step_warnings, step_table

__all__ = ["rater_invariance", "RaterInvariance", "paired_syntax"]

RaterInvariance = Invariance


def _suffix(rater: str, level) -> str:
    text = re.sub(r"[^A-Za-z0-9]+", "_", str(level)).strip("_")
    if not text or not text[0].isalpha():
        text = re.sub(r"[^A-Za-z0-9]+", "_", str(rater)).strip("_") + text
    return text


def paired_syntax(factors: dict, suffixes, step: str, thresholds: dict | None = None) -> str:
    """lavaan syntax of one step of the two-rater invariance model (items named ``<item>_<suffix>``, factors
    ``<factor>_<suffix>``). ``thresholds`` (item -> number of thresholds) makes the items ordinal: no intercepts,
    and at the scalar step equal thresholds and the second rater's scale factors free."""
    check_choice(step, STEPS, param="step", caller="paired_syntax")
    if thresholds is not None and step == "strict":
        raise InvalidParameterError("ordinal items have no strict step: their residual variances are no parameters "
                                    "in the delta parameterization; use the steps configural, metric and scalar.")
    first, second = suffixes
    lines = []
    for s in suffixes:
        for f, items in factors.items():
            terms = []
            for it in items:
                terms.append(f"NA*{it}_{s}")
                if step != "configural":
                    terms.append(f"l_{it}*{it}_{s}")
            lines.append(f"{f}_{s} =~ " + " + ".join(terms))
            fixed_var = s == first or step == "configural"
            lines.append(f"{f}_{s} ~~ {'1' if fixed_var else 'NA'}*{f}_{s}")
            fixed_mean = s == first or step in ("configural", "metric")
            lines.append(f"{f}_{s} ~ {'0' if fixed_mean else 'NA'}*1")
            for it in items:
                v = f"{it}_{s}"
                if thresholds is not None:
                    if step == "scalar":
                        lines.append(f"{v} | " + " + ".join(f"th_{it}_{k}*t{k}" for k in range(1, thresholds[it] + 1)))
                        if s == second:
                            lines.append(f"{v} ~*~ NA*{v}")
                    continue
                lines.append(f"{v} ~ i_{it}*1" if step in ("scalar", "strict") else f"{v} ~ 1")
                if step == "strict":
                    lines.append(f"{v} ~~ e_{it}*{v}")
    for items in factors.values():
        for it in items:
            lines.append(f"{it}_{first} ~~ {it}_{second}")
    return "\n".join(lines)


def _threshold_counts(frame: pd.DataFrame, factors: dict, suffixes, equal: bool) -> dict:
    """Item -> number of thresholds (answers used - 1). Equal thresholds need the same answers from both raters:
    with ``equal``, an item whose raters used different answers is refused, by name."""
    counts, differ = {}, []
    for items in factors.values():
        for it in items:
            used = [sorted(frame[f"{it}_{s}"].dropna().unique().tolist()) for s in suffixes]
            counts[it] = len(used[0]) - 1
            if used[0] != used[1]:
                shown = [", ".join(f"{v:g}" if isinstance(v, float) else str(v) for v in u) for u in used]
                differ.append(f"{it} ({suffixes[0]}: {shown[0]}; {suffixes[1]}: {shown[1]})")
    if equal and differ:
        raise InvalidParameterError(
            f"equal thresholds need the same answers from both raters, and {len(differ)} item(s) differ: "
            f"{'; '.join(differ[:5])}{' ...' if len(differ) > 5 else ''}. Collapse the categories nobody used "
            "into a neighbour, or leave out the scalar step (steps=('configural', 'metric')).")
    return counts


def _from_paired(paired, caller):
    """Wide item frame and factors from :func:`toolkit.pair_raters` output."""
    items = paired.items if isinstance(getattr(paired, "items", None), pd.DataFrame) else paired.items_
    if items.empty:
        raise DataValidationError("the paired ratings share no item (pair_raters().items is empty); rater "
                                  "invariance needs the same items rated by both")
    on = list(paired.on)
    notes = []
    moved = items.loc[items["subscale"] != items["subscale_therapist"], "item"].unique().tolist()
    if moved:
        notes.append(f"items {moved} belong to different subscales in the two forms and were left out")
        items = items.loc[~items["item"].isin(moved)]
    if not items["same_scale"].all():
        notes.append("the forms use different response scales: items are on the POMP metric (0-100) of "
                     "pair_raters, so intercept equality is tested on that common metric")
    names = {lab: safe_name(lab) for lab in items["item"].unique()}
    factors = {}
    for lab, sub in items.drop_duplicates("item")[["item", "subscale"]].itertuples(index=False):
        factors.setdefault(str(sub), []).append(names[lab])
    wide = {}
    for rater in ("client", "therapist"):
        w = items.pivot_table(index=on, columns="item", values=rater, aggfunc="first", dropna=False)
        w = w.rename(columns={c: f"{names[c]}_{rater}" for c in w.columns})
        wide[rater] = w
    frame = wide["client"].join(wide["therapist"], how="outer")
    return frame.reset_index(drop=True), factors, ("client", "therapist"), notes


def rater_invariance(data, instrument=None, *, keys=None, form=None, rater: str = "rater", levels=None,
                     on=("dyad_id",), steps=None, estimator: str = "ML", missing: str | None = None,
                     response_scale=None, ci: float = 0.95) -> RaterInvariance:
    """Measurement invariance across two raters (or occasions) of the same dyads, as one model.

    Parameters
    ----------
    data : PairedRatings or DataFrame
        The output of :func:`toolkit.pair_raters` (client vs therapist; the items both forms share, keyed),
        or a long DataFrame with one row per dyad and rater/occasion, paired by the ``on`` columns.
    instrument, keys, form, response_scale
        For a DataFrame: the items and their subscales (as :func:`cfa_family`).
    rater : str
        For a DataFrame: the column telling the two ratings apart (e.g. ``"rater"`` or ``"session"``).
    levels : pair, optional
        For a DataFrame: the two values of ``rater`` to compare, the first being the reference (default: the
        first two in order of appearance).
    on : sequence of str
        For a DataFrame: the id columns pairing the two ratings (default ``dyad_id``).
    steps : sequence of str, optional
        Which steps, in order. Default all four; with ``estimator="WLSMV"`` configural, metric and scalar.
    estimator : {"ML", "MLR", "WLSMV"}
        ``"WLSMV"`` treats every item as ordinal (thresholds and polychoric correlations, lavaan's delta
        parameterization): see the module docstring for what the scalar step holds equal.
    missing : {"fiml", "listwise"}, optional
        FIML by default for ML and MLR: paired ratings often miss an item on one side, and listwise deletion of
        a 2 x k item model drops many dyads. WLSMV uses the pairs that answered every item (listwise, lavaan's
        default), named in a warning.
    ci : float

    Returns
    -------
    RaterInvariance
        ``table`` (fit per step and the tests against the step before), ``latent_means`` (the second
        rater's factor means and variances at the scalar step, in units of the first rater's factor SD, with
        SEs, and ``r_with_first``: the correlation of the two raters' factors), ``fits``, ``syntax`` (per
        step).

    Notes
    -----
    The model: for raters A and B, x_A = nu + Lambda eta_A + e_A and x_B = nu' + Lambda' eta_B + e_B with
    Cov(e_A,i, e_B,i) free for every item i and every factor of A correlated with every factor of B.
    metric: Lambda = Lambda'; scalar: and nu = nu'; strict: and Var(e_A) = Var(e_B). A's factors are
    identified by mean 0 and variance 1; B's variances are freed at the metric step and its means at the
    scalar step, so B's means are the latent mean differences B - A in SD units of A. The chi-square
    differences are ``lavTestLRT``'s.

    Ordinal items (``estimator="WLSMV"``): the scalar step holds the thresholds equal (an item's two raters must
    have used the same answers) and frees the second rater's scale factors and factor means (module docstring).

    R equivalent: ``lavaan::cfa(paired_syntax(...), data = wide, missing = "ml", meanstructure = TRUE)`` per
    step, ``lavaan::lavTestLRT(...)`` (the R script in ``tests/reference/cfa`` writes the same syntax; for
    ordinal items ``ordered = TRUE, estimator = "WLSMV"``, in ``tests/reference/cfa/ordinal``).

    References
    ----------
    Vandenberg, R. J., & Lance, C. E. (2000). A review and synthesis of the measurement invariance
    literature. Organizational Research Methods, 3, 4-70.
    Widaman, K. F., Ferrer, E., & Conger, R. D. (2010). Factorial invariance within longitudinal structural
    equation models. Child Development Perspectives, 4, 10-18.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(1)
    >>> f = rng.normal(size=(300, 1))
    >>> g = 0.6 * f + 0.8 * rng.normal(size=(300, 1))          # the therapist's view, correlated .6
    >>> items = lambda eta, shift: eta * .8 + shift + rng.normal(scale=.6, size=(300, 3))
    >>> cols = ["q1", "q2", "q3"]
    >>> d = pd.concat([pd.DataFrame(items(f, 0), columns=cols).assign(dyad=range(300), who="client"),
    ...                pd.DataFrame(items(g, .3), columns=cols).assign(dyad=range(300), who="therapist")])
    >>> inv = rater_invariance(d, keys={"alliance": ["q1", "q2", "q3"]}, rater="who", on="dyad")
    >>> inv.table["df"].tolist()
    [5, 7, 9, 12]
    >>> round(float(inv.latent_means["mean"].iloc[0]), 1)   # therapist minus client, in the client's factor SD
    0.6
    """
    ordinal = str(estimator).upper() == "WLSMV"
    steps = invariance_steps(steps, ordinal, caller="rater_invariance")
    if missing is None:
        missing = "listwise" if ordinal else "fiml"
    notes = []
    if type(data).__name__ == "PairedRatings":
        frame, factors, suffixes, extra = _from_paired(data, "rater_invariance")
        notes += extra
        source = "pair_raters (items both forms share, keyed)"
    else:
        if not isinstance(data, pd.DataFrame):
            raise InvalidParameterError(f"The 'data' parameter of rater_invariance() must be pair_raters() output or "
                                        f"a DataFrame; got a {type(data).__name__}.")
        on = [on] if isinstance(on, str) else list(on)
        absent = [c for c in [rater] + on if c not in data.columns]
        if absent:
            raise InvalidParameterError(f"rater_invariance() needs the columns {absent} (rater={rater!r}, on={on}); "
                                        f"the data's columns are {[str(c) for c in data.columns][:20]}.")
        values = list(dict.fromkeys(data[rater].dropna().tolist()))
        levels = list(levels) if levels is not None else values[:2]
        if len(levels) != 2 or any(lv not in values for lv in levels):
            raise InvalidParameterError(f"The 'levels' parameter of rater_invariance() must name two values of "
                                        f"{rater!r} present in the data ({values[:10]}); got {levels!r}.")
        items = item_data(data, instrument, keys=keys, form=form, response_scale=response_scale,
                          caller="rater_invariance")
        factors = items.factors
        suffixes = tuple(_suffix(rater, lv) for lv in levels)
        parts = []
        for lv, sfx in zip(levels, suffixes):
            rows = (data[rater] == lv).to_numpy()
            part = items.frame.loc[rows].copy()
            ids = data.loc[rows, on]
            dup = ids.duplicated(keep=False)
            if dup.any():
                raise DataValidationError(
                    f"{int(dup.sum())} rows with {rater} = {lv!r} repeat their ids {on} (first: "
                    f"{ids.loc[dup].iloc[0].tolist()}); each dyad needs one rating per {rater}",
                    report=data.loc[rows].loc[dup.to_numpy()].reset_index().rename(columns={"index": "row"}))
            part.columns = [f"{c}_{sfx}" for c in part.columns]
            part.index = pd.MultiIndex.from_frame(ids) if len(on) > 1 else pd.Index(ids[on[0]])
            parts.append(part)
        frame = parts[0].join(parts[1], how="inner")
        lost = [len(p) - len(frame) for p in parts]
        if any(lost):
            notes.append(f"{lost[0]} {levels[0]!r} and {lost[1]} {levels[1]!r} ratings have no partner and were "
                         "left out")
        frame = frame.reset_index(drop=True)
        source = items.source
    thresholds = _threshold_counts(frame, factors, suffixes, "scalar" in steps) if ordinal else None
    options = {"ordered": list(frame.columns)} if ordinal else {}
    fits, syntax = {}, {}
    for s in steps:
        syn = paired_syntax(factors, suffixes, s, thresholds)
        syntax[s] = syn
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            fit = CFA(syn, estimator=estimator, missing=missing, ci=ci, meanstructure=True, **options).fit(frame)
        pass_on_step_warnings(caught, s, first=s == steps[0])
        fits[s] = fit
    table = step_table(fits)
    rows = []
    if "scalar" in fits:
        e = fits["scalar"].estimates_
        for f in factors:
            a, b = f"{f}_{suffixes[0]}", f"{f}_{suffixes[1]}"
            m = e[(e["lhs"] == b) & (e["op"] == "~1")].iloc[0]
            var = e[(e["lhs"] == b) & (e["op"] == "~~") & (e["rhs"] == b)]["est"].iloc[0]
            cov = e[(e["op"] == "~~") & (((e["lhs"] == a) & (e["rhs"] == b)) | ((e["lhs"] == b) & (e["rhs"] == a)))]
            r = cov["est"].iloc[0] / np.sqrt(var) if len(cov) and var > 0 else np.nan
            rows.append({"factor": f, "mean": m["est"], "se": m["se"], "z": m["z"], "p": m["p"], "ci_low": m["ci_low"],
                         "ci_high": m["ci_high"], "variance": var, "r_with_first": r})
    lm = pd.DataFrame(rows, columns=["factor", "mean", "se", "z", "p", "ci_low", "ci_high", "variance",
                                     "r_with_first"])
    first = fits[steps[0]]
    notes = [f"items from {source}; raters {suffixes[0]!r} (reference: factor means 0, variances 1) and "
             f"{suffixes[1]!r}; residuals of the same item correlated across raters; missing={missing!r}"] + notes
    if "scalar" in fits:
        notes.append(f"latent_means: the {suffixes[1]!r} factor means at the scalar step are differences from "
                     f"{suffixes[0]!r} in units of its factor SD; interpret them only where scalar invariance holds")
    notes += fit_warnings(fits)
    n = sum(first.n_obs_.values())
    return RaterInvariance(title=f"Invariance across {suffixes[0]} and {suffixes[1]} ({n} pairs)", notes=notes,
                           table=table, latent_means=lm, fits=fits, syntax=syntax)
