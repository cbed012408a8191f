"""The parameter table: every parameter of a model, free or fixed, one row each (lavaan's ``parTable``).

:func:`parameter_table` applies lavaan's automatic rules to the statements of a model string, as
``lavaan::cfa()`` and ``lavaan::sem()`` do (``auto = TRUE``):

* the first loading of each factor is fixed to 1 (``auto.fix.first``), unless ``std_lv=True``, which fixes
  every factor variance to 1 instead;
* residual variances of observed variables and (residual) variances of factors are free (``auto.var``);
  a factor with a single indicator fixes that indicator's residual variance to 0 (``auto.fix.single``);
* exogenous factors covary (``auto.cov.lv.x``; ``orthogonal=True`` fixes those covariances to 0); the
  residuals of purely dependent variables covary (``auto.cov.y``);
* observed exogenous covariates of ``~`` have their variances, covariances and means fixed at the sample
  values (``fixed.x = TRUE``);
* with a mean structure, intercepts of observed variables are free and factor means fixed to 0; in groups
  after the first, factor means are freed when intercepts are constrained equal but means are not, and
  factor variances are freed when loadings are equal and ``std_lv=True`` (lavaan's ``group.equal``);
* ordinal indicators get thresholds (``|``) and a scale factor (``~*~``, lavaan's delta parameterization), fixed
  to 1; when thresholds are equal across groups, the scale factors are free in groups after the first, and so
  are the factor means (lavaan 0.6-14; lavaan 0.6-20 changed this rule: see :class:`~toolkit.factor.cfa.CFA`);
* equal labels mean equal parameters; ``group_equal`` labels the parameters of groups 2.. like those of
  group 1, except those named in ``group_partial`` (``"visual=~x2"``, ``"x3~1"``).

Columns follow lavaan: ``id, lhs, op, rhs, user, block, group, free, ustart, exo, label, plabel``
(``free`` numbers the free parameters 1..q, 0 = fixed; ``ustart`` is the fixed value or the user's start;
``user`` is 1 for rows written in the syntax, 0 for rows the rules added). The table can be edited and
given back to :class:`toolkit.factor.cfa.CFA` as its ``model``.
"""

from __future__ import annotations

import dataclasses
import math
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ...exceptions import ModelSpecificationError
from .syntax import ParsedModel, parse_syntax

__all__ = ["parameter_table", "VariableSets", "variable_sets", "GROUP_EQUAL", "PARTABLE_COLUMNS"]

#: the parameter types ``group_equal`` accepts (lavaan's names)
GROUP_EQUAL = ("loadings", "intercepts", "means", "thresholds", "regressions", "residuals",
               "residual.covariances", "lv.variances", "lv.covariances")
PARTABLE_COLUMNS = ["id", "lhs", "op", "rhs", "user", "block", "group", "free", "ustart", "exo", "label", "plabel"]


def _unique(seq) -> list:
    return list(dict.fromkeys(seq))


@dataclass
class VariableSets:
    """lavaan's classification of the model's variables (``lav_partable_vnames``)."""

    lv: list = field(default_factory=list)        # factors, in order of appearance
    ov: list = field(default_factory=list)        # observed variables
    ov_ind: list = field(default_factory=list)    # indicators of factors
    ov_x: list = field(default_factory=list)      # exogenous observed covariates (fixed.x)
    ov_y: list = field(default_factory=list)      # purely dependent observed variables
    lv_x: list = field(default_factory=list)      # exogenous factors
    lv_y: list = field(default_factory=list)      # purely dependent factors
    ov_ord: list = field(default_factory=list)    # ordinal indicators

    @property
    def ov_nox(self) -> list:
        return [v for v in self.ov if v not in self.ov_x]


