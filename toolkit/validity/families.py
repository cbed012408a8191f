"""CFA model families built from an instrument's definition, fitted and compared in one call.

An instrument's subscales give the members:

``one_factor``
    every item on one general factor;
``correlated``
    one factor per subscale, factors correlated (the structure the instrument is scored with);
``second_order``
    the subscale factors explained by one higher-order factor (three or more subscales);
``bifactor``
    a general factor on every item plus one specific factor per subscale, all factors uncorrelated (three
    or more subscales);

and every alternative the definition declares (``factor_alternatives``, e.g. WAI-SR's Bond vs
Goal+Task). Factors are identified by fixing their variances to 1 (lavaan's ``std.lv = TRUE``), so the
loadings are on the items' own scale and the omegas come straight from them.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .._results import Result
from ..factor.cfa import CFA
from ..factor.cfa.comparison import compare_models
from ..factor.cfa.composite import composite_reliability
from ._items import item_data

__all__ = ["cfa_family", "CfaFamily", "family_models", "nested_pairs", "MEMBERS"]

MEMBERS = ("one_factor", "correlated", "second_order", "bifactor")
_LABELS = {"one_factor": "One factor", "correlated": "Correlated factors", "second_order": "Second-order factor",
           "bifactor": "Bifactor"}


def _line(factor, items):
    return f"{factor} =~ " + " + ".join(items)


def family_models(factors: dict, alternatives: dict | None = None, *, general: str = "general",
                  order=None) -> dict:
    """lavaan syntax and options of every family member: ``{member: {"syntax", "options", "label"}}``.

    ``factors`` maps subscales to item columns; ``alternatives`` maps an alternative's id to ``(name,
    {factor: [columns]}, source)``; ``order`` is the order of the items on the general factor (default: as
    the subscales list them).
    """
    names = set(factors) | {c for cols in factors.values() for c in cols}
    while general in names:
        general = general + "_factor"
    items = list(dict.fromkeys(c for cols in factors.values() for c in cols))
    if order is not None:
        rank = {c: k for k, c in enumerate(order)}
        items = sorted(items, key=lambda c: rank.get(c, len(rank)))
    subs = [_line(f, cols) for f, cols in factors.items()]
    out = {"one_factor": {"syntax": _line(general, items), "options": {"std_lv": True},
                          "label": _LABELS["one_factor"], "general": general}}
    if len(factors) >= 2:
        out["correlated"] = {"syntax": "\n".join(subs), "options": {"std_lv": True},
                             "label": f"{_LABELS['correlated']} ({len(factors)})"}
    if len(factors) >= 3:
        out["second_order"] = {"syntax": "\n".join(subs + [_line(general, list(factors))]),
                               "options": {"std_lv": True}, "label": _LABELS["second_order"], "general": general}
        out["bifactor"] = {"syntax": "\n".join([_line(general, items)] + subs),
                           "options": {"std_lv": True, "orthogonal": True}, "label": _LABELS["bifactor"],
                           "general": general}
    for alt_id, (name, fac, source) in (alternatives or {}).items():
        out[alt_id] = {"syntax": "\n".join(_line(f, cols) for f, cols in fac.items()), "options": {"std_lv": True},
                       "label": name, "source": source}
    return out


#: nested pairs (restricted, general) tested when both are fitted; alternatives are added per instrument
_NESTED = [("one_factor", "correlated"), ("one_factor", "bifactor"), ("second_order", "bifactor"),
           ("second_order", "correlated")]


def nested_pairs(alternatives: dict | None = None) -> list:
    """The nested pairs ``(restricted, general)`` of a family: the fixed ones, then each declared alternative
    within correlated factors and the one factor within it."""
    pairs = list(_NESTED)
    for alt in alternatives or {}:
        pairs += [(alt, "correlated"), ("one_factor", alt)]
    return pairs


@dataclass(kw_only=True, repr=False, eq=False)
class CfaFamily(Result):
    """Every member of a CFA model family, fitted to the same rows and compared.

    Attributes
    ----------
    table : DataFrame
        One row per member: ``label``, ``npar``, ``chisq``, ``df``, ``p``, ``cfi``, ``tli``, ``rmsea``,
        ``rmsea_low``, ``rmsea_high``, ``srmr``, ``aic``, ``bic`` (and for MLR ``chisq_scaled``,
        ``cfi_robust``, ``tli_robust``, ``rmsea_robust``), ``converged``, ``admissible`` (no negative variance
        and positive-definite factor covariances).
    comparisons : DataFrame
        Chi-square difference tests of nested pairs (``restricted`` vs ``general``): ``chisq_diff``,
        ``df_diff``, ``p`` (scaled for MLR, as ``lavTestLRT``), ``delta_cfi``, ``delta_rmsea``.
    omega : DataFrame
        ``semTools::compRelSEM`` of each member: ``member``, ``factor``, ``omega``, ``n_items``, ``kind``.
    fits : dict
        Member -> the fitted :class:`~toolkit.factor.cfa.CFA`.
    syntax : dict
        Member -> its lavaan model string.
    """

    table: pd.DataFrame = field(default_factory=pd.DataFrame)
    comparisons: pd.DataFrame = field(default_factory=pd.DataFrame)
    omega: pd.DataFrame = field(default_factory=pd.DataFrame)
    fits: dict = field(default_factory=dict)
    syntax: dict = field(default_factory=dict)
    main = "table"


def _row(fit, label) -> dict:
    fm = fit.fit_measures_
    row = {"label": label, "npar": int(fm["npar"]), "chisq": fm["chisq"], "df": int(fm["df"]), "p": fm["pvalue"],
           "cfi": fm["cfi"], "tli": fm["tli"], "rmsea": fm["rmsea"], "rmsea_low": fm["rmsea.ci.lower"],
           "rmsea_high": fm["rmsea.ci.upper"], "srmr": fm["srmr"], "aic": fm.get("aic", np.nan),
           "bic": fm.get("bic", np.nan)}
    if "chisq.scaled" in fm:
        row.update({"chisq_scaled": fm["chisq.scaled"], "cfi_robust": fm.get("cfi.robust", np.nan),
                    "tli_robust": fm.get("tli.robust", np.nan), "rmsea_robust": fm.get("rmsea.robust", np.nan)})
    row["converged"] = bool(fit.converged_)
    row["admissible"] = not any(("negative variance" in n) or ("not positive definite" in n) for n in fit._notes)
    return row


def cfa_family(data, instrument=None, *, keys=None, form=None, members=None, estimator: str = "ML",
               missing: str = "listwise", response_scale=None, ci: float = 0.95) -> CfaFamily:
    """Fit every member of an instrument's CFA family (see the module) and compare them.

    Parameters
    ----------
    data : DataFrame
        One row per administration, the instrument's item columns (matched as :func:`toolkit.score`
        matches them; reverse-keyed items are reversed before fitting).
    instrument : str or Instrument, optional
        E.g. ``"wai-sr"``: its subscales and declared ``factor_alternatives`` give the members.
    keys : mapping, optional
        Instead of an instrument: ``{subscale: [item columns]}`` (``-item`` reverse-keyed, with
        ``response_scale``).
    form : str, optional
        The instrument's form (default its first).
    members : sequence of str, optional
        Which members to fit (default all that apply).
    estimator, missing, ci
        As :class:`toolkit.factor.cfa.CFA` (``"ML"``, ``"MLR"`` or ``"WLSMV"``, which treats every item as
        ordinal; ``"listwise"`` or ``"fiml"``).
    response_scale : (min, max), optional
        For reversing keyed items given by ``keys``.

    Returns
    -------
    CfaFamily
        ``table`` (fit of each member), ``comparisons`` (nested chi-square differences), ``omega``
        (compRelSEM per member), ``fits``, ``syntax``.

    Notes
    -----
    Every member is fitted to the same rows (with ``missing="listwise"``, rows missing any item are left
    out of all members alike, named in one warning). Nested pairs: one factor within correlated factors
    (all factor correlations 1), each alternative within correlated factors (merged subscales correlate 1)
    and one factor within each alternative, one factor and second-order within the bifactor model (Yung,
    Thissen & McLeod, 1999), second-order within correlated factors when there are four or more
    subscales. A one-factor model sits on the boundary of the correlated model (correlations of 1), so its
    chi-square difference is conservative. omega: ``semTools::compRelSEM(fit, return.total = TRUE)`` (with
    ``higher = "general"`` for the second-order model); with ``estimator="WLSMV"`` Green & Yang's (2009) omega
    of ordinal items (compRelSEM's ``ord.scale`` route), without the second-order factor's.

    R equivalent: ``lavaan::cfa(<member>, data, std.lv = TRUE)`` for each member (``orthogonal = TRUE``
    for the bifactor model), ``lavTestLRT()`` for the pairs and ``semTools::compRelSEM()``.

    References
    ----------
    Hatcher, R. L., & Gillaspy, J. A. (2006). Development and validation of a revised short version of the
    Working Alliance Inventory. Psychotherapy Research, 16, 12-25.
    Yung, Y.-F., Thissen, D., & McLeod, L. D. (1999). On the relationship between the higher-order factor
    model and the hierarchical factor model. Psychometrika, 64, 113-128.

    Examples
    --------
    >>> import warnings, toolkit
    >>> s1 = toolkit.load_sample("wai_sr_sessions").query("session == 1")
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")   # 43 rows with a missing item are left out (named in the warning)
    ...     fam = cfa_family(s1, "wai-sr")
    >>> list(fam.table.index)
    ['one_factor', 'correlated', 'second_order', 'bifactor', 'bond_vs_goal_task']
    >>> int(fam.table.loc["correlated", "df"]), round(float(fam.table.loc["correlated", "cfi"]), 3)
    (51, 0.972)
    """
    items = item_data(data, instrument, keys=keys, form=form, response_scale=response_scale, caller="cfa_family")
    models = family_models(items.factors, items.alternatives, order=list(items.frame.columns))
    if members is not None:
        unknown = [m for m in members if m not in models]
        if unknown:
            from ..exceptions import InvalidParameterError

            raise InvalidParameterError(f"The 'members' parameter of cfa_family() names {unknown}; the members of "
                                        f"this family are {list(models)}.")
        models = {m: models[m] for m in members}
    frame = items.frame
    notes = [f"items from {items.source}; factors identified by unit variances (std.lv); estimator {estimator}"]
    if missing == "listwise":
        complete = frame.notna().all(axis=1)
        if not complete.all():
            from .._checks import warn
            from ..exceptions import IncompleteRowsWarning

            dropped = frame.index[~complete.to_numpy()]
            msg = (f"{len(dropped)} row(s) with a missing item were left out of every member (lavaan's listwise "
                   f"default): {[str(r) for r in dropped[:10]]}{' ...' if len(dropped) > 10 else ''}; pass "
                   "missing='fiml' to use them")
            warn(msg, IncompleteRowsWarning)
            notes.append(msg)
            frame = frame.loc[complete.to_numpy()]
    ordinal = str(estimator).upper() == "WLSMV"
    extra = {"ordered": list(frame.columns)} if ordinal else {}
    if ordinal:
        notes.append("WLSMV: every item ordinal (thresholds and polychoric correlations); chi-square differences "
                     "are lavaan's scaled-shifted satorra.2000; omegas are Green & Yang's for ordinal items (on the "
                     "response scale, semTools' ord.scale), without the second-order factor's")
    fits, rows, omegas = {}, {}, []
    for name, spec in models.items():
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            fit = CFA(spec["syntax"], estimator=estimator, missing=missing, ci=ci, **spec["options"],
                      **extra).fit(frame)
        for w in caught:
            if not issubclass(w.category, DeprecationWarning):
                from .._checks import warn

                warn(f"{name}: {w.message}", w.category)
        fits[name] = fit
        rows[name] = _row(fit, spec["label"])
        for n in fit._notes:
            if n.startswith(("negative variance", "the model did not converge", "the covariance matrix")):
                notes.append(f"{name}: {n}")
        higher = [spec["general"]] if name == "second_order" and not ordinal else []
        om = composite_reliability(fit, higher=higher, total=True)
        om.insert(0, "member", name)
        omegas.append(om)
    table = pd.DataFrame.from_dict(rows, orient="index")
    pairs = nested_pairs(items.alternatives)
    comp = []
    for restricted, general in pairs:
        if restricted in fits and general in fits:
            a, b = fits[restricted], fits[general]
            if a.test_["df"] == b.test_["df"]:
                continue
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                t = compare_models(b, a, names=[general, restricted])
            r = t.iloc[1]
            comp.append({"restricted": restricted, "general": general, "chisq_diff": r["chisq_diff"],
                         "df_diff": int(r["df_diff"]), "p": r["p"],
                         "delta_cfi": a.fit_measures_["cfi"] - b.fit_measures_["cfi"],
                         "delta_rmsea": a.fit_measures_["rmsea"] - b.fit_measures_["rmsea"]})
    comparisons = pd.DataFrame(comp, columns=["restricted", "general", "chisq_diff", "df_diff", "p", "delta_cfi",
                                              "delta_rmsea"])
    if "one_factor" in fits and "correlated" in fits and not ordinal:
        notes.append("one factor vs correlated factors: the one-factor model sets the factor correlations to 1, on "
                     "the boundary of the parameter space; the chi-square difference is conservative there")
    if estimator.upper() == "MLR":
        notes.append("chi-square differences are Satorra-Bentler (2001) scaled, as lavTestLRT for MLR")
    if not ordinal:
        notes.append("omega: semTools::compRelSEM(fit, return.total = TRUE) on each member (observed covariances); "
                     "in the bifactor model the general factor's omega is omega hierarchical, a specific factor's "
                     "the subscale's hierarchical omega, total is omega total")
    title = f"CFA family ({items.source}, {len(frame)} rows)"
    return CfaFamily(title=title, notes=notes, table=table, comparisons=comparisons,
                     omega=pd.concat(omegas, ignore_index=True) if omegas else
                     pd.DataFrame(columns=["member", "factor", "omega", "n_items", "kind"]), fits=fits,
                     syntax={k: v["syntax"] for k, v in models.items()})
