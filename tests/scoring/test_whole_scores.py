"""The two routes of ``score()`` for whole-number answers give the same frames, bit for bit.

With the ``fast`` extra, a compiled loop (``toolkit._compiled.WHOLE_SCORES``) checks the cells and scores them
in one pass once it is loaded; numpy does both otherwise. Every other test pins the numpy route
(``tests/conftest.py``); here each case is scored both ways and compared exactly, and a spy checks that the
compiled route did run.
"""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from toolkit import _compiled, load_instrument, score
from toolkit.exceptions import DataValidationError, InvalidCellsWarning
from toolkit.scoring import default_column, engine, whole

INTEGER_SCALES = ["wai36", "wai-s", "wai-sr", "haq2"]


@pytest.fixture
def compiled_scoring(monkeypatch):
    """The compiled loop, loaded (numba is part of the test extra), and a list that records whether each
    ``score()`` call took it."""
    loop = _compiled.WHOLE_SCORES.wait(timeout=300)
    assert loop is not None, "numba (the 'fast' extra, part of the 'test' extra) should be installed"
    taken = []
    real = engine.whole_scores

    def spy(*args, **kwargs):
        out = real(*args, **kwargs)
        taken.append(out is not None)
        return out

    monkeypatch.setattr(engine, "whole_scores", spy)
    return taken


def both_routes(monkeypatch, df, instrument, **kwargs):
    """``score()`` by the compiled loop, then by numpy (the loop switched off); the frames must be equal."""
    fast = score(df, instrument, **kwargs)
    with monkeypatch.context() as m:
        m.setattr(_compiled.WHOLE_SCORES, "ready", lambda: None)
        plain = score(df, instrument, **kwargs)
    pd.testing.assert_frame_equal(fast, plain, check_exact=True)
    return fast


def answers(iid: str, n: int, missing: float, seed: int = 0) -> pd.DataFrame:
    ins = load_instrument(iid)
    sc = ins.response_scale
    rng = np.random.default_rng(seed)
    x = rng.integers(int(sc.min), int(sc.max) + 1, size=(n, ins.n_items)).astype(float)
    x[rng.random(x.shape) < missing] = np.nan
    return pd.DataFrame(x, columns=[default_column(ins, k) for k in range(1, ins.n_items + 1)])


@pytest.mark.parametrize("iid", INTEGER_SCALES)
@pytest.mark.parametrize("missing", [0.0, 0.01, 0.3])
@pytest.mark.parametrize("metric", ["sum", "mean", "pomp"])
def test_the_routes_agree(compiled_scoring, monkeypatch, iid, missing, metric):
    df = answers(iid, 2_000, missing)
    df.iloc[5] = np.nan  # a row with no answer at all
    out = both_routes(monkeypatch, df, iid, metric=metric)
    assert compiled_scoring == [True, False]  # the first call took the loop, the second numpy
    assert out.iloc[5, 0] != out.iloc[5, 0]  # its scores are missing


def test_the_routes_agree_with_rules_and_ids(compiled_scoring, monkeypatch):
    df = answers("wai36", 3_000, 0.05, seed=2)
    df.insert(0, "client_id", [f"c{i // 3}" for i in range(len(df))])
    df.insert(1, "session", [i % 3 + 1 for i in range(len(df))])
    both_routes(monkeypatch, df, "wai36", max_missing=0)
    both_routes(monkeypatch, df, "wai36", max_missing={"task": 3, "bond": 0, "goal": 1, "total": 2})
    both_routes(monkeypatch, df, "wai36", keep="all", metric="mean")
    assert compiled_scoring == [True, False] * 3


def test_two_threads_on_large_data(compiled_scoring, monkeypatch):
    """Over 200,000 rows the loop runs on blocks of rows in two threads."""
    df = answers("wai-sr", 250_000, 0.02, seed=3)
    both_routes(monkeypatch, df, "wai-sr")
    assert compiled_scoring == [True, False]


