"""The result and estimator contract in toolkit.dyadic: escaped HTML with hostile strings, pickling, real
signatures, scikit-learn's clone and check_is_fitted, and old spellings that warn and give the same numbers."""

from __future__ import annotations

import inspect
import pickle
import warnings

import numpy as np
import pandas as pd
import pytest

import toolkit
import toolkit.dyadic as dyadic
from toolkit._results import Result
from toolkit.dyadic import (APIM, ResponseSurface, agreement, bland_altman, concordance, d_z, dyad_discrepancies,
                            item_kappa, paired_t, pair_raters, pearson_r, weighted_kappa)
from toolkit.dyadic.plots import bland_altman_data
from toolkit.exceptions import IncompleteRowsWarning, NotFittedError

from ._data import stored, study_b_pairs

HOSTILE = "<img src=x onerror=alert(1)>"
ESCAPED = "&lt;img src=x onerror=alert(1)&gt;"


def _hostile_tidy():
    d = stored("icc_dyads")
    return pd.DataFrame({"dyad_id": d["dyad_id"].where(d.index != 0, HOSTILE), "subscale": HOSTILE,
                         HOSTILE: d["client"], "therapist": d["therapist"]})


def _apim_data():
    rng = np.random.default_rng(8)
    x = rng.normal(size=(60, 2))
    return pd.DataFrame({"dyad": np.repeat([f"{HOSTILE}{i}" for i in range(60)], 2), HOSTILE: [HOSTILE, "t"] * 60,
                         "x" + HOSTILE: x.ravel(), "y" + HOSTILE: (x @ [[0.5, 0.1], [0.2, 0.4]]).ravel()
                         + rng.normal(size=120)})


def _fitted_apim():
    return APIM("y" + HOSTILE, "x" + HOSTILE, dyad="dyad", role=HOSTILE, roles=(HOSTILE, "t")).fit(_apim_data())


def _fitted_surface():
    rng = np.random.default_rng(9)
    d = pd.DataFrame({HOSTILE: rng.normal(size=40), "t" + HOSTILE: rng.normal(size=40),
                      "z" + HOSTILE: rng.normal(size=40)})
    return ResponseSurface("z" + HOSTILE, HOSTILE, "t" + HOSTILE).fit(d)


def _hostile_pairs():
    wai = toolkit.load_sample("wai36_client_therapist")
    return pair_raters(wai.replace({"dyad_id": {"B001": HOSTILE}}), instrument_client="wai36")


def _results():
    """One of every result of toolkit.dyadic, with hostile ids, labels and column names where the data can
    carry them."""
    x, y = [1, 2, 3, 4, 5, 6], [2, 1, 4, 3, 6, 5]
    tidy = _hostile_tidy()
    pairs = _hostile_pairs()
    return {
        "pearson_r": pearson_r(x, y), "concordance": concordance(x, y), "paired_t": paired_t(x, y),
        "d_z": d_z(x, y), "bland_altman": bland_altman(x, y), "weighted_kappa": weighted_kappa(x, y),
        "agreement": agreement(tidy, raters=(HOSTILE, "therapist")), "pair_raters": pairs,
        "item_kappa": item_kappa(pairs),
        "dyad_discrepancies": dyad_discrepancies(tidy, 1.0, raters=(HOSTILE, "therapist")),
        "bland_altman_data": bland_altman_data(pairs, "total", dyad=HOSTILE), "APIM": _fitted_apim().result_,
        "ResponseSurface": _fitted_surface().result_,
    }


@pytest.fixture(scope="module")
def results():
    return _results()


@pytest.mark.parametrize("name", ["pearson_r", "concordance", "paired_t", "d_z", "bland_altman", "weighted_kappa",
                                  "agreement", "pair_raters", "item_kappa", "dyad_discrepancies",
                                  "bland_altman_data", "APIM", "ResponseSurface"])
