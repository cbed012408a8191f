"""toolkit.factor keeps the toolkit's contracts: one result type, one estimator base, escaped HTML, pickling,
real signatures, numpydoc docstrings, old spellings for one release, and named errors for singular input."""

from __future__ import annotations

import dataclasses
import html
import inspect
import pickle
import re
import warnings

import numpy as np
import pandas as pd
import pytest

import toolkit.factor as factor
from toolkit._results import Result
from toolkit.exceptions import (
    DataValidationError,
    FactorConvergenceWarning,
    HeywoodWarning,
    InvalidParameterError,
    NotFittedError,
    NotPositiveDefiniteWarning,
)
from toolkit.factor import EFA

from .conftest import load_ref

HOSTILE = "<img src=x onerror=alert(1)>"


def _bifactor(n=300, seed=0, columns=None):
    """Integer 1..5 answers to 9 items: a general factor and three group factors of three items."""
    rng = np.random.default_rng(seed)
    g = rng.normal(size=(n, 1))
    s = rng.normal(size=(n, 3))
    x = 0.6 * g + 0.5 * np.repeat(s, 3, axis=1) + rng.normal(size=(n, 9)) * 0.6
    x = np.clip(np.round(x + 3), 1, 5)
    return pd.DataFrame(x, columns=columns or [f"i{j}" for j in range(1, 10)])


def _hostile_data():
    return _bifactor(columns=[HOSTILE] + [f"i{j}" for j in range(2, 10)])


def _results_on(x):
    """Every result type of toolkit.factor, computed on ``x``."""
    efa = EFA(3).fit(x)
    return {
        "EFA": efa,
        "EFAResult": efa.result_,
        "PolychoricResult": factor.polychoric(x),
        "SchmidLeiman": factor.schmid_leiman(x, 3),
        "Omega": factor.omega(x, 3),
        "ParallelAnalysis": factor.parallel_analysis(x, n_iter=4, seed=1),
        "VelicerMAP": factor.velicer_map(x),
        "KMO": factor.kmo(x),
        "BartlettSphericity": factor.bartlett_sphericity(x),
    }


def _assert_escaped(markup: str, *, shown: bool = True):
    assert HOSTILE not in markup and "<img" not in markup
    if shown:
        assert html.escape(HOSTILE) in markup


# --------------------------------------------------------------------------- escaped HTML
@pytest.mark.parametrize("name", ["EFA", "EFAResult", "PolychoricResult", "SchmidLeiman", "Omega", "VelicerMAP",
                                  "KMO", "ParallelAnalysis", "BartlettSphericity"])
def test_html_of_every_result_escapes_item_names(name):
    obj = _results_on(_hostile_data())[name]
    # results whose display lists items show the escaped name; the others must not leak it either
    _assert_escaped(obj._repr_html_(), shown=name not in ("VelicerMAP", "ParallelAnalysis", "BartlettSphericity"))


def test_heywood_note_is_escaped_in_html():
    """The EFA display used to write the Heywood items raw (issue 9, item 3): a hostile column name ran."""
    ref = load_ref("edge_cases.json")["heywood"]
    names = [HOSTILE, "b", "c", "d"]
    r = pd.DataFrame(ref["r"], index=names, columns=names)
    with pytest.warns(HeywoodWarning):
        efa = EFA(2, rotation="none", n_obs=200).fit(r)
    assert efa.heywood_ == [HOSTILE, "b"]
    markup = efa._repr_html_()
    _assert_escaped(markup)
    assert "Heywood case" in markup and any("Heywood case" in n for n in efa.notes_)


def test_html_escapes_parameters_and_notes():
    assert "<script>" not in EFA(2, rotation="<script>")._repr_html_()  # unfitted: the parameters are shown
    res = factor.kmo(_bifactor())
    res.notes.append(HOSTILE)
    res.title = HOSTILE
    _assert_escaped(res._repr_html_())


