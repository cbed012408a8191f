"""compare_raters without a browser: choose dyads, sessions, subscales and instruments; check every view follows.

The numbers shown must be the package's (toolkit.dyadic); the widget only wires choosers to them.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("ipywidgets", reason="ipywidgets is in the lab extras: run `make test`")

import toolkit  # noqa: E402
from toolkit.dyadic import agreement, dyad_discrepancies, dyad_items, pair_raters  # noqa: E402
from toolkit.widgets import compare_raters  # noqa: E402

SR_VS_S = "WAI-SR vs WAI-S"


@pytest.fixture(scope="module")
def wai36():
    data = toolkit.load_sample("wai36_client_therapist")
    return data[data["rater"] == "client"], data[data["rater"] == "therapist"]


@pytest.fixture(scope="module")
def pairs36(wai36):
    return pair_raters(*wai36, instrument_client="wai36")


@pytest.fixture(scope="module")
def pairs_sr_s():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", toolkit.exceptions.AllianceWarning)  # unmatched sessions, listed on it
        return pair_raters(toolkit.load_sample("wai_sr_sessions"), toolkit.load_sample("wai_s_therapist_sessions"),
                           instrument_client="wai-sr", instrument_therapist="wai-s")


@pytest.fixture(scope="module")
def view(pairs36, pairs_sr_s):
    """One view over both comparisons (built once: the tests below set choices explicitly)."""
    return compare_raters(paired={"WAI-36": pairs36, SR_VS_S: pairs_sr_s}, dyad="B002", subscale="total")


def _choose(view, *, comparison="WAI-36", dyad="B002", session=None, subscale="total"):
    view.comparison.value = comparison
    view.subscale.value = subscale
    view.search.value = ""
    view.dyad.value = dyad
    if session is not None:
        view.session.value = session
    assert view.errors.message == ""


def test_frames_are_paired_by_the_package(wai36, pairs36):
    v = compare_raters(*wai36, instrument_client="wai36", dyad="B007", subscale="goal")
    assert v.state == {"comparison": "wai36: client vs therapist", "dyad": "B007", "session": 3, "subscale": "goal",
                       "metric": "sum"}
    pd.testing.assert_frame_equal(v.pairs.paired, pairs36.paired)
    assert v.comparison.layout.display == "none"  # one comparison: no instrument chooser
    assert bytes(v.images["profile"].value).startswith(b"\x89PNG")


def test_the_first_view_shows_the_chosen_dyad(view, pairs36):
    _choose(view, dyad="B002", subscale="total")
    assert view.state["dyad"] == "B002" and view.state["session"] == 3
    # profile: the dyad's scores, as pair_raters gives them, with dyad_discrepancies' flags
    expected = pairs36.dyad("B002", 3)[["subscale", "client", "therapist"]].reset_index(drop=True)
    pd.testing.assert_frame_equal(view.profile_[["subscale", "client", "therapist"]], expected)
    disc = dyad_discrepancies(pairs36).table.set_index("dyad_id").loc["B002"]
    assert view.profile_["flag"].tolist() == [bool(disc[f"flag_{s}"]) for s in expected["subscale"]]
    assert view.profile_["threshold"].notna().all()
    # item table: dyad_items' order (largest |client - therapist| first), all 36 items for the total
    items = dyad_items(pairs36, "B002", 3)
    assert view.table_["item"].tolist() == items["item"].tolist()
    assert np.allclose(view.table_["diff"], items["diff"], equal_nan=True)
    assert len(view.table_) == 36
    assert view.table_["diff"].abs().dropna().is_monotonic_decreasing
    # the three largest are highlighted in what the person sees
    assert view.table_view.value.count("background:#ffe3b3") == 3
    assert "B002" in view.summary.value and "therapist lower" in view.summary.value


def test_scatter_and_bland_altman_show_the_whole_sample_with_the_dyad_marked(view, pairs36):
    _choose(view, dyad="B002", subscale="bond")
    scatter = view.figure_data_["scatter"]
    tidy = pairs36.paired
    bond = tidy.loc[tidy["subscale"] == "bond"].dropna(subset=["client", "therapist"])
    assert len(scatter) == len(bond) == 499
    assert scatter.loc[scatter["marked"], "dyad_id"].tolist() == ["B002"]
    assert np.allclose(scatter["x"], bond["client"]) and np.allclose(scatter["y"], bond["therapist"])
    lines = view.figure_data_["bland_altman_lines"].set_index("line")["value"]
    row = agreement(pairs36).table.loc["bond"]
    assert lines["bias"] == pytest.approx(row["ba_bias"], abs=1e-12)
    assert lines["loa_low"] == pytest.approx(row["ba_loa_low"], abs=1e-12)
    assert lines["loa_high"] == pytest.approx(row["ba_loa_high"], abs=1e-12)
    ba = view.figure_data_["bland_altman"]
    me = ba.loc[ba["marked"]].iloc[0]
    b002 = pairs36.dyad("B002").set_index("subscale").loc["bond"]
    assert me["diff"] == pytest.approx(b002["client"] - b002["therapist"])


def test_switching_the_dyad_updates_every_view(view):
    _choose(view, dyad="B002", subscale="total")
    before = {k: img.value for k, img in view.images.items()}
    table, profile = view.table_.copy(), view.profile_.copy()
    view.dyad.value = "B010"
    assert view.errors.message == ""
    assert view.state["dyad"] == "B010"
    assert all(view.images[k].value != before[k] for k in before), "a figure did not follow the dyad"
    assert not view.table_.equals(table) and not view.profile_.equals(profile)
    assert view.figure_data_["scatter"].loc[lambda d: d["marked"], "dyad_id"].tolist() == ["B010"]
    assert "B010" in view.summary.value


def test_switching_the_subscale_filters_items_and_redraws_the_sample(view, pairs36):
    _choose(view, dyad="B010", subscale="total")
    scatter_before = view.images["scatter"].value
    view.subscale.value = "task"
    assert set(view.table_["subscale"]) == {"task"} and len(view.table_) == 12
    assert view.images["scatter"].value != scatter_before
    tidy = pairs36.paired
    task = tidy.loc[tidy["subscale"] == "task", "client"].dropna()
    assert np.allclose(view.figure_data_["scatter"]["x"], task)


def test_the_search_box_filters_the_dyads(view):
    _choose(view, dyad="B002")
    view.search.value = "b04"  # case does not matter
    assert view.dyad.options and all("B04" in d for d in view.dyad.options)
    assert view.state["dyad"].startswith("B04")  # B002 is filtered out: the first match is shown
    view.search.value = "zzz"
    assert "No paired dyad id contains" in view.summary.value
    view.search.value = ""
    assert len(view.dyad.options) == 500
    assert view.state["dyad"] == view.dyad.value and view.dyad.value in view.summary.value


def test_switching_instrument_and_session(view, pairs_sr_s):
    _choose(view, comparison=SR_VS_S, dyad="A001", subscale="bond")
    assert view.state["metric"] == "pomp"
    sessions = list(view.session.options)
    assert sessions == sorted(pairs_sr_s.dyad("A001")["session"].unique().tolist()) and len(sessions) > 3
    view.session.value = sessions[2]
    assert view.state["session"] == sessions[2]
    expected = pairs_sr_s.dyad("A001", sessions[2])[["subscale", "client", "therapist"]].reset_index(drop=True)
    pd.testing.assert_frame_equal(view.profile_[["subscale", "client", "therapist"]], expected)
    marked = view.figure_data_["scatter"].loc[lambda d: d["marked"]]
    assert marked[["dyad_id", "session"]].values.tolist() == [["A001", sessions[2]]]
    # the forms share only items with the same WAI-36 parent: the table says which
    items = dyad_items(pairs_sr_s, "A001", sessions[2])
    assert view.table_["item"].tolist() == items.loc[items["subscale"] == "bond", "item"].tolist()
    assert all(i.startswith("wai36 #") for i in view.table_["item"])
    assert "POMP" in view.notes.value
    view.comparison.value = "WAI-36"  # back: choosers refilled for the other pairs
    assert view.state["comparison"] == "WAI-36" and view.state["session"] == 3 and len(view.dyad.options) == 500


def test_forms_without_shared_items_say_so(pairs36, monkeypatch):
    """dyad_items raises ValueError when the forms share no item; the table area says so instead."""

    def no_shared_items(*_a, **_k):
        raise ValueError("the client and therapist forms share no item (see paired.scales_); compare subscales")

    monkeypatch.setattr("toolkit.dyadic.dyad_items", no_shared_items)
    v = compare_raters(paired=pairs36, dyad="B002")
    assert v.table_.empty and list(v.table_.columns)[:2] == ["item", "label"]
    assert "share no item" in v.table_view.value and "compare subscales" in v.table_view.value
    assert v.errors.message == ""
    assert bytes(v.images["scatter"].value).startswith(b"\x89PNG")  # the other views are still drawn


def test_errors_inside_callbacks_are_shown_in_the_widget(view, monkeypatch):
    _choose(view, dyad="B002")

    def broken(*_a, **_k):
        raise RuntimeError("plotting failed")

    monkeypatch.setattr("toolkit.dyadic.plots.plot_scatter", broken)
    view.dyad.value = "B003"
    assert view.errors.message == "RuntimeError while switching dyad: plotting failed"
    assert "plotting failed" in view.errors.text and view.errors.widget.layout.display is None
    monkeypatch.undo()
    view.dyad.value = "B004"
    assert view.errors.message == "" and view.state["dyad"] == "B004"


def test_bad_arguments_are_named(wai36, pairs36):
    with pytest.raises(ValueError, match="nothing to compare"):
        compare_raters()
    with pytest.raises(ValueError, match="needs both frames"):
        compare_raters(wai36[0], instrument_client="wai36")
    with pytest.raises(KeyError, match="dyad 'Z999' has no client-therapist pair"):
        compare_raters(paired=pairs36, dyad="Z999")
    with pytest.raises(KeyError, match="no paired session 7"):
        compare_raters(paired=pairs36, dyad="B002", session=7)


def test_import_toolkit_does_not_import_ipywidgets():
    import subprocess
    import sys

    code = ("import sys, toolkit; toolkit.load_instrument('wai-sr'); "
            "print('ipywidgets' in sys.modules, 'toolkit.widgets' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]
    assert toolkit.compare_raters is compare_raters  # the lazy export


HOSTILE = "<img src=x onerror=alert(1)>"


def test_a_users_own_instrument_from_a_file(tmp_path, wai36):
    """compare_raters(paired=pairs) with a definition loaded from a file (issue 9, item 5): the view uses the
    instrument object on the pairs; it used to reload it by id and raise UnknownInstrumentError."""
    import yaml

    definition = toolkit.load_instrument("wai36").model_dump(mode="json", exclude_none=True)
    definition.update(id="clinic-wai", name="Our clinic's WAI")
    definition["items"][0]["label"] = "Our own label one"
    path = tmp_path / "clinic-wai.yaml"
    path.write_text(yaml.safe_dump(definition))
    mine = toolkit.load_instrument(path)
    rename = {f"wai36_{n:02d}": f"clinic_wai_{n:02d}" for n in range(1, 37)}
    client, therapist = (frame.rename(columns=rename) for frame in wai36)
    pairs = pair_raters(client, therapist, instrument_client=mine)
    view = compare_raters(paired=pairs, dyad="B002", subscale="bond")
    assert view.errors.message == ""
    labels = dict(zip(view.table_["item"], view.table_["label"]))
    assert labels["clinic_wai_01"] == "Our own label one"
    framed = compare_raters(client, therapist, instrument_client=path, dyad="B002")  # a path works too
    assert framed.state["comparison"] == "clinic-wai: client vs therapist"


def test_every_string_the_view_shows_is_escaped(wai36):
    """Ids, labels and notes come from the user's data and definitions: the view's HTML shows them as text."""
    client, therapist = (frame.replace({"dyad_id": {"B002": HOSTILE}}) for frame in wai36)
    pairs = pair_raters(client, therapist, instrument_client="wai36")
    pairs.notes.append(f"note {HOSTILE}")
    view = compare_raters(paired={HOSTILE: pairs}, dyad=HOSTILE, subscale="total")
    assert view.errors.message == "" and view.state["dyad"] == HOSTILE
    shown = [view.summary.value, view.notes.value, view.table_view.value]
    assert any("&lt;img src=x onerror=alert(1)&gt;" in text for text in shown)
    for text in shown:
        assert "<img" not in text
    view.search.value = HOSTILE + "zz"  # nothing matches: the message quotes what was typed
    assert "<img" not in view.summary.value and "&lt;img" in view.summary.value
