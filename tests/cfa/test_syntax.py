"""lavaan model syntax and the parameter table: hand-worked cases of lavaan's rules, and clear errors."""

from __future__ import annotations

import math

import numpy as np
import pytest

from toolkit.exceptions import ModelSpecificationError, ModelSyntaxError
from toolkit.factor.cfa import parameter_table, parse_syntax
from toolkit.factor.cfa.expressions import evaluate, parse_expression


def test_operators_modifiers_and_continuation_lines():
    m = parse_syntax("""
        # a comment
        f =~ x1 + c(a, b)*x2 + NA*x3 + start(0.5)*x3   ! another comment
        g =~ x4 +
             x5 + 0.8?x6
        x1 ~~ 0*x2; x3 ~ 1
        y ~ c(1, NA)*x + z
        ab := a*b
        a == 2*b
    """)
    got = [(s.lhs, s.op, s.rhs, s.fixed, s.label, s.start) for s in m.statements]
    assert got[0] == ("f", "=~", "x1", None, None, None)
    assert got[1] == ("f", "=~", "x2", None, ["a", "b"], None)
    assert got[2][:3] == ("f", "=~", "x3") and math.isnan(got[2][3][0])
    assert got[3] == ("f", "=~", "x3", None, None, [0.5])
    assert [g[:3] for g in got[4:7]] == [("g", "=~", "x4"), ("g", "=~", "x5"), ("g", "=~", "x6")]
    assert got[6][5] == [0.8]
    assert got[7] == ("x1", "~~", "x2", [0.0], None, None)
    assert got[8][:3] == ("x3", "~1", "")
    assert got[9][3][0] == 1.0 and math.isnan(got[9][3][1])
    assert [(c.lhs, c.op, c.rhs) for c in m.constraints] == [("ab", ":=", "a*b"), ("a", "==", "2*b")]


@pytest.mark.parametrize("text, fragment", [
    ("f =~ x1 + + x2", "empty term"),
    ("f =~ x1 + x2:x3", "interaction"),
    ("f <~ x1 + x2", "not supported"),
    ("a > 0", "inequality"),
    ("f =~ lower(0)*x1 + x2", "not supported"),
    ("group: 1\n f =~ x1 + x2", "group/level blocks"),
    ("f =~ 1x", "not a variable name"),
    ("just words", "no operator"),
    ("u1 | a1 + a2", "t1, t2"),
    ("u1 ~*~ NA*u2", "the same name on both sides"),
])
def test_syntax_errors_name_the_line_and_the_fix(text, fragment):
    with pytest.raises(ModelSyntaxError, match="line") as err:
        parse_syntax(text)
    assert fragment in str(err.value)


def test_scale_factors_of_ordinal_items():
    """``u ~*~ NA*u`` frees an ordinal item's scale factor (lavaan's delta parameterization)."""
    m = parse_syntax("f =~ u1 + u2 + u3\n u2 ~*~ NA*u2")
    s = m.statements[-1]
    assert (s.lhs, s.op, s.rhs) == ("u2", "~*~", "u2") and math.isnan(s.fixed[0])


def test_not_a_string():
    with pytest.raises(ModelSyntaxError, match="lavaan syntax string"):
        parse_syntax(42)


def test_expressions_are_parsed_never_evaluated_as_code():
    tree = parse_expression("sqrt(a)*b^2 - (c + 1)/2")
    assert evaluate(tree, {"a": 4.0, "b": 3.0, "c": 1.0}) == pytest.approx(2 * 9 - 1)
    with pytest.raises(ModelSyntaxError):
        parse_expression("__import__('os')")
    with pytest.raises(ModelSyntaxError):
        parse_expression("system(a)")


def _rows(pt, cols=("lhs", "op", "rhs", "free", "ustart")):
    return [tuple(r) for r in pt[list(cols)].itertuples(index=False)]


