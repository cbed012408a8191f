"""validity: what the family, invariance and rater functions build, refuse and report."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import toolkit
from toolkit.exceptions import InstrumentDefinitionError, InvalidParameterError, ItemMappingError
from toolkit.instrument.model import Instrument
from toolkit.validity import cfa_family, composite_reliability, family_models, invariance, rater_invariance
from toolkit.validity.raters import paired_syntax


def _sim(n=400, seed=3):
    rng = np.random.default_rng(seed)
    F = rng.normal(size=(n, 3)) @ np.linalg.cholesky([[1, .5, .4], [.5, 1, .3], [.4, .3, 1]]).T
    X = F[:, np.arange(9) // 3] * 0.7 + rng.normal(scale=0.6, size=(n, 9))
    d = pd.DataFrame(X, columns=[f"i{k}" for k in range(1, 10)])
    d["site"] = np.where(np.arange(n) % 2, "A", "B")
    return d


KEYS = {"a": ["i1", "i2", "i3"], "b": ["i4", "i5", "i6"], "c": ["i7", "i8", "i9"]}


def test_family_members_from_keys():
    models = family_models(KEYS)
    assert list(models) == ["one_factor", "correlated", "second_order", "bifactor"]
    assert models["bifactor"]["options"] == {"std_lv": True, "orthogonal": True}
    assert models["second_order"]["syntax"].endswith("general =~ a + b + c")
    two = family_models({"a": KEYS["a"], "b": KEYS["b"]})
    assert list(two) == ["one_factor", "correlated"]  # second-order and bifactor need three subscales
    clash = family_models({"general": KEYS["a"], "b": KEYS["b"], "c": KEYS["c"]})
    assert "general_factor =~" in clash["one_factor"]["syntax"]


def test_family_from_keys_fits_and_compares():
    fam = cfa_family(_sim(), keys=KEYS)
    assert set(fam.table.index) == {"one_factor", "correlated", "second_order", "bifactor"}
    assert fam.table.loc["correlated", "df"] == 24 and fam.table["converged"].all()
    pairs = set(zip(fam.comparisons["restricted"], fam.comparisons["general"]))
    assert ("one_factor", "correlated") in pairs and ("second_order", "bifactor") in pairs
    assert ("second_order", "correlated") not in pairs   # equivalent with three subscales (same df)
    assert (fam.omega.query("member == 'bifactor' and factor == 'general'")["omega"] > 0).all()
    html = fam._repr_html_()
    assert "table" in html and "<script" not in html


def test_factor_names_from_keys_are_made_lavaan_safe():
    """Factor names are free text in keys; the syntax gets names lavaan accepts, distinct ones kept distinct."""
    keys = {"goal-task": KEYS["a"], "the bond": KEYS["b"], "the_bond": KEYS["c"]}
    fam = cfa_family(_sim(), keys=keys, members=["correlated"])
    assert fam.syntax["correlated"].splitlines()[0].startswith("goal_task =~")
    assert set(fam.omega["factor"]) >= {"goal_task", "the_bond", "the_bond2"}
    assert fam.table.loc["correlated", "df"] == 24


def test_family_errors():
    d = _sim()
    with pytest.raises(InvalidParameterError, match="members of this family"):
        cfa_family(d, keys=KEYS, members=["tetrad"])
    with pytest.raises(ItemMappingError, match="i99"):
        cfa_family(d, keys={"a": ["i1", "i2", "i99"]})
    with pytest.raises(InvalidParameterError, match="response_scale"):
        cfa_family(d, keys={"a": ["i1", "-i2", "i3"]})
    with pytest.raises(InvalidParameterError, match="instrument"):
        cfa_family(d)


def test_invariance_steps_and_latent_means():
    inv = invariance(_sim(), keys=KEYS, group="site")
    assert list(inv.table.index) == ["configural", "metric", "scalar", "strict"]
    assert list(inv.table["df"]) == [48, 54, 60, 69]
    assert inv.table["cfi_holds"].all()           # simulated without group differences
    assert set(inv.latent_means["factor"]) == {"a", "b", "c"}
    assert (inv.latent_means["se"] > 0).all()
    with pytest.raises(InvalidParameterError, match="'group' parameter"):
        invariance(_sim(), keys=KEYS, group="country")
    with pytest.raises(InvalidParameterError, match="'steps' parameter"):
        invariance(_sim(), keys=KEYS, group="site", steps=["weak"])


def test_partial_invariance_frees_the_named_parameters():
    inv = invariance(_sim(), keys=KEYS, group="site", steps=["scalar"], partial=["i2~1"])
    e = inv.fits["scalar"].estimates_
    i2 = e.query("lhs == 'i2' and op == '~1'")["est"].to_numpy()
    assert not np.isclose(i2[0], i2[1])
    i1 = e.query("lhs == 'i1' and op == '~1'")["est"].to_numpy()
    assert i1[0] == i1[1]


def test_rater_invariance_from_a_long_frame():
    d = _sim(600, seed=5)
    d["dyad"] = np.repeat(np.arange(300), 2).astype(str)
    d["who"] = np.tile(["client", "therapist"], 300)
    inv = rater_invariance(d, keys=KEYS, rater="who", on="dyad", steps=["configural", "metric"])
    assert inv.fits["configural"].n_obs_[None] == 300
    syn = inv.syntax["metric"]
    assert "a_client =~ NA*i1_client + l_i1*i1_client" in syn and "i1_client ~~ i1_therapist" in syn
    with pytest.raises(InvalidParameterError, match="'levels' parameter"):
        rater_invariance(d, keys=KEYS, rater="who", on="dyad", levels=["client", "observer"])


def test_paired_syntax_steps():
    f = {"a": ["x1", "x2", "x3"]}
    conf = paired_syntax(f, ("s1", "s2"), "configural")
    assert "a_s2 ~~ 1*a_s2" in conf and "a_s2 ~ 0*1" in conf
    sc = paired_syntax(f, ("s1", "s2"), "scalar")
    assert "a_s2 ~~ NA*a_s2" in sc and "a_s2 ~ NA*1" in sc and "x1_s2 ~ i_x1*1" in sc
    assert "e_x1" in paired_syntax(f, ("s1", "s2"), "strict")


def test_wai_sr_declares_its_alternative():
    ins = toolkit.load_instrument("wai-sr")
    alt = ins.factor_alternatives[0]
    assert alt.id == "bond_vs_goal_task" and alt.factors == {"bond": ("bond",), "goal_task": ("goal", "task")}


@pytest.mark.parametrize("factors, fragment", [
    ({"bond": ["bond"], "gt": ["goal"]}, "not placed: \\['task'\\]"),
    ({"bond": ["bond", "goal"], "gt": ["goal", "task"]}, "repeated: \\['goal'\\]"),
    ({"bond": ["bond"], "gt": ["goal", "tasks"]}, "not declared"),
])
def test_factor_alternatives_are_checked(factors, fragment):
    raw = toolkit.load_instrument("wai-sr").model_dump(exclude={"source"})
    raw["factor_alternatives"] = [{"id": "alt", "name": "Alt", "factors": factors}]
    with pytest.raises((InstrumentDefinitionError, ValueError), match=fragment):
        Instrument.model_validate(raw)


def test_wlsmv_family_and_invariance_scope():
    s = toolkit.load_sample("wai_sr_sessions").query("session == 1")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", toolkit.exceptions.IncompleteRowsWarning)
        fam = cfa_family(s, "wai-sr", estimator="WLSMV", members=["one_factor", "correlated"])
        assert "chisq_scaled" in fam.table and len(fam.comparisons) == 1   # scaled-shifted (satorra.2000)
        assert any("WLSMV" in n for n in fam.notes)
        # omegas of ordinal items (Green & Yang), those of composite_reliability on the member's fit
        om = fam.omega.set_index(["member", "factor"])["omega"]
        own = composite_reliability(fam.fits["correlated"]).set_index("factor")["omega"]
        pd.testing.assert_series_equal(om.loc["correlated"], own, check_names=False)
        assert set(om.loc["correlated"].index) == {"bond", "goal", "task", "total"}
        assert ((om > 0) & (om < 1)).all()
        s = s.assign(site=np.where(np.arange(len(s)) % 2, "x", "y"))
        with pytest.raises(InvalidParameterError, match="no strict step"):
            invariance(s, "wai-sr", group="site", estimator="WLSMV", steps=("configural", "metric", "strict"))
