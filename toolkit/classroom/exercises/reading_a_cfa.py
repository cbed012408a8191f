"""Exercise: reading a confirmatory factor analysis.

Each student gets 400 respondents' answers to 8 to 15 items of a questionnaire with two or three correlated
subscales (``task``, ``bond``, ``goal``), the items in shuffled order, and the key saying which items belong to
which subscale. Steps: the fit of a one-factor model and of the correlated-factors model (CFI, RMSEA, SRMR),
the chi-square difference test, which model the data support, a standardized loading and a factor correlation.

Every expected value comes from ``toolkit.cfa`` (ML, lavaan's defaults: the first loading of each factor fixed
to 1) and ``toolkit.compare_models`` on the student's data. Values a student reads off a printed table (three
decimals) are accepted within 0.001, the chi-square difference within 0.01.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...samples.model import FACETS
from ..base import Built, ExerciseSpec, Step
from ._common import factor_items

N_RESPONDENTS = 400
#: the fit measures the two fit steps ask for, in this order
FIT = ["cfi", "rmsea", "srmr"]
MODELS = ("one-factor", "correlated")
READ = 1e-3   # a value read off a table printed with three decimals


def build(rand) -> Built:
    data, items, factor, truth = factor_items(rand, N_RESPONDENTS, corr=(0.30, 0.50), loading=(0.55, 0.80),
                                              label=lambda f: FACETS[f])
    m = truth["n_factors"]
    names = list(FACETS[:m])
    key = {f: [it for it, g in zip(items, factor) if g == i] for i, f in enumerate(names)}
    pair = sorted(rand.permutation(m)[:2].tolist())
    given = {"items": items, "factors": key, "item": rand.choice(items),
             "factor_pair": (names[pair[0]], names[pair[1]]), "response_scale": (1, 5)}
    return Built(data, given, truth)


def one_factor_syntax(ex) -> str:
    """``general =~ i01 + i02 + ...``: every item on one factor."""
    return "general =~ " + " + ".join(ex.given["items"])


def correlated_syntax(ex) -> str:
    """One line per subscale, ``task =~ i02 + i05 + ...``, in the order of the key (factors correlate freely)."""
    return "\n".join(f"{f} =~ " + " + ".join(items) for f, items in ex.given["factors"].items())


def _fit(ex, which: str, std_lv: bool = False):
    from ...factor.cfa import cfa

    syntax = one_factor_syntax(ex) if which == "one-factor" else correlated_syntax(ex)
    return ex._memo(("cfa", which, std_lv), lambda: cfa(ex.original, syntax, std_lv=std_lv))


def _comparison(ex) -> pd.DataFrame:
    from ...factor.cfa import compare_models

    return ex._memo(("compare",), lambda: compare_models(_fit(ex, "correlated"), _fit(ex, "one-factor"),
                                                         names=["correlated", "one-factor"]))


def fit_of(ex, which: str) -> pd.Series:
    out = _fit(ex, which).fit_measures_[FIT].astype(float)
    out.index.name = "fit measure"
    return out


def _fit_mistakes(which: str):
    other = MODELS[1 - MODELS.index(which)]

    def mistakes(ex):
        right = fit_of(ex, which)
        fm = _fit(ex, which).fit_measures_
        out = [(fit_of(ex, other), f"These are the {other} model's values: read the fit of the {which} model."),
               (pd.Series([fm["tli"], fm["rmsea"], fm["srmr"]], index=right.index),
                "The first value is the TLI (Tucker-Lewis index), not the CFI (comparative fit index)."),
               (pd.Series([fm["cfi"], fm["rmsea.ci.upper"], fm["srmr"]], index=right.index),
                "The second value is the upper end of RMSEA's confidence interval, not the RMSEA itself.")]
        return _distinct(out, right, READ)
    return mistakes


def _distinct(mistakes, right, tolerance):
    """Only the mistakes that give another answer than the right one (a coincidence is no mistake)."""
    r = np.asarray(right, dtype=float)
    return [(v, h) for v, h in mistakes if np.max(np.abs(np.asarray(v, dtype=float) - r)) > tolerance]


def chisq_diff(ex) -> float:
    return float(_comparison(ex).loc["one-factor", "chisq_diff"])


def _chisq_mistakes(ex):
    one, corr = (float(_fit(ex, w).fit_measures_["chisq"]) for w in MODELS)
    out = [(one, "That is the one-factor model's chi-square alone; the test statistic is the difference of the "
                 "two models' chi-squares."),
           (corr, "That is the correlated-factors model's chi-square alone; the test statistic is the difference "
                  "of the two models' chi-squares."),
           (one + corr, "The test statistic is the difference of the two chi-squares, not their sum.")]
    return _distinct(out, chisq_diff(ex), 0.01)


def df_diff(ex) -> int:
    return int(round(float(_comparison(ex).loc["one-factor", "df_diff"])))


def _df_mistakes(ex):
    one, corr = (int(round(float(_fit(ex, w).fit_measures_["df"]))) for w in MODELS)
    out = [(one, "That is the one-factor model's degrees of freedom; the test has the difference of the two "
                 "models' degrees of freedom."),
           (corr, "That is the correlated-factors model's degrees of freedom; the test has the difference of the "
                  "two models' degrees of freedom.")]
    return [(v, h) for v, h in out if v != df_diff(ex)]


def better_model(ex) -> str:
    return "correlated" if float(_comparison(ex).loc["one-factor", "p"]) < 0.05 else "one-factor"


def _standardized(ex, which: str = "correlated") -> pd.DataFrame:
    return _fit(ex, which).standardized_


def _row(table: pd.DataFrame, lhs: str, op: str, rhs: str) -> pd.Series:
    hit = table[(table["op"] == op) & (((table["lhs"] == lhs) & (table["rhs"] == rhs))
                                       | ((table["lhs"] == rhs) & (table["rhs"] == lhs)))]
    return hit.iloc[0]


def _factor_of(ex, item: str) -> str:
    return next(f for f, items in ex.given["factors"].items() if item in items)


def std_loading(ex) -> float:
    item = ex.given["item"]
    return float(_row(_standardized(ex), _factor_of(ex, item), "=~", item)["std_all"])


def _loading_mistakes(ex):
    item = ex.given["item"]
    f = _factor_of(ex, item)
    est = _fit(ex, "correlated").estimates_
    out = [(float(_row(est, f, "=~", item)["est"]),
            "That is the unstandardized loading (in the units of the marker item, the first of its factor): read "
            "the completely standardized solution (std_all)."),
           (float(_row(_standardized(ex), f, "=~", item)["std_lv"]),
            "That loading is standardized for the factor only (std_lv); std_all standardizes the item too."),
           (float(_row(_standardized(ex, "one-factor"), "general", "=~", item)["std_all"]),
            "That is the item's loading in the one-factor model: read it in the correlated-factors model.")]
    return _distinct(out, std_loading(ex), READ)


def factor_corr(ex) -> float:
    a, b = ex.given["factor_pair"]
    return float(_row(_standardized(ex), a, "~~", b)["std_all"])


def _corr_mistakes(ex):
    a, b = ex.given["factor_pair"]
    x, key = ex.original, ex.given["factors"]
    sums = x[key[a]].sum(axis=1).corr(x[key[b]].sum(axis=1))
    out = [(float(_row(_fit(ex, "correlated").estimates_, a, "~~", b)["est"]),
            "That is the factors' covariance (its size depends on the marker items): read the standardized "
            "solution (std_all), or fit with std_lv=True."),
           (float(sums), "That is the correlation of the two sum scores, lowered by the items' measurement error; "
                         "the factors' correlation is free of it.")]
    return _distinct(out, factor_corr(ex), READ)


SPEC = ExerciseSpec(
    name="reading_a_cfa",
    title="Reading a CFA",
    notebook="08_reading_a_cfa.ipynb",
    summary="One factor or correlated factors: CFI, RMSEA, SRMR, the chi-square difference test, standardized "
            "loadings, the factor correlation.",
    build=build,
    steps=(
        Step("one_factor_fit", "CFI, RMSEA and SRMR of the one-factor model (all items on one factor): three "
                               "numbers in that order, or labelled cfi, rmsea, srmr.", "vector",
             lambda ex: fit_of(ex, "one-factor"),
             "Fit the model with toolkit.cfa(ex.data, syntax) and read its fit table (fit.fit_measures_ has "
             "them by name: 'cfi', 'rmsea', 'srmr').", tolerance=READ, mistakes=_fit_mistakes("one-factor")),
        Step("correlated_fit", "CFI, RMSEA and SRMR of the correlated-factors model (each item on its own "
                               "subscale's factor): three numbers, as above.", "vector",
             lambda ex: fit_of(ex, "correlated"),
             "Write one line 'factor =~ item + item + ...' per subscale of ex.given['factors'] (the factors "
             "correlate by default), fit it and read CFI, RMSEA and SRMR.", tolerance=READ,
             mistakes=_fit_mistakes("correlated")),
        Step("chisq_diff", "The chi-square difference statistic of the two models: a number.", "number", chisq_diff,
             "The one-factor model is the correlated-factors model with every factor correlation fixed at 1, so the "
             "two are nested: the statistic is the difference of their chi-squares (toolkit.compare_models).",
             tolerance=0.01, mistakes=_chisq_mistakes),
        Step("df_diff", "The degrees of freedom of that test: a whole number.", "integer", df_diff,
             "The test's degrees of freedom are the difference of the two models' degrees of freedom: how many "
             "parameters the larger model adds.", mistakes=_df_mistakes),
        Step("better_model", "The model the data support.", "choice", better_model,
             "A model fits well when CFI is about .95 or more, RMSEA about .06 or less and SRMR about .08 or less "
             "(Hu & Bentler, 1999); a significant chi-square difference says the simpler model fits worse.",
             options=MODELS),
        Step("std_loading", "The standardized loading (std_all) of the item ex.given['item'] in the "
                            "correlated-factors model: a number.", "number", std_loading,
             "Read the item's row 'factor =~ item' of the standardized solution (fit.standardized_, column "
             "std_all): the loading when items and factors have variance 1.", tolerance=READ,
             mistakes=_loading_mistakes),
        Step("factor_corr", "The correlation of the two factors in ex.given['factor_pair'], in the correlated-"
                            "factors model: a number.", "number", factor_corr,
             "Read the row 'factor ~~ factor' of the two factors in the standardized solution (std_all): their "
             "covariance when both have variance 1.", tolerance=READ, mistakes=_corr_mistakes),
    ),
)
