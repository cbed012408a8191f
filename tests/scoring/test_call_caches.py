"""What score() remembers between calls (column matching, keying weights, output labels) changes nothing a
caller can see: every call warns and raises as the first did, and results share no state."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import toolkit
from toolkit.exceptions import ItemMappingError, UnmatchedColumnsWarning


def _wai_sr(n=3, prefix="wai_sr_"):
    rng = np.random.default_rng(0)
    return pd.DataFrame({f"{prefix}{k:02d}": rng.integers(1, 6, n).astype(float) for k in range(1, 13)})


def test_every_call_warns_about_extra_item_like_columns():
    df = _wai_sr()
    df["wai_sr_13"] = 1.0
    for _ in range(3):
        with pytest.warns(UnmatchedColumnsWarning, match=r"\['wai_sr_13'\] look like item columns"):
            toolkit.score(df, "wai-sr")


def test_every_call_raises_for_missing_items():
    df = _wai_sr().drop(columns="wai_sr_05")
    for _ in range(2):
        with pytest.raises(ItemMappingError, match="none for items 5"):
            toolkit.score(df, "wai-sr")


def test_same_definition_other_columns_and_other_definitions():
    """A second column layout, or a second instrument with the same column names, is matched afresh."""
    a = toolkit.score(_wai_sr(), "wai-sr")
    b = toolkit.score(_wai_sr(prefix="Q").rename(columns=lambda c: c.replace("Q0", "Q")), "wai-sr")
    pd.testing.assert_frame_equal(a, b)
    wai_s = toolkit.score(_wai_sr(prefix="Q").rename(columns=lambda c: c.replace("Q0", "Q")), "wai-s")
    assert not wai_s["total"].equals(a["total"])  # the WAI-S keys other items in reverse
    ins = toolkit.load_instrument("wai-sr")
    ids = _wai_sr()
    ids.insert(0, "client_id", ["a", "b", "c"])
    out = toolkit.score(ids, ins)
    assert out.columns[0] == "client_id"
    pd.testing.assert_frame_equal(out.drop(columns="client_id"), a)


def test_results_share_no_state():
    df = _wai_sr()
    first = toolkit.score(df, "wai-sr")
    first.columns.name = "mine"
    first.loc[0, "total"] = -1.0
    second = toolkit.score(df, "wai-sr")
    assert second.columns.name is None
    assert second.loc[0, "total"] != -1.0
