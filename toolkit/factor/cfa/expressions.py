"""Arithmetic on parameter labels for ``==`` constraints and ``:=`` definitions, parsed, never evaluated as code.

A small recursive-descent parser turns ``a*b + 0.5`` into a tree of tuples; :func:`evaluate` computes it from
a mapping of label values. Allowed: numbers, labels, ``+ - * / ^`` (and ``**``), parentheses, unary minus
and the functions ``sqrt``, ``exp``, ``log``, ``abs``. Anything else is a :class:`ModelSyntaxError`.
"""

from __future__ import annotations

import math
import re

from ...exceptions import ModelSyntaxError

__all__ = ["parse_expression", "evaluate", "names_in"]

_TOKEN = re.compile(r"\s*(?:(\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)|([A-Za-z.][A-Za-z0-9._]*)|"
                    r"(\*\*|[-+*/^()]))")
_FUNCS = {"sqrt": math.sqrt, "exp": math.exp, "log": math.log, "abs": abs}


def _tokens(text: str) -> list:
    out, pos = [], 0
    text = text.strip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise ModelSyntaxError(f"cannot read {text[pos:]!r} in the expression {text!r}; use numbers, "
                                   "labels, + - * / ^, parentheses and sqrt/exp/log/abs")
        num, name, op = m.groups()
        out.append(("num", float(num)) if num else ("name", name) if name else ("op", "^" if op == "**" else op))
        pos = m.end()
    return out


def parse_expression(text: str):
    """Parse ``text`` into a tree: ``("num", v)``, ``("name", s)``, ``("neg", t)``, ``(op, l, r)``,
    ``("call", f, t)``."""
    toks = _tokens(text)
    pos = 0

    def peek():
        return toks[pos] if pos < len(toks) else (None, None)

    def take():
        nonlocal pos
        pos += 1
        return toks[pos - 1]

    def expr():
        node = term()
        while peek() in (("op", "+"), ("op", "-")):
            op = take()[1]
            node = (op, node, term())
        return node

    def term():
        node = unary()
        while peek() in (("op", "*"), ("op", "/")):
            op = take()[1]
            node = (op, node, unary())
        return node

    def unary():
        if peek() == ("op", "-"):
            take()
            return ("neg", unary())
        if peek() == ("op", "+"):
            take()
            return unary()
        return power()

    def power():
        node = atom()
        if peek() == ("op", "^"):
            take()
            node = ("^", node, unary())
        return node

    def atom():
        kind, val = peek()
        if kind == "num":
            take()
            return ("num", val)
        if kind == "name":
            take()
            if peek() == ("op", "("):
                if val not in _FUNCS:
                    raise ModelSyntaxError(f"unknown function {val!r} in {text!r}; allowed: "
                                           f"{', '.join(_FUNCS)}")
                take()
                inner = expr()
                if take() != ("op", ")"):
                    raise ModelSyntaxError(f"missing ')' in {text!r}")
                return ("call", val, inner)
            return ("name", val)
        if (kind, val) == ("op", "("):
            take()
            inner = expr()
            if pos >= len(toks) or take() != ("op", ")"):
                raise ModelSyntaxError(f"missing ')' in {text!r}")
            return inner
        raise ModelSyntaxError(f"unexpected {val!r} in the expression {text!r}")

    if not toks:
        raise ModelSyntaxError("empty expression in a constraint or definition")
    tree = expr()
    if pos != len(toks):
        raise ModelSyntaxError(f"unexpected {toks[pos][1]!r} in the expression {text!r}")
    return tree


def names_in(tree) -> set:
    """Labels used by an expression tree."""
    kind = tree[0]
    if kind == "name":
        return {tree[1]}
    if kind == "num":
        return set()
    if kind == "neg":
        return names_in(tree[1])
    if kind == "call":
        return names_in(tree[2])
    return names_in(tree[1]) | names_in(tree[2])


def evaluate(tree, values) -> float:
    """Value of an expression tree given ``values[label]``."""
    kind = tree[0]
    if kind == "num":
        return tree[1]
    if kind == "name":
        return float(values[tree[1]])
    if kind == "neg":
        return -evaluate(tree[1], values)
    if kind == "call":
        return _FUNCS[tree[1]](evaluate(tree[2], values))
    a, b = evaluate(tree[1], values), evaluate(tree[2], values)
    if kind == "+":
        return a + b
    if kind == "-":
        return a - b
    if kind == "*":
        return a * b
    if kind == "/":
        return a / b if b != 0 else math.nan
    return a ** b
