"""Same seed, same tables; the shipped files are exactly what the build writes."""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
import pytest

from toolkit._paths import samples_dir
from toolkit.exceptions import FileExistsRefusal
from toolkit.samples import DEFAULT_SEED, SimulatedStudy, simulate
from toolkit.samples.build import build_samples, main, render_files
from toolkit.samples.registry import REGISTRY_FILE


@pytest.fixture(scope="module")
def rendered():
    return render_files(DEFAULT_SEED)


def test_same_seed_identical_tables_and_truth():
    a = simulate(n_dyads=40, n_validation_dyads=50, seed=5)
    b = simulate(n_dyads=40, n_validation_dyads=50, seed=5)
    assert isinstance(a, SimulatedStudy)
    assert list(a) == list(b)
    for name in a:
        pd.testing.assert_frame_equal(a[name], b[name])
    assert a.truth == b.truth
    pd.testing.assert_frame_equal(a.dyads, b.dyads)


def test_other_seed_other_tables():
    a = simulate(n_dyads=40, n_validation_dyads=50, seed=5)
    b = simulate(n_dyads=40, n_validation_dyads=50, seed=6)
    assert not a["wai_sr_sessions"].equals(b["wai_sr_sessions"])
    assert a.truth["seed"] == 5 and b.truth["seed"] == 6


def test_simulated_study_is_a_mapping():
    study = simulate(n_dyads=40, n_validation_dyads=50, seed=1)
    assert len(study) == 7
    assert dict(study).keys() == study.tables.keys()
    assert repr(study).startswith("<SimulatedStudy seed=1: wai_sr_sessions (")


def test_shipped_files_equal_a_fresh_build(rendered):
    folder = samples_dir()
    differ = [name for name, data in rendered.items() if (folder / name).read_bytes() != data]
    assert differ == [], f"rebuild with 'python -m toolkit.samples.build --force': {differ}"


def test_registry_checksums_match_files(shipped):
    import yaml

    reg = yaml.safe_load((samples_dir() / REGISTRY_FILE).read_text(encoding="utf-8"))
    assert reg["seed"] == DEFAULT_SEED
    for name, entry in reg["samples"].items():
        data = (samples_dir() / entry["file"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"], name
        assert entry["bytes"] == len(data)
        assert shipped[name].shape == (entry["rows"], entry["columns"])
    truth = (samples_dir() / reg["truth"]).read_bytes()
    assert hashlib.sha256(truth).hexdigest() == reg["truth_sha256"]


def test_simulated_tables_equal_loaded_samples(shipped):
    study = simulate(seed=DEFAULT_SEED)
    for name in ["wai_sr_sessions", "wai_s_therapist_sessions", "wai36_client_therapist", "wai36_observer",
                 "messy_export", "messy_export_bad_cells"]:
        pd.testing.assert_frame_equal(study[name], shipped[name], check_dtype=False, obj=name)
    pd.testing.assert_frame_equal(study["srs_ors_sessions"], shipped["srs_ors_sessions"], check_dtype=False)


def test_shipped_samples_are_small():
    total = sum(p.stat().st_size for p in samples_dir().iterdir() if p.is_file())
    assert total < 3 * 1024 * 1024


def test_build_refuses_to_overwrite_then_forces(tmp_path, rendered, capsys):
    (tmp_path / "README.md").write_text("mine", encoding="utf-8")
    with pytest.raises(FileExistsRefusal) as err:
        build_samples(tmp_path)
    assert str(err.value) == (
        f"refusing to overwrite 1 existing file(s) in {tmp_path}: README.md; pass force=True "
        "(command line: --force) to replace them, or choose another folder (--out)"
    )
    assert (tmp_path / "README.md").read_text(encoding="utf-8") == "mine"
    assert main(["--out", str(tmp_path)]) == 2
    assert "error: refusing to overwrite 1 existing file(s)" in capsys.readouterr().err
    assert main(["--out", str(tmp_path), "--check"]) == 1
    assert "out of date in" in capsys.readouterr().err
    assert main(["--out", str(tmp_path), "--force"]) == 0
    assert capsys.readouterr().out.startswith("wrote 12 files")
    assert {p.name for p in tmp_path.iterdir()} == set(rendered)
    assert main(["--out", str(tmp_path), "--check"]) == 0
    assert capsys.readouterr().out == f"{tmp_path}: up to date\n"


def test_build_into_new_folder(tmp_path, rendered):
    written = build_samples(tmp_path / "new")
    assert [p.read_bytes() for p in written] == list(rendered.values())


def test_generator_uses_the_instrument_keys():
    """Reversed WAI-36 items are written reversed: raw they correlate negatively with their subscale."""
    import toolkit

    study = simulate(n_dyads=40, n_validation_dyads=400, seed=2)
    wai36 = toolkit.load_instrument("wai36")
    items = study.truth["items"]["wai36/client"]
    assert [k + 1 for k, r in enumerate(items["reversed"]) if r] == wai36.reversed_items
    for sub, numbers in wai36.keys.items():
        assert {items["facet"][n - 1] for n in numbers} == {sub}
    x = study["wai36_client_therapist"].query("rater == 'client'").filter(like="wai36_").to_numpy()
    keyed = [n for n in wai36.keys["bond"] if n not in wai36.reversed_items]
    rest = np.nanmean(x[:, [n - 1 for n in keyed]], axis=1)
    for n in set(wai36.keys["bond"]) & set(wai36.reversed_items):
        ok = ~np.isnan(x[:, n - 1])
        assert np.corrcoef(x[ok, n - 1], rest[ok])[0, 1] < -0.3
        assert np.corrcoef(8 - x[ok, n - 1], rest[ok])[0, 1] > 0.3
