"""``alliance report``: writes the page, never overwrites without --force, readable errors with exit code 1."""

from __future__ import annotations

import pytest

from toolkit.cli import main


@pytest.fixture
def export_csv(tmp_path, export):
    path = tmp_path / "export.csv"
    export.to_csv(path, index=False)
    return path


def test_clinic_report_from_a_file(export_csv, tmp_path, capsys):
    out = tmp_path / "week.html"
    assert main(["report", "clinic", str(export_csv), "-i", "srs", "-i", "ors", "-o", str(out),
                 "--clinic", "North"]) == 0
    html = out.read_text(encoding="utf-8")
    assert "Clinic Report: SRS, ORS" in html and "North" in html
    assert "wrote 'Clinic Report: SRS, ORS' to" in capsys.readouterr().err
    # never overwritten without --force; the file is unchanged
    assert main(["report", "clinic", str(export_csv), "-i", "srs,ors", "-o", str(out), "--title", "Other"]) == 1
    assert "refusing to overwrite" in capsys.readouterr().err and out.read_text(encoding="utf-8") == html
    assert main(["report", "clinic", str(export_csv), "-i", "srs,ors", "-o", str(out), "--title", "Other",
                 "--force"]) == 0
    assert "<title>Other</title>" in out.read_text(encoding="utf-8")


def test_clinic_period_and_dates(export_csv, tmp_path):
    out = tmp_path / "jan.html"
    assert main(["report", "clinic", str(export_csv), "-i", "srs,ors", "--date", "date", "--period", "2025-01",
                 "-o", str(out)]) == 0
    assert "Period</dt><dd>2025-01" in out.read_text(encoding="utf-8")
    out2 = tmp_path / "range.html"
    assert main(["report", "clinic", str(export_csv), "-i", "srs", "--from", "2", "--to", "3", "-o", str(out2)]) == 0
    assert "sessions 2 to 3" in out2.read_text(encoding="utf-8")


@pytest.mark.parametrize("args, message", [
    (["--client", "Client ID"], "names the column 'Client ID'.*Pass --client COLUMN"),
    (["--period", "2025-01"], "pass --date COLUMN"),
    (["--select", "session"], "--select takes COLUMN=VALUE"),
    (["--select", "nope=1"], "no column 'nope'"),
    (["--attention", "nope"], "flag\\(s\\) \\['nope'\\]"),
    (["-i", "no-such-instrument"], "no-such-instrument"),
])
def test_bad_input_exits_1_with_a_readable_message(export_csv, tmp_path, capsys, args, message):
    import re

    out = tmp_path / "r.html"
    base = ["report", "clinic", str(export_csv), "-i", "srs", "-o", str(out)]
    assert main(base + args) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "Traceback" not in err
    assert re.search(message, err), err
    assert not out.exists()


def test_output_suffix_and_input_file_are_checked(export_csv, tmp_path, capsys):
    assert main(["report", "clinic", str(export_csv), "-i", "srs", "-o", str(tmp_path / "r.docx")]) == 1
    assert "suffix decides its format" in capsys.readouterr().err
    assert main(["report", "clinic", str(export_csv), "-i", "srs", "-o", str(tmp_path)]) == 1
    assert "is a folder" in capsys.readouterr().err
    assert main(["report", "clinic", str(tmp_path / "missing.csv"), "-i", "srs", "-o", str(tmp_path / "r.html")]) == 1
    assert "missing.csv" in capsys.readouterr().err


def test_validation_report_with_select(tmp_path, capsys):
    import toolkit

    src = tmp_path / "wai.csv"
    toolkit.load_sample("wai_sr_sessions").to_csv(src, index=False)
    out = tmp_path / "v.html"
    assert main(["report", "validation", str(src), "-i", "wai-sr", "--select", "session=3", "--n-boot", "0",
                 "--n-iter", "2", "-o", str(out)]) == 0
    html = out.read_text(encoding="utf-8")
    assert "Validation of Working Alliance Inventory" in html and "221 rows of responses" in html


def test_pdf_skipped_with_a_message_when_no_converter(export_csv, tmp_path, capsys, monkeypatch):
    from toolkit.exceptions import ConverterNotFoundError
    from toolkit.reports import output

    def none(*args, **kwargs):
        raise ConverterNotFoundError("no Chromium could be started; install one")

    monkeypatch.setattr(output, "write_pdf", none)
    out = tmp_path / "week.html"
    assert main(["report", "clinic", str(export_csv), "-i", "srs", "-o", str(out), "--pdf", "--no-charts"]) == 0
    assert "warning: PDF not written: no Chromium" in capsys.readouterr().err
    assert out.exists() and not (tmp_path / "week.pdf").exists()
