"""clinic_report: hand-worked scores, flags and attention; periods; bad cells; errors; escaping; files."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from toolkit.exceptions import (ConverterNotFoundError, DataValidationError, FileExistsRefusal,
                                InvalidParameterError)
from toolkit.reports import ClinicReport, clinic_report

from .conftest import HOSTILE, hostile_markers


def test_scores_flags_and_attention_by_hand(export):
    before = export.copy()
    rep = clinic_report(export, ["srs", "ors"])
    pd.testing.assert_frame_equal(export, before)  # the caller's frame is untouched
    assert isinstance(rep, ClinicReport)
    t = rep.table.set_index("client")
    # attention first (A: SRS 34 < 36; B: reliable deterioration and clinical ORS), then C
    assert rep.table["client"].tolist() == ["A", "B", "C"]
    assert t.loc["A", "srs"] == pytest.approx(34.0) and t.loc["A", "ors"] == pytest.approx(26.0)
    assert t.loc["A", "ors_change"] == pytest.approx(6.0)
    assert t.loc["B", "ors_change"] == pytest.approx(-6.0)
    assert t.loc["A", "last_session"] == 3 and t.loc["C", "last_session"] == 1
    assert t["administrations"].tolist() == [3, 3, 1]
    assert t["attention"].tolist() == [True, True, False]
    assert t.loc["A", "reasons"] == ("SRS: SRS total below 36; SRS: Any SRS line below 9; SRS: SRS total more than 1 "
                                     "point lower than at the previous session")  # 38 -> 34: toolkit.sessions' alert
    assert t.loc["B", "reasons"] == ("ORS: Reliable deterioration since the first session (5 points); "
                                     "ORS: No reliable improvement by session 3")
    assert "clinical cut-off" not in t.loc["B", "reasons"]  # a status (where B is), not a reason
    # Jacobson-Truax categories (toolkit.sessions.clinical_change): A 20 -> 26 recovered, B 30 -> 24 deteriorated
    assert t["ors_category"].to_dict() == {"A": "recovered", "B": "deteriorated", "C": ""}
    assert "Reliable improvement" not in t.loc["A", "reasons"]  # good news is not a reason for attention
    assert rep.attention["client"].tolist() == ["A", "B"]
    # every administration is kept: 7 rows x 2 instruments
    assert len(rep.scores) == 14 and set(rep.scores["row"]) == set(export.index)
    assert rep.bad_cells.empty
    counts = rep.counts.set_index("flag")
    assert counts.loc["SRS total below 36", "administrations"] == 1
    assert counts.loc["ORS total below the adult clinical cut-off (25)", "clients"] == 1  # B at its last
    # one chart per client needing attention
    assert rep.html.count('class="apa-figure client-chart"') == 2
    assert rep.sections == ("This Period", "Clients Needing Attention", "All Clients This Period", "Bad Cells")


def test_attention_can_be_narrowed_to_chosen_flags(export):
    rep = clinic_report(export, ["srs", "ors"], attention=["reliable_deterioration"])
    assert rep.attention["client"].tolist() == ["B"]
    with pytest.raises(InvalidParameterError, match=r"'attention' .* \['nope'\].*'low_total'"):
        clinic_report(export, ["srs", "ors"], attention="nope")


def test_a_calendar_period_keeps_history_and_drops_what_comes_after(export):
    rep = clinic_report(export, ["srs", "ors"], date="date", period="2025-01")
    t = rep.table.set_index("client")
    assert sorted(t.index) == ["A", "B"]  # C came in February
    assert t.loc["A", "last_session"] == 2 and t.loc["A", "srs"] == pytest.approx(38.0)
    assert t.loc["A", "ors_change"] == pytest.approx(4.0)
    assert t["attention"].to_dict() == {"A": False, "B": False}  # A's ORS of 24 is clinical: a status, not an alert
    clinical = rep.counts.set_index("flag").loc["ORS total below the adult clinical cut-off (25)"]
    assert (clinical["attention"], clinical["clients"]) == ("no", 1)
    assert clinic_report(export, ["srs", "ors"], date="date", period="2025-01",
                         attention=["clinical_range"]).attention["client"].tolist() == ["A"]
    # February rows are after the period: not in the scores; January rows are all in it
    assert len(rep.scores) == 8 and rep.scores["in_period"].all()
    feb = clinic_report(export, ["srs", "ors"], date="date", period=("2025-02-01", "2025-02-28"))
    t = feb.table.set_index("client")
    assert sorted(t.index) == ["A", "B", "C"]
    assert t.loc["A", "ors_change"] == pytest.approx(6.0)  # change from the January first session
    assert t["administrations"].tolist() == [1, 1, 1]
    assert feb.scores["in_period"].sum() == 6 and (~feb.scores["in_period"]).sum() == 8


def test_a_session_range_without_dates(export):
    rep = clinic_report(export, ["srs", "ors"], period=(2, 2))
    assert sorted(rep.table["client"]) == ["A", "B"]  # C has no session 2
    assert set(rep.table["last_session"]) == {2}


def test_without_session_column_the_date_orders_the_administrations(export):
    data = export.drop(columns=["session"]).iloc[::-1]  # rows in reverse order
    rep = clinic_report(data, ["srs", "ors"], session=None, date="date")
    t = rep.table.set_index("client")
    assert t.loc["A", "srs"] == pytest.approx(34.0)  # the latest by date, not the last row
    assert t.loc["B", "ors_change"] == pytest.approx(-6.0)


def test_bad_cells_are_listed_and_scored_as_missing(export):
    data = export.astype({"srs_03": object, "ors_01": object})
    data.loc[0, "srs_03"] = "nine"
    data.loc[4, "ors_01"] = 11
    rep = clinic_report(data, ["srs", "ors"])
    bad = rep.bad_cells
    assert bad[["instrument", "row", "column"]].values.tolist() == [["srs", 0, "srs_03"], ["ors", 4, "ors_01"]]
    assert bad["reason"].str.contains("not a number").iloc[0] and bad["reason"].str.contains("out of range").iloc[1]
    first = rep.scores[(rep.scores["row"] == 0) & (rep.scores["instrument"] == "srs")]
    assert np.isnan(first["score"].iloc[0]) and first["n_invalid"].iloc[0] == 1  # SRS allows no missing line
    assert "nine" in rep.html and "Bad Cells" in rep.html
    with pytest.raises(DataValidationError) as err:
        clinic_report(data, ["srs", "ors"], on_invalid="raise")
    assert len(err.value.report) == 1  # the first instrument's bad cell stops it


def test_rows_that_cannot_be_placed_are_all_named(export):
    data = export.astype({"session": object})
    data.loc[2, "session"] = "third"
    data.loc[5, "client_id"] = None
    with pytest.raises(DataValidationError, match=r"2 cell\(s\).*row 5.*no client id.*row 2.*'third'") as err:
        clinic_report(data, ["srs", "ors"])
    assert sorted(err.value.report["row"]) == [2, 5]
    bad_dates = export.assign(date=export["date"].where(export.index != 3, "31/31/2025"))
    with pytest.raises(DataValidationError, match="not a date") as err:
        clinic_report(bad_dates, ["srs", "ors"], date="date", period="2025-01")
    assert err.value.report["row"].tolist() == [3]


@pytest.mark.parametrize("kwargs, message", [
    ({"client": "Client ID"}, r"'client' parameter .* 'Client ID'.*'client_id', 'session'"),
    ({"period": "2025-01"}, "needs the date column"),
    ({"period": ("a", "b")}, "pair of session numbers"),
    ({"date": "date", "period": "not a period"}, "calendar period"),
    ({"date": "date", "period": ("2025-03-01", "2025-01-01")}, "starts after it ends"),
    ({"session": None}, "needs the session column or the date column"),
    ({"on_invalid": "skip"}, "'on_invalid'"),
    ({"charts": "yes"}, "'charts'"),
])
def test_parameters_are_checked_with_the_fix(export, kwargs, message):
    with pytest.raises(InvalidParameterError, match=message):
        clinic_report(export, ["srs", "ors"], **kwargs)


def test_instruments_are_required_and_checked(export):
    with pytest.raises(InvalidParameterError, match="needs the instrument"):
        clinic_report(export)
    with pytest.raises(InvalidParameterError, match="names an instrument twice"):
        clinic_report(export, ["srs", "srs"])
    with pytest.raises(InvalidParameterError, match="must be a DataFrame"):
        clinic_report([1, 2], "srs")


def test_scores_from_toolkit_score_are_accepted(export):
    import toolkit

    srs = toolkit.score(export, "srs", id_cols=["client_id", "session"])
    ors = toolkit.score(export, "ors", id_cols=["client_id", "session"], change_by="client_id",
                        change_order="session")
    from_scores = clinic_report({"srs": srs, "ors": ors})
    from_items = clinic_report(export, ["srs", "ors"])
    # the same scores; the session-to-session alerts and categories need the responses (toolkit.sessions)
    cols = ["client", "administrations", "last_session", "srs", "ors", "ors_change"]
    pd.testing.assert_frame_equal(from_scores.table.set_index("client")[cols[1:]].sort_index(),
                                  from_items.table.set_index("client")[cols[1:]].sort_index())


def test_the_page_is_self_contained_and_has_no_script(export):
    html = clinic_report(export, ["srs", "ors"], title="Week 3", clinic="North").html
    assert "<script" not in html.lower()
    assert "://" not in html  # no address at all: nothing to load, nothing to follow
    assert re.search(r"Content-Security-Policy\" content=\"default-src 'none'", html)
    assert "@media print" in html and "<svg class=\"progress-chart\"" in html
    assert "<title>Week 3</title>" in html and "North" in html


def test_every_user_string_is_escaped(hostile_export, hostile_instrument):
    rep = clinic_report(hostile_export, [hostile_instrument, "ors"], title=HOSTILE["img"], clinic=HOSTILE["svg"])
    assert hostile_markers(rep.html) == []
    assert "&lt;script&gt;window.__pwned" in rep.html  # shown as text
    assert "A&amp;B &lt;i&gt;" in rep.html  # the bad cell's value
    assert rep.table["client"].tolist()[0] in {HOSTILE["script"], HOSTILE["img"]}  # the table keeps ids as given
    html = rep._repr_html_()
    assert html.startswith('<iframe class="alliance-report" sandbox=""') and "<script" not in html


def test_save_refuses_to_overwrite_and_writes_atomically(export, tmp_path):
    rep = clinic_report(export, "srs")
    out = rep.save(tmp_path / "week.html")
    assert out.read_text(encoding="utf-8") == rep.html
    assert oct(out.stat().st_mode & 0o777) != oct(0o600)  # readable like any new file, not private
    with pytest.raises(FileExistsRefusal, match="overwrite=True"):
        rep.save(out)
    rep.save(out, overwrite=True)
    with pytest.raises(InvalidParameterError, match=r"must end in \.html, \.htm, \.pdf"):
        rep.save(tmp_path / "week.docx")
    with pytest.raises(FileNotFoundError, match="does not exist"):
        rep.save(tmp_path / "nowhere" / "week.html")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["week.html"]  # no temporary file left behind
    clinic_report(export, "srs", path=tmp_path / "direct.html")
    assert (tmp_path / "direct.html").exists()


def test_pdf_without_a_converter_says_what_to_install(export, tmp_path, monkeypatch):
    import builtins

    real = builtins.__import__

    def no_playwright(name, *args, **kwargs):
        if name.startswith("playwright"):
            raise ImportError(name)
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_playwright)
    rep = clinic_report(export, "srs", charts=False)
    with pytest.raises(ConverterNotFoundError, match="pip install playwright.*print it to PDF"):
        rep.save(tmp_path / "week.pdf")
    assert not list(tmp_path.iterdir())


def test_a_hostile_client_column_name_and_period_label(export):
    data = export.rename(columns={"client_id": HOSTILE["img"], "date": HOSTILE["svg"]})
    rep = clinic_report(data, ["srs", "ors"], client=HOSTILE["img"], date=HOSTILE["svg"], period="2025-01")
    assert hostile_markers(rep.html) == [] and sorted(rep.table["client"]) == ["A", "B"]
    with pytest.raises(InvalidParameterError) as err:  # the message quotes the name as text, for a terminal
        clinic_report(data, ["srs", "ors"])
    assert repr(HOSTILE["img"]) in str(err.value)
