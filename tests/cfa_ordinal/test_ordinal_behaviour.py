"""ordinal_statistics: hand-worked cases, agreement with psych's route where the definitions agree, input
checks and messages."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.special import ndtri
from scipy.stats import multivariate_normal, norm

from toolkit.exceptions import (DataValidationError, IncompleteRowsWarning, InvalidParameterError,
                                NotPositiveDefiniteWarning)
from toolkit.factor import polychoric
from toolkit.factor.cfa.ordinal import OrdinalStatistics, ordinal_statistics


def simulate(n, r, cuts, seed, names=None):
    rng = np.random.default_rng(seed)
    z = rng.multivariate_normal(np.zeros(len(r)), r, size=n)
    x = np.stack([np.digitize(z[:, j], cuts[j]) + 1 for j in range(len(r))], axis=1)
    return pd.DataFrame(x, columns=names or [f"i{j + 1}" for j in range(len(r))])


R3 = np.array([[1, .6, .4], [.6, 1, .3], [.4, .3, 1]])
CUTS3 = [[-1.0, 0.0, 0.8], [-0.5, 0.5], [-1.2, -0.2, 0.6, 1.4]]  # 4, 3 and 5 categories


@pytest.fixture(scope="module")
def three():
    return simulate(1500, R3, CUTS3, seed=11)


def test_thresholds_are_normal_quantiles_of_cumulative_proportions(three):
    st = ordinal_statistics(three)
    s = st.samples[0]
    for j, item in enumerate(three.columns):
        props = three[item].value_counts(normalize=True).sort_index().to_numpy()
        np.testing.assert_allclose(s.thresholds[s.threshold_item == j], ndtri(np.cumsum(props)[:-1]),
                                   rtol=0, atol=1e-12)
    assert s.threshold_names[:3] == ("i1|t1", "i1|t2", "i1|t3")
    assert st.thresholds["threshold"].tolist()[:4] == [1, 2, 3, 1]


def test_threshold_block_of_gamma_is_the_delta_method(three):
    """The thresholds are functions of cumulative proportions, so N acov(tau_ik, tau_jl) =
    (P(X_i <= k, X_j <= l) - P_ik P_jl) / (phi(tau_ik) phi(tau_jl)) -- computed here directly from the data."""
    s = ordinal_statistics(three).samples[0]
    ind = np.column_stack([(three.iloc[:, j].to_numpy() <= k + 1).astype(float)
                           for j in range(3) for k in range(three.iloc[:, j].nunique() - 1)])
    cov = np.cov(ind, rowvar=False, bias=True)
    dens = norm.pdf(s.thresholds)
    expected = cov / np.outer(dens, dens)
    nth = s.n_thresholds
    np.testing.assert_allclose(s.gamma[:nth, :nth], expected, rtol=1e-9, atol=1e-12)


def test_polychoric_is_the_exact_two_step_maximum(three):
    """Maximise the pair likelihood independently (scipy's bivariate normal CDF, bounded Brent to 1e-10)."""
    from scipy.optimize import minimize_scalar

    s = ordinal_statistics(three).samples[0]
    a, b = "i1", "i3"
    tab = pd.crosstab(three[a], three[b]).to_numpy()
    ta = np.concatenate([[-10], s.thresholds[s.threshold_item == 0], [10]])
    tb = np.concatenate([[-10], s.thresholds[s.threshold_item == 2], [10]])

    def nll(r):
        mvn = multivariate_normal([0, 0], [[1, r], [r, 1]])
        grid = np.array([[mvn.cdf([x, y]) for y in tb] for x in ta])
        p = np.diff(np.diff(grid, axis=0), axis=1)
        return -(tab * np.log(p)).sum()

    best = minimize_scalar(nll, bounds=(0.2, 0.6), method="bounded", options={"xatol": 1e-10}).x
    assert s.correlation[2, 0] == pytest.approx(best, abs=2e-6)  # scipy's CDF is good to ~1e-7


def test_agrees_with_psych_route_where_definitions_agree():
    """Same categories for every item, complete data, no empty cell: lavaan's two-step ML and psych's
    polychoric (global = TRUE) maximise the same likelihood; psych stops at R optimize's tolerance."""
    d = simulate(2000, R3, [[-1.0, 0.0, 0.8]] * 3, seed=5)
    ours = ordinal_statistics(d).correlation_matrix()
    psych = polychoric(d).rho
    np.testing.assert_allclose(ours.to_numpy(), psych.to_numpy(), rtol=0, atol=1e-4)
    np.testing.assert_allclose(ordinal_statistics(d).samples[0].thresholds,
                               polychoric(d).tau.to_numpy().ravel(), atol=1e-12)


def test_unused_code_is_not_a_category_unlike_psych():
    """An item answered 1, 2, 4 has three categories in lavaan (psych would keep an empty category 3)."""
    d = simulate(800, R3[:2, :2], [[-0.5, 0.4], [-0.6, 0.1, 0.9]], seed=2)
    d.loc[d.i1 == 3, "i1"] = 4
    s = ordinal_statistics(d).samples[0]
    assert s.levels[0] == (1, 2, 4)
    assert (s.threshold_item == 0).sum() == 2


def test_two_by_two_equal_margins_closed_form():
    """Both items split 50/50: lavaan's shortcut -cos(2 pi p11) (which is also the ML estimate)."""
    x = np.array([1] * 60 + [2] * 60)
    y = np.array([1] * 45 + [2] * 15 + [1] * 15 + [2] * 45)
    d = pd.DataFrame({"a": x, "b": y, "c": np.tile([1, 2, 2, 1], 30)})
    s = ordinal_statistics(d).samples[0]
    assert s.thresholds[0] == 0 and s.thresholds[1] == 0
    assert s.correlation[1, 0] == pytest.approx(-np.cos(2 * np.pi * 45 / 120), abs=1e-15)


def test_two_empty_cells_in_a_two_by_two_table_is_an_error():
    d = pd.DataFrame({"a": [1, 1, 2, 2, 1, 2], "b": [1, 1, 2, 2, 1, 2], "c": [1, 2, 1, 2, 2, 1]})
    with pytest.raises(DataValidationError, match="'a' and 'b' has two empty cells") as err:
        ordinal_statistics(d)
    assert err.value.report.iloc[0].tolist()[:2] == ["a", "b"]


def test_groups_in_order_of_appearance_and_empty_category_named():
    d = simulate(600, R3, CUTS3, seed=4)
    d.insert(0, "site", np.where(np.arange(600) % 3 == 0, "north", "south"))
    d.loc[0, "site"] = "west"
    d.loc[d.site == "west", "i1"] = 1
    d2 = d[d.site != "west"]
    st = ordinal_statistics(d2, group="site")
    assert [s.group for s in st.samples] == ["south", "north"]  # first appearance, as lavaan
    assert sum(s.n_obs for s in st.samples) == len(d2) == st.n_obs
    assert list(st.thresholds.columns) == ["group", "item", "threshold", "value", "se"]
    with pytest.raises(DataValidationError, match="never used in group 'west'") as err:
        ordinal_statistics(d, group="site")
    assert "'i1'" in str(err.value) and "'i2'" in str(err.value)


def test_listwise_warns_and_names_rows_pairwise_uses_them(three):
    d = three.copy()
    d.index = [f"r{i}" for i in range(len(d))]
    d.iloc[3, 0] = np.nan
    d.iloc[7, 2] = np.nan
    before = d.copy()
    with pytest.warns(IncompleteRowsWarning, match=r"2 of 1500 respondents .* rows 'r3', 'r7'"):
        st = ordinal_statistics(d)
    assert st.n_obs == 1498
    assert any("missing='listwise'" in n for n in st.notes)
    pw = ordinal_statistics(d, missing="pairwise")
    assert pw.n_obs == 1500
    assert pw.correlations["n"].tolist() == [1499, 1498, 1499]
    pd.testing.assert_frame_equal(d, before)  # the caller's frame is untouched


def test_ordered_categorical_columns():
    d = simulate(700, R3, CUTS3, seed=9)
    labels = {1: "never", 2: "rarely", 3: "often", 4: "always", 5: "max"}
    cat = d.copy()
    for c in cat:
        used = sorted(cat[c].unique())
        cat[c] = pd.Categorical(cat[c].map(labels), categories=[labels[u] for u in used], ordered=True)
    a, b = ordinal_statistics(d).samples[0], ordinal_statistics(cat).samples[0]
    np.testing.assert_array_equal(a.gamma, b.gamma)
    assert b.levels[1] == ("never", "rarely", "often")
    unordered = cat.copy()
    unordered["i2"] = unordered["i2"].cat.as_unordered()
    with pytest.raises(InvalidParameterError, match="'i2' .* unordered categorical"):
        ordinal_statistics(unordered)
    unused = cat.copy()
    unused["i2"] = unused["i2"].cat.add_categories(["max"])
    with pytest.raises(DataValidationError, match="never used"):
        ordinal_statistics(unused)


def test_bad_cells_all_reported():
    d = pd.DataFrame({"a": [1, 2, "x", 2], "b": [2, "?", 1, "y"], "c": [1, 2, 1, 2]})
    with pytest.raises(DataValidationError, match="3 cell") as err:
        ordinal_statistics(d)
    assert err.value.report[["row", "column"]].values.tolist() == [[2, "a"], [1, "b"], [3, "b"]]


@pytest.mark.parametrize("values, match", [
    (list(range(12)) * 5, "12 distinct values"),
    ([3] * 60, "1 distinct value"),
])
def test_category_counts_checked(values, match):
    d = pd.DataFrame({"a": values, "b": np.tile([1, 2, 3], 20)})
    with pytest.raises(DataValidationError, match=match):
        ordinal_statistics(d)


def test_parameter_messages():
    d = pd.DataFrame({"a": [1, 2, 1, 2], "b": [1, 1, 2, 2]})
    with pytest.raises(InvalidParameterError, match="'missing' parameter of ordinal_statistics"):
        ordinal_statistics(d, missing="fiml")
    with pytest.raises(InvalidParameterError, match="'data' parameter of ordinal_statistics.* ndarray"):
        ordinal_statistics(d.to_numpy())
    with pytest.raises(InvalidParameterError, match="'group' parameter .* 'site' is not one of"):
        ordinal_statistics(d, group="site")
    with pytest.raises(DataValidationError, match="at least 2 item columns"):
        ordinal_statistics(d[["a"]])
    g = d.assign(site=["x", None, "y", "x"])
    with pytest.raises(DataValidationError, match="group column 'site' .* empty in 1 row"):
        ordinal_statistics(g, group="site")


def test_not_positive_definite_warns():
    """Pairwise deletion can give correlations that no data set could have together."""
    rng = np.random.default_rng(1)
    n = 400
    z = rng.normal(size=n)
    e = rng.normal(size=(n, 3)) * 0.3
    d = pd.DataFrame({"a": z + e[:, 0], "b": z + e[:, 1], "c": -z + e[:, 2]})
    d = d.apply(lambda c: np.digitize(c, [-0.5, 0.5]) + 1)
    d = d.astype(float)
    third = n // 3
    d.loc[:third, "a"] = np.nan                       # b and c seen together only in rows 0..third
    d.loc[third + 1:, "c"] = d.loc[third + 1:, "b"]   # c = b elsewhere ...
    d.loc[third + 1:2 * third, "b"] = np.nan          # ... a and c together: c copies b, which follows a
    with pytest.warns(NotPositiveDefiniteWarning):
        st = ordinal_statistics(d, missing="pairwise")
    assert any("not positive definite" in n for n in st.notes)


def test_result_contract_and_escaping(three):
    d = three.rename(columns={"i1": "<b>i1</b>"})
    st = ordinal_statistics(d)
    assert isinstance(st, OrdinalStatistics)
    assert list(st.summary().columns) == ["item_a", "item_b", "rho", "se", "n", "empty_cells"]
    html = st._repr_html_()
    assert "<b>i1</b>" not in html and "&lt;b&gt;i1&lt;/b&gt;" in html
    assert "Ordinal sample statistics (3 items, n = 1500)" in repr(st)
    assert st.gamma().shape == (12, 12)
    assert list(st.gamma().index[:2]) == ["<b>i1</b>|t1", "<b>i1</b>|t2"]
    with pytest.raises(InvalidParameterError, match="'group' parameter must be one of"):
        st.correlation_matrix(group="x")


def test_scores_accumulated_in_blocks_give_the_same_gamma(three, monkeypatch):
    """Large samples build the case-wise scores block by block; the result does not depend on the blocks."""
    import toolkit.factor.cfa.ordinal as mod

    d = three.copy()
    d.iloc[::7, 1] = np.nan
    whole = ordinal_statistics(d, missing="pairwise").samples[0].gamma
    monkeypatch.setattr(mod, "_BLOCK_CELLS", 1000)
    blocks = ordinal_statistics(d, missing="pairwise").samples[0].gamma
    np.testing.assert_allclose(blocks, whole, rtol=1e-12, atol=1e-14)
