"""Checks say right or wrong with a hint, never the answer.

The right answers are computed here by hand (numpy, the textbook formulas), independently of the values the
checks compute; ``test_reference.py`` compares those values with R.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd
import pytest

import toolkit
from toolkit import classroom
from toolkit.classroom.exercises._common import length_factor, spearman_brown
from toolkit.classroom.exercises.alpha_and_omega import true_reliability_of
from toolkit.classroom.registry import EXERCISES
from toolkit.exceptions import InvalidParameterError

IDS = ("2026001", "ab12")
STEPS = [(name, step.name) for name, spec in EXERCISES.items() for step in spec.steps]
EMPTY = [None, ..., "", "   ", [], np.array([]), pd.Series(dtype=float), NotImplemented]


def _alpha(x: pd.DataFrame) -> float:
    C = x.cov().to_numpy()
    k = C.shape[0]
    return k / (k - 1) * (1 - np.trace(C) / C.sum())


def _icc2_icc3(x: pd.DataFrame) -> tuple[float, float]:
    """Shrout & Fleiss (1979) from the two-way ANOVA, written out."""
    v = x.to_numpy(dtype=float)
    n, k = v.shape
    grand = v.mean()
    msr = k * ((v.mean(axis=1) - grand) ** 2).sum() / (n - 1)
    msc = n * ((v.mean(axis=0) - grand) ** 2).sum() / (k - 1)
    sse = ((v - v.mean(axis=1, keepdims=True) - v.mean(axis=0, keepdims=True) + grand) ** 2).sum()
    mse = sse / ((n - 1) * (k - 1))
    return ((msr - mse) / (msr + (k - 1) * mse + k * (msc - mse) / n), (msr - mse) / (msr + (k - 1) * mse))


def solve(name: str, ex) -> dict:
    """A student's right answers, worked by hand."""
    x = ex.data.copy()
    g = ex.given
    if name == "reverse_scoring":
        lo, hi = g["response_scale"]
        keyed = x.copy()
        for item in g["reversed_items"]:
            keyed[item] = lo + hi - keyed[item]
        return {"keyed": keyed, "total": keyed.to_numpy().sum(axis=1).tolist()}
    if name == "alpha_by_hand":
        R = np.corrcoef(x.to_numpy(), rowvar=False)
        k = R.shape[0]
        r_bar = (R.sum() - k) / (k * (k - 1))
        return {"covariance": np.cov(x.to_numpy(), rowvar=False), "alpha": _alpha(x),
                "standardized_alpha": k * r_bar / (1 + (k - 1) * r_bar)}
    if name == "item_deletion":
        deleted = {c: _alpha(x.drop(columns=c)) for c in x.columns}
        weakest = max(deleted, key=deleted.get)
        rest = x.drop(columns=weakest)
        again = any(_alpha(rest.drop(columns=c)) > _alpha(rest) for c in rest.columns)
        return {"alpha_if_deleted": deleted, "weakest": weakest, "alpha_without": deleted[weakest],
                "drop_another": "yes" if again else "no"}
    if name == "test_length":
        half, full = _alpha(x[list(g["first_half"])]), _alpha(x)
        t = g["target_reliability"]
        n = t * (1 - full) / (full * (1 - t))
        return {"alpha_half": half, "predicted_full": 2 * half / (1 + half), "alpha_full": full,
                "items_needed": math.ceil(n * x.shape[1])}
    if name == "alpha_and_omega":
        k, rho = g["n_items"], g["target_reliability"]
        lam = math.sqrt(rho / (k - (k - 1) * rho))
        tau = classroom.simulate_scale([lam] * k, n=1000, seed=ex.seed)
        L = np.array(g["loadings"])
        var_total = L.sum() ** 2 + (1 - L**2).sum()
        return {"loading": lam, "sample_alpha": _alpha(tau), "true_reliability": L.sum() ** 2 / var_total,
                "population_alpha": k / (k - 1) * (1 - k / var_total), "underestimates": "alpha",
                "assumption": "Tau-equivalence"}
    if name == "reading_an_efa":
        m = toolkit.parallel_analysis(x, n_iter=20, seed=1).n_factors
        efa = toolkit.EFA(m, method="minres", rotation="varimax").fit(x)  # h2 does not depend on the rotation
        h2 = (efa.loadings_**2).sum(axis=1)
        oblique = toolkit.EFA(m, method="minres", rotation="oblimin").fit(x).loadings_.abs().idxmax(axis=1)
        groups = [list(oblique.index[oblique == f]) for f in oblique.unique()]
        return {"n_factors": m, "groups": groups[::-1], "communality": float(h2[g["item"]]),
                "weakest": str(h2.idxmin())}
    if name == "reading_a_cfa":
        return _solve_cfa(x, g)
    if name == "icc_vs_r":
        a, b = x["rater_a"].to_numpy(), x["rater_b"].to_numpy()
        d = (b - a).mean()
        icc2, icc3 = _icc2_icc3(x)
        return {"r": np.corrcoef(a, b)[0, 1], "icc_agreement": icc2, "icc_consistency": icc3, "mean_difference": d,
                "icc_agreement_shifted": _icc2_icc3(pd.DataFrame({"a": a, "b": b - d}))[0],
                "unchanged": {"icc_consistency", "r"}}
    raise AssertionError(name)


