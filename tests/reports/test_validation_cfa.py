"""validation_report's confirmatory sections: the CFA family and invariance tables are cfa_family's and
invariance's own numbers, the text says what they found, a model that cannot be fitted is a note, and every
user string is escaped.

R equivalent of what is compared (through toolkit.validity, itself checked against lavaan 0.6-14):
``lavaan::cfa(<member>, data, std.lv = TRUE, missing = "fiml")`` per member with ``lavTestLRT``, and
``lavaan::cfa(model, data, group = "site", group.equal = ...)`` per invariance step.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest


import toolkit
from toolkit.exceptions import AllianceWarning, IncompleteRowsWarning, InvalidParameterError
from toolkit.reports import validation_report
from toolkit.validity import cfa_family, invariance

from .conftest import HOSTILE, hostile_markers, hostile_two_factor_data


@pytest.fixture(scope="module")
def session3():
    s = toolkit.load_sample("wai_sr_sessions")
    s3 = s[s["session"] == 3].copy()
    # two "sites" from the therapists, three rows without a site
    s3["site"] = np.where(s3["therapist_id"].astype(str).str[-1].isin(list("02468")), "even", "odd")
    s3.loc[s3.index[[0, 5, 9]], "site"] = None
    return s3


@pytest.fixture(scope="module")
def report(session3):
    with pytest.warns(IncompleteRowsWarning, match="no value in the group column 'site'"):
        return validation_report(session3, "wai-sr", n_boot=0, n_iter=3, group="site")


def test_the_cfa_tables_are_cfa_familys_own(session3, report):
    # the sample has missing answers: the report uses FIML (missing="auto"), as the method says
    fam = cfa_family(session3, "wai-sr", missing="fiml")
    pd.testing.assert_frame_equal(report.cfa, fam.table)
    pd.testing.assert_frame_equal(report.cfa_comparisons, fam.comparisons)
    pd.testing.assert_frame_equal(report.cfa_omega, fam.omega)
    assert report.results["cfa_family"].table is report.cfa
    fit = fam.fits["correlated"]
    est, std = fit.estimates_, fit.standardized_
    lam = est["op"] == "=~"
    load = report.cfa_loadings
    assert load["item"].tolist() == est.loc[lam, "rhs"].tolist()
    np.testing.assert_array_equal(load["est"].to_numpy(), est.loc[lam, "est"].to_numpy())
    np.testing.assert_array_equal(load["se"].to_numpy(), est.loc[lam, "se"].to_numpy())
    np.testing.assert_array_equal(load["std_all"].to_numpy(), std.loc[lam, "std_all"].to_numpy())
    np.testing.assert_array_equal(load["r2"].to_numpy(), fit.r2_.loc[load["item"], "r2"].to_numpy())
    assert "full-information maximum likelihood" in report.html


def test_the_invariance_table_is_invariances_own(session3, report):
    kept = session3[session3["site"].notna()]
    inv = invariance(kept, "wai-sr", group="site", model="correlated", missing="fiml")
    pd.testing.assert_frame_equal(report.invariance, inv.table)
    assert list(report.invariance.index) == ["configural", "metric", "scalar", "strict"]
    assert "invariance" in report.results


def test_the_text_and_tables_report_the_numbers(report):
    html = report.html
    row = report.cfa.loc["correlated"]
    chi = f"χ²({int(row['df'])}) = {row['chisq']:.2f}"
    assert f"The correlated factors (3) model fit with {chi}" in html
    assert f"CFI = {row['cfi']:.3f}".replace("0.", ".").replace("1.000", "1.000") in html
    for title in ("Fit of the Confirmatory Models", "Chi-Square Difference Tests of the Nested Models",
                  "Omega of the Confirmatory Models", "Loadings of the Correlated factors (3) Model",
                  "Measurement Invariance Across site"):
        assert f"<em>{title}</em>" in html
    # the omega table: one row per model, the bifactor's general factor is omega hierarchical
    om = report.cfa_omega.set_index(["member", "factor"])["omega"]
    assert f"{om['bifactor', 'general']:.2f}".lstrip("0") in html
    assert f"{om['correlated', 'total']:.2f}".lstrip("0") in html
    assert "omega hierarchical" in html
    assert "RMSEA 90% CI" in html and "lavaan::lavTestLRT" in html and "group.equal" in html
    assert "are not part of this report" not in html
    r = report.invariance.loc["metric"]
    assert f"{r['chisq_diff']:.2f}" in html
    # rows without a group: named in a note, left out of the invariance analysis only
    note = next(n for n in report.notes if "no value in the group column 'site'" in n)
    assert "3 row(s)" in note and all(f"'{i}'" in note for i in report.results["items"].table.index[:0])
    assert sum(report.results["invariance"].fits["configural"].n_obs_.values()) == 221 - 3
    assert "Invariance held up to the" in html or "invariance did not hold" in html


def test_cfa_false_skips_and_a_list_chooses_members(session3):
    rep = validation_report(session3, "wai-sr", n_boot=0, n_iter=2, cfa=False)
    assert rep.cfa.empty and rep.invariance.empty and "cfa_family" not in rep.results
    assert "No confirmatory factor analysis was run (cfa=False)" in rep.html
    complete = session3.dropna(subset=[f"wai_sr_{k:02d}" for k in range(1, 13)])
    rep = validation_report(complete, "wai-sr", n_boot=0, n_iter=2, cfa=["one_factor", "correlated"])
    fam = cfa_family(complete, "wai-sr", members=["one_factor", "correlated"])  # complete rows: plain ML
    pd.testing.assert_frame_equal(rep.cfa, fam.table)
    assert "on the rows that answered every item" in rep.html
    with pytest.raises(InvalidParameterError, match="'cfa' parameter of validation_report.*'nope'"):
        validation_report(session3, "wai-sr", n_boot=0, n_iter=2, cfa=["nope"])
    with pytest.raises(InvalidParameterError, match="'cfa' parameter"):
        validation_report(session3, "wai-sr", n_boot=0, n_iter=2, cfa="correlated")
    with pytest.raises(InvalidParameterError, match="'group' parameter of validation_report.*'clinic'"):
        validation_report(session3, "wai-sr", group="clinic")
    with pytest.raises(InvalidParameterError, match="'missing' parameter"):
        validation_report(session3, "wai-sr", missing="pairwise")


def _two_factors(n=300, seed=5):
    rng = np.random.default_rng(seed)
    f = rng.normal(size=(n, 2)) @ np.linalg.cholesky([[1, .4], [.4, 1]]).T
    x = np.repeat(f, 3, axis=1) * 0.8 + rng.normal(scale=0.6, size=(n, 6))
    return pd.DataFrame(np.clip(np.round(x + 3), 1, 5), columns=["a1", "a2", "a3", "b1", "b2", "b3"])


def test_a_model_that_cannot_be_fitted_is_a_note_not_a_crash(monkeypatch):
    # the correlated model fails (here forced: its fit raises the engine's identification error); the family
    # is then fitted member by member, and the one-factor model is reported
    import toolkit.validity as validity
    from toolkit.exceptions import ModelSpecificationError

    real = validity.cfa_family

    def family(data, instrument=None, *, members=None, **kw):
        if members is None or "correlated" in members:
            raise ModelSpecificationError("the correlated model is not identified (forced by the test)")
        return real(data, instrument, members=members, **kw)

    monkeypatch.setattr(validity, "cfa_family", family)
    data = _two_factors()
    rep = validation_report(data, keys={"A": ["a1", "a2", "a3"], "B": ["b1", "b2", "b3"]}, n_boot=0, n_iter=2)
    assert list(rep.cfa.index) == ["one_factor"]
    assert any("CFA: the correlated model could not be fitted" in n and "forced by the test" in n
               for n in rep.notes), rep.notes
    assert "Notes on the analyses" in rep.html and "could not be fitted" in rep.html
    monkeypatch.undo()
    # no model at all: a sentence and a note
    rep = validation_report(data, keys={"A": ["a1", "a2"]}, n_boot=0, n_iter=2)
    assert rep.cfa.empty and "No confirmatory model could be fitted" in rep.html
    assert any("not identified" in n for n in rep.notes)
    # a group column with one group: the invariance analysis is a note and a sentence
    one = data.assign(site="x")
    rep = validation_report(one, keys={"A": ["a1", "a2", "a3"], "B": ["b1", "b2", "b3"]}, n_boot=0, n_iter=2,
                            group="site")
    assert rep.invariance.empty and any("invariance: not tested" in n and "one group" in n for n in rep.notes)
    assert "could not be tested" in rep.html


def test_a_subscale_named_like_its_item_is_renamed_not_its_own_indicator():
    data = _two_factors()
    rep = validation_report(data, keys={"a1": ["a1", "a2", "a3"], "B": ["b1", "b2", "b3"]}, n_boot=0, n_iter=2)
    assert "correlated" in rep.cfa.index
    factors = set(rep.cfa_loadings["factor"]) if "factor" in rep.cfa_loadings else set()
    assert not factors or ("a1" not in factors and "B" in factors), factors


def test_non_convergence_is_marked_and_noted(monkeypatch):
    """A member that does not converge stays in the table, marked, its warning a note (and raised)."""
    from toolkit.factor.cfa import model

    real = model.minimise

    def stop_early(problem, z0, *args, **kwargs):
        out = real(problem, z0, *args, **kwargs)
        out.converged = False
        out.message = "stopped for the test"
        return out

    monkeypatch.setattr(model, "minimise", stop_early)
    with pytest.warns(AllianceWarning, match="did not converge"):
        rep = validation_report(_two_factors(), keys={"A": ["a1", "a2", "a3"], "B": ["b1", "b2", "b3"]}, n_boot=0,
                                n_iter=2)
    assert not rep.cfa["converged"].any()
    assert "Did not converge or not admissible" in rep.html and "Not converged or not admissible" in rep.html
    assert any("did not converge (stopped for the test)" in n for n in rep.notes)


def test_hostile_keys_columns_and_groups_are_escaped():
    n = 240
    data, cols = hostile_two_factor_data(n)
    data[HOSTILE["svg"]] = np.tile([HOSTILE["script"], HOSTILE["img"]], n // 2)
    keys = {HOSTILE["svg"]: cols[:3], "second " + HOSTILE["amp"]: cols[3:]}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AllianceWarning)  # whatever the small data give is not the point here
        rep = validation_report(data, keys=keys, n_boot=0, n_iter=2, group=HOSTILE["svg"], title=HOSTILE["amp"])
    assert not rep.cfa.empty and not rep.invariance.empty
    assert hostile_markers(rep.html) == []
    assert "&lt;img src=x onerror=" in rep.html and "&lt;script&gt;window.__pwned" in rep.html
    # the loadings table shows the caller's own item and subscale names (escaped), not the lavaan-safe ones
    assert rep.cfa_loadings.shape[0] == 6
    assert "Loadings of the Correlated factors (2) Model" in rep.html
    assert "second A&amp;B &lt;i&gt;" in rep.html  # the subscale's own name heads its loadings
