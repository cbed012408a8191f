"""Turn SPSS/Stata value-label codes into an instrument's response values.

Statistics packages store a response as a code plus a label: ``0 "Seldom"`` ...
``4 "Always"``. The codes are whatever the person who built the file chose; the
labels are what respondents saw. When a column's labels are the instrument's
response anchors, the anchors say which scale value each code stands for, so the
codes are replaced by the anchor values (``0..4`` labelled Seldom..Always become
``1..5`` for the WAI-SR). Columns whose labels are not anchors (gender, site)
keep their codes; labels that match no anchor are left alone and reported.
"""

from __future__ import annotations

import math
import re
import warnings
from typing import Any, Mapping

from ..exceptions import ValueLabelWarning

__all__ = ["normalise_label", "anchor_map", "convert_value_labels", "LABEL_REPORT_COLUMNS"]

#: Columns of the value-label report returned by :func:`convert_value_labels`.
LABEL_REPORT_COLUMNS = ["column", "code", "label", "value", "n", "status"]

# "1 = Seldom", "(1) Seldom", "1. Seldom", "1: Seldom", "1 - Seldom", "1) Seldom"
_CODE_PREFIX = re.compile(r"^\s*\(?[-+]?\d+(?:[.,]\d+)?\)?\s*(?:[=:.)\-]\s*)?(?=\D)")


def normalise_label(text: Any) -> str:
    """Label text as compared with anchors: trimmed, case-folded, one space between words.

    A leading code such as ``"1 = "`` or ``"(1) "`` is dropped, because many
    exports write the code into the label.

    Examples
    --------
    >>> normalise_label("  Very  OFTEN ")
    'very often'
    >>> normalise_label("4 = Very often")
    'very often'
    """
    text = " ".join(str(text).split()).casefold()
    stripped = _CODE_PREFIX.sub("", text, count=1).strip()
    return stripped or text


