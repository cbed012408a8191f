"""Properties that hold for any data, and instrument-route behaviour beyond the stored references."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import toolkit
from toolkit.exceptions import ReliabilityWarning
from toolkit.reliability_stats import cronbach_alpha, item_analysis, omega_cfa, reliability

from ._refs import quiet, ref


def _frame(seed, n, k, loading):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 1)) * loading + rng.normal(size=(n, k))
    return pd.DataFrame(x, columns=[f"v{i}" for i in range(k)])


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(20, 120), k=st.integers(3, 8),
       a=st.floats(0.2, 5), b=st.floats(-10, 10))
def test_alpha_invariances(seed, n, k, a, b):
    """alpha is unchanged by reordering items and by one affine change of all items; standardized alpha also
    by rescaling each item separately; the Feldt interval brackets alpha."""
    df = _frame(seed, n, k, 1.0)
    base = quiet(cronbach_alpha, df)[0].total.iloc[0]
    perm = quiet(cronbach_alpha, df[df.columns[::-1]])[0].total.iloc[0]
    aff = quiet(cronbach_alpha, df * a + b)[0].total.iloc[0]
    scaled = quiet(cronbach_alpha, df * np.linspace(0.5, 3, k))[0].total.iloc[0]
    assert perm["alpha"] == pytest.approx(base["alpha"], abs=1e-10)
    assert aff["alpha"] == pytest.approx(base["alpha"], abs=1e-9)
    assert scaled["std_alpha"] == pytest.approx(base["std_alpha"], abs=1e-9)
    assert base["feldt_low"] <= base["alpha"] <= base["feldt_high"]


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000), frac=st.floats(0.0, 0.2))
def test_pairwise_equals_listwise_without_missing_and_keeps_index(seed, frac):
    df = _frame(seed, 60, 5, 1.2)
    df.index = [f"id{i}" for i in range(60)]
    if frac == 0:
        a = cronbach_alpha(df).alpha
        b = cronbach_alpha(df, missing="listwise").alpha
        assert a == pytest.approx(b, abs=1e-12)
    res = quiet(item_analysis, df, keys={"s": list(df.columns)})[0]
    assert res.table.loc["s"].index.tolist() == list(df.columns)


def test_total_only_instrument_reports_why_no_schmid_leiman():
    """SRS has no subscales: the table has the total only and says why omega_h is absent."""
    d = toolkit.load_sample("srs_ors_sessions")
    res = reliability(d, "srs", n_boot=0)
    assert res.table.index.tolist() == ["total"]
    assert np.isnan(res.table.loc["total", "omega_h"])
    assert any("need at least 2 group factors" in n for n in res.notes)
    assert res.table.loc["total", "omega_cfa"] > 0.5


def test_messy_export_correlated_cfa_converges_like_lavaan():
    """R (x = item_frame(messy_export, 'wai-sr', on_invalid = 'missing'), 33 complete rows; the cleaning redone
    in R by tests/reference/reliability/make_messy_reference.R -> messy_export.json):
    semTools::compRelSEM(lavaan::cfa(<3 correlated factors>, x, std.lv = TRUE), return.total = TRUE)
    -> total .925192976944. Tolerance 1e-4 (iterative fit)."""
    from toolkit.scoring import item_frame

    R = ref("messy_export")
    d = toolkit.load_sample("messy_export")
    x, _ = quiet(item_frame, d, "wai-sr", on_invalid="missing")
    keys = {s: [f"wai_sr_{n:02d}" for n in nums] for s, nums in toolkit.load_instrument("wai-sr").keys.items()}
    out = omega_cfa(x, keys=keys)
    assert out.loc["total_correlated", "omega"] == pytest.approx(0.925192976944, abs=1e-4)
    assert out.loc["total_correlated", "omega"] == pytest.approx(R["omega"]["total"], abs=1e-4)
    assert out.loc["total_correlated", "n"] == R["n"] == 33
    assert out["converged"].all() and R["converged"]


def test_on_invalid_missing_passes_through_the_scoring_engine():
    d = toolkit.load_sample("messy_export")
    with pytest.warns(toolkit.exceptions.InvalidCellsWarning):
        res = reliability(d, "wai-sr", on_invalid="missing", n_boot=0, omega=False)
    assert res.table.loc["total", "n_items"] == 12


def test_ordinal_on_a_continuous_scale_says_why_it_is_absent():
    """SRS lines are 0-10 with decimals: polychoric correlations do not apply; the notes say so."""
    d = toolkit.load_sample("srs_ors_sessions")
    with pytest.warns(ReliabilityWarning, match="ordinal alpha/omega not computed: polychoric needs integer "
                      "category codes") as rec:
        res = reliability(d, "srs", n_boot=0, ordinal=True)
    assert rec[0].filename == __file__  # the warning points at the caller's line
    assert any(n.startswith("ordinal alpha/omega not computed: polychoric needs integer category codes")
               for n in res.notes)
    assert res.table["ordinal_alpha"].isna().all()
