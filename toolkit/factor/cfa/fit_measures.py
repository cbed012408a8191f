"""Every line of lavaan's ``fitMeasures()`` that applies to the estimator, with lavaan's names and formulas.

The definitions are lavaan 0.6-14's (``lav_fit_*``): CFI/TLI/NNFI/RFI/NFI/PNFI/IFI/RNI against the
independence (baseline) model, RMSEA with its 90% interval and close-fit p-values from the non-central
chi-square, SRMR in lavaan's (Bentler's: residuals standardised by the observed SDs, means included when the
model has a mean structure) and Mplus' forms, RMR and CRMR (Bollen's correlation residuals, diagonal left
out), GFI/AGFI/PGFI with the normal-theory weight at the implied moments, Hoelter's CN, McDonald's MFI and
ECVI; for MLR the scaled versions (chi2 / c) and the robust CFI/TLI/RMSEA of Brosseau-Liard & Savalei
(2014) and Brosseau-Liard, Savalei & Li (2012).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy import optimize, special, stats

from .patterns import observed_quadratics

__all__ = ["TestStatistic", "compute_fit_measures", "rmsea_ci"]


@dataclass
class TestStatistic:
    """A model's chi-square test (and its scaled version, when there is one)."""

    chisq: float
    df: int
    pvalue: float
    scaled: float = np.nan
    scaling_factor: float = np.nan
    pvalue_scaled: float = np.nan
    trace_UGamma: float = np.nan
    shift: float = np.nan                  # scaled-shifted tests (WLSMV)
    extra: dict = field(default_factory=dict)


def _isclose0(x) -> bool:
    return abs(x) < 1.5e-8


def _cfi(X2, df, X2n, dfn, c=1.0, cn=1.0, robust=False):
    if any(not np.isfinite(v) for v in (X2, df, X2n, dfn, c, cn)):
        return np.nan
    if robust and df > 0 and c != 1 and cn != 1:
        t1 = max(X2 - c * df, 0)
        t2 = max(X2 - c * df, X2n - cn * dfn, 0)
    else:
        t1 = max(X2 - df, 0)
        t2 = max(X2 - df, X2n - dfn, 0)
    if _isclose0(t1) and _isclose0(t2):
        return 1.0
    return 1 - t1 / t2


def _tli(X2, df, X2n, dfn, c=1.0, cn=1.0, robust=False):
    if any(not np.isfinite(v) for v in (X2, df, X2n, dfn, c, cn)):
        return np.nan
    if robust and df > 0 and c != 1 and cn != 1:
        t1 = (X2 - c * df) * dfn
        t2 = (X2n - cn * dfn) * df
    else:
        t1 = (X2 - df) * dfn
        t2 = (X2n - dfn) * df
    if df > 0 and abs(t2) > 0:
        return 1 - t1 / t2
    return 1.0


def _rfi(X2, df, X2n, dfn):
    if df > dfn:
        return np.nan
    if df > 0 and dfn > 0:
        t1 = X2n / dfn - X2 / df
        t2 = X2n / dfn
        return 1.0 if (t1 < 0 or t2 < 0) else t1 / t2
    return 1.0


def _nfi(X2, df, X2n, dfn):
    if df > dfn or _isclose0(X2n):
        return np.nan
    return (X2n - X2) / X2n if df > 0 else 1.0


def _pnfi(X2, df, X2n, dfn):
    if dfn > 0 and X2n > 0:
        return (df / dfn) * ((X2n - X2) / X2n)
    return np.nan


def _ifi(X2, df, X2n, dfn):
    t1, t2 = X2n - X2, X2n - df
    if t2 < 0:
        return 1.0
    if _isclose0(t2):
        return np.nan
    return t1 / t2


def _rni(X2, df, X2n, dfn, c=1.0, cn=1.0, robust=False):
    if robust and df > 0 and c != 1 and cn != 1:
        t1, t2 = X2 - c * df, X2n - cn * dfn
    else:
        t1, t2 = X2 - df, X2n - dfn
    if _isclose0(t2):
        return np.nan
    return 1 - t1 / t2


