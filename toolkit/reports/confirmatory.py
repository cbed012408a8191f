"""The confirmatory sections of the validation report: the instrument's CFA family and measurement invariance.

Two section builders of :data:`toolkit.reports.validation.SECTIONS` (see that module for the contract):

* :func:`cfa_section` -- :func:`toolkit.validity.cfa_family` on the report's data and instrument (or keys):
  the fit of every member (an APA fit table), the chi-square difference tests of the nested pairs, and the
  standardized loadings of the reference model (the correlated subscales the instrument is scored with);
* :func:`invariance_section` -- :func:`toolkit.validity.invariance` across the groups of a column:
  configural, metric, scalar and strict, with the differences between steps.

Both compute nothing of their own: the tables kept on the report are the results' own frames. A model that
cannot be fitted (not identified, too few rows) or does not converge becomes a note of the report, never a
crash.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd

from ..exceptions import AllianceError, DataValidationError, IncompleteRowsWarning
from .tables import DASH, fmt_bounded, fmt_int, fmt_number, fmt_p

__all__ = ["cfa_section", "invariance_section", "reference_member", "check_members"]

#: what a model that cannot be fitted raises (not identified, too few rows, a singular matrix); anything else
#: the engine raises is caught too, and named by its type, so that one model never costs the whole report
FIT_ERRORS = (Exception,)


def _why(exc: BaseException) -> str:
    return str(exc) if isinstance(exc, (AllianceError, ValueError)) else f"{type(exc).__name__}: {exc}"

#: Hu & Bentler (1999) conventional cut-offs, stated in the text
_CUTOFFS = {"cfi": 0.95, "rmsea": 0.06, "srmr": 0.08}


def _nan(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def _p(p) -> str:
    text = fmt_p(p)
    return text if text.startswith("<") else f"= {text}"


def _fit_text(row) -> str:
    """χ²(df) = x, p = .xx, CFI = .xx, TLI = .xx, RMSEA = .xxx, 90% CI [.xxx, .xxx], SRMR = .xxx"""
    ci = "" if _nan(row["rmsea_low"]) or _nan(row["rmsea_high"]) else \
        f", 90% CI [{fmt_bounded(row['rmsea_low'], 3)}, {fmt_bounded(row['rmsea_high'], 3)}]"
    return (f"χ²({fmt_int(row['df'])}) = {fmt_number(row['chisq'])}, p {_p(row['p'])}, CFI = "
            f"{fmt_bounded(row['cfi'], 3)}, TLI = {fmt_bounded(row['tli'], 3)}, RMSEA = "
            f"{fmt_bounded(row['rmsea'], 3)}{ci}, SRMR = {fmt_bounded(row['srmr'], 3)}")


def _meets(row) -> int:
    return sum(int(bool(ok)) for ok in (row["cfi"] >= _CUTOFFS["cfi"], row["rmsea"] <= _CUTOFFS["rmsea"],
                                        row["srmr"] <= _CUTOFFS["srmr"]))


def _lower(label: str) -> str:
    """A model's label inside a sentence ("One factor" -> "one factor"; "Bond vs Goal+Task" kept but for B)."""
    label = str(label)
    return label[:1].lower() + label[1:]


def reference_member(table: pd.DataFrame) -> str | None:
    """The model the loadings are shown for: the correlated subscales (the structure the instrument is scored
    with), else the one-factor model, else the first member fitted."""
    for name in ("correlated", "one_factor"):
        if name in table.index:
            return name
    return table.index[0] if len(table) else None


def _cfa_inputs(ctx):
    """(data, instrument, keys) for the validity functions: the caller's data and instrument; with keys that
    reverse items, the report's keyed item scores and the keys without their signs."""
    if ctx.instrument is not None:
        return ctx.data, ctx.instrument, None
    keys = {k: ([v] if isinstance(v, str) else list(v)) for k, v in ctx.keys.items()}
    if any(str(i).startswith("-") for v in keys.values() for i in v):
        return ctx.X, None, {k: [str(i).lstrip("-") for i in v] for k, v in keys.items()}
    return ctx.data, None, ctx.keys


