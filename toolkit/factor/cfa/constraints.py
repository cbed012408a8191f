"""Equality constraints as a reparameterisation, and defined parameters (``:=``).

Equal labels (written, or made by ``group_equal``) merge free parameters; linear ``==`` constraints
(``a == 2*b``, ``a + b == 1``) are solved for a particular solution and a basis of their null space. The
result is ``x = x0 + K z``: the optimiser moves ``z`` and every constraint holds exactly. Standard errors
computed in ``z`` and mapped back with ``K`` equal lavaan's (which augments the information matrix with the
constraint Jacobian: for linear constraints the two give the same covariance matrix). Non-linear ``==``
constraints are refused with a clear message.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...exceptions import ModelSpecificationError
from .expressions import evaluate, names_in, parse_expression

__all__ = ["reparameterise", "DefinedParameters"]


def _label_values(pt: pd.DataFrame, values: np.ndarray) -> dict:
    out = {}
    for lab, plab, v in zip(pt["label"], pt["plabel"], values):
        if lab and lab not in out:
            out[lab] = v
        out[plab] = v
    return out


def reparameterise(pt: pd.DataFrame, constraints: list, base_values: np.ndarray):
    """``(K, x0, n_constraints)`` for the free rows of ``pt`` (ordered by their free index).

    ``constraints`` are the parsed ``==`` statements. ``n_constraints`` is the rank of the equality
    constraints (lavaan subtracts it from the number of free parameters).
    """
    free_idx = pt["free"].to_numpy()
    rows = np.flatnonzero(free_idx > 0)
    rows = rows[np.argsort(free_idx[rows])]
    nx = rows.size
    labels = pt["label"].to_numpy()[rows]
    # 1. equal labels
    classes: dict = {}
    col = np.empty(nx, dtype=int)
    for i, lab in enumerate(labels):
        if lab:
            if lab not in classes:
                classes[lab] = len(classes)
            col[i] = -1 - classes[lab]
        else:
            col[i] = -1
    ncls = 0
    mapping: dict = {}
    K0 = np.zeros((nx, nx))
    for i in range(nx):
        key = labels[i] if labels[i] else ("row", i)
        if key not in mapping:
            mapping[key] = ncls
            ncls += 1
        K0[i, mapping[key]] = 1.0
    K0 = K0[:, :ncls]
    n_label_eq = nx - ncls
    if not constraints:
        return K0, np.zeros(nx), n_label_eq
    # 2. linear == constraints on the merged parameters: c(y) = A y - c = 0
    trees = []
    for con in constraints:
        try:
            trees.append((parse_expression(con.lhs), parse_expression(con.rhs), con))
        except ModelSpecificationError:
            raise
    known = set(pt["label"]) | set(pt["plabel"])
    for lt, rt, con in trees:
        unknown = (names_in(lt) | names_in(rt)) - known
        if unknown:
            raise ModelSpecificationError(
                f"line {con.line} ({con.text!r}): {sorted(unknown)} are not labels of the model; label a parameter "
                "by writing label*variable, e.g. 'f =~ a*x2'")

    def cvec(y):
        x = K0 @ y
        vals = base_values.copy()
        vals[rows] = x
        lv = _label_values(pt, vals)
        return np.array([evaluate(lt, lv) - evaluate(rt, lv) for lt, rt, _ in trees])

    rng = np.random.default_rng(12345)
    y0 = np.zeros(ncls)
    c0 = cvec(y0)
    A = np.empty((len(trees), ncls))
    for j in range(ncls):
        e = np.zeros(ncls)
        e[j] = 1.0
        A[:, j] = cvec(e) - c0
    for _ in range(2):
        y = rng.normal(size=ncls)
        if not np.allclose(cvec(y), c0 + A @ y, atol=1e-8 * (1 + np.abs(y).max())):
            bad = [con.text for (lt, rt, con), v, w in zip(trees, cvec(y), c0 + A @ y) if abs(v - w) > 1e-8]
            raise ModelSpecificationError(
                f"the constraint(s) {bad} are not linear in the parameters; only linear equality constraints are "
                "supported (e.g. 'a == b', 'a + b == 1', 'a == 2*b')")
    # A y = -c0
    U, s, Vt = np.linalg.svd(A)
    rank = int((s > 1e-10 * max(1.0, s.max() if s.size else 1.0)).sum())
    y_p = np.linalg.lstsq(A, -c0, rcond=None)[0]
    if not np.allclose(A @ y_p, -c0, atol=1e-8):
        raise ModelSpecificationError("the equality constraints contradict each other; no parameter values satisfy "
                                      "all of them")
    N = Vt[rank:].T
    # prefer a basis close to the original parameters where a constraint just fixes combinations
    return K0 @ N, K0 @ y_p, n_label_eq + rank


class DefinedParameters:
    """Parameters defined by ``name := expression`` over labels, with delta-method standard errors."""

    def __init__(self, definitions: list, pt: pd.DataFrame):
        self.items = []
        known = set(pt["label"]) | set(pt["plabel"])
        for d in definitions:
            tree = parse_expression(d.rhs)
            unknown = names_in(tree) - known - {n for n, _, _ in self.items}
            if unknown:
                raise ModelSpecificationError(
                    f"line {d.line} ({d.text!r}): {sorted(unknown)} are not labels of the model; label the "
                    "parameters you use, e.g. 'y ~ a*x'")
            self.items.append((d.lhs, tree, d))

    def values(self, pt: pd.DataFrame, values: np.ndarray) -> np.ndarray:
        lv = _label_values(pt, values)
        out = []
        for name, tree, _ in self.items:
            v = evaluate(tree, lv)
            lv[name] = v
            out.append(v)
        return np.array(out)

    def __len__(self) -> int:
        return len(self.items)
