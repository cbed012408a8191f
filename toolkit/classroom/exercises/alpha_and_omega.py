"""Exercise: a scale with a chosen reliability; alpha and omega; when alpha underestimates.

Each student gets a number of items and a target reliability (part 1), and a scale whose items measure the
same factor unequally well, given by its loadings, with a sample of 1000 respondents (part 2). Steps: the
common loading that gives the target reliability, alpha of a scale simulated with it, the true reliability and
the population alpha of the unequal scale, and which of alpha and omega falls short of the truth, and why.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ..base import Built, ExerciseSpec, Step
from ..simulation import simulate_scale
from ._common import labels, toolkit_alpha

N_SIMULATED = 1000
RELIABILITIES = (0.70, 0.75, 0.80, 0.85, 0.90)
ASSUMPTIONS = ("tau-equivalence", "unidimensionality", "normality", "uncorrelated errors")


def build(rand) -> Built:
    k = rand.integers(5, 9)
    rho = rand.choice(RELIABILITIES)
    n_strong = k // 2
    lam = np.concatenate([rand.uniform(0.75, 0.90, n_strong), rand.uniform(0.25, 0.45, k - n_strong)])
    lam = np.round(lam[rand.permutation(k)], 2)
    eta = rand.standard_normal(N_SIMULATED)
    err = rand.standard_normal((N_SIMULATED, k))
    x = np.round(lam[None, :] * eta[:, None] + np.sqrt(1 - lam**2)[None, :] * err, 4)
    items = [f"x{j}" for j in range(1, k + 1)]
    data = pd.DataFrame(x, columns=items, index=labels("p", N_SIMULATED, "person"))
    given = {"n_items": k, "target_reliability": rho, "loadings": lam.tolist(), "n_simulated": N_SIMULATED}
    return Built(data, given, {"loadings": lam.tolist(), "omega": true_reliability_of(lam)})


def loading(ex) -> float:
    k, rho = ex.given["n_items"], ex.given["target_reliability"]
    return math.sqrt(rho / (k - (k - 1) * rho))


def true_reliability_of(lam) -> float:
    lam = np.asarray(lam, dtype=float)
    common = lam.sum() ** 2
    return float(common / (common + (1 - lam**2).sum()))


def population_alpha(ex) -> float:
    lam = np.asarray(ex.given["loadings"], dtype=float)
    k = lam.size
    total_var = lam.sum() ** 2 + (1 - lam**2).sum()
    return float(k / (k - 1) * (1 - k / total_var))


def sample_alpha(ex) -> float:
    tau = simulate_scale([loading(ex)] * ex.given["n_items"], n=N_SIMULATED, seed=ex.seed)
    return toolkit_alpha(tau).alpha


def _loading_mistakes(ex):
    k, rho = ex.given["n_items"], ex.given["target_reliability"]
    lam = loading(ex)
    return [(lam**2, "That is the squared loading (each item's own reliability); the loading is its square root."),
            (math.sqrt(rho), "That would make every single item as reliable as the whole scale; a sum of k items is "
                             "more reliable than one item (Spearman-Brown)."),
            (math.sqrt(rho / k), "Solve the reliability of the sum of k standardized items for the loading; dividing "
                                 "the reliability by k is not it.")]


def _truth_mistakes(ex):
    lam = np.asarray(ex.given["loadings"], dtype=float)
    return [((lam**2).mean(), "That is the average item reliability, not the reliability of the sum of the items."),
            (population_alpha(ex), "That is alpha in the population; the true reliability of the sum is omega."),
            (lam.sum() ** 2 / lam.size**2, "Divide by the variance of the total: (sum of loadings)^2 plus the sum of "
                                           "the error variances.")]


def _alpha_mistakes(ex):
    return [(true_reliability_of(ex.given["loadings"]),
             "That is omega, the true reliability; alpha uses only the item variances and the variance of the total."),
            (toolkit_alpha(ex.original).alpha,
             "That is alpha estimated from the sample (ex.data); this step asks for the population value, from the "
             "loadings.")]


SPEC = ExerciseSpec(
    name="alpha_and_omega",
    title="A scale with a chosen reliability: alpha and omega",
    notebook="05_alpha_and_omega.ipynb",
    summary="Simulate a scale with a chosen reliability; alpha vs omega; alpha underestimates without "
            "tau-equivalence.",
    build=build,
    steps=(
        Step("loading", "The loading that k equally good standardized items need for the sum to have the target "
             "reliability: a number.", "number", loading,
             "With standardized items the sum's reliability is k l^2 / (k l^2 + 1 - l^2) (Spearman-Brown with item "
             "reliability l^2); solve it for the loading l.", tolerance=1e-6, mistakes=_loading_mistakes),
        Step("sample_alpha", "Alpha of simulate_scale([loading] * k, n=1000, seed=ex.seed): a number.", "number",
             sample_alpha, "Simulate with the loading of the first step, k items, n=1000 and seed=ex.seed, then "
             "compute alpha of the simulated items.", tolerance=1e-6),
        Step("true_reliability", "The true reliability (omega) of the sum of the items with ex.given['loadings']: "
             "a number.", "number", lambda ex: true_reliability_of(ex.given["loadings"]),
             "Omega is the variance of the sum due to the factor, (sum of loadings)^2, divided by the whole "
             "variance of the sum, which adds the items' error variances 1 - l^2.", tolerance=1e-6,
             mistakes=_truth_mistakes),
        Step("population_alpha", "Alpha of the same items in the population (from the loadings): a number.",
             "number", population_alpha,
             "In the population each standardized item has variance 1 and the total has variance (sum of "
             "loadings)^2 + sum of (1 - l^2); put these into alpha's formula.", tolerance=1e-6,
             mistakes=_alpha_mistakes),
        Step("underestimates", "Which falls short of the true reliability when loadings differ?", "choice",
             lambda ex: "alpha", "Compare each with the true reliability of the sum, in the population and in "
             "ex.data.", options=("alpha", "omega")),
        Step("assumption", "Which assumption of alpha do unequal loadings break?", "choice",
             lambda ex: "tau-equivalence", "Alpha equals the reliability of the sum only under one assumption about "
             "the loadings; which one do these items break?", options=ASSUMPTIONS),
    ),
)
