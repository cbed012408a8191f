"""caseload_view without a browser: the list is the package's order; picking a client opens its timeline."""

from __future__ import annotations

import pytest

pytest.importorskip("ipywidgets", reason="ipywidgets is in the lab extras: run `make test`")

from toolkit.widgets import caseload_view  # noqa: E402

from ._sessions import inputs  # noqa: E402


@pytest.fixture(scope="module")
def view():
    d = inputs()
    return caseload_view(d["summary"], d["panels"], episodes=d["episodes"], alerts=d["alerts"])


def test_list_in_order_of_need(view):
    table = inputs()["summary"].table
    assert [v for _, v in view.clients.options] == table["dyad_id"].astype(str).tolist()
    first = view.clients.options[0][0]
    assert first.startswith(str(table["dyad_id"].iloc[0])) and "deteriorated" in first
    assert view.timeline.state["client"] == str(table["dyad_id"].iloc[0])  # the neediest is open
    assert view.counts.value[:4] == b"\x89PNG"


def test_picking_a_client_opens_its_timeline(view):
    target = view.clients.options[40][1]
    view.clients.value = target
    assert view.timeline.state["client"] == target == view.state["client"]
    assert view.timeline.client.value == target


def test_only_clients_who_need_attention(view):
    table = inputs()["summary"].table
    view.only.value = True
    assert len(view.clients.options) == int(table["needs_attention"].sum()) == view.state["listed"]
    view.only.value = False
    assert len(view.clients.options) == len(table)
    assert view.errors.message == ""


def test_needs_a_caseload_summary():
    with pytest.raises(TypeError, match="caseload_summary"):
        caseload_view("not a summary", inputs()["panels"])
    with pytest.raises(ValueError, match="needs the series to draw"):
        caseload_view(inputs()["summary"])
