"""The ``alliance`` command, run through ``main([...])``: output, files, exit codes and messages."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import toolkit
from toolkit import definition_schema, load_instrument, read_responses, score, template_path
from toolkit.cli import main


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


# ------------------------------------------------------------------ inspecting
def test_version(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out.strip() == f"alliance (alliance-toolkit) {toolkit.__version__}"


def test_no_command_prints_help(capsys):
    code, out, err = run(capsys)
    assert code == 2 and "usage: alliance" in err and "instruments" in err


def test_usage_error_exits_2(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["score", "x.csv"])
    assert exit_.value.code == 2
    assert "the following arguments are required: -i/--instrument" in capsys.readouterr().err


def test_instruments(capsys):
    code, out, err = run(capsys, "instruments")
    assert code == 0 and err == ""
    header = out.splitlines()[0].split()
    assert header[:4] == ["name", "version", "items", "subscales"] and "scorable" in header
    for ins_id in toolkit.list_instruments().index:
        assert any(line.startswith(ins_id + " ") for line in out.splitlines()), ins_id
    assert "Working Alliance Inventory - Short Revised" in out


def test_show(capsys):
    code, out, err = run(capsys, "show", "wai-sr")
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert lines[0].split() == ["id", "wai-sr"]
    assert "subscales       task (4), bond (4), goal (4)" in out
    assert "reversed items  none" in out
    assert "response scale  1-5 step 1" in out
    assert "anchors         1 = Seldom, 2 = Sometimes, 3 = Fairly often, 4 = Very often, 5 = Always" in out
    table = [line.split() for line in lines if line[:3].strip().isdigit()]
    assert len(table) == 12 and table[0][0] == "1" and "task" in table[0]


def test_show_lists_reversed_items_and_form_anchors(capsys):
    code, out, _ = run(capsys, "show", "wai36")
    ins = load_instrument("wai36")
    assert code == 0
    assert "reversed items           " + ", ".join(map(str, ins.reversed_items)) in out
    assert "anchors (observer-rev4)  1 = Very strong evidence against" in out


def test_show_unknown_instrument(capsys):
    code, out, err = run(capsys, "show", "wai-xl")
    assert code == 1 and out == ""
    assert err.startswith("error: no instrument 'wai-xl': it is neither a shipped id nor a file. Shipped ids: ")
    assert "wai-sr" in err and "_template.yaml" in err


def test_show_malformed_definition(tmp_path, capsys):
    text = template_path().read_text(encoding="utf-8")
    broken = tmp_path / "broken.yaml"
    broken.write_text("id: [unclosed\n", encoding="utf-8")
    code, _, err = run(capsys, "show", str(broken))
    assert code == 1 and err.startswith(f"error: {broken.resolve()}: not valid YAML at line")
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: Bad Id\nname: x\n", encoding="utf-8")
    code, _, err = run(capsys, "show", str(bad))
    assert code == 1 and "invalid instrument definition" in err and "; fix" in err
    assert text  # the template itself is readable


# ------------------------------------------------------------------ schema and template
def test_schema_to_stdout(capsys):
    code, out, err = run(capsys, "schema")
    assert code == 0 and json.loads(out) == definition_schema()


def test_schema_to_file_refuses_overwrite(tmp_path, capsys):
    target = tmp_path / "schema.json"
    code, out, err = run(capsys, "schema", "-o", str(target))
    assert code == 0 and out == "" and err.strip() == f"wrote the JSON Schema to {target}"
    assert json.loads(target.read_text(encoding="utf-8")) == definition_schema()

    target.write_text("mine", encoding="utf-8")
    code, out, err = run(capsys, "schema", "-o", str(target))
    assert code == 1
    assert err.strip() == (f"error: refusing to overwrite the existing file '{target}'; pass --force to replace it, "
                           "or choose another file with -o")
    assert target.read_text(encoding="utf-8") == "mine"

    code, _, _ = run(capsys, "schema", "-o", str(target), "--force")
    assert code == 0 and json.loads(target.read_text(encoding="utf-8")) == definition_schema()


def test_template(tmp_path, capsys):
    expected = template_path().read_text(encoding="utf-8")
    code, out, err = run(capsys, "template")
    assert code == 0 and out.rstrip("\n") == expected.rstrip("\n")

    target = tmp_path / "calpas.yaml"
    code, out, err = run(capsys, "template", "-o", str(target))
    assert code == 0 and target.read_text(encoding="utf-8") == expected
    assert err.strip() == (f"wrote the definition template to {target}; fill it in and load it with "
                           f"load_instrument('{target}')")
    code, _, err = run(capsys, "template", "-o", str(target))
    assert code == 1 and f"refusing to overwrite the existing file '{target}'; pass --force" in err
    code, _, _ = run(capsys, "template", "-o", str(target), "--force")
    assert code == 0


def test_write_into_missing_folder(tmp_path, capsys):
    target = tmp_path / "nope" / "schema.json"
    code, _, err = run(capsys, "schema", "-o", str(target))
    assert code == 1
    assert err.strip() == f"error: cannot write '{target}': the folder '{target.parent}' does not exist"


def test_output_is_a_folder(tmp_path, capsys):
    code, _, err = run(capsys, "schema", "-o", str(tmp_path), "--force")
    assert code == 1
    assert err.strip() == f"error: '{tmp_path}' is a folder; give a file name such as '{tmp_path / 'out.csv'}'"


def test_template_missing_from_installation(tmp_path, capsys, monkeypatch):
    import toolkit.instrument

    monkeypatch.setattr(toolkit.instrument, "template_path", lambda: tmp_path / "_template.yaml")
    code, out, err = run(capsys, "template")
    assert code == 1 and out == ""
    assert err.strip() == (f"error: the definition template '{tmp_path / '_template.yaml'}' is missing from this "
                           "installation; reinstall the toolkit")


# ------------------------------------------------------------------ scoring
def _expected(path, **kw):
    return score(read_responses(path, "wai-sr"), "wai-sr", **kw)


def test_score_to_stdout(good_csv, capsys):
    code, out, err = run(capsys, "score", str(good_csv), "--instrument", "wai-sr")
    assert code == 0 and err == ""
    got = pd.read_csv(io.StringIO(out), index_col="line")
    expected = _expected(good_csv)
    assert list(got.columns) == list(expected.columns)
    assert got.index.tolist() == [2, 3, 4, 5, 6, 7]  # the input file's lines
    np.testing.assert_allclose(got["total"], expected["total"])
    assert got["client_id"].tolist() == [f"C{k}" for k in range(1, 7)]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".tsv"])
def test_score_to_file_and_overwrite(good_csv, tmp_path, capsys, suffix):
    target = tmp_path / f"scores{suffix}"
    argv = ["score", str(good_csv), "-i", "wai-sr", "-o", str(target), "--metric", "mean", "--id-cols", "client_id",
            "--keep", "ids"]
    code, out, err = run(capsys, *argv)
    assert code == 0 and out == ""
    assert err.strip() == f"wrote 6 rows of wai-sr scores to {target}"
    if suffix == ".xlsx":
        got = pd.read_excel(target, index_col="line")
    else:
        got = pd.read_csv(target, index_col="line", sep="\t" if suffix == ".tsv" else ",")
    expected = _expected(good_csv, metric="mean", id_cols=["client_id"])
    assert list(got.columns) == list(expected.columns) and list(got.columns)[0] == "client_id"
    np.testing.assert_allclose(got["bond"], expected["bond"])
    np.testing.assert_allclose(got["total"], expected["total"])
    assert got["total"].max() <= 5

    before = target.read_bytes()
    code, out, err = run(capsys, *argv)
    assert code == 1 and out == ""
    assert err.strip() == (f"error: refusing to overwrite the existing file '{target}'; pass --force to replace it, "
                           "or choose another file with -o")
    assert target.read_bytes() == before

    code, _, err = run(capsys, *argv, "--force")
    assert code == 0 and err.strip() == f"wrote 6 rows of wai-sr scores to {target}"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["wai.csv", target.name])  # no temporary files left


def test_score_refuses_to_overwrite_its_input(good_csv, capsys):
    code, _, err = run(capsys, "score", str(good_csv), "-i", "wai-sr", "-o", str(good_csv), "--force")
    assert code == 1
    assert err.strip() == f"error: the output file '{good_csv}' is the input file; write the scores to another file"


def test_score_unknown_output_format(good_csv, tmp_path, capsys):
    code, _, err = run(capsys, "score", str(good_csv), "-i", "wai-sr", "-o", str(tmp_path / "s.json"))
    assert code == 1
    assert err.strip() == (f"error: cannot write '{tmp_path / 's.json'}': the output's extension decides its "
                           "format; use one of .csv, .tsv, .txt, .xlsx")


def test_bad_cells_are_all_listed(bad_csv, tmp_path, capsys):
    target = tmp_path / "s.csv"
    code, out, err = run(capsys, "score", str(bad_csv), "-i", "wai-sr", "--id-cols", "client_id", "-o", str(target))
    assert code == 1 and out == "" and not target.exists()
    lines = err.splitlines()
    assert lines[0] == "error: 3 bad cells in 3 of 6 rows for wai-sr (line = the line of bad.csv):"
    assert lines[1].split() == ["line", "client_id", "column", "item", "value", "reason"]
    assert lines[2].split()[:5] == ["3", "C2", "wai_sr_03", "3", "x"] and "not a number" in lines[2]
    assert lines[3].split()[:5] == ["6", "C5", "wai_sr_07", "7", "9"] and "out of range" in lines[3]
    assert lines[4].split()[:5] == ["7", "C6", "wai_sr_12", "12", "2.5"] and "not on the scale's step" in lines[4]
    assert lines[5] == ("fix these cells in the file, or pass --on-invalid missing to score them as missing "
                        "(each row's n_invalid then counts them)")


def test_bad_cells_as_missing(bad_csv, capsys):
    code, out, err = run(capsys, "score", str(bad_csv), "-i", "wai-sr", "--on-invalid", "missing")
    assert code == 0
    assert err.startswith("warning: 3 bad cells in 3 rows were scored as missing")
    got = pd.read_csv(io.StringIO(out), index_col="line")
    assert got["n_invalid"].tolist() == [0, 1, 0, 0, 1, 1]


def test_more_than_fifty_bad_cells_are_all_listed(tmp_path, responses, capsys):
    big = pd.concat([responses] * 10, ignore_index=True).astype(object)
    big["wai_sr_01"] = "?"
    big.to_csv(tmp_path / "many.csv", index=False)
    code, _, err = run(capsys, "score", str(tmp_path / "many.csv"), "-i", "wai-sr")
    assert code == 1 and err.splitlines()[0] == ("error: 60 bad cells in 60 of 60 rows for wai-sr "
                                                 "(line = the line of many.csv):")
    assert sum("wai_sr_01" in line for line in err.splitlines()) == 60


def test_unmatched_columns_warned_once(good_csv, tmp_path, responses, capsys):
    responses.assign(wai_sr_13=1).to_csv(tmp_path / "extra.csv", index=False)
    code, out, err = run(capsys, "score", str(tmp_path / "extra.csv"), "-i", "wai-sr")
    assert code == 0
    warnings_ = [line for line in err.splitlines() if line.startswith("warning:")]
    assert warnings_ == [
        "warning: 1 column looks like an item column but matches no item of wai-sr: 'wai_sr_13' (12 columns matched "
        "items). Check that the instrument and form are right and the export is complete; map columns with "
        "--pattern 'Q{n}', or delete the columns from the file."
    ]


def test_score_spss_with_value_labels(tmp_path, responses, capsys):
    import pyreadstat

    data = responses.copy()
    items = [c for c in data.columns if c.startswith("wai_sr")]
    data[items] = data[items] - 1  # stored as codes 0..4
    labels = {c: dict(enumerate(["Seldom", "Sometimes", "Fairly often", "Very often", "Always"])) for c in items}
    pyreadstat.write_sav(data, tmp_path / "wai.sav", variable_value_labels=labels)
    code, out, err = run(capsys, "score", str(tmp_path / "wai.sav"), "-i", "wai-sr")
    assert code == 0 and err == ""
    got = pd.read_csv(io.StringIO(out), index_col="case")  # SPSS numbers cases
    np.testing.assert_allclose(got["total"], responses[items].sum(axis=1))


def test_score_excel_sheet_and_pattern(tmp_path, responses, capsys):
    data = responses.rename(columns={f"wai_sr_{k:02d}": f"F{k}" for k in range(1, 13)})
    with pd.ExcelWriter(tmp_path / "wb.xlsx") as xl:
        pd.DataFrame({"a": [1]}).to_excel(xl, sheet_name="cover", index=False)
        data.to_excel(xl, sheet_name="wai", index=False)
    code, out, err = run(capsys, "score", str(tmp_path / "wb.xlsx"), "-i", "wai-sr", "--sheet", "wai",
                         "--pattern", "F{n}")
    assert code == 0 and err == ""
    got = pd.read_csv(io.StringIO(out), index_col="line")
    np.testing.assert_allclose(got["total"], responses.filter(like="wai_sr").sum(axis=1))


def test_score_with_encoding(tmp_path, responses, capsys):
    data = responses.rename(columns={"client_id": "Klient·in"})
    (tmp_path / "latin.csv").write_bytes(data.to_csv(index=False).encode("latin-1"))
    code, out, err = run(capsys, "score", str(tmp_path / "latin.csv"), "-i", "wai-sr", "--encoding", "latin-1",
                         "--id-cols", "Klient·in")
    assert code == 0 and err == ""
    assert out.splitlines()[0].startswith("line,Klient·in,")
    code, _, err = run(capsys, "score", str(tmp_path / "latin.csv"), "-i", "wai-sr", "--encoding", "ascii")
    assert code == 1 and err.startswith(f"error: {tmp_path / 'latin.csv'}: cannot decode the text as 'ascii'")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["-i", "wai-xl"], "error: no instrument 'wai-xl': it is neither a shipped id nor a file."),
        (["-i", "wai-sr", "--form", "therapist"], "error: wai-sr has no form 'therapist'; its forms are ['client']"),
        (["-i", "wai-sr", "--id-cols", "nope"], "error: --id-cols ['nope'] are not columns of the data;"),
        (["-i", "wai-sr", "--sheet", "x"],
         "error: --sheet x applies to Excel workbooks only; wai.csv is delimited text"),
        (["-i", "rdfs"], "error: rdfs ships no verified response scale"),
        (["-i", "wai36"], "error: no item columns of wai36 (36 items) found among the columns ['client_id', "),
    ],
)
def test_score_errors(good_csv, capsys, argv, message):
    code, out, err = run(capsys, "score", str(good_csv), *argv)
    assert code == 1 and out == ""
    assert err.startswith(message), err


def test_score_malformed_definition(good_csv, tmp_path, capsys):
    bad = tmp_path / "mine.yaml"
    bad.write_text("id: mine\nname: Mine\n", encoding="utf-8")
    code, _, err = run(capsys, "score", str(good_csv), "-i", str(bad))
    assert code == 1
    assert err.startswith(f"error: {bad.resolve()}: invalid instrument definition (")
    assert "version: Field required; fix: add the field" in err


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("gone.csv", None, "error: no file '{path}': check the path"),
        ("broken.sav", b"not spss", "error: {path}: not a readable SPSS (.sav/.zsav) file"),
        ("broken.xlsx", b"not a zip", "error: {path}: not a readable .xlsx workbook (BadZipFile"),
        ("old.xls", b"x", "error: {path}: cannot read files ending in '.xls'"),
        ("ragged.csv", b"a,b\n1,2,3,4\n", "error: {path}: 1 row with more fields than the header's 2"),
    ],
)
def test_unreadable_files(tmp_path, capsys, name, content, message):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    code, out, err = run(capsys, "score", str(path), "-i", "wai-sr")
    assert code == 1 and out == ""
    assert err.startswith(message.format(path=path)), err


def test_debug_shows_the_exception(good_csv):
    from toolkit.exceptions import UnknownInstrumentError

    with pytest.raises(UnknownInstrumentError):
        main(["--debug", "score", str(good_csv), "-i", "wai-xl"])


# ------------------------------------------------------------------ installed command
def _console_script() -> Path:
    script = Path(sys.executable).with_name("alliance")
    if not script.exists():
        pytest.skip("the console script is not installed (pip install -e .)")
    return script


def test_installed_console_script(good_csv, tmp_path):
    script = _console_script()
    done = subprocess.run([str(script), "--version"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout.strip() == f"alliance (alliance-toolkit) {toolkit.__version__}"

    target = tmp_path / "out.csv"
    done = subprocess.run([str(script), "score", str(good_csv), "-i", "wai-sr", "-o", str(target)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert pd.read_csv(target, index_col="line")["total"].tolist() == _expected(good_csv)["total"].tolist()

    done = subprocess.run([str(script), "score", str(good_csv), "-i", "wai-sr", "-o", str(target)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "refusing to overwrite the existing file" in done.stderr and "--force" in done.stderr


def test_cli_import_is_light():
    code = ("import sys, toolkit.cli; "
            "print(sorted(m for m in ('pandas', 'numpy', 'pyreadstat', 'pydantic') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout.strip() == "[]"


def test_score_observer_form_needs_allow_unverified(tmp_path, capsys):
    path = tmp_path / "observer.csv"
    pd.DataFrame({"session_id": [1], **{f"wai36_{n:02d}": [4] for n in range(1, 37)}}).to_csv(path, index=False)
    code, out, err = run(capsys, "score", str(path), "--instrument", "wai36", "--form", "observer")
    assert code == 1
    assert "wai36 form 'observer' has confidence R" in err and "pass --allow-unverified to score anyway" in err
    code, out, err = run(capsys, "score", str(path), "--instrument", "wai36", "--form", "observer",
                         "--allow-unverified")
    assert code == 0
    assert "warning: scoring wai36 form 'observer' with a key of confidence R" in err
    assert pd.read_csv(io.StringIO(out))["total"].tolist() == [144.0]
