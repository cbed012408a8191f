"""Planning tests of a model: the CFA family comparison and paired client-therapist invariance.

Each is an analysis of :mod:`toolkit.planning.analyses` whose estimate is a chi-square difference and whose
``p`` is its test, so that :func:`toolkit.plan` reports ``power`` as the share of replications rejecting the
restricted model at ``alpha``; the fits are the toolkit's own (:class:`toolkit.factor.cfa.CFA` on the models of
:func:`toolkit.cfa_family` and :func:`toolkit.rater_invariance`), so a planned test is the test the study will run.

``cfa_family``
    Options ``members`` (default ``("one_factor", "correlated")``: the simpler member first; the test is the
    first against the second, which must nest it), ``criterion`` (``"bic"``, ``"aic"`` or ``"fit"``),
    ``cfi`` and ``rmsea`` (the cut-offs of ``"fit"``, default .95 and .06) and ``estimator`` (``"ML"``,
    ``"MLR"`` or ``"WLSMV"``). Each replication fits only the members named; the member the criterion chooses is
    its ``choice``.
``invariance_metric``, ``invariance_scalar``
    Option ``estimator`` (``"ML"`` or ``"MLR"``). Equal loadings against the configural model, equal intercepts
    against equal loadings, in the paired model of :func:`toolkit.rater_invariance` (both raters' factors, the
    residuals of the same item correlated across raters). When both are planned each replication fits the three
    steps once.

What a replication costs: only the members named (or the invariance steps needed) are fitted, each once. The
engine computes standard errors with every fit; for ML they come from the inverse expected information, about 1%
of a fit's time here (measured on WAI-SR at n = 200), so no option to skip them was added. Starting values from
the plan's large reference draw were measured too and are not used: the engine's own starting values reach the
optimum of these models in 6-13 Fisher-scoring iterations, the population's values saved at most one iteration
and no time, and did not rescue the fits that fail at small n (Heywood cases, the same with either start).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from .._checks import check_choice, check_number
from ..exceptions import InvalidParameterError
from .analyses import analysis

__all__ = ["CRITERIA"]

#: how ``cfa_family`` chooses a member: lowest BIC, lowest AIC, or the simplest member meeting the cut-offs
CRITERIA = ("bic", "aic", "fit")
_ESTIMATORS = ("ML", "MLR", "WLSMV")


def _family(population, caller: str = "plan"):
    """The instrument's family (member -> syntax and options) and its nested pairs, from the item columns."""
    from ..validity._items import item_data
    from ..validity.families import family_models, nested_pairs

    sample = population.draw(2, np.random.default_rng(0))   # the columns only: its own stream, no plan's
    items = item_data(sample, population.instrument, form=population.form, caller=caller)
    models = family_models(items.factors, items.alternatives, order=list(items.frame.columns))
    return models, nested_pairs(items.alternatives)


def _check_family(options: dict, population) -> dict:
    caller = "plan"
    out = dict(options)
    out["criterion"] = check_choice(str(options["criterion"]).lower(), CRITERIA, param="options['cfa_family']"
                                    "['criterion']", caller=caller)
    out["estimator"] = check_choice(options["estimator"], _ESTIMATORS, param="options['cfa_family']['estimator']",
                                    caller=caller, case=False)
    out["cfi"] = check_number(options["cfi"], param="options['cfa_family']['cfi']", caller=caller, low=0, high=1)
    out["rmsea"] = check_number(options["rmsea"], param="options['cfa_family']['rmsea']", caller=caller, low=0)
    if out["estimator"] == "WLSMV" and out["criterion"] != "fit":
        raise InvalidParameterError(f"options['cfa_family'] of {caller}(): criterion {out['criterion']!r} needs a "
                                    "likelihood, which WLSMV has not; pass criterion='fit' (CFI and RMSEA cut-offs) "
                                    "or estimator='ML'.")
    models, pairs = _family(population)
    members = options["members"]
    if members is None:
        if "correlated" not in models:
            raise InvalidParameterError(
                f"options['cfa_family'] of {caller}(): {population.instrument.id} has one subscale, so its family "
                f"has no correlated-factors model to test the one factor against; name two members of "
                f"{list(models)} in 'members' (the simpler first).")
        members = ("one_factor", "correlated")
    members = [members] if isinstance(members, str) else list(members)
    unknown = [m for m in members if m not in models]
    if unknown or len(members) < 2 or len(set(members)) != len(members):
        raise InvalidParameterError(f"options['cfa_family']['members'] of {caller}() must name two or more distinct "
                                    f"members of the {population.instrument.id} family {list(models)}, the simpler "
                                    f"first; got {options['members']!r}.")
    if (members[0], members[1]) not in pairs:
        nested = [f"{a} within {b}" for a, b in pairs if a in models and b in models]
        raise InvalidParameterError(f"options['cfa_family']['members'] of {caller}(): {members[0]!r} is not nested "
                                    f"in {members[1]!r}, so their chi-square difference is no test; the first two "
                                    f"members must be a nested pair: {', '.join(nested)}.")
    out["members"] = tuple(members)
    out["models"] = {m: models[m] for m in members}
    return out


