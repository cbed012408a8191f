"""``alliance score`` with the files clinics really have (issue 9): ids, columns, exports, messages, file modes.

Every input file is written by the test. The command runs in-process through ``main([...])`` except where a
signal is sent, which needs a process of its own.
"""

from __future__ import annotations

import io
import json
import os
import re
import signal
import stat
import subprocess
import sys
import time

import numpy as np
import pandas as pd
import pytest

from toolkit.cli import main

WAI = [f"wai_sr_{k:02d}" for k in range(1, 13)]
IDS = ["00123", "0042", "1e3", "12345678901234567890", "007"]


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


def _answers(n, seed=2):
    return np.random.default_rng(seed).integers(1, 6, size=(n, 12))


def _write_csv(path, header, rows):
    path.write_text("\n".join(",".join(map(str, r)) for r in [header, *rows]) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def clinic_csv(tmp_path):
    """An export with the id columns clinics name in their own words."""
    x = _answers(len(IDS))
    header = ["Pseudonym", "MRN", "Sitzung", "Datum", "Klient-Nr.", "Name", "ResponseId", "Alter", *WAI]
    rows = [[i, i, f"0{k + 1}", f"0{k + 1}.02.2025", i, f"Person {k}", f"R_{k}", 30 + k, *x[k]]
            for k, i in enumerate(IDS)]
    return _write_csv(tmp_path / "clinic.csv", header, rows), header, x


# ------------------------------------------------------------------ items 1 and 2
def test_every_non_item_column_is_kept_byte_for_byte(clinic_csv, tmp_path, capsys):
    path, header, x = clinic_csv
    target = tmp_path / "scores.csv"
    code, _, err = run(capsys, "score", path, "-i", "wai-sr", "-o", target)
    assert code == 0 and err.strip() == f"wrote 5 rows of wai-sr scores to {target}"
    lines = target.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("line," + ",".join(header[:8]) + ",task,")
    source = path.read_text(encoding="utf-8").splitlines()
    for k in range(5):  # the first 8 fields of each input line come back unchanged, after its line number
        assert lines[k + 1].startswith(f"{k + 2}," + ",".join(source[k + 1].split(",")[:8]) + ","), lines[k + 1]
    got = pd.read_csv(target, dtype=str)
    assert got["total"].astype(float).tolist() == x.sum(axis=1).tolist()


def test_keep_ids_carries_only_the_id_columns(clinic_csv, capsys):
    path, header, _ = clinic_csv
    code, out, _ = run(capsys, "score", path, "-i", "wai-sr", "--keep", "ids")
    assert code == 0
    columns = out.splitlines()[0].split(",")
    assert "Alter" not in columns  # not an id
    assert {"Pseudonym", "MRN", "Sitzung", "Datum", "Klient-Nr.", "Name", "ResponseId"} <= set(columns)


def test_excel_output_keeps_ids_as_text(clinic_csv, tmp_path, capsys):
    path, _, _ = clinic_csv
    target = tmp_path / "s.xlsx"
    assert run(capsys, "score", path, "-i", "wai-sr", "-o", target)[0] == 0
    assert pd.read_excel(target, dtype=object)["MRN"].tolist() == IDS


# ------------------------------------------------------------------ item 6
def test_excel_with_a_title_row_is_scored(tmp_path, capsys):
    import openpyxl

    x = _answers(3)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["WAI-SR export, clinic A"])
    ws.append(["client_id", *WAI])
    for k, r in enumerate(x):
        ws.append([f"C0{k}", *map(int, r)])
    wb.save(tmp_path / "t.xlsx")
    code, out, err = run(capsys, "score", tmp_path / "t.xlsx", "-i", "wai-sr")
    assert code == 0
    assert err.startswith("warning: t.xlsx: the header (column names) is on line 2;")
    assert "Pass --header-row 2 to say where the header is" in err
    got = pd.read_csv(io.StringIO(out), index_col="line", dtype={"client_id": str})
    assert got.index.tolist() == [3, 4, 5] and got["client_id"].tolist() == ["C00", "C01", "C02"]
    assert got["total"].tolist() == x.sum(axis=1).tolist()
    code, out2, err = run(capsys, "score", tmp_path / "t.xlsx", "-i", "wai-sr", "--header-row", "2")
    assert code == 0 and err == "" and out2 == out


