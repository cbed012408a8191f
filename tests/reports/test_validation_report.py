"""validation_report: the tables are the analyses' own, the text says what they found, strings are escaped."""

from __future__ import annotations

import pandas as pd
import pytest

import toolkit
from toolkit.exceptions import InvalidParameterError
from toolkit.reports import ValidationReport, validation_report

from .conftest import HOSTILE, hostile_markers, hostile_two_factor_data


@pytest.fixture(scope="module")
def session3():
    s = toolkit.load_sample("wai_sr_sessions")
    return s[s["session"] == 3]


@pytest.fixture(scope="module")
def report(session3):
    return validation_report(session3, "wai-sr", n_boot=50, n_iter=3, seed=7)


def test_tables_are_the_analyses_own(session3, report):
    assert isinstance(report, ValidationReport)
    rel = toolkit.reliability(session3, "wai-sr", n_boot=50, seed=7)
    pd.testing.assert_frame_equal(report.table, rel.table)
    pd.testing.assert_frame_equal(report.items, toolkit.item_analysis(session3, "wai-sr").table)
    X = toolkit.scoring.item_frame(session3, "wai-sr")
    efa = toolkit.EFA(3).fit(X)
    pd.testing.assert_frame_equal(report.loadings, efa.summary())
    pa = toolkit.parallel_analysis(X, n_iter=3, seed=7)
    dim = report.dimensionality.set_index("criterion")["factors"]
    assert dim["Parallel analysis: factors"] == pa.n_factors
    assert dim["The instrument's key (subscales)"] == 3
    assert set(report.results) == {"items", "reliability", "kmo", "bartlett", "parallel", "map", "efa", "cfa_family"}


def test_the_text_reports_the_numbers_in_apa_style(report):
    html = report.html
    a = report.table.loc["total"]
    expected = f"total: α = {a['alpha']:.2f}".replace("0.", ".")
    assert expected in html
    assert f"[{a['feldt_low']:.2f}, {a['feldt_high']:.2f}]".replace("0.", ".") in html
    assert "BCa 95% CI" in html and "Feldt 95% CI" in html
    for table in ("Item Statistics", "Reliability of the Subscales and the Total", "Number of Factors Suggested",
                  "Pattern Loadings of the 3-Factor Solution (minres, oblimin)", "Factor Correlations"):
        assert f"<em>{table}</em>" in html
    assert html.count('<p class="label"><strong>Table ') == 9  # and the CFA fit, nested tests, omegas, loadings
    assert html.count('<img src="data:image/svg+xml;base64,') == 1  # the scree plot, embedded
    assert "psych::fa.parallel" in html and "semTools::compRelSEM" in html
    assert "lavaan::cfa" in html and "<em>Fit of the Confirmatory Models</em>" in html
    assert report.sections == ("Method", "Results")


def test_the_page_is_self_contained(report):
    assert "<script" not in report.html.lower() and "://" not in report.html
    assert "Made with alliance-toolkit" in report.html


def test_keys_instead_of_an_instrument_and_hostile_names():
    n = 150
    data, cols = hostile_two_factor_data(n)
    keys = {HOSTILE["svg"]: cols[:3], "second": cols[3:]}
    rep = validation_report(data, keys=keys, n_boot=0, n_iter=3, title=HOSTILE["script"])
    assert hostile_markers(rep.html) == []
    assert "&lt;img src=x onerror=" in rep.html
    assert set(rep.table.index) == {HOSTILE["svg"], "second", "total"}
    assert "BCa" not in rep.html  # no bootstrap asked, no empty interval columns
    assert rep.loadings.shape[0] == 6


def test_n_factors_and_errors(session3):
    rep = validation_report(session3, "wai-sr", n_factors=1, n_boot=0, n_iter=2, cfa=False)
    assert list(rep.loadings.columns[:1]) == ["MR1"] and "1-Factor Solution" in rep.html
    with pytest.raises(InvalidParameterError, match="needs the instrument"):
        validation_report(session3)
    with pytest.raises(InvalidParameterError, match="'n_factors' parameter of validation_report"):
        validation_report(session3, "wai-sr", n_factors=0)
    with pytest.raises(InvalidParameterError, match="'ci' parameter"):
        validation_report(session3, "wai-sr", ci=95)
    with pytest.raises(InvalidParameterError, match="must be a pandas DataFrame"):
        validation_report(session3.to_numpy(), "wai-sr")


def test_warnings_of_the_analyses_become_notes_and_are_raised(session3):
    from toolkit.exceptions import AllianceWarning

    data = session3.copy()
    data["wai_sr_06"] = data["wai_sr_04"]  # a duplicated item: the correlation matrix is singular
    with pytest.warns(AllianceWarning) as caught:
        rep = validation_report(data, "wai-sr", n_boot=0, n_iter=2)
    messages = [str(w.message) for w in caught]
    assert any(m in " ".join(rep.notes) for m in messages)
