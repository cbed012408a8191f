"""Exercise: what deleting an item does to alpha.

Each student gets 250 respondents' answers to 6 to 9 items of one scale, one of which barely measures what
the others measure (drawn again, from the same stream, until deleting it is what raises alpha most and it
still correlates positively with the rest). Steps: alpha if each item is deleted, which item to drop, alpha
without it, and whether dropping a further item would raise alpha again.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..base import Built, ExerciseSpec, Step
from ..simulation import latent_factors, likert_items
from ._common import alpha_from, labels, toolkit_alpha

N_RESPONDENTS = 250


def _clear(x: np.ndarray, weak: int) -> bool:
    """The weak item is the one whose deletion raises alpha most, and still correlates positively with the rest."""
    C = np.cov(x, rowvar=False)
    if_deleted = [alpha_from(np.delete(np.delete(C, j, 0), j, 1)) for j in range(C.shape[0])]
    rest = x.sum(axis=1) - x[:, weak]
    return (int(np.argmax(if_deleted)) == weak and max(if_deleted) > alpha_from(C)
            and np.corrcoef(x[:, weak], rest)[0, 1] > 0.05)


def build(rand) -> Built:
    k = rand.integers(6, 10)
    weak = rand.integers(1, k)
    for _ in range(20):  # redraw (from the same stream) until the weak item is clearly the one to drop
        loadings = rand.uniform(0.55, 0.80, k)
        loadings[weak] = rand.uniform(0.12, 0.22)
        intercepts = rand.normal(0.2, 0.2, k)
        x = likert_items(rand, latent_factors(rand, N_RESPONDENTS), loadings, points=5, intercepts=intercepts)
        if _clear(x, weak):
            break
    items = [f"q{j}" for j in range(1, k + 1)]
    data = pd.DataFrame(x, columns=items, index=labels("r", N_RESPONDENTS, "respondent"))
    given = {"items": items, "n_respondents": N_RESPONDENTS, "response_scale": (1, 5)}
    truth = {"loadings": loadings.tolist(), "intercepts": intercepts.tolist(), "weak_item": items[weak]}
    return Built(data, given, truth)


def _if_deleted(frame: pd.DataFrame) -> pd.Series:
    """Alpha without each item: psych's ``alpha.drop`` column of ``toolkit.cronbach_alpha``."""
    out = toolkit_alpha(frame).alpha_drop["alpha"].astype(float).loc[list(frame.columns)]
    out.index.name = "item"
    return out


def if_deleted(ex) -> pd.Series:
    return ex._memo("if_deleted", lambda: _if_deleted(ex.original))


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
