"""Registry listing, loading, and every error message of the samples package."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

import toolkit
from toolkit.exceptions import UnknownSampleError
from toolkit.samples import ModelParameters, list_samples, load_sample, load_truth, sample_path, simulate
from toolkit.samples.checks import choose_seed
from toolkit.samples.model import item_parameters
from toolkit.samples.registry import _registry

NAMES = ["wai_sr_sessions", "wai_s_therapist_sessions", "srs_ors_sessions", "wai36_client_therapist",
         "wai36_observer", "messy_export", "messy_export_bad_cells", "true_dyad_effects", "true_session_alliance"]


def test_list_samples():
    table = list_samples()
    assert list(table.index) == NAMES
    assert list(table.columns) == ["file", "description", "study", "instrument", "form", "rater", "rows",
                                   "columns", "kb"]
    assert table.loc["wai_sr_sessions", "instrument"] == "wai-sr"
    assert table.loc["wai_s_therapist_sessions", "form"] == "therapist"
    assert table.loc["wai36_observer", "form"] == "observer"
    assert table["kb"].sum() < 3 * 1024


def test_toolkit_exports():
    assert toolkit.load_sample is load_sample
    assert toolkit.list_samples is list_samples
    assert toolkit.simulate is simulate


@pytest.mark.parametrize("name", NAMES)
def test_load_each_sample(name, shipped):
    df = shipped[name]
    assert isinstance(df, pd.DataFrame) and len(df) > 0
    assert sample_path(name).is_file()


def test_loaded_dtypes(shipped):
    df = shipped["wai_sr_sessions"]
    assert list(df.columns[:5]) == ["dyad_id", "client_id", "therapist_id", "session", "rater"]
    assert pd.api.types.is_string_dtype(df["dyad_id"]) and pd.api.types.is_integer_dtype(df["session"])
    assert all(pd.api.types.is_float_dtype(df[f"wai_sr_{k:02d}"]) for k in range(1, 13))
    assert set(shipped["wai36_client_therapist"]["rater"]) == {"client", "therapist"}


def test_unknown_sample_message():
    with pytest.raises(UnknownSampleError) as err:
        load_sample("wai_sr")
    assert str(err.value) == (
        "no sample named 'wai_sr'; valid names: " + ", ".join(NAMES)
        + ". See toolkit.list_samples() for what each holds."
    )
    with pytest.raises(UnknownSampleError, match=r"^no sample named 3; valid names: wai_sr_sessions, "):
        sample_path(3)


def test_missing_registry_message(tmp_path):
    with pytest.raises(FileNotFoundError) as err:
        _registry(tmp_path)
    assert str(err.value) == (
        f"sample registry {tmp_path / 'registry.yaml'} is missing; regenerate the samples with "
        "'python -m toolkit.samples.build --force'"
    )


def test_truth_file(truth):
    assert truth == load_truth()
    assert set(truth) == {"seed", "generator", "design", "parameters", "targets", "items", "ruptures"}
    assert truth["parameters"]["facet_corr"] == 0.8
    assert set(truth["items"]) == {"wai-sr/client", "wai-s/therapist", "wai36/client", "wai36/therapist",
                                   "wai36/observer"}
    for params in truth["items"].values():
        assert all(0.6 <= lam <= 0.85 for lam in params["loading"])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n_dyads": 0}, "n_dyads must be an integer >= 1 (got 0); pass e.g. n_dyads=10"),
        ({"n_dyads": 2.5}, "n_dyads must be an integer >= 1 (got 2.5); pass e.g. n_dyads=10"),
        ({"n_validation_dyads": True},
         "n_validation_dyads must be an integer >= 1 (got True); pass e.g. n_validation_dyads=10"),
        ({"n_messy": 10}, "n_messy must be an integer >= 32 (got 10); pass e.g. n_messy=32"),
        ({"n_dyads": 33, "n_messy": 40}, "n_messy (40) cannot exceed n_dyads (33); lower n_messy or raise n_dyads"),
    ],
)
def test_simulate_argument_errors(kwargs, message):
    with pytest.raises(ValueError) as err:
        simulate(**kwargs)
    assert str(err.value) == message


def test_item_parameters_errors():
    import numpy as np

    rng = np.random.default_rng(0)
    with pytest.raises(ValueError) as err:
        item_parameters(toolkit.load_instrument("srs"), "client", ModelParameters(), rng)
    assert str(err.value) == (
        "srs form 'client' has a continuous response scale; the item simulator needs an ordinal scale "
        "(visual-analogue lines are drawn by draw_lines)"
    )
    with pytest.raises(ValueError) as err:
        item_parameters(toolkit.load_instrument("haq2"), None, ModelParameters(), rng)
    assert str(err.value).startswith("haq2: items [1, 2, 3,")
    assert str(err.value).endswith("belong to no subscale; the simulator needs every item keyed to one of the "
                                   "facets ('task', 'bond', 'goal')")


def test_choose_seed_error():
    with pytest.raises(RuntimeError) as err:
        choose_seed(1, tolerance=0.0, max_tries=1, n_dyads=40, n_validation_dyads=40)
    assert str(err.value) == "no seed in 1..1 shows every target within 0.0; widen tolerance or raise max_tries"


def test_params_change_the_model():
    p = dataclasses.replace(ModelParameters(), rupture_share=0.0, missing_item_rate=0.0)
    study = simulate(n_dyads=40, n_validation_dyads=40, seed=3, params=p)
    assert study.truth["ruptures"] == []
    assert not study["wai_sr_sessions"].filter(like="wai_sr_").isna().any().any()
    assert study.truth["parameters"]["rupture_share"] == 0.0