def _names(ctx, data, instrument, keys):
    """Display names: factor -> subscale name, item column -> (shown name, label), and the family's members."""
    from ..validity._items import item_data
    from ..validity.families import family_models

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        items = item_data(data, instrument, keys=keys, form=ctx.form, caller="validation_report")
    factor_names, item_names = {}, {}
    if instrument is not None:
        subs = {s.id: s.name for s in instrument.subscales}
        factor_names = {f: subs.get(f, f) for f in items.factors}
        item_names = {c: (c, ctx.labels.get(c, "") or items.labels.get(c, "") or "") for c in items.frame.columns}
    else:
        factor_names = dict(zip(items.factors, keys))
        originals = list(dict.fromkeys(str(c) for cols in keys.values() for c in
                                       ([cols] if isinstance(cols, str) else cols)))
        item_names = {c: (o, "") for c, o in zip(items.frame.columns, originals)}
    models = family_models(items.factors, items.alternatives, order=list(items.frame.columns))
    for _, fac, _ in items.alternatives.values():
        for f in fac:
            factor_names.setdefault(f, f)
    for spec in models.values():
        if "general" in spec:
            factor_names.setdefault(spec["general"], "General")
    return factor_names, item_names, {m: spec["label"] for m, spec in models.items()}


def check_members(ctx) -> None:
    """Refuse, before any analysis runs, member names the instrument's family does not have."""
    from ..exceptions import InvalidParameterError

    chosen = ctx.options["cfa"]
    if chosen is True or chosen is False:
        return
    try:
        all_members = list(_names(ctx, *_cfa_inputs(ctx))[2])
    except FIT_ERRORS:
        return  # the section says why the models cannot be set up
    unknown = [m for m in chosen if m not in all_members]
    if unknown:
        raise InvalidParameterError(f"The 'cfa' parameter of validation_report() names {unknown}; the members of "
                                    f"this family are {all_members} (or pass True or False).")


def _fit_family(ctx, sec, data, instrument, keys, members, missing):
    """cfa_family on every member; when it fails as a whole, each member alone, to name the ones that fail."""
    from ..validity import cfa_family

    kw = {"keys": keys, "form": ctx.form, "missing": missing}
    try:
        return ctx.run("CFA", cfa_family, data, instrument, members=members, **kw)
    except FIT_ERRORS as exc:
        first = exc
    ok, failed = [], []
    # a problem of the data fails every member alike: only a problem of a model is worth fitting each alone
    for m in ([] if isinstance(first, DataValidationError) else members):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                cfa_family(data, instrument, members=[m], **kw)
            ok.append(m)
        except FIT_ERRORS as exc:
            failed.append((m, exc))
    for m, exc in failed:
        ctx.doc.note(f"CFA: the {m} model could not be fitted: {_why(exc)}")
    if not ok:
        sec.paragraph(f"No confirmatory model could be fitted: {_why(first)}")
        ctx.doc.note(f"CFA: no model could be fitted: {_why(first)}")
        return None
    return ctx.run("CFA", cfa_family, data, instrument, members=ok, **kw)


