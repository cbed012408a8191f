"""The session-level truth of study A: SRS/ORS norms, stored latent alliance, within/between outcome effects.

The SRS and ORS lines were recalibrated to published norms (data-samples/README.md, ``NORMS``); the latent
alliance of every attended session is stored so that a model of the observed data can be checked against the
values that generated it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from toolkit.samples import simulate
from toolkit.samples.checks import NORMS, session_norms
from toolkit.samples.generator import item_columns


@pytest.fixture(scope="module")
def norms(shipped):
    return session_norms(shipped)


def test_srs_sits_near_the_top_of_its_scale(norms):
    """Published SRS means are about 36-38; the alert (total < 36) must not fire for most sessions."""
    assert abs(norms.loc["srs_mean", "value"] - NORMS["srs_mean"]["target"]) < 0.75
    assert 2.5 < norms.loc["srs_sd", "value"] < 4.5
    assert 0.2 < norms.loc["srs_below_cut", "value"] < 0.45  # was 0.56 before the recalibration
    assert 0.05 < norms.loc["srs_at_max", "value"] < 0.3  # a ceiling, as in real SRS data


def test_ors_intake_and_change_near_published(norms):
    """Intake 19.6 (Miller et al. 2003); mean pre-post effect size about 1 (Murphy et al. 2020)."""
    assert abs(norms.loc["ors_intake_mean", "value"] - 19.6) < 2 * 7.5 / np.sqrt(norms.loc["ors_intake_mean", "n"])
    assert 6 < norms.loc["ors_intake_sd", "value"] < 9.5
    assert 0.6 < norms.loc["ors_intake_clinical", "value"] < 0.9
    assert abs(norms.loc["ors_change_d", "value"] - 1.0) < 0.25


def test_norms_hold_without_seed_selection():
    """The calibration, not the chosen seed: three unselected seeds average near the targets."""
    values = pd.concat([session_norms(simulate(n_validation_dyads=40, seed=s))["value"] for s in (1, 2, 3)], axis=1)
    mean = values.mean(axis=1)
    assert abs(mean["srs_mean"] - 36.5) < 0.6
    assert abs(mean["ors_intake_mean"] - 19.6) < 1.5
    assert abs(mean["ors_change_d"] - 1.0) < 0.2


def test_session_truth_covers_every_attended_session(shipped, truth):
    latent = shipped["true_session_alliance"]
    dyads = shipped["true_dyad_effects"].query("study == 'A'").set_index("dyad_id")
    assert list(latent.columns) == ["dyad_id", "session", "latent_client", "latent_therapist", "rupture_drop",
                                    "latent_ors"]
    obs = shipped["srs_ors_sessions"].assign(ors=shipped["srs_ors_sessions"][item_columns("ors", 4)].sum(axis=1))
    both = obs.merge(latent, on=["dyad_id", "session"]).dropna(subset=["ors"])
    assert np.corrcoef(both["ors"], both["latent_ors"])[0, 1] > 0.95  # lines cut to 0-10 and rounded
    assert len(latent) == dyads["n_sessions"].sum()
    assert (latent.groupby("dyad_id")["session"].max() == dyads["n_sessions"]).all()
    # every recorded administration has its latent value (missed ones too: rows the forms lack)
    recorded = shipped["srs_ors_sessions"][["dyad_id", "session"]]
    assert len(recorded.merge(latent, on=["dyad_id", "session"])) == len(recorded)
    # the rupture drop is positive exactly inside the planted episodes, largest at the rupture session
    inside = set()
    for ep in truth["ruptures"]:
        inside.update((ep["dyad_id"], s) for s in range(ep["session"], ep["repair_session"]))
        at = latent.set_index(["dyad_id", "session"]).loc[(ep["dyad_id"], ep["session"]), "rupture_drop"]
        assert at == pytest.approx(ep["depth_latent"], abs=1e-4)
    flagged = {(d, s) for d, s, v in zip(latent["dyad_id"], latent["session"], latent["rupture_drop"]) if v > 0}
    assert flagged == inside


def test_person_mean_is_the_between_predictor(shipped, truth):
    """alliance_person_mean = mean of the centred latent total over sessions 1 .. n - 1."""
    latent = shipped["true_session_alliance"]
    dyads = shipped["true_dyad_effects"].query("study == 'A'").set_index("dyad_id")
    mu = truth["parameters"]["client_mean"]
    n = latent["dyad_id"].map(dyads["n_sessions"])
    mean = (latent[latent["session"] <= np.maximum(n - 1, 1)].groupby("dyad_id")["latent_client"].mean() - mu)
    np.testing.assert_allclose(mean.loc[dyads.index], dyads["alliance_person_mean"], atol=2e-4)


def test_outcome_has_separate_within_and_between_effects(shipped, truth):
    """OLS of the ORS total on the lagged latent alliance split at the person mean recovers both true effects.

    The intake intercept and growth are random per client and independent of the alliance, so a pooled OLS
    with session as covariate is unbiased for both effects; tolerance 3 standard errors.
    """
    p = truth["parameters"]
    so = shipped["srs_ors_sessions"]
    ors = so[["dyad_id", "session"]].assign(ors=so[item_columns("ors", 4)].sum(axis=1, min_count=4)).dropna()
    latent = shipped["true_session_alliance"]
    person = shipped["true_dyad_effects"].set_index("dyad_id")["alliance_person_mean"]
    lag = latent.assign(session=latent["session"] + 1)[["dyad_id", "session", "latent_client"]]
    d = ors.merge(lag, on=["dyad_id", "session"])
    d["between"] = d["dyad_id"].map(person)
    d["within"] = d["latent_client"] - p["client_mean"] - d["between"]
    X = np.column_stack([np.ones(len(d)), d["session"], d["within"], d["between"]])
    beta, *_ = np.linalg.lstsq(X, d["ors"].to_numpy(), rcond=None)
    resid = d["ors"].to_numpy() - X @ beta
    # cluster-robust SEs (clients), since intercepts and growth vary by client
    bread = np.linalg.inv(X.T @ X)
    meat = sum(np.outer(g, g) for g in (pd.DataFrame(X * resid[:, None]).groupby(d["dyad_id"].to_numpy()).sum()
                                         .to_numpy()))
    se = np.sqrt(np.diag(bread @ meat @ bread))
    assert abs(beta[2] - p["ors_alliance_within"]) < 3 * se[2]
    assert abs(beta[3] - p["ors_alliance_between"]) < 3 * se[3]
    assert beta[3] > beta[2] > 0