def _rmsea(X2, df, N, G, c=1.0):
    if not np.isfinite(X2) or not np.isfinite(df):
        return np.nan
    if df > 0:
        return float(np.sqrt(max(X2 / N / df - c / N, 0.0)) * np.sqrt(G))
    return 0.0


def rmsea_ci(X2, df, N, G=1, c=1.0, level=0.9):
    """Lower and upper limit of the RMSEA interval (lavaan's ``lav_fit_rmsea_ci``)."""
    if not all(np.isfinite(v) for v in (X2, df, N)):
        return np.nan, np.nan
    upper_p, lower_p = 1 - (1 - level) / 2, (1 - level) / 2

    def cdf(lam):
        return special.chndtr(X2, df, lam) if lam > 0 else stats.chi2.cdf(X2, df)

    def solve(p, hi):
        # the non-centrality at which the non-central chi2 cdf of X2 equals p (cdf falls as lam grows)
        try:
            lam = float(special.chndtrinc(X2, df, p))
            if np.isfinite(lam) and 0 <= lam <= hi and abs(cdf(lam) - p) < 1e-9:
                return lam
        except (ValueError, FloatingPointError):  # pragma: no cover - scipy returns nan instead
            pass
        return optimize.brentq(lambda L: cdf(L) - p, 0, hi, xtol=1e-12)

    if df < 1 or cdf(0) - upper_p < 0:
        lo = 0.0
    else:
        try:
            lam = solve(upper_p, X2)
            lo = np.sqrt(c * lam / (N * df)) * (np.sqrt(G) if G > 1 else 1)
        except ValueError:
            lo = np.nan
    n_r = max(N, X2 * 4)
    if df < 1 or cdf(n_r) - lower_p > 0 or cdf(0) - lower_p < 0:
        hi = 0.0
    else:
        try:
            lam = solve(lower_p, n_r)
            hi = np.sqrt(c * lam / (N * df)) * (np.sqrt(G) if G > 1 else 1)
        except ValueError:
            hi = np.nan
    return float(lo), float(hi)


def _rmsea_p(X2, df, N, G, h0, c=1.0, close=True):
    if not all(np.isfinite(v) for v in (X2, df, N)) or df <= 0:
        return np.nan
    ncp = (N * df * (1 / c) * h0 ** 2) / G
    cdf = special.chndtr(X2, df, ncp) if ncp > 0 else stats.chi2.cdf(X2, df)
    return float(1 - cdf) if close else float(cdf)


def residual_summaries(sample: list, implied: list, weights: np.ndarray, meanstructure: bool) -> dict:
    """RMR, SRMR (Bentler and Mplus), CRMR with and without means, weighted over groups by n_g / N."""
    keys = ["rmr", "rmr_nomean", "srmr_bentler", "srmr_bentler_nomean", "crmr", "crmr_nomean", "srmr_mplus",
            "srmr_mplus_nomean"]
    out = {k: 0.0 for k in keys}
    for (S, m), (Sig, mu), w in zip(sample, implied, weights):
        p = S.shape[0]
        il = np.tril_indices(p)
        il0 = np.tril_indices(p, -1)
        sd = np.sqrt(np.diag(S))
        sds = np.sqrt(np.diag(Sig))
        raw = S - Sig
        bentler = raw / np.outer(sd, sd)
        bollen = S / np.outer(sd, sd) - Sig / np.outer(sds, sds)
        pstar = p * (p + 1) // 2
        vals = {}
        vals["rmr_nomean"] = np.sqrt(np.mean(raw[il] ** 2))
        vals["srmr_bentler_nomean"] = np.sqrt(np.mean(bentler[il] ** 2))
        vals["crmr_nomean"] = np.sqrt(np.mean(bollen[il0] ** 2)) if p > 1 else 0.0
        diag_term = np.sum(((np.diag(S) - np.diag(Sig)) / np.diag(S)) ** 2)
        vals["srmr_mplus_nomean"] = np.sqrt((np.sum(bollen[il0] ** 2) + diag_term) / pstar)
        if meanstructure:
            rm = m - mu
            bm = (m - mu) / sd
            cm = (m - mu) / sd            # lavaan's cor.bollen means: both scaled by the observed SDs
            mm = m / sd - mu / sds        # Mplus' SRMR means
            vals["rmr"] = np.sqrt((np.sum(raw[il] ** 2) + np.sum(rm ** 2)) / (pstar + p))
            vals["srmr_bentler"] = np.sqrt((np.sum(bentler[il] ** 2) + np.sum(bm ** 2)) / (pstar + p))
            vals["crmr"] = np.sqrt((np.sum(bollen[il0] ** 2) + np.sum(cm ** 2)) / (pstar - p + p))
            vals["srmr_mplus"] = np.sqrt((np.sum(bollen[il0] ** 2) + np.sum(mm ** 2) + diag_term) / (pstar + p))
        else:
            for k in ("rmr", "srmr_bentler", "crmr", "srmr_mplus"):
                vals[k] = vals[k + "_nomean"]
        for k in keys:
            out[k] += w * vals[k]
    return out


