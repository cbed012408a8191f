"""Write the instrument catalogue: one page per shipped definition in ``instruments/*.yaml``.

Everything on a page comes from the definition file (items with our own labels, subscales, keys, response
scale, scoring and missing-data rules, thresholds, key confidence, citations). The pages are HTML built
from escaped strings: a definition's text never becomes markup.
"""

from __future__ import annotations

import html
from pathlib import Path


def _e(value) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _table(header: list[str], rows: list[list]) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{_e(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f'<table class="table"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _scale(rs) -> str:
    if rs is None:
        return "<p>No response scale is shipped: pass <code>response_scale=</code> when scoring.</p>"
    anchors = ", ".join(f"{v:g} = {a}" for v, a in sorted(rs.anchors.items()))
    parts = [f"{rs.type}, {rs.min:g} to {rs.max:g}"]
    if rs.step:
        parts.append(f"step {rs.step:g}")
    if getattr(rs, "resolution", None):
        parts.append(f"resolution {rs.resolution:g}")
    text = "; ".join(parts) + (f". Anchors: {anchors}" if anchors else "")
    if rs.note:
        text += f". {rs.note}"
    return f"<p>{_e(text)}</p>"


def instrument_html(ins) -> str:
    out = [f"<p>{_e(ins.description)}</p>" if ins.description else ""]
    conf = ins.confidence
    out.append(f"<p><b>Key confidence</b>: {_e(conf.level)}. {_e(conf.note)}</p>")
    if conf.aspects:
        out.append(_table(["aspect", "confidence"], [[k, v] for k, v in conf.aspects.items()]))
    out.append("<h2>Forms</h2>")
    out.append(_table(["form", "rater", "name", "note"], [[f.id, f.rater, f.name, f.note] for f in ins.forms]))
    out.append("<h2>Response scale</h2>" + _scale(ins.response_scale))
    if ins.subscales:
        out.append("<h2>Subscales</h2>")
        keys = ins.keys
        out.append(_table(["subscale", "name", "items", "description"],
                          [[s.id, s.name, ", ".join(str(n) for n in keys.get(s.id, [])), s.description]
                           for s in ins.subscales]))
    out.append("<h2>Items</h2><p>Labels are the toolkit's own short labels; the licensed wording is not "
               "shipped.</p>")
    out.append(_table(["item", "label", "subscale", "reversed", "parent item"],
                      [[it.number, it.label, it.subscale or "", "yes" if it.reversed else "",
                        f"{it.parent.instrument} {it.parent.item}" if it.parent else ""] for it in ins.items]))
    out.append("<h2>Scoring</h2>")
    out.append(f"<p>{_e(ins.scoring.method)} of the items; total: {_e('yes' if ins.scoring.total else 'no')}. "
               f"{_e(ins.scoring.note)}</p>")
    m = ins.missing
    out.append(f"<p><b>Missing answers</b>: up to {m.subscale_max_missing} per subscale and {m.total_max_missing} "
               f"in the total are prorated. {_e(m.note)}</p>")
    if ins.thresholds:
        out.append("<h2>Thresholds</h2>")
        out.append(_table(["flag", "rule", "meaning", "source"],
                          [[f"flag_{t.id}", f"{t.applies_to} {t.operator} {t.value:g}", t.meaning, t.source]
                           for t in ins.thresholds]))
    if ins.reliable_change is not None:
        out.append(f"<p><b>Reliable change</b>: {_e(ins.reliable_change)}</p>")
    out.append("<h2>Citations</h2><ul>" + "".join(
        f"<li>{_e(c.text)}" + (f" doi:{_e(c.doi)}" if c.doi else "") + f" ({_e(c.role)})</li>"
        for c in ins.citations) + "</ul>")
    out.append(f"<p><b>Licence</b>: {_e(ins.licence)}</p>")
    return "\n".join(o for o in out if o)


def _rst_title(text: str, char: str) -> str:
    # a title is plain text: drop characters that could start rst markup
    clean = "".join(c for c in text if c.isalnum() or c in " -.,()'&/")
    return f"{clean}\n{char * len(clean)}\n"


def write_pages(app) -> None:
    from toolkit.instrument import load_instrument
    from toolkit.instrument.loader import _shipped_files

    out = Path(app.srcdir) / "instruments"
    out.mkdir(exist_ok=True)
    lines = [_rst_title("Instrument catalogue", "="), "",
             "Every shipped definition (``instruments/*.yaml``). Adding an instrument is writing one such file "
             "(start from ``instruments/_template.yaml``); no Python code is needed.", "",
             ".. toctree::", "   :maxdepth: 1", ""]
    for ident in sorted(_shipped_files()):
        ins = load_instrument(ident)
        body = instrument_html(ins)
        page = (_rst_title(f"{ins.short_name or ins.id}: {ins.name}", "=") + "\n.. raw:: html\n\n"
                + "\n".join("   " + line for line in body.splitlines()) + "\n")
        path = out / f"{ident}.rst"
        if not path.exists() or path.read_text() != page:
            path.write_text(page)
        lines.append(f"   {ident}")
    index = "\n".join(lines) + "\n"
    path = out / "index.rst"
    if not path.exists() or path.read_text() != index:
        path.write_text(index)


def setup(app):
    app.connect("builder-inited", write_pages)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
