"""Exercise: reverse-scoring by hand.

Each student gets 40 respondents' answers to a short one-factor questionnaire (6 to 10 items on a 1-5 or
1-7 scale), two or three of whose items are worded the other way round. Steps: turn the reverse-keyed items
around, then compute each respondent's total.
"""

from __future__ import annotations

import pandas as pd

from ..base import Built, ExerciseSpec, Step
from ..simulation import latent_factors, likert_items
from ._common import labels

N_RESPONDENTS = 40


def build(rand) -> Built:
    k = rand.integers(6, 11)
    points = rand.choice([5, 7])
    reversed_pos = sorted(rand.choice(range(1, k), rand.choice([2, 3])))
    loadings = rand.uniform(0.55, 0.80, k)
    intercepts = rand.normal(0.2, 0.2, k)
    eta = latent_factors(rand, N_RESPONDENTS)
    rev = [j in reversed_pos for j in range(k)]
    x = likert_items(rand, eta, loadings, points=points, reverse=rev, intercepts=intercepts)
    items = [f"q{j}" for j in range(1, k + 1)]
    data = pd.DataFrame(x, columns=items, index=labels("r", N_RESPONDENTS, "respondent"))
    given = {"items": items, "reversed_items": [items[j] for j in reversed_pos], "response_scale": (1, points)}
    truth = {"loadings": loadings.tolist(), "intercepts": intercepts.tolist(), "reversed": rev, "points": points}
    return Built(data, given, truth)


def _reversed(ex, flip) -> pd.DataFrame:
    out = ex.original
    rev = list(ex.given["reversed_items"])
    out[rev] = flip(out[rev])
    return out


def keyed(ex) -> pd.DataFrame:
    lo, hi = ex.given["response_scale"]
    return _reversed(ex, lambda x: lo + hi - x)


def _keyed_mistakes(ex):
    lo, hi = ex.given["response_scale"]
    other = 5 if hi == 7 else 7
    everything = ex.original
    return [
        (_reversed(ex, lambda x: hi - x),
         f"A reversed answer stays on the {lo}-{hi} scale: the lowest answer becomes the highest and the highest the "
         "lowest, so reverse as (lowest + highest point) - answer, not highest - answer."),
        (_reversed(ex, lambda x: 1 + other - x),
         f"Use this questionnaire's own scale ({lo} to {hi}) to reverse, not a {other}-point one."),
        (ex.original, "Nothing was reversed: turn the reverse-keyed items around (ex.given['reversed_items'])."),
        (lo + hi - everything, "Only the reverse-keyed items change; the other items stay as they were answered."),
    ]


def _total_mistakes(ex):
    lo, hi = ex.given["response_scale"]
    rev = " and ".join(", ".join(ex.given["reversed_items"]).rsplit(", ", 1))
    return [
        (ex.original.sum(axis=1), f"Did you reverse items {rev} before summing?"),
        (keyed(ex).mean(axis=1), "The total is the sum of a respondent's (keyed) answers, not their mean."),
        (_reversed(ex, lambda x: hi - x).sum(axis=1),
         "Reverse as (lowest + highest point) - answer, so that reversed answers stay on the scale, then sum."),
    ]


SPEC = ExerciseSpec(
    name="reverse_scoring",
    title="Reverse-scoring by hand",
    notebook="01_reverse_scoring.ipynb",
    summary="Turn reverse-keyed items around and compute each respondent's total.",
    build=build,
    steps=(
        Step("keyed", "All items, with the reverse-keyed ones reversed: a table like ex.data.", "matrix",
             keyed, "Reverse each reverse-keyed item as (lowest + highest point) - answer, keep the other items as "
             "they are, and give all the items.", mistakes=_keyed_mistakes),
        Step("total", "Each respondent's total score (sum of the keyed items): one value per respondent.", "vector",
             lambda ex: keyed(ex).sum(axis=1), "Add up each respondent's answers across the items (a row sum) "
             "after reversing the reverse-keyed items.", mistakes=_total_mistakes),
    ),
)