# --------------------------------------------------------------------------- one result contract
@pytest.mark.parametrize("name", ["EFAResult", "PolychoricResult", "SchmidLeiman", "Omega", "ParallelAnalysis",
                                  "VelicerMAP", "KMO", "BartlettSphericity"])
def test_results_are_documented_dataclasses_with_the_contract(name):
    res = _results_on(_bifactor())[name]
    assert isinstance(res, Result) and dataclasses.is_dataclass(res)
    doc = inspect.getdoc(type(res))
    attributes = doc.split("Attributes\n----------", 1)[1]
    for f in dataclasses.fields(res):
        assert not f.name.endswith("_"), f"{name}.{f.name}: result fields carry no trailing underscore"
        if f.name not in ("title", "notes"):
            assert f"\n{f.name} :" in "\n" + attributes, f"{name}.{f.name} is not documented under Attributes"
    assert res.title and isinstance(res.summary(), pd.DataFrame) and isinstance(res.to_frame(), pd.DataFrame)
    assert any(n.startswith("R equivalent: psych::") or n.startswith("R equivalent: cor(") for n in res.notes), \
        res.notes
    assert not res.summary().attrs and repr(res).startswith(res.title)


def test_tables_are_plain_frames_without_attrs():
    x = _bifactor()
    assert factor.pearson(x).attrs == {} and factor.scree(x).attrs == {}
    assert factor.kmo(x).table.attrs == {} and factor.velicer_map(x).table.attrs == {}


@pytest.mark.parametrize("name", ["EFA", "EFAResult", "PolychoricResult", "SchmidLeiman", "Omega", "ParallelAnalysis",
                                  "VelicerMAP", "KMO", "BartlettSphericity"])
def test_results_and_fitted_efa_pickle(name):
    obj = _results_on(_bifactor())[name]
    back = pickle.loads(pickle.dumps(obj))
    pd.testing.assert_frame_equal(back.summary(), obj.summary())
    assert back.notes_ == obj.notes_ if name == "EFA" else back.notes == obj.notes
    assert back._repr_html_() == obj._repr_html_()


def test_unfitted_efa_pickles_and_transforms_after_a_round_trip():
    x = _bifactor()
    efa = pickle.loads(pickle.dumps(EFA(3, "ml"))).fit(x)
    again = pickle.loads(pickle.dumps(efa))
    pd.testing.assert_frame_equal(again.transform(x), efa.transform(x))


# --------------------------------------------------------------------------- one estimator base
def test_efa_in_scikit_learn_clone_pipeline_and_check_is_fitted():
    from sklearn.base import clone
    from sklearn.exceptions import NotFittedError as SkNotFitted
    from sklearn.pipeline import make_pipeline
    from sklearn.utils.validation import check_is_fitted

    x = _bifactor()
    est = EFA(3, method="pa", rotation="varimax", ci=0.95, scores="Bartlett")
    with pytest.raises(SkNotFitted):
        check_is_fitted(est)
    with pytest.raises(NotFittedError, match=r"This EFA is not fitted yet: call \.fit\(data\) before using summary"):
        est.summary()
    copy = clone(est)
    assert copy is not est and copy.get_params() == est.get_params()
    assert est.fit(x) is est
    check_is_fitted(est)
    with pytest.raises(SkNotFitted):
        check_is_fitted(clone(est))  # a clone is unfitted
    scores = make_pipeline(clone(est)).fit_transform(x)
    np.testing.assert_allclose(np.asarray(scores), est.transform(x).to_numpy())
    assert est.set_params(n_factors=2, ci=0.9) is est and est.get_params()["n_factors"] == 2
    # the display describes the fit that was made, not parameters changed since
    assert est.result_.title.startswith("EFA: 3 factor(s), pa extraction, varimax rotation")
    assert "the 95 % confidence intervals" in est.fit_lines()[2]
    with pytest.raises(InvalidParameterError, match="EFA has no parameter 'alpha'"):
        est.set_params(alpha=0.1)


