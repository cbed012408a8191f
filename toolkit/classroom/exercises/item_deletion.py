"""Exercise: what deleting an item does to alpha.

Each student gets 250 respondents' answers to 6 to 9 items of one scale, one of which barely measures what
the others measure. Steps: alpha if each item is deleted, which item to drop, alpha without it, and whether
dropping a further item would raise alpha again.
"""

from __future__ import annotations

import pandas as pd

from ..base import Built, ExerciseSpec, Step
from ..simulation import latent_factors, likert_items
from ._common import labels, toolkit_alpha

N_RESPONDENTS = 250


def build(rand) -> Built:
    k = rand.integers(6, 10)
    weak = rand.integers(1, k)
    loadings = rand.uniform(0.55, 0.80, k)
    loadings[weak] = rand.uniform(0.0, 0.15)
    intercepts = rand.normal(0.2, 0.2, k)
    x = likert_items(rand, latent_factors(rand, N_RESPONDENTS), loadings, points=5, intercepts=intercepts)
    items = [f"q{j}" for j in range(1, k + 1)]
    data = pd.DataFrame(x, columns=items, index=labels("r", N_RESPONDENTS, "respondent"))
    given = {"items": items, "n_respondents": N_RESPONDENTS, "response_scale": (1, 5)}
    truth = {"loadings": loadings.tolist(), "intercepts": intercepts.tolist(), "weak_item": items[weak]}
    return Built(data, given, truth)


def _if_deleted(frame: pd.DataFrame) -> pd.Series:
    out = pd.Series({c: toolkit_alpha(frame.drop(columns=c)).alpha for c in frame.columns}, dtype=float)
    out.index.name = "item"
    return out


def if_deleted(ex) -> pd.Series:
    return ex.memo("if_deleted", lambda: _if_deleted(ex.original))


def weakest(ex) -> str:
    return str(if_deleted(ex).idxmax())


def _again(ex) -> str:
    rest = ex.original.drop(columns=weakest(ex))
    return "yes" if bool((_if_deleted(rest) > toolkit_alpha(rest).alpha).any()) else "no"


def _if_deleted_mistakes(ex):
    res = toolkit_alpha(ex.original)
    return [
        (res.item_stats["r_drop"], "Those look like item-rest correlations; this step asks for alpha of the scale "
                                   "without each item."),
        (pd.Series(res.alpha, index=ex.original.columns), "Recompute alpha once per item, each time leaving that one "
                                                          "item out."),
        (res.alpha_drop["std_alpha"], "Use raw alpha (from covariances), as in the alpha-by-hand exercise."),
    ]


SPEC = ExerciseSpec(
    name="item_deletion",
    title="What deleting an item does",
    notebook="03_item_deletion.ipynb",
    summary="Alpha if each item is deleted; which item to drop; why dropping good items lowers alpha.",
    build=build,
    steps=(
        Step("alpha_if_deleted", "Alpha of the scale without each item: one value per item.", "vector", if_deleted,
             "For each item, compute alpha of the other items (drop that item's column, then alpha).",
             tolerance=1e-6, mistakes=_if_deleted_mistakes),
        Step("weakest", "The item whose deletion raises alpha the most: its name.", "choice", weakest,
             "The item to drop is the one whose removal leaves the highest alpha.",
             mistakes=lambda ex: [(str(if_deleted(ex).idxmin()),
                                   "Removing that item lowers alpha the most: it is one of the strongest items. "
                                   "Look for the highest alpha-if-deleted.")],
             options=lambda ex: tuple(ex.given["items"])),
        Step("alpha_without", "Alpha of the scale without the weakest item: a number.", "number",
             lambda ex: float(if_deleted(ex).max()),
             "Drop the weakest item's column and compute alpha of the rest.", tolerance=1e-6,
             mistakes=lambda ex: [(toolkit_alpha(ex.original).alpha,
                                   "That is alpha of all the items; drop the weakest item first.")]),
        Step("drop_another", "Without the weakest item, would deleting any further item raise alpha again?",
             "choice", _again, "Repeat the alpha-if-deleted computation on the scale without the weakest item and "
             "compare each value with that scale's alpha.", options=("yes", "no")),
    ),
)
