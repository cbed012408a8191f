"""The README, notebook 00 and ``alliance instruments`` tell a new user how to use their own files (issue 9, item 13).

The README's and the notebook's code runs in ``test_readme.py`` and ``test_notebooks.py``; here we check that
what a new user needs is there: reading their own Excel, SPSS and CSV files, how item columns must be named,
what "scorable False" means, and an "Adding an instrument" example that runs (it used an undefined ``data``).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from toolkit.cli import main

from .test_readme import README, python_blocks

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "00_quickstart.ipynb"


def _notebook_text() -> tuple[str, str]:
    cells = json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"]
    code = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
    prose = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    return code, prose


def test_every_readme_python_block_runs():
    """No block is skipped: the "Adding an instrument" example runs with data it builds itself."""
    blocks = python_blocks(README.read_text(encoding="utf-8"))
    assert [line for _, line, _, skipped in blocks if skipped] == []
    adding = [code for _, _, code, _ in blocks if "load_instrument(\"my-instrument.yaml\")" in code]
    assert len(adding) == 1 and "toolkit.score(data" not in adding[0] and "my_instrument_01" in adding[0]


def test_readme_reads_the_users_own_files():
    text = README.read_text(encoding="utf-8")
    code = "\n".join(c for _, _, c, _ in python_blocks(text))
    for suffix in (".xlsx", ".sav", ".csv"):
        assert re.search(rf"read_responses\(\"my_export{re.escape(suffix)}\"", code) or \
            f'"my_export{suffix}"' in code, suffix
    assert "**Naming the item columns.**" in text and 'pattern="Q1_{n}"' in text and "my_instrument_01" in text
    assert "*scorable* False means" in text and "--allow-unverified" in text and "--response-scale" in text


def test_notebook_00_reads_the_users_own_files():
    code, prose = _notebook_text()
    for suffix in ("xlsx", "csv", "sav"):
        assert f'toolkit.read_responses(folder / "my_export.{suffix}", "wai-sr")' in code, suffix
    assert "How item columns must be named" in prose and 'pattern="Q1_{n}"' in prose
    assert "*scorable* False means scoring needs more from you" in prose


def test_alliance_instruments_explains_scorable(capsys):
    assert main(["instruments"]) == 0
    out = capsys.readouterr().out
    assert "scorable False: 'alliance score' needs more from you." in out
    assert "--allow-unverified" in out and "--response-scale MIN:MAX" in out
