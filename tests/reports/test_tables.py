"""The APA table renderer: escaping, formats, and the same page with or without polars."""

from __future__ import annotations

import pandas as pd

from toolkit.reports import tables

from .conftest import HOSTILE, hostile_markers


def _frame():
    return pd.DataFrame({"scale": ["a", "a", "b"], "item": [HOSTILE["img"], "x2", HOSTILE["amp"]],
                         "r": [0.512, -0.05, None], "n": pd.array([10, 11, None], dtype="Int64"),
                         HOSTILE["script"]: [True, False, True]})


def test_escaped_and_formatted():
    html = tables.apa_table(_frame(), id="t9", formats={"r": "bounded"}, group="scale",
                            spanners={HOSTILE["svg"]: ["r", "n"]}, labels={"item": HOSTILE["amp"]})
    assert hostile_markers(html) == []
    assert ">.51<" in html and ">\u2212.05<" in html and ">\u2013<" in html  # APA decimals, minus, en dash
    assert ">yes<" in html and "://" not in html and "<script" not in html
    assert 'id="t9"' in html


def test_the_same_html_without_polars(monkeypatch):
    with_polars = tables.apa_table(_frame(), id="t1", formats={"r": "bounded"}, group="scale")
    monkeypatch.setattr(tables, "_backend", lambda frame: frame)
    with_pandas = tables.apa_table(_frame(), id="t1", formats={"r": "bounded"}, group="scale")
    assert with_pandas == with_polars


def test_external_resources_are_removed():
    html = ('<style>@import url("https://fonts.example/x.css"); .a{background:url(//cdn.example/i.png)}</style>'
            '<link rel="stylesheet" href="https://cdn.example/a.css"><script src="https://x"></script><p>t</p>')
    assert tables.strip_external(html) == "<style> .a{background:}</style><p>t</p>"