def test_signatures_show_the_real_parameters():
    params = list(inspect.signature(EFA).parameters)
    assert params == ["n_factors", "method", "rotation", "corr", "missing", "n_obs", "scores", "ci", "min_err",
                      "max_iter"]
    assert sorted(params) == EFA._get_param_names()
    for name in factor.__all__:
        obj = getattr(factor, name)
        if inspect.isfunction(obj):
            sig = inspect.signature(obj)
            assert not any(p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) for p in sig.parameters.values()), name


def test_efa_parameters_are_checked_at_fit_not_init():
    est = EFA(n_factors="three")  # scikit-learn: __init__ stores, fit validates
    assert est.n_factors == "three"
    with pytest.raises(InvalidParameterError, match="The 'n_factors' parameter of EFA"):
        est.fit(_bifactor())


def test_every_plot_takes_ax_and_returns_it():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    x = _bifactor()
    efa = EFA(3).fit(x)
    pa = factor.parallel_analysis(x, n_iter=4, seed=0)
    for draw in (lambda ax: factor.scree_plot(pa, ax=ax), lambda ax: factor.scree_plot(factor.scree(x), ax=ax),
                 lambda ax: pa.plot(ax=ax), lambda ax: factor.loadings_heatmap(efa, ax=ax),
                 lambda ax: factor.factor_diagram(efa, ax=ax)):
        fig, ax = plt.subplots()
        assert draw(ax) is ax
        plt.close(fig)


# --------------------------------------------------------------------------- old spellings, one release
def _deprecated(fn):
    with pytest.warns(DeprecationWarning) as caught:
        value = fn()
    return value, " ".join(str(w.message) for w in caught)


def test_efa_alpha_is_ci_with_a_deprecation_and_the_same_numbers():
    x = _bifactor()
    new = EFA(3, ci=0.9).fit(x)
    old, message = _deprecated(lambda: EFA(3, alpha=0.1))
    assert "'alpha' is deprecated" in message and "ci=0.9" in message and old.ci == 0.9
    pd.testing.assert_series_equal(old.fit(x).fit_, new.fit_, check_exact=True)
    wide = EFA(3, ci=0.95).fit(x)
    old95, _ = _deprecated(lambda: EFA(3, alpha=0.05))
    pd.testing.assert_series_equal(old95.fit(x).fit_, wide.fit_, check_exact=True)
    assert wide.fit_["rmsea_high"] > new.fit_["rmsea_high"]
    with pytest.raises(TypeError, match="got both 'alpha' .* and 'ci'"):
        EFA(3, alpha=0.1, ci=0.9)


def test_old_result_spellings_warn_and_give_the_same_values():
    x = _bifactor()
    om = factor.omega(x, 3)
    value, message = _deprecated(lambda: om.omega_h_)
    assert value == om.omega_h and "Omega.omega_h_ is deprecated" in message and "use .omega_h" in message
    assert _deprecated(lambda: om.schmid_)[0] is om.schmid
    assert _deprecated(lambda: om.schmid_leiman_.sl_)[0] is om.schmid_leiman.sl
    poly = factor.polychoric(x)
    assert _deprecated(lambda: poly.rho_)[0] is poly.rho and _deprecated(lambda: poly.tau_)[0] is poly.tau
    pa = factor.parallel_analysis(x, n_iter=4, seed=2)
    assert _deprecated(lambda: pa.table_)[0] is pa.table and _deprecated(lambda: pa.n_factors_)[0] == pa.n_factors
    # functions that used to return their table: the table's attributes and indexing, for one release
    m = factor.velicer_map(x)
    attrs, message = _deprecated(lambda: m.attrs)
    assert attrs == {"n_factors": m.n_factors} and "use .n_factors" in message
    pd.testing.assert_series_equal(_deprecated(lambda: m["map"])[0], m.table["map"])
    k = factor.kmo(x)
    value, message = _deprecated(lambda: k.loc["overall", "msa"])
    assert value == k.msa and "use .table.loc" in message
    b = factor.bartlett_sphericity(x)
    assert _deprecated(lambda: b["chi2"])[0] == b.chi2
    with pytest.raises(AttributeError, match="'Omega' object has no attribute 'omega_hh'"):
        om.omega_hh  # noqa: B018
    with pytest.raises(TypeError, match="'Omega' object is not subscriptable"):
        om["omega_h"]