def test_qualtrics_csv_names_the_pattern(tmp_path, capsys):
    x = _answers(4)
    header = ["StartDate", "ResponseId", *[f"Q1_{k}" for k in range(1, 13)]]
    texts = ["Start Date", "Response ID", *[f"Statement {k}" for k in range(1, 13)]]
    imports = [json.dumps({"ImportId": i}) for i in ["startDate", "_recordId", *[f"QID1_{k}" for k in range(1, 13)]]]
    rows = [texts, imports, *[["2025-01-06 10:00:00", f"R_{k}", *r] for k, r in enumerate(x)]]
    pd.DataFrame(rows, columns=header).to_csv(tmp_path / "q.csv", index=False)
    code, out, err = run(capsys, "score", tmp_path / "q.csv", "-i", "wai-sr")
    assert code == 1
    assert "note: a Qualtrics export: lines 2 and 3 (the question texts and the import ids under the header)" in err
    assert "pass --pattern 'Q1_{n}' if they are" in err
    code, out, err = run(capsys, "score", tmp_path / "q.csv", "-i", "wai-sr", "--pattern", "Q1_{n}")
    assert code == 0 and "error" not in err and "warning" not in err
    got = pd.read_csv(io.StringIO(out), index_col="line")
    assert got.index.tolist() == [4, 5, 6, 7] and got["ResponseId"].tolist() == [f"R_{k}" for k in range(4)]
    assert got["total"].tolist() == x.sum(axis=1).tolist() and got["n_invalid"].eq(0).all()


# ------------------------------------------------------------------ item 9: the command's own language
PYTHONISMS = re.compile(
    r"\b(on_invalid|allow_unverified|items|pattern|response_scale|header_row|sheet|encoding|sep|form|id_cols|"
    r"change_by|change_order|metric|method|keep|thresholds|max_missing)\s*=|\b[a-z_]+\(\)|data\[|\.drop_duplicates")


def _scenarios(tmp_path):
    x = _answers(6)
    good = _write_csv(tmp_path / "good.csv", ["client_id", *WAI], [[f"C{k}", *r] for k, r in enumerate(x)])
    bad = _write_csv(tmp_path / "bad.csv", ["client_id", *WAI], [[f"C{k}", *r] for k, r in enumerate(x)] +
                     [["C9", "x", *x[0][1:]]])
    dup = _write_csv(tmp_path / "dup.csv", ["client_id", *WAI], [["C1", *x[0]], ["C1", *x[0]]])
    extra = _write_csv(tmp_path / "extra.csv", ["client_id", *WAI, "wai_sr_13"], [["C1", *x[0], 1]])
    other = _write_csv(tmp_path / "other.csv", ["client_id", *[f"F{k}" for k in range(1, 13)]], [["C1", *x[0]]])
    rater = _write_csv(tmp_path / "rater.csv", ["client_id", "rater", *WAI], [["C1", "therapist", *x[0]]])
    rdfs = _write_csv(tmp_path / "rdfs.csv", ["id", *[f"rdfs_{k:02d}" for k in range(1, 7)]], [["A", *[3] * 6]])
    obs = _write_csv(tmp_path / "obs.csv", ["id", *[f"wai36_{k:02d}" for k in range(1, 37)]], [["A", *[4] * 36]])
    wide = tmp_path / "wide.csv"
    wide.write_text("a,b\n1,2,3,4\n", encoding="utf-8")
    latin = tmp_path / "latin.csv"
    latin.write_bytes("Klient,q\nä,1\n".encode("latin-1"))
    title = tmp_path / "title.csv"
    title.write_text("My export\n" + good.read_text(encoding="utf-8"), encoding="utf-8")
    return [
        ["score", bad, "-i", "wai-sr"],
        ["score", bad, "-i", "wai-sr", "--on-invalid", "missing"],
        ["score", dup, "-i", "wai-sr"],
        ["score", extra, "-i", "wai-sr"],
        ["score", other, "-i", "wai-sr"],
        ["score", rater, "-i", "wai-sr"],
        ["score", rdfs, "-i", "rdfs"],
        ["score", obs, "-i", "wai36", "--form", "observer"],
        ["score", obs, "-i", "wai36", "--form", "observer", "--allow-unverified"],
        ["score", wide, "-i", "wai-sr"],
        ["score", latin, "-i", "wai-sr", "--encoding", "ascii"],
        ["score", title, "-i", "wai-sr"],
        ["score", good, "-i", "wai-sr", "--sheet", "x"],
        ["score", good, "-i", "wai-sr", "--id-cols", "nope"],
        ["score", good, "-i", "wai-sr", "--change-by", "client_id"],
        ["score", good, "-i", "wai-sr", "--form", "therapist"],
        ["score", good, "-i", "wai-sr", "--header-row", "9"],
    ]


