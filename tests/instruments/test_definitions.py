"""Every instrument definition: schema-valid, keys as published, errors that name the fix.

The expected keys below are typed in from ../shared/INSTRUMENTS.md (the team's
verified facts), independently of the YAML files, so a mis-keyed file fails.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

import toolkit
from toolkit.exceptions import InstrumentDefinitionError, UnknownInstrumentError
from toolkit.instrument import definition_schema, load_instrument, template_path

ROOT = Path(__file__).resolve().parents[2]
FILES = sorted((ROOT / "instruments").glob("*.yaml"))
SHIPPED = [p.stem for p in FILES if not p.name.startswith("_")]

# subscale -> item numbers, reversed items, (min, max) — from INSTRUMENTS.md
EXPECTED = {
    "wai36": (
        {
            "task": [2, 4, 7, 11, 13, 15, 16, 18, 24, 31, 33, 35],
            "bond": [1, 5, 8, 17, 19, 20, 21, 23, 26, 28, 29, 36],
            "goal": [3, 6, 9, 10, 12, 14, 22, 25, 27, 30, 32, 34],
        },
        [1, 3, 7, 9, 10, 11, 12, 15, 20, 27, 29, 31, 33, 34],
        (1, 7),
    ),
    "wai-s": ({"task": [1, 2, 8, 12], "bond": [3, 5, 7, 9], "goal": [4, 6, 10, 11]}, [4, 10], (1, 7)),
    "wai-sr": ({"task": [1, 2, 10, 12], "bond": [3, 5, 7, 9], "goal": [4, 6, 8, 11]}, [], (1, 5)),
    "haq2": ({}, [4, 8, 11, 16, 19], (1, 6)),
    "srs": ({}, [], (0, 10)),
    "ors": ({}, [], (0, 10)),
    "rdfs": ({}, [], None),
}


def test_every_shipped_instrument_is_expected():
    assert sorted(SHIPPED) == sorted(EXPECTED)


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_file_is_valid_against_published_schema(path):
    import jsonschema

    schema = json.loads((ROOT / "instruments" / "schema.json").read_text())
    jsonschema.validate(yaml.safe_load(path.read_text()), schema)
    ins = load_instrument(path)
    assert ins.n_items == len(ins.items)


def test_published_schema_is_current():
    """instruments/schema.json must be regenerated (alliance schema -o instruments/schema.json) when the model
    changes."""
    published = json.loads((ROOT / "instruments" / "schema.json").read_text())
    assert published == json.loads(json.dumps(definition_schema()))


@pytest.mark.parametrize("iid", SHIPPED)
def test_keys_match_the_verified_facts(iid):
    keys, reversed_items, scale = EXPECTED[iid]
    ins = load_instrument(iid)
    assert ins.keys == keys
    assert ins.reversed_items == reversed_items
    if scale is None:
        assert ins.response_scale is None
    else:
        assert (ins.response_scale.min, ins.response_scale.max) == scale


@pytest.mark.parametrize("iid", SHIPPED)
def test_definitions_carry_citation_licence_confidence(iid):
    ins = load_instrument(iid)
    assert ins.citations and ins.licence and ins.confidence.level in ("V2", "V1", "D", "R")
    assert not ins.wording, "item wording must never be shipped"
    for it in ins.items:
        assert len(it.label.split()) <= 6, f"{iid} item {it.number}: labels are our own 2-6 word labels"


def test_short_forms_point_at_parent_items_with_matching_keys():
    wai = load_instrument("wai36")
    parent_sub = {it.number: it.subscale for it in wai.items}
    parent_rev = set(wai.reversed_items)
    wais = load_instrument("wai-s")
    assert [it.parent.item for it in wais.items] == [2, 4, 8, 12, 21, 22, 23, 24, 26, 27, 32, 35]
    for it in wais.items:  # WAI-S keeps its parents' subscales and reversals
        assert it.subscale == parent_sub[it.parent.item]
        assert it.reversed == (it.parent.item in parent_rev)
    sr = load_instrument("wai-sr")
    moved = {it.number: (parent_sub[it.parent.item], it.subscale)
             for it in sr.items if parent_sub[it.parent.item] != it.subscale}
    # WAI-SR moved parent 25 (Goal) to item 1 (Task) and parent 24 (Task) to item 8 (Goal)
    assert moved == {1: ("goal", "task"), 8: ("task", "goal")}


def test_wai_s_and_wai_sr_are_not_interchangeable():
    s, sr = load_instrument("wai-s"), load_instrument("wai-sr")
    differ = sorted(
        n for n in range(1, 13)
        if (s.item(n).subscale, s.item(n).reversed) != (sr.item(n).subscale, sr.item(n).reversed)
    )
    assert differ == [4, 8, 10]  # 8 and 10 move subscale; 4 and 10 are reversed only in the WAI-S
    assert s.response_scale.max == 7 and sr.response_scale.max == 5


def test_observer_forms_store_both_anchor_versions():
    wai = load_instrument("wai36")
    assert wai.scale_for("observer").anchors[1] == "Never"
    assert wai.scale_for("observer-rev4").anchors[4] == "No evidence"
    assert wai.confidence_for("observer").level == "R"
    assert wai.confidence_for("client").level == "V2"


def test_thresholds_and_reliable_change_where_published():
    srs, ors = load_instrument("srs"), load_instrument("ors")
    assert {(t.id, t.applies_to, t.operator, t.value) for t in srs.thresholds} == {
        ("low_total", "total", "<", 36), ("low_line", "any_item", "<", 9)}
    assert [(t.applies_to, t.operator, t.value) for t in ors.thresholds] == [("total", "<", 25)]
    assert ors.reliable_change.value == 5


def test_definition_is_immutable():
    ins = load_instrument("wai-sr")
    with pytest.raises(Exception, match="frozen"):
        ins.name = "changed"
    with pytest.raises(Exception, match="frozen"):
        ins.items[0].reversed = True


def test_list_instruments_is_a_table():
    table = toolkit.list_instruments()
    assert list(table.index) == sorted(SHIPPED)
    assert {"name", "items", "subscales", "forms", "scale", "confidence", "scorable"} <= set(table.columns)
    assert not table.loc["rdfs", "scorable"] and table.loc["wai-sr", "scorable"]


def test_unknown_instrument_lists_the_ids():
    with pytest.raises(UnknownInstrumentError) as err:
        load_instrument("wai-xx")
    msg = str(err.value)
    assert "no instrument 'wai-xx'" in msg and "wai-sr" in msg and "template" in msg


def test_template_is_a_valid_definition_that_loads_like_a_shipped_one(tmp_path):
    user_file = tmp_path / "calpas-like.yaml"
    user_file.write_text(template_path().read_text())
    ins = load_instrument(user_file)
    assert ins.id == "my-instrument" and ins.keys == {"bond": [1, 2], "work": [3, 4]}


def test_toml_definitions_load_too(tmp_path):
    data = yaml.safe_load(template_path().read_text())
    lines = ["schema_version = 1", 'id = "tomly"', 'name = "T"', 'version = "1"', 'licence = "x"',
             "[confidence]", 'level = "V2"',
             "[response_scale]", "min = 1", "max = 5"]
    lines += ["[[citations]]", 'text = "Author, A. (2024). A title. Journal."']
    lines += ["[[forms]]", 'id = "client"', 'rater = "client"']
    for n in (1, 2):
        lines += ["[[items]]", f"number = {n}", f'label = "item {n}"']
    path = tmp_path / "tomly.toml"
    path.write_text("\n".join(lines) + "\n")
    assert data["id"] == "my-instrument"
    assert load_instrument(path).n_items == 2


# ----------------------------------------------------------------- malformed files
def _write(tmp_path, mutate, name="bad.yaml"):
    data = yaml.safe_load(template_path().read_text())
    mutate(data)
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


BAD = [
    (lambda d: d.pop("name"), "name: Field required; fix: add the field"),
    (lambda d: d.update(nmae="x"),
     "nmae: Extra inputs are not permitted (got 'x'); fix: remove it or check its spelling"),
    (lambda d: d["items"][2].update(subscale="bnd"),
     "items[2] (item 3) names subscale 'bnd', which is not declared; declared subscales: ['bond', 'work']"),
    (lambda d: d["items"][3].update(number=6), "item numbers must run 1..n without gaps or repeats; missing: [4]"),
    (lambda d: d["items"][3].update(number=3), "repeated: [3]"),
    (lambda d: d["response_scale"].update(step=4), "step 4 does not divide the range 1..7"),
    (lambda d: d["response_scale"].update(min=9), "min (9) must be smaller than max (7); swap them"),
    (lambda d: d["response_scale"]["anchors"].update({8: "Beyond"}), "anchor 8 lies outside 1..7"),
    (lambda d: d["thresholds"][0].update(applies_to="totl"),
     "thresholds[0] ('low_total') applies_to 'totl'; expected one of"),
    (lambda d: d["forms"][0].update(rater="client's mother"),
     "forms[0].rater: Input should be 'client', 'therapist', 'observer' or 'other'"),
    (lambda d: d.update(id="My Instrument"), "id: String should match pattern"),
    (lambda d: d["confidence"].update(level="high"), "confidence.level: Input should be 'V2', 'V1', 'D' or 'R'"),
    (lambda d: d["subscales"].append({"id": "empty", "name": "Empty"}),
     "subscale 'empty' has no items; assign items to it or remove it"),
]


@pytest.mark.parametrize("mutate, expected", BAD, ids=[b[1][:40] for b in BAD])
def test_malformed_definition_names_file_field_and_fix(tmp_path, mutate, expected):
    path = _write(tmp_path, mutate)
    with pytest.raises(InstrumentDefinitionError) as err:
        load_instrument(path)
    msg = str(err.value)
    assert msg.startswith(f"{path.resolve()}: invalid instrument definition")
    assert expected in msg, msg


def test_all_problems_of_a_file_are_reported_at_once(tmp_path):
    path = _write(tmp_path, lambda d: (d.pop("name"), d.pop("licence"), d.update(extra=1)))
    with pytest.raises(InstrumentDefinitionError) as err:
        load_instrument(path)
    assert "(3 problems)" in str(err.value) and len(err.value.problems) == 3


def test_yaml_syntax_error_names_line(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("id: x\nname: [unclosed\n")
    with pytest.raises(InstrumentDefinitionError, match=r"broken.yaml: not valid YAML at line \d+, column \d+"):
        load_instrument(path)


def test_top_level_must_be_a_mapping(tmp_path):
    path = tmp_path / "list.yaml"
    path.write_text("- a\n- b\n")
    with pytest.raises(InstrumentDefinitionError,
                       match="expected a mapping of fields .* got list; start from the template"):
        load_instrument(path)


def test_wrong_suffix(tmp_path):
    path = tmp_path / "def.json"
    path.write_text("{}")
    with pytest.raises(InstrumentDefinitionError,
                       match=r"definition files end in .yaml, .yml or .toml \(got '.json'\)"):
        load_instrument(path)


# ----------------------------------------------------------------- licensed wording
def test_attach_wording_from_local_files(tmp_path):
    csv = tmp_path / "wording.csv"
    csv.write_text("item,text\n1,My licensed text one\n2,My licensed text two\n")
    ins = toolkit.attach_wording("wai-sr", csv)
    assert ins.wording[2] == "My licensed text two"
    assert ins.item_table().loc[1, "wording"] == "My licensed text one"
    assert load_instrument("wai-sr").wording == {}  # the shipped definition is untouched
    yml = tmp_path / "wording.yaml"
    yml.write_text("1: text one\n")
    assert toolkit.attach_wording("wai-sr", yml).wording == {1: "text one"}


def test_attach_wording_rejects_unknown_items(tmp_path):
    yml = tmp_path / "wording.yaml"
    yml.write_text("13: too far\n")
    with pytest.raises(InstrumentDefinitionError,
                       match="wording given for item 13, which the instrument does not have"):
        toolkit.attach_wording("wai-sr", yml)


def test_instrument_renders_in_a_notebook():
    html = load_instrument("wai36")._repr_html_()
    assert "Working Alliance Inventory" in html and "Uncomfortable with therapist" in html
    assert repr(load_instrument("wai-sr")) == ("<Instrument 'wai-sr': Working Alliance Inventory - Short Revised, "
                                               "12 items, task/bond/goal>")
