"""Exercise: Cronbach's alpha by hand, from the covariance matrix, compared with ``toolkit.cronbach_alpha``.

Each student gets 200 respondents' answers to 5 to 9 items of one scale (already keyed). Steps: the
covariance matrix, raw alpha from it, and standardized alpha from the correlations.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..base import Built, ExerciseSpec, Step
from ..simulation import latent_factors, likert_items
from ._common import alpha_from, labels, toolkit_alpha

N_RESPONDENTS = 200


def build(rand) -> Built:
    k = rand.integers(5, 10)
    points = rand.choice([5, 7])
    loadings = rand.uniform(0.45, 0.80, k)
    intercepts = rand.normal(0.2, 0.2, k)
    x = likert_items(rand, latent_factors(rand, N_RESPONDENTS), loadings, points=points, intercepts=intercepts)
    items = [f"q{j}" for j in range(1, k + 1)]
    data = pd.DataFrame(x, columns=items, index=labels("r", N_RESPONDENTS, "respondent"))
    given = {"items": items, "n_respondents": N_RESPONDENTS, "response_scale": (1, points)}
    return Built(data, given, {"loadings": loadings.tolist(), "intercepts": intercepts.tolist()})


def _cov_mistakes(ex):
    X = ex.original
    return [
        (X.corr(), "That is the correlation matrix; alpha by hand starts from the covariance matrix."),
        (X.cov(ddof=0), "You divided by n; sample covariances divide by n - 1 (as DataFrame.cov() and np.cov do)."),
    ]


def _alpha_mistakes(ex):
    X = ex.original
    C, R, C0 = X.cov().to_numpy(), X.corr().to_numpy(), X.cov(ddof=0).to_numpy()
    k = C.shape[0]
    return [
        (alpha_from(R), "That is standardized alpha (from correlations); raw alpha uses the covariance matrix."),
        (1 - np.trace(C) / C.sum(), "Did you multiply by k / (k - 1)?"),
        ((k - 1) / k * (1 - np.trace(C) / C.sum()), "The factor in front is k / (k - 1), not (k - 1) / k."),
        (k / (k - 1) * (1 - np.trace(C0) / C.sum()),
         "Take the item variances and the variance of the total from the same covariance matrix (its diagonal and "
         "the sum of all its entries)."),
        (k / (k - 1) * (1 - np.trace(C) / (C.sum() - np.trace(C))),
         "The variance of the total is the sum of all entries of C, the diagonal included."),
    ]


def _std_alpha_mistakes(ex):
    X = ex.original
    R = X.corr().to_numpy()
    k = R.shape[0]
    r_all = R.mean()
    return [
        (alpha_from(X.cov().to_numpy()), "That is raw alpha; standardized alpha comes from the correlation matrix."),
        (k * r_all / (1 + (k - 1) * r_all),
         "Average only the correlations between different items (leave out the 1s on the diagonal)."),
    ]


SPEC = ExerciseSpec(
    name="alpha_by_hand",
    title="Alpha by hand",
    notebook="02_alpha_by_hand.ipynb",
    summary="Cronbach's alpha from the covariance matrix, raw and standardized, compared with cronbach_alpha.",
    build=build,
    steps=(
        Step("covariance", "The covariance matrix of the items: one row and one column per item.", "matrix",
             lambda ex: ex.original.cov(), "One row and one column per item, the variances on the diagonal and the "
             "covariances off it (np.cov treats rows as variables unless rowvar=False).", tolerance=1e-9,
             mistakes=_cov_mistakes),
        Step("alpha", "Raw alpha of the scale, from the covariance matrix: a number.", "number",
             lambda ex: toolkit_alpha(ex.original).alpha, "Alpha compares the sum of the item variances (the "
             "diagonal of C) with the variance of the total score (the sum of all entries of C), scaled by "
             "k / (k - 1).", tolerance=1e-6, mistakes=_alpha_mistakes),
        Step("standardized_alpha", "Standardized alpha, from the correlation matrix: a number.", "number",
             lambda ex: float(toolkit_alpha(ex.original).total["std_alpha"].iloc[0]),
             "Standardized alpha is the same formula applied to the correlation matrix, or k r / (1 + (k - 1) r) "
             "with r the average correlation between two different items.", tolerance=1e-6,
             mistakes=_std_alpha_mistakes),
    ),
)
