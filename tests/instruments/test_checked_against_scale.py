"""Definitions checked against their own scale; booleans are booleans; rows of another rater (issue 9, item 12)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import yaml

from toolkit import load_instrument, score, template_path
from toolkit.exceptions import DataValidationError, InstrumentDefinitionError, InvalidParameterError


def _definition(tmp_path, edit) -> str:
    data = yaml.safe_load(template_path().read_text(encoding="utf-8"))
    edit(data)
    path = tmp_path / "mine.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return str(path)


@pytest.mark.parametrize(("value", "operator", "what"), [
    (600, "<", "every possible score"),   # a 1-7 mean scale: every row flagged
    (1, "<", "no possible score"),
    (7, "<=", "every possible score"),
])
def test_thresholds_outside_the_scale_are_refused(tmp_path, value, operator, what):
    def edit(d):
        d["thresholds"][0].update(value=value, operator=operator)

    with pytest.raises(InstrumentDefinitionError) as err:
        load_instrument(_definition(tmp_path, edit))
    assert (f"thresholds[0] ('low_total'): total {operator} {value} flags {what}: the total runs from 1 to 7"
            in str(err.value)), str(err.value)
    assert "give a value within that range" in str(err.value)


def test_thresholds_of_a_sum_are_checked_against_the_sum(tmp_path):
    def edit(d):
        d["scoring"]["method"] = "sum"
        d["thresholds"][0]["value"] = 600

    with pytest.raises(InstrumentDefinitionError, match=r"the total runs from 4 to 28 \(form 'client', scale 1-7 "
                       r"step 1\) on the sum metric"):
        load_instrument(_definition(tmp_path, edit))


def test_reliable_change_larger_than_the_range_is_refused(tmp_path):
    def edit(d):
        d["reliable_change"] = {"applies_to": "total", "value": 10}

    with pytest.raises(InstrumentDefinitionError, match=r"reliable_change\.value 10 is not smaller than the whole "
                       r"range of the total, 1 to 7"):
        load_instrument(_definition(tmp_path, edit))


def test_call_time_thresholds_are_checked_too():
    df = pd.DataFrame({f"srs_{k:02d}": [9.5, 8.0] for k in range(1, 5)})
    with pytest.raises(InvalidParameterError, match=r"thresholds\['low_total'\] of score\(\): total < 360 would flag "
                       r"every possible score: the total of srs runs from 0 to 40"):
        score(df, "srs", thresholds={"low_total": "< 360"})
    with pytest.raises(InvalidParameterError, match=r"any_item < 90 would flag every possible score: single answers "
                       r"of srs run from 0 to 10"):
        score(df, "srs", thresholds={"low_line": 90})
    assert score(df, "srs", thresholds={"low_total": "<= 36"})["flag_low_total"].tolist() == [False, True]


@pytest.mark.parametrize("text", ["'yes'", '"true"', "1", "'no'"])
def test_booleans_are_booleans(tmp_path, text):
    source = template_path().read_text(encoding="utf-8").replace(
        "subscale: bond, reversed: true}", f"subscale: bond, reversed: {text}}}", 1)
    path = tmp_path / "b.yaml"
    path.write_text(source, encoding="utf-8")
    with pytest.raises(InstrumentDefinitionError) as err:
        load_instrument(path)
    assert "items[1].reversed: Input should be a valid boolean" in str(err.value)


def test_yaml_booleans_still_load(tmp_path):
    source = template_path().read_text(encoding="utf-8").replace(
        "subscale: bond, reversed: true}", "subscale: bond, reversed: yes}", 1)  # YAML 1.1: yes is true
    path = tmp_path / "y.yaml"
    path.write_text(source, encoding="utf-8")
    assert load_instrument(path).item(2).reversed is True


def _wai(n, rater, prefix="wai_sr", k=12):
    rng = np.random.default_rng(4)
    df = pd.DataFrame(rng.integers(1, 6, size=(n, k)), columns=[f"{prefix}_{i:02d}" for i in range(1, k + 1)])
    df.insert(0, "rater", rater)
    return df


def test_therapist_rows_scored_with_a_client_only_instrument_are_refused():
    df = _wai(4, ["client", "therapist", "client", "Therapist"])
    with pytest.raises(DataValidationError) as err:
        score(df, "wai-sr")
    msg = str(err.value)
    assert msg.startswith("column 'rater' says 1 rows 'therapist', 1 rows 'Therapist' (rows 1, 3), but the data are "
                          "scored with wai-sr's 'client' form (client): wai-sr has no therapist form (only 'client'); "
                          "therapist ratings are scored with ")
    assert "wai-s (form 'therapist')" in msg and "wai36 (form 'therapist')" in msg
    assert err.value.report["row"].tolist() == [1, 3]
    assert len(score(df[df["rater"] == "client"], "wai-sr")) == 2


def test_rows_of_forms_scored_alike_pass_and_others_are_refused():
    df = _wai(4, ["client", "therapist", "client", "therapist"], prefix="wai36", k=36)
    df[[f"wai36_{i:02d}" for i in range(1, 37)]] += 2  # on 1-7
    assert len(score(df, "wai36")) == 4  # WAI-36 client and therapist forms are scored alike
    df["rater"] = ["client", "observer", "client", "client"]
    with pytest.raises(DataValidationError, match=r"the 'observer' rows are scored with form='observer', whose scale "
                       r"or key differs"):
        score(df, "wai36")


def test_the_forms_differ_in_length_only_when_they_do():
    from toolkit import pair_raters

    base = load_instrument("wai-s").model_dump()
    twin = load_instrument("wai-s").model_validate({**base, "id": "wai-s-copy"})  # 12 items, same scale
    rng = np.random.default_rng(8)
    ids = {"dyad_id": ["d1", "d2", "d3"], "session": [1, 1, 1]}
    client = pd.DataFrame({**ids, **{f"wai_s_{k:02d}": rng.integers(1, 8, 3) for k in range(1, 13)}})
    therapist = pd.DataFrame({**ids, **{f"wai_s_copy_{k:02d}": rng.integers(1, 8, 3) for k in range(1, 13)}})
    pairs = pair_raters(client, therapist, instrument_client="wai-s", instrument_therapist=twin)
    assert pairs.metric == "mean"
    assert not any("differ in length" in n for n in pairs.notes), pairs.notes
    assert any("the forms have different items and share the response scale" in n for n in pairs.notes)
    wai36 = pd.DataFrame({**ids, **{f"wai36_{k:02d}": rng.integers(1, 8, 3) for k in range(1, 37)}})
    pairs = pair_raters(wai36, therapist, instrument_client="wai36", instrument_therapist=twin)
    assert any("the forms differ in length" in n for n in pairs.notes)


def test_the_instruments_html_escapes_its_strings(tmp_path):
    """A shared definition file is data, never code (issue 9, item 3; the Chromium test renders it)."""
    hostile = '<img src=x onerror=alert(1)>'

    def edit(d):
        d["name"] = hostile
        d["items"][0]["label"] = '"><svg onload=alert(1)>'
        d["subscales"][0]["name"] = "<script>alert(1)</script>"

    html = load_instrument(_definition(tmp_path, edit))._repr_html_()
    for raw in (hostile, '"><svg onload=alert(1)>', "<script>alert(1)</script>"):
        assert raw not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
