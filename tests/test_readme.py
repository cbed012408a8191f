"""Every ```python block of README.md runs, in order, in one namespace, so the README cannot rot.

The blocks run in a temporary working directory with matplotlib's Agg backend. A block preceded by the
line ``<!-- readme-test: skip ... -->`` is not run (it needs a file of the reader's own); every other
``python`` block is. Warnings the README's calls raise on purpose (e.g. scoring bad cells as missing) are
what a reader sees too, so they are allowed here, not turned into errors.
"""

from __future__ import annotations

import re
import traceback
import warnings
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"
FENCE = re.compile(r"^```python[ \t]*\n(.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)
SKIP = "<!-- readme-test: skip"


def python_blocks(text: str) -> list[tuple[int, int, str, bool]]:
    """(block number from 1, line number, code, skipped) of every ```python block."""
    blocks = []
    for number, match in enumerate(FENCE.finditer(text), start=1):
        line = text.count("\n", 0, match.start()) + 1
        before = text[: match.start()].rstrip("\n").rsplit("\n", 1)[-1]
        blocks.append((number, line, match.group(1), before.strip().startswith(SKIP)))
    return blocks


def test_readme_has_python_blocks():
    blocks = python_blocks(README.read_text(encoding="utf-8"))
    assert len([b for b in blocks if not b[3]]) >= 5, "README.md lost its runnable ```python blocks"


def test_readme_python_blocks_run(tmp_path, monkeypatch):
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    monkeypatch.chdir(tmp_path)
    namespace: dict = {"__name__": "__readme__"}
    try:
        for number, line, code, skipped in python_blocks(README.read_text(encoding="utf-8")):
            if skipped:
                continue
            try:
                compiled = compile(code, f"README.md block {number} (line {line})", "exec")
                with warnings.catch_warnings(record=True):   # shown to a reader, not failures
                    warnings.simplefilter("always")
                    exec(compiled, namespace)
            except Exception as err:  # noqa: BLE001 - report any failure with its block
                pytest.fail(f"README.md python block {number} (starting at line {line}) failed: "
                            f"{type(err).__name__}: {err}\n{traceback.format_exc()}\n--- block ---\n{code}")
    finally:
        plt.close("all")