# --------------------------------------------------------------------------- singular input (issue 9, item 8)
def _with_duplicate(seed=4, n=150):
    rng = np.random.default_rng(seed)
    f = rng.normal(size=(n, 2))
    lam = np.kron(np.eye(2), np.full((4, 1), .7))
    x = pd.DataFrame(np.clip(np.round(f @ lam.T + rng.normal(size=(n, 8)) * .7 + 4), 1, 7),
                     columns=[f"i{j}" for j in range(8)])
    x["copy"] = x["i0"]
    return x


def test_duplicated_item_efa_warns_naming_the_items_instead_of_a_bare_linalg_error():
    """This matrix made EFA fail with numpy's 'LinAlgError: Singular matrix' (factor-score weights)."""
    x = _with_duplicate()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        efa = EFA(2).fit(x)
    messages = [str(w.message) for w in caught if issubclass(w.category, NotPositiveDefiniteWarning)]
    assert len(messages) == 1
    assert "The correlation matrix is singular: items 'i0' and 'copy' are perfectly correlated (r = 1.0000)" \
        in messages[0]
    assert messages[0] in efa.notes_
    assert np.isfinite(efa.weights_.to_numpy()).all()
    # the two copies get the same weights, up to the fit's tolerance (their uniquenesses come from L-BFGS-B)
    np.testing.assert_allclose(efa.weights_.loc["i0"], efa.weights_.loc["copy"], atol=1e-4)
    assert all(issubclass(w.category, (NotPositiveDefiniteWarning, FactorConvergenceWarning)) for w in caught)


@pytest.mark.parametrize("case", ["duplicated_item", "fewer_rows_than_items"])
def test_singular_efa_matches_psych_smoothing(bfi_items, case):
    """R: see edge_cases.json[case]["call"] (make_edge_reference.R, sections 4-5): psych::fa warns "Matrix was not
    positive definite, smoothing was done" and fits; we fit the same and warn naming the cause. Tolerances as in
    test_reference_psych.py: 1e-4 loadings (iterative fit), chi2 2e-3 absolute, TLI and RMSEA 1e-6."""
    ref = load_ref("edge_cases.json")[case]
    assert "Matrix was not positive definite, smoothing was done" in ref["warnings"]
    if case == "duplicated_item":
        x = bfi_items.iloc[:300, :10].dropna()
        x["A1dup"] = x["A1"]
        assert x.index.astype(int).tolist() == ref["rows"]
        match = "items 'A1' and 'A1dup' are perfectly correlated"
    else:
        x = bfi_items.iloc[:8, :10].dropna()
        match = "there are 8 respondents for 10 items"
    with pytest.warns(NotPositiveDefiniteWarning, match=match):
        efa = EFA(2).fit(x)
    assert efa.loadings_.columns.tolist() == ref["colnames"]
    np.testing.assert_allclose(efa.loadings_.to_numpy(), ref["loadings"], atol=1e-4)
    np.testing.assert_allclose(efa.communalities_.to_numpy(), ref["communality"], atol=1e-4)
    np.testing.assert_allclose(efa.fit_["rms"], ref["rms"], rtol=1e-5)
    np.testing.assert_allclose(efa.fit_["chi2"], ref["STATISTIC"], atol=2e-3)
    np.testing.assert_allclose(efa.fit_["tli"], ref["TLI"], atol=1e-6)
    np.testing.assert_allclose(efa.fit_[["rmsea", "rmsea_low", "rmsea_high"]], ref["RMSEA"][:3], atol=1e-6)