def _indices(fit, estimator: str) -> tuple[float, float]:
    fm = fit.fit_measures_
    if estimator != "ML" and np.isfinite(fm.get("cfi.robust", np.nan)):
        return float(fm["cfi.robust"]), float(fm.get("rmsea.robust", np.nan))
    return float(fm["cfi"]), float(fm["rmsea"])


def _choose(fits: dict, options: dict) -> str:
    ok = {m: f for m, f in fits.items() if f.converged_}
    if not ok:
        return ""
    if options["criterion"] in ("bic", "aic"):
        key = options["criterion"]
        values = {m: float(f.fit_measures_[key]) for m, f in ok.items()}
        return min(values, key=values.get)
    good = []
    for m, f in ok.items():
        cfi, rmsea = _indices(f, options["estimator"])
        if cfi >= options["cfi"] and rmsea <= options["rmsea"]:
            good.append((int(f.fit_measures_["npar"]), list(fits).index(m), m))
    return min(good)[2] if good else "none"


@analysis("cfa_family", test=True, check=_check_family,
          options={"members": None, "criterion": "bic", "cfi": 0.95, "rmsea": 0.06, "estimator": "ML"},
          estimates="chi-square difference of two CFA family members (the first restricts the second); choice: the "
                    "member the criterion picks")
def _cfa_family(data: pd.DataFrame, population, ci: float, state: dict, options: dict) -> dict:
    from ..factor.cfa import CFA
    from ..factor.cfa.comparison import compare_models
    from ..validity._items import item_data

    frame = item_data(data, population.instrument, form=population.form, caller="plan").frame
    extra = {"ordered": list(frame.columns)} if options["estimator"] == "WLSMV" else {}
    fits = {m: CFA(spec["syntax"], estimator=options["estimator"], ci=ci, **spec["options"], **extra).fit(frame)
            for m, spec in options["models"].items()}
    restricted, general = options["members"][:2]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")   # a negative scaled difference is reported through its NaN p
        row = compare_models(fits[general], fits[restricted], names=[general, restricted]).loc[restricted]
    return {"estimate": float(row["chisq_diff"]), "ci_low": np.nan, "ci_high": np.nan, "p": float(row["p"]),
            "converged": bool(fits[restricted].converged_ and fits[general].converged_),
            "choice": _choose(fits, options)}


def _check_rater(name: str):
    def check(options: dict, population) -> dict:
        out = dict(options)
        out["estimator"] = check_choice(options["estimator"], ("ML", "MLR"), param=f"options[{name!r}]['estimator']",
                                        caller="plan", case=False)
        return out
    return check


def _rater_step(step: str, data: pd.DataFrame, population, ci: float, state: dict, options: dict) -> dict:
    from ..validity.raters import rater_invariance

    cache = state.setdefault("replication", {})
    key = ("rater_invariance", options["estimator"])
    if key not in cache:
        # simulated dyads are complete: listwise and FIML give the same estimates and tests, listwise faster
        cache[key] = rater_invariance(data, population.instrument, form=population.form, rater="rater",
                                      levels=("client", "therapist"), on=("dyad_id",),
                                      steps=state.get("rater_steps", ("configural", "metric", "scalar")),
                                      estimator=options["estimator"], missing="listwise", ci=ci)
    inv = cache[key]
    row = inv.table.loc[step]
    prev = inv.table.index[list(inv.table.index).index(step) - 1]
    return {"estimate": float(row["chisq_diff"]), "ci_low": np.nan, "ci_high": np.nan, "p": float(row["p_diff"]),
            "converged": bool(inv.fits[step].converged_ and inv.fits[prev].converged_)}


@analysis("invariance_metric", raters=2, test=True, options={"estimator": "ML"},
          check=_check_rater("invariance_metric"),
          estimates="chi-square difference: equal loadings for client and therapist vs the configural model")
def _invariance_metric(data: pd.DataFrame, population, ci: float, state: dict, options: dict) -> dict:
    return _rater_step("metric", data, population, ci, state, options)


@analysis("invariance_scalar", raters=2, test=True, options={"estimator": "ML"},
          check=_check_rater("invariance_scalar"),
          estimates="chi-square difference: equal intercepts for client and therapist vs equal loadings")
def _invariance_scalar(data: pd.DataFrame, population, ci: float, state: dict, options: dict) -> dict:
    return _rater_step("scalar", data, population, ci, state, options)
