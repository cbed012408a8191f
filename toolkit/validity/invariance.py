"""Measurement invariance across independent groups (settings, countries, cohorts), as lavaan's
``group.equal`` sequence: configural, metric (loadings), scalar (loadings and intercepts), strict (and
residual variances), with partial invariance by freeing named parameters.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .._checks import check_choice, warn
from .._results import Result
from ..exceptions import InvalidParameterError
from ..factor.cfa import CFA
from ..factor.cfa.comparison import compare_models
from ._items import item_data
from .families import family_models

__all__ = ["invariance", "Invariance", "STEPS"]

#: the steps and what each holds equal across groups (lavaan's group.equal)
STEPS = {"configural": [], "metric": ["loadings"], "scalar": ["loadings", "intercepts"],
         "strict": ["loadings", "intercepts", "residuals"]}


@dataclass(kw_only=True, repr=False, eq=False)
class Invariance(Result):
    """The invariance sequence: one fitted model per step, and the tests between steps.

    Attributes
    ----------
    table : DataFrame
        One row per step: ``npar``, ``chisq``, ``df``, ``p``, ``cfi``, ``tli``, ``rmsea``, ``rmsea_low``,
        ``rmsea_high``, ``srmr``, ``aic``, ``bic``; against the previous step ``chisq_diff``, ``df_diff``,
        ``p_diff`` (Satorra-Bentler scaled for MLR), ``delta_cfi``, ``delta_rmsea``, ``delta_srmr``; and
        ``cfi_holds`` (delta CFI >= -0.01, Cheung & Rensvold, 2002).
    latent_means : DataFrame
        Factor means (and variances) of the later groups/raters at the scalar step, in units of the first
        group's factor standard deviation: ``group``, ``factor``, ``mean``, ``se``, ``z``, ``p``, ``ci_low``,
        ``ci_high``, ``variance``.
    fits : dict
        Step -> fitted :class:`~toolkit.factor.cfa.CFA`.
    syntax : str or dict
        The model (one string, or one per step for rater invariance).
    """

    table: pd.DataFrame = field(default_factory=pd.DataFrame)
    latent_means: pd.DataFrame = field(default_factory=pd.DataFrame)
    fits: dict = field(default_factory=dict)
    syntax: object = ""
    main = "table"


def step_table(fits: dict) -> pd.DataFrame:
    """Fit of each step and the differences to the step before (lavTestLRT, delta CFI/RMSEA/SRMR)."""
    rows = {}
    for k, f in fits.items():
        fm = f.fit_measures_
        rows[k] = {"npar": int(fm["npar"]), "chisq": fm["chisq"], "df": int(fm["df"]), "p": fm["pvalue"],
                   "cfi": fm["cfi"], "tli": fm["tli"], "rmsea": fm["rmsea"], "rmsea_low": fm["rmsea.ci.lower"],
                   "rmsea_high": fm["rmsea.ci.upper"], "srmr": fm["srmr"], "aic": fm.get("aic", np.nan),
                   "bic": fm.get("bic", np.nan)}
        if "chisq.scaled" in fm:
            rows[k].update({"chisq_scaled": fm["chisq.scaled"], "cfi_robust": fm.get("cfi.robust", np.nan),
                            "rmsea_robust": fm.get("rmsea.robust", np.nan)})
    table = pd.DataFrame.from_dict(rows, orient="index")
    names = list(fits)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lrt = compare_models(*fits.values(), names=names) if len(fits) > 1 else None
    for col in ("chisq_diff", "df_diff", "p_diff", "delta_cfi", "delta_rmsea", "delta_srmr"):
        table[col] = np.nan
    prev = None
    for k in names:
        if prev is not None:
            if lrt is not None:
                table.loc[k, "chisq_diff"] = lrt.loc[k, "chisq_diff"]
                table.loc[k, "df_diff"] = lrt.loc[k, "df_diff"]
                table.loc[k, "p_diff"] = lrt.loc[k, "p"]
            for m, col in (("cfi", "delta_cfi"), ("rmsea", "delta_rmsea"), ("srmr", "delta_srmr")):
                table.loc[k, col] = table.loc[k, m] - table.loc[prev, m]
        prev = k
    table["cfi_holds"] = table["delta_cfi"].isna() | (table["delta_cfi"] >= -0.01)
    return table


def invariance_steps(steps, ordinal: bool, *, caller: str) -> list:
    """The steps asked for, checked; by default all four, or configural, metric and scalar for ordinal items
    (whose residual variances are no parameters in the delta parameterization: no strict step)."""
    steps = list(steps if steps is not None else [s for s in STEPS if not (ordinal and s == "strict")])
    for s in steps:
        check_choice(s, STEPS, param="steps", caller=caller)
    if ordinal and "strict" in steps:
        raise InvalidParameterError(f"{caller}(estimator='WLSMV') tests configural, metric and scalar invariance: "
                                    "the residual variances of ordinal items are no parameters in the delta "
                                    "parameterization, so there is no strict step; pass "
                                    "steps=('configural', 'metric', 'scalar').")
    return steps


def latent_means(fit, groups, lv_names) -> pd.DataFrame:
    """Factor means and variances of the groups after the first (scalar model; the first group's are 0, 1)."""
    e = fit.estimates_
    rows = []
    for g in groups[1:]:
        for f in lv_names:
            m = e[(e["group"] == g) & (e["lhs"] == f) & (e["op"] == "~1")]
            v = e[(e["group"] == g) & (e["lhs"] == f) & (e["op"] == "~~") & (e["rhs"] == f)]
            if m.empty:
                continue
            r = m.iloc[0]
            rows.append({"group": g, "factor": f, "mean": r["est"], "se": r["se"], "z": r["z"], "p": r["p"],
                         "ci_low": r["ci_low"], "ci_high": r["ci_high"],
                         "variance": v["est"].iloc[0] if len(v) else np.nan})
    return pd.DataFrame(rows, columns=["group", "factor", "mean", "se", "z", "p", "ci_low", "ci_high",
                                       "variance"])


def invariance(data, instrument=None, *, group: str, keys=None, form=None, model: str = "correlated",
               steps=None, partial=None, estimator: str = "ML",
               missing: str = "listwise", response_scale=None, ci: float = 0.95) -> Invariance:
    """Measurement invariance across independent groups: configural, metric, scalar, strict.

    Parameters
    ----------
    data : DataFrame
        One row per respondent with the instrument's items and the ``group`` column.
    instrument : str or Instrument, optional
        The instrument whose structure is tested (or ``keys``).
    group : str
        Column holding the groups (in order of first appearance; the first is the reference).
    keys, form, response_scale
        As :func:`cfa_family`.
    model : str
        The structure: a family member (``"correlated"`` by default, ``"one_factor"``, ``"second_order"``,
        ``"bifactor"`` or a declared alternative) or lavaan syntax.
    steps : sequence of str, optional
        Which steps, in order (from ``"configural"``, ``"metric"``, ``"scalar"``, ``"strict"``). Default all
        four; with ``estimator="WLSMV"`` the first three (ordinal items have no strict step, see Notes).
    partial : sequence of str, optional
        Parameters left free across groups (partial invariance), e.g. ``["task=~wai_sr_02", "wai_sr_02~1"]``
        (lavaan's ``group.partial``).
    estimator, missing, ci
        As :class:`toolkit.factor.cfa.CFA`.

    Returns
    -------
    Invariance
        ``table`` (one row per step with the tests against the step before), ``latent_means`` (scalar
        step), ``fits``, ``syntax``.

    Notes
    -----
    Factors are identified by unit variances in the first group (std.lv); lavaan frees the factor variances
    of the later groups once loadings are equal, and their means once intercepts are equal, so the later
    groups' latent means are in units of the first group's factor SD. The chi-square differences are
    ``lavTestLRT``'s (Satorra-Bentler scaled for MLR); a drop in CFI of more than 0.01 (Cheung &
    Rensvold, 2002) or a rise in RMSEA of more than 0.015 (Chen, 2007) is conventionally taken as a loss of
    invariance.

    Ordinal items (``estimator="WLSMV"``): the scalar step holds the thresholds equal (lavaan 0.6-14 ties
    ``intercepts`` and ``thresholds``), which frees the later groups' scale factors (``~*~``) and factor means;
    the differences are lavTestLRT's scaled-shifted ones (Satorra, 2000). The residual variances of ordinal
    items are no parameters in the delta parameterization, so there is no strict step. lavaan 0.6-20 identifies
    the scalar step differently (Wu & Estabrook, 2016; see :class:`~toolkit.factor.cfa.CFA`).

    R equivalent: ``lavaan::cfa(model, data, group = group, std.lv = TRUE, group.equal = ...)`` per step
    and ``lavaan::lavTestLRT(configural, metric, scalar, strict)``.

    References
    ----------
    Cheung, G. W., & Rensvold, R. B. (2002). Evaluating goodness-of-fit indexes for testing measurement
    invariance. Structural Equation Modeling, 9, 233-255.
    Chen, F. F. (2007). Sensitivity of goodness of fit indexes to lack of measurement invariance. Structural
    Equation Modeling, 14, 464-504.
    Satorra, A. (2000). Scaled and adjusted restricted tests in multi-sample analysis of moment structures. In
    R. D. H. Heijmans et al. (Eds.), Innovations in multivariate statistical analysis (pp. 233-247). Kluwer.
    Wu, H., & Estabrook, R. (2016). Identification of confirmatory factor analysis models of different levels
    of invariance for ordered categorical outcomes. Psychometrika, 81, 1014-1045.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> f = rng.normal(size=(400, 2))
    >>> d = pd.DataFrame(np.repeat(f, 3, axis=1) * .7 + rng.normal(scale=.6, size=(400, 6)),
    ...                  columns=["a1", "a2", "a3", "b1", "b2", "b3"]).assign(site=["x", "y"] * 200)
    >>> inv = invariance(d, keys={"A": ["a1", "a2", "a3"], "B": ["b1", "b2", "b3"]}, group="site")
    >>> inv.table["df"].tolist(), bool(inv.table["cfi_holds"].all())
    ([16, 20, 24, 30], True)
    """
    ordinal = str(estimator).upper() == "WLSMV"
    steps = invariance_steps(steps, ordinal, caller="invariance")
    if not isinstance(data, pd.DataFrame):
        raise InvalidParameterError(f"The 'data' parameter of invariance() must be a pandas DataFrame; got a "
                                    f"{type(data).__name__}.")
    if group not in data.columns:
        raise InvalidParameterError(f"The 'group' parameter of invariance() names {group!r}, which is not a column "
                                    "of the data.")
    items = item_data(data, instrument, keys=keys, form=form, response_scale=response_scale, caller="invariance")
    if "\n" in model or "=~" in model:
        syntax, options = model, {"std_lv": True}
    else:
        models = family_models(items.factors, items.alternatives, order=list(items.frame.columns))
        if model not in models:
            raise InvalidParameterError(f"The 'model' parameter of invariance() must be lavaan syntax or one of "
                                        f"{list(models)}; got {model!r}.")
        syntax, options = models[model]["syntax"], models[model]["options"]
    frame = items.frame.copy()
    extra = {"ordered": list(frame.columns)} if ordinal else {}
    frame[group] = data[group].to_numpy()
    fits = {}
    for s in steps:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            fit = CFA(syntax, estimator=estimator, missing=missing, ci=ci, group_equal=STEPS[s],
                      group_partial=partial, **options, **extra).fit(frame, group=group)
        pass_on_step_warnings(caught, s, first=s == steps[0])
        fits[s] = fit
    table = step_table(fits)
    first = fits[steps[0]]
    lv = first._problem.model.lv_names
    lm = latent_means(fits["scalar"], first.groups_, lv) if "scalar" in fits else pd.DataFrame()
    notes = [f"items from {items.source}; groups {first.groups_} (the first is the reference: factor means 0, "
             "variances 1)", "a drop in CFI of more than .01 (Cheung & Rensvold, 2002) or a rise in RMSEA of more "
             "than .015 (Chen, 2007) is conventionally read as a loss of invariance (cfi_holds)"]
    if partial:
        notes.append(f"partial invariance: {list(partial)} free across groups")
    notes += fit_warnings(fits)
    n = sum(first.n_obs_.values())
    return Invariance(title=f"Measurement invariance across {group} ({items.source}, {n} rows)", notes=notes,
                      table=table, latent_means=lm, fits=fits, syntax=syntax)


def fit_warnings(fits: dict) -> list:
    """The notes of the fitted steps that put the comparison in doubt (negative variances, no convergence, a
    covariance matrix that is not positive definite), each prefixed with its step."""
    return [f"{step}: {n}" for step, f in fits.items() for n in f._notes
            if n.startswith(("negative variance", "the model did not converge", "the covariance matrix"))]


def pass_on_step_warnings(caught, step: str, *, first: bool) -> None:
    """Warn again what fitting one step warned, prefixed with the step; deprecations are dropped, and the
    "left out" notes only from the first step (every later step would repeat them)."""
    for w in caught:
        if issubclass(w.category, DeprecationWarning) or (not first and "left out" in str(w.message)):
            continue
        warn(f"{step}: {w.message}", w.category)