def test_html_escapes_every_user_string(results, name):
    result = results[name]
    assert isinstance(result, Result)
    result.title = f"{HOSTILE} {result.title}"
    result.notes.append(f"a note about {HOSTILE}")
    html = result._repr_html_()
    assert "<img" not in html and ESCAPED in html
    assert HOSTILE in repr(result)  # plain text is shown as it is


def test_data_strings_reach_the_tables_escaped(results):
    """Not only titles and notes: ids, rater and column names and role values sit in the tables."""
    assert ESCAPED in results["pair_raters"]._repr_html_().split("first pairs")[1]       # a dyad id
    assert f"mean_{ESCAPED}" in results["agreement"]._repr_html_()                    # a rater's column
    assert f"{ESCAPED}_{ESCAPED}" in results["dyad_discrepancies"].table.to_html()     # rater + subscale
    assert ESCAPED in results["bland_altman_data"]._repr_html_().split("points")[1]     # a marked dyad id
    assert ESCAPED in results["APIM"].table.to_html()                                 # a role value


def test_estimators_escape_before_and_after_fit():
    for model in (APIM(HOSTILE, HOSTILE, role=HOSTILE), ResponseSurface(HOSTILE)):
        html = model._repr_html_()
        assert "not fitted" in html and "<img" not in html and ESCAPED in html
    for model in (_fitted_apim(), _fitted_surface()):
        html = model._repr_html_()
        assert "<img" not in html and ESCAPED in html


def test_results_and_fitted_estimators_pickle(results):
    for name, result in results.items():
        again = pickle.loads(pickle.dumps(result))
        assert type(again) is type(result) and repr(again) == repr(result), name
        for key, table in result.tables.items():
            pd.testing.assert_frame_equal(pd.DataFrame(again.tables[key]), pd.DataFrame(table))
    for model in (_fitted_apim(), _fitted_surface(), APIM(method="ML"), ResponseSurface(center=50)):
        again = pickle.loads(pickle.dumps(model))
        assert again.get_params() == model.get_params() and repr(again) == repr(model)
        if model.__sklearn_is_fitted__():
            pd.testing.assert_frame_equal(again.summary(), model.summary())


def test_public_functions_pickle_and_show_their_real_signature():
    functions = {name: getattr(dyadic, name) for name in dyadic.__all__ if inspect.isfunction(getattr(dyadic, name))}
    assert {"agreement", "pair_raters", "weighted_kappa", "item_kappa", "statistic"} <= set(functions)
    for name, func in functions.items():
        assert pickle.loads(pickle.dumps(func)) is func, name
        params = inspect.signature(func).parameters.values()
        assert not [p for p in params if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD)], name
    assert list(inspect.signature(toolkit.agreement).parameters)[:2] == ["paired", "raters"]
    assert list(inspect.signature(dyadic.apim).parameters) == ["data", "outcome", "actor", "dyad", "role", "roles",
                                                                "method", "center", "ci"]
    assert toolkit.agreement is dyadic.agreement and pickle.loads(pickle.dumps(toolkit.agreement)) is agreement


def test_estimators_follow_scikit_learns_contract():
    from sklearn.base import clone
    from sklearn.exceptions import NotFittedError as SklearnNotFitted
    from sklearn.utils.validation import check_is_fitted

    for model, data in ((APIM("y" + HOSTILE, "x" + HOSTILE, dyad="dyad", role=HOSTILE, roles=(HOSTILE, "t"),
                              method="ML"), _apim_data()),
                        (ResponseSurface("z", "x", "y", center="pooled", ci=0.9),
                         pd.DataFrame(np.random.default_rng(1).normal(size=(30, 3)), columns=["x", "y", "z"]))):
        params = model.get_params()
        assert sorted(params) == sorted(inspect.signature(type(model)).parameters)
        twin = clone(model)
        assert twin is not model and twin.get_params() == params
        with pytest.raises(SklearnNotFitted):
            check_is_fitted(twin)
        with pytest.raises(NotFittedError, match="is not fitted yet"):
            twin.summary()
        assert model.fit(data) is model and model.get_params() == params  # fit changes no parameter
        check_is_fitted(model)
        assert clone(model).__sklearn_is_fitted__() is False