def gfi(sample: list, implied: list, ns: np.ndarray, meanstructure: bool, x_idx=(), patterns=None) -> float:
    """GFI with the normal-theory weight at the implied moments (lavaan's ML ``WLS.V``); the moments of
    fixed covariates (``x_idx``) carry no weight. Under FIML the weight is the expected information of the
    missing-data patterns (``patterns[g]``: a list of (observed indices, share of rows))."""
    vals = []
    x_idx = np.asarray(x_idx, dtype=int)
    for g, ((S, m), (Sig, mu)) in enumerate(zip(sample, implied)):
        Si = np.linalg.inv(Sig)
        if patterns is not None and patterns[g] is not None:
            # the observed blocks' inverses from Si by Schur complements, all patterns at once
            p = Sig.shape[0]
            missing = [np.setdiff1d(np.arange(p), o) for o, _ in patterns[g]]
            w = [w for _, w in patterns[g]]
            t1 = observed_quadratics(Si, missing, w, S - Sig, m - mu)
            t2 = observed_quadratics(Si, missing, w, S, m)
        elif x_idx.size:
            p = S.shape[0]
            Jv, Iv = np.triu_indices(p)
            keep = ~(np.isin(Iv, x_idx) & np.isin(Jv, x_idx))
            # 1/2 vech' D'(Si x Si) D vech over the kept elements (off-diagonal ones count twice)
            c = np.where(Iv == Jv, 1.0, 2.0)
            Wq = 0.25 * (Si[np.ix_(Iv, Iv)] * Si[np.ix_(Jv, Jv)] + Si[np.ix_(Iv, Jv)] * Si[np.ix_(Jv, Iv)])
            Wq = Wq * np.outer(c, c)
            Wq = Wq[np.ix_(keep, keep)]
            r = (S - Sig)[Iv, Jv][keep]
            o = S[Iv, Jv][keep]
            t1 = r @ Wq @ r
            t2 = o @ Wq @ o
            if meanstructure:
                keep_m = ~np.isin(np.arange(p), x_idx)
                Sim = np.where(np.outer(keep_m, keep_m), Si, 0.0)
                d = m - mu
                t1 += d @ Sim @ d
                t2 += m @ Sim @ m
        else:
            D = Si @ (S - Sig)
            Ob = Si @ S
            t1 = 0.5 * np.sum(D * D.T)
            t2 = 0.5 * np.sum(Ob * Ob.T)
            if meanstructure:
                d = m - mu
                t1 += d @ Si @ d
                t2 += m @ Si @ m
        vals.append(1 - t1 / t2)
    vals = np.array(vals)
    return float(vals[0]) if len(vals) == 1 else float(ns @ vals / ns.sum())


