"""questionnaire_form without a browser: set answers as a person would, check what the widget shows and saves."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("ipywidgets", reason="ipywidgets is in the lab extras: run `make test`")

import toolkit  # noqa: E402
from toolkit.exceptions import FileExistsRefusal, FormChoiceError  # noqa: E402
from toolkit.widgets import questionnaire_form  # noqa: E402


def _fill(form, answers, client="C07", session="2"):
    form.ids["client_id"].value = client
    form.ids["session"].value = session
    for number, value in answers.items():
        form.controls[number].value = value


def _expected(form, answers, client="C07", session=2):
    ins = form.instrument
    row = {"client_id": client, "session": session, "rater": form.rater}
    row.update({f"{ins.id.replace('-', '_')}_{n:02d}": (np.nan if v is None else float(v))
                for n, v in ((n, answers.get(n)) for n in range(1, ins.n_items + 1))})
    return toolkit.score(pd.DataFrame([row]), ins, form=form.form_id, id_cols=["client_id", "session", "rater"])


def test_one_control_per_item_with_our_labels_and_the_anchors():
    form = questionnaire_form("wai-sr", rater="client")
    ins = toolkit.load_instrument("wai-sr")
    assert sorted(form.controls) == list(range(1, 13))
    assert [v for _, v in form.controls[1].options] == [1.0, 2.0, 3.0, 4.0, 5.0]
    assert form.controls[1].options[0][0] == "1 Seldom"
    assert all(c.value is None for c in form.controls.values())  # nothing pre-answered
    shown = " ".join(w.value for w in _html_widgets(form.widget))
    assert ins.item(1).label in shown
    assert "at most this many of its items are unanswered: task 1 of 4; bond 1 of 4; goal 1 of 4; total 3 of 12" \
        in shown  # the missing-data rule is shown


def test_licensed_wording_replaces_our_labels(tmp_path):
    wording = tmp_path / "my-licensed-wording.csv"
    pd.DataFrame({"item": range(1, 13), "text": [f"Licensed text number {k}" for k in range(1, 13)]}).to_csv(
        wording, index=False)
    form = questionnaire_form(toolkit.attach_wording("wai-sr", wording))
    shown = " ".join(w.value for w in _html_widgets(form.widget))
    assert "Licensed text number 7" in shown
    assert toolkit.load_instrument("wai-sr").item(7).label not in shown


def test_live_scores_equal_toolkit_score_as_items_are_answered():
    form = questionnaire_form("wai-sr")
    answers = {1: 5.0, 2: 4.0, 10: 3.0, 12: 4.0, 3: 2.0, 5: 3.0, 7: 4.0}
    _fill(form, answers)
    expected = _expected(form, answers)
    pd.testing.assert_frame_equal(form.scores_.reset_index(drop=True), expected.reset_index(drop=True))
    assert form.scores_.at[0, "task"] == 16.0
    assert form.scores_.at[0, "bond"] == pytest.approx((2 + 3 + 4) / 3 * 4)  # prorated: 1 missing
    assert bool(form.scores_.at[0, "bond_prorated"])
    assert math.isnan(form.scores_.at[0, "goal"])  # 0 of 4 answered: beyond the rule
    assert form.unanswered() == [4, 6, 8, 9, 11]
    assert "items 4, 6, 8, 9, 11" in form.status.value
    assert "prorated" in form.scores_view.value and "not scored" in form.scores_view.value


def test_reverse_keyed_items_are_scored_by_the_engine():
    form = questionnaire_form("wai-s", rater="therapist")
    assert form.form_id == "therapist"
    answers = {n: 2.0 for n in range(1, 13)}
    _fill(form, answers)
    pd.testing.assert_frame_equal(form.scores_.reset_index(drop=True),
                                  _expected(form, answers).reset_index(drop=True))
    assert form.scores_.at[0, "goal"] == 2 + 2 + 6 + 6  # items 4 and 10 reversed: 8 - 2


def test_visual_analogue_lines_are_sliders_at_the_resolution():
    form = questionnaire_form("srs")
    slider = form.controls[1]
    assert (slider.min, slider.max, slider.step) == (0.0, 10.0, 0.1)
    assert form.answers[1] is None  # a slider has a position before anyone touches it: not an answer
    form.ids["client_id"].value, form.ids["session"].value = "C1", "1"
    for n, v in {1: 9.5, 2: 8.0, 3: 7.2, 4: 9.9}.items():
        slider = form.controls[n]
        slider.value = v  # moving the slider marks the line answered
    assert form.answers == {1: 9.5, 2: 8.0, 3: 7.2, 4: 9.9}
    assert form.scores_.at[0, "total"] == pytest.approx(34.6)
    assert bool(form.scores_.at[0, "flag_low_total"])


def test_submit_is_blocked_until_ids_are_given():
    form = questionnaire_form("wai-sr")
    form.controls[1].value = 3.0
    assert form.submit_button.disabled
    assert "enter client_id" in form.status.value
    form.ids["client_id"].value, form.ids["session"].value = "C1", "two"
    assert "session must be a whole number" in form.status.value
    form.ids["session"].value = "2"
    assert not form.submit_button.disabled
    with pytest.raises(ValueError, match="cannot submit yet"):
        questionnaire_form("wai-sr").submit()


def test_require_complete_waits_for_every_item():
    form = questionnaire_form("wai-sr", require_complete=True)
    _fill(form, {n: 4.0 for n in range(1, 12)})
    assert form.submit_button.disabled and "unanswered: 12" in form.status.value
    form.controls[12].value = 4.0
    assert not form.submit_button.disabled


def test_submit_twice_to_a_csv_keeps_earlier_content(tmp_path):
    path = tmp_path / "entries.csv"
    first = questionnaire_form("wai-sr", target=path)
    _fill(first, {n: 4.0 for n in range(1, 13)}, client="C01", session="1")
    first.submit_button.click()  # as a person would
    assert first.errors.text == "" and "Saved" in first.message.value
    assert all(c.value is None for c in first.controls.values())  # cleared for the next administration
    earlier = path.read_text()

    second = questionnaire_form("wai-sr", target=str(path))  # a later session, a new form object
    _fill(second, {n: 3.0 for n in range(1, 12)}, client="C01", session="2")
    second.submit_button.click()
    text = path.read_text()
    assert text.startswith(earlier)  # appended, never rewritten
    saved = pd.read_csv(path)
    assert saved["session"].tolist() == [1, 2]
    assert saved["client_id"].tolist() == ["C01", "C01"]
    assert saved.loc[0, "wai_sr_12"] == 4.0 and math.isnan(saved.loc[1, "wai_sr_12"])
    assert {"rater", "form", "submitted_at"} <= set(saved.columns)
    pd.testing.assert_frame_equal(second.responses, saved)
    # what was saved scores exactly as the form showed before submitting
    scored = toolkit.score(saved, "wai-sr")
    assert scored["total"].tolist()[0] == 48.0
    assert scored["total"].tolist()[1] == pytest.approx(11 * 3 * 12 / 11)


def test_a_file_with_other_columns_is_refused_not_overwritten(tmp_path):
    path = tmp_path / "other.csv"
    path.write_text("a,b\n1,2\n")
    form = questionnaire_form("wai-sr", target=path)
    _fill(form, {1: 3.0})
    form.submit_button.click()
    assert path.read_text() == "a,b\n1,2\n"
    assert form.errors.message.startswith("FileExistsRefusal while submitting")
    assert "only in the file: ['a', 'b']" in form.errors.message and "FileExistsRefusal" in form.errors.text
    assert isinstance(form.errors.errors[-1], FileExistsRefusal)
    assert form.widget.children[-1] is form.errors.widget and form.errors.widget.layout.display is None


def test_a_dataframe_target_is_copied_and_appended():
    earlier = pd.DataFrame({"client_id": ["C00"], "session": [1], "rater": ["client"], "form": ["client"]})
    form = questionnaire_form("wai-sr", target=earlier)
    _fill(form, {n: 5.0 for n in range(1, 13)}, client="C00", session="1")
    form.submit()
    _fill(form, {n: 1.0 for n in range(1, 13)}, client="C00", session="2")
    form.submit()
    assert len(earlier) == 1  # the caller's frame is not changed
    assert form.responses["session"].tolist() == [1, 1, 2]
    assert "1 earlier administration(s) with the same ids" not in form.message.value  # session 2 is new
    assert form.responses["wai_sr_01"].tolist()[1:] == [5.0, 1.0]


def test_errors_inside_callbacks_are_shown_in_the_widget(monkeypatch):
    form = questionnaire_form("wai-sr")

    def broken(*_args, **_kwargs):
        raise RuntimeError("scoring engine exploded")

    monkeypatch.setattr("toolkit.widgets.form.score", broken)
    form.controls[3].value = 2.0  # the observe callback fails
    assert form.errors.message == "RuntimeError while reading item 3: scoring engine exploded"
    assert "scoring engine exploded" in form.errors.text  # the HTML the person sees
    monkeypatch.undo()
    form.controls[3].value = 3.0  # the next good callback clears the message, the error stays on record
    assert form.errors.text == form.errors.message == "" and len(form.errors.errors) == 1


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="no form for rater 'observer'.*client"):
        questionnaire_form("wai-sr", rater="observer")
    with pytest.raises(FormChoiceError, match=r"wai36 has 4 forms \(client \(client\), therapist \(therapist\), "
                                              r"observer \(observer\), observer-rev4 \(observer\)\); say whose "
                                              r"answers these are with rater= or pass form="):
        questionnaire_form("wai36")
    with pytest.warns(toolkit.exceptions.KeyConfidenceWarning):  # the observer key is recalled only
        observer = questionnaire_form("wai36", rater="observer", allow_unverified=True)
    assert observer.form_id == "observer"  # the form named like the rater, not observer-rev4
    with pytest.raises(ValueError, match="must be a .csv file"):
        questionnaire_form("wai-sr", target="answers.xlsx")
    with pytest.raises(ValueError, match="is for a therapist, not a client"):
        questionnaire_form("wai-s", rater="client", form="therapist")


def _html_widgets(widget):
    import ipywidgets as W

    if isinstance(widget, W.HTML):
        yield widget
    for child in getattr(widget, "children", ()):
        yield from _html_widgets(child)


def test_hostile_definition_text_is_escaped(tmp_path):
    """A shared definition file is user input: its name, form name, labels and anchors are shown as text."""
    import yaml

    hostile = "<img src=x onerror=alert(1)>"
    definition = toolkit.load_instrument("wai-sr").model_dump(mode="json", exclude_none=True)
    definition["name"] = hostile
    definition["forms"][0]["name"] = hostile
    definition["items"][0]["label"] = hostile
    path = tmp_path / "hostile.yaml"
    path.write_text(yaml.safe_dump(definition))
    form = questionnaire_form(path)
    texts = [w.value for w in _html_widgets(form.widget)]
    assert any("&lt;img src=x onerror=alert(1)&gt;" in t for t in texts)
    assert not any("<img" in t for t in texts)