def test_marker_and_std_lv_identification():
    """lavaanify(auto = TRUE): first loading fixed to 1, or (std.lv) factor variances fixed to 1."""
    pt = parameter_table("f =~ x1 + x2 + x3\n g =~ x4 + x5 + x6")
    assert pt.loc[(pt.op == "=~") & (pt.free == 0), "rhs"].tolist() == ["x1", "x4"]
    assert pt.query("lhs == 'f' and rhs == 'g'")["free"].item() > 0  # exogenous factors covary
    pt = parameter_table("f =~ x1 + x2 + x3", std_lv=True)
    assert pt.query("lhs == 'f' and op == '~~'")[["free", "ustart"]].values.tolist() == [[0, 1.0]]
    assert (pt.loc[pt.op == "=~", "free"] > 0).all()


def test_single_indicator_orthogonal_and_second_order():
    pt = parameter_table("f =~ x1 + x2 + x3\n s =~ x4\n g =~ f + s", orthogonal=True)
    # a single indicator has its residual variance fixed to 0
    assert pt.query("lhs == 'x4' and op == '~~'")[["free", "ustart"]].values.tolist() == [[0, 0.0]]
    # f and s are indicators of g: no covariance between them is added; g is the only exogenous factor
    assert pt.query("op == '~~' and lhs != rhs").empty
    pt = parameter_table("a =~ x1 + x2 + x3\n b =~ x4 + x5 + x6", orthogonal=True)
    assert _rows(pt.query("op == '~~' and lhs != rhs")) == [("a", "~~", "b", 0, 0.0)]


def test_regressions_dependent_covariances_and_means():
    pt = parameter_table("f =~ x1 + x2 + x3\n y1 ~ f\n y2 ~ f", meanstructure=True)
    # y1 and y2 are purely dependent: their residuals covary (auto.cov.y)
    assert pt.query("lhs == 'y1' and rhs == 'y2' and op == '~~'")["free"].item() > 0
    means = pt.query("op == '~1'").set_index("lhs")
    assert means.loc["x1", "free"] > 0 and means.loc["f", "free"] == 0 and means.loc["f", "ustart"] == 0


def test_fixed_x_covariates():
    pt = parameter_table("f =~ x1 + x2 + x3\n f ~ z1 + z2")
    exo = pt.query("exo == 1")
    assert _rows(exo, ("lhs", "op", "rhs", "free")) == [("z1", "~~", "z1", 0), ("z1", "~~", "z2", 0),
                                                         ("z2", "~~", "z2", 0)]


def test_group_equal_labels_and_partial():
    pt = parameter_table("f =~ x1 + x2 + x3", ngroups=2, meanstructure=True,
                         group_equal=["loadings", "intercepts"], group_partial=["x3~1"])
    g2 = pt.query("group == 2")
    # loadings of group 2 carry the labels of group 1
    lab = pt.query("op == '=~' and rhs == 'x2'")["label"].tolist()
    assert lab[0] == lab[1] != ""
    # the partial intercept keeps its own (empty) label; the factor mean of group 2 is freed
    assert pt.query("lhs == 'x3' and op == '~1'")["label"].tolist() == ["", ""]
    assert g2.query("lhs == 'f' and op == '~1'")["free"].item() > 0


def test_per_group_modifiers_and_errors():
    pt = parameter_table("f =~ x1 + c(1, NA)*x2 + x3", ngroups=2)
    assert pt.query("rhs == 'x2'")["free"].tolist()[0] == 0 and pt.query("rhs == 'x2'")["free"].tolist()[1] > 0
    with pytest.raises(ModelSpecificationError, match="2 group"):
        parameter_table("f =~ x1 + c(1, 2, 3)*x2 + x3", ngroups=2)
    with pytest.raises(ModelSpecificationError, match="group_partial"):
        parameter_table("f =~ x1 + x2 + x3", ngroups=2, group_equal=["loadings"], group_partial=["f=~x9"])
    with pytest.raises(ModelSpecificationError, match="group_equal"):
        parameter_table("f =~ x1 + x2 + x3", ngroups=2, group_equal=["slopes"])


def test_equal_labels_share_a_parameter():
    pt = parameter_table("f =~ x1 + a*x2 + a*x3")
    assert pt.query("op == '=~' and rhs in ['x2', 'x3']")["label"].tolist() == ["a", "a"]
    assert np.all(pt.query("op == '=~' and rhs in ['x2', 'x3']")["free"] > 0)
