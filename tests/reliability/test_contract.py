"""The one result contract and the one vocabulary (issue 8), as the reliability package keeps them.

Results are documented dataclasses with ``title``, ``notes``, ``summary()``, ``to_frame()`` and an escaped HTML
display; they pickle; signatures show real parameters; every statistic over items takes
``(data, instrument=None, *, keys=None, form=None, ...)``; old spellings warn and give the same numbers.
"""

from __future__ import annotations

import dataclasses
import inspect
import pickle
import warnings

import numpy as np
import pandas as pd
import pytest

import toolkit
from toolkit._results import Result
from toolkit.exceptions import InvalidParameterError, ReliabilityWarning
from toolkit.reliability_stats import (AlphaResult, IccResult, ItemAnalysis, ReliabilityTable, ReliableChangeResult,
                                       cronbach_alpha, icc, item_analysis, omega_cfa, reliability, reliable_change,
                                       retest_reliability, split_half)

from ._refs import quiet, wai_sr

HOSTILE = "<img src=x onerror=alert(1)>"
ESCAPED = "&lt;img src=x onerror=alert(1)&gt;"
RESULT_CLASSES = [AlphaResult, ReliabilityTable, ItemAnalysis, IccResult, ReliableChangeResult]
ITEM_STATISTICS = [cronbach_alpha, split_half, omega_cfa, item_analysis, reliability]