def variable_sets(rows: list, *, ordered=(), fixed_x: bool = True) -> VariableSets:
    """Classify variables from ``(lhs, op, rhs)`` rows the way lavaan does."""
    lv = _unique(r[0] for r in rows if r[1] == "=~")
    ind = _unique(r[2] for r in rows if r[1] == "=~")          # v.ind: indicators, latent or observed
    ov_ind = [v for v in ind if v not in lv]
    eqs_y = _unique(r[0] for r in rows if r[1] == "~")
    eqs_x = _unique(r[2] for r in rows if r[1] == "~")
    ov_y_all = [v for v in eqs_y if v not in lv and v not in ov_ind]
    ov_x = [v for v in eqs_x if v not in lv and v not in ov_ind and v not in ov_y_all]
    others = _unique([r[0] for r in rows if r[1] in ("~~", "~1", "|")] +
                     [r[2] for r in rows if r[1] == "~~"])
    ov = _unique(ov_ind + ov_y_all + ov_x + [v for v in others if v not in lv])
    lv_x = [v for v in lv if v not in ind and v not in eqs_y]
    lv_y = [v for v in eqs_y if v in lv and v not in ind and v not in eqs_x]
    ov_y = [v for v in eqs_y if v not in ind and v not in eqs_x and v not in lv]
    ord_declared = set(ordered) | {r[0] for r in rows if r[1] == "|"}
    ov_ord = [v for v in ov if v in ord_declared]
    # a covariate with a user-given variance, or an ordinal covariate, is not treated as fixed.x
    if not fixed_x:
        ov_x_fixed = []
    else:
        ov_x_fixed = [v for v in ov_x if v not in ov_ord]
    return VariableSets(lv=lv, ov=ov, ov_ind=ov_ind, ov_x=ov_x_fixed, ov_y=ov_y, lv_x=lv_x, lv_y=lv_y,
                        ov_ord=ov_ord)


def _key(lhs, op, rhs):
    if op == "~~" and rhs < lhs:
        return (rhs, op, lhs)
    return (lhs, op, rhs)


def _merge_statements(parsed: ParsedModel) -> list:
    """One statement per (lhs, op, rhs); later modifiers of a repeated statement complete earlier ones."""
    merged: dict = {}
    for st in parsed.statements:
        key = _key(st.lhs, st.op, st.rhs)
        if key in merged and merged[key] is merged.get(("_orig",) + key):
            merged[key] = dataclasses.replace(merged[key])   # never change the parsed statement itself
        if key in merged:
            first = merged[key]
            for attr in ("fixed", "start", "label"):
                if getattr(st, attr) is not None:
                    setattr(first, attr, getattr(st, attr))
        else:
            merged[key] = st
            merged[("_orig",) + key] = st
    return [v for k, v in merged.items() if k[0] != "_orig"]


