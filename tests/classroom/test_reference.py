"""The values the classroom checks expect, against R (psych 2.2.9, GPArotation, lavaan 0.6-14), on two students'
data sets.

``tests/reference/classroom/make_reference.R`` computes every expected value from the exported data sets
(``export_data.py``) with ``psych::alpha``, ``psych::ICC(x, lmer = FALSE)``,
``psych::fa(x, nfactors, fm = "minres", rotate = "oblimin")``, ``lavaan::cfa(model, x)`` with ``fitMeasures``,
``lavTestLRT`` and ``standardizedSolution``, and the closed forms written out in R.
Tolerances: 1e-6 for closed forms and alpha/ICC (all closed forms), 1e-4 for the EFA communality and the CFA values
(iterative fits; the CFA values agreed to 3e-7 when recorded).
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from toolkit import classroom
from toolkit.classroom.registry import EXERCISES

REF = "tests/reference/classroom"
TOL = {"communality": 1e-4, "one_factor_fit": 1e-4, "correlated_fit": 1e-4, "chisq_diff": 1e-4, "std_loading": 1e-4,
       "factor_corr": 1e-4}


@pytest.fixture(scope="module")
def reference(repo_root):
    return json.loads((repo_root / REF / "classroom_r.json").read_text())


@pytest.mark.parametrize("sid", ["2026001", "ab12"])
def test_exported_data_sets_are_the_students_data_sets(sid, repo_root):
    for name in EXERCISES:
        if name == "reverse_scoring":
            continue
        stored = pd.read_csv(repo_root / REF / f"{name}_{sid}.csv", index_col=0, dtype={0: str})
        mine = classroom.student_data(sid, name)
        np.testing.assert_array_equal(stored.to_numpy(dtype=float), mine.to_numpy(dtype=float))
        assert list(stored.index) == list(mine.index) and list(stored.columns) == list(mine.columns)


@pytest.mark.parametrize("sid", ["2026001", "ab12"])
@pytest.mark.parametrize("name", [n for n in EXERCISES if n != "reverse_scoring"])
def test_expected_values_equal_r(name, sid, reference):
    ex = classroom.exercise(name, sid)
    r = reference[sid][name]
    assert set(r) == set(ex.steps.index) - {"underestimates", "assumption", "unchanged"}
    for step, want in r.items():
        spec = EXERCISES[name].step(step)
        got = ex._expected(spec)
        if spec.kind in ("number", "vector", "matrix"):
            if isinstance(want, dict):
                got, want = pd.Series(got).loc[list(want)].to_numpy(), list(want.values())
            np.testing.assert_allclose(np.asarray(got, dtype=float), np.asarray(want, dtype=float), rtol=0,
                                       atol=TOL.get(step, 1e-6), err_msg=f"{name}.{step}")
        elif spec.kind == "groups":
            assert {frozenset(g) for g in got} == {frozenset(g) for g in want}, step
        else:
            assert got == want, step
