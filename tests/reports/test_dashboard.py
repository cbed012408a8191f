"""The clinic dashboard without a browser: upload, detected settings, tables, download link, errors, make target."""

from __future__ import annotations

import base64
import datetime
import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from toolkit.widgets import ClinicDashboard, clinic_dashboard
from toolkit.widgets.dashboard import detect_instruments, parse_period

from .conftest import hostile_markers


def _upload(board, path: Path) -> None:
    data = path.read_bytes()
    board.upload.value = ({"name": path.name, "type": "text/csv", "size": len(data), "content": memoryview(data),
                           "last_modified": datetime.datetime(2025, 1, 1, tzinfo=datetime.timezone.utc)},)


def _page(board) -> str:
    link = board.download.value
    return base64.b64decode(re.search(r"base64,([A-Za-z0-9+/=]+)", link).group(1)).decode("utf-8")


def test_upload_builds_the_report_and_offers_it(tmp_path, export):
    src = tmp_path / "week.csv"
    export.to_csv(src, index=False)
    board = clinic_dashboard()
    assert isinstance(board, ClinicDashboard) and board.state["clients"] is None
    _upload(board, src)
    state = board.state
    assert state["error"] == "" and state["file"] == "week.csv"
    assert (state["instruments"], state["client"], state["session"], state["date"]) == \
        (["ors", "srs"], "client_id", "session", "date")
    assert (state["clients"], state["attention"], state["bad_cells"]) == (3, 2, 0)
    assert "week.csv" in board.status.value and board.tabs.selected_index == 1
    assert ">A<" in board.attention.value and ">C<" not in board.attention.value and ">C<" in board.roster.value
    assert 'download="clinic-report.html"' in board.download.value
    assert _page(board) == board.report.html
    # a period from the box; the report follows
    board.period.value = "2025-01"
    board.build()
    assert board.state["clients"] == 2 and "Period</dt><dd>2025-01" in _page(board)


def test_bad_cells_and_hostile_strings_are_shown_as_text(tmp_path, hostile_export):
    src = tmp_path / "x.csv"
    hostile_export.to_csv(src, index=False)
    board = clinic_dashboard()
    _upload(board, src)
    assert board.state["bad_cells"] == 1 and board.state["error"] == ""
    for w in (board.bad, board.attention, board.roster, board.status):
        assert hostile_markers(w.value) == [], w.value
    assert "A&amp;B &lt;i&gt;" in board.bad.value
    assert hostile_markers(_page(board)) == []


def test_generic_columns_ask_for_the_instrument_and_errors_are_shown(tmp_path):
    import toolkit

    src = tmp_path / "messy.csv"
    toolkit.load_sample("messy_export").to_csv(src, index=False)
    board = clinic_dashboard()
    _upload(board, src)
    assert board.state["instruments"] == [] and "Choose the instrument" in board.status.value
    assert board.state["client"] == "Client ID" and board.state["session"] == "(none)"
    board.run.click()  # no instrument chosen: said in the widget
    assert "Choose the instrument" in board.state["error"]
    board.instruments.value = ("wai-sr",)
    assert board.state["date"] == "Timestamp"
    board.date.value = "(none)"
    board.run.click()  # no session column and no date chosen
    assert "session column or the date column" in board.state["error"]
    board.date.value = "Timestamp"
    board.run.click()
    assert board.state["error"] == "" and board.state["bad_cells"] == 5  # data-samples/messy_export_bad_cells.csv
    # the export repeats a row: the warning is shown (and noted in the report), the report is made
    assert any("repeats an earlier row exactly" in w and "line 33" in w for w in board.state["warnings"])
    assert "alliance-warnings" in board.status.value


def test_detect_and_period_helpers():
    assert detect_instruments(["client_id"] + [f"ors_{k:02d}" for k in range(1, 5)]) == ["ors"]
    assert detect_instruments(["Q1", "Q2"]) == []
    assert parse_period("2025-01-06 to 2025-01-12", has_date=True) == ("2025-01-06", "2025-01-12")
    assert parse_period(" to 4", has_date=False) == (None, 4.0)
    from toolkit.exceptions import InvalidParameterError

    with pytest.raises(InvalidParameterError, match="session numbers"):
        parse_period("a to b", has_date=False)


@pytest.mark.skipif(shutil.which("make") is None, reason="GNU make is not installed")
def test_make_dashboard_serves_loopback_with_a_token(tmp_path, repo_root):
    for name in ("Makefile", "pyproject.toml"):
        shutil.copy2(repo_root / name, tmp_path / name)
    stamp = tmp_path / ".venv" / ".installed-dashboard"
    (tmp_path / ".venv" / "bin").mkdir(parents=True)
    python = tmp_path / ".venv" / "bin" / "python"
    python.write_text("#!/bin/sh\nexit 0\n")
    python.chmod(0o755)
    stamp.touch()
    later = time.time() + 10
    os.utime(stamp, (later, later))
    env = {k: v for k, v in os.environ.items() if k not in {"MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES"}}
    plan = subprocess.run(["make", "--no-print-directory", "-C", str(tmp_path), "-n", "dashboard"],
                          capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=60, env=env)
    assert plan.returncode == 0, plan.stderr
    command = " ".join(plan.stdout.replace("\\\n", " ").split())
    assert "pip install" not in command
    assert "notebooks/dashboard/jupyter" in command  # where the `offline` template is
    assert (".venv/bin/voila notebooks/dashboard/clinic.ipynb --template=offline --no-browser --Voila.ip=127.0.0.1 "
            "--port=8866 --token") in command
    assert (repo_root / "notebooks/dashboard/jupyter/voila/templates/offline/index.html.j2").is_file()
    assert (repo_root / "notebooks" / "dashboard" / "clinic.ipynb").is_file()


@pytest.mark.slow
def test_the_dashboard_notebook_runs_and_has_no_outputs(repo_root):
    import nbformat
    from nbclient import NotebookClient

    path = repo_root / "notebooks" / "dashboard" / "clinic.ipynb"
    nb = nbformat.read(path, as_version=4)
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    assert any("application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in outputs)