def cfa_section(ctx) -> None:
    """Confirmatory factor analysis of the instrument's model family: fit, nested tests, loadings."""
    o = ctx.options
    if not o["cfa"]:
        ctx.method("No confirmatory factor analysis was run (cfa=False).")
        return
    sec = ctx.results.subsection("Confirmatory Factor Analysis")
    data, instrument, keys = _cfa_inputs(ctx)
    try:
        factor_names, item_names, all_members = _names(ctx, data, instrument, keys)
    except FIT_ERRORS as exc:
        sec.paragraph(f"The confirmatory models could not be set up: {_why(exc)}")
        ctx.doc.note(f"CFA: the models could not be set up: {_why(exc)}")
        return
    members = [m for m in all_members if o["cfa"] is True or m in o["cfa"]]
    model_labels = dict(all_members)
    missing = o["missing"]
    if missing == "auto":
        missing = "fiml" if ctx.X.isna().to_numpy().any() else "listwise"
    ctx.options["cfa_missing"] = missing
    fam = _fit_family(ctx, sec, data, instrument, keys, members, missing) if members else None
    named = {"one_factor": "one factor", "correlated": "correlated subscale factors",
             "second_order": "a second-order general factor over the subscale factors",
             "bifactor": "a bifactor model (a general factor and orthogonal specific factors)"}
    described = [named.get(m, f"the alternative {model_labels[m]}") for m in members]
    ctx.method("Confirmatory factor analyses compared the instrument's model family (" + "; ".join(described) +
               ") by maximum likelihood with factor variances fixed to 1 (lavaan::cfa(..., std.lv = TRUE)), "
               + ("using every observed answer (full-information maximum likelihood, missing = \"fiml\")"
                  if missing == "fiml" else "on the rows that answered every item") +
               ". Fit was judged by χ², CFI, TLI, RMSEA with its 90% confidence interval and SRMR against the "
               "conventional criteria (CFI ≥ .95, RMSEA ≤ .06, SRMR ≤ .08; Hu & Bentler, 1999), and nested models "
               "by chi-square difference tests (lavaan::lavTestLRT).")
    if fam is None:
        return
    ctx.found["cfa_family"] = fam
    t = fam.table
    ctx.tables["cfa"] = t
    ctx.tables["cfa_comparisons"] = fam.comparisons
    trusted = t[t["converged"] & t["admissible"]]
    doubtful = [m for m in t.index if m not in trusted.index]
    ref = reference_member(t)
    refrow = t.loc[ref]
    text = (f"The {_lower(refrow['label'])} model fit with {_fit_text(refrow)}; it met "
            f"{_meets(refrow)} of the three criteria.")
    if len(trusted) > 1 and trusted["bic"].notna().any():
        best = trusted["bic"].idxmin()
        text += f" Among the admissible models the lowest BIC was the {_lower(t.loc[best, 'label'])} model's " \
                f"({fmt_number(t.loc[best, 'bic'])})."
    if doubtful:
        text += " Not converged or not admissible (read with caution, see the notes): " + \
            ", ".join(t.loc[m, "label"] for m in doubtful) + "."
    sec.paragraph(text)
    shown = t.reset_index(names="member")
    shown["label"] = [lab + ("ᵃ" if m in doubtful else "") for m, lab in zip(shown["member"], shown["label"])]
    cols = [("label", "Model", "text"), ("npar", "npar", "int"), ("chisq", "χ²", "number"), ("df", "df", "int"),
            ("p", "p", "p"), ("cfi", "CFI", ("bounded", 3)), ("tli", "TLI", ("bounded", 3)),
            ("rmsea", "RMSEA", ("bounded", 3)), ("rmsea_low", "Lower", ("bounded", 3)),
            ("rmsea_high", "Upper", ("bounded", 3)), ("srmr", "SRMR", ("bounded", 3)), ("aic", "AIC", "number"),
            ("bic", "BIC", "number")]
    cols = [c for c in cols if c[0] in shown.columns]
    sec.table(shown[[c[0] for c in cols]], title="Fit of the Confirmatory Models",
              labels={c: lab for c, lab, _ in cols}, formats={c: f for c, _, f in cols},
              spanners={"RMSEA 90% CI": ["rmsea_low", "rmsea_high"]},
              note="Maximum likelihood" + (" (FIML)" if missing == "fiml" else "") + "; factor variances fixed "
                   "to 1. npar = free parameters; CFI = comparative fit index; TLI = Tucker-Lewis index; RMSEA = "
                   "root mean square error of approximation; SRMR = standardized root mean square residual."
                   + (" ᵃ Did not converge or not admissible (see the notes)." if doubtful else ""))
    comp = fam.comparisons
    if len(comp):
        label = t["label"].to_dict()
        sentences = []
        for r in comp.itertuples():
            worse = "fit significantly worse than" if r.p < .05 else "did not fit significantly worse than"
            sentences.append(f"the {_lower(label[r.restricted])} model {worse} the {_lower(label[r.general])} "
                             f"model, Δχ²({fmt_int(r.df_diff)}) = {fmt_number(r.chisq_diff)}, p {_p(r.p)}, "
                             f"ΔCFI = {fmt_bounded(r.delta_cfi, 3)}")
        sec.paragraph("In the chi-square difference tests of the nested models, " + "; ".join(sentences) + ".")
        shown = comp.copy()
        shown["restricted"] = shown["restricted"].map(label)
        shown["general"] = shown["general"].map(label)
        sec.table(shown, title="Chi-Square Difference Tests of the Nested Models",
                  labels={"restricted": "Restricted model", "general": "General model", "chisq_diff": "Δχ²",
                          "df_diff": "Δdf", "p": "p", "delta_cfi": "ΔCFI", "delta_rmsea": "ΔRMSEA"},
                  formats={"chisq_diff": "number", "df_diff": "int", "p": "p", "delta_cfi": ("bounded", 3),
                           "delta_rmsea": ("bounded", 3)},
                  note="Each restricted model is nested in the general one (lavaan::lavTestLRT). ΔCFI and ΔRMSEA: "
                       "restricted minus general.")
    _omegas(ctx, sec, fam, t)
    _loadings(ctx, sec, fam, ref, factor_names, item_names)


