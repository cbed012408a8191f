"""lavaan model syntax, read into statements (no R, nothing evaluated).

The operators of lavaan's model syntax:

=========  ==========================================  ======================
``=~``     is measured by (loadings)                    ``visual =~ x1 + x2``
``~~``     (residual) variance / covariance            ``x1 ~~ x4``
``~``      is regressed on                             ``dem65 ~ dem60``
``~ 1``    intercept / mean                            ``x1 ~ 1``
``|``      thresholds of an ordinal item               ``u1 | t1 + t2``
``~*~``    scale factor of an ordinal item (delta)     ``u1 ~*~ NA*u1``
``:=``     defined parameter                           ``ab := a*b``
``==``     equality constraint                         ``a == b``
=========  ==========================================  ======================

Every right-hand term may carry modifiers, joined by ``*``: a number fixes the parameter (``0*x``, ``1*x``),
``NA`` frees it (``NA*x1``), a name labels it (``a*x2``; equal labels mean equal parameters), ``start(0.5)``
or ``0.5?x`` gives a starting value, ``c(...)`` gives one modifier per group (``c(a, b)*x2``,
``c(1, NA)*x1``), ``label("a")`` and ``equal("a")`` label. Comments start with ``#`` or ``!``; statements
are separated by new lines or ``;``, and a statement may continue on the next line after a ``+`` or an
operator. Inequality constraints (``<``, ``>``), bounds (``lower()``/``upper()``), formative factors
(``<~``), interactions (``x1:x2``) and ``group:`` blocks are refused with a message saying so.

Nothing is evaluated: numbers are read with ``float``, names checked against a pattern, and the expressions
of ``==`` and ``:=`` are parsed by :mod:`toolkit.factor.cfa.expressions`.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from ...exceptions import ModelSyntaxError

__all__ = ["Statement", "Constraint", "ParsedModel", "parse_syntax", "OPERATORS"]

#: formula operators, longest first (the order the scanner tries them in)
OPERATORS = ("=~", "~~", "~*~", "<~", ":=", "==", "<", ">", "|", "~")
_FORMULA_OPS = ("=~", "~~", "~", "|")
_NAME = re.compile(r"^[A-Za-z.][A-Za-z0-9._]*$")
_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")


@dataclass
class Statement:
    """One parameter statement: ``lhs op rhs`` with its modifiers (one entry per group, or one for all).

    ``fixed`` holds numbers (fixed values), NaN (``NA``: free) and None (no fixed value in that group, e.g.
    a label there); ``start`` starting values; ``label`` labels ('' = none). ``None`` for the whole list
    means the modifier was not given.
    """

    lhs: str
    op: str
    rhs: str
    fixed: list | None = None
    start: list | None = None
    label: list | None = None
    line: int = 0
    text: str = ""


@dataclass
class Constraint:
    """``lhs op rhs`` with ``op`` one of ``==`` or ``:=`` (expressions kept as text)."""

    lhs: str
    op: str
    rhs: str
    line: int = 0
    text: str = ""


@dataclass
class ParsedModel:
    """The statements of a model string, in order, and its constraints and defined parameters."""

    statements: list = field(default_factory=list)
    constraints: list = field(default_factory=list)
    source: str = ""


def _error(line: int, text: str, problem: str, fix: str) -> ModelSyntaxError:
    return ModelSyntaxError(f"model syntax, line {line} ({text.strip()!r}): {problem}. {fix}")


def _strip_comment(line: str) -> str:
    out, quote = [], None
    for ch in line:
        if quote:
            out.append(ch)
            if ch == quote:
                quote = None
        elif ch in "\"'":
            quote = ch
            out.append(ch)
        elif ch in "#!":
            break
        else:
            out.append(ch)
    return "".join(out)


def _split_top(text: str, sep: str) -> list[str]:
    """Split on ``sep`` outside parentheses and quotes."""
    parts, depth, quote, cur = [], 0, None, []
    for ch in text:
        if quote:
            cur.append(ch)
            if ch == quote:
                quote = None
            continue
        if ch in "\"'":
            quote = ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == sep and depth == 0:
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    parts.append("".join(cur))
    return parts


def _find_operator(text: str):
    """The first operator outside parentheses and quotes: (position, operator) or None."""
    depth, quote, i = 0, None, 0
    while i < len(text):
        ch = text[i]
        if quote:
            if ch == quote:
                quote = None
            i += 1
            continue
        if ch in "\"'":
            quote = ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif depth == 0:
            for op in OPERATORS:
                if text.startswith(op, i):
                    return i, op
        i += 1
    return None


def _ends_open(text: str) -> bool:
    t = text.rstrip()
    return t.endswith(("+", "*", "=~", "~~", "~", ",", "(", ":=", "==")) if t else False


def _logical_lines(model: str) -> list[tuple[int, str]]:
    """Statements with the line number they start on (continuations joined)."""
    raw = []
    for number, line in enumerate(model.splitlines(), start=1):
        for piece in _split_top(_strip_comment(line), ";"):
            if piece.strip():
                raw.append((number, piece.strip()))
    out: list[list] = []
    for number, text in raw:
        starts_open = text.startswith(("+", "*", ",", ")"))
        if out and (_ends_open(out[-1][1]) or starts_open or _find_operator(text) is None):
            out[-1][1] = out[-1][1] + " " + text
        else:
            out.append([number, text])
    return [(n, t) for n, t in out]


def _number(token: str) -> float | None:
    token = token.strip()
    if _NUMBER.match(token):
        return float(token)
    return None


def _unquote(token: str) -> str | None:
    token = token.strip()
    if len(token) >= 2 and token[0] == token[-1] and token[0] in "\"'":
        return token[1:-1]
    return None


def _vector(inner: str, line: int, text: str) -> list[str]:
    inner = inner.strip()
    if inner.startswith("c(") and inner.endswith(")"):
        return [p.strip() for p in _split_top(inner[2:-1], ",")]
    return [inner]


def _modifier(token: str, mods: dict, line: int, text: str) -> None:
    """Read one modifier into ``mods`` (keys fixed/start/label, each a list)."""
    tok = token.strip()
    if not tok:
        raise _error(line, text, "an empty modifier before '*'", "Write e.g. 0*x1, NA*x1 or a*x1")
    low = tok.lower()
    for fn, key in (("start(", "start"), ("label(", "label"), ("equal(", "label"), ("lower(", "lower"),
                    ("upper(", "upper"), ("prior(", "prior"), ("efa(", "efa"), ("rv(", "rv")):
        if low.startswith(fn) and tok.endswith(")"):
            if key in ("lower", "upper", "prior", "efa", "rv"):
                raise _error(line, text, f"the modifier {fn[:-1]}() is not supported",
                             "Bounds, priors, EFA blocks and random slopes are not part of this engine; "
                             "remove the modifier (lavaan leaves variances unbounded as well)")
            items = _vector(tok[len(fn):-1], line, text)
            if key == "start":
                vals = []
                for it in items:
                    v = _number(it)
                    if v is None and it.upper() != "NA":
                        raise _error(line, text, f"start value {it!r} is not a number", "Write start(0.5)")
                    vals.append(math.nan if v is None else v)
                mods["start"] = vals
            else:
                labs = []
                for it in items:
                    q = _unquote(it)
                    lab = q if q is not None else it
                    if not _NAME.match(lab):
                        raise _error(line, text, f"label {lab!r} is not a valid name",
                                     "Labels start with a letter and hold letters, digits, '.' and '_'")
                    labs.append(lab)
                mods["label"] = labs
            return
    items = _vector(tok, line, text)
    fixed, labels = [], []
    for it in items:
        v = _number(it)
        q = _unquote(it)
        if v is not None:
            fixed.append(v)
            labels.append("")
        elif it.upper() == "NA":
            fixed.append(math.nan)
            labels.append("")
        elif q is not None or _NAME.match(it):
            lab = q if q is not None else it
            if not _NAME.match(lab):
                raise _error(line, text, f"label {lab!r} is not a valid name",
                             "Labels start with a letter and hold letters, digits, '.' and '_'")
            fixed.append(None)
            labels.append(lab)
        else:
            raise _error(line, text, f"cannot read the modifier {it!r}",
                         "A modifier is a number (fixed value), NA (free), a label, start(...) or c(...)")
    if any(f is not None for f in fixed):
        mods["fixed"] = fixed
    if any(labels):
        mods["label"] = labels


def _term(term: str, line: int, text: str) -> tuple[str, dict]:
    """A right-hand term: (variable name, modifiers)."""
    mods: dict = {}
    term = term.strip()
    if "?" in term and not term.startswith(("start(", "label(")):
        val, _, rest = term.partition("?")
        v = _number(val)
        if v is None:
            raise _error(line, text, f"cannot read the start value in {term!r}", "Write 0.5?x1")
        mods["start"] = [v]
        term = rest.strip()
    parts = _split_top(term, "*")
    name = parts[-1].strip()
    for mod in parts[:-1]:
        _modifier(mod, mods, line, text)
    if ":" in name:
        raise _error(line, text, f"interaction term {name!r} is not supported",
                     "Compute the product as a column of the data and use that column")
    if name == "1":
        return "1", mods
    if not _NAME.match(name):
        raise _error(line, text, f"{name!r} is not a variable name",
                     "Names start with a letter and hold letters, digits, '.' and '_' (rename the column)")
    return name, mods


def parse_syntax(model: str) -> ParsedModel:
    """Read a lavaan model string into statements and constraints.

    Parameters
    ----------
    model : str
        lavaan model syntax (see the module docstring).

    Returns
    -------
    ParsedModel
        ``statements`` (one :class:`Statement` per parameter written, multiple right-hand terms split) and
        ``constraints`` (``==`` and ``:=``).

    Raises
    ------
    ModelSyntaxError
        Naming the line, its text, what is wrong and how to write it.

    Examples
    --------
    >>> m = parse_syntax("visual =~ x1 + a*x2 + 0.5?x3\\n x1 ~~ x2")
    >>> [(s.lhs, s.op, s.rhs) for s in m.statements]
    [('visual', '=~', 'x1'), ('visual', '=~', 'x2'), ('visual', '=~', 'x3'), ('x1', '~~', 'x2')]
    >>> m.statements[1].label, m.statements[2].start
    (['a'], [0.5])
    """
    if not isinstance(model, str):
        raise ModelSyntaxError(f"a model must be a lavaan syntax string such as 'f =~ x1 + x2 + x3'; got a "
                               f"{type(model).__name__}")
    out = ParsedModel(source=model)
    for line, text in _logical_lines(model):
        if re.match(r"^\s*(group|level|block|class)\s*:", text, flags=re.I):
            raise _error(line, text, "group/level blocks are not supported",
                         "Fit one model to all groups with group='column' and group_equal=[...]; free "
                         "single parameters with group_partial=[...]")
        found = _find_operator(text)
        if found is None:
            raise _error(line, text, "no operator", "A statement needs one of =~ ~~ ~ | := == ")
        pos, op = found
        lhs, rhs = text[:pos].strip(), text[pos + len(op):].strip()
        if op in ("<", ">"):
            raise _error(line, text, "inequality constraints are not supported",
                         "Fit without the constraint; a variance that comes out negative is reported with a "
                         "warning, as lavaan does")
        if op == "<~":
            raise _error(line, text, f"the operator {op} is not supported",
                         "Formative factors are not part of this engine")
        if op == "~*~" and lhs.strip() != re.sub(r"^.*\*", "", rhs).strip():
            raise _error(line, text, "a scale factor ~*~ is of one ordinal item: the same name on both sides",
                         "Write e.g. 'x1 ~*~ NA*x1' to free x1's scale factor (delta parameterization)")
        if not lhs or not rhs:
            raise _error(line, text, f"'{op}' needs something on both sides", "Write e.g. 'f =~ x1 + x2'")
        if op in ("==", ":="):
            if op == ":=" and not _NAME.match(lhs):
                raise _error(line, text, f"{lhs!r} is not a valid name for a defined parameter",
                             "Write e.g. 'ab := a*b'")
            out.constraints.append(Constraint(lhs=lhs, op=op, rhs=rhs, line=line, text=text))
            continue
        lhs_names = [p.strip() for p in _split_top(lhs, "+")]
        for name in lhs_names:
            if not _NAME.match(name):
                raise _error(line, text, f"{name!r} on the left of {op} is not a variable name",
                             "Names start with a letter and hold letters, digits, '.' and '_'")
        terms = _split_top(rhs, "+")
        if any(not t.strip() for t in terms):
            raise _error(line, text, "an empty term (two '+' in a row, or one at the end)", "Remove the extra '+'")
        for name in lhs_names:
            for t in terms:
                var, mods = _term(t, line, text)
                this_op, this_rhs = op, var
                if var == "1":
                    if op != "~":
                        raise _error(line, text, f"'1' after {op}", "Intercepts are written 'x1 ~ 1'")
                    this_op, this_rhs = "~1", ""
                if op == "|" and not re.match(r"^t\d+$", var):
                    raise _error(line, text, f"threshold {var!r} must be named t1, t2, ...",
                                 "Write 'u1 | t1 + t2 + t3'")
                out.statements.append(Statement(lhs=name, op=this_op, rhs=this_rhs, fixed=mods.get("fixed"),
                                                 start=mods.get("start"), label=mods.get("label"), line=line,
                                                 text=text))
    if not out.statements:
        raise ModelSyntaxError("the model string has no statements; write e.g. 'f =~ x1 + x2 + x3'")
    return out
