"""The analytic derivatives of the ML/FIML discrepancy against finite differences of the analytic gradient.

The observed information (the Hessian of fmin) is computed in closed form: per-pattern terms summed before
they meet the derivatives, and the model's second derivatives from :meth:`LisrelModel.curvature`. Each is
compared with a numeric version on small models that use every kind of parameter (loadings, residual and
factor (co)variances, regressions among factors, second-order loadings, intercepts, factor means), equality
constraints, several groups, and missing-data patterns of both kinds (few missing variables: low-rank
corrections; many missing variables in several rows: the observed block directly).

The Jacobian of the standardized
solution (delta-method SEs of std_all) is analytic too and compared the same way.

Tolerances: the numeric Hessian is a central difference of the analytic gradient (step 1e-5, error ~1e-10
of its scale): 1e-6 relative to the largest entry. The numeric curvature is a 2-point difference: 1e-6; the
numeric standardized Jacobian (2-point, step 1e-6): 1e-7.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from toolkit.factor.cfa import CFA

from ._compare import load_ref, read_csv
from .conftest import HS_MODEL

SECOND_ORDER = HS_MODEL + "\ng =~ visual + textual + speed"


def _with_holes(df, seed, block_rows=6, block=5):
    """Scattered single holes (low-rank patterns) and a block of ``block`` missing columns in ``block_rows``
    rows (one pattern handled in its observed block)."""
    rng = np.random.default_rng(seed)
    X = df.to_numpy(dtype=float)
    n, p = X.shape
    for i in rng.choice(n, size=n // 4, replace=False):
        X[i, rng.choice(p, size=rng.integers(1, 3), replace=False)] = np.nan
    rows = rng.choice(n, size=block_rows, replace=False)
    X[np.ix_(rows, np.arange(block))] = np.nan
    return pd.DataFrame(X, columns=df.columns, index=df.index)


def _fits():
    pd_data = read_csv("political_democracy.csv")
    pd_model = load_ref("political_democracy.json")["model"]
    hs = read_csv("holzinger_swineford_1939.csv")
    items = [f"x{i}" for i in range(1, 10)]
    return {
        "structural ML": lambda: CFA(pd_model, meanstructure=True).fit(pd_data),
        "structural FIML": lambda: CFA(pd_model, missing="fiml").fit(_with_holes(pd_data, 1)),
        "second order FIML": lambda: CFA(SECOND_ORDER, missing="fiml").fit(_with_holes(hs[items], 2, 8, 4)),
        "groups, equal loadings and intercepts, FIML": lambda: CFA(
            HS_MODEL, group_equal=["loadings", "intercepts"], missing="fiml").fit(
            _with_holes(hs[items], 3, 12, 4).assign(school=hs["school"]), group="school"),
        "no mean structure": lambda: CFA(HS_MODEL, meanstructure=False).fit(hs),
        "regressions among observed variables": lambda: CFA("y1 ~ x1 + x2\ny2 ~ y1 + x3").fit(pd_data),
    }


FITS = _fits()


@pytest.fixture(scope="module", params=list(FITS), ids=list(FITS))
def fitted(request):
    return FITS[request.param]()


@pytest.fixture(scope="module")
def problem_at_optimum(fitted):
    return fitted._problem, fitted._opt.z


def test_fiml_fixtures_have_both_kinds_of_pattern(problem_at_optimum):
    problem, _ = problem_at_optimum
    if not problem.fiml:
        return
    for st in problem.stats:
        ks = {(pat.missing.size, pat.n) for pat in st.patterns}
        assert any(k == 1 for k, _ in ks)                     # low-rank corrections
        assert any(k >= 4 and n >= 4 for k, n in ks)          # the observed block directly


def test_observed_information_is_the_hessian_of_fmin(problem_at_optimum):
    """Away from the estimates (the formula does not use the first-order conditions, so this covers them)."""
    problem, z = problem_at_optimum
    z = z + 0.02 * np.random.default_rng(7).standard_normal(z.size)
    H = problem.observed_information(z)
    h = 1e-5
    H_num = np.array([(problem.objective_gradient(z + h * e)[1] - problem.objective_gradient(z - h * e)[1]) / (2 * h)
                      for e in np.eye(z.size)])
    H_num = (H_num + H_num.T) / 2
    scale = np.max(np.abs(H_num))
    np.testing.assert_allclose(H, H_num, rtol=0, atol=1e-6 * scale)
    assert np.allclose(H, H.T, rtol=0, atol=1e-12 * scale)


def test_gradient_is_the_derivative_of_fmin(problem_at_optimum):
    problem, z = problem_at_optimum
    z = z + 0.02 * np.random.default_rng(8).standard_normal(z.size)
    _, g = problem.objective_gradient(z)
    h = 1e-6
    g_num = np.array([(problem.objective(z + h * e) - problem.objective(z - h * e)) / (2 * h)
                      for e in np.eye(z.size)])
    np.testing.assert_allclose(g, g_num, rtol=0, atol=1e-7 * max(1.0, np.max(np.abs(g_num))))


def test_fiml_fmin_and_loglik_are_the_casewise_loglikelihood(problem_at_optimum):
    """fmin = -(logL - logL_h1) / N and loglik() = logL, with logL by the plain route here: one slogdet and
    inverse per pattern (the engine gets every pattern from one inverse of Sigma)."""
    problem, z = problem_at_optimum
    if not problem.fiml:
        return
    z = z + 0.02 * np.random.default_rng(10).standard_normal(z.size)
    logl = 0.0
    for imp, st in zip(problem.implied(z), problem.stats):
        for pat in st.patterns:
            o = pat.observed
            S = imp.sigma[np.ix_(o, o)]
            R = pat.Y - imp.mu[o]
            logl += -0.5 * (pat.n * (o.size * np.log(2 * np.pi) + np.linalg.slogdet(S)[1])
                            + np.sum((R @ np.linalg.inv(S)) * R))
    assert problem.loglik(z) == pytest.approx(logl, rel=1e-12)
    h1 = sum(st.h1_loglik for st in problem.stats)
    assert problem.objective(z) == pytest.approx(-(logl - h1) / problem.N, rel=1e-10)


def _curvature_numeric(model, values, g, rows, G, gmu, *, h: float = 1e-6):
    """Central differences of the gradient entries tr(G dSigma_k) + gmu' dmu_k in the parameters of ``rows``."""
    S2 = np.zeros((rows.size, rows.size))
    for j, row in enumerate(rows):
        step = h * max(1.0, abs(values[row]))
        out = []
        for s in (step, -step):
            v = values.copy()
            v[row] += s
            aa, bb, mm, _ = model.derivatives(model.implied(v, g), rows)
            out.append(2 * np.sum((aa @ G) * bb, axis=1) + mm @ gmu)
        S2[:, j] = (out[0] - out[1]) / (2 * step)
    return S2