def test_messages_name_flags_not_python_arguments(tmp_path, capsys):
    seen = 0
    for argv in _scenarios(tmp_path):
        code, out, err = run(capsys, *argv)
        text = "\n".join(line for line in err.splitlines() if line.startswith(("error:", "warning:", "note:")))
        assert text, (argv, err)
        seen += 1
        found = PYTHONISMS.findall(text)
        assert not found, f"{[str(a) for a in argv[1:]]} prints Python, not flags ({found}):\n{text}"
    assert seen == 17


def test_flags_the_messages_name_exist(tmp_path, capsys):
    """The flags a message suggests are real (the rdfs scale, the ORS change)."""
    rdfs = _write_csv(tmp_path / "rdfs.csv", ["id", *[f"rdfs_{k:02d}" for k in range(1, 7)]], [["A", *[3] * 6]])
    code, out, err = run(capsys, "score", rdfs, "-i", "rdfs")
    assert code == 1 and "--response-scale MIN:MAX:STEP" in err
    code, out, err = run(capsys, "score", rdfs, "-i", "rdfs", "--response-scale", "1:6")
    assert code == 0 and pd.read_csv(io.StringIO(out))["total"].tolist() == [3.0]  # the RDFS scores means


def test_ors_reliable_change_from_the_command_line(tmp_path, capsys):
    path = _write_csv(tmp_path / "ors.csv", ["client_id", "session", *[f"ors_{k:02d}" for k in range(1, 5)]], [
        ["007", "2", 3.6, 3.5, 3.5, 3.3],
        ["007", "1", 2.3, 2.2, 2.2, 2.2],
        ["012", "1", 5.0, 5.0, 5.0, 5.0],
    ])
    code, out, err = run(capsys, "score", path, "-i", "ors", "--change-by", "client_id", "--change-order", "session")
    assert code == 0 and err == ""
    got = pd.read_csv(io.StringIO(out), dtype=str)
    assert got["client_id"].tolist() == ["007", "007", "012"]
    assert got["total"].tolist() == ["13.9", "8.9", "20.0"]
    assert got["total_change"].tolist() == ["5.0", "0.0", "0.0"]
    assert got["flag_reliable_improvement"].tolist() == ["True", "False", "False"]
    code, _, err = run(capsys, "score", path, "-i", "ors", "--change-order", "session")
    assert code == 1 and err.strip() == "error: --change-order needs --change-by (the column naming each person)"


def test_metric_flag_and_the_old_method_flag(tmp_path, capsys):
    path = _write_csv(tmp_path / "w.csv", ["client_id", *WAI], [["A", *[5] * 12], ["B", *[3] * 12]])
    code, out, err = run(capsys, "score", path, "-i", "wai-sr", "--metric", "pomp")
    assert code == 0 and pd.read_csv(io.StringIO(out))["total"].tolist() == [100.0, 50.0]
    code, out, err = run(capsys, "score", path, "-i", "wai-sr", "--method", "mean")
    assert code == 0 and err.strip() == "warning: --method is deprecated and goes in version 0.3; use --metric mean"
    assert pd.read_csv(io.StringIO(out))["total"].tolist() == [5.0, 3.0]


def test_too_many_rows_for_xlsx_are_refused_before_scoring(tmp_path, capsys, monkeypatch):
    import toolkit.cli
    import toolkit.scoring

    monkeypatch.setattr(toolkit.cli, "XLSX_MAX_ROWS", 3)
    monkeypatch.setattr(toolkit.scoring, "score", lambda *a, **k: pytest.fail("scored before refusing"))
    path = _write_csv(tmp_path / "w.csv", ["client_id", *WAI], [[f"C{k}", *[4] * 12] for k in range(4)])
    target = tmp_path / "s.xlsx"
    code, out, err = run(capsys, "score", path, "-i", "wai-sr", "-o", target)
    assert code == 1 and not target.exists()
    assert err.strip() == (f"error: cannot write 4 rows to '{target}': an .xlsx sheet holds at most 3 rows under "
                           f"its header. Write CSV instead (-o '{tmp_path / 's.csv'}'), which is also far faster for "
                           "large files (minutes and gigabytes of memory for .xlsx, seconds for CSV)")