def compute_fit_measures(*, npar: int, fmin: float, test: TestStatistic, baseline: TestStatistic, N: int, G: int,
                         logl: float, logl_h1: float, sample: list, implied: list, ns: np.ndarray,
                         meanstructure: bool, scaled: bool, fiml_robust: dict | None = None,
                         nel: int | None = None, ci_level: float = 0.9, close_h0: float = 0.05,
                         notclose_h0: float = 0.08, loglik_lines: bool = True,
                         scaling_h1: float = np.nan, scaling_h0: float = np.nan, categorical: bool = False,
                         wrmr: float = np.nan, x_idx=(), patterns=None, gfi_sample=None) -> dict:
    """The fit measures, in lavaan's order, as a dict name -> value."""
    X2, df = test.chisq, test.df
    X2n, dfn = baseline.chisq, baseline.df
    out = {"npar": float(npar), "fmin": fmin, "chisq": X2, "df": float(df), "pvalue": test.pvalue}
    robust = scaled or fiml_robust is not None or categorical
    if scaled:
        out.update({"chisq.scaled": test.scaled, "df.scaled": float(df), "pvalue.scaled": test.pvalue_scaled,
                    "chisq.scaling.factor": test.scaling_factor})
    out.update({"baseline.chisq": X2n, "baseline.df": float(dfn), "baseline.pvalue": baseline.pvalue})
    if scaled:
        out.update({"baseline.chisq.scaled": baseline.scaled, "baseline.df.scaled": float(dfn),
                    "baseline.pvalue.scaled": baseline.pvalue_scaled,
                    "baseline.chisq.scaling.factor": baseline.scaling_factor})
    # the robust versions' ingredients
    if fiml_robust is not None:
        XX3, c_hat = fiml_robust["XX3"], fiml_robust["c_hat3"]
        XX3n, c_hat_n = fiml_robust["XX3_null"], fiml_robust["c_hat3_null"]
        XX3_scaled, df3 = fiml_robust["XX3_scaled"], fiml_robust["df3"]
        c_hat3 = c_hat
    elif robust:
        XX3, XX3n, df3 = X2, X2n, df
        if np.isfinite(test.shift):
            c_hat = test.scaling_factor * (df - test.shift) / df
            c_hat_n = baseline.scaling_factor * (dfn - baseline.shift) / dfn
        else:
            c_hat, c_hat_n = test.scaling_factor, baseline.scaling_factor
        c_hat3 = c_hat
        XX3_scaled = test.scaled
    out["cfi"] = _cfi(X2, df, X2n, dfn)
    out["tli"] = _tli(X2, df, X2n, dfn)
    if scaled:
        out["cfi.scaled"] = _cfi(test.scaled, df, baseline.scaled, dfn)
        out["tli.scaled"] = _tli(test.scaled, df, baseline.scaled, dfn)
    if robust:
        out["cfi.robust"] = _cfi(XX3, df, XX3n, dfn, c_hat, c_hat_n, robust=True)
        out["tli.robust"] = _tli(XX3, df, XX3n, dfn, c_hat, c_hat_n, robust=True)
    out.update({"nnfi": _tli(X2, df, X2n, dfn), "rfi": _rfi(X2, df, X2n, dfn), "nfi": _nfi(X2, df, X2n, dfn),
                "pnfi": _pnfi(X2, df, X2n, dfn), "ifi": _ifi(X2, df, X2n, dfn), "rni": _rni(X2, df, X2n, dfn)})
    if scaled:
        Xs, Xns = test.scaled, baseline.scaled
        out.update({"nnfi.scaled": _tli(Xs, df, Xns, dfn), "rfi.scaled": _rfi(Xs, df, Xns, dfn),
                    "nfi.scaled": _nfi(Xs, df, Xns, dfn), "pnfi.scaled": _pnfi(Xs, df, Xns, dfn),
                    "ifi.scaled": _ifi(Xs, df, Xns, dfn), "rni.scaled": _rni(Xs, df, Xns, dfn)})
    if robust:
        out["nnfi.robust"] = _tli(XX3, df, XX3n, dfn, c_hat, c_hat_n, robust=True)
        out["rni.robust"] = _rni(XX3, df, XX3n, dfn, c_hat, c_hat_n, robust=True)
    if loglik_lines:
        out.update({"logl": logl, "unrestricted.logl": logl_h1, "aic": -2 * logl + 2 * npar,
                    "bic": -2 * logl + npar * np.log(N), "ntotal": float(N),
                    "bic2": -2 * logl + npar * np.log((N + 2) / 24)})
        if scaled and not np.isfinite(test.shift):
            out["scaling.factor.h1"] = scaling_h1
            out["scaling.factor.h0"] = scaling_h0
    else:
        out["ntotal"] = float(N)
    out["rmsea"] = _rmsea(X2, df, N, G)
    lo, hi = rmsea_ci(X2, df, N, G, level=ci_level)
    out.update({"rmsea.ci.lower": lo, "rmsea.ci.upper": hi, "rmsea.ci.level": ci_level,
                "rmsea.pvalue": _rmsea_p(X2, df, N, G, close_h0), "rmsea.close.h0": close_h0,
                "rmsea.notclose.pvalue": _rmsea_p(X2, df, N, G, notclose_h0, close=False),
                "rmsea.notclose.h0": notclose_h0})
    if scaled:
        if np.isfinite(test.shift):
            XX2, df2 = test.scaled, df
        else:
            XX2, df2 = X2, test.trace_UGamma
        out["rmsea.scaled"] = _rmsea(XX2, df2, N, G)
        lo, hi = rmsea_ci(XX2, df2, N, G, level=ci_level)
        out.update({"rmsea.ci.lower.scaled": lo, "rmsea.ci.upper.scaled": hi,
                    "rmsea.pvalue.scaled": _rmsea_p(XX2, df2, N, G, close_h0),
                    "rmsea.notclose.pvalue.scaled": _rmsea_p(XX2, df2, N, G, notclose_h0, close=False)})
    if robust:
        out["rmsea.robust"] = _rmsea(XX3, df3, N, G, c_hat3)
        lo, hi = rmsea_ci(XX3_scaled, df3, N, G, c=c_hat, level=ci_level)
        out.update({"rmsea.ci.lower.robust": lo, "rmsea.ci.upper.robust": hi,
                    "rmsea.pvalue.robust": _rmsea_p(XX3_scaled, df3, N, G, close_h0, c=c_hat),
                    "rmsea.notclose.pvalue.robust": _rmsea_p(XX3_scaled, df3, N, G, notclose_h0, c=c_hat,
                                                             close=False)})
    res = residual_summaries(sample, implied, ns / ns.sum(), meanstructure and not categorical)
    out["rmr"] = res["rmr"]
    out["rmr_nomean"] = res["rmr_nomean"]
    out["srmr"] = res["srmr_bentler_nomean"] if categorical else res["srmr_bentler"]
    for k in ("srmr_bentler", "srmr_bentler_nomean", "crmr", "crmr_nomean", "srmr_mplus", "srmr_mplus_nomean"):
        out[k] = res[k]
    if categorical:
        out["srmr_mplus"] = out["srmr_mplus_nomean"] = np.nan
    if df == 0 and X2 < np.finfo(float).eps:
        out["cn_05"] = out["cn_01"] = np.nan
    else:
        with np.errstate(divide="ignore"):     # an exact fit (X2 = 0, df > 0): Inf, as lavaan's R arithmetic
            out["cn_05"] = stats.chi2.ppf(0.95, df) / (X2 / N) + 1
            out["cn_01"] = stats.chi2.ppf(0.99, df) / (X2 / N) + 1
    if not categorical:
        g = gfi(gfi_sample if gfi_sample is not None else sample, implied, ns, meanstructure, x_idx, patterns)
        if nel is None:
            p = sample[0][0].shape[0]
            nel = G * (p * (p + 1) // 2 + (p if meanstructure else 0))
        out["gfi"] = g
        out["agfi"] = 1 - (nel / df) * (1 - g) if df > 0 else 1.0
        out["pgfi"] = (df / nel) * g if nel else np.nan
    out["mfi"] = float(np.exp(-0.5 * (X2 - df) / N))
    if categorical:
        out["wrmr"] = wrmr
    else:
        out["ecvi"] = X2 / N + 2 * npar / N
    return out
