"""Exercise: reading an exploratory factor analysis.

Each student gets 400 respondents' answers to 8 to 15 items drawn from two or three correlated factors, the
items in shuffled order. Steps: how many factors (parallel analysis), which items go together, the
communality of one item, and the weakest item.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..base import Built, ExerciseSpec, Step
from ..simulation import latent_factors, likert_items
from ._common import labels

N_RESPONDENTS = 400


def build(rand) -> Built:
    m = rand.choice([2, 3])
    per = rand.integers(4, 6)
    k = m * per
    r = rand.uniform(0.20, 0.40)
    factor = np.repeat(np.arange(m), per)[rand.permutation(k)]
    loadings = rand.uniform(0.60, 0.80, k)
    intercepts = rand.normal(0.0, 0.2, k)
    x = likert_items(rand, latent_factors(rand, N_RESPONDENTS, r), loadings, points=5, factor=factor.tolist(),
                     intercepts=intercepts)
    items = [f"i{j:02d}" for j in range(1, k + 1)]
    data = pd.DataFrame(x, columns=items, index=labels("r", N_RESPONDENTS, "respondent"))
    given = {"items": items, "item": rand.choice(items), "response_scale": (1, 5)}
    truth = {"n_factors": m, "factor": {it: int(f) for it, f in zip(items, factor)}, "loadings": loadings.tolist(),
             "factor_corr": r, "intercepts": intercepts.tolist()}
    return Built(data, given, truth)


def _efa(ex, n_factors: int, rotation: str = "oblimin"):
    from ...factor import EFA

    return ex._memo(("efa", n_factors, rotation),
                   lambda: EFA(n_factors, method="minres", rotation=rotation).fit(ex.original))


def _m(ex) -> int:
    return int(ex.truth["n_factors"])


def groups(ex) -> list[list[str]]:
    strongest = _efa(ex, _m(ex)).loadings_.abs().idxmax(axis=1)
    return [sorted(strongest.index[strongest == f]) for f in strongest.unique()]


def communality(ex) -> float:
    return float(_efa(ex, _m(ex)).communalities_[ex.given["item"]])


def _communality_mistakes(ex):
    item, m = ex.given["item"], _m(ex)
    efa = _efa(ex, m)
    out = [(float((efa.loadings_.loc[item] ** 2).sum()),
            "With an oblique rotation the factors correlate, so h2 is not the row sum of squared pattern loadings: "
            "use efa.communalities_, diag(L Phi L'), or the row sum after an orthogonal rotation (varimax)."),
           (1 - communality(ex), "That is the uniqueness, u2 = 1 - h2."),
           (float(efa.loadings_.loc[item].abs().max() ** 2),
            "h2 adds up the item's squared loadings on all factors, not only on its strongest one.")]
    for other in (m - 1, m + 1):
        if other >= 1:
            out.append((float(_efa(ex, other).communalities_[item]),
                        "Fit as many factors as parallel analysis suggests (your answer to the first step)."))
    return out


SPEC = ExerciseSpec(
    name="reading_an_efa",
    title="Reading an EFA",
    notebook="06_reading_an_efa.ipynb",
    summary="How many factors (parallel analysis), which items go together, communalities.",
    build=build,
    steps=(
        Step("n_factors", "How many factors parallel analysis suggests: a whole number.", "integer", _m,
             "Keep the leading factors whose observed eigenvalue lies above the eigenvalue of random data of the "
             "same size; stop at the first that does not."),
        Step("groups", "Which items go together: a list of groups, each a list of item names.", "groups", groups,
             "Fit the EFA with the number of factors you found and put each item with the factor on which it has "
             "its largest absolute loading (its row of efa.loadings_).", options=lambda ex: tuple(ex.given["items"])),
        Step("communality", "The communality h2 of the item ex.given['item'] in that EFA: a number.", "number",
             communality, "The communality is the share of the item's variance the common factors explain; with "
             "uncorrelated factors, the sum of its squared loadings.", tolerance=1e-4, mistakes=_communality_mistakes),
        Step("weakest", "The item the factors explain least (lowest communality): its name.", "choice",
             lambda ex: str(_efa(ex, _m(ex)).communalities_.idxmin()),
             "The weakest item has the lowest communality: the most variance of its own.",
             options=lambda ex: tuple(ex.given["items"])),
    ),
)