def _omegas(ctx, sec, fam, t) -> None:
    """One row per model: the omega of each of its factors and of the total score (compRelSEM)."""
    om = fam.omega
    ctx.tables["cfa_omega"] = om
    if not len(om):
        return
    wide = om.pivot_table(index="member", columns="factor", values="omega", sort=False)
    wide = wide.reindex([m for m in t.index if m in wide.index])
    factors = [c for c in wide.columns if c != "total"] + (["total"] if "total" in wide.columns else [])
    shown = wide[factors].reset_index()
    shown["member"] = shown["member"].map(t["label"].to_dict())
    labels = {"member": "Model", **{c: f"ω {c}" for c in factors}}
    labels["total"] = "ω total"
    sec.table(shown, title="Omega of the Confirmatory Models", labels=labels,
              formats={"member": "text", **{c: "bounded" for c in factors}},
              note="Omega of each factor's items from the model (semTools::compRelSEM, observed covariances in "
                   "the denominator): in the bifactor model the general factor's omega is omega hierarchical and "
                   "a specific factor's the subscale's hierarchical omega; total = omega total. A dash: the model "
                   "has no such factor.")


def _loadings(ctx, sec, fam, ref, factor_names, item_names) -> None:
    fit = fam.fits[ref]
    est = fit.estimates_
    std = fit.standardized_
    lam = est["op"].to_numpy() == "=~"
    r2 = fit.r2_
    r2 = r2["r2"] if "r2" in r2 else r2.iloc[:, 0]
    table = pd.DataFrame({"factor": est.loc[lam, "lhs"].to_numpy(), "item": est.loc[lam, "rhs"].to_numpy(),
                          "est": est.loc[lam, "est"].to_numpy(), "se": est.loc[lam, "se"].to_numpy(),
                          "p": est.loc[lam, "p"].to_numpy(), "std_all": std.loc[lam, "std_all"].to_numpy(),
                          "std_se": std.loc[lam, "se"].to_numpy(),
                          "r2": [r2.get(i, np.nan) for i in est.loc[lam, "rhs"]]})
    ctx.tables["cfa_loadings"] = table
    label = fam.table.loc[ref, "label"]
    shown = table.copy()
    shown["factor"] = shown["factor"].map(lambda f: factor_names.get(f, f))
    shown["item"] = [item_names.get(i, (i, ""))[0] for i in table["item"]]
    has_labels = any(item_names.get(i, (i, ""))[1] for i in table["item"])
    if has_labels:
        shown.insert(2, "label", [item_names.get(i, (i, ""))[1] for i in table["item"]])
    lo, hi = float(table["std_all"].min()), float(table["std_all"].max())
    text = (f"In the {label.lower()} model the standardized loadings ranged from {fmt_bounded(lo)} to "
            f"{fmt_bounded(hi)}")
    low = table[table["std_all"] < 0.4]
    text += (f"; {len(low)} below .40 ({', '.join(shown.loc[low.index, 'item'])})." if len(low) else
             ", all at least .40.")
    psi = est[(est["op"] == "~~") & (est["lhs"] != est["rhs"]) & est["lhs"].isin(table["factor"]) &
              est["rhs"].isin(table["factor"])]
    if len(psi):
        corr = std.loc[psi.index, "std_all"]
        text += (f" The factor correlations ranged from {fmt_bounded(corr.min())} to {fmt_bounded(corr.max())}."
                 if len(corr) > 1 else f" The factors correlated {fmt_bounded(corr.iloc[0])}.")
    sec.paragraph(text)
    sec.table(shown[[c for c in ["factor", "item", "label", "est", "se", "std_all", "std_se", "r2"]
                     if c in shown.columns]],
              title=f"Loadings of the {label} Model", group="factor",
              labels={"item": "Item", "label": "Label", "est": "λ", "se": "SE", "std_all": "β", "std_se": "SE ",
                      "r2": "R²"},
              formats={"est": "number", "se": "number", "std_all": "bounded", "std_se": "number", "r2": "bounded"},
              note="λ = unstandardized loading (factor variance 1) with its standard error; β = completely "
                   "standardized loading (lavaan's std.all) with its delta-method standard error; R² = variance "
                   "of the item explained.")


