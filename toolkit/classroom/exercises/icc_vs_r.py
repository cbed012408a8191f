"""Exercise: ICC versus Pearson's r for two raters.

Each student gets two raters' scores of 30 session recordings; one rater scores every recording about the
same amount higher (or lower) than the other. Steps: r, the absolute-agreement and consistency ICCs, the
mean difference, the agreement ICC once that difference is removed, and which statistics a constant offset
leaves unchanged.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..base import Built, ExerciseSpec, Step
from ._common import labels

N_TARGETS = 30
STATISTICS = ("r", "icc_agreement", "icc_consistency")


def build(rand) -> Built:
    offset = rand.uniform(1.0, 2.5) * rand.choice([1, -1])
    true = rand.normal(6.0, 1.5, N_TARGETS)
    a = true + rand.normal(0.0, 0.5, N_TARGETS)
    b = true + offset + rand.normal(0.0, 0.5, N_TARGETS)
    data = pd.DataFrame({"rater_a": np.round(a, 1), "rater_b": np.round(b, 1)},
                        index=labels("s", N_TARGETS, "recording"))
    given = {"raters": ["rater_a", "rater_b"], "n_recordings": N_TARGETS}
    return Built(data, given, {"offset": offset, "true_sd": 1.5, "error_sd": 0.5})


def _iccs(frame: pd.DataFrame) -> pd.Series:
    from ...reliability_stats import icc

    return icc(frame).table["icc"]


def _table(ex) -> pd.Series:
    return ex._memo("icc", lambda: _iccs(ex.original))


def _shifted(ex) -> pd.DataFrame:
    x = ex.original
    x["rater_b"] = x["rater_b"] - (x["rater_b"] - x["rater_a"]).mean()
    return x


def _r(ex) -> float:
    x = ex.original
    return float(np.corrcoef(x["rater_a"], x["rater_b"])[0, 1])


def _r_mistakes(ex):
    from scipy.stats import spearmanr

    x = ex.original
    return [(_r(ex) ** 2, "That is r squared; the question asks for r."),
            (float(spearmanr(x["rater_a"], x["rater_b"])[0]), "That is a rank correlation; use Pearson's r.")]


def _agreement_mistakes(ex):
    t = _table(ex)
    return [(t["ICC3"], "That is the consistency ICC (ICC3): it ignores a constant difference between the raters. "
                        "Absolute agreement is ICC2."),
            (t["ICC1"], "That is ICC1, the one-way model; the same two raters scored every recording: the two-way "
                        "model, ICC2."),
            (t["ICC2k"], "That is for the average of the two raters (the k forms); the question is about one rater.")]


def _consistency_mistakes(ex):
    t = _table(ex)
    return [(t["ICC2"], "That is the absolute-agreement ICC; consistency (ICC3) ignores the raters' means."),
            (t["ICC3k"], "That is for the average of the two raters (the k forms); the question is about one rater.")]


def _shifted_mistakes(ex):
    x = ex.original
    x["rater_b"] = x["rater_b"] + (x["rater_b"] - x["rater_a"]).mean()
    return [(_iccs(x)["ICC2"], "Subtract the mean difference from rater_b, so that the raters' means are equal; do "
                               "not add it."),
            (_table(ex)["ICC3"], "That is the consistency ICC of the original scores; compute ICC2 again on the "
                                 "shifted scores (close, but not the same number)."),
            (_table(ex)["ICC2"], "That is ICC2 of the original scores; shift rater_b first.")]


SPEC = ExerciseSpec(
    name="icc_vs_r",
    title="ICC versus r for two raters",
    notebook="07_icc_vs_r.ipynb",
    summary="Pearson's r, absolute-agreement and consistency ICCs; what a constant offset between raters does.",
    build=build,
    steps=(
        Step("r", "Pearson's r between rater_a and rater_b: a number.", "number", _r,
             "Pearson's correlation of the two columns.", tolerance=1e-6, mistakes=_r_mistakes),
        Step("icc_agreement", "The ICC for absolute agreement of a single rater, two-way random model (ICC2): a "
             "number.", "number", lambda ex: float(_table(ex)["ICC2"]),
             "toolkit.icc gives all six Shrout-Fleiss forms; pick the single-rater, absolute-agreement, two-way one.",
             tolerance=1e-6, mistakes=_agreement_mistakes),
        Step("icc_consistency", "The ICC for consistency of a single rater, two-way model (ICC3): a number.",
             "number", lambda ex: float(_table(ex)["ICC3"]),
             "Pick the single-rater consistency form in toolkit.icc's table.", tolerance=1e-6,
             mistakes=_consistency_mistakes),
        Step("mean_difference", "The mean of rater_b - rater_a: a number.", "number",
             lambda ex: float((ex.original["rater_b"] - ex.original["rater_a"]).mean()),
             "Subtract rater_a's score from rater_b's for each recording, then average.", tolerance=1e-6,
             mistakes=lambda ex: [(float((ex.original["rater_a"] - ex.original["rater_b"]).mean()),
                                   "Take rater_b minus rater_a, not the other way round.")]),
        Step("icc_agreement_shifted", "ICC2 after subtracting the mean difference from rater_b: a number.", "number",
             lambda ex: float(_iccs(_shifted(ex))["ICC2"]),
             "Shift rater_b by the mean difference so that both raters have the same mean, then compute ICC2 "
             "again.", tolerance=1e-6, mistakes=_shifted_mistakes),
        Step("unchanged", "Which statistics does a constant offset between the raters leave unchanged? A list of "
             "names among 'r', 'icc_agreement', 'icc_consistency'.", "items",
             lambda ex: ["r", "icc_consistency"],
             "Compare each statistic before and after the shift: which depend on the raters' means?",
             options=STATISTICS),
    ),
)
