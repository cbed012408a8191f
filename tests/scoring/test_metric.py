"""``score(metric=...)``: sum, mean and POMP; ``method=`` still accepted for one release (issue 8 vocabulary)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from toolkit import load_instrument, score


def _wai_s(rows):
    return pd.DataFrame(rows, columns=[f"wai_s_{k:02d}" for k in range(1, 13)])


def test_pomp_by_hand():
    """WAI-S on 1..7, reversed items keyed as 8 - x. POMP = 100 (sum - k min) / (k (max - min))."""
    ins = load_instrument("wai-s")
    raw = np.array([[1, 2, 3, 4, 5, 6, 7, 1, 2, 3, 4, 5]])
    keyed = np.where([ins.item(n).reversed for n in range(1, 13)], 8 - raw, raw)[0]
    total = keyed.sum()
    out = score(_wai_s(raw), "wai-s", metric="pomp")
    assert out["total"].iloc[0] == pytest.approx(100 * (total - 12) / (12 * 6), abs=1e-12)
    bond = [n - 1 for n in ins.keys["bond"]]
    assert out["bond"].iloc[0] == pytest.approx(100 * (keyed[bond].sum() - 4) / (4 * 6), abs=1e-12)
    best = np.where([ins.item(n).reversed for n in range(1, 13)], 1, 7)[None, :]  # keyed 7 everywhere
    assert score(_wai_s(best), "wai-s", metric="pomp")["total"].iloc[0] == 100.0
    assert score(_wai_s(8 - best), "wai-s", metric="pomp")["total"].iloc[0] == 0.0


def test_metrics_agree_with_each_other():
    rng = np.random.default_rng(3)
    df = _wai_s(rng.integers(1, 8, size=(40, 12)).astype(float))
    df.iloc[::5, 2] = np.nan  # prorated rows
    s, m, p = (score(df, "wai-s", metric=x) for x in ("sum", "mean", "pomp"))
    np.testing.assert_allclose(s["task"], m["task"] * 4, rtol=0, atol=1e-12)
    np.testing.assert_allclose(p["total"], 100 * (m["total"] - 1) / 6, rtol=0, atol=1e-12)
    for flag in [c for c in s.columns if c.startswith("flag_")]:  # judged on the instrument's own metric
        assert s[flag].equals(p[flag])


def test_method_is_the_old_name_of_metric():
    df = _wai_s(np.full((2, 12), 4))
    with pytest.warns(DeprecationWarning, match=r"score\(\): the parameter 'method' is deprecated and goes in "
                      r"version 0.3; use metric= instead"):
        old = score(df, "wai-s", method="mean")
    pd.testing.assert_frame_equal(old, score(df, "wai-s", metric="mean"))
    with pytest.raises(TypeError, match="got both 'method' .* and 'metric'"):
        score(df, "wai-s", method="mean", metric="sum")
