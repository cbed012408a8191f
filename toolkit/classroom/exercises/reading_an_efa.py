"""Exercise: reading an exploratory factor analysis.

Each student gets 400 respondents' answers to 8 to 15 items drawn from two or three correlated factors, the
items in shuffled order. Steps: how many factors (parallel analysis), which items go together, the
communality of one item, and the weakest item.
"""

from __future__ import annotations


from ..base import Built, ExerciseSpec, Step
from ._common import factor_items

N_RESPONDENTS = 400


def build(rand) -> Built:
    data, items, factor, truth = factor_items(rand, N_RESPONDENTS, corr=(0.20, 0.40), loading=(0.60, 0.80))
    given = {"items": items, "item": rand.choice(items), "response_scale": (1, 5)}
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