def test_curvature_is_the_hessian_of_the_gradient_terms(problem_at_optimum):
    """LisrelModel.curvature (analytic) against central differences, with an arbitrary symmetric G and g."""
    problem, z = problem_at_optimum
    rng = np.random.default_rng(9)
    values = problem.values(z)
    p = problem.model.p
    for g in range(problem.model.ngroups):
        rows = problem._group_rows[g]
        G = rng.standard_normal((p, p))
        G = G + G.T
        gmu = rng.standard_normal(p)
        S2 = problem.model.curvature(problem.model.implied(values, g), rows, G, gmu)
        S2_num = _curvature_numeric(problem.model, values, g, rows, G, gmu)
        np.testing.assert_allclose(S2, S2_num, rtol=0, atol=1e-6 * max(1.0, np.max(np.abs(S2_num))))
        assert np.any(S2 != 0)


def test_standardized_jacobian_is_the_derivative_of_std_all(fitted):
    """The delta-method Jacobian of std_all (analytic; defined parameters along its columns) against central
    differences of the whole standardization."""
    model, pt, values, rows, *_ = fitted._std_inputs
    g0 = pt["group"].to_numpy() - 1
    J = np.nan_to_num(fitted._std_all_jacobian(model, pt, values, rows, g0))
    J_num = np.nan_to_num(fitted._std_all_jacobian_numeric(model, pt, values, rows, g0))
    np.testing.assert_allclose(J, J_num, rtol=0, atol=1e-7 * max(1.0, np.max(np.abs(J_num))))


def test_observed_quadratics_are_the_per_pattern_sums():
    """The GFI terms of every missing-data pattern from one inverse of Sigma (Schur complements), against one
    inverse per observed block; patterns with 0 to 5 missing variables."""
    from toolkit.factor.cfa.patterns import observed_quadratics

    rng = np.random.default_rng(11)
    p = 8
    B = rng.standard_normal((p, p))
    sigma = B @ B.T + p * np.eye(p)
    A = rng.standard_normal((p, p))
    A = A + A.T
    d = rng.standard_normal(p)
    missing = [rng.choice(p, size=k, replace=False) for k in (0, 1, 1, 2, 3, 3, 5)]
    w = rng.random(len(missing))
    want = 0.0
    for m, wi in zip(missing, w):
        o = np.setdiff1d(np.arange(p), m)
        Si = np.linalg.inv(sigma[np.ix_(o, o)])
        D = Si @ A[np.ix_(o, o)]
        want += wi * (0.5 * np.trace(D @ D) + d[o] @ Si @ d[o])
    assert observed_quadratics(np.linalg.inv(sigma), missing, w, A, d) == pytest.approx(want, rel=1e-12)


def test_saturated_fiml_information_is_the_sum_over_patterns():
    """h1_observed (every pattern from one inverse of Sigma, in the engine's rank-2 form) against the sum of
    each pattern's (mu, vech Sigma_oo) Hessian placed in the full matrix; with a block of 9 missing
    variables in 10 rows (a pattern done in its observed block)."""
    from toolkit.factor.cfa.fiml_robust import _moment_hessian, _vech_index, h1_observed
    from toolkit.factor.cfa.samplestats import group_stats

    rng = np.random.default_rng(12)
    p = 12
    X = rng.standard_normal((200, p)) @ rng.standard_normal((p, p)) * 0.3 + rng.standard_normal((200, p))
    X[rng.random(X.shape) < 0.1] = np.nan
    X[:10, :9] = np.nan
    st = group_stats(X, "g", None, fiml=True)
    mu, sigma = st.mean + 0.05, st.cov * 1.1
    Iv, Jv = _vech_index(p)
    where = {(i, j): p + t for t, (i, j) in enumerate(zip(Iv, Jv))}
    want = np.zeros((p + Iv.size, p + Iv.size))
    for pat in st.patterns:
        o = pat.observed
        Si = np.linalg.inv(sigma[np.ix_(o, o)])
        d = pat.mean - mu[o]
        oi, oj = _vech_index(o.size)
        pos = np.r_[o, [where[(o[i], o[j])] for i, j in zip(oi, oj)]]
        want[np.ix_(pos, pos)] += _moment_hessian(Si, Si @ (pat.cov + np.outer(d, d)) @ Si, d, pat.n / st.n)
    np.testing.assert_allclose(h1_observed(st, mu, sigma), want, rtol=0, atol=1e-12 * np.max(np.abs(want)))
