"""Behaviour of the CFA estimator: warnings instead of silent bounds or NaN, clear errors, the contracts."""

from __future__ import annotations

import pickle
import warnings

import numpy as np
import pandas as pd
import pytest

from toolkit.exceptions import (CFAWarning, DataValidationError, HeywoodWarning, IncompleteRowsWarning,
                                InvalidParameterError, ModelSpecificationError, NotFittedError,
                                NotPositiveDefiniteWarning)
from toolkit.factor.cfa import CFA, cfa

from .conftest import HS_MODEL


def _exact(cov, n, seed, names):
    """Data whose covariance (divisor n) is exactly ``cov``."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, len(cov)))
    X -= X.mean(axis=0)
    X = X @ np.linalg.inv(np.linalg.cholesky(X.T @ X / n)).T
    X = X @ np.linalg.cholesky(np.asarray(cov)).T
    return pd.DataFrame(X + 3.0, columns=names)


def test_heywood_case_is_reported_not_bounded():
    """One factor, three indicators with r12 = r13 = .8 and r23 = .5: lambda1^2 = .8 * .8 / .5 = 1.28, so the
    residual variance of x1 is 1 - 1.28 = -0.28 (lavaan gives the same negative value, with a warning)."""
    R = [[1, .8, .8], [.8, 1, .5], [.8, .5, 1]]
    d = _exact(R, 400, 1, ["x1", "x2", "x3"])
    with pytest.warns(HeywoodWarning, match="x1") as rec:
        fit = CFA("f =~ x1 + x2 + x3", std_lv=True).fit(d)
    theta = fit.estimates_.query("lhs == 'x1' and op == '~~'")["est"].item()
    assert theta == pytest.approx(1 - 0.8 * 0.8 / 0.5, abs=1e-6)
    assert any("Heywood" in n for n in fit.notes_)
    assert "lavaan" in str(rec[0].message)


def test_factor_correlation_above_one_warns():
    """Two factors whose indicators correlate more across than within: factor correlation > 1."""
    R = np.full((4, 4), 0.5)
    R[0, 2] = R[2, 0] = R[0, 3] = R[3, 0] = R[1, 2] = R[2, 1] = R[1, 3] = R[3, 1] = 0.6
    np.fill_diagonal(R, 1.0)
    d = _exact(R, 300, 2, ["a", "b", "c", "e"])
    with pytest.warns(NotPositiveDefiniteWarning, match="factors is not positive definite"):
        fit = CFA("F =~ a + b\n G =~ c + e", std_lv=True).fit(d)
    r = fit.estimates_.query("lhs == 'F' and rhs == 'G'")["est"].item()
    assert r == pytest.approx(1.2, abs=1e-6)


def test_not_identified_model_is_an_error():
    d = _exact(np.eye(2) * .5 + .5, 100, 3, ["a", "b"])
    with pytest.raises(ModelSpecificationError, match="not identified"):
        CFA("f =~ a + b").fit(d)


def test_empirically_unidentified_model_warns_about_standard_errors():
    """Two uncorrelated factors with two indicators each: df >= 0 but the loadings are not identified."""
    R = np.eye(4)
    R[0, 1] = R[1, 0] = R[2, 3] = R[3, 2] = 0.5
    d = _exact(R, 300, 4, ["a", "b", "c", "e"])
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        fit = CFA("F =~ a + b\n G =~ c + e", orthogonal=True).fit(d)
    assert any(issubclass(w.category, CFAWarning) and "identified" in str(w.message) for w in rec)
    assert fit.estimates_["se"].isna().any()
    assert any("standard errors cannot be computed" in n for n in fit.notes_)


def test_listwise_deletion_names_the_rows_and_keeps_the_input(hs):
    d = hs.copy()
    d.loc[[3, 10], "x2"] = np.nan
    before = d.copy()
    with pytest.warns(IncompleteRowsWarning, match=r"2 row\(s\).*'3', '10'.*missing='fiml'"):
        fit = CFA(HS_MODEL).fit(d)
    assert fit.n_obs_ == {None: 299}
    pd.testing.assert_frame_equal(d, before)


def test_bad_cells_are_named(hs):
    d = hs.copy()
    d["x4"] = d["x4"].astype(object)
    d.loc[5, "x4"] = "n/a?"
    with pytest.raises(DataValidationError, match="row 5, column 'x4'") as err:
        CFA(HS_MODEL).fit(d)
    assert err.value.report.iloc[0]["value"] == "n/a?"


def test_unknown_variables_and_parameters(hs):
    with pytest.raises(ModelSpecificationError, match=r"\['x10'\].*not columns"):
        CFA("f =~ x1 + x2 + x10").fit(hs)
    with pytest.raises(InvalidParameterError, match="'estimator' parameter of CFA"):
        CFA(HS_MODEL, estimator="GLS").fit(hs)
    with pytest.raises(InvalidParameterError, match="'missing' parameter"):
        CFA(HS_MODEL, missing="pairwise").fit(hs)
    with pytest.raises(InvalidParameterError, match="ordinal indicators"):
        CFA(HS_MODEL, estimator="WLSMV").fit(hs)
    with pytest.raises(InvalidParameterError, match="'group' parameter"):
        CFA(HS_MODEL).fit(hs, group="schools")
    with pytest.raises(InvalidParameterError, match="unknown option"):
        cfa(hs, HS_MODEL, stdlv=True)
    d = hs.copy()
    d.loc[0, "school"] = None
    with pytest.raises(DataValidationError, match="group column 'school' is empty in 1 row"):
        CFA(HS_MODEL).fit(d, group="school")


def test_estimator_contract(hs):
    est = CFA(HS_MODEL, std_lv=True)
    assert est.get_params()["std_lv"] is True
    assert "not fitted" in est._repr_html_()
    with pytest.raises(NotFittedError):
        est.summary()
    est.fit(hs)
    assert est.summary().columns.tolist()[:3] == ["lhs", "op", "rhs"]
    assert "CFA (ML, 301 rows)" in repr(est)
    copy = pickle.loads(pickle.dumps(est))
    np.testing.assert_allclose(copy.estimates_["est"], est.estimates_["est"])
    assert copy.standardized_["std_all"].notna().all()
    sklearn = pytest.importorskip("sklearn")
    from sklearn.base import clone

    c = clone(est)
    assert c.get_params() == est.get_params() and not hasattr(c, "estimates_")
    del sklearn


def test_html_escapes_labels(hs):
    d = hs.rename(columns={"x1": "x1"})
    fit = CFA("visual =~ x1 + x2 + x3 + x4", std_lv=True).fit(d)
    fit._notes.append("<script>alert(1)</script>")
    fit.__dict__.pop("_result_cache", None)
    html = fit._repr_html_()
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_parameter_table_is_editable(hs):
    """A table from parameter_table(), edited, is fitted as it stands (here: x3's loading fixed to .5)."""
    from toolkit.factor.cfa import parameter_table

    pt = parameter_table("visual =~ x1 + x2 + x3")
    pt.loc[(pt.op == "=~") & (pt.rhs == "x3"), ["free", "ustart"]] = [0, 0.5]
    fit = CFA(pt).fit(hs)
    assert fit.estimates_.query("rhs == 'x3' and op == '=~'")["est"].item() == 0.5
    assert fit.fit_measures_["df"] == 1


def test_refit_recomputes_the_tables(hs):
    est = CFA(HS_MODEL)
    first = est.fit(hs).standardized_["std_all"].copy()
    r2_first = est.r2_.copy()
    est.fit(hs.iloc[:150])
    assert not np.allclose(est.standardized_["std_all"], first)
    assert not np.allclose(est.r2_.to_numpy(), r2_first.to_numpy())
