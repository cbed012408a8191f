"""Results render as tables in a notebook; numbers stay unrounded underneath."""

from __future__ import annotations

import pytest

from toolkit.reliability_stats import cronbach_alpha, icc, item_analysis, reliability

from ._refs import pingouin_icc, wai_sr


def test_reliability_html_and_repr():
    res = reliability(wai_sr(), "wai-sr", n_boot=100)
    html = res._repr_html_()
    assert html.count("<table") == 2  # the table and the fitted CFAs
    assert "missing data: pairwise" in html
    assert "omega_cfa" in html and "bca_low" in html
    assert f"{res.table.loc['total', 'alpha']:.3f}" in html
    assert "Reliability (instrument wai-sr)" in repr(res)
    assert res["alpha"].equals(res.table["alpha"])


def test_item_analysis_html():
    res = item_analysis(wai_sr(), "wai-sr")
    html = res._repr_html_()
    assert "<table" in html and "alpha_if_deleted" in html and "flags" in html
    assert res.table.index.names == ["scale", "item"]


def test_alpha_and_icc_html():
    a = cronbach_alpha(wai_sr()[[f"wai_sr_{i:02d}" for i in (1, 2, 10, 12)]])
    assert "feldt_low" in a._repr_html_()
    assert "ICC3k" in icc(pingouin_icc(), "Wine", "Judge", "Scores")._repr_html_()


def test_unknown_attribute_is_an_attribute_error():
    """Results are dataclasses with declared fields: a typo is an AttributeError, and the tables are listed."""
    a = cronbach_alpha(wai_sr()[["wai_sr_01", "wai_sr_02", "wai_sr_10"]])
    with pytest.raises(AttributeError, match="nonsense"):
        getattr(a, "nonsense")  # noqa: B009
    assert list(a.tables) == ["total", "alpha_drop", "item_stats", "response_freq"]
