"""session_timeline without a browser: choose clients, check that every view shows the package's numbers."""

from __future__ import annotations

import pandas as pd
import pytest

pytest.importorskip("ipywidgets", reason="ipywidgets is in the lab extras: run `make test`")

from toolkit.sessions import trajectories  # noqa: E402
from toolkit.widgets import session_timeline  # noqa: E402

from ._sessions import inputs  # noqa: E402


@pytest.fixture(scope="module")
def view():
    d = inputs()
    return session_timeline(d["panels"], episodes=d["episodes"], alerts=d["alerts"], client="A005")


def _client_with_episode():
    t = inputs()["ruptures"].table
    return str(t["dyad_id"].iloc[0])


def test_first_state(view):
    assert view.state["client"] == "A005"
    assert view.state["panels"] == ["Alliance (WAI, POMP)", "Session rating (SRS)", "Outcome (ORS)"]
    assert set(view.figure_data_["panel"]) == set(view.state["panels"])
    assert set(view.figure_data_.loc[view.figure_data_["panel"] == "Alliance (WAI, POMP)", "rater"]) == \
        {"client", "therapist"}  # both raters' lines
    assert view.image.value[:4] == b"\x89PNG"


def test_alerts_are_the_packages(view):
    view.client.value = "A019"
    al = pd.concat([a.table.assign(instrument=a.instrument) for a in inputs()["alerts"]])
    mine = al[al["dyad_id"] == "A019"]
    assert len(view.alerts_) == len(mine) == view.state["n_alerts"] > 0
    assert view.alerts_["session"].is_monotonic_decreasing  # latest first
    assert set(view.alerts_["label"]) == set(mine["label"])
    assert "SRS total below 36" in view.alert_view.value or "ORS total below" in view.alert_view.value


def test_episodes_follow_the_client(view):
    c = _client_with_episode()
    before = view.image.value
    view.client.value = c
    t = inputs()["ruptures"].table
    assert view.state["n_episodes"] == int((t["dyad_id"] == c).sum()) > 0
    assert view.episodes_["session"].tolist() == t.loc[t["dyad_id"] == c, "session"].tolist()
    assert view.image.value != before
    assert "drop_below_running_mean" in view.episode_view.value


def test_search_filters_the_chooser(view):
    view.search.value = "A01"
    assert all("a01" in c.lower() for c in view.client.options) and len(view.client.options) == 10
    assert view.state["client"] == view.client.value
    view.search.value = "zzz"
    assert "No client id contains" in view.summary.value
    view.search.value = ""
    assert len(view.client.options) == 250


def test_gaps_are_said(view):
    t = inputs()["panels"]["Session rating (SRS)"].table
    c = str(t.loc[t["n_gaps"] > 0, "dyad_id"].iloc[0])
    view.show(c)
    assert "no score at session" in view.summary.value


def test_errors_in_callbacks_are_shown(view, monkeypatch):
    import toolkit.sessions.plots as plots

    def boom(*args, **kwargs):
        raise RuntimeError("drawing failed")

    monkeypatch.setattr(plots, "plot_timeline", boom)
    view.client.value = "A002" if view.client.value != "A002" else "A003"
    assert view.errors.message == "RuntimeError while switching client: drawing failed"
    monkeypatch.undo()
    view.client.value = "A004"
    assert view.errors.message == ""


def test_ids_and_labels_are_escaped():
    d = pd.DataFrame({"client_id": ["<b>x</b>", "<b>x</b>", "y", "y"], "session": [1, 2, 1, 2],
                      "srs": [30.0, 31.0, 35.0, 36.0]})
    v = session_timeline(trajectories(d, "srs"))
    assert v.state["client"] == "<b>x</b>"
    assert "<b>x</b>" not in v.summary.value and "&lt;b&gt;x&lt;/b&gt;" in v.summary.value
    with pytest.raises(KeyError, match="client 'nobody' has no scores"):
        session_timeline(trajectories(d, "srs"), client="nobody")
