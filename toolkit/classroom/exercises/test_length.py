"""Exercise: Spearman-Brown and test length.

Each student gets 300 respondents' answers to a scale of 8, 10 or 12 nearly parallel items and a target
reliability. Steps: alpha of the first half, the Spearman-Brown prediction for the whole scale, the observed
alpha of the whole scale, and how many items of the same kind would reach the target.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ..base import Built, ExerciseSpec, Step
from ..simulation import latent_factors, likert_items
from ._common import alpha_from, labels, length_factor, spearman_brown, toolkit_alpha

N_RESPONDENTS = 300
TARGETS = (0.85, 0.90, 0.95, 0.97)


def build(rand) -> Built:
    m = rand.integers(4, 7)
    k = 2 * m
    base = rand.uniform(0.50, 0.65)
    loadings = base + rand.uniform(-0.03, 0.03, k)
    intercepts = rand.normal(0.1, 0.15, k)
    x = likert_items(rand, latent_factors(rand, N_RESPONDENTS), loadings, points=7, intercepts=intercepts)
    items = [f"q{j}" for j in range(1, k + 1)]
    data = pd.DataFrame(x, columns=items, index=labels("r", N_RESPONDENTS, "respondent"))
    alpha_full = alpha_from(np.cov(x, rowvar=False))  # the data's alpha, to set a target above it
    target = next(t for t in TARGETS if t > alpha_full + 0.02 or t == TARGETS[-1])
    given = {"items": items, "first_half": items[:m], "target_reliability": target, "response_scale": (1, 7)}
    return Built(data, given, {"loadings": loadings.tolist(), "intercepts": intercepts.tolist()})


def _half(ex) -> float:
    return ex._memo("half", lambda: toolkit_alpha(ex.original[list(ex.given["first_half"])]).alpha)


def _full(ex) -> float:
    return ex._memo("full", lambda: toolkit_alpha(ex.original).alpha)


def _needed_factor(ex) -> float:
    return length_factor(_full(ex), ex.given["target_reliability"])


def items_needed(ex) -> int:
    return math.ceil(_needed_factor(ex) * len(ex.given["items"]))


def _predicted_mistakes(ex):
    rho, m = _half(ex), len(ex.given["first_half"])
    hint = ("n in the Spearman-Brown formula is the length factor, new length / old length (here the test "
            "doubles), not a number of items.")
    return [(spearman_brown(rho, m), hint), (spearman_brown(rho, 2 * m), hint),
            (2 * rho / (1 + 2 * rho), "The denominator is 1 + (n - 1) times the reliability."),
            (_full(ex), "That is the observed alpha of the whole scale; this step asks for the prediction from the "
                        "first half.")]


def _needed_mistakes(ex):
    n, k = _needed_factor(ex), len(ex.given["items"])
    m = len(ex.given["first_half"])
    return [
        (math.floor(n * k), "Round up: with one item fewer the predicted reliability falls short of the target."),
        (math.ceil(n), "That is the length factor (how many times longer the test must be); multiply by the number "
                       "of items the scale has now."),
        (math.ceil(n * k) - k, "The question asks for the total number of items, not for how many to add."),
        (math.ceil(length_factor(_half(ex), ex.given["target_reliability"]) * m),
         "Start from the whole scale: all its items and their alpha."),
    ]


SPEC = ExerciseSpec(
    name="test_length",
    title="Spearman-Brown and test length",
    notebook="04_test_length.ipynb",
    summary="Predict the reliability of a longer test; how many items reach a target reliability.",
    build=build,
    steps=(
        Step("alpha_half", "Alpha of the first half of the items (ex.given['first_half']): a number.", "number",
             _half, "Compute alpha of the first-half items only.", tolerance=1e-6,
             mistakes=lambda ex: [(_full(ex), "That is alpha of all the items; this step asks for the first half "
                                              "only (ex.given['first_half']).")]),
        Step("predicted_full", "Spearman-Brown prediction of the reliability of the whole scale, from the first "
             "half's alpha: a number.", "number", lambda ex: spearman_brown(_half(ex), 2),
             "Spearman-Brown: n times the reliability, divided by 1 + (n - 1) times the reliability, with n the "
             "factor by which the test gets longer.", tolerance=1e-6, mistakes=_predicted_mistakes),
        Step("alpha_full", "Observed alpha of the whole scale: a number.", "number", _full,
             "Compute alpha of all the items.", tolerance=1e-6,
             mistakes=lambda ex: [(_half(ex), "That is alpha of the first half; this step asks for all the items.")]),
        Step("items_needed", "The smallest total number of items of this kind whose predicted reliability reaches "
             "ex.given['target_reliability']: a whole number.", "integer", items_needed,
             "Solve Spearman-Brown for the length factor n that gives the target reliability, multiply it by the "
             "number of items, and round up.", mistakes=_needed_mistakes),
    ),
)