def _solve_cfa(x: pd.DataFrame, g) -> dict:
    """The CFA answers from other routes than the checks take: factors identified by their variance (std_lv), CFI,
    RMSEA and SRMR from the chi-squares and the moments (lavaan's formulas, N in RMSEA), the test from scipy."""
    from scipy import stats

    one = toolkit.cfa(x, "g =~ " + " + ".join(x.columns), std_lv=True)
    syntax = "\n".join(f"{f} =~ " + " + ".join(items) for f, items in g["factors"].items())
    two = toolkit.cfa(x, syntax, std_lv=True)
    n = len(x)
    S = np.cov(x.to_numpy(dtype=float), rowvar=False, ddof=0)
    base = -n * np.linalg.slogdet(S / np.sqrt(np.outer(np.diag(S), np.diag(S))))[1]   # independence model
    p = S.shape[0]
    df_base = p * (p - 1) / 2

    def fit(m):
        chi, df = m.fit_measures_["chisq"], m.fit_measures_["df"]
        sigma = m.implied_[None]["cov"].loc[x.columns, x.columns].to_numpy()   # the model orders items its way
        sd = np.sqrt(np.diag(S))
        resid = (S - sigma) / np.outer(sd, sd)
        lower = resid[np.tril_indices(p)]
        cfi = 1 - max(chi - df, 0) / max(base - df_base, chi - df, 0)
        return [cfi, np.sqrt(max(chi - df, 0) / (df * n)), np.sqrt(np.mean(lower**2))], chi, df

    (f1, chi1, df1), (f2, chi2, df2) = fit(one), fit(two)
    est = two.estimates_
    item = g["item"]
    factor = next(f for f, items in g["factors"].items() if item in items)
    lam = est[(est.op == "=~") & (est.lhs == factor) & (est.rhs == item)]["est"].item()
    a, b = g["factor_pair"]
    phi = est[(est.op == "~~") & (est.lhs == a) & (est.rhs == b)]["est"].item()
    return {"one_factor_fit": f1, "correlated_fit": f2, "chisq_diff": chi1 - chi2, "df_diff": int(df1 - df2),
            "better_model": "correlated" if stats.chi2.sf(chi1 - chi2, df1 - df2) < 0.05 else "one-factor",
            "std_loading": lam / np.sqrt(two.implied_[None]["cov"].loc[item, item]), "factor_corr": phi}


@pytest.fixture(scope="module")
def solved():
    cache = {}

    def get(name, sid):
        if (name, sid) not in cache:
            ex = classroom.exercise(name, sid)
            cache[name, sid] = (ex, solve(name, ex))
        return cache[name, sid]
    return get


def test_every_exercise_is_solved_here():
    assert set(EXERCISES) == {"reverse_scoring", "alpha_by_hand", "item_deletion", "test_length", "alpha_and_omega",
                              "reading_an_efa", "icc_vs_r", "reading_a_cfa"}


@pytest.mark.parametrize("sid", IDS)
@pytest.mark.parametrize("name", list(EXERCISES))
def test_right_answers_worked_by_hand_pass(name, sid, solved):
    ex, answers = solved(name, sid)
    assert set(answers) == set(ex.steps.index)
    for step, answer in answers.items():
        fb = ex.check(step, answer)
        assert fb.passed, fb.text
        assert "correct" in fb.text and fb.hint == ""


@pytest.mark.parametrize("empty", EMPTY, ids=[repr(e)[:20] for e in EMPTY])
@pytest.mark.parametrize(("name", "step"), STEPS)
def test_empty_answers_fail_with_the_step_s_hint(name, step, empty):
    ex = classroom.exercise(name, "2026001")
    fb = ex.check(step, empty)
    assert not fb.passed and not bool(fb)
    assert fb.message == "No answer yet."
    assert fb.hint == EXERCISES[name].step(step).hint and len(fb.hint) > 20
    assert "correct" not in fb.text.lower() and "not yet" in fb.text