def test_old_spellings_warn_and_give_the_same_numbers():
    x, y = stored("icc_dyads")["client"], stored("icc_dyads")["therapist"]
    old_new = [(pearson_r(x, y), "r", "estimate"), (concordance(x, y), "ccc", "estimate"),
               (concordance(x, y), "c_b", "c_b"), (paired_t(x, y), "mean_diff", "estimate"),
               (paired_t(x, y), "df", "df"), (d_z(x, y), "d_z", "estimate"), (bland_altman(x, y), "loa_low", "loa_low")]
    for result, key, attr in old_new:
        with pytest.warns(DeprecationWarning, match=rf"\[{key!r}\] is deprecated: .* write \.{attr} instead"):
            assert result[key] == getattr(result, attr)
    k = weighted_kappa([1, 2, 3, 4, 4], [1, 2, 4, 4, 3], weights="quadratic")
    with pytest.warns(DeprecationWarning, match=r"weighted_kappa\(\) returns a Kappa now, not a float"):
        assert float(k) == k.estimate and round(k, 3) == round(k.estimate, 3)

    pairs = study_b_pairs()
    result = agreement(pairs)
    with pytest.warns(DeprecationWarning, match=r"agreement\(\.\.\.\)\.loc is deprecated: .* write \.table\.loc"):
        assert result.loc["total", "r"] == result.table.loc["total", "r"]
    with pytest.warns(DeprecationWarning, match=r"agreement\(\.\.\.\)\[\['n', 'r'\]\] is deprecated"):
        pd.testing.assert_frame_equal(result[["n", "r"]], result.table[["n", "r"]])
    with pytest.warns(DeprecationWarning, match=r"agreement\(\.\.\.\)\.attrs is deprecated"):
        assert result.attrs == {"notes": result.notes, "metric": "sum"}
    disc = dyad_discrepancies(pairs)
    with pytest.warns(DeprecationWarning, match=r"dyad_discrepancies\(\.\.\.\)\.attrs is deprecated"):
        assert disc.attrs["thresholds"] == disc.thresholds.to_dict()
    kappa = item_kappa(pairs)
    with pytest.warns(DeprecationWarning, match=r"item_kappa\(\.\.\.\)\.shape is deprecated"):
        assert kappa.shape == kappa.table.shape
    data = bland_altman_data(pairs, "total")
    with pytest.warns(DeprecationWarning, match=r"bland_altman_data\(\.\.\.\)\.attrs is deprecated"):
        assert data.attrs["limits"]["bias"] == data.limits.bias
    with pytest.warns(DeprecationWarning, match=r"bland_altman_data\(\.\.\.\)\['diff'\] is deprecated"):
        pd.testing.assert_series_equal(data["diff"], data.points["diff"])


def test_old_module_paths_still_find_the_functions():
    import importlib
    import sys

    for name in [m for m in sys.modules if m.startswith("toolkit.agreement")]:
        del sys.modules[name]
    with pytest.warns(DeprecationWarning, match=r"'toolkit\.agreement(\.statistics)?' was renamed "
                                                r"'toolkit\.dyadic(\.statistics)?'") as record:
        importlib.import_module("toolkit.agreement.statistics")
    assert any("(the name 'toolkit.agreement' now belongs to the function" in str(w.message) for w in record)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        from toolkit.agreement.apim import APIM as OldAPIM
        from toolkit.agreement.statistics import agreement as old_agreement
        from toolkit.agreement.statistics import item_kappa as old_item_kappa
    assert old_agreement is agreement and old_item_kappa is item_kappa and OldAPIM is APIM
    assert callable(toolkit.agreement) and toolkit.agreement is agreement


def test_fitting_the_same_model_twice_gives_a_fresh_result():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", IncompleteRowsWarning)
        data = stored("rsa_sample")
        model = ResponseSurface("ors_next", "client", "therapist", center=50).fit(data)
        first = model.result_
        assert model.result_ is first  # built once
        model.fit(data.iloc[:60])
    assert model.result_ is not first and model.result_.n == model.n_ < first.n
