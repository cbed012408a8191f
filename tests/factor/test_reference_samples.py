"""toolkit.factor on the project's simulated WAI-36 and WAI-SR samples against psych.

R: tests/reference/factor/make_factor_reference.R, section 8 (reads data-samples/*.csv).
Tolerances as in test_reference_psych.py: 1e-4 loadings/Phi, 1e-4 polychoric r, 1e-6 KMO/Bartlett.
"""

from __future__ import annotations

import numpy as np
import pytest

from toolkit.factor import EFA, bartlett_sphericity, kmo, omega, parallel_analysis, polychoric

from .conftest import load_ref

REF = load_ref("wai_samples.json")


@pytest.fixture(scope="module")
def samples(repo_root):
    import pandas as pd

    wai36 = pd.read_csv(repo_root / "data-samples" / "wai36_client_therapist.csv")
    wsr = pd.read_csv(repo_root / "data-samples" / "wai_sr_sessions.csv")
    return {
        "wai36": wai36.loc[wai36.rater == "client", [f"wai36_{i:02d}" for i in range(1, 37)]],
        "wai_sr": wsr.loc[wsr.session == 1, [f"wai_sr_{i:02d}" for i in range(1, 13)]],
    }


def _check_fit(efa, ref):
    assert efa.loadings_.columns.tolist() == ref["colnames"]
    np.testing.assert_allclose(efa.loadings_.to_numpy(), ref["loadings"], atol=1e-4)
    np.testing.assert_allclose(efa.communalities_.to_numpy(), ref["communality"], atol=1e-4)
    if isinstance(ref["Phi"], list):
        np.testing.assert_allclose(efa.phi_.to_numpy(), ref["Phi"], atol=1e-4)
    np.testing.assert_allclose(efa.fit_["rms"], ref["rms"], rtol=1e-4)
    np.testing.assert_allclose(efa.fit_["tli"], ref["TLI"], atol=1e-5)
    np.testing.assert_allclose([efa.fit_["rmsea"], efa.fit_["rmsea_low"], efa.fit_["rmsea_high"]], ref["RMSEA"][:3],
                               atol=1e-5)


@pytest.mark.parametrize("key", sorted(REF["fits"]))
def test_sample_fits(samples, key):
    """R: see REF["fits"][key]["call"]."""
    ref = REF["fits"][key]
    if key.startswith("wai36"):
        efa = EFA(3, rotation=key.rsplit("_", 1)[1]).fit(samples["wai36"])
    else:
        _, _, _, nf, method = key.split("_")
        efa = EFA(int(nf), method).fit(samples["wai_sr"])
    _check_fit(efa, ref)


def test_wai_sr_polychoric_efa_and_omega(samples):
    """R: polychoric(s1); fa(s1, 3, cor = "poly"); omega(s1, nfactors = 3)."""
    x = samples["wai_sr"]
    poly = polychoric(x)
    np.testing.assert_allclose(poly.rho.to_numpy(), REF["wai_sr_poly"]["rho"], atol=1e-4)
    np.testing.assert_allclose(poly.tau.to_numpy(), REF["wai_sr_poly"]["tau"], atol=1e-6)
    _check_fit(EFA(3, corr="polychoric").fit(x), REF["wai_sr_fa_poly"]["fit"])
    om = omega(x, 3)
    ref = REF["wai_sr_omega"]
    assert abs(om.omega_h - ref["omega_h"]) < 1e-4
    assert abs(om.omega_total - ref["omega_tot"]) < 1e-6
    np.testing.assert_allclose(om.schmid.to_numpy(), ref["sl"], atol=1e-4)


def test_wai36_polychoric_kmo_bartlett(samples):
    """R: polychoric(wai36 client items); KMO(wc)$MSA; cortest.bartlett(wc)$chisq (pairwise)."""
    x = samples["wai36"]
    poly = polychoric(x)
    np.testing.assert_allclose(poly.rho.to_numpy(), REF["wai36_poly"]["rho"], atol=1e-4)
    assert abs(kmo(x).msa - REF["kmo_wai36"]) < 1e-6
    assert abs(bartlett_sphericity(x).chi2 - REF["bartlett_wai36"]) < 1e-6


def test_wai_sr_parallel_observed(samples):
    """R: fa.parallel(s1)$fa.values (observed eigenvalues are deterministic)."""
    pa = parallel_analysis(samples["wai_sr"], n_iter=10, seed=1)
    np.testing.assert_allclose(pa.table["fa_observed"], REF["wai_sr_parallel"]["fa_values"], atol=1e-6)
    np.testing.assert_allclose(pa.table["pc_observed"], REF["wai_sr_parallel"]["pc_values"], atol=1e-10)