@pytest.mark.parametrize(("name", "step"), [s for s in STEPS if EXERCISES[s[0]].step(s[1]).mistakes])
def test_typical_mistakes_get_the_hint_that_names_them(name, step):
    ex = classroom.exercise(name, "2026001")
    spec = EXERCISES[name].step(step)
    mistakes = list(spec.mistakes(ex))
    assert mistakes
    for value, hint in mistakes:
        fb = ex.check(step, value)
        assert not fb.passed, f"{step}: the mistake '{hint}' passes"
        assert fb.hint == hint
        assert fb.message == "Not the value asked for."


def _shown(value) -> list[str]:
    """The ways a number could be written in a message."""
    v = float(value)
    return [repr(v), f"{v:.2f}", f"{v:.3f}", f"{v:.4f}", f"{v:.6f}", f"{v:g}"]


def _wrong_answers(kind, expected, tolerance=0.0):
    if kind == "number":  # the second: near the answer, but outside a loose (hand-read) tolerance too
        near = float(expected) + max(0.002 * abs(float(expected)), 2 * tolerance)
        return [float(expected) + 0.1, near, "0.5", [1, 2], pd.DataFrame({"a": [1.0]}), np.nan]
    if kind == "integer":
        return [int(expected) + 1, int(expected) - 1, 2.5, "12"]
    if kind == "vector":
        return [np.asarray(expected, dtype=float) + 1, np.asarray(expected, dtype=float)[:-1], "x"]
    if kind == "matrix":
        return [np.asarray(expected, dtype=float) * 2, np.zeros((2, 2)), "x"]
    return ["something else", 3, ["q1", 2]]


@pytest.mark.parametrize(("name", "step"), STEPS)
def test_feedback_never_shows_the_expected_value(name, step):
    ex = classroom.exercise(name, "2026001")
    spec = EXERCISES[name].step(step)
    expected = ex._expected(spec)
    mistakes = [v for v, _ in (spec.mistakes(ex) if spec.mistakes else [])]
    candidates = _wrong_answers(spec.kind, expected, spec.tolerance) + mistakes
    for answer in candidates:
        fb = ex.check(step, answer)
        assert not fb.passed
        text = fb.text + fb._repr_html_()
        assert "correct" not in text.lower()
        if spec.kind == "number":
            assert not [s for s in _shown(expected) if s in text], (answer, text)
        elif spec.kind == "integer" and int(expected) >= 5:
            assert not re.search(rf"\b{int(expected)}\b", fb.message + fb.hint), (answer, text)
        elif spec.kind == "choice" and spec.options and not callable(spec.options):
            continue  # the options of a multiple-choice question are part of the question
        elif spec.kind == "choice":
            assert not re.search(rf"\b{re.escape(str(expected))}\b", fb.hint), (answer, text)


def test_no_hint_or_message_anywhere_says_correct():
    for name, spec in EXERCISES.items():
        ex = classroom.exercise(name, "2026001")
        for step in spec.steps:
            texts = [step.hint] + [h for _, h in (step.mistakes(ex) if step.mistakes else [])]
            assert not [t for t in texts if "correct" in t.lower()], (name, step.name)


@pytest.mark.parametrize(("answer", "message"), [
    ("0.8", "Expected a number; got text"),
    ([0.8, 0.7], "Expected a number; got 2 values"),
    (True, "Expected a number; got True, a truth value"),
    (np.nan, "NaN"),
    (float("inf"), "NaN"),
    (object(), "got an object of type object"),
])
def test_answers_of_the_wrong_kind_say_what_was_expected(answer, message):
    fb = classroom.exercise("alpha_by_hand", "2026001").check("alpha", answer)
    assert not fb.passed and message in fb.message and fb.hint


def test_a_result_object_instead_of_its_number_is_named():
    ex = classroom.exercise("alpha_by_hand", "2026001")
    fb = ex.check("alpha", toolkit.cronbach_alpha(ex.data))
    assert "AlphaResult" in fb.message and "Take the number out of it" in fb.message
    assert ex.check("alpha", toolkit.cronbach_alpha(ex.data).alpha)
    assert ex.check("alpha", np.float32(0.5)).passed is False


def test_an_answer_rounded_too_early_is_called_close():
    ex = classroom.exercise("alpha_by_hand", "2026001")
    fb = ex.check("alpha", round(_alpha(ex.data), 3))
    assert not fb.passed and fb.message.startswith("Close, but not within \u00b11e-06")


def test_vectors_are_matched_by_label_or_by_position():
    ex = classroom.exercise("reverse_scoring", "2026001")
    total = pd.Series(solve("reverse_scoring", ex)["total"], index=ex.data.index)
    assert ex.check("total", total.sample(frac=1, random_state=1))  # shuffled, but labelled
    assert ex.check("total", total.to_numpy())
    assert ex.check("total", total.to_frame("sum"))
    assert not ex.check("total", total.to_numpy()[::-1])
    fb = ex.check("total", pd.concat([total, total], axis=1))
    assert "got a table with 2 columns" in fb.message


