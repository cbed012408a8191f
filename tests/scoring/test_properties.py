"""Properties that hold for any data and any scorable instrument (hypothesis)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from toolkit import load_instrument, score
from toolkit.scoring import default_column, item_frame

IDS = ["wai36", "wai-s", "wai-sr", "haq2", "srs", "ors"]
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def responses(draw):
    iid = draw(st.sampled_from(IDS))
    ins = load_instrument(iid)
    sc = ins.response_scale
    n = draw(st.integers(1, 12))
    if sc.type == "ordinal":
        cell = st.one_of(st.sampled_from(sc.points), st.just(np.nan))
    else:
        cell = st.one_of(st.floats(sc.min, sc.max).map(lambda v: round(v, 1)), st.just(np.nan))
    rows = [[draw(cell) for _ in range(ins.n_items)] for _ in range(n)]
    index = draw(st.lists(st.text(min_size=1, max_size=4), min_size=n, max_size=n, unique=True))
    df = pd.DataFrame(rows, columns=[default_column(ins, k) for k in range(1, ins.n_items + 1)], index=index)
    df.insert(0, "client_id", range(n))
    return iid, df


@SETTINGS
@given(responses(), st.sampled_from(["sum", "mean"]), st.randoms())
def test_rows_index_and_input_preserved_scores_in_range(case, method, rnd):
    iid, df = case
    ins = load_instrument(iid)
    before = df.copy()
    out = score(df, iid, metric=method)
    pd.testing.assert_frame_equal(df, before)  # never mutated
    assert list(out.index) == list(df.index) and len(out) == len(df)
    assert out["client_id"].tolist() == df["client_id"].tolist()
    sc = ins.response_scale
    for s in ins.score_names:
        k = len(ins.items_of(s))
        lo, hi = (sc.min * k, sc.max * k) if method == "sum" else (sc.min, sc.max)
        vals = out[s].dropna()
        assert ((vals >= lo - 1e-9) & (vals <= hi + 1e-9)).all()
    # column order is irrelevant
    cols = list(df.columns)
    rnd.shuffle(cols)
    pd.testing.assert_frame_equal(score(df[cols], iid, metric=method), out)


@SETTINGS
@given(responses())
def test_reversing_twice_is_identity(case):
    iid, df = case
    ins = load_instrument(iid)
    once = item_frame(df, iid)
    twice = item_frame(once.rename(columns=dict(zip(once.columns, df.columns[1:]))), iid)
    raw = df.drop(columns="client_id").to_numpy(dtype=float)
    np.testing.assert_array_equal(twice.to_numpy(), raw)
    rev = [default_column(ins, n) for n in ins.reversed_items]
    if rev:
        expected = ins.response_scale.midpoint_sum - df[rev].to_numpy(dtype=float)
        np.testing.assert_array_equal(once[rev].to_numpy(), expected)


@SETTINGS
@given(responses())
def test_subscale_scores_add_up_to_the_total(case):
    iid, df = case
    ins = load_instrument(iid)
    if not ins.subscales:
        return
    out = score(df, iid)
    full = out.dropna(subset=["total"])
    np.testing.assert_allclose(full["total"], full[ins.subscale_ids].sum(axis=1), rtol=0, atol=1e-9)


def test_large_input_gives_the_same_scores_as_small_blocks():
    """Blocks run on two threads above 200,000 rows; results must not depend on it."""
    rng = np.random.default_rng(5)
    x = rng.integers(1, 8, size=(250_000, 36)).astype(float)
    x[rng.random(x.shape) < 0.02] = np.nan
    df = pd.DataFrame(x, columns=[f"wai36_{n:02d}" for n in range(1, 37)])
    big = score(df, "wai36")
    part = pd.concat([score(df.iloc[:1000], "wai36"), score(df.iloc[-1000:], "wai36")])
    pd.testing.assert_frame_equal(big.iloc[list(range(1000)) + list(range(249_000, 250_000))], part)
    # every row, computed here without the engine: each subscale's answered items and prorated keyed sum
    ins = load_instrument("wai36")
    rev = np.array([it.reversed for it in ins.items])
    keyed = np.where(rev, 8.0 - x, x)
    for sub in ins.subscale_ids:
        cols = [n - 1 for n in ins.keys[sub]]
        answered = (~np.isnan(x[:, cols])).sum(axis=1)
        assert (big[f"{sub}_n"].to_numpy() == answered).all(), sub
        known = big[sub].notna().to_numpy()
        assert known[answered == len(cols)].all(), sub
        expected = np.nansum(keyed[:, cols], axis=1) / answered * len(cols)
        np.testing.assert_allclose(big[sub].to_numpy()[known], expected[known], rtol=0, atol=1e-9)


@SETTINGS
@given(responses(), st.sampled_from(["sum", "mean"]), st.integers(1, 5))
def test_blocks_of_rows_do_not_change_a_score(case, method, rows_per_block):
    """Over 100,000 rows (or with any-item thresholds) the product runs over blocks of rows: blocks of a few
    rows give the one-pass scores bit for bit (the rows with missing cells are corrected in slices: the
    250,000-row test above crosses them)."""
    from unittest import mock

    from toolkit.scoring import engine

    iid, df = case
    one_pass = score(df, iid, metric=method)
    real = engine.for_blocks
    sizes = []

    def small_blocks(n_rows, block, fn):
        sizes.append(block)
        return real(n_rows, rows_per_block, fn)

    with mock.patch.object(engine, "for_blocks", small_blocks):
        blocks = score(df, iid, metric=method)
    assert sizes  # the scores went through the blocks
    pd.testing.assert_frame_equal(blocks, one_pass, check_exact=True)
