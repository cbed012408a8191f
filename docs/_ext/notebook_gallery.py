"""Copy ``notebooks/*.ipynb`` into ``gallery/`` and write its index, so myst-nb renders them as pages."""

from __future__ import annotations

import json
import shutil
from pathlib import Path


def _title(path: Path) -> str:
    nb = json.loads(path.read_text())
    for cell in nb.get("cells", []):
        if cell.get("cell_type") == "markdown":
            for line in "".join(cell.get("source", "")).splitlines():
                if line.startswith("#"):
                    return line.lstrip("#").strip()
    return path.stem


def copy_notebooks(app) -> None:
    src = Path(app.srcdir).parent / "notebooks"
    out = Path(app.srcdir) / "gallery"
    out.mkdir(exist_ok=True)
    lines = ["Notebook gallery", "================", "",
             "The notebooks of ``notebooks/`` (run them yourself with ``make lab``).", "",
             ".. toctree::", "   :maxdepth: 1", ""]
    for nb in sorted(src.glob("*.ipynb")):
        target = out / nb.name
        if not target.exists() or target.read_bytes() != nb.read_bytes():
            shutil.copyfile(nb, target)
        lines.append(f"   {_title(nb)} <{nb.stem}>")
    index = "\n".join(lines) + "\n"
    path = out / "index.rst"
    if not path.exists() or path.read_text() != index:
        path.write_text(index)


def setup(app):
    app.connect("builder-inited", copy_notebooks)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