@pytest.mark.parametrize("bad", [2.5, 9.0, 0.0, -1.0, np.inf, -np.inf, 1 + 1e-12])
def test_a_bad_cell_leaves_the_loop_to_numpy(compiled_scoring, monkeypatch, bad):
    """A cell that is not missing and not a whole number on the scale stops the loop: numpy names it, in the
    same error and the same frame (on_invalid='missing') as without the loop."""
    df = answers("wai-sr", 500, 0.01, seed=4)
    ins = load_instrument("wai-sr")
    plan = whole.Plan(*engine._weights(ins, ins.score_names, list(range(1, 13)), ins.response_scale))
    assert whole.whole_scores(df.to_numpy(), 1.0, 5.0, plan, mean=False) is not None
    df.iloc[321, 7] = bad
    assert whole.whole_scores(df.to_numpy(), 1.0, 5.0, plan, mean=False) is None  # the loop ran and stopped
    with pytest.raises(DataValidationError) as fast:
        score(df, "wai-sr")
    with monkeypatch.context() as m:
        m.setattr(_compiled.WHOLE_SCORES, "ready", lambda: None)
        with pytest.raises(DataValidationError) as plain:
            score(df, "wai-sr")
    assert str(fast.value) == str(plain.value)
    pd.testing.assert_frame_equal(fast.value.report, plain.value.report)
    with pytest.warns(InvalidCellsWarning):
        out = both_routes(monkeypatch, df, "wai-sr", on_invalid="missing")
    assert out["n_invalid"].iloc[321] == 1 and out["n_invalid"].sum() == 1
    assert compiled_scoring == [False] * 4  # numpy scored every call: the loop stopped at the bad cell, or was off


def test_the_callers_frame_is_not_touched(compiled_scoring):
    df = answers("wai36", 1_000, 0.02, seed=5)
    before = df.copy()
    cells = df.to_numpy(copy=False).copy()
    score(df, "wai36")
    pd.testing.assert_frame_equal(df, before)
    np.testing.assert_array_equal(df.to_numpy(copy=False), cells)
    assert compiled_scoring == [True]


def test_other_layouts_take_numpy(compiled_scoring):
    """The loop reads each item's answers contiguously (a frame's block of floats); rows stored whole go to numpy."""
    ins = load_instrument("wai-sr")
    member, a, b = engine._weights(ins, ins.score_names, list(range(1, 13)), ins.response_scale)
    plan = whole.Plan(member, a, b)
    x = answers("wai-sr", 100, 0.05).to_numpy()
    assert whole.whole_scores(np.ascontiguousarray(x), 1.0, 5.0, plan, mean=False) is None
    scores, counts = whole.whole_scores(np.asfortranarray(x), 1.0, 5.0, plan, mean=False)
    plain_scores, plain_counts, _ = engine._score_rows(x, member, a, b, "sum", [])
    np.testing.assert_array_equal(scores.T, plain_scores)
    np.testing.assert_array_equal(counts.T, plain_counts)


def test_the_loop_is_loaded_after_enough_rows(monkeypatch):
    """A single export loads nothing, however large; a call after COMPILED_MIN_ROWS rows starts loading."""
    started = []
    monkeypatch.setattr(_compiled.WHOLE_SCORES, "start", lambda: started.append(True))
    monkeypatch.setattr(whole, "_scored", 0)
    score(answers("wai-sr", 150_000, 0.0), "wai-sr")
    assert not started
    monkeypatch.setattr(whole, "_scored", 0)
    df = answers("wai-sr", 40_000, 0.0)
    for _ in range(3):
        score(df, "wai-sr")
    assert not started  # 80,000 rows before the third call
    score(df, "wai-sr")  # 120,000 before this one
    assert started == [True]


def test_rows_scored_in_parts_do_not_load_the_loop(monkeypatch):
    """Streamed and Dask scoring read files: numba's memory would count against their budget, for no gain."""
    from toolkit.scoring.partitioned import PartScorer

    started = []
    monkeypatch.setattr(_compiled.WHOLE_SCORES, "start", lambda: started.append(True))
    monkeypatch.setattr(whole, "_scored", 0)
    df = answers("wai-sr", 60_000, 0.01)
    scorer = PartScorer(df.iloc[:0], "wai-sr")
    for _ in range(3):
        scorer.score_part(df)
    assert not started and whole._scored == 0


def test_without_numba_there_is_no_loop(monkeypatch):
    monkeypatch.setitem(sys.modules, "numba", None)  # import numba raises ImportError
    loop = _compiled.Loop("test-whole-sums", _compiled._build_whole_scores)
    loop._load()
    assert loop._kernel is False and loop.ready() is None


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(iid=st.sampled_from(INTEGER_SCALES), n=st.integers(1, 40), missing=st.sampled_from([0.0, 0.1, 0.5, 1.0]),
       seed=st.integers(0, 10**6), metric=st.sampled_from(["sum", "mean", "pomp"]))
def test_the_routes_agree_on_any_whole_answers(compiled_scoring, monkeypatch, iid, n, missing, seed, metric):
    compiled_scoring.clear()
    df = answers(iid, n, missing, seed)
    both_routes(monkeypatch, df, iid, metric=metric)
    assert compiled_scoring == [True, False]