def _is_number(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


def _affine(pairs: dict[Any, float]) -> tuple[float, float] | None:
    """``(a, b)`` with ``value = a + b * code`` for every pair, or None."""
    numeric = sorted((float(c), float(v)) for c, v in pairs.items() if _is_number(c))
    if len(numeric) < 2 or len(numeric) != len(pairs):
        return None
    (c0, v0), (c1, v1) = numeric[0], numeric[-1]
    if c1 == c0 or v1 == v0:
        return None
    b = (v1 - v0) / (c1 - c0)
    a = v0 - b * c0
    if all(math.isclose(a + b * c, v, abs_tol=1e-9) for c, v in numeric):
        return a, b
    return None


def anchor_map(labels: Mapping[Any, str], anchors: Mapping[float, str]) -> dict[Any, float]:
    """Codes whose label is one of the anchors, mapped to that anchor's value.

    Parameters
    ----------
    labels : mapping
        Code -> label, as stored in the file.
    anchors : mapping
        Scale value -> anchor label (``instrument.scale_for(form).anchors``).

    Returns
    -------
    dict
        Code -> anchor value, for the codes whose label matches an anchor
        (case-insensitive, trimmed). Empty when none match.

    Examples
    --------
    >>> anchor_map({0: "seldom", 4: " ALWAYS", 9: "no answer"}, {1: "Seldom", 5: "Always"})
    {0: 1.0, 4: 5.0}
    """
    by_text = {normalise_label(text): float(value) for value, text in anchors.items()}
    return {code: by_text[normalise_label(text)] for code, text in labels.items() if normalise_label(text) in by_text}


def _looks_like_anchors(labels: Mapping[Any, str], matched: Mapping[Any, float]) -> bool:
    """A column's labels *are* the anchors when at least two distinct anchors, and
    most of its labels, match."""
    return len(set(matched.values())) >= 2 and 2 * len(matched) > len(labels)


def _codes_present(series) -> dict[Any, int]:
    counts = series.dropna().value_counts(sort=False)
    return {k: int(n) for k, n in counts.items()}


def _collision(code: Any, points) -> str:
    """Warn when a code left alone is also a valid response value (it would be scored silently)."""
    if points and _is_number(code) and any(math.isclose(float(code), p, abs_tol=1e-9) for p in points):
        return f" - caution: {_fmt(code)} is also a valid response value and would be scored as one"
    return ""


def _fmt(x: Any) -> str:
    if isinstance(x, float) and x.is_integer():
        return str(int(x))
    return repr(x) if isinstance(x, str) else str(x)


def convert_value_labels(
    data,
    value_labels: Mapping[str, Mapping[Any, str]],
    scale,
    *,
    missing_codes: Mapping[str, set] | None = None,
    instrument_id: str = "the instrument",
    warn: bool = True,
):
    """Replace value-label codes by response-anchor values where the labels are anchors.

    Parameters
    ----------
    data : pandas.DataFrame
        Responses as stored (codes). Not modified.
    value_labels : mapping
        Column -> {code: label}, e.g. pyreadstat's ``meta.variable_value_labels``.
    scale : ResponseScale or None
        The form's response scale (``instrument.scale_for(form)``). Without
        anchors nothing is converted.
    missing_codes : mapping, optional
        Column -> codes the file declares as missing (already read as NaN).
    instrument_id : str
        Used in messages.
    warn : bool
        Warn with :class:`~toolkit.exceptions.ValueLabelWarning` when codes that
        occur in an anchor-labelled column match no anchor.

    Returns
    -------
    converted : pandas.DataFrame
        A copy with anchor-labelled columns recoded (float) and every other
        column unchanged; same index and column order.
    report : pandas.DataFrame
        One row per labelled column x code (plus codes that occur without a
        label in anchor-labelled columns): ``column``, ``code``, ``label``,
        ``value`` (the new value, or the code when left alone), ``n`` (cells
        with that code) and ``status``, one of ``converted``, ``converted
        (fitted)`` (an unlabelled code placed by the straight line through the
        labelled codes), ``no anchor`` (label matches no anchor: left alone),
        ``unlabelled`` (left alone), ``declared missing`` (read as missing) and
        ``kept`` (the column's labels are not response anchors).

    Notes
    -----
    A column is anchor-labelled when at least two distinct anchors and more than
    half of its labels match anchor texts (trimmed, case-insensitive, a leading
    code such as ``"1 = "`` ignored). A labelled code then becomes its anchor's
    value whatever the code was. If the matched codes lie on a straight line
    ``value = a + b * code`` (e.g. only the end points labelled), codes that
    occur without a label are placed on that line when they land on a point of
    the scale.

    Examples
    --------
    >>> import pandas as pd
    >>> from toolkit import load_instrument
    >>> scale = load_instrument("wai-sr").scale_for("client")
    >>> df = pd.DataFrame({"q1": [0.0, 4.0, 2.0], "sex": [1.0, 2.0, 1.0]})
    >>> labels = {"q1": {0: "Seldom", 1: "Sometimes", 2: "Fairly often", 3: "Very often", 4: "Always"},
    ...           "sex": {1: "female", 2: "male"}}
    >>> out, report = convert_value_labels(df, labels, scale)
    >>> out["q1"].tolist(), out["sex"].tolist()
    ([1.0, 5.0, 3.0], [1.0, 2.0, 1.0])
    """
    import pandas as pd

    out = data.copy()
    rows: list[dict[str, Any]] = []
    missing_codes = missing_codes or {}
    anchors = dict(getattr(scale, "anchors", None) or {})
    points = None
    if scale is not None and getattr(scale, "type", None) == "ordinal":
        points = scale.points
    problems: list[str] = []

    for column in data.columns:
        labels = value_labels.get(column)
        if not labels:
            continue
        series = data[column]
        present = _codes_present(series)
        declared = set(missing_codes.get(column, ()) or ())
        matched = anchor_map(labels, anchors) if anchors else {}
        if not _looks_like_anchors(labels, matched):
            for code, text in labels.items():
                rows.append({"column": column, "code": code, "label": text, "value": code,
                             "n": present.get(code, 0), "status": "kept"})
            continue

        line = _affine(matched)
        mapping: dict[Any, float] = dict(matched)
        for code, text in labels.items():
            n = present.get(code, 0)
            if code in matched:
                rows.append({"column": column, "code": code, "label": text, "value": matched[code],
                             "n": n, "status": "converted"})
            elif code in declared:
                rows.append({"column": column, "code": code, "label": text, "value": None,
                             "n": n, "status": "declared missing"})
            else:
                rows.append({"column": column, "code": code, "label": text, "value": code,
                             "n": n, "status": "no anchor"})
                if n:
                    problems.append(f"column {column!r}: code {_fmt(code)} labelled {str(text)!r} ({n} cell"
                                    f"{'s' if n != 1 else ''}){_collision(code, points)}")
        for code, n in present.items():
            if code in labels:
                continue
            fitted = None
            if line is not None and _is_number(code):
                value = line[0] + line[1] * float(code)
                if points is not None:
                    hit = [p for p in points if math.isclose(p, value, abs_tol=1e-9)]
                    fitted = hit[0] if hit else None
                elif scale is not None and scale.min <= value <= scale.max:
                    fitted = value
            if fitted is not None:
                mapping[code] = fitted
                rows.append({"column": column, "code": code, "label": None, "value": fitted,
                             "n": n, "status": "converted (fitted)"})
            else:
                rows.append({"column": column, "code": code, "label": None, "value": code,
                             "n": n, "status": "unlabelled"})
                problems.append(f"column {column!r}: code {_fmt(code)} ({n} cell{'s' if n != 1 else ''}) has no "
                                f"label and cannot be placed on the scale{_collision(code, points)}")

        numeric = pd.to_numeric(series, errors="coerce")
        new = series.map(lambda x, mapping=mapping: mapping.get(x, x) if pd.notna(x) else x)
        if numeric.notna().sum() == series.notna().sum():
            new = pd.to_numeric(new, errors="coerce").astype("float64")
        out[column] = new

    if problems and warn:
        listing = ", ".join(f"{_fmt(v)} = {t}" for v, t in sorted(anchors.items()))
        warnings.warn(
            (f"{len(problems)} codes in anchor-labelled columns match" if len(problems) != 1
             else "1 code in an anchor-labelled column matches")
            + f" no response anchor of {instrument_id} ({listing}); left as stored, so the scoring engine "
            "reports them as bad cells unless they happen to be valid values. "
            + "; ".join(problems)
            + ". Fix: recode them (e.g. to missing) or correct the labels in the source file.",
            ValueLabelWarning,
            stacklevel=3,
        )
    report = pd.DataFrame(rows, columns=LABEL_REPORT_COLUMNS)
    report["n"] = report["n"].astype("int64")
    return out, report