def test_linear_combination_is_named():
    x = _with_duplicate().drop(columns="copy")
    x["sum12"] = x["i1"] + x["i2"]
    with pytest.warns(NotPositiveDefiniteWarning,
                      match=r"items 'i1', 'i2' and 'sum12' are linearly dependent \(each is a weighted sum"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", HeywoodWarning)
            EFA(2).fit(x)


def test_kmo_of_a_singular_matrix_names_the_items(bfi_items):
    """psych::KMO prints "matrix is not invertible, image not found" and returns MSA = 0.5 here
    (edge_cases.json["duplicated_item"]["kmo_msa"]), which is no measure of sampling adequacy; we raise,
    naming the items. The old code raised numpy's bare 'LinAlgError: Singular matrix'."""
    assert load_ref("edge_cases.json")["duplicated_item"]["kmo_msa"] == 0.5
    with pytest.raises(DataValidationError, match=r"kmo\(\) needs the inverse of the correlation matrix, which is "
                                                  r"singular: items 'i0' and 'copy' are perfectly correlated") as err:
        factor.kmo(_with_duplicate())
    assert err.value.report[["item", "set"]].values.tolist() == [["i0", 1], ["copy", 1]]
    with pytest.raises(DataValidationError, match="there are 8 respondents for 10 items"):
        factor.kmo(bfi_items.iloc[:8, :10])


def test_bartlett_of_a_singular_matrix_warns():
    with pytest.warns(NotPositiveDefiniteWarning, match="items 'i0' and 'copy' are perfectly correlated"):
        b = factor.bartlett_sphericity(_with_duplicate())
    assert b.chi2 == np.inf and b.p_value == 0 and any("singular" in n for n in b.notes)


# --------------------------------------------------------------------------- numpydoc docstrings
#: checks left out: ES01 (extended summary), SA01 (See Also: the R equivalent has its own paragraph in Notes),
#: SS05 (flags "Horn's ..." as a third-person verb); results are built by functions, whose Examples show them,
#: and document their fields under Attributes (PR01 would ask for the dataclass constructor's parameters)
IGNORED = {"ES01", "SA01", "SS05"}
RESULT_IGNORED = IGNORED | {"EX01", "PR01"}


def _public_targets():
    for name in factor.__all__:
        obj = getattr(factor, name)
        is_result = inspect.isclass(obj) and issubclass(obj, Result)
        yield f"toolkit.factor.{name}", RESULT_IGNORED if is_result else IGNORED
        if inspect.isclass(obj):
            for attr, value in vars(obj).items():
                if not attr.startswith("_") and (inspect.isfunction(value) or isinstance(value, property)):
                    yield f"toolkit.factor.{name}.{attr}", IGNORED | {"EX01"}


@pytest.mark.parametrize(("target", "ignored"), list(_public_targets()), ids=lambda v: v if isinstance(v, str) else "")
def test_numpydoc(target, ignored):
    validate = pytest.importorskip("numpydoc.validate").validate
    errors = [(code, msg) for code, msg in validate(target)["errors"] if code not in ignored]
    assert not errors, errors


@pytest.mark.parametrize("name", [n for n in factor.__all__ if inspect.isfunction(getattr(factor, n))] + ["EFA"])
def test_docstrings_give_formula_r_equivalent_and_reference(name):
    doc = inspect.getdoc(getattr(factor, name))
    notes = doc.split("Notes\n-----\n", 1)[1].split("\n\nReferences\n----------\n", 1)
    assert len(notes) == 2, f"{name}: Notes must be followed by References"
    last = notes[0].strip().split("\n\n")[-1]
    assert re.fullmatch(r"R equivalent: ``[^`]+``\.", last), f"{name}: the Notes end with {last!r}"
    assert "\nExamples\n--------\n>>> " in doc
