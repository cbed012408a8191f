"""The result contract as toolkit.sessions keeps it: documented dataclasses with title, notes, summary(),
to_frame() and an escaped HTML display; they pickle; ids from the data never execute in a notebook."""

from __future__ import annotations

import dataclasses
import pickle

import pandas as pd
import pytest

from toolkit._results import Result
from toolkit.sessions import (Alerts, Caseload, ClinicalChange, Episodes, MixedModelResult, Trajectories,
                              caseload_summary, clinical_change, drop_below_running_mean, mixed_model,
                              session_alerts, sudden_gains, trajectories)

HOSTILE = "<img src=x onerror=alert(1)>"
ESCAPED = "&lt;img src=x onerror=alert(1)&gt;"
CLASSES = [Trajectories, Episodes, Alerts, ClinicalChange, Caseload, MixedModelResult]


def _results():
    ids = [HOSTILE] * 6 + ["b"] * 6
    d = pd.DataFrame({"client_id": ids, "session": list(range(1, 7)) * 2,
                      "srs": [38, 38.5, 37.5, 30, 38, 38, 30, 31, 39, 39.5, 39, 39.2]})
    items = pd.DataFrame({"client_id": ids, "session": list(range(1, 7)) * 2,
                          "srs_01": [9.5, 9.6, 9.4, 7.5, 9.5, 9.5] * 2, "srs_02": 9.5, "srs_03": 9.5,
                          "srs_04": 9.5})
    ors = d.rename(columns={"srs": "ors"}).assign(ors=lambda x: x["ors"] - 12)
    alerts = session_alerts(items, "srs")
    change = clinical_change(ors, "ors")
    d["x"] = d["srs"] - d.groupby("client_id")["srs"].transform("mean")
    return [trajectories(d, "srs", value="srs"), drop_below_running_mean(d, value="srs"),
            sudden_gains(d, cutoff=3, value="srs"), alerts, change, caseload_summary(alerts, change=change),
            mixed_model(d.assign(y=ors["ors"]), "y ~ x", optimizer="bounded")]


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_results_are_documented_dataclasses(cls):
    from numpydoc.docscrape import ClassDoc

    assert issubclass(cls, Result) and dataclasses.is_dataclass(cls)
    fields = [f.name for f in dataclasses.fields(cls)]
    documented = set()
    for p in ClassDoc(cls, config={"show_class_members": False})["Attributes"]:
        documented.update(n.strip() for n in p.name.split(","))
    assert set(fields) <= documented, f"{cls.__name__}: fields not documented: {set(fields) - documented}"
    assert cls.main in fields
    assert not any(name.endswith("_") for name in fields)


@pytest.fixture(scope="module")
def results():
    import warnings

    from toolkit.exceptions import AllianceWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AllianceWarning)  # tiny series: the notes say so
        return _results()


def test_results_keep_the_contract(results):
    for res in results:
        name = type(res).__name__
        assert isinstance(res.summary(), pd.DataFrame) and isinstance(res.to_frame(), pd.DataFrame), name
        assert res.summary() is not getattr(res, res.main), name
        assert res.title and isinstance(res.notes, list) and res.notes, name
        for table in res.tables.values():
            assert not table.attrs, name
        back = pickle.loads(pickle.dumps(res))
        assert type(back) is type(res) and back.notes == res.notes
        for key, table in res.tables.items():
            pd.testing.assert_frame_equal(getattr(back, key), table)


def test_hostile_ids_are_escaped_in_html(results):
    shown = 0
    for res in results:
        html = res._repr_html_()
        assert HOSTILE not in html, type(res).__name__
        shown += ESCAPED in html
    assert shown >= 4  # the tables with client ids show them, escaped