def parameter_table(model, *, ngroups: int = 1, std_lv: bool = False, meanstructure: bool = False,
                    orthogonal: bool = False, fixed_x: bool = True, group_equal=(), group_partial=(),
                    ordered=(), nthresholds: dict | None = None, group_labels=None, auto: bool = True
                    ) -> pd.DataFrame:
    """The parameter table of a lavaan model string, as ``lavaan::lavaanify(model, auto = TRUE)``.

    Parameters
    ----------
    model : str or ParsedModel
        lavaan syntax (see :mod:`toolkit.factor.cfa.syntax`).
    ngroups : int
        Number of groups (rows are repeated per group).
    std_lv : bool
        Identify factors by fixing their variances to 1 instead of their first loadings.
    meanstructure : bool
        Add intercepts and factor means (implied when the model has ``~ 1`` terms or thresholds).
    orthogonal : bool
        Fix covariances among exogenous factors to 0.
    fixed_x : bool
        Exogenous observed covariates keep their sample (co)variances (lavaan's default).
    group_equal, group_partial : sequence of str
        Equality constraints across groups (:data:`GROUP_EQUAL`) and the parameters exempt from them.
    ordered : sequence of str
        Ordinal indicators (thresholds ``| t1 ...`` are added per ``nthresholds``).
    nthresholds : dict, optional
        Number of thresholds per ordinal variable (categories - 1).
    group_labels : sequence, optional
        Group names, in order (default 1..ngroups), kept in the attrs-free column ``group`` as 1-based
        numbers; the names are stored by the caller.
    auto : bool
        Apply lavaan's automatic rules (False: exactly the rows written, as ``lavaanify(auto = FALSE)``).

    Returns
    -------
    DataFrame
        One row per parameter and group; columns :data:`PARTABLE_COLUMNS`.

    Notes
    -----
    The rules are lavaan's (``lav_partable_flat`` and ``lav_partable_labels`` in lavaan 0.6-14), listed in
    this module's docstring. Rows come in lavaan's order: the rows written (in order), then variances
    (observed, then factors), factor covariances, covariances of dependent variables, covariate
    (co)variances and intercepts; the whole block repeated per group.

    R equivalent: ``lavaan::lavaanify(model, auto = TRUE, ...)`` (or ``parTable(cfa(...))``).

    Examples
    --------
    >>> pt = parameter_table("visual =~ x1 + x2 + x3")
    >>> pt[["lhs", "op", "rhs", "free"]].values.tolist()[:4]
    [['visual', '=~', 'x1', 0], ['visual', '=~', 'x2', 1], ['visual', '=~', 'x3', 2], ['x1', '~~', 'x1', 3]]
    >>> float(pt.loc[0, "ustart"]), len(pt)
    (1.0, 7)
    """
    parsed = parse_syntax(model) if isinstance(model, str) else model
    statements = _merge_statements(parsed)
    group_equal = list(group_equal or ())
    bad = [g for g in group_equal if g not in GROUP_EQUAL]
    if bad:
        raise ModelSpecificationError(f"group_equal holds {bad}; allowed: {', '.join(GROUP_EQUAL)}")
    nthresholds = dict(nthresholds or {})
    user_rows = [(s.lhs, s.op, s.rhs) for s in statements]
    vs = variable_sets(user_rows, ordered=ordered, fixed_x=fixed_x)
    lv_names = vs.lv
    if any(op == "~1" for _, op, _ in user_rows) or vs.ov_ord:
        meanstructure = True
    for s in statements:
        if s.op == "=~" and s.rhs == s.lhs:
            raise ModelSpecificationError(f"line {s.line}: {s.lhs} =~ {s.rhs} makes a factor its own indicator")
        if s.op == "|" and s.lhs not in vs.ov:
            raise ModelSpecificationError(f"line {s.line}: thresholds need an observed variable; {s.lhs!r} is a "
                                          "factor")

    # --- defaults (one group) ----------------------------------------------------------------------
    defaults: list = []
    if auto:
        for o in vs.ov_ord:
            k = nthresholds.get(o)
            if k is None:
                k = sum(1 for s in statements if s.lhs == o and s.op == "|")
            defaults += [(o, "|", f"t{j}") for j in range(1, k + 1)]
        ov_nox = vs.ov_nox
        defaults += [(v, "~~", v) for v in ov_nox + lv_names]
        defaults += [(a, "~~", b) for i, a in enumerate(vs.lv_x) for b in vs.lv_x[i + 1:]]
        lvov_y = vs.lv_y + vs.ov_y
        defaults += [(a, "~~", b) for i, a in enumerate(lvov_y) for b in lvov_y[i + 1:]]
        nx = len(vs.ov_x)
        for j in range(nx):
            for i in range(j, nx):
                defaults.append((vs.ov_x[j], "~~", vs.ov_x[i]))
        defaults += [(o, "~*~", o) for o in vs.ov_ord]  # scale factors of the latent responses (delta)
        if meanstructure:
            defaults += [(v, "~1", "") for v in vs.ov + lv_names]
    if auto and not fixed_x:  # covariates' moments are free parameters: lavaan still adds their covariances
        xs = variable_sets(user_rows, ordered=ordered, fixed_x=True).ov_x
        for j in range(len(xs)):
            for i in range(j, len(xs)):
                defaults.append((xs[j], "~~", xs[i]))
    user_keys = {_key(*r) for r in user_rows}
    defaults = [r for r in _unique(defaults) if _key(*r) not in user_keys]
    rows = user_rows + defaults
    n1 = len(rows)
    lhs = np.array([r[0] for r in rows], dtype=object)
    op = np.array([r[1] for r in rows], dtype=object)
    rhs = np.array([r[2] for r in rows], dtype=object)
    user = np.array([1] * len(user_rows) + [0] * len(defaults))
    free = np.ones(n1, dtype=bool)
    ustart = np.full(n1, np.nan)
    exo = np.zeros(n1, dtype=int)
    is_var = (op == "~~") & (lhs == rhs)
    if auto:
        if std_lv:
            idx = is_var & np.isin(lhs, lv_names)
            ustart[idx], free[idx] = 1.0, False
        else:
            seen = set()
            for i in range(n1):
                if op[i] == "=~" and lhs[i] not in seen:
                    seen.add(lhs[i])
                    ustart[i], free[i] = 1.0, False
        counts = Counter(r[0] for r in rows if r[1] == "=~")
        single = {f for f, c in counts.items() if c == 1}
        mm_rhs = [r[2] for r in rows if r[1] == "=~"]
        for i in range(n1):
            if op[i] == "=~" and lhs[i] in single and rhs[i] not in lv_names and mm_rhs.count(rhs[i]) == 1:
                j = np.flatnonzero(is_var & (lhs == rhs[i]) & (user == 0))
                ustart[j], free[j] = 0.0, False
        if orthogonal:
            idx = (op == "~~") & np.isin(lhs, lv_names) & np.isin(rhs, lv_names) & (lhs != rhs) & (user == 0)
            ustart[idx], free[idx] = 0.0, False
        if meanstructure:
            idx = (op == "~1") & np.isin(lhs, vs.ov_ord) & (user == 0)
            ustart[idx], free[idx] = 0.0, False
            idx = (op == "~1") & np.isin(lhs, lv_names) & (user == 0)
            ustart[idx], free[idx] = 0.0, False
        if vs.ov_x:
            idx = (op == "~~") & np.isin(lhs, vs.ov_x) & np.isin(rhs, vs.ov_x) & (user == 0)
            free[idx], exo[idx] = False, 1
            idx = (op == "~1") & np.isin(lhs, vs.ov_x) & (user == 0)
            free[idx], exo[idx] = False, 1
        if vs.ov_ord:
            idx = is_var & np.isin(lhs, vs.ov_ord) & (user == 0)
            ustart[idx], free[idx] = 1.0, False
            idx = (op == "~*~") & (user == 0)
            ustart[idx], free[idx] = 1.0, False

    # --- groups ------------------------------------------------------------------------------------
    G = int(ngroups)
    group = np.repeat(np.arange(1, G + 1), n1)
    lhs, op, rhs, user = (np.tile(a, G) for a in (lhs, op, rhs, user))
    free, ustart, exo = np.tile(free, G), np.tile(ustart, G), np.tile(exo, G)
    stmt_of = np.tile(np.r_[np.arange(len(user_rows)), np.full(len(defaults), -1)], G)
    if auto and G > 1:
        later = group > 1
        if meanstructure and ("intercepts" in group_equal or "thresholds" in group_equal) and \
                "means" not in group_equal:
            idx = later & (op == "~1") & np.isin(lhs, lv_names) & (user == 0)
            free[idx], ustart[idx] = True, np.nan
        if std_lv and "loadings" in group_equal and "lv.variances" not in group_equal:
            idx = later & (op == "~~") & (lhs == rhs) & np.isin(lhs, lv_names) & (user == 0)
            free[idx], ustart[idx] = True, np.nan
        if "thresholds" in group_equal and vs.ov_ord:  # equal thresholds: the latent responses' scales differ
            idx = later & (op == "~*~") & (user == 0)  # lavaan 0.6-14 frees binary items' too (0.6-20 does not)
            free[idx], ustart[idx] = True, np.nan

    # --- modifiers ---------------------------------------------------------------------------------
    label = np.array([""] * len(lhs), dtype=object)
    single_label_warning = False
    for k, st in enumerate(statements):
        idx = np.flatnonzero(stmt_of == k)
        for attr in ("fixed", "start", "label"):
            vals = getattr(st, attr)
            if vals is None:
                continue
            if len(vals) == 1:
                vals = vals * G
                if attr == "label" and G > 1 and not group_equal:
                    single_label_warning = True
            if len(vals) != G:
                raise ModelSpecificationError(
                    f"line {st.line} ({st.text!r}): the modifier has {len(vals)} values for {G} group(s); give "
                    f"one value, or one per group: c(...) with {G} entries")
            for i, v in zip(idx, vals):
                if attr == "fixed":
                    if v is None:
                        continue
                    if math.isnan(v):
                        free[i], ustart[i] = True, np.nan
                    else:
                        free[i], ustart[i] = False, float(v)
                elif attr == "start":
                    ustart[i] = v
                elif v:
                    label[i] = v
    del single_label_warning  # lavaan warns; a single label across groups is an equality, documented

    # --- labels and equalities ---------------------------------------------------------------------
    auto_label = np.array([f"{a}{o}{b}" for a, o, b in zip(lhs, op, rhs)], dtype=object)
    if G > 1:
        for g in range(2, G + 1):
            sel = group == g
            auto_label[sel] = [f"{x}.g{g}" for x in auto_label[sel]]
        g1 = np.zeros(len(lhs), dtype=bool)
        first = group == 1
        ov_nox = vs.ov_nox
        rules = {
            "loadings": op == "=~",
            "intercepts": (op == "~1") & np.isin(lhs, ov_nox),
            "thresholds": (op == "|") & np.isin(lhs, vs.ov_ord),
            "means": (op == "~1") & np.isin(lhs, lv_names),
            "regressions": op == "~",
            "residuals": (op == "~~") & np.isin(lhs, ov_nox) & (lhs == rhs),
            "residual.covariances": (op == "~~") & np.isin(lhs, ov_nox) & (lhs != rhs),
            "lv.variances": (op == "~~") & np.isin(lhs, lv_names) & (lhs == rhs),
            "lv.covariances": (op == "~~") & np.isin(lhs, lv_names) & (lhs != rhs),
        }
        for name in group_equal:
            g1 |= first & rules[name]
        partial = {str(p).replace(" ", "") for p in (group_partial or ())}
        unknown = partial - set(auto_label[first])
        if unknown:
            raise ModelSpecificationError(
                f"group_partial names {sorted(unknown)}, which are not parameters of the model; write them as "
                f"lhs, operator and rhs without spaces, e.g. {auto_label[first][1]!r}")
        g1 &= ~np.isin(auto_label, list(partial))
        for i in np.flatnonzero(g1):
            same = (lhs == lhs[i]) & (op == op[i]) & (rhs == rhs[i]) & (group > 1)
            auto_label[same] = auto_label[i]
    eff = np.where(label != "", label, auto_label)
    plabel = np.array([f".p{i + 1}." for i in range(len(lhs))], dtype=object)
    for lab in _unique(eff[pd.Series(eff).duplicated().to_numpy()]):
        members = np.flatnonzero(eff == lab)
        fixed_members = members[~free[members]]
        if fixed_members.size:
            free[members], ustart[members] = False, ustart[fixed_members[0]]
        for i in members:
            if not label[i]:
                label[i] = plabel[members[0]]
    free_idx = np.zeros(len(lhs), dtype=int)
    free_idx[free] = np.arange(1, int(free.sum()) + 1)
    frame = pd.DataFrame({
        "id": np.arange(1, len(lhs) + 1), "lhs": lhs.astype(str), "op": op.astype(str), "rhs": rhs.astype(str),
        "user": user.astype(int), "block": group, "group": group, "free": free_idx, "ustart": ustart,
        "exo": exo, "label": label.astype(str), "plabel": plabel.astype(str)})
    return frame