def test_sets_and_groups_ignore_order_and_case_and_name_unknown_entries():
    ex = classroom.exercise("icc_vs_r", "2026001")
    assert ex.check("unchanged", ("ICC_consistency", "r"))
    fb = ex.check("unchanged", ["r", "kappa"])
    assert "names from the list (r, icc_agreement, icc_consistency)" in fb.message
    efa = classroom.exercise("reading_an_efa", "2026001")
    groups = solve("reading_an_efa", efa)["groups"]
    assert efa.check("groups", [sorted(g, reverse=True) for g in groups[::-1]])
    assert efa.check("groups", {f"factor {i}": g for i, g in enumerate(groups)})
    assert not efa.check("groups", [sum(groups, [])])
    assert "something else" in efa.check("groups", [["i01", "nope"]]).message


def test_an_unknown_step_lists_the_steps():
    with pytest.raises(InvalidParameterError, match=r"'step' parameter of icc_vs_r.check\(\).*'icc_agreement'"):
        classroom.exercise("icc_vs_r", "1").check("icc", 0.5)


def test_under_nbgrader_a_wrong_answer_fails_the_test_cell(monkeypatch):
    ex = classroom.exercise("icc_vs_r", "2026001")
    right = solve("icc_vs_r", ex)["r"]
    for mode in ("autograde", "validate"):
        monkeypatch.setenv("NBGRADER_EXECUTION", mode)
        with pytest.raises(AssertionError, match="not yet. No answer yet. Hint: Pearson"):
            ex.check("r", ...)
        assert ex.check("r", right).passed
    monkeypatch.setenv("NBGRADER_EXECUTION", "")
    assert not ex.check("r", ...).passed


HOSTILE = '<img src=x onerror="alert(1)">'


def test_hostile_ids_and_course_are_escaped_in_every_display():
    ex = classroom.exercise("icc_vs_r", HOSTILE, course="<script>alert(2)</script>")
    for html in (ex._repr_html_(), ex.check("r", ...)._repr_html_(), ex.check("unchanged", [HOSTILE])._repr_html_()):
        assert "<img" not in html and "<script" not in html
        assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html
    assert HOSTILE in repr(ex) and HOSTILE in ex.check("r", ...).text  # plain text shows it as it is


def test_the_exercise_shows_what_the_student_is_told_and_the_steps():
    ex = classroom.exercise("reverse_scoring", "2026001")
    text, html = repr(ex), ex._repr_html_()
    assert "Reverse-scoring by hand" in text and "reversed_items: " in text and "keyed:" in text
    assert "40 rows" in html and "<table" in html and "total" in html
    assert list(ex.steps.columns) == ["asks", "tolerance"]
    assert ex.steps.loc["alpha" if False else "total", "tolerance"] == "exact"
    assert classroom.exercise("alpha_by_hand", "1").steps.loc["alpha", "tolerance"] == "within \u00b11e-06"


def test_list_exercises_matches_the_notebooks(repo_root):
    table = classroom.list_exercises()
    shipped = sorted(p.name for p in (repo_root / "notebooks" / "classroom").glob("*.ipynb"))
    assert sorted(table["notebook"]) == shipped
    assert table.index.tolist() == list(EXERCISES)


def test_closed_forms_against_hand_worked_values():
    assert spearman_brown(0.5, 2) == pytest.approx(2 / 3, abs=1e-12)
    assert spearman_brown(0.95, 1 / 3) == pytest.approx(0.8636363636, abs=1e-9)
    assert length_factor(0.8, 0.9) == pytest.approx(2.25, abs=1e-12)
    # four loadings of .8: (3.2)^2 / ((3.2)^2 + 4 x .36) = 10.24 / 11.68
    assert true_reliability_of([0.8] * 4) == pytest.approx(10.24 / 11.68, abs=1e-12)
    # .9, .9, .3, .3: omega = 5.76 / 7.96; population alpha = 4/3 (1 - 4 / 7.96)
    ex = classroom.exercise("alpha_and_omega", "1")
    assert true_reliability_of([0.9, 0.9, 0.3, 0.3]) == pytest.approx(5.76 / 7.96, abs=1e-12)
    lam = np.array([0.9, 0.9, 0.3, 0.3])
    from toolkit.classroom.exercises.alpha_and_omega import population_alpha

    fake = type("Fake", (), {"given": {"loadings": lam.tolist()}})()
    assert population_alpha(fake) == pytest.approx(4 / 3 * (1 - 4 / 7.96), abs=1e-12)
    assert population_alpha(fake) < true_reliability_of(lam)  # alpha falls short without tau-equivalence
    assert ex.check("loading", math.sqrt(ex.given["target_reliability"] / (ex.given["n_items"] - (
        ex.given["n_items"] - 1) * ex.given["target_reliability"])))