def _items(n=120, k=6, seed=0, names=None):
    """Two correlated 3-item factors on a 1-5 scale (integers, as answered)."""
    rng = np.random.default_rng(seed)
    f = rng.normal(size=(n, 2)) @ np.array([[1.0, 0.5], [0.0, 0.87]])
    x = np.repeat(f, k // 2, axis=1) * 0.8 + rng.normal(scale=0.7, size=(n, k))
    return pd.DataFrame(np.clip(np.round(x + 3), 1, 5), columns=names or [f"i{j + 1}" for j in range(k)])


def _all_results():
    df = _items()
    keys = {"A": ["i1", "i2", "i3"], "B": ["i4", "i5", "i6"]}
    wide = pd.DataFrame({"A": [9, 6, 8, 7, 10, 6], "B": [2, 1, 4, 1, 5, 2], "C": [5, 3, 6, 2, 6, 4]})
    return [cronbach_alpha(df, keys=keys, subscale="A"), reliability(df, keys=keys, n_boot=20),
            item_analysis(df, keys=keys), icc(wide), reliable_change([20, 25], [30, 24], reliability=0.8, sd=5)]


# -- the result contract -------------------------------------------------------------------------------------

@pytest.mark.parametrize("cls", RESULT_CLASSES, ids=lambda c: c.__name__)
def test_results_are_documented_dataclasses(cls):
    """Every field is declared and documented in the class's Attributes section; main names a table field."""
    from numpydoc.docscrape import ClassDoc

    assert issubclass(cls, Result) and dataclasses.is_dataclass(cls)
    fields = [f.name for f in dataclasses.fields(cls)]
    documented = {p.name for p in ClassDoc(cls, config={"show_class_members": False})["Attributes"]}
    assert set(fields) <= documented, f"{cls.__name__}: fields not documented: {set(fields) - documented}"
    assert cls.main in fields
    assert not any(name.endswith("_") for name in fields)  # trailing underscores are for fitted estimators


@pytest.mark.parametrize("res", _all_results(), ids=lambda r: type(r).__name__)
def test_results_keep_the_contract(res):
    assert isinstance(res.summary(), pd.DataFrame)
    assert isinstance(res.to_frame(), pd.DataFrame)
    assert res.summary() is not getattr(res, res.main)  # a copy
    assert res.title and isinstance(res.notes, list) and res.notes
    assert list(res.tables)[0] == res.main
    for table in res.tables.values():
        assert not table.attrs  # no metadata hidden in .attrs
    assert res.title in repr(res) and res.notes[0] in repr(res)
    back = pickle.loads(pickle.dumps(res))
    assert type(back) is type(res) and back.notes == res.notes
    for name, table in res.tables.items():
        pd.testing.assert_frame_equal(getattr(back, name), table)


def test_alphas_tables_are_built_when_first_read_and_kept():
    """psych's four tables of cronbach_alpha are built on first read (a call that wants alpha does not pay for
    them), once; pickling and copying build them; the numbers are those of an eager build."""
    import copy

    from toolkit._results import Deferred
    from toolkit.reliability_stats import alpha as alpha_module

    df = _items(n=300)
    res = cronbach_alpha(df)
    assert all(isinstance(res.__dict__[name], Deferred) for name in ("total", "alpha_drop", "item_stats",
                                                                      "response_freq"))
    first = res.item_stats
    assert res.item_stats is first and not isinstance(res.__dict__["item_stats"], Deferred)
    assert first["n"].dtype == np.int64 and res.total["n_items"].dtype == np.int64
    assert res.total.loc[0, "alpha"] == res.alpha
    for fresh in (pickle.loads(pickle.dumps(cronbach_alpha(df))), copy.deepcopy(cronbach_alpha(df))):
        assert not any(isinstance(v, Deferred) for v in fresh.__dict__.values())
        for name, table in res.tables.items():
            pd.testing.assert_frame_equal(getattr(fresh, name), table)
    # the eager route of large data gives the same frequencies
    A = df.to_numpy(dtype=float)
    eager = alpha_module._response_freq(df, None, A, ~np.isnan(A))
    pd.testing.assert_frame_equal(res.response_freq, eager)


def test_alphas_deferred_frequencies_are_of_the_data_as_analysed():
    """The caller's frame (or the array under it) changed after the call does not change the tables read later,
    on the deferred route (small data) and the counted-at-once route (large data) alike."""
    from toolkit.reliability_stats import alpha as alpha_module

    for cells in (alpha_module.DEFER_FREQ_CELLS, 0):
        arr = np.array(_items(n=200))
        frame = pd.DataFrame(arr, columns=[f"i{j + 1}" for j in range(arr.shape[1])], copy=False)
        wai = toolkit.load_sample("wai_sr_sessions")  # not the shared wai_sr(): this test changes it
        items = [c for c in wai.columns if c.startswith("wai_sr_")]
        expected = [cronbach_alpha(frame.copy()), cronbach_alpha(wai.copy(), "wai-sr", subscale="bond")]
        old = alpha_module.DEFER_FREQ_CELLS
        alpha_module.DEFER_FREQ_CELLS = cells
        try:
            results = [cronbach_alpha(frame), cronbach_alpha(wai, "wai-sr", subscale="bond")]
        finally:
            alpha_module.DEFER_FREQ_CELLS = old
        arr[:] = 1.0  # the array under the caller's frame, then the frames themselves
        frame.loc[:, "i1"] = 5.0
        wai.loc[:, items] = 1
        for res, exp in zip(results, expected):
            for name, table in exp.tables.items():
                pd.testing.assert_frame_equal(getattr(res, name), table)


def test_plain_dataframes_carry_no_attrs():
    """split_half, omega_cfa and retest_reliability return a table that is the whole answer: no .attrs."""
    df = _items()
    assert not split_half(df, keys=["i1", "i2", "i3"]).attrs
    assert not omega_cfa(df, keys={"A": ["i1", "i2", "i3"], "B": ["i4", "i5", "i6"]}).attrs
    assert not retest_reliability([10, 12, 14, 15, 20, 22], [11, 12, 15, 17, 19, 24]).attrs


def test_users_spellings_keep_working():
    """What the README, the notebooks and the tests use: .table, .total, .alpha, .tables[...], rel[...]."""
    df = _items()
    keys = {"A": ["i1", "i2", "i3"], "B": ["i4", "i5", "i6"]}
    rel = reliability(df, keys=keys, n_boot=0)
    assert rel["alpha"].equals(rel.table["alpha"])
    assert rel.tables["omega_cfa"] is rel.omega_cfa
    a = cronbach_alpha(df, keys=keys["A"])
    assert a.alpha == a.total.loc[0, "alpha"] == a.tables["total"]["alpha"].iloc[0]
    assert a.alpha == pytest.approx(rel.table.loc["A", "alpha"], abs=1e-12)


# -- escaped display ------------------------------------------------------------------------------------------

def _assert_escaped(html: str):
    assert "<img" not in html and "onerror=alert(1)>" not in html
    assert ESCAPED in html


def test_html_escapes_item_and_scale_names_and_notes():
    """Hostile text in item columns, scale names and notes (a constant item's note names it) is escaped."""
    names = [f"{HOSTILE}{j}" for j in range(6)]
    df = _items(names=names)
    df[names[2]] = 3.0  # a constant item: its name goes into the notes and a warning
    keys = {HOSTILE: names[:3], "B": names[3:]}
    with pytest.warns(ReliabilityWarning):
        rel = reliability(df, keys=keys, n_boot=0)
    assert any(HOSTILE in n for n in rel.notes)
    _assert_escaped(rel._repr_html_())
    with pytest.warns(ReliabilityWarning):
        a = cronbach_alpha(df, keys=keys, subscale=HOSTILE)
    _assert_escaped(a._repr_html_())
    assert HOSTILE in a.title
    with pytest.warns(ReliabilityWarning):
        items = item_analysis(df, keys=keys)
    _assert_escaped(items._repr_html_())


def test_html_escapes_rater_names_and_ids():
    wide = pd.DataFrame({HOSTILE: [9, 6, 8, 7, 10, 6], "B": [2, 1, 4, 1, 5, 2], "C": [5, 3, 6, 2, 6, 4]})
    assert "<img" not in icc(wide)._repr_html_()  # rater names are not shown; nothing of them executes
    pre = pd.Series([20.0, 25.0], index=[HOSTILE, "b"])
    _assert_escaped(reliable_change(pre, [30.0, 24.0], reliability=0.8, sd=5)._repr_html_())


# -- signatures, pickling, the vocabulary ---------------------------------------------------------------------

@pytest.mark.parametrize("func", ITEM_STATISTICS, ids=lambda f: f.__name__)
def test_statistics_over_items_share_one_signature(func):
    params = inspect.signature(func).parameters
    names = list(params)
    assert names[:2] == ["data", "instrument"]
    assert params["instrument"].default is None
    for name in ("keys", "form", "response_scale"):
        assert params[name].kind is inspect.Parameter.KEYWORD_ONLY and params[name].default is None
    assert "scale" not in params
    assert pickle.loads(pickle.dumps(func)) is func


def test_toolkit_level_functions_show_real_signatures_and_pickle():
    for name in ("reliability", "cronbach_alpha", "item_analysis", "icc", "reliable_change", "retest_reliability",
                 "split_half", "omega_cfa"):
        func = getattr(toolkit, name)
        assert inspect.isfunction(func) or inspect.isfunction(inspect.unwrap(func)), name
        assert pickle.loads(pickle.dumps(func)) is func, name
    assert list(inspect.signature(toolkit.reliability).parameters)[:2] == ["data", "instrument"]
    assert "subscale" in inspect.signature(reliable_change).parameters


def test_instrument_as_second_argument():
    """cronbach_alpha(df, "wai-sr") analyses the instrument (it used to report columns 'w', 'a', 'i', ...)."""
    d = wai_sr()
    rel = reliability(d, "wai-sr", n_boot=0, omega=False)
    total = cronbach_alpha(d, "wai-sr")
    assert total.alpha == pytest.approx(rel.table.loc["total", "alpha"], abs=1e-12)
    assert "pass subscale= for one of 'task', 'bond', 'goal'" in " ".join(total.notes)
    bond = cronbach_alpha(d, "wai-sr", subscale="bond")
    assert bond.alpha == pytest.approx(rel.table.loc["bond", "alpha"], abs=1e-12)
    assert list(bond.response_freq.columns) == ["1", "2", "3", "4", "5", "miss"]
    sh = split_half(d, "wai-sr", subscale="task").iloc[0]
    assert sh["lambda2"] == pytest.approx(rel.table.loc["task", "lambda2"], abs=1e-12)
    om = omega_cfa(d, "wai-sr")
    full = reliability(d, "wai-sr", n_boot=0)
    assert om.loc["bond", "omega_joint"] == pytest.approx(full.table.loc["bond", "omega_cfa"], abs=1e-12)
    assert om.loc["bond", "omega"] == pytest.approx(full.table.loc["bond", "omega_cfa_alone"], abs=1e-12)


def test_a_string_where_keys_belong_says_what_to_do():
    with pytest.raises(InvalidParameterError, match=r"got the string 'wai-sr'\. If 'wai-sr' is an instrument, pass "
                       r"it as the second argument: cronbach_alpha\(data, 'wai-sr'\)"):
        cronbach_alpha(wai_sr(), keys="wai-sr")


def test_errors_name_the_callers_parameter():
    df = _items()
    keys = {"A": ["i1", "i2", "i3"]}
    cases = [
        (dict(omega_boot=-1), r"The 'omega_boot' parameter of reliability\(\) must be a whole number >= 0"),
        (dict(n_boot=1.5), r"The 'n_boot' parameter of reliability\(\)"),
        (dict(ci=1.0), r"The 'ci' parameter of reliability\(\) must be a confidence level"),
        (dict(seed=-3), r"The 'seed' parameter of reliability\(\)"),
        (dict(n_factors=0), r"The 'n_factors' parameter of reliability\(\) must be a whole number >= 1"),
        (dict(metric="median"), r"The 'metric' parameter of reliability\(\) must be one of 'sum', 'mean', 'pomp'"),
        (dict(metric="pomp"), r"The 'metric' parameter of reliability\(\) must be 'sum' or 'mean'"),
        (dict(omega="yes"), r"The 'omega' parameter of reliability\(\) must be True or False"),
        (dict(response_scale=(5, 1)), r"The 'response_scale' parameter of reliability\(\) must be the response "
                                      r"scale as a \(min, max\) pair"),
    ]
    for kwargs, message in cases:
        with pytest.raises(InvalidParameterError, match=message):
            reliability(df, keys=keys, **kwargs)
    with pytest.raises(InvalidParameterError, match=r"The 'subscale' parameter of cronbach_alpha\(\) must be one of "
                       r"'A', 'B', 'total'; got 'C'"):
        cronbach_alpha(df, keys={"A": ["i1", "i2"], "B": ["i3", "i4"]}, subscale="C")
    with pytest.raises(InvalidParameterError, match=r"split_half\(\): 'form', 'on_invalid' only apply with an "
                       "instrument"):
        split_half(df, keys=["i1", "i2"], form="client", on_invalid="missing")
    with pytest.raises(InvalidParameterError, match=r"The 'floor_ceiling' parameter of item_analysis\(\)"):
        item_analysis(df, keys=keys, floor_ceiling=15)
    with pytest.raises(InvalidParameterError, match=r"The 'sd' parameter of reliable_change\(\)"):
        reliable_change([1, 2], [2, 3], reliability=0.8, sd=0)
    with pytest.raises(InvalidParameterError, match=r"The 'ci' parameter of icc\(\)"):
        icc(df, ci=95)


# -- old spellings ------------------------------------------------------------------------------------------------

def _deprecated(func, *args, match, **kwargs):
    with pytest.warns(DeprecationWarning, match=match) as rec:
        out = func(*args, **kwargs)
    assert all(w.filename == __file__ for w in rec if issubclass(w.category, DeprecationWarning))
    return out


def test_old_spellings_warn_and_give_the_same_numbers():
    df = _items()
    df["i1"] = 6 - df["i1"]  # stored reversed: "-i1" turns it back
    df.loc[[3, 8], "i2"] = np.nan
    items = ["-i1", "i2", "i3"]
    keys = {"A": ["-i1", "i2", "i3"], "B": ["i4", "i5", "i6"]}
    positional = r"cronbach_alpha\(data, keys\) with keys as the second argument is deprecated"
    old = _deprecated(cronbach_alpha, df, items, match=positional, n_boot=50, seed=3)
    new = cronbach_alpha(df, keys=items, n_boot=50, seed=3)
    for name in new.tables:
        pd.testing.assert_frame_equal(getattr(old, name), getattr(new, name))
    renamed = r"the parameter 'scale' is deprecated and goes in version 0\.3; use response_scale= instead"
    old = _deprecated(cronbach_alpha, df, keys=items, scale=(0, 6), match=renamed)
    assert old.alpha == cronbach_alpha(df, keys=items, response_scale=(0, 6)).alpha
    pd.testing.assert_frame_equal(_deprecated(split_half, df, items, scale=(0, 6), match="split_half"),
                                  split_half(df, keys=items, response_scale=(0, 6)))
    pd.testing.assert_frame_equal(_deprecated(omega_cfa, df, keys, scale=(1, 5), match="omega_cfa"),
                                  omega_cfa(df, keys=keys, response_scale=(1, 5)))
    pd.testing.assert_frame_equal(_deprecated(item_analysis, df, keys=keys, scale=(1, 5), match=renamed).table,
                                  item_analysis(df, keys=keys, response_scale=(1, 5)).table)
    pd.testing.assert_frame_equal(
        _deprecated(reliability, df, keys=keys, scale=(1, 5), n_boot=0, match=renamed).table,
        reliability(df, keys=keys, response_scale=(1, 5), n_boot=0).table)


def test_reliable_change_old_spellings():
    """``scale=`` (a table row) is ``subscale=`` now; the DataFrame with .attrs is a result with fields."""
    rel = reliability(_items(), keys={"A": ["i1", "i2", "i3"], "B": ["i4", "i5", "i6"]}, n_boot=0, omega=False)
    pre = pd.Series([2.0, 3.0, 4.0], index=["a", "b", "c"])
    old = _deprecated(reliable_change, pre, [4.0, 3.0, 1.0], reliability=rel, scale="B", sd=0.8,
                      match=r"the parameter 'scale' is deprecated and goes in version 0\.3; use subscale= instead")
    new = reliable_change(pre, [4.0, 3.0, 1.0], reliability=rel, subscale="B", sd=0.8)
    pd.testing.assert_frame_equal(old.table, new.table)
    assert new.reliability == rel.table.loc["B", "alpha"]
    attrs = _deprecated(lambda: new.attrs, match=r"res\.attrs goes in version 0\.3")
    assert attrs == {"sem": new.sem, "s_diff": new.s_diff, "criterion": new.criterion, "min_change": new.min_change,
                     "sd": new.sd, "reliability": new.reliability}
    index = _deprecated(lambda: new.index, match=r"use res\.table\.index instead of res\.index")
    assert index.tolist() == ["a", "b", "c"]
    assert new["category"].tolist() == new.table["category"].tolist()
    with pytest.raises(AttributeError, match="nonsense"):
        getattr(new, "nonsense")  # noqa: B009


# -- bad statistics input: report what can be computed (issue 9, item 8) --------------------------------------

def test_constant_item_keeps_the_table_and_says_why_omega_is_missing():
    """An item everyone answers the same: alpha and the rest are computed without it (psych::alpha); the
    Schmid-Leiman and CFA omegas that need it are NaN, and the notes and warnings say so. (Until issue 8 the
    Schmid-Leiman step raised and the whole table was lost, with a message that never mentioned omega.)"""
    df = _items()
    df["i3"] = 3.0
    keys = {"A": ["i1", "i2", "i3"], "B": ["i4", "i5", "i6"]}
    with pytest.warns(ReliabilityWarning) as rec:
        rel = reliability(df, keys=keys, n_boot=0)
    messages = [str(w.message) for w in rec]
    assert all(w.filename == __file__ for w in rec)  # every warning points at this line
    t = rel.table
    assert t.loc["A", "n_items"] == 2 and np.isfinite(t.loc["A", "alpha"])
    assert np.isfinite(t.loc["B", "omega_cfa"])  # B does not contain the item
    assert t[["omega_h", "omega_t"]].loc["total"].isna().all()
    assert np.isnan(t.loc["A", "omega_cfa"]) and np.isnan(t.loc["total", "omega_cfa"])
    sl = next(m for m in messages if m.startswith("omega_h/omega_t (Schmid-Leiman) not computed"))
    assert "'i3' have the same answer from everyone" in sl and "Drop them" in sl
    assert sl in rel.notes
    assert any(m.startswith("scale 'A': the one factor CFA was not fitted and its omega is missing: item(s) 'i3' do "
                            "not vary") for m in messages)
    assert rel.omega_cfa.loc["A", "model"].startswith("not fitted: item(s) 'i3' do not vary")
    assert set(messages) <= set(rel.notes)


def test_omega_cfa_with_a_constant_item_is_missing_not_garbage():
    """A CFA with an item that does not vary used to report a number as converged (0.755 for A here, 1.2e11 for
    another data set's one-factor total); lavaan refuses such data, and so do we, saying why."""
    df = _items()
    df["i3"] = 3.0
    with pytest.warns(ReliabilityWarning, match="do not vary"):
        out = omega_cfa(df, keys={"A": ["i1", "i2", "i3"], "B": ["i4", "i5", "i6"]})
    assert out.loc[["A", "total_one_factor", "total_correlated"], "omega"].isna().all()
    assert not out.loc["A", "converged"]
    assert 0 < out.loc["B", "omega"] < 1


def test_schmid_leiman_failure_is_reported_not_raised(monkeypatch):
    """Whatever stops the Schmid-Leiman step, the table survives and the reason is a note and a warning."""
    import toolkit.factor

    def broken(*args, **kwargs):
        raise ValueError("the minres fit found no solution")

    monkeypatch.setattr(toolkit.factor, "omega", broken)
    with pytest.warns(ReliabilityWarning, match=r"omega_h/omega_t \(Schmid-Leiman\) not computed: the minres fit "
                      "found no solution"):
        rel = reliability(_items(), keys={"A": ["i1", "i2", "i3"], "B": ["i4", "i5", "i6"]}, n_boot=0)
    assert np.isnan(rel.table.loc["total", "omega_h"]) and np.isfinite(rel.table.loc["total", "omega_cfa"])


def test_warnings_point_at_the_callers_line():
    df = _items()
    df["i6"] = 2.0
    for call in (lambda: cronbach_alpha(df), lambda: item_analysis(df, keys={"s": list(df.columns)}),
                 lambda: omega_cfa(df)):
        with warnings.catch_warnings(record=True) as rec:
            warnings.simplefilter("always")
            call()
        assert rec and all(w.filename == __file__ for w in rec), [(w.filename, str(w.message)) for w in rec]


def test_notes_hold_every_warning():
    df = _items()
    df["i5"] = 4.0
    res, messages = quiet(item_analysis, df, keys={"s": list(df.columns)})
    assert messages and set(messages) <= set(res.notes)