def invariance_section(ctx) -> None:
    """Measurement invariance across the groups of a column: configural, metric, scalar, strict."""
    from .._checks import warn
    from ..validity import invariance
    from ..validity.invariance import STEPS

    o = ctx.options
    group = o["group"]
    if group is None:
        return
    sec = ctx.results.subsection(f"Measurement Invariance Across {group}")
    data, instrument, keys = _cfa_inputs(ctx)
    if data is ctx.X:
        data = data.assign(**{"__group__": ctx.data[group].to_numpy()})
        gcol = "__group__"
    else:
        gcol = group
    empty = data[gcol].isna().to_numpy()
    if empty.any():
        rows = [str(r) for r in ctx.data.index[empty]]
        msg = (f"invariance: {len(rows)} row(s) with no value in the group column {group!r} were left out of the "
               f"invariance analysis (and only of it): {rows[:10]}{' ...' if len(rows) > 10 else ''}")
        ctx.doc.note(msg)
        warn(msg, IncompleteRowsWarning)
        data = data.loc[~empty]
    fam = ctx.found.get("cfa_family")
    model = reference_member(fam.table) if fam is not None else "correlated"
    missing = ctx.options.get("cfa_missing") or ("fiml" if ctx.X.isna().to_numpy().any() else "listwise")
    if o["missing"] != "auto":
        missing = o["missing"]
    ctx.method(f"Measurement invariance across the groups of {group!r} was tested in the sequence configural, "
               "metric (equal loadings), scalar (and equal intercepts) and strict (and equal residual variances) "
               "(lavaan::cfa(..., group.equal = ...); semTools::measEq.syntax and compareFit do the same); a drop "
               "in CFI of more than .01 (Cheung & Rensvold, 2002) or a rise in RMSEA of more than .015 (Chen, "
               "2007) was read as a loss of invariance"
               + ("; missing answers by full-information maximum likelihood." if missing == "fiml" else
                  "; rows with a missing item were left out (listwise)."))
    try:
        inv = ctx.run("invariance", invariance, data, instrument, keys=keys, form=ctx.form, group=gcol,
                      model=model or "correlated", missing=missing)
    except FIT_ERRORS as exc:
        sec.paragraph(f"Measurement invariance across {group!r} could not be tested: {_why(exc)}")
        ctx.doc.note(f"invariance: not tested: {_why(exc)}")
        return
    ctx.found["invariance"] = inv
    t = inv.table
    ctx.tables["invariance"] = t
    holds = []
    for step in t.index[1:]:
        ok = bool(t.loc[step, "cfi_holds"]) and not (t.loc[step, "delta_rmsea"] > 0.015)
        if not ok:
            break
        holds.append(step)
    groups = inv.fits[t.index[0]].groups_
    n = {str(g): int(v) for g, v in inv.fits[t.index[0]].n_obs_.items()} if isinstance(
        inv.fits[t.index[0]].n_obs_, dict) else {}
    sizes = ", ".join(f"{g} (n = {v})" for g, v in n.items()) if n else ", ".join(map(str, groups))
    text = f"The groups were {sizes}. The configural model fit with {_fit_text(t.iloc[0])}. "
    if holds:
        text += f"Invariance held up to the {holds[-1]} level (ΔCFI ≥ −.01 and ΔRMSEA ≤ .015 at each step"
        text += ")"
        significant = [s for s in holds if t.loc[s, "p_diff"] < .05]
        if significant:
            text += (", although the chi-square difference was significant at the " + ", ".join(
                f"{s} step (p {_p(t.loc[s, 'p_diff'])})" for s in significant))
    else:
        text += "Metric invariance did not hold" if len(t) > 1 else "Only the configural model was fitted"
    nxt = [s for s in t.index[1:] if s not in holds]
    if nxt:
        r = t.loc[nxt[0]]
        text += (f"; at the {nxt[0]} step ΔCFI = {fmt_bounded(r['delta_cfi'], 3)}, ΔRMSEA = "
                 f"{fmt_bounded(r['delta_rmsea'], 3)}, Δχ²({fmt_int(r['df_diff'])}) = {fmt_number(r['chisq_diff'])}, "
                 f"p {_p(r['p_diff'])}")
    text += "."
    if "scalar" in holds and len(inv.latent_means):
        parts = [f"{lm.group}, {lm.factor}: {fmt_number(lm.mean)} (SE {fmt_number(lm.se)}, p {_p(lm.p)})"
                 for lm in inv.latent_means.itertuples()]
        text += (" With scalar invariance the latent means can be compared (the first group's are 0, in its "
                 "factor standard deviations): " + "; ".join(parts) + ".")
    sec.paragraph(text)
    shown = t.reset_index(names="step")
    shown["held"] = ["" if i == 0 else ("yes" if s in holds else "no") for i, s in enumerate(shown["step"])]
    cols = [("step", "Step", "text"), ("chisq", "χ²", "number"), ("df", "df", "int"), ("cfi", "CFI", ("bounded", 3)),
            ("rmsea", "RMSEA", ("bounded", 3)), ("srmr", "SRMR", ("bounded", 3)), ("chisq_diff", "Δχ²", "number"),
            ("df_diff", "Δdf", "int"), ("p_diff", "p", "p"), ("delta_cfi", "ΔCFI", ("bounded", 3)),
            ("delta_rmsea", "ΔRMSEA", ("bounded", 3)), ("held", "Held", "text")]
    held = {s: ", ".join(STEPS[s]) or "nothing" for s in STEPS}
    sec.table(shown[[c[0] for c in cols]], title=f"Measurement Invariance Across {group}",
              labels={c: lab for c, lab, _ in cols}, formats={c: f for c, _, f in cols},
              spanners={"Against the step before": ["chisq_diff", "df_diff", "p_diff", "delta_cfi", "delta_rmsea"]},
              note="Held equal across groups: " + "; ".join(f"{s}: {held[s]}" for s in t.index if s in held) +
                   ". Held = ΔCFI ≥ −.01 and ΔRMSEA ≤ .015 at this step and every step before. " + DASH +
                   " = not applicable.")