def test_empty_and_header_only_files(tmp_path, capsys):
    (tmp_path / "zero.csv").write_bytes(b"")
    code, out, err = run(capsys, "score", tmp_path / "zero.csv", "-i", "wai-sr")
    assert code == 1 and err.startswith(f"error: {tmp_path / 'zero.csv'}: the file is empty (0 bytes)")
    assert "No columns to parse" not in err
    (tmp_path / "head.csv").write_text("client_id," + ",".join(WAI) + "\n", encoding="utf-8")
    code, out, err = run(capsys, "score", tmp_path / "head.csv", "-i", "wai-sr", "-o", tmp_path / "s.csv")
    assert code == 0
    assert "warning: head.csv has a header but no data rows: there is nothing to score." in err
    assert err.strip().endswith(f"wrote 0 rows of wai-sr scores to {tmp_path / 's.csv'}")


# ------------------------------------------------------------------ item 10: files others must read
@pytest.fixture
def umask_022():
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def test_new_files_follow_the_umask_and_force_keeps_the_mode(tmp_path, capsys, umask_022):
    path = _write_csv(tmp_path / "w.csv", ["client_id", *WAI], [["A", *[4] * 12]])
    for argv, target in ((["score", path, "-i", "wai-sr"], tmp_path / "s.csv"),
                         (["score", path, "-i", "wai-sr"], tmp_path / "s.xlsx"),
                         (["template"], tmp_path / "t.yaml"),
                         (["schema"], tmp_path / "schema.json")):
        assert run(capsys, *argv, "-o", target)[0] == 0
        assert stat.S_IMODE(target.stat().st_mode) == 0o644, target
        target.chmod(0o640)
        assert run(capsys, *argv, "-o", target, "--force")[0] == 0
        assert stat.S_IMODE(target.stat().st_mode) == 0o640, target  # --force keeps the file's own mode
    old = os.umask(0o077)
    try:
        assert run(capsys, "template", "-o", tmp_path / "private.yaml")[0] == 0
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "private.yaml").stat().st_mode) == 0o600


@pytest.mark.slow
def test_sigterm_while_writing_leaves_no_temporary_file(tmp_path, repo_root):
    rng = np.random.default_rng(1)
    n = 60_000
    frame = pd.DataFrame(rng.integers(1, 6, size=(n, 12)), columns=WAI)
    frame.insert(0, "client_id", [f"C{k:06d}" for k in range(n)])
    frame.to_csv(tmp_path / "big.csv", index=False)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    target = out_dir / "scores.xlsx"
    env = dict(os.environ, PYTHONPATH=str(repo_root))
    proc = subprocess.Popen([sys.executable, "-m", "toolkit.cli", "score", str(tmp_path / "big.csv"), "-i", "wai-sr",
                             "-o", str(target)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    deadline = time.monotonic() + 300
    try:
        while not any(p.name.startswith(".scores.xlsx.") for p in out_dir.iterdir()):
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the temporary file never appeared (exit {proc.poll()}): {proc.stderr.read()}")
            time.sleep(0.01)
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 143, err
    assert "terminated (SIGTERM); no output file was written" in err
    assert list(out_dir.iterdir()) == []  # neither the output nor a hidden temporary file


# ------------------------------------------------------------------ item 11: one row numbering
def test_bad_cells_are_reported_by_the_files_lines(tmp_path, capsys):
    from toolkit import load_sample
    from toolkit.samples import sample_path

    bad = load_sample("messy_export_bad_cells")
    invalid = bad[bad["kind"] == "invalid"]
    code, _, err = run(capsys, "score", sample_path("messy_export"), "-i", "wai-sr")
    assert code == 1
    lines = err.splitlines()
    assert lines[0].endswith("(line = the line of messy_export.csv):")
    table = [re.match(r"^\s*(\d+)\s.*?\b(Q\d+)\b", line).groups() for line in lines[2:2 + len(invalid)]]
    assert sorted((int(r[0]), r[1]) for r in table) == sorted(zip(invalid["line"], invalid["column"]))
